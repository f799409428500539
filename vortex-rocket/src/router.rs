//! The mountable Vortex routes: one catch-all `Handler` per mount point.

use std::fmt;
use std::marker::PhantomData;

use rocket::fairing::AdHoc;
use rocket::http::Method;
use rocket::outcome::Outcome;
use rocket::request::FromRequest;
use rocket::route::{self, Handler, Route};
use rocket::{Data, Request};
use vortex_routes::adapter::{BodyError, RouteRequest, UserLookup};
use vortex_routes::{VortexRoutes, VortexUser};

use crate::body::{self, ROUTES_LIMIT};
use crate::catcher::catchers;
use crate::path;
use crate::response::to_response;
use crate::user::look_up;

/// The rank of the Vortex routes: after every route of the app under the mount point that
/// has a default rank (those are -12 to -5), before catch-all routes such as
/// `#[get("/<_..>")]` (-4 to -1 by default) or ranked fallbacks (`FileServer` is 10). To
/// change it: [`VortexHandler::rank`] (see the example of [`VortexHandler`]).
pub const DEFAULT_RANK: isize = -4;

/// Every method: the core answers 405 (with `Allow`) for the ones a path does not take.
const METHODS: [Method; 9] = {
    use Method::*;
    [Get, Put, Post, Delete, Options, Head, Trace, Connect, Patch]
};

/// The Vortex routes as a Rocket [`Handler`], which is how [`routes`] builds them (route
/// macros cannot be generic): it hands every request under the mount point, of any method, to
/// [`VortexRoutes::serve`] with its raw, still percent-encoded path under the mount point, the
/// app's user `U` and the body, and never forwards. Use it directly to choose the
/// [rank](Self::rank):
///
/// ```
/// # use rocket::request::{self, FromRequest, Request};
/// # use vortex_rocket::VortexUser;
/// # struct AppUser(String);
/// # #[rocket::async_trait]
/// # impl<'r> FromRequest<'r> for AppUser {
/// #     type Error = ();
/// #     async fn from_request(_: &'r Request<'_>) -> request::Outcome<Self, ()> {
/// #         request::Outcome::Forward(rocket::http::Status::Unauthorized)
/// #     }
/// # }
/// # impl From<AppUser> for VortexUser {
/// #     fn from(user: AppUser) -> Self { VortexUser::new(user.0) }
/// # }
/// use rocket::Route;
/// use vortex_rocket::{
///     AllowAllAuthenticated, DEFAULT_RANK, VortexClient, VortexHandler, VortexRoutes,
/// };
///
/// # fn main() -> Result<(), vortex_client::Error> {
/// let client = VortexClient::new("VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing")?;
/// let vortex = VortexRoutes::new(client, AllowAllAuthenticated);
/// // Rank the Vortex routes after a fallback ranked -3, keeping the other defaults first.
/// let routes: Vec<Route> = VortexHandler::<AppUser>::new(vortex)
///     .rank(DEFAULT_RANK + 2)
///     .into();
/// let rocket = rocket::build().mount("/api/vortex", routes);
/// # let _ = rocket;
/// # Ok(()) }
/// ```
pub struct VortexHandler<U> {
    routes: VortexRoutes,
    rank: isize,
    _app_user: PhantomData<fn() -> U>,
}

impl<U> VortexHandler<U> {
    /// The handler of `routes`, ranked [`DEFAULT_RANK`].
    pub fn new(routes: VortexRoutes) -> Self {
        Self {
            routes,
            rank: DEFAULT_RANK,
            _app_user: PhantomData,
        }
    }

    /// Sets the rank of the routes (lower ranks are tried first; see [`DEFAULT_RANK`]).
    #[must_use]
    pub fn rank(mut self, rank: isize) -> Self {
        self.rank = rank;
        self
    }
}

impl<U> Clone for VortexHandler<U> {
    fn clone(&self) -> Self {
        Self {
            routes: self.routes.clone(),
            rank: self.rank,
            _app_user: PhantomData,
        }
    }
}

impl<U> fmt::Debug for VortexHandler<U> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VortexHandler")
            .field("routes", &self.routes)
            .field("rank", &self.rank)
            .field("user", &std::any::type_name::<U>())
            .finish()
    }
}

impl<U> From<VortexHandler<U>> for Vec<Route>
where
    U: for<'r> FromRequest<'r> + Into<VortexUser> + Send + 'static,
{
    fn from(handler: VortexHandler<U>) -> Self {
        METHODS
            .iter()
            .map(|&method| {
                let mut route = Route::ranked(handler.rank, method, "/<_..>", handler.clone());
                route.name = Some("vortex".into());
                route
            })
            .collect()
    }
}

#[rocket::async_trait]
impl<U> Handler for VortexHandler<U>
where
    U: for<'r> FromRequest<'r> + Into<VortexUser> + Send + 'static,
{
    async fn handle<'r>(&self, request: &'r Request<'_>, data: Data<'r>) -> route::Outcome<'r> {
        let rocket_request = RocketRequest::<U> {
            request,
            data: Some(data),
            app_user: PhantomData,
        };
        Outcome::Success(to_response(self.routes.serve(rocket_request).await))
    }
}

/// The user and body of a request to the Vortex routes, for the core.
struct RocketRequest<'r, 'l, U> {
    request: &'r Request<'l>,
    data: Option<Data<'r>>,
    app_user: PhantomData<fn() -> U>,
}

impl<U> RouteRequest for RocketRequest<'_, '_, U>
where
    U: for<'r> FromRequest<'r> + Into<VortexUser>,
{
    type Body = Vec<u8>;

    fn method(&self) -> &str {
        self.request.method().as_str()
    }

    fn path(&self) -> &str {
        path::under_mount(self.request)
    }

    fn query(&self) -> Option<&str> {
        self.request.uri().query().map(|query| query.as_str())
    }

    async fn user(&mut self) -> UserLookup {
        look_up::<U>(self.request).await
    }

    async fn body(&mut self, limit: usize) -> Result<Vec<u8>, BodyError> {
        let limit = body::limit(self.request, ROUTES_LIMIT, limit);
        match self.data.take() {
            Some(data) => body::read_limited(self.request, data, limit).await,
            None => Ok(Vec::new()),
        }
    }
}

/// The Vortex routes, to [`mount`](rocket::Rocket::mount) at the path the React provider
/// calls (`/api/vortex` by default); [`fairing`] does this in one line.
///
/// `U` is the app's own request guard for the signed-in user (its session cookie, its
/// token, …), converted with `Into<VortexUser>`; when it fails or forwards, the caller is
/// anonymous (401; see the [configuration mistakes](crate#configuration-mistakes)). Every
/// request under the mount point, of any method (the mount point itself included), is
/// answered JSON, 404, 405 and 413 included. The routes are ranked [`DEFAULT_RANK`], after
/// the app's own routes under the mount point. The body limit is Rocket's
/// [`"vortex"`](crate::ROUTES_LIMIT) limit, capped by [`VortexRoutes::limit`]: to accept
/// larger bodies, raise both.
///
/// Register [`catchers`] at the same base so that errors raised by Rocket itself there are
/// JSON too (the [`fairing`] does both):
///
/// ```
/// # use rocket::request::{self, FromRequest, Request};
/// # use vortex_rocket::VortexUser;
/// # struct AppUser(String);
/// # #[rocket::async_trait]
/// # impl<'r> FromRequest<'r> for AppUser {
/// #     type Error = ();
/// #     async fn from_request(_: &'r Request<'_>) -> request::Outcome<Self, ()> {
/// #         request::Outcome::Forward(rocket::http::Status::Unauthorized)
/// #     }
/// # }
/// # impl From<AppUser> for VortexUser {
/// #     fn from(user: AppUser) -> Self { VortexUser::new(user.0) }
/// # }
/// use vortex_rocket::{AllowAllAuthenticated, VortexClient, VortexRoutes};
///
/// # fn main() -> Result<(), vortex_client::Error> {
/// let client = VortexClient::new("VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing")?;
/// let routes = VortexRoutes::new(client, AllowAllAuthenticated);
/// let rocket = rocket::build()
///     .mount("/api/vortex", vortex_rocket::routes::<AppUser>(routes))
///     .register("/api/vortex", vortex_rocket::catchers());
/// # let _ = rocket;
/// # Ok(()) }
/// ```
pub fn routes<U>(routes: VortexRoutes) -> Vec<Route>
where
    U: for<'r> FromRequest<'r> + Into<VortexUser> + Send + 'static,
{
    VortexHandler::<U>::new(routes).into()
}

/// A fairing that mounts the Vortex [`routes`] at `base`, registers the JSON [`catchers`]
/// there, and manages the [`VortexRoutes`] (unless some are managed already), so that the
/// app's own handlers can take `&State<VortexRoutes>` (for its API client, say). `U` is the
/// app's request guard for the signed-in user, as for [`routes`]. The [crate
/// example](crate#example) attaches it and calls the routes.
///
/// # Panics
///
/// At ignition, if `base` is not a valid mount point (as [`Rocket::mount`](rocket::Rocket::mount)).
pub fn fairing<U>(base: impl Into<String>, routes: VortexRoutes) -> AdHoc
where
    U: for<'r> FromRequest<'r> + Into<VortexUser> + Send + 'static,
{
    let base = base.into();
    AdHoc::on_ignite("Vortex routes", move |rocket| async move {
        let rocket = if rocket.state::<VortexRoutes>().is_none() {
            rocket.manage(routes.clone())
        } else {
            rocket
        };
        rocket
            .mount(base.as_str(), self::routes::<U>(routes))
            .register(base.as_str(), catchers())
    })
}
