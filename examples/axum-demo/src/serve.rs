//! Serving an axum app for production with hyper-util (`axum::serve` has no timeouts).
//! Copy this module: it is the whole serving set-up of the demo.
//!
//! - a complete request head within 10 s, else the connection is closed (hyper's
//!   `header_read_timeout`); the same timer runs while a keep-alive connection waits for its
//!   next request, so an idle connection is closed after 10 s, well within the 60 s rule;
//! - HTTP/1.1 only (what a TLS-terminating proxy or load balancer sends on), so no HTTP/2
//!   connection can stay open idle without a timer;
//! - a body the app does not read is not read after the answer: hyper reads what has already
//!   arrived, then closes the connection;
//! - on SIGTERM or SIGINT: stop accepting at once, let the open connections finish their
//!   in-flight requests (idle ones are closed) for up to 30 s, then return regardless, even
//!   if a client holds a half-sent request head.

use std::convert::Infallible;
use std::future::Future;
use std::time::Duration;

use axum::extract::Request;
use axum::response::Response;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::Service;
use vortex_demo::serving::{DRAIN_TIMEOUT, REQUEST_HEAD_TIMEOUT};

/// Serves `app` on `listener` until `shutdown` resolves, then drains for up to 30 s.
pub(crate) async fn serve<S>(listener: TcpListener, app: S, shutdown: impl Future<Output = ()>)
where
    S: Service<Request<Incoming>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    let mut builder = Builder::new(TokioExecutor::new()).http1_only();
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(REQUEST_HEAD_TIMEOUT);
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    // Out of file descriptors, most often: wait instead of spinning.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = TowerToHyperService::new(app.clone());
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), service)
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(error, "connection ended with an error");
            }
        });
    }
    drop(listener); // stop accepting: new connections are refused from here on
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("all connections drained"),
        () = tokio::time::sleep(DRAIN_TIMEOUT) => {
            tracing::warn!("connections still open after {DRAIN_TIMEOUT:?}; closing them");
        }
    }
}
