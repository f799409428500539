//! A minimal HTTP/1.1 receiver on hyper for the webhook tests: every request goes to one
//! async function of its headers and body.

use std::convert::Infallible;
use std::future::Future;

use bytes::Bytes;
use http::{HeaderMap, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// Serves `handle` on `listener` on a background task (it ends with the test's runtime).
pub(crate) fn spawn<F, Fut>(listener: TcpListener, handle: F)
where
    F: Fn(HeaderMap, Bytes) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = (StatusCode, &'static str)> + Send + 'static,
{
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let handle = handle.clone();
            let service = service_fn(move |request: Request<Incoming>| {
                let handle = handle.clone();
                async move {
                    let (parts, body) = request.into_parts();
                    let body = body
                        .collect()
                        .await
                        .map(|b| b.to_bytes())
                        .unwrap_or_default();
                    let (status, text) = handle(parts.headers, body).await;
                    let mut answer = Response::new(Full::new(Bytes::from_static(text.as_bytes())));
                    *answer.status_mut() = status;
                    Ok::<_, Infallible>(answer)
                }
            });
            tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(stream), service));
        }
    });
}
