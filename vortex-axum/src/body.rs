//! Reading a request body up to a limit.

use axum::body::{Body, Bytes};
use axum::http::HeaderMap;
use axum::http::header::CONTENT_LENGTH;
use http_body_util::{BodyExt as _, LengthLimitError, Limited};
use vortex_routes::adapter::BodyError;

/// Reads `body` whole, refusing more than `limit` bytes (checked against the
/// `Content-Length` in `headers` first, then while reading).
pub(crate) async fn read_limited(
    headers: &HeaderMap,
    body: Option<Body>,
    limit: usize,
) -> Result<Bytes, BodyError> {
    let declared = headers.get(CONTENT_LENGTH).map(|value| value.as_bytes());
    BodyError::check_header(declared, limit)?;
    let body = body.unwrap_or_default();
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
            Err(BodyError::TooLarge { limit })
        }
        Err(_) => Err(BodyError::Unreadable),
    }
}
