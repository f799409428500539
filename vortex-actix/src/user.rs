//! The signed-in Vortex user, as an extractor for the app's own handlers.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use vortex_routes::VortexUser;
use vortex_routes::adapter::UserLookup;

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
            UserLookup::rejected::<U>(status.as_u16(), || error.to_string())
        }
    }
}

vortex_routes::__current_user! {
    /// The signed-in user as a [`VortexUser`], from the app's own [`FromRequest`] type `U`
    /// (extracted from the request head, with an empty payload, as in the Vortex routes).
    ///
    /// Fails with 401 `{"error":"Unauthorized"}` (JSON, through [`VortexResponse`]'s
    /// [`ResponseError`](actix_web::ResponseError)) when `U` fails with a client error, and with
    /// 500 `{"error":"Internal error"}`, logging `U`'s error, when its status is 5xx (a
    /// [configuration mistake](crate#configuration-mistakes)). actix-web's
    /// `Option<CurrentUser<U>>` turns every failure into `None`, that 500 included: match on
    /// `Result<CurrentUser<U>, VortexResponse>` to keep it. Example: the [crate
    /// example](crate#example), with a type alias for `U`.
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
