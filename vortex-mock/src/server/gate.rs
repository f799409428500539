//! The gate every API request passes: record it, apply a pending fault, check the API key.
//! Control requests (`/__mock/…`) do not pass it.

use http::request::Parts;

use crate::api::error::ApiError;
use crate::control::request_log::RecordedRequest;
use crate::server::request_body::read_limited;
use crate::server::response::Response;
use crate::shared::Shared;

/// The largest request body the mock reads.
pub(crate) const BODY_LIMIT: usize = 1024 * 1024;

/// The prefix of the test-control routes.
pub(crate) const CONTROL_PREFIX: &str = "/__mock";

/// Whether `path` is a test control (`/__mock` or under `/__mock/`).
pub(crate) fn is_control(path: &str) -> bool {
    path.strip_prefix(CONTROL_PREFIX)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Reads and records an API request, applies the first matching fault, and answers 401
/// without a valid key; otherwise `next` answers from the body.
pub(crate) async fn gate<B>(
    shared: &Shared,
    parts: &Parts,
    body: B,
    next: impl FnOnce(&[u8]) -> Response,
) -> Response
where
    B: http_body::Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let key_valid = shared.key_matches(&parts.headers);
    let Ok(bytes) = read_limited(body, BODY_LIMIT).await else {
        shared.record(RecordedRequest::capture(parts, &[], key_valid));
        return ApiError::payload_too_large(BODY_LIMIT).into_response();
    };
    shared.record(RecordedRequest::capture(parts, &bytes, key_valid));
    tracing::debug!(method = %parts.method, path = parts.uri.path(), key_valid, "request");

    let fault = shared.take_fault(&parts.method, parts.uri.path());
    let mut extra_headers = None;
    if let Some(fault) = fault {
        tracing::debug!(method = %parts.method, path = parts.uri.path(), "injecting fault");
        if let Some(delay) = fault.delay {
            tokio::time::sleep(delay).await;
        }
        if let Some(mut response) = fault.response {
            response.headers_mut().extend(fault.headers);
            return response;
        }
        extra_headers = Some(fault.headers);
    }

    let mut response = if key_valid {
        next(&bytes)
    } else {
        ApiError::unauthorized().into_response()
    };
    if let Some(headers) = extra_headers {
        response.headers_mut().extend(headers);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_paths() {
        assert!(is_control("/__mock"));
        assert!(is_control("/__mock/faults"));
        assert!(!is_control("/__mockery"));
        assert!(!is_control("/api/v1/invitations"));
    }
}
