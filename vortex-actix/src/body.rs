//! Reading a request body up to a limit, from the raw payload (not through `web::Bytes`,
//! whose errors are actix-web's plain-text pages).

use actix_web::HttpRequest;
use actix_web::body::{BodyStream, to_bytes_limited};
use actix_web::dev::Payload;
use actix_web::http::header::CONTENT_LENGTH;
use actix_web::web::Bytes;
use vortex_routes::adapter::BodyError;

/// Reads `payload` whole, refusing more than `limit` bytes (checked against the request's
/// `Content-Length` first, then while reading).
pub(crate) async fn read_limited(
    request: &HttpRequest,
    payload: Payload,
    limit: usize,
) -> Result<Bytes, BodyError> {
    let declared = request.headers().get(CONTENT_LENGTH);
    BodyError::check_header(declared.map(|value| value.as_bytes()), limit)?;
    match to_bytes_limited(BodyStream::new(payload), limit).await {
        Ok(Ok(body)) => Ok(body),
        Ok(Err(_)) => Err(BodyError::Unreadable),
        Err(_limit_exceeded) => Err(BodyError::TooLarge { limit }),
    }
}
