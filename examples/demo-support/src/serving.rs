//! The serving rules all three demos follow; each demo applies them
//! with its framework's own means, in its `serve` module.

use std::time::Duration;

/// A client must send a complete request head within this time.
pub const REQUEST_HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// Idle keep-alive connections are closed after this time.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// The bound of every request of a demo: 25 s. Past it the demo answers 503 JSON
/// (`Retry-After: 5`) and logs the request. Longer than the Vortex routes' own deadline
/// (20 s by default: 5 s for the app's user extractor, 10 s for the Vortex client, 5 s of
/// margin), so those answer first and name what stalled; this bound covers the rest: the
/// demo's own endpoints and the session layer around them.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(25);

/// The body of the 503 of a request past [`REQUEST_TIMEOUT`].
pub const REQUEST_TIMEOUT_MESSAGE: &str = "The request did not finish in time; retry later";

/// On SIGTERM or SIGINT, in-flight requests get this long to finish (longer than the Vortex
/// client's 10 s deadline per call), then the process exits regardless.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// Resolves on the first SIGTERM or SIGINT (Ctrl-C), logging which.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            (Ok(mut term), Ok(mut int)) => {
                let name = tokio::select! {
                    _ = term.recv() => "SIGTERM",
                    _ = int.recv() => "SIGINT",
                };
                tracing::info!("{name} received: draining in-flight requests");
            }
            _ => {
                tracing::error!("cannot listen for SIGTERM/SIGINT; stopping only when killed");
                std::future::pending::<()>().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("Ctrl-C received: draining in-flight requests");
    }
}
