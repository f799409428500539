//! The nestable router of the Vortex routes.

use axum::Router;
use axum::extract::{FromRequestParts, NestedPath, OriginalUri, Request, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use vortex_client::routes::{RouteRequest, RouteResponse, VortexRoutes, VortexUser};

use crate::body::{BodyError, content_length, read_limited};
use crate::response::VortexResponse;

/// The Vortex routes as an axum [`Router`], to [`nest`](Router::nest) at the path the React
/// provider calls (`/api/vortex` by default).
///
/// `U` is the app's own extractor of the signed-in user (its session, its JWT, …), converted
/// with `Into<VortexUser>`. When it rejects, the caller is anonymous and Vortex routes answer
/// 401. The router answers JSON for every request under the mount point, including 404, 405
/// and 413 (the body limit of the [`VortexRoutes`], 64 KiB by default). One path is outside
/// its reach: axum's `nest` does not pass the mount point with a trailing slash
/// (`/api/vortex/`) to the nested router, so that request gets the outer router's fallback.
///
/// ```
/// use axum::Router;
/// use axum::extract::FromRequestParts;
/// use axum::http::request::Parts;
/// use vortex_client::VortexClient;
/// use vortex_client::routes::{AllowAllAuthenticated, VortexRoutes, VortexUser};
///
/// /// The app's user, from its own authentication.
/// struct AppUser { id: String, email: String }
///
/// impl<S: Send + Sync> FromRequestParts<S> for AppUser {
///     type Rejection = ();
///     async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ()> {
///         // A real app reads its session here.
///         let id = parts.headers.get("x-user-id").and_then(|v| v.to_str().ok()).ok_or(())?;
///         Ok(AppUser { id: id.to_owned(), email: format!("{id}@example.com") })
///     }
/// }
///
/// impl From<AppUser> for VortexUser {
///     fn from(user: AppUser) -> Self {
///         VortexUser::new(user.id).email(user.email)
///     }
/// }
///
/// # fn main() -> Result<(), vortex_client::Error> {
/// let client = VortexClient::new("VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing")?;
/// let routes = VortexRoutes::new(client, AllowAllAuthenticated);
/// let app: Router = Router::new().nest("/api/vortex", vortex_axum::router::<(), AppUser>(routes));
/// # let _ = app;
/// # Ok(()) }
/// ```
pub fn router<S, U>(routes: VortexRoutes) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    U: FromRequestParts<S> + Into<VortexUser> + Send + 'static,
{
    let handler = move |State(state): State<S>, request: Request| {
        let routes = routes.clone();
        async move { handle::<S, U>(&routes, &state, request).await }
    };
    Router::new()
        .route("/", any(handler.clone()))
        .route("/{*path}", any(handler))
}

async fn handle<S, U>(routes: &VortexRoutes, state: &S, request: Request) -> Response
where
    S: Send + Sync,
    U: FromRequestParts<S> + Into<VortexUser>,
{
    let (mut parts, body) = request.into_parts();
    let matched = match routes.match_route(parts.method.as_str(), path_under_mount(&parts)) {
        Ok(matched) => matched,
        Err(answer) => return VortexResponse(answer).into_response(),
    };
    let Ok(user) = U::from_request_parts(&mut parts, state).await else {
        return VortexResponse(RouteResponse::unauthorized()).into_response();
    };
    let user: VortexUser = user.into();
    let limit = routes.limit();
    let body = match read_limited(body, content_length(&parts.headers), limit).await {
        Ok(body) => body,
        Err(BodyError::TooLarge) => {
            return VortexResponse(RouteResponse::payload_too_large(limit)).into_response();
        }
        Err(BodyError::Broken) => {
            return VortexResponse(RouteResponse::unreadable_body()).into_response();
        }
    };
    let request = RouteRequest::new(Some(&user))
        .query(parts.uri.query())
        .body(&body);
    VortexResponse(routes.handle(matched, request).await).into_response()
}

/// The raw path under the mount point. Under `nest`, `parts.uri` has the prefix and the slash
/// after it stripped (so `/api/vortex//jwt` would read as `/jwt`); the original URI minus the
/// nest prefix is exact.
fn path_under_mount(parts: &Parts) -> &str {
    let nested = parts.extensions.get::<NestedPath>();
    let original = parts.extensions.get::<OriginalUri>();
    if let (Some(nested), Some(original)) = (nested, original)
        && let Some(rest) = original.path().strip_prefix(nested.as_str())
    {
        return rest;
    }
    parts.uri.path()
}
