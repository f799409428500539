//! Serving a [`MockService`] over HTTP/1.1 on a TCP listener, with a graceful stop.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, TcpStream};

use crate::server::mock_service::MockService;

/// How long to wait before accepting again after the listener failed (e.g. out of file
/// descriptors), so that a persistent error does not spin.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_secs(1);

/// Serves `service` on `listener` until `stop` completes; then accepts no more connections,
/// lets every open one finish its request in flight, and returns.
pub(crate) async fn serve(
    listener: TcpListener,
    service: MockService,
    stop: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let mut stop = std::pin::pin!(stop);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => serve_connection(stream, service.clone(), &graceful),
                Err(err) => pause_after(&err).await,
            },
            () = &mut stop => break,
        }
    }
    drop(listener);
    graceful.shutdown().await;
}

/// Serves one connection on its own task, watched by `graceful`.
fn serve_connection(stream: TcpStream, service: MockService, graceful: &GracefulShutdown) {
    let handler = service_fn(move |request: http::Request<Incoming>| {
        let service = service.clone();
        async move { Ok::<_, Infallible>(service.answer(request).await) }
    });
    let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), handler);
    let connection = graceful.watch(connection);
    tokio::spawn(async move {
        if let Err(err) = connection.await {
            tracing::trace!(%err, "connection ended with an error");
        }
    });
}

/// A failed `accept`: a connection the peer dropped is no matter; anything else is logged,
/// then accepting pauses briefly.
async fn pause_after(err: &io::Error) {
    if matches!(
        err.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!(%err, "vortex-mock could not accept a connection");
    tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
}
