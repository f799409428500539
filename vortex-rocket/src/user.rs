//! The signed-in Vortex user, as a request guard for the app's own handlers.

use rocket::outcome::Outcome;
use rocket::request::{self, FromRequest, Request};
use vortex_routes::VortexUser;
use vortex_routes::adapter::{RouteResponse, UserLookup};

use crate::catcher::stash;
use crate::response::VortexResponse;

/// Runs the app's request guard `U`: `Outcome::Error((status, _))` with a 5xx status is a
/// configuration mistake ([`UserLookup::Failed`]); a forward or a 4xx error means anonymous.
pub(crate) async fn look_up<'r, U>(request: &'r Request<'_>) -> UserLookup
where
    U: FromRequest<'r> + Into<VortexUser>,
{
    match U::from_request(request).await {
        Outcome::Success(user) => UserLookup::SignedIn(user.into()),
        Outcome::Forward(_) => UserLookup::Anonymous,
        Outcome::Error((status, error)) => {
            UserLookup::rejected::<U>(status.code, || format!("{error:?}"))
        }
    }
}

vortex_routes::__current_user! {
    /// The signed-in user as a [`VortexUser`], from the app's request guard `U`.
    ///
    /// When `U` forwards or fails with a 4xx status, this guard fails with 401
    /// `{"error":"Unauthorized"}`; when `U` fails with a 5xx status (a configuration mistake),
    /// with 500 `{"error":"Internal error"}`, and `U`'s error is logged. Rocket sends only the
    /// status of a failing guard, so either register [`catchers`](crate::catchers) at a base
    /// covering the route (they send the JSON), or take `Result<CurrentUser<U>, VortexResponse>`
    /// and return the rejection yourself (with `?`), which needs no catcher.
    ///
    /// `Option<CurrentUser<U>>` makes it optional. A type alias saves repeating `U`:
    ///
    /// ```
    /// use rocket::get;
    /// use rocket::request::{self, FromRequest, Request};
    /// use vortex_rocket::{VortexResponse, VortexUser};
    ///
    /// struct AppUser(String);
    ///
    /// #[rocket::async_trait]
    /// impl<'r> FromRequest<'r> for AppUser {
    ///     type Error = ();
    ///     async fn from_request(request: &'r Request<'_>) -> request::Outcome<Self, ()> {
    ///         match request.headers().get_one("x-user-id") {
    ///             Some(id) => request::Outcome::Success(AppUser(id.into())),
    ///             None => request::Outcome::Forward(rocket::http::Status::Unauthorized),
    ///         }
    ///     }
    /// }
    /// impl From<AppUser> for VortexUser {
    ///     fn from(user: AppUser) -> Self { VortexUser::new(user.0) }
    /// }
    ///
    /// type CurrentUser = vortex_rocket::CurrentUser<AppUser>;
    ///
    /// #[get("/whoami")]
    /// fn whoami(user: CurrentUser) -> String {
    ///     format!("signed in as {}", user.id)
    /// }
    ///
    /// #[get("/whoami-or-401")]
    /// fn whoami_or_401(user: Result<CurrentUser, VortexResponse>) -> Result<String, VortexResponse> {
    ///     Ok(format!("signed in as {}", user?.id))
    /// }
    ///
    /// # rocket::async_test(async {
    /// let rocket = rocket::build()
    ///     .mount("/", rocket::routes![whoami, whoami_or_401])
    ///     .register("/whoami", vortex_rocket::catchers());
    /// let client = rocket::local::asynchronous::Client::tracked(rocket).await.unwrap();
    ///
    /// let answer = client.get("/whoami").header(rocket::http::Header::new("x-user-id", "u1")).dispatch().await;
    /// assert_eq!(answer.into_string().await.unwrap(), "signed in as u1");
    /// for path in ["/whoami", "/whoami-or-401"] {
    ///     let anonymous = client.get(path).dispatch().await;
    ///     assert_eq!(anonymous.status().code, 401);
    ///     assert_eq!(anonymous.into_string().await.unwrap(), r#"{"error":"Unauthorized"}"#);
    /// }
    /// # });
    /// ```
}

#[rocket::async_trait]
impl<'r, U> FromRequest<'r> for CurrentUser<U>
where
    U: FromRequest<'r> + Into<VortexUser>,
{
    type Error = VortexResponse;

    async fn from_request(request: &'r Request<'_>) -> request::Outcome<Self, Self::Error> {
        match look_up::<U>(request).await.into_user() {
            Ok(user) => Outcome::Success(Self::new(user)),
            Err(error) => {
                let answer = RouteResponse::from(error);
                let status = stash(request, answer.clone());
                Outcome::Error((status, VortexResponse(answer)))
            }
        }
    }
}
