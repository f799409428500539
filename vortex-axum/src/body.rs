//! Reading a request body up to a limit.

use axum::body::{Body, Bytes};
use http_body_util::{BodyExt as _, LengthLimitError, Limited};

/// Why a body could not be read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum BodyError {
    /// Larger than the limit.
    TooLarge,
    /// The client stopped sending or sent a broken body.
    Broken,
}

/// Reads `body` whole, refusing more than `limit` bytes (checked against `Content-Length`
/// first, then while reading).
pub(crate) async fn read_limited(
    body: Body,
    content_length: Option<u64>,
    limit: usize,
) -> Result<Bytes, BodyError> {
    if content_length.is_some_and(|length| length > limit as u64) {
        return Err(BodyError::TooLarge);
    }
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => Err(BodyError::TooLarge),
        Err(_) => Err(BodyError::Broken),
    }
}

/// The `Content-Length` of a request, when it has a valid one.
pub(crate) fn content_length(headers: &axum::http::HeaderMap) -> Option<u64> {
    headers
        .get(axum::http::header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}
