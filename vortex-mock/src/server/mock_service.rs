//! [`MockService`]: the whole mock as one HTTP service, for hyper, tower or any server that
//! speaks the `http` crate's types.

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;

use crate::api::error::ApiError;
use crate::control::CONTROL_BODY_LIMIT;
use crate::server::gate::{gate, is_control};
use crate::server::request_body::read_limited;
use crate::server::response;
use crate::server::router::Lookup;
use crate::server::{ROUTER, dispatch};
use crate::shared::Shared;

/// The mock (`/api/v1/…` and `/__mock/…`) as a [`tower_service::Service`] over
/// [`http::Request`]s, from [`Mock::service`](crate::Mock::service). Cheap to clone; never
/// fails (every error is a JSON answer).
///
/// Serve it with any server, or nest it in an app, e.g. with axum's
/// `Router::fallback_service(mock.service())` or `nest_service`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use http_body_util::{BodyExt, Empty};
/// use tower_service::Service;
///
/// let mock = vortex_mock::Mock::builder().build()?;
/// let request = http::Request::get("/api/v1/invitations/inv-1")
///     .header("x-api-key", mock.api_key())
///     .body(Empty::<bytes::Bytes>::new())?;
/// let answer = mock.service().call(request).await?;
/// assert_eq!(answer.status(), 404);
/// let body = answer.into_body().collect().await?.to_bytes();
/// assert_eq!(body, r#"{"error":"Not found","message":"Invitation inv-1 not found"}"#);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct MockService {
    shared: Arc<Shared>,
}

impl MockService {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        Self { shared }
    }

    /// Answers one request.
    pub(crate) async fn answer<B>(&self, request: Request<B>) -> Response<Full<Bytes>>
    where
        B: http_body::Body,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let (parts, body) = request.into_parts();
        let found = ROUTER.find(&parts.method, parts.uri.path());
        let shared = &*self.shared;
        let next = |bytes: &[u8]| dispatch(shared, &parts, &found, bytes);
        let answer = if is_control(parts.uri.path()) {
            match read_limited(body, CONTROL_BODY_LIMIT).await {
                Ok(bytes) => next(&bytes),
                Err(_) => ApiError::payload_too_large(CONTROL_BODY_LIMIT).into_response(),
            }
        } else {
            gate(shared, &parts, body, next).await
        };
        let allow = match &found {
            Lookup::MethodNotAllowed(allow) => Some(allow.as_str()),
            _ => None,
        };
        response::finish(answer, &parts.method, allow)
    }
}

impl<B> tower_service::Service<Request<B>> for MockService
where
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    /// Always ready: the mock has no back-pressure.
    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    /// Answers the request (every error is a JSON answer, never an `Err`).
    fn call(&mut self, request: Request<B>) -> Self::Future {
        let service = self.clone();
        Box::pin(async move { Ok(service.answer(request).await) })
    }
}

impl fmt::Debug for MockService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockService")
            .field("api_key", &self.shared.api_key)
            .finish_non_exhaustive()
    }
}
