//! The HTTP surface: the Vortex API under `/api/v1`, the test controls under `/__mock`, and
//! JSON answers for unknown paths (404) and methods (405).

mod autojoin;
mod controls;

pub(crate) use controls::CONTROL_BODY_LIMIT;
mod invitations;
mod scopes;

use std::collections::HashMap;
use std::sync::LazyLock;

use http::StatusCode;
use http::request::Parts;
use serde_json::Value;

use crate::api_error::ApiError;
use crate::response::{self, Response};
use crate::router::{InvalidParam, Lookup, Route, Router};
use crate::state::Shared;

/// What a handler answers: a 200 JSON body, or an error.
type Answer = Result<Value, ApiError>;

/// A route's handler.
pub(crate) type Handler = fn(&Call<'_>) -> Answer;

/// Every route of the mock.
pub(crate) static ROUTER: LazyLock<Router<Handler>> = LazyLock::new(|| {
    let mut routes = api_routes();
    routes.extend(controls::routes());
    Router::new(routes)
});

/// A route of the mock's handlers.
fn route(pattern: &'static str) -> Route<Handler> {
    Route::new(pattern)
}

fn api_routes() -> Vec<Route<Handler>> {
    vec![
        route("/api/v1/invitations")
            .get(invitations::list_by_target)
            .post(invitations::create),
        route("/api/v1/invitations/accept").post(invitations::accept),
        route("/api/v1/invitations/autojoin").post(autojoin::configure),
        route("/api/v1/invitations/sync-internal-invitation").post(invitations::sync_internal),
        route("/api/v1/invitations/by-scope/{scope_type}/{scope}")
            .get(scopes::list)
            .delete(scopes::delete),
        route("/api/v1/invitations/by-group/{scope_type}/{scope}")
            .get(scopes::list)
            .delete(scopes::delete),
        route("/api/v1/invitations/by-scope/{scope_type}/{scope}/autojoin").get(autojoin::get),
        route("/api/v1/invitations/{id}")
            .get(invitations::get)
            .delete(invitations::revoke),
        route("/api/v1/invitations/{id}/reinvite").post(invitations::reinvite),
    ]
}

/// One request, as a handler sees it.
#[derive(Debug)]
pub(crate) struct Call<'a> {
    shared: &'a Shared,
    params: Vec<(&'a str, String)>,
    query: Option<&'a str>,
    body: &'a [u8],
}

impl Call<'_> {
    /// A path parameter of the route, percent-decoded (empty if the route has none of
    /// that name, which is a bug of the route table).
    fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, value)| value.as_str())
    }

    /// The query's parameters, decoded; the last of repeated names wins.
    fn query(&self) -> HashMap<String, String> {
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
        Ok(value) => response::json(StatusCode::OK, &value),
        Err(err) => err.into_response(),
    }
}

/// A path segment that did not decode (percent-encoded bytes that are not UTF-8).
fn bad_path(InvalidParam(name): InvalidParam<'_>) -> ApiError {
    ApiError::bad_request(format!(
        "Invalid path: Invalid URL: Invalid UTF-8 in `{name}`"
    ))
}
