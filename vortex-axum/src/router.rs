//! The nestable router of the Vortex routes.

use std::marker::PhantomData;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, NestedPath, OriginalUri, Request, State};
use axum::http::request::Parts;
use axum::response::IntoResponse;
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
    // further copy is made. The future is an `async move` block that owns the request (an
    // `async` closure body that rebinds it would store it twice), and a fallback rather than
    // a `/{*path}` route: the core matches the path itself.
    let handler = move |State(state): State<S>, request: Request| {
        let (parts, body) = request.into_parts();
        let request = AxumRequest::<S, U> {
            mount: mount_path_len(&parts),
            parts,
            body: Some(body),
            state,
            app_user: PhantomData,
        };
        async move { VortexResponse(routes.serve(request).await).into_response() }
    };
    Router::new().fallback(handler)
}

/// The user and body of a request to the Vortex routes, for the core.
struct AxumRequest<S, U> {
    parts: Parts,
    body: Option<Body>,
    /// Where the path under the mount point starts in the original URI, when nested.
    mount: Option<usize>,
    state: S,
    app_user: PhantomData<fn() -> U>,
}

impl<S, U> RouteRequest for AxumRequest<S, U>
where
    S: Send + Sync,
    U: FromRequestParts<S> + Into<VortexUser>,
{
    type Body = Bytes;

    fn method(&self) -> &str {
        self.parts.method.as_str()
    }

    fn path(&self) -> &str {
        match (self.mount, self.parts.extensions.get::<OriginalUri>()) {
            (Some(start), Some(OriginalUri(uri))) => &uri.path()[start..],
            _ => self.parts.uri.path(),
        }
    }

    fn query(&self) -> Option<&str> {
        self.parts.uri.query()
    }

    async fn user(&mut self) -> UserLookup {
        look_up::<S, U>(&mut self.parts, &self.state).await
    }

    async fn body(&mut self, limit: usize) -> Result<Bytes, BodyError> {
        read_limited(&self.parts.headers, self.body.take(), limit).await
    }
}

/// The length of the mount point at the start of the original URI's path. Under `nest`,
/// `parts.uri` has the prefix and the slash after it stripped (so `/api/vortex//jwt` would
/// read as `/jwt`); the original path minus the nest prefix is exact.
fn mount_path_len(parts: &Parts) -> Option<usize> {
    let OriginalUri(uri) = parts.extensions.get::<OriginalUri>()?;
    let nested = parts.extensions.get::<NestedPath>()?.as_str();
    uri.path().starts_with(nested).then_some(nested.len())
}
