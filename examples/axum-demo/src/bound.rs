//! A bound on every request: past [`REQUEST_TIMEOUT`] the request's future is dropped and the
//! answer is 503 JSON with `Retry-After` (tower-http's `TimeoutLayer` answers an empty body).
//!
//! A plain tower service around the whole app rather than `axum::middleware::from_fn` on the
//! router: `from_fn` boxes and clones the rest of the stack for each request, which this
//! avoids (it is on every request's path).

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use tower::Service;
use vortex_demo::DemoResponse;
use vortex_demo::serving::{REQUEST_TIMEOUT, REQUEST_TIMEOUT_MESSAGE};

/// `inner`, each request bounded by [`REQUEST_TIMEOUT`].
#[derive(Debug, Clone)]
pub(crate) struct Bounded<S> {
    inner: S,
}

impl<S> Bounded<S> {
    pub(crate) fn new(inner: S) -> Self {
        Self { inner }
    }
}

impl<S, B> Service<Request<B>> for Bounded<S>
where
    S: Service<Request<B>, Response = Response, Error = Infallible>,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // Kept for the log line: copies of shared bytes, not a string built per request.
        let (method, uri) = (request.method().clone(), request.uri().clone());
        let answer = self.inner.call(request);
        Box::pin(async move {
            match tokio::time::timeout(REQUEST_TIMEOUT, answer).await {
                Ok(answer) => answer,
                Err(_) => {
                    let path = uri.path();
                    tracing::error!(
                        "{method} {path} did not finish within {REQUEST_TIMEOUT:?}: answered 503"
                    );
                    let mut answer =
                        crate::reply(DemoResponse::error(503, REQUEST_TIMEOUT_MESSAGE));
                    answer
                        .headers_mut()
                        .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
                    Ok(answer)
                }
            }
        })
    }
}
