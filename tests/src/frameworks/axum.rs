//! The test app on axum 0.8 with `vortex-axum` (see [`crate::app`] for the contract).

use std::net::{Ipv4Addr, SocketAddr, TcpListener};

use axum::Router;
use axum::extract::{FromRef, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::sync::oneshot;
use vortex_axum::{CurrentUser, VerifiedWebhook};
use vortex_routes::{VortexUser, WebhookVerifier};

use crate::app::{
    AppConfig, FRESH_WEBHOOK_PATH, Framework, ME_PATH, MOUNT, RunningApp, STALL_HEADER,
    USER_HEADER, WEBHOOK_PATH, WebhookLog, look_up_user, me_body,
};

/// The suite's axum app.
#[derive(Debug, Clone, Copy)]
pub struct AxumFramework;

/// The app's user extractor: [`USER_HEADER`] and [`STALL_HEADER`] through
/// [`look_up_user`]; rejects when anonymous.
struct TestUser(VortexUser);

impl<S: Send + Sync> FromRequestParts<S> for TestUser {
    type Rejection = StatusCode;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, StatusCode> {
        let header = |name: &str| parts.headers.get(name).map(|v| v.as_bytes());
        look_up_user(header(USER_HEADER), header(STALL_HEADER))
            .await
            .map(TestUser)
            .ok_or(StatusCode::UNAUTHORIZED)
    }
}

impl From<TestUser> for VortexUser {
    fn from(user: TestUser) -> Self {
        user.0
    }
}

/// The state of one webhook route: its verifier and the shared log.
#[derive(Clone)]
struct WebhookState {
    verifier: WebhookVerifier,
    log: WebhookLog,
}

impl FromRef<WebhookState> for WebhookVerifier {
    fn from_ref(state: &WebhookState) -> Self {
        state.verifier.clone()
    }
}

fn json_response(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn on_webhook(State(state): State<WebhookState>, webhook: VerifiedWebhook) -> Response {
    let (status, body) = state.log.handle(&webhook.event).await;
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, json_response(body)).into_response()
}

async fn me(user: CurrentUser<TestUser>) -> Response {
    json_response(me_body(&user))
}

fn webhook_route(path: &str, verifier: WebhookVerifier, log: WebhookLog) -> Router {
    Router::new()
        .route(path, post(on_webhook))
        .layer(vortex_axum::WebhookClaimsLayer::new())
        .with_state(WebhookState { verifier, log })
}

/// The app of [`crate::app`], as an axum router.
fn app(config: AppConfig) -> Router {
    Router::new()
        .nest(
            MOUNT,
            vortex_axum::router::<(), TestUser>(config.routes.clone()),
        )
        .route(ME_PATH, get(me))
        .merge(webhook_route(
            WEBHOOK_PATH,
            config.webhooks,
            config.webhook_log.clone(),
        ))
        .merge(webhook_route(
            FRESH_WEBHOOK_PATH,
            config.fresh_webhooks,
            config.webhook_log,
        ))
}

impl Framework for AxumFramework {
    const NAME: &'static str = "axum";

    fn spawn(config: AppConfig) -> RunningApp {
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .expect("bind 127.0.0.1:0");
        listener.set_nonblocking(true).expect("non-blocking socket");
        let addr = listener.local_addr().expect("local address");
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("axum-app".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("tokio runtime");
                runtime.block_on(async move {
                    let listener =
                        tokio::net::TcpListener::from_std(listener).expect("tokio listener");
                    tokio::select! {
                        served = axum::serve(listener, app(config)) => {
                            if let Err(err) = served {
                                eprintln!("axum test app failed: {err}");
                            }
                        }
                        _ = stop_rx => {}
                    }
                });
                // Dropping the runtime cancels the connection tasks still open.
            })
            .expect("spawn the axum app thread");
        RunningApp::new(addr, move || {
            let _ = stop_tx.send(());
            let _ = thread.join();
        })
    }
}
