//! The gate every API request passes: record it, apply a pending fault, check the API key.
//! Control requests (`/__mock/…`) pass untouched.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::api_error::ApiError;
use crate::requests::RecordedRequest;
use crate::state::Shared;

/// The largest request body the mock reads.
pub(crate) const BODY_LIMIT: usize = 1024 * 1024;

/// The prefix of the test-control routes.
pub(crate) const CONTROL_PREFIX: &str = "/__mock";

fn is_control(path: &str) -> bool {
    path.strip_prefix(CONTROL_PREFIX)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

pub(crate) async fn gate(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    if is_control(request.uri().path()) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let key_valid = shared.key_matches(&parts.headers);
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        shared.record(RecordedRequest::capture(&parts, &[], key_valid));
        return ApiError::payload_too_large(BODY_LIMIT).into_response();
    };
    shared.record(RecordedRequest::capture(&parts, &bytes, key_valid));
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
        next.run(Request::from_parts(parts, Body::from(bytes)))
            .await
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
