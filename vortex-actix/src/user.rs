//! The signed-in Vortex user, as an extractor for the app's own handlers.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use vortex_client::routes::VortexUser;
use vortex_client::routes::adapter::UserLookup;

use crate::response::VortexResponse;

/// Runs the app's user type `U` on the request head: an error whose
/// [`ResponseError::status_code`](actix_web::ResponseError::status_code) is 5xx is a
/// configuration mistake ([`UserLookup::Failed`]), any other error means anonymous.
pub(crate) async fn look_up<U>(request: &HttpRequest) -> UserLookup
where
    U: FromRequest + Into<VortexUser>,
{
    match U::from_request(request, &mut Payload::None).await {
        Ok(user) => UserLookup::SignedIn(user.into()),
        Err(error) => {
            let error: actix_web::Error = error.into();
            let status = error.as_response_error().status_code();
            let name = std::any::type_name::<U>();
            UserLookup::rejected(status.as_u16(), || {
                format!("{name} failed with {status}: {error}")
            })
        }
    }
}

vortex_client::__current_user! {
    /// The signed-in user as a [`VortexUser`], from the app's own [`FromRequest`] type `U`.
    ///
    /// Fails with 401 `{"error":"Unauthorized"}` (JSON, through [`VortexResponse`]'s
    /// [`ResponseError`](actix_web::ResponseError)) when `U` fails with a client error, and with
    /// 500 `{"error":"Internal error"}`, logging `U`'s error, when its status is 5xx (a
    /// configuration mistake). `Option<CurrentUser<U>>`
    /// makes it optional. `U` is extracted from the request head (it gets an empty payload), as
    /// in the Vortex routes. A type alias saves repeating `U`:
    ///
    /// ```
    /// use std::future::{Ready, ready};
    ///
    /// use actix_web::{App, FromRequest, HttpRequest, dev::Payload, error::ErrorUnauthorized, test, web};
    /// use vortex_actix::VortexUser;
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
}

impl<U> FromRequest for CurrentUser<U>
where
    U: FromRequest + Into<VortexUser> + 'static,
{
    type Error = VortexResponse;
    type Future = Pin<Box<dyn Future<Output = Result<Self, VortexResponse>>>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move {
            let user = look_up::<U>(&request).await.into_user()?;
            Ok(Self::new(user))
        })
    }
}
