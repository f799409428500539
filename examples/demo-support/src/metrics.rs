//! `GET /metrics`: the Vortex metrics in the Prometheus text format, from the
//! `metrics-exporter-prometheus` recorder that the demo installs (no HTTP listener of its
//! own: each demo serves the text on its own router).

use std::time::Duration;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// The content type of [`Metrics::render`].
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Histogram buckets of the `….duration` metrics, in seconds (OpenTelemetry's defaults for
/// HTTP durations).
const DURATION_BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

/// How often histogram samples are folded into their buckets between scrapes.
const UPKEEP: Duration = Duration::from_secs(5);

/// The installed Prometheus recorder. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Metrics {
    handle: PrometheusHandle,
}

impl Metrics {
    /// Installs the Prometheus recorder as the process's global recorder, describes the
    /// Vortex metrics and starts its upkeep (on the current Tokio runtime).
    ///
    /// # Errors
    ///
    /// A message when a global recorder is already installed.
    pub fn install() -> Result<Self, String> {
        let handle = PrometheusBuilder::new()
            // OpenTelemetry's Prometheus names: `_seconds` for the durations, `_total` for
            // the counters.
            .with_recommended_naming(true)
            .set_buckets_for_metric(Matcher::Suffix("duration".into()), &DURATION_BUCKETS)
            .map_err(|e| e.to_string())?
            .install_recorder()
            .map_err(|e| format!("cannot install the metrics recorder: {e}"))?;
        vortex_routes::metrics::describe();
        let upkeep = handle.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(UPKEEP).await;
                upkeep.run_upkeep();
            }
        });
        Ok(Self { handle })
    }

    /// The metrics in the Prometheus text format.
    pub fn render(&self) -> String {
        self.handle.render()
    }
}
