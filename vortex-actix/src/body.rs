//! Reading a request body up to a limit, from the raw payload (not through `web::Bytes`,
//! whose errors are actix-web's plain-text pages).

use actix_web::HttpRequest;
use actix_web::body::{BodyStream, to_bytes_limited};
use actix_web::dev::Payload;
use actix_web::http::header::CONTENT_LENGTH;
use actix_web::web::Bytes;

/// Why a body could not be read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum BodyError {
    /// Larger than the limit.
    TooLarge,
    /// The client stopped sending or sent a broken body.
    Broken,
}

/// Reads `payload` whole, refusing more than `limit` bytes (checked against the request's
/// `Content-Length` first, then while reading).
pub(crate) async fn read_limited(
    request: &HttpRequest,
    payload: Payload,
    limit: usize,
) -> Result<Bytes, BodyError> {
    if content_length(request).is_some_and(|length| length > limit as u64) {
        return Err(BodyError::TooLarge);
    }
    match to_bytes_limited(BodyStream::new(payload), limit).await {
        Ok(Ok(body)) => Ok(body),
        Ok(Err(_)) => Err(BodyError::Broken),
        Err(_limit_exceeded) => Err(BodyError::TooLarge),
    }
}

/// The `Content-Length` of a request, when it has a valid one.
fn content_length(request: &HttpRequest) -> Option<u64> {
    request
        .headers()
        .get(CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}
