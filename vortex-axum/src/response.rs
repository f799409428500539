//! From the core's plain answers to axum responses.

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use vortex_client::routes::RouteResponse;

/// An answer of the Vortex router (or of one of this crate's extractors), as an axum
/// response: always JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VortexResponse(pub RouteResponse);

impl From<RouteResponse> for VortexResponse {
    fn from(answer: RouteResponse) -> Self {
        Self(answer)
    }
}

impl IntoResponse for VortexResponse {
    fn into_response(self) -> Response {
        let answer = self.0;
        let status =
            StatusCode::from_u16(answer.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let headers: Vec<(&'static str, String)> = answer.headers().collect();
        let mut response = Response::new(Body::from(answer.into_body()));
        *response.status_mut() = status;
        for (name, value) in headers {
            if let Ok(value) = HeaderValue::try_from(value) {
                response
                    .headers_mut()
                    .insert(HeaderName::from_static(name), value);
            }
        }
        response
    }
}
