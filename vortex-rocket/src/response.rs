//! From the core's plain answers to Rocket responses.

use std::io::Cursor;

use rocket::Request;
use rocket::http::{Header, Status};
use rocket::response::{self, Responder, Response};
use vortex_routes::adapter::{RouteResponse, is_valid_header_value};

vortex_routes::__vortex_response! {
    /// An answer of the Vortex routes (or a rejection of one of this crate's guards), as a Rocket
    /// [`Responder`]: always JSON, with the status and headers the core chose.
    ///
    /// It is also the error type of the [`CurrentUser`](crate::CurrentUser) and
    /// [`VerifiedWebhook`](crate::VerifiedWebhook) guards, so a handler can take
    /// `Result<CurrentUser<U>, VortexResponse>` and return the rejection with `?`:
    ///
    /// ```
    /// use rocket::get;
    /// use vortex_rocket::{RouteError, VortexResponse};
    ///
    /// #[get("/teapot")]
    /// fn teapot() -> VortexResponse {
    ///     VortexResponse::from(RouteError::bad_request("I'm a teapot"))
    /// }
    ///
    /// # rocket::async_test(async {
    /// let client = rocket::local::asynchronous::Client::tracked(
    ///     rocket::build().mount("/", rocket::routes![teapot]),
    /// ).await.unwrap();
    /// let answer = client.get("/teapot").dispatch().await;
    /// assert_eq!(answer.status().code, 400);
    /// assert_eq!(answer.content_type(), Some(rocket::http::ContentType::JSON));
    /// assert_eq!(answer.into_string().await.unwrap(), r#"{"error":"I'm a teapot"}"#);
    /// # });
    /// ```
}

impl<'r> Responder<'r, 'static> for VortexResponse {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        Ok(to_response(self.0))
    }
}

/// The largest chunk in which an answer's body is handed to the connection.
const MAX_CHUNK: usize = 1 << 20;

/// The one conversion from a core answer to a Rocket response: status, the core's headers,
/// JSON body. As in the other adapters, a status outside 100-599 becomes 500 and a header
/// value that is not a valid field value is left out (Rocket checks neither).
pub(crate) fn to_response(answer: RouteResponse) -> Response<'static> {
    let mut response = Response::new();
    let status = match answer.status() {
        code @ 100..=599 => Status::new(code),
        _ => Status::InternalServerError,
    };
    response.set_status(status);
    for (name, value) in answer.headers() {
        if is_valid_header_value(&value) {
            response.set_header(Header::new(name, value));
        }
    }
    let body = answer.into_body();
    let chunk = body
        .len()
        .clamp(rocket::response::Body::DEFAULT_MAX_CHUNK, MAX_CHUNK);
    response.set_sized_body(body.len(), Cursor::new(body));
    // Rocket copies a body to the connection in chunks (4 KiB by default), each through a
    // channel to hyper: a large answer (a long invitation list) goes in a few large chunks.
    response.set_max_chunk_size(chunk);
    response
}
