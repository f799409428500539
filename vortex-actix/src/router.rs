//! The Vortex routes as an actix-web service configuration.

use std::marker::PhantomData;

use actix_web::dev::Payload;
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpRequest, web};
use vortex_routes::adapter::{BodyError, RouteRequest, UserLookup};
use vortex_routes::{VortexRoutes, VortexUser};

use crate::body::read_limited;
use crate::path::{TAIL, raw_path_under_mount};
use crate::response::VortexResponse;
use crate::user::look_up;

/// The Vortex routes, to [`configure`](actix_web::Scope::configure) a scope at the path the
/// React provider calls (`/api/vortex` by default) or any other mount point; see the [crate
/// example](crate#example).
///
/// It registers one catch-all resource (the mount point and everything under it, every
/// method) that hands the raw, still percent-encoded path to [`VortexRoutes::serve`]: route
/// (JSON 404/405), then `U`, then the body up to [`VortexRoutes::limit`] (64 KiB by default;
/// JSON 413), then the rest. Every answer under the mount point is JSON; the scope's and the
/// app's default services are left alone, but services registered in the same scope after it
/// are shadowed: give the Vortex routes a scope of their own.
///
/// `U` is the app's own authentication (its session, its JWT, …): a [`FromRequest`] type,
/// converted with `Into<VortexUser>` and extracted from the request head (with an empty
/// payload). A 5xx error from it is a [configuration mistake](crate#configuration-mistakes)
/// (500 JSON, logged); any other error means anonymous (401). The closure is `Clone`: one
/// [`VortexRoutes`] built outside `HttpServer::new` serves every worker.
pub fn configure<U>(routes: VortexRoutes) -> impl FnOnce(&mut web::ServiceConfig) + Clone
where
    U: FromRequest + Into<VortexUser> + 'static,
{
    move |config: &mut web::ServiceConfig| {
        let tail = format!("/{{{TAIL}:.*}}");
        config.service(web::resource(vec![String::new(), tail]).to(
            move |request: HttpRequest, payload: web::Payload| {
                let routes = routes.clone();
                async move {
                    let request = ActixRequest::<U> {
                        request: &request,
                        payload: Some(payload.into_inner()),
                        app_user: PhantomData,
                    };
                    VortexResponse(routes.serve(request).await)
                }
            },
        ));
    }
}

/// The user and body of a request to the Vortex routes, for the core.
struct ActixRequest<'a, U> {
    request: &'a HttpRequest,
    payload: Option<Payload>,
    app_user: PhantomData<fn() -> U>,
}

impl<U> RouteRequest for ActixRequest<'_, U>
where
    U: FromRequest + Into<VortexUser>,
{
    type Body = Bytes;

    fn method(&self) -> &str {
        self.request.method().as_str()
    }

    fn path(&self) -> &str {
        raw_path_under_mount(self.request)
    }

    fn query(&self) -> Option<&str> {
        self.request.uri().query()
    }

    async fn user(&mut self) -> UserLookup {
        look_up::<U>(self.request).await
    }

    async fn body(&mut self, limit: usize) -> Result<Bytes, BodyError> {
        let payload = self.payload.take().unwrap_or(Payload::None);
        read_limited(self.request, payload, limit).await
    }
}
