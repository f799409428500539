//! The signed-in Vortex user, as an extractor for the app's own handlers.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::response::IntoResponse;
use vortex_routes::VortexUser;
use vortex_routes::adapter::UserLookup;

use crate::response::VortexResponse;

/// How much of a rejection's body goes into the log of a misconfiguration.
const CAUSE_BYTES: usize = 1024;

/// Runs the app's user extractor `U`: a 5xx rejection is a configuration mistake
/// ([`UserLookup::Failed`], with the rejection's status and body as the cause), any other
/// rejection means anonymous.
pub(crate) async fn look_up<S, U>(parts: &mut Parts, state: &S) -> UserLookup
where
    S: Send + Sync,
    U: FromRequestParts<S> + Into<VortexUser>,
{
    let rejection = match U::from_request_parts(parts, state).await {
        Ok(user) => return UserLookup::SignedIn(user.into()),
        Err(rejection) => rejection.into_response(),
    };
    let status = rejection.status();
    if !status.is_server_error() {
        return UserLookup::Anonymous;
    }
    let body = axum::body::to_bytes(rejection.into_body(), CAUSE_BYTES).await;
    let body = body.unwrap_or_default();
    UserLookup::rejected::<U>(status.as_u16(), || {
        String::from_utf8_lossy(&body).into_owned()
    })
}

vortex_routes::__current_user! {
    /// The signed-in user as a [`VortexUser`], from the app's user extractor `U`: 401 JSON when
    /// `U` rejects with a 4xx, 500 JSON (logged) with a 5xx ([`IntoResponse`] status, a
    /// [configuration mistake](crate#configuration-mistakes)). `Option<CurrentUser<U>>` makes
    /// it optional; see the [crate example](crate#example).
}

impl<S, U> FromRequestParts<S> for CurrentUser<U>
where
    S: Send + Sync,
    U: FromRequestParts<S> + Into<VortexUser>,
{
    type Rejection = VortexResponse;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let user = look_up::<S, U>(parts, state).await.into_user()?;
        Ok(Self::new(user))
    }
}

impl<S, U> OptionalFromRequestParts<S> for CurrentUser<U>
where
    S: Send + Sync,
    U: FromRequestParts<S> + Into<VortexUser>,
{
    type Rejection = VortexResponse;

    /// `None` when anonymous; a configuration mistake is still a 500.
    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        match look_up::<S, U>(parts, state).await {
            UserLookup::Anonymous => Ok(None),
            lookup => Ok(Some(Self::new(lookup.into_user()?))),
        }
    }
}
