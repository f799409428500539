//! The nestable router of the Vortex routes.

use std::marker::PhantomData;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::response::IntoResponse;
use vortex_routes::adapter::{BodyError, RouteRequest, UserLookup};
use vortex_routes::{VortexRoutes, VortexUser};

use crate::body::read_limited;
use crate::path;
use crate::response::VortexResponse;
use crate::user::look_up;

/// The Vortex routes as an axum [`Router`], to [`nest`](Router::nest) at the path the React
/// provider calls (`/api/vortex` by default); see the [crate example](crate#example).
///
/// `U` is the app's extractor of the signed-in user, converted with `Into<VortexUser>`: a 4xx
/// rejection means anonymous (401), a 5xx one a [configuration
/// mistake](crate#configuration-mistakes). Every answer under the mount point is JSON,
/// 404, 405 and 413 included, except one: axum's `nest` does not pass the mount point with a
/// trailing slash (`/api/vortex/`) to the nested router.
pub fn router<S, U>(routes: VortexRoutes) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    U: FromRequestParts<S> + Into<VortexUser> + Send + 'static,
{
    // The future owns the request once (an `async` closure body that rebinds it would store
    // it twice). A fallback, not a `/{*path}` route: the core matches the path itself.
    let handler = move |State(state): State<S>, request: Request| {
        let (parts, body) = request.into_parts();
        let request = AxumRequest::<S, U> {
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
        path::under_mount(&self.parts)
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
