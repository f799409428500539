//! The nestable router of the Vortex routes.

use std::marker::PhantomData;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, NestedPath, OriginalUri, Request, State};
use axum::http::Uri;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use vortex_client::routes::adapter::{BodyError, RouteRequest, UserLookup};
use vortex_client::routes::{VortexRoutes, VortexUser};

use crate::body::read_limited;
use crate::response::VortexResponse;
use crate::user::look_up;

/// The Vortex routes as an axum [`Router`], to [`nest`](Router::nest) at the path the React
/// provider calls (`/api/vortex` by default); see the [crate example](crate#example).
///
/// `U` is the app's own extractor of the signed-in user (its session, its JWT, …), converted
/// with `Into<VortexUser>`: a 4xx rejection means anonymous (401), a 5xx one a configuration
/// mistake (500, logged; see [the crate docs](crate#configuration-mistakes)). The router
/// answers JSON for every request under the mount point, including 404, 405 and 413 (the
/// body limit of the [`VortexRoutes`], 64 KiB by default). One path is outside its reach:
/// axum's `nest` does not pass the mount point with a trailing slash (`/api/vortex/`) to the
/// nested router, so that request gets the outer router's fallback.
pub fn router<S, U>(routes: VortexRoutes) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    U: FromRequestParts<S> + Into<VortexUser> + Send + 'static,
{
    // axum clones the handler for each request: the future takes that clone's routes, so no
    // further copy is made.
    let handler = move |State(state): State<S>, request: Request| async move {
        serve::<S, U>(&routes, &state, request).await
    };
    Router::new()
        .route("/", any(handler.clone()))
        .route("/{*path}", any(handler))
}

async fn serve<S, U>(routes: &VortexRoutes, state: &S, request: Request) -> Response
where
    S: Send + Sync,
    U: FromRequestParts<S> + Into<VortexUser>,
{
    let (parts, body) = request.into_parts();
    let method = parts.method.clone();
    let (uri, prefix) = uri_under_mount(&parts);
    let request = AxumRequest::<S, U> {
        parts,
        body: Some(body),
        state,
        app_user: PhantomData,
    };
    let path = &uri.path()[prefix..];
    let answer = routes
        .serve(method.as_str(), path, uri.query(), request)
        .await;
    VortexResponse(answer).into_response()
}

/// The user and body of a request to the Vortex routes, for the core.
struct AxumRequest<'a, S, U> {
    parts: Parts,
    body: Option<Body>,
    state: &'a S,
    app_user: PhantomData<fn() -> U>,
}

impl<S, U> RouteRequest for AxumRequest<'_, S, U>
where
    S: Send + Sync,
    U: FromRequestParts<S> + Into<VortexUser>,
{
    type Body = Bytes;

    async fn user(&mut self) -> UserLookup {
        look_up::<S, U>(&mut self.parts, self.state).await
    }

    async fn body(&mut self, limit: usize) -> Result<Bytes, BodyError> {
        read_limited(&self.parts.headers, self.body.take(), limit).await
    }
}

/// The request's URI and the length of the mount point at its start. Under `nest`,
/// `parts.uri` has the prefix and the slash after it stripped (so `/api/vortex//jwt` would
/// read as `/jwt`); the original URI minus the nest prefix is exact.
fn uri_under_mount(parts: &Parts) -> (Uri, usize) {
    let original = parts.extensions.get::<OriginalUri>();
    let nested = parts.extensions.get::<NestedPath>();
    match (original, nested) {
        (Some(OriginalUri(uri)), Some(nested)) if uri.path().starts_with(nested.as_str()) => {
            (uri.clone(), nested.as_str().len())
        }
        _ => (parts.uri.clone(), 0),
    }
}
