//! The one place where a core answer becomes an actix-web [`HttpResponse`].

use std::fmt;

use actix_web::body::BoxBody;
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, Responder, ResponseError};

vortex_routes::__vortex_response! {
    /// An answer of the Vortex routes (or a rejection of one of this crate's extractors), as an
    /// actix-web response: always JSON, with the status and headers the core chose.
    ///
    /// It is both a [`Responder`] (return it from a handler) and a [`ResponseError`] (the error
    /// of [`CurrentUser`](crate::CurrentUser) and [`VerifiedWebhook`](crate::VerifiedWebhook), so
    /// `?` turns it into an [`actix_web::Error`] that renders the same JSON).
    ///
    /// ```
    /// use actix_web::{HttpResponse, body::MessageBody as _};
    /// use vortex_actix::{RouteError, VortexResponse};
    ///
    /// let response = HttpResponse::from(VortexResponse::from(RouteError::forbidden(None)));
    /// assert_eq!(response.status(), 403);
    /// assert_eq!(response.headers().get("content-type").unwrap(), "application/json");
    /// let body = response.into_body().try_into_bytes().unwrap();
    /// assert_eq!(body, r#"{"error":"Forbidden"}"#);
    /// ```
}

impl VortexResponse {
    /// The answer as an [`HttpResponse`]: status, headers from
    /// [`RouteResponse::headers`](vortex_routes::adapter::RouteResponse::headers)
    /// (`content-type: application/json`, and `cache-control`, `retry-after` or `allow` when
    /// they apply), JSON body.
    pub fn to_http_response(&self) -> HttpResponse {
        self.head().body(self.0.body().to_owned())
    }

    /// The status and headers, ready for the body.
    fn head(&self) -> actix_web::HttpResponseBuilder {
        let mut response = HttpResponse::build(self.status_code());
        for (name, value) in self.0.headers() {
            if let Some(value) = vortex_routes::__header_value!(HeaderValue, value) {
                response.insert_header((HeaderName::from_static(name), value));
            }
        }
        response
    }
}

impl From<VortexResponse> for HttpResponse {
    /// [`VortexResponse::to_http_response`], moving the body instead of copying it.
    fn from(answer: VortexResponse) -> Self {
        answer.head().body(answer.0.into_body())
    }
}

impl Responder for VortexResponse {
    type Body = BoxBody;

    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        self.into()
    }
}

/// The JSON body, e.g. `{"error":"Unauthorized"}` (shown by actix-web's logger for errors).
impl fmt::Display for VortexResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.body())
    }
}

impl ResponseError for VortexResponse {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        self.to_http_response()
    }
}
