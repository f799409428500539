//! The plumbing: the routes of the API and the controls in one router, the handlers' view of
//! a request ([`Call`]), and JSON answers for unknown paths (404) and methods (405); below,
//! reading bodies, writing answers, the API's gate, and serving.

pub(crate) mod gate;
pub(crate) mod listener;
pub(crate) mod mock_server;
pub(crate) mod mock_service;
pub(crate) mod request_body;
pub(crate) mod response;
pub(crate) mod router;

use std::collections::HashMap;
use std::sync::LazyLock;

use http::StatusCode;
use http::request::Parts;
use serde_json::Value;

use crate::api::error::ApiError;
use crate::shared::Shared;
use crate::{api, control};
use response::Response;
use router::{InvalidParam, Lookup, Route, Router};

/// What a handler answers: a 200 JSON body, or an error.
pub(crate) type Answer = Result<Json, ApiError>;

/// The JSON body of a 200 answer: a value to write, or JSON text already written.
#[derive(Debug)]
pub(crate) enum Json {
    /// Written when answering.
    Value(Value),
    /// Sent as is.
    Text(Vec<u8>),
}

impl From<Value> for Json {
    fn from(value: Value) -> Self {
        Self::Value(value)
    }
}

/// A route's handler.
pub(crate) type Handler = fn(&Call<'_>) -> Answer;

/// Every route of the mock.
pub(crate) static ROUTER: LazyLock<Router<Handler>> = LazyLock::new(|| {
    let mut routes = api::routes();
    routes.extend(control::routes());
    Router::new(routes)
});

/// A route of the mock's handlers.
pub(crate) fn route(pattern: &'static str) -> Route<Handler> {
    Route::new(pattern)
}

/// One request, as a handler sees it.
#[derive(Debug)]
pub(crate) struct Call<'a> {
    pub(crate) shared: &'a Shared,
    params: Vec<(&'a str, String)>,
    query: Option<&'a str>,
    pub(crate) body: &'a [u8],
}

impl Call<'_> {
    /// A path parameter of the route, percent-decoded (empty if the route has none of
    /// that name, which is a bug of the route table).
    pub(crate) fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, value)| value.as_str())
    }

    /// The query's parameters, decoded; the last of repeated names wins.
    pub(crate) fn query(&self) -> HashMap<String, String> {
        form_urlencoded::parse(self.query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect()
    }
}

/// Answers a request the router looked up (`found`), with its body already read.
pub(crate) fn dispatch(
    shared: &Shared,
    parts: &Parts,
    found: &Lookup<'_, Handler>,
    body: &[u8],
) -> Response {
    let (method, path) = (parts.method.as_str(), parts.uri.path());
    let answer = match found {
        Lookup::Handler(handler, params) => params.decode().map_err(bad_path).and_then(|params| {
            handler(&Call {
                shared,
                params,
                query: parts.uri.query(),
                body,
            })
        }),
        Lookup::MethodNotAllowed(_) => Err(ApiError::method_not_allowed(method, path)),
        Lookup::NotFound => Err(ApiError::no_route(method, path)),
    };
    match answer {
        Ok(Json::Value(value)) => response::json(StatusCode::OK, &value),
        Ok(Json::Text(text)) => response::json_text(StatusCode::OK, text),
        Err(err) => err.into_response(),
    }
}

/// A path segment that did not decode (percent-encoded bytes that are not UTF-8).
fn bad_path(InvalidParam(name): InvalidParam<'_>) -> ApiError {
    ApiError::bad_request(format!(
        "Invalid path: Invalid URL: Invalid UTF-8 in `{name}`"
    ))
}
