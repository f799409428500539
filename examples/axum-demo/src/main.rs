//! The Vortex demo on axum: `tower-sessions` sessions (in memory, or in Redis with
//! `REDIS_URL`), the Vortex routes nested at `/api/vortex`, verified webhooks, and a
//! production server (see [`serve`]).
//!
//! Run with `cargo run -p axum-demo`, then open <http://127.0.0.1:3000>.
//! Without `VORTEX_API_KEY` it runs on an embedded vortex-mock; the environment variables
//! it reads are listed in `vortex_demo::config`.

mod bound;
mod serve;
mod session;

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{FromRef, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use bound::Bounded;
use hyper::body::Incoming;
use session::SessionUser;
use tower::{Layer as _, Service};
use tower_sessions::{MemoryStore, Session, SessionStore};
use tower_sessions_redis_store::RedisStore;
use tower_sessions_redis_store::fred::prelude::{
    ClientLike as _, Config, ConnectionConfig, PerformanceConfig, Pool, ReconnectPolicy,
};
use tower_sessions_redis_store::fred::types::config::UnresponsiveConfig;
use vortex_axum::VerifiedWebhook;
use vortex_axum::WebhookVerifier;
use vortex_demo::app::SESSION_USER_ID;
use vortex_demo::{
    DemoApp, DemoConfig, DemoResponse, Upstream, openapi, page, print_banner, serving,
};

/// The app's state. axum copies the state for every request (twice for a handler that
/// extracts it), so it is one `Arc`: each copy is one reference count, whatever it holds.
#[derive(Clone)]
struct AppState(Arc<Shared>);

struct Shared {
    demo: DemoApp,
    /// The Redis pool of the sessions, when they are kept in Redis (for `/readyz`).
    sessions: Option<Pool>,
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// For the [`VerifiedWebhook`] extractor.
impl FromRef<AppState> for WebhookVerifier {
    fn from_ref(state: &AppState) -> Self {
        state.demo.webhooks.clone()
    }
}

/// The signed-in user, or the extractor's rejection (401, or 500 when sessions fail).
type MaybeUser = Result<SessionUser, Response>;

fn reply(answer: DemoResponse) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(answer.body)).into_response()
}

/// A session store error: 503, so the caller retries once the store (Redis) is back.
fn session_store_down(cause: &dyn std::fmt::Display) -> Response {
    tracing::error!("session store: {cause}");
    let mut answer = reply(DemoResponse::error(503, session::SESSION_STORE_UNAVAILABLE));
    answer
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    answer
}

async fn login(State(app): State<AppState>, session: Session, body: Bytes) -> Response {
    let user = match app.demo.login(&body) {
        Ok(user) => user,
        Err(answer) => return reply(answer),
    };
    // A new session id at sign-in, so a planted cookie cannot ride on the new session.
    if let Err(e) = session.cycle_id().await {
        return session_store_down(&e);
    }
    if let Err(e) = session.insert(SESSION_USER_ID, &user.id).await {
        return session_store_down(&e);
    }
    reply(DemoResponse::user(&user))
}

async fn logout(State(app): State<AppState>, session: Session) -> Response {
    match session.flush().await {
        Ok(()) => reply(app.demo.logout()),
        Err(e) => session_store_down(&e),
    }
}

async fn me(State(app): State<AppState>, user: MaybeUser) -> Response {
    match user {
        Ok(SessionUser(user)) => reply(app.demo.me(Some(&user))),
        Err(rejection) => rejection,
    }
}

async fn events(State(app): State<AppState>, user: MaybeUser) -> Response {
    match user {
        Ok(SessionUser(user)) => reply(app.demo.events(Some(&user))),
        Err(rejection) => rejection,
    }
}

async fn webhook_failures(State(app): State<AppState>, user: MaybeUser, body: Bytes) -> Response {
    match user {
        Ok(SessionUser(user)) => reply(app.demo.arm_webhook_failures(Some(&user), &body)),
        Err(rejection) => rejection,
    }
}

async fn webhook(
    State(app): State<AppState>,
    VerifiedWebhook { event, .. }: VerifiedWebhook,
) -> Response {
    reply(app.demo.received(&event))
}

async fn healthz(State(app): State<AppState>) -> Response {
    reply(app.demo.health())
}

async fn readyz(State(app): State<AppState>) -> Response {
    let sessions = app.sessions.clone().map(|pool| async move {
        pool.ping::<String>(None)
            .await
            .map(drop)
            .map_err(|e| e.to_string())
    });
    reply(app.demo.readiness(sessions).await)
}

async fn index() -> Html<&'static str> {
    Html(page::INDEX_HTML)
}

/// `GET /metrics`: the Vortex metrics for Prometheus.
async fn metrics(State(app): State<AppState>) -> Response {
    let content_type = [(
        axum::http::header::CONTENT_TYPE,
        vortex_demo::metrics::CONTENT_TYPE,
    )];
    (content_type, app.demo.metrics.render()).into_response()
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
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
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

/// The limit on each Redis command of the sessions, connecting included: 2 s. A session read
/// past it fails, and the routes answer 503 (never a hang); the Vortex routes' own user
/// timeout (5 s) stays above it.
const SESSION_REDIS_TIMEOUT: Duration = Duration::from_secs(2);

/// The Redis pool of the sessions, connected: every command bounded, and reconnecting for
/// good (backoff from 100 ms up to 2 s) after Redis restarts. fred's defaults do neither:
/// without a reconnect policy a pool stays disconnected after a restart, and without a
/// command timeout a command waits for good.
async fn session_pool(url: &str) -> Result<Pool, String> {
    let redis = Config::from_url(url).map_err(|e| format!("REDIS_URL is not valid: {e}"))?;
    let performance = PerformanceConfig {
        default_command_timeout: SESSION_REDIS_TIMEOUT,
        ..PerformanceConfig::default()
    };
    let connection = ConnectionConfig {
        connection_timeout: SESSION_REDIS_TIMEOUT,
        internal_command_timeout: SESSION_REDIS_TIMEOUT,
        // A connection that stops answering is dropped and reconnected.
        unresponsive: UnresponsiveConfig {
            max_timeout: Some(SESSION_REDIS_TIMEOUT),
            interval: Duration::from_millis(500),
        },
        ..ConnectionConfig::default()
    };
    // 0 attempts: no limit. Delays 100 ms, 200 ms, … up to 2 s.
    let reconnect = ReconnectPolicy::new_exponential(0, 100, 2_000, 2);
    let pool = Pool::new(
        redis,
        Some(performance),
        Some(connection),
        Some(reconnect),
        4,
    )
    .map_err(|e| e.to_string())?;
    // With a reconnect policy `init` would wait for Redis for good: bound it.
    let _connection = pool.connect();
    tokio::time::timeout(SESSION_REDIS_TIMEOUT * 2, pool.wait_for_connect())
        .await
        .map_err(|_| {
            format!(
                "cannot connect to REDIS_URL within {:?}",
                SESSION_REDIS_TIMEOUT * 2
            )
        })?
        .map_err(|e| format!("cannot connect to REDIS_URL: {e}"))?;
    Ok(pool)
}

/// The app with its sessions kept in `store`, every request bounded by
/// [`REQUEST_TIMEOUT`](vortex_demo::serving::REQUEST_TIMEOUT).
///
/// The layers wrap the whole router rather than each route (`Router::layer`): for each
/// request they then copy the router (one reference count) instead of a boxed stack per
/// route. The bound is outermost, so that it also bounds the session layer's save after the
/// handler.
fn with_sessions<S: SessionStore + Clone>(
    app: Router,
    store: S,
    config: &DemoConfig,
) -> impl Service<Request<Incoming>, Response = Response, Error = Infallible, Future: Send>
+ Clone
+ Send
+ 'static {
    Bounded::new(session::layer(store, &config.session_secret).layer(app))
}

#[tokio::main]
async fn main() {
    if let Err(message) = run().await {
        eprintln!("axum-demo: {message}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), String> {
    // Held until run returns: dropping it writes out the queued log lines.
    let _logs = vortex_demo::logging::init_tracing();
    let config = DemoConfig::from_env()?;
    let listener = tokio::net::TcpListener::bind((config.host, config.port))
        .await
        .map_err(|e| format!("cannot listen on {}:{}: {e}", config.host, config.port))?;
    let listening = listener.local_addr().map_err(|e| e.to_string())?;
    let upstream = Upstream::start(&config, listening).await?;
    let demo = DemoApp::new(&config, &upstream).await?;
    let pool = match &config.redis_url {
        Some(url) => Some(session_pool(url).await?),
        None => None,
    };
    let state = AppState(Arc::new(Shared {
        demo: demo.clone(),
        sessions: pool.clone(),
    }));
    let app = app(&demo).with_state(state);
    print_banner(&config, listening, &upstream.describe());
    let shutdown = serving::shutdown_signal();
    // Sessions in Redis when it is configured (shared by all instances), else in this
    // process's memory.
    match pool {
        Some(pool) => {
            let app = with_sessions(app, RedisStore::new(pool), &config);
            serve::serve(listener, app, shutdown).await;
        }
        None => {
            let app = with_sessions(app, MemoryStore::default(), &config);
            serve::serve(listener, app, shutdown).await;
        }
    }
    drop(upstream); // the embedded mock lives as long as the server
    Ok(())
}
