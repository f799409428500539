//! The serving rules all three demos follow; each demo applies them
//! with its framework's own means, in its `serve` module.

use std::time::Duration;

/// A client must send a complete request head within this time.
pub const REQUEST_HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// Idle keep-alive connections are closed after this time.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

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
