//! Error answers of the mock's HTTP API: always JSON `{"error","message"}`.

use http::StatusCode;
use serde_json::json;

use crate::server::response::{self, Response};

/// An error answer, shaped like the upstream's: `{"error":"…","message":"…"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    status: StatusCode,
    error: &'static str,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, error: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            error,
            message: message.into(),
        }
    }

    /// 400: malformed JSON, a missing or invalid field.
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "Bad request", message)
    }

    /// 401: the `x-api-key` header is absent or wrong.
    pub(crate) fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "Invalid or missing x-api-key",
        )
    }

    /// 404 for an unknown invitation.
    pub(crate) fn invitation_not_found(id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "Not found",
            format!("Invitation {id} not found"),
        )
    }

    /// 404 for a path the mock does not serve.
    pub(crate) fn no_route(method: &str, path: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "Not found",
            format!("No route for {method} {path}"),
        )
    }

    /// 405 for a known path and a method it does not serve.
    pub(crate) fn method_not_allowed(method: &str, path: &str) -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "Method not allowed",
            format!("{method} is not allowed on {path}"),
        )
    }

    /// 413: the request body is over the limit.
    pub(crate) fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Payload too large",
            format!("The request body is larger than {limit} bytes"),
        )
    }

    /// The message, for tests and library callers.
    pub(crate) fn message(&self) -> &str {
        &self.message
    }
}

impl ApiError {
    /// The answer: the status and the JSON body.
    pub(crate) fn into_response(self) -> Response {
        let body = json!({ "error": self.error, "message": self.message });
        response::json(self.status, &body)
    }
}
