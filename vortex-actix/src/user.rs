//! The signed-in Vortex user, as an extractor for the app's own handlers.

use std::future::Future;
use std::marker::PhantomData;
use std::ops::Deref;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use vortex_client::routes::{RouteResponse, VortexUser};

use crate::response::VortexResponse;

/// The signed-in user as a [`VortexUser`], from the app's own [`FromRequest`] type `U`.
///
/// Fails with 401 `{"error":"Unauthorized"}` (JSON, through [`VortexResponse`]'s
/// [`ResponseError`](actix_web::ResponseError)) when `U` fails. `Option<CurrentUser<U>>`
/// makes it optional. `U` is extracted from the request head (it gets an empty payload), as
/// in the Vortex routes. A type alias saves repeating `U`:
///
/// ```
/// use std::future::{Ready, ready};
///
/// use actix_web::{App, FromRequest, HttpRequest, dev::Payload, error::ErrorUnauthorized, test, web};
/// use vortex_client::routes::VortexUser;
///
/// struct AppUser(String);
///
/// impl FromRequest for AppUser {
///     type Error = actix_web::Error;
///     type Future = Ready<Result<Self, Self::Error>>;
///
///     fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
///         let id = req.headers().get("x-user-id").and_then(|v| v.to_str().ok());
///         ready(id.map(|id| AppUser(id.to_owned())).ok_or_else(|| ErrorUnauthorized("no user")))
///     }
/// }
///
/// impl From<AppUser> for VortexUser {
///     fn from(user: AppUser) -> Self { VortexUser::new(user.0) }
/// }
///
/// type CurrentUser = vortex_actix::CurrentUser<AppUser>;
///
/// async fn whoami(user: CurrentUser) -> String {
///     format!("signed in as {}", user.id)
/// }
///
/// # actix_web::rt::System::new().block_on(async {
/// let app = test::init_service(App::new().route("/whoami", web::get().to(whoami))).await;
/// let anonymous = test::call_service(&app, test::TestRequest::get().uri("/whoami").to_request()).await;
/// assert_eq!(anonymous.status(), 401);
/// assert_eq!(test::read_body(anonymous).await, r#"{"error":"Unauthorized"}"#);
///
/// let request = test::TestRequest::get().uri("/whoami").insert_header(("x-user-id", "u1"));
/// let body = test::call_and_read_body(&app, request.to_request()).await;
/// assert_eq!(body, "signed in as u1");
/// # });
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CurrentUser<U> {
    user: VortexUser,
    _app_user: PhantomData<fn() -> U>,
}

impl<U> CurrentUser<U> {
    /// The user.
    ///
    /// ```
    /// use vortex_actix::{CurrentUser, VortexUser};
    ///
    /// fn owned<U>(user: CurrentUser<U>) -> VortexUser {
    ///     user.into_inner()
    /// }
    /// ```
    pub fn into_inner(self) -> VortexUser {
        self.user
    }
}

impl<U> Deref for CurrentUser<U> {
    type Target = VortexUser;

    fn deref(&self) -> &VortexUser {
        &self.user
    }
}

impl<U> FromRequest for CurrentUser<U>
where
    U: FromRequest + Into<VortexUser> + 'static,
{
    type Error = VortexResponse;
    type Future = Pin<Box<dyn Future<Output = Result<Self, VortexResponse>>>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let user = U::from_request(request, &mut Payload::None);
        Box::pin(async move {
            match user.await {
                Ok(user) => Ok(Self {
                    user: user.into(),
                    _app_user: PhantomData,
                }),
                Err(_) => Err(VortexResponse(RouteResponse::unauthorized())),
            }
        })
    }
}
