//! The Vortex demo on axum: `tower-sessions` sessions (in memory, or in Redis with
//! `REDIS_URL`), the Vortex routes nested at `/api/vortex`, verified webhooks, and a
//! production server (see [`serve`]).
//!
//! Run with `cargo run -p axum-demo`, then open <http://127.0.0.1:3000>.
//! Without `VORTEX_API_KEY` it runs on an embedded vortex-mock; the environment variables
//! it reads are listed in `vortex_demo::config`.

mod serve;
mod session;

use axum::body::Bytes;
use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use session::SessionUser;
use tower_sessions::{MemoryStore, Session};
use tower_sessions_redis_store::RedisStore;
use tower_sessions_redis_store::fred::prelude::{ClientLike as _, Config, Pool};
use vortex_axum::VerifiedWebhook;
use vortex_axum::WebhookVerifier;
use vortex_demo::app::SESSION_USER_ID;
use vortex_demo::{
    DemoApp, DemoConfig, DemoResponse, Upstream, openapi, page, print_banner, serving,
};

#[derive(Clone, FromRef)]
struct AppState {
    demo: DemoApp,
    webhooks: WebhookVerifier,
}

/// The signed-in user, or the extractor's rejection (401, or 500 when sessions fail).
type MaybeUser = Result<SessionUser, Response>;

fn reply(answer: DemoResponse) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(answer.body)).into_response()
}

fn internal_error(cause: &dyn std::fmt::Display) -> Response {
    tracing::error!("session store: {cause}");
    reply(DemoResponse::error(500, "Internal error"))
}

async fn login(State(demo): State<DemoApp>, session: Session, body: Bytes) -> Response {
    let user = match demo.login(&body) {
        Ok(user) => user,
        Err(answer) => return reply(answer),
    };
    // A new session id at sign-in, so a planted cookie cannot ride on the new session.
    if let Err(e) = session.cycle_id().await {
        return internal_error(&e);
    }
    if let Err(e) = session.insert(SESSION_USER_ID, &user.id).await {
        return internal_error(&e);
    }
    reply(DemoResponse::user(&user))
}

async fn logout(State(demo): State<DemoApp>, session: Session) -> Response {
    match session.flush().await {
        Ok(()) => reply(demo.logout()),
        Err(e) => internal_error(&e),
    }
}

async fn me(State(demo): State<DemoApp>, user: MaybeUser) -> Response {
    match user {
        Ok(SessionUser(user)) => reply(demo.me(Some(&user))),
        Err(rejection) => rejection,
    }
}

async fn events(State(demo): State<DemoApp>, user: MaybeUser) -> Response {
    match user {
        Ok(SessionUser(user)) => reply(demo.events(Some(&user))),
        Err(rejection) => rejection,
    }
}

async fn webhook_failures(State(demo): State<DemoApp>, user: MaybeUser, body: Bytes) -> Response {
    match user {
        Ok(SessionUser(user)) => reply(demo.arm_webhook_failures(Some(&user), &body)),
        Err(rejection) => rejection,
    }
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

/// `GET /metrics`: the Vortex metrics for Prometheus.
async fn metrics(State(demo): State<DemoApp>) -> Response {
    let content_type = [(
        axum::http::header::CONTENT_TYPE,
        vortex_demo::metrics::CONTENT_TYPE,
    )];
    (content_type, demo.metrics.render()).into_response()
}

async fn api_docs() -> Html<&'static str> {
    Html(openapi::DOCS_HTML)
}

async fn api_document() -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        openapi::document_json(),
    )
        .into_response()
}

async fn not_found() -> Response {
    reply(DemoResponse::error(404, "Not found"))
}

async fn method_not_allowed() -> Response {
    reply(DemoResponse::error(405, "Method not allowed"))
}

fn app(demo: &DemoApp) -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/api-docs", get(api_docs))
        .route("/api-docs/openapi.json", get(api_document))
        .route("/api/auth/login", post(login))
        .route("/api/auth/logout", post(logout))
        .route("/api/auth/me", get(me))
        .route("/api/demo/events", get(events))
        .route("/api/demo/webhook-failures", post(webhook_failures))
        .route("/metrics", get(metrics))
        .route(
            "/webhooks/vortex",
            // The claim layer: an event is done once the handler answered 2xx.
            post(webhook).layer(vortex_axum::WebhookClaimsLayer::new()),
        )
        .nest(
            "/api/vortex",
            vortex_axum::router::<AppState, SessionUser>(demo.routes.clone()),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

/// The app with its sessions: in Redis when `REDIS_URL` is set (shared by all instances),
/// else in this process's memory.
async fn with_sessions(app: Router, config: &DemoConfig) -> Result<Router, String> {
    let Some(url) = &config.redis_url else {
        return Ok(app.layer(session::layer(
            MemoryStore::default(),
            &config.session_secret,
        )));
    };
    let redis = Config::from_url(url).map_err(|e| format!("REDIS_URL is not valid: {e}"))?;
    let pool = Pool::new(redis, None, None, None, 4).map_err(|e| e.to_string())?;
    pool.init()
        .await
        .map_err(|e| format!("cannot connect to REDIS_URL: {e}"))?;
    let store = RedisStore::new(pool);
    Ok(app.layer(session::layer(store, &config.session_secret)))
}

#[tokio::main]
async fn main() {
    if let Err(message) = run().await {
        eprintln!("axum-demo: {message}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), String> {
    vortex_demo::logging::init_tracing();
    let config = DemoConfig::from_env()?;
    let listener = tokio::net::TcpListener::bind((config.host, config.port))
        .await
        .map_err(|e| format!("cannot listen on {}:{}: {e}", config.host, config.port))?;
    let listening = listener.local_addr().map_err(|e| e.to_string())?;
    let upstream = Upstream::start(&config, listening).await?;
    let demo = DemoApp::new(&config, &upstream).await?;
    let state = AppState {
        webhooks: demo.webhooks.clone(),
        demo: demo.clone(),
    };
    let app = with_sessions(app(&demo).with_state(state), &config).await?;
    print_banner(&config, listening, &upstream.describe());
    serve::serve(listener, app, serving::shutdown_signal()).await;
    drop(upstream); // the embedded mock lives as long as the server
    Ok(())
}
