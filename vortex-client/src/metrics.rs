//! Metrics through the [`metrics`](https://docs.rs/metrics) facade (feature `metrics`):
//! names, label keys and [`describe`].
//!
//! With the feature, the client records, into whatever recorder the app installed (none:
//! nothing is kept):
//!
//! | metric | kind | labels |
//! |---|---|---|
//! | `http.client.request.duration` | histogram, seconds | `http.request.method`, `server.address`, `vortex.operation`, and `http.response.status_code` (an answer came) or `error.type` (`timeout`, `connect`, `transport`) |
//! | `vortex.client.retries` | counter | `vortex.operation` |
//! | `vortex.client.retry_budget.exhausted` | counter | `vortex.operation` |
//! | `vortex.tokens.issued` | counter | `kind` (`jwt`, `token`) |
//!
//! One duration per upstream *attempt* (a retried call records each attempt). The
//! `vortex.operation` of the client is the method of [`RawApi`](crate::RawApi) that made the
//! call (`get_invitation`, `accept_invitations`, …); no label carries an id, an address or
//! any other value that a caller chooses.
//!
//! Without the feature every function here is empty and the `metrics` crate is not compiled.

/// `http.client.request.duration`: one upstream attempt, in seconds.
pub const CLIENT_REQUEST_DURATION: &str = "http.client.request.duration";
/// `vortex.client.retries`: retries made.
pub const CLIENT_RETRIES: &str = "vortex.client.retries";
/// `vortex.client.retry_budget.exhausted`: retries the retry budget refused.
pub const CLIENT_RETRY_BUDGET_EXHAUSTED: &str = "vortex.client.retry_budget.exhausted";
/// `vortex.tokens.issued`: tokens signed.
pub const TOKENS_ISSUED: &str = "vortex.tokens.issued";

/// How an upstream attempt ended.
#[cfg(feature = "client")]
#[cfg_attr(not(feature = "metrics"), allow(dead_code))]
#[derive(Clone, Copy, Debug)]
pub(crate) enum Attempt {
    /// An answer with this status came.
    Status(u16),
    /// No answer: `timeout`, `connect` or `transport`.
    Error(&'static str),
}

/// Describes the client's metrics (unit and help text) to the installed recorder. Call it
/// once, after installing the recorder; it is optional (a recorder keeps undescribed metrics).
pub fn describe() {
    #[cfg(feature = "metrics")]
    {
        use metrics::Unit;
        metrics::describe_histogram!(
            CLIENT_REQUEST_DURATION,
            Unit::Seconds,
            "Duration of each Vortex API attempt (retries are separate attempts)"
        );
        metrics::describe_counter!(CLIENT_RETRIES, "Vortex API calls retried");
        metrics::describe_counter!(
            CLIENT_RETRY_BUDGET_EXHAUSTED,
            "Vortex API retries refused by the retry budget"
        );
        metrics::describe_counter!(TOKENS_ISSUED, "Vortex tokens signed");
    }
}

#[cfg(feature = "metrics")]
static METADATA: metrics::Metadata<'static> =
    metrics::Metadata::new(module_path!(), metrics::Level::INFO, Some(module_path!()));

#[cfg(feature = "metrics")]
fn counter(name: &'static str, key: &'static str, value: &'static str) {
    let labels = vec![metrics::Label::from_static_parts(key, value)];
    let key = metrics::Key::from_parts(name, labels);
    metrics::with_recorder(|recorder| recorder.register_counter(&key, &METADATA).increment(1));
}

/// Counts a token signed (`kind`: `jwt` or `token`).
pub(crate) fn token_issued(kind: &'static str) {
    #[cfg(feature = "metrics")]
    counter(TOKENS_ISSUED, "kind", kind);
    #[cfg(not(feature = "metrics"))]
    let _ = kind;
}

/// Counts a retry of `operation`.
#[cfg(feature = "client")]
pub(crate) fn retry(operation: &'static str) {
    #[cfg(feature = "metrics")]
    counter(CLIENT_RETRIES, "vortex.operation", operation);
    #[cfg(not(feature = "metrics"))]
    let _ = operation;
}

/// Counts a retry of `operation` that the retry budget refused.
#[cfg(feature = "client")]
pub(crate) fn budget_exhausted(operation: &'static str) {
    #[cfg(feature = "metrics")]
    counter(CLIENT_RETRY_BUDGET_EXHAUSTED, "vortex.operation", operation);
    #[cfg(not(feature = "metrics"))]
    let _ = operation;
}

/// Records one upstream attempt of `operation`.
#[cfg(feature = "client")]
pub(crate) fn attempt(
    operation: &'static str,
    method: &reqwest::Method,
    server_address: &std::sync::Arc<str>,
    outcome: Attempt,
    elapsed: std::time::Duration,
) {
    #[cfg(feature = "metrics")]
    {
        use metrics::Label;
        let method = match *method {
            reqwest::Method::GET => "GET",
            reqwest::Method::POST => "POST",
            reqwest::Method::DELETE => "DELETE",
            reqwest::Method::PUT => "PUT",
            reqwest::Method::PATCH => "PATCH",
            _ => "_OTHER",
        };
        let outcome = match outcome {
            Attempt::Status(status) => Label::new("http.response.status_code", status_text(status)),
            Attempt::Error(kind) => Label::from_static_parts("error.type", kind),
        };
        let address = metrics::SharedString::from(std::sync::Arc::clone(server_address));
        let labels = vec![
            Label::from_static_parts("http.request.method", method),
            Label::new("server.address", address),
            Label::from_static_parts("vortex.operation", operation),
            outcome,
        ];
        let key = metrics::Key::from_parts(CLIENT_REQUEST_DURATION, labels);
        metrics::with_recorder(|recorder| {
            recorder
                .register_histogram(&key, &METADATA)
                .record(elapsed.as_secs_f64());
        });
    }
    #[cfg(not(feature = "metrics"))]
    let _ = (operation, method, server_address, outcome, elapsed);
}

/// A status code as label text: static for the usual codes, allocated for the rest.
#[cfg(feature = "metrics")]
#[doc(hidden)] // for vortex-routes
pub fn status_text(status: u16) -> metrics::SharedString {
    let text = match status {
        200 => "200",
        201 => "201",
        204 => "204",
        400 => "400",
        401 => "401",
        403 => "403",
        404 => "404",
        405 => "405",
        409 => "409",
        413 => "413",
        422 => "422",
        429 => "429",
        500 => "500",
        502 => "502",
        503 => "503",
        504 => "504",
        other => return metrics::SharedString::from_owned(other.to_string()),
    };
    metrics::SharedString::const_str(text)
}
