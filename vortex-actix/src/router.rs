//! The Vortex routes as an actix-web service configuration.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use vortex_client::routes::{RouteRequest, RouteResponse, VortexRoutes, VortexUser};

use crate::body::{BodyError, read_limited};
use crate::path::{TAIL, raw_path_under_mount};
use crate::response::VortexResponse;

/// The Vortex routes, to [`configure`](actix_web::Scope::configure) a scope at the path the
/// React provider calls (`/api/vortex` by default), or any other mount point.
///
/// It registers one catch-all resource (the mount point itself and everything under it, every
/// method) whose handler matches the raw, still percent-encoded path with
/// [`VortexRoutes::match_route`] (JSON 404/405), then extracts `U`, then reads the body up to
/// [`VortexRoutes::limit`] (64 KiB by default; JSON 413), then calls
/// [`VortexRoutes::handle`]. Every answer under the mount point is JSON. The scope's and the
/// app's default services are left alone; services registered in the same scope after it are
/// shadowed, so give the Vortex routes a scope of their own.
///
/// `U` is the app's own authentication, an actix-web [`FromRequest`] type (its session, its
/// JWT, …) converted with `Into<VortexUser>`. It is extracted from the request head (it gets
/// an empty payload); when it fails, the caller is anonymous and Vortex routes answer 401.
///
/// The closure is `Clone`, so one [`VortexRoutes`] built outside `HttpServer::new` serves
/// every worker.
///
/// ```
/// use std::future::{Ready, ready};
///
/// use actix_web::{App, FromRequest, HttpRequest, dev::Payload, error::ErrorUnauthorized, web};
/// use vortex_client::VortexClient;
/// use vortex_client::routes::{AllowAllAuthenticated, VortexRoutes, VortexUser};
///
/// /// The app's user, from its own authentication.
/// struct AppUser { id: String, email: String }
///
/// impl FromRequest for AppUser {
///     type Error = actix_web::Error;
///     type Future = Ready<Result<Self, Self::Error>>;
///
///     fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
///         // A real app reads its session here.
///         let id = req.headers().get("x-user-id").and_then(|v| v.to_str().ok());
///         ready(match id {
///             Some(id) => Ok(AppUser { id: id.to_owned(), email: format!("{id}@example.com") }),
///             None => Err(ErrorUnauthorized("not signed in")),
///         })
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
/// let app = App::new().service(
///     web::scope("/api/vortex").configure(vortex_actix::configure::<AppUser>(routes)),
/// );
/// # let _ = app;
/// # Ok(()) }
/// ```
pub fn configure<U>(routes: VortexRoutes) -> impl FnOnce(&mut web::ServiceConfig) + Clone
where
    U: FromRequest + Into<VortexUser> + 'static,
{
    move |config: &mut web::ServiceConfig| {
        let tail = format!("/{{{TAIL}:.*}}");
        config.service(web::resource(vec![String::new(), tail]).to(
            move |request: HttpRequest, payload: web::Payload| {
                let routes = routes.clone();
                async move { handle::<U>(&routes, &request, payload.into_inner()).await }
            },
        ));
    }
}

async fn handle<U>(routes: &VortexRoutes, request: &HttpRequest, payload: Payload) -> VortexResponse
where
    U: FromRequest + Into<VortexUser>,
{
    let path = raw_path_under_mount(request);
    let matched = match routes.match_route(request.method().as_str(), path) {
        Ok(matched) => matched,
        Err(answer) => return VortexResponse(answer),
    };
    let Ok(user) = U::from_request(request, &mut Payload::None).await else {
        return VortexResponse(RouteResponse::unauthorized());
    };
    let user: VortexUser = user.into();
    let limit = routes.limit();
    let body = match read_limited(request, payload, limit).await {
        Ok(body) => body,
        Err(BodyError::TooLarge) => {
            return VortexResponse(RouteResponse::payload_too_large(limit));
        }
        Err(BodyError::Broken) => {
            return VortexResponse(RouteResponse::unreadable_body());
        }
    };
    let route_request = RouteRequest::new(Some(&user))
        .query(request.uri().query())
        .body(&body);
    VortexResponse(routes.handle(matched, route_request).await)
}
