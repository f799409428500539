//! Building the mock's answers: JSON bodies, empty bodies, and the final touches every
//! answer gets (an `Allow` header on a wrong method, no body for `HEAD`).

use bytes::Bytes;
use http::header::{ALLOW, CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderValue, Method, StatusCode};
use http_body::Body as _;
use http_body_util::Full;
use serde_json::Value;

/// The body of every answer: the mock always knows it in full.
pub(crate) type Body = Full<Bytes>;

/// An answer of the mock.
pub(crate) type Response = http::Response<Body>;

/// `status` with `body` as `Content-Type: application/json`.
pub(crate) fn json(status: StatusCode, body: &Value) -> Response {
    json_text(
        status,
        serde_json::to_vec(body).unwrap_or_else(|_| b"null".to_vec()),
    )
}

/// `status` with `body`, JSON text already written, as `Content-Type: application/json`.
pub(crate) fn json_text(status: StatusCode, body: Vec<u8>) -> Response {
    with_content_type(status, body, "application/json")
}

/// `status` with `body` sent as is, labelled `content_type`.
pub(crate) fn with_content_type(
    status: StatusCode,
    body: impl Into<Bytes>,
    content_type: &'static str,
) -> Response {
    let mut response = empty(status);
    *response.body_mut() = Full::new(body.into());
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// `status` with no body and no `Content-Type`.
pub(crate) fn empty(status: StatusCode) -> Response {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    response
}

/// Adds `Allow` (unless the answer already has one) when the path is served but not with the
/// request's method, sets `Content-Length`, and drops the body of an answer to `HEAD`.
pub(crate) fn finish(mut response: Response, method: &Method, allow: Option<&str>) -> Response {
    let headers = response.headers_mut();
    if let Some(allow) = allow.and_then(|a| HeaderValue::from_str(a).ok()) {
        headers.entry(ALLOW).or_insert(allow);
    }
    let length = response.body().size_hint().exact();
    if let (false, Some(length)) = (response.headers().contains_key(CONTENT_LENGTH), length) {
        response
            .headers_mut()
            .insert(CONTENT_LENGTH, HeaderValue::from(length));
    }
    if method == Method::HEAD {
        *response.body_mut() = Full::new(Bytes::new());
    }
    response
}
