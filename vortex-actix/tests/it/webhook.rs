//! `VerifiedWebhook`: accept, reject, replay, limits, and a missing verifier.

use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::test::{TestRequest, init_service};
use actix_web::{App, HttpResponse, web};
use serde_json::json;
use vortex_actix::VerifiedWebhook;
use vortex_actix::WebhookVerifier;
use vortex_client::webhook::sign_payload;

use crate::support::send;

const SECRET: &str = "whsec_test";
const EVENT: &str = r#"{"id":"evt_1","type":"invitation.accepted","timestamp":"2026-01-01T00:00:00Z","data":{"id":"inv-1"}}"#;

async fn on_event(webhook: VerifiedWebhook, calls: web::Data<AtomicUsize>) -> HttpResponse {
    calls.fetch_add(1, Ordering::SeqCst);
    HttpResponse::Ok().json(json!({
        "id": webhook.event.id(),
        "bytes": webhook.body.len(),
    }))
}

fn signed(body: &str) -> TestRequest {
    TestRequest::post()
        .uri("/webhooks/vortex")
        .insert_header(("X-Vortex-Signature", sign_payload(SECRET, body.as_bytes())))
        .set_payload(body.to_owned())
}

macro_rules! webhook_app {
    ($verifier:expr, $calls:expr) => {
        init_service(
            App::new()
                .app_data($verifier)
                .app_data($calls.clone())
                .service(
                    web::resource("/webhooks/vortex")
                        .wrap(vortex_actix::WebhookClaims::new())
                        .route(web::post().to(on_event)),
                ),
        )
        .await
    };
}

#[actix_web::test]
async fn accepts_rejects_and_answers_replays() {
    let calls = web::Data::new(AtomicUsize::new(0));
    let verifier = web::Data::new(WebhookVerifier::new(SECRET).unwrap().claims_in_memory());
    let app = webhook_app!(verifier, calls);

    let answer = send(&app, signed(EVENT).to_request()).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.json(), json!({"id": "evt_1", "bytes": EVENT.len()}));

    let replay = send(&app, signed(EVENT).to_request()).await;
    assert_eq!(replay.status, 200);
    // `json()` checks the content type: a duplicate is never HTML.
    assert_eq!(replay.json(), json!({"received": true, "duplicate": true}));
    assert_eq!(calls.load(Ordering::SeqCst), 1, "the handler ran once");

    let unsigned = TestRequest::post()
        .uri("/webhooks/vortex")
        .set_payload(EVENT);
    assert_eq!(
        send(&app, unsigned.to_request()).await.error(401),
        "Missing X-Vortex-Signature header"
    );
    let empty = TestRequest::post()
        .uri("/webhooks/vortex")
        .insert_header(("x-vortex-signature", ""))
        .set_payload(EVENT);
    assert_eq!(
        send(&app, empty.to_request()).await.error(401),
        "Missing X-Vortex-Signature header"
    );
    let tampered = signed(EVENT).set_payload(EVENT.replace("inv-1", "inv-2"));
    assert_eq!(
        send(&app, tampered.to_request()).await.error(401),
        "Invalid signature"
    );
    let twice = signed(EVENT).append_header(("x-vortex-signature", "00"));
    assert_eq!(
        send(&app, twice.to_request()).await.error(400),
        "Multiple X-Vortex-Signature headers are not allowed"
    );
    let array = send(&app, signed("[1,2]").to_request()).await;
    assert!(
        array
            .error(400)
            .starts_with("Webhook body must be a JSON object")
    );
    let not_json = send(&app, signed("{oops").to_request()).await;
    assert!(
        not_json
            .error(400)
            .starts_with("Webhook body must be a JSON object")
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[actix_web::test]
async fn body_limit_and_header_order() {
    let calls = web::Data::new(AtomicUsize::new(0));
    let verifier = web::Data::new(WebhookVerifier::new(SECRET).unwrap().body_limit(64));
    let app = webhook_app!(verifier, calls);
    let large = format!(r#"{{"id":"e","type":"t","pad":"{}"}}"#, "x".repeat(100));
    assert_eq!(
        send(&app, signed(&large).to_request()).await.error(413),
        "Webhook body is too large: the limit is 64 bytes"
    );
    // A Content-Length over the limit is refused before reading, whatever follows.
    let claims_large = signed(EVENT).insert_header(("content-length", "100000"));
    assert_eq!(send(&app, claims_large.to_request()).await.status, 413);
    // A small Content-Length does not let a large body through.
    let claims_small = signed(&large).insert_header(("content-length", "5"));
    assert_eq!(send(&app, claims_small.to_request()).await.status, 413);
    // Headers are checked before the body: an unsigned oversized body is 401, not 413.
    let unsigned = TestRequest::post()
        .uri("/webhooks/vortex")
        .set_payload(large.clone());
    assert_eq!(send(&app, unsigned.to_request()).await.status, 401);
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[actix_web::test]
async fn the_default_limit_is_one_mebibyte() {
    let calls = web::Data::new(AtomicUsize::new(0));
    let verifier = web::Data::new(WebhookVerifier::new(SECRET).unwrap());
    let app = webhook_app!(verifier, calls);
    let body = |len: usize| {
        let mut body = r#"{"id":"e","type":"t"}"#.to_owned();
        body.extend(std::iter::repeat_n(' ', len - body.len()));
        body
    };
    assert_eq!(
        send(&app, signed(&body(1 << 20)).to_request()).await.status,
        200
    );
    assert_eq!(
        send(&app, signed(&body((1 << 20) + 1)).to_request())
            .await
            .error(413),
        "Webhook body is too large: the limit is 1048576 bytes"
    );
}

#[actix_web::test]
async fn a_plain_verifier_in_app_data_works_too() {
    let calls = web::Data::new(AtomicUsize::new(0));
    let app = webhook_app!(WebhookVerifier::new(SECRET).unwrap(), calls);
    assert_eq!(send(&app, signed(EVENT).to_request()).await.status, 200);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[actix_web::test]
async fn a_missing_verifier_is_a_500_that_names_the_fix() {
    let calls = web::Data::new(AtomicUsize::new(0));
    let app = init_service(
        App::new()
            .app_data(calls.clone())
            .route("/webhooks/vortex", web::post().to(on_event)),
    )
    .await;
    let answer = send(&app, signed(EVENT).to_request()).await;
    let message = answer.error(500);
    assert!(
        message.contains(".app_data(web::Data::new(WebhookVerifier::new("),
        "{message}"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[actix_web::test]
async fn an_event_store_without_the_middleware_is_a_loud_500() {
    let calls = web::Data::new(AtomicUsize::new(0));
    let verifier = web::Data::new(WebhookVerifier::new(SECRET).unwrap().claims_in_memory());
    let app = init_service(
        App::new()
            .app_data(verifier)
            .app_data(calls.clone())
            .route("/webhooks/vortex", web::post().to(on_event)),
    )
    .await;
    for _ in 0..2 {
        let error = send(&app, signed(EVENT).to_request()).await.error(500);
        assert!(
            error.contains(".wrap(vortex_actix::WebhookClaims::new())"),
            "{error}"
        );
    }
    assert_eq!(
        calls.load(Ordering::SeqCst),
        0,
        "the handler never ran without the middleware"
    );
}

/// Captured log output.
#[derive(Clone, Default)]
struct Log(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Log {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// actix-web has no launch hook: the first delivery names each mistake at error level.
#[actix_web::test]
async fn mistakes_are_logged_at_error_level_with_the_fix() {
    let log = Log::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _default = tracing::subscriber::set_default(subscriber);
    let calls = web::Data::new(AtomicUsize::new(0));
    let without_verifier = init_service(
        App::new()
            .app_data(calls.clone())
            .route("/webhooks/vortex", web::post().to(on_event)),
    )
    .await;
    send(&without_verifier, signed(EVENT).to_request()).await;
    let verifier = web::Data::new(WebhookVerifier::new(SECRET).unwrap().claims_in_memory());
    let without_middleware = init_service(
        App::new()
            .app_data(verifier)
            .app_data(calls.clone())
            .route("/webhooks/vortex", web::post().to(on_event)),
    )
    .await;
    send(&without_middleware, signed(EVENT).to_request()).await;

    let log = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    let errors: Vec<&str> = log.lines().filter(|line| line.contains("ERROR")).collect();
    assert_eq!(errors.len(), 2, "{log}");
    assert!(
        errors[0].contains(".app_data(web::Data::new(WebhookVerifier::new(secret)?))"),
        "{}",
        errors[0]
    );
    assert!(
        errors[1].contains(".wrap(vortex_actix::WebhookClaims::new())"),
        "{}",
        errors[1]
    );
}
