//! The app's own authentication: sessions with `tower-sessions`, the signed-in user as an
//! extractor. The session holds only the user's id; its cookie is signed with
//! `SESSION_SECRET`, HttpOnly, SameSite=Lax.

use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tower_sessions::cookie::{Key, SameSite};
use tower_sessions::service::SignedCookie;
use tower_sessions::{Expiry, Session, SessionManagerLayer, SessionStore};
use vortex_axum::VortexUser;
use vortex_demo::SessionSecret;
use vortex_demo::app::SESSION_USER_ID;

use crate::AppState;

/// The session cookie's name.
const COOKIE_NAME: &str = "vortex_demo_session";

/// The session layer over `store`, its cookie signed with the session secret.
pub(crate) fn layer<S: SessionStore + Clone>(
    store: S,
    secret: &SessionSecret,
) -> SessionManagerLayer<S, SignedCookie> {
    SessionManagerLayer::new(store)
        .with_name(COOKIE_NAME)
        .with_signed(Key::from(secret.bytes()))
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        // The demo runs on plain http://127.0.0.1; behind TLS in production, keep Secure on.
        .with_secure(false)
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::hours(8),
        ))
}

/// The answer when the session store (Redis) does not answer.
pub(crate) const SESSION_STORE_UNAVAILABLE: &str = "Session store unavailable; retry later";

/// The signed-in user: 401 JSON when not signed in; 500 JSON when there is no session layer
/// (a misconfiguration, loud); 503 JSON when the session store is down or does not answer in
/// time (Redis restarting: the caller retries), which the Vortex routes answer as 503 too.
#[derive(Debug)]
pub(crate) struct SessionUser(pub(crate) VortexUser);

impl FromRequestParts<AppState> for SessionUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let user_id = user_id(parts, state).await?;
        state
            .demo
            .user(user_id.as_deref())
            .map(SessionUser)
            .ok_or_else(|| error(StatusCode::UNAUTHORIZED, "Unauthorized"))
    }
}

impl From<SessionUser> for VortexUser {
    fn from(user: SessionUser) -> Self {
        user.0
    }
}

/// The user id kept in the request's session, if any.
async fn user_id(parts: &mut Parts, state: &AppState) -> Result<Option<String>, Response> {
    let session = Session::from_request_parts(parts, state)
        .await
        .map_err(|(_, message)| {
            tracing::error!("no session: {message} (is the SessionManagerLayer added?)");
            error(StatusCode::INTERNAL_SERVER_ERROR, "Internal error")
        })?;
    session.get(SESSION_USER_ID).await.map_err(|e| {
        tracing::error!("cannot read the session: {e}");
        error(StatusCode::SERVICE_UNAVAILABLE, SESSION_STORE_UNAVAILABLE)
    })
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}
