//! `POST /api/vortex/jwt` over a real socket, served one of two ways, for
//! `benches/socket.sh`:
//!
//! - `jwt-server ours PORT`: `vortex-axum`'s router nested at `/api/vortex` (policy
//!   `AllowAllAuthenticated`), as an app mounts it;
//! - `jwt-server official PORT`: a hand-written axum route calling the official `vortex-sdk`
//!   1.19 `VortexClient::generate_jwt`, answering `{"jwt":…}` with `Cache-Control: no-store`.
//!
//! Both read the user from the `x-user-id` header with the same extractor, sign for the same
//! user (id, e-mail, name), listen on `127.0.0.1:PORT` and run tokio with one worker thread
//! (the load generator gets the other core). Built only with `--features official`.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::json;
use vortex_axum::{AllowAllAuthenticated, VortexClient, VortexRoutes, VortexUser};

/// The test API key both sign with.
const KEY: &str = "VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing";
const USAGE: &str = "usage: jwt-server (ours|official) PORT";

/// The signed-in user, from the `x-user-id` header (401 without it).
struct HeaderUser {
    id: String,
}

impl HeaderUser {
    fn email(&self) -> String {
        format!("{}@example.com", self.id)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for HeaderUser {
    type Rejection = StatusCode;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, StatusCode> {
        let id = parts.headers.get("x-user-id").and_then(|v| v.to_str().ok());
        let id = id.ok_or(StatusCode::UNAUTHORIZED)?;
        Ok(Self { id: id.to_owned() })
    }
}

impl From<HeaderUser> for VortexUser {
    fn from(user: HeaderUser) -> Self {
        let email = user.email();
        Self::new(user.id).email(email).name("Jane Doe")
    }
}

fn ours() -> Result<Router, Box<dyn std::error::Error>> {
    let routes = VortexRoutes::new(VortexClient::new(KEY)?, AllowAllAuthenticated);
    Ok(Router::new().nest("/api/vortex", vortex_axum::router::<(), HeaderUser>(routes)))
}

async fn official_jwt(
    State(client): State<std::sync::Arc<vortex_sdk::VortexClient>>,
    user: HeaderUser,
) -> impl IntoResponse {
    let email = user.email();
    let user = vortex_sdk::User::new(&user.id, &email).with_name("Jane Doe");
    match client.generate_jwt(&user, None) {
        Ok(jwt) => (
            StatusCode::OK,
            [(header::CACHE_CONTROL, "no-store")],
            Json(json!({ "jwt": jwt })),
        ),
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(header::CACHE_CONTROL, "no-store")],
            Json(json!({ "error": "Internal error" })),
        ),
    }
}

fn official() -> Router {
    let client = std::sync::Arc::new(vortex_sdk::VortexClient::new(KEY.to_owned()));
    Router::new()
        .route("/api/vortex/jwt", post(official_jwt))
        .with_state(client)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(which), Some(port)) = (args.next(), args.next()) else {
        return Err(USAGE.into());
    };
    let port: u16 = port.parse().map_err(|_| USAGE)?;
    let app = match which.as_str() {
        "ours" => ours()?,
        "official" => official(),
        _ => return Err(USAGE.into()),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        eprintln!("jwt-server {which} listening on 127.0.0.1:{port}");
        axum::serve(listener, app).await
    })?;
    Ok(())
}
