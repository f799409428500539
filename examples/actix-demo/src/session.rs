//! The app's own authentication: sessions with `actix-session` in a private (encrypted)
//! cookie whose key is `SESSION_SECRET`, so every instance with the same secret accepts it.
//! The session holds only the user's id. HttpOnly, SameSite=Lax.

use std::future::Future;
use std::pin::Pin;

use actix_session::config::CookieContentSecurity;
use actix_session::storage::CookieSessionStore;
use actix_session::{Session, SessionExt as _, SessionMiddleware};
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};
use serde_json::json;
use vortex_actix::VortexUser;
use vortex_demo::app::SESSION_USER_ID;
use vortex_demo::{DemoApp, SessionSecret};

/// The session cookie's name.
const COOKIE_NAME: &str = "vortex_demo_session";

/// The session middleware, its cookie encrypted with the session secret.
pub(crate) fn middleware(secret: &SessionSecret) -> SessionMiddleware<CookieSessionStore> {
    SessionMiddleware::builder(CookieSessionStore::default(), Key::from(secret.bytes()))
        .cookie_name(COOKIE_NAME.to_owned())
        .cookie_content_security(CookieContentSecurity::Private)
        .cookie_http_only(true)
        .cookie_same_site(SameSite::Lax)
        // The demo runs on plain http://127.0.0.1; behind TLS in production, keep Secure on.
        .cookie_secure(false)
        .build()
}

/// Why there is no signed-in user: JSON 401, or 500 when the session cannot be read.
#[derive(Debug)]
pub(crate) enum NoUser {
    /// Not signed in.
    SignedOut,
    /// The session cannot be read (logged).
    Broken,
}

impl std::fmt::Display for NoUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::SignedOut => "Unauthorized",
            Self::Broken => "Internal error",
        })
    }
}

impl ResponseError for NoUser {
    fn status_code(&self) -> actix_web::http::StatusCode {
        match self {
            Self::SignedOut => actix_web::http::StatusCode::UNAUTHORIZED,
            Self::Broken => actix_web::http::StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status_code()).json(json!({ "error": self.to_string() }))
    }
}

/// The signed-in user.
#[derive(Debug)]
pub(crate) struct SessionUser(pub(crate) VortexUser);

impl FromRequest for SessionUser {
    type Error = NoUser;
    type Future = Pin<Box<dyn Future<Output = Result<Self, NoUser>>>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let session = request.get_session();
        let demo = request.app_data::<web::Data<DemoApp>>().cloned();
        Box::pin(async move {
            let Some(demo) = demo else {
                tracing::error!("no DemoApp in app_data");
                return Err(NoUser::Broken);
            };
            let user_id = user_id(&session)?;
            demo.user(user_id.as_deref())
                .map(SessionUser)
                .ok_or(NoUser::SignedOut)
        })
    }
}

impl From<SessionUser> for VortexUser {
    fn from(user: SessionUser) -> Self {
        user.0
    }
}

fn user_id(session: &Session) -> Result<Option<String>, NoUser> {
    session.get::<String>(SESSION_USER_ID).map_err(|e| {
        tracing::error!("cannot read the session: {e}");
        NoUser::Broken
    })
}
