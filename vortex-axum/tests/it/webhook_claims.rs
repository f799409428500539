//! The `WebhookClaimsLayer`: a verifier with an event store needs it (a loud 500 without),
//! and with it a failed handler run releases the event for the retry.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{FromRef, State};
use axum::http::{Request, StatusCode};
use axum::routing::post;
use serde_json::{Value, json};
use tower::ServiceExt as _;
use vortex_axum::{VerifiedWebhook, WebhookClaimsLayer, WebhookVerifier, sign_payload};

const SECRET: &str = "whsec_layer_test";
const EVENT: &str = r#"{"id":"evt_1","type":"invitation.accepted"}"#;

#[derive(Clone, FromRef)]
struct AppState {
    webhooks: WebhookVerifier,
    runs: Arc<AtomicUsize>,
}

/// Fails its first run (503), succeeds afterwards.
async fn on_event(State(runs): State<Arc<AtomicUsize>>, _: VerifiedWebhook) -> StatusCode {
    if runs.fetch_add(1, Ordering::SeqCst) == 0 {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    }
}

fn app(with_layer: bool) -> (Router, Arc<AtomicUsize>) {
    let runs = Arc::new(AtomicUsize::new(0));
    let state = AppState {
        webhooks: WebhookVerifier::new(SECRET).unwrap().claims_in_memory(),
        runs: Arc::clone(&runs),
    };
    let router = Router::new().route("/webhooks/vortex", post(on_event));
    let router = if with_layer {
        router.layer(WebhookClaimsLayer::new())
    } else {
        router
    };
    (router.with_state(state), runs)
}

async fn deliver(app: &Router) -> (StatusCode, Value) {
    let request = Request::post("/webhooks/vortex")
        .header("x-vortex-signature", sign_payload(SECRET, EVENT.as_bytes()))
        .body(Body::from(EVENT))
        .unwrap();
    let answer = app.clone().oneshot(request).await.unwrap();
    let status = answer.status();
    let body = to_bytes(answer.into_body(), 4096).await.unwrap();
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn an_event_store_without_the_layer_is_a_loud_500() {
    let (app, runs) = app(false);
    for _ in 0..2 {
        let (status, body) = deliver(&app).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        let error = body["error"].as_str().unwrap();
        assert!(
            error.contains(".layer(vortex_axum::WebhookClaimsLayer::new())"),
            "{error}"
        );
    }
    assert_eq!(
        runs.load(Ordering::SeqCst),
        0,
        "the handler never ran without the layer"
    );
}

#[tokio::test]
async fn a_failed_run_is_released_and_a_success_is_done() {
    let (app, runs) = app(true);
    assert_eq!(deliver(&app).await.0, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        deliver(&app).await.0,
        StatusCode::OK,
        "the retry reached the handler"
    );
    let (status, body) = deliver(&app).await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, json!({"received": true, "duplicate": true}))
    );
    assert_eq!(runs.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_duplicate_is_json() {
    let (app, _) = app(true);
    deliver(&app).await;
    deliver(&app).await;
    let request = Request::post("/webhooks/vortex")
        .header("x-vortex-signature", sign_payload(SECRET, EVENT.as_bytes()))
        .body(Body::from(EVENT))
        .unwrap();
    let answer = app.oneshot(request).await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.headers()["content-type"], "application/json");
    let body = to_bytes(answer.into_body(), 4096).await.unwrap();
    assert_eq!(body, r#"{"received":true,"duplicate":true}"#);
}

/// Captured log output.
#[derive(Clone, Default)]
struct Log(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Log {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// axum has no launch hook: the first delivery names the missing layer at error level.
#[tokio::test]
async fn the_missing_layer_is_logged_at_error_level_with_the_fix() {
    let log = Log::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _default = tracing::subscriber::set_default(subscriber);
    let (app, _) = app(false);
    assert_eq!(deliver(&app).await.0, StatusCode::INTERNAL_SERVER_ERROR);
    let log = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    let line = log.lines().find(|line| line.contains("ERROR"));
    let line = line.unwrap_or_else(|| panic!("no error in:\n{log}"));
    assert!(
        line.contains(".layer(vortex_axum::WebhookClaimsLayer::new())"),
        "{line}"
    );
}
