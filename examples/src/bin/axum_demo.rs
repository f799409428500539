//! The Vortex demo on axum.
//!
//! Run with `cargo run -p examples --bin axum-demo`, then open <http://127.0.0.1:3000>.
//! Without `VORTEX_API_KEY` it runs on an embedded vortex-mock; see `shared/spec/DEMO.md`.

use axum::body::Bytes;
use axum::extract::{FromRef, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use examples::{DemoApp, DemoConfig, DemoResponse, app::print_banner, page, upstream::Upstream};
use vortex_axum::VerifiedWebhook;
use vortex_client::routes::{VortexUser, WebhookVerifier};

#[derive(Clone, FromRef)]
struct AppState {
    demo: DemoApp,
    webhooks: WebhookVerifier,
}

/// The signed-in user, from the session cookie: the app's own authentication.
struct SessionUser(VortexUser);

impl FromRequestParts<AppState> for SessionUser {
    type Rejection = StatusCode;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, StatusCode> {
        state
            .demo
            .user(cookie(&parts.headers))
            .map(SessionUser)
            .ok_or(StatusCode::UNAUTHORIZED)
    }
}

impl From<SessionUser> for VortexUser {
    fn from(user: SessionUser) -> Self {
        user.0
    }
}

fn cookie(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::COOKIE).and_then(|v| v.to_str().ok())
}

fn reply(answer: DemoResponse) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, Json(answer.body)).into_response();
    if let Some(value) = answer.set_cookie.and_then(|c| c.parse().ok()) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

async fn login(State(demo): State<DemoApp>, body: Bytes) -> Response {
    reply(demo.login(&body))
}

async fn logout(State(demo): State<DemoApp>, headers: HeaderMap) -> Response {
    reply(demo.logout(cookie(&headers)))
}

async fn me(State(demo): State<DemoApp>, headers: HeaderMap) -> Response {
    reply(demo.me(cookie(&headers)))
}

async fn events(State(demo): State<DemoApp>, headers: HeaderMap) -> Response {
    reply(demo.events(cookie(&headers)))
}

async fn webhook(
    State(demo): State<DemoApp>,
    VerifiedWebhook { event, .. }: VerifiedWebhook,
) -> Response {
    reply(demo.received(&event))
}

async fn index() -> Html<&'static str> {
    Html(page::INDEX_HTML)
}

async fn not_found() -> Response {
    reply(DemoResponse::error(404, "Not found"))
}

async fn method_not_allowed() -> Response {
    reply(DemoResponse::error(405, "Method not allowed"))
}

#[tokio::main]
async fn main() {
    if let Err(message) = run().await {
        eprintln!("axum-demo: {message}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), String> {
    examples::app::init_tracing();
    let config = DemoConfig::from_env()?;
    let listener = tokio::net::TcpListener::bind((config.host, config.port))
        .await
        .map_err(|e| format!("cannot listen on {}:{}: {e}", config.host, config.port))?;
    let listening = listener.local_addr().map_err(|e| e.to_string())?;
    let upstream = Upstream::start(&config, listening).await?;
    let demo = DemoApp::new(&config, &upstream)?;
    let state = AppState {
        webhooks: demo.webhooks.clone(),
        demo: demo.clone(),
    };
    let app = Router::new()
        .route("/", get(index))
        .route("/api/auth/login", post(login))
        .route("/api/auth/logout", post(logout))
        .route("/api/auth/me", get(me))
        .route("/api/demo/events", get(events))
        .route("/webhooks/vortex", post(webhook))
        .nest(
            "/api/vortex",
            vortex_axum::router::<AppState, SessionUser>(demo.routes.clone()),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state);
    print_banner(&config, listening, &upstream.describe());
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())
}
