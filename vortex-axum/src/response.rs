//! From the core's plain answers to axum responses.

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

vortex_routes::__vortex_response! {
    /// An answer of the Vortex router (or a rejection of one of this crate's extractors), as an
    /// axum response: always JSON, with the status and headers the core chose.
    ///
    /// ```
    /// use axum::response::IntoResponse as _;
    /// use vortex_axum::{RouteError, VortexResponse};
    ///
    /// let response = VortexResponse::from(RouteError::unauthorized()).into_response();
    /// assert_eq!(response.status(), 401);
    /// assert_eq!(response.headers()["content-type"], "application/json");
    /// ```
}

impl IntoResponse for VortexResponse {
    fn into_response(self) -> Response {
        let answer = self.0;
        let mut response = Response::new(Body::empty());
        *response.status_mut() =
            StatusCode::from_u16(answer.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        for (name, value) in answer.headers() {
            if let Some(value) = vortex_routes::__header_value!(HeaderValue, value) {
                let name = HeaderName::from_static(name);
                response.headers_mut().insert(name, value);
            }
        }
        *response.body_mut() = Body::from(answer.into_body());
        response
    }
}
