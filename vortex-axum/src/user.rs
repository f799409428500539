//! The signed-in Vortex user, as an extractor for the app's own handlers.

use std::marker::PhantomData;
use std::ops::Deref;

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use vortex_client::routes::{RouteResponse, VortexUser};

use crate::response::VortexResponse;

/// The signed-in user as a [`VortexUser`], from the app's user extractor `U`.
///
/// Rejects with 401 `{"error":"Unauthorized"}` (JSON) when `U` rejects. `Option<CurrentUser<U>>`
/// makes it optional. A type alias saves repeating `U`:
///
/// ```
/// use axum::extract::FromRequestParts;
/// use axum::http::request::Parts;
/// use vortex_client::routes::VortexUser;
///
/// struct AppUser(String);
/// impl<S: Send + Sync> FromRequestParts<S> for AppUser {
///     type Rejection = ();
///     async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ()> {
///         parts.headers.get("x-user-id").and_then(|v| v.to_str().ok()).map(|id| AppUser(id.into())).ok_or(())
///     }
/// }
/// impl From<AppUser> for VortexUser {
///     fn from(user: AppUser) -> Self { VortexUser::new(user.0) }
/// }
///
/// type CurrentUser = vortex_axum::CurrentUser<AppUser>;
///
/// async fn whoami(user: CurrentUser) -> String {
///     format!("signed in as {}", user.id)
/// }
/// # let _ = axum::Router::<()>::new().route("/whoami", axum::routing::get(whoami));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CurrentUser<U> {
    user: VortexUser,
    _app_user: PhantomData<fn() -> U>,
}

impl<U> CurrentUser<U> {
    /// The user.
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

impl<S, U> FromRequestParts<S> for CurrentUser<U>
where
    S: Send + Sync,
    U: FromRequestParts<S> + Into<VortexUser>,
{
    type Rejection = VortexResponse;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match U::from_request_parts(parts, state).await {
            Ok(user) => Ok(Self {
                user: user.into(),
                _app_user: PhantomData,
            }),
            Err(_) => Err(VortexResponse(RouteResponse::unauthorized())),
        }
    }
}

impl<S, U> OptionalFromRequestParts<S> for CurrentUser<U>
where
    S: Send + Sync,
    U: FromRequestParts<S> + Into<VortexUser>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(
            <Self as FromRequestParts<S>>::from_request_parts(parts, state)
                .await
                .ok(),
        )
    }
}
