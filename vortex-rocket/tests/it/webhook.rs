//! `VerifiedWebhook`: accept, reject, replay, missing verifier.

use std::sync::atomic::{AtomicUsize, Ordering};

use rocket::data::FromData;
use rocket::error::ErrorKind;
use rocket::http::{Header, Method};
use rocket::local::asynchronous::{Client, LocalResponse};
use rocket::outcome::Outcome;
use rocket::route::{self, Route};
use rocket::{Build, Data, Request, Rocket, State, post, routes};
use serde_json::json;
use vortex_client::webhook::sign_payload;
use vortex_rocket::WebhookVerifier;
use vortex_rocket::{Duplicate, VerifiedWebhook, VortexResponse};

use crate::support::{Answer, client, rocket};

const SECRET: &str = "whsec_test";

/// How many times the handler ran.
#[derive(Default)]
struct Calls(AtomicUsize);

#[post("/webhooks/vortex", data = "<webhook>")]
fn on_event(webhook: VerifiedWebhook, calls: &State<Calls>) -> Result<String, Duplicate> {
    let (event, body) = webhook.into_parts()?;
    calls.0.fetch_add(1, Ordering::SeqCst);
    Ok(json!({ "received": true, "id": event.id(), "bytes": body.len() }).to_string())
}

#[post("/webhooks/result", data = "<webhook>")]
fn on_event_result(
    webhook: Result<VerifiedWebhook, VortexResponse>,
    calls: &State<Calls>,
) -> Result<String, VortexResponse> {
    let webhook = webhook?;
    let event = webhook.event()?;
    calls.0.fetch_add(1, Ordering::SeqCst);
    Ok(json!({ "received": true, "id": event.id() }).to_string())
}

fn app(verifier: WebhookVerifier) -> Rocket<Build> {
    rocket()
        .manage(verifier)
        .attach(vortex_rocket::WebhookClaims::new())
        .manage(Calls::default())
        .mount("/", routes![on_event, on_event_result])
        .register("/webhooks/vortex", vortex_rocket::catchers())
}

fn event(id: &str) -> String {
    json!({"id": id, "type": "invitation.accepted", "timestamp": "2026-01-01T00:00:00Z", "data": {}})
        .to_string()
}

async fn send<'c>(
    client: &'c Client,
    path: &str,
    signatures: &[&str],
    body: &str,
) -> LocalResponse<'c> {
    let mut request = client.post(path.to_owned()).body(body);
    for signature in signatures {
        request = request.header(Header::new("X-Vortex-Signature", (*signature).to_owned()));
    }
    request.dispatch().await
}

fn calls(client: &Client) -> usize {
    client
        .rocket()
        .state::<Calls>()
        .unwrap()
        .0
        .load(Ordering::SeqCst)
}

#[rocket::async_test]
async fn accepts_a_signed_event_once() {
    let client = client(app(WebhookVerifier::new(SECRET)
        .unwrap()
        .claims_in_memory()))
    .await;
    let body = event("evt_1");
    let signature = sign_payload(SECRET, body.as_bytes());

    let first = Answer::of(send(&client, "/webhooks/vortex", &[&signature], &body).await).await;
    assert_eq!(first.status, 200);
    assert_eq!(
        first.body,
        json!({"received": true, "id": "evt_1", "bytes": body.len()})
    );

    let replay = Answer::of(send(&client, "/webhooks/vortex", &[&signature], &body).await).await;
    assert_eq!(replay.status, 200);
    assert_eq!(replay.content_type.as_deref(), Some("application/json"));
    assert_eq!(replay.body, json!({"received": true, "duplicate": true}));
    assert_eq!(calls(&client), 1, "the handler ran once");

    // The `Result` form needs no catcher, replay included.
    let body = event("evt_2");
    let signature = sign_payload(SECRET, body.as_bytes());
    let first = Answer::of(send(&client, "/webhooks/result", &[&signature], &body).await).await;
    assert_eq!(first.body, json!({"received": true, "id": "evt_2"}));
    let replay = Answer::of(send(&client, "/webhooks/result", &[&signature], &body).await).await;
    assert_eq!(replay.status, 200);
    assert_eq!(replay.body, json!({"received": true, "duplicate": true}));
    assert_eq!(calls(&client), 2);
}

#[rocket::async_test]
async fn rejections_are_the_core_json() {
    let client = client(app(WebhookVerifier::new(SECRET).unwrap().body_limit(256))).await;
    let body = event("evt_1");
    let good = sign_payload(SECRET, body.as_bytes());
    let array = "[1,2]";
    let signed_array = sign_payload(SECRET, array.as_bytes());
    let big = format!(r#"{{"pad":"{}"}}"#, "x".repeat(300));
    let signed_big = sign_payload(SECRET, big.as_bytes());

    for path in ["/webhooks/vortex", "/webhooks/result"] {
        let cases: [(&[&str], &str, u16, &str); 6] = [
            (
                &[&good, &good],
                &body,
                400,
                "Multiple X-Vortex-Signature headers are not allowed",
            ),
            (&[], &body, 401, "Missing X-Vortex-Signature header"),
            (&[""], &body, 401, "Missing X-Vortex-Signature header"),
            (&["00ff"], &body, 401, "Invalid signature"),
            (
                &[&signed_big],
                &big,
                413,
                "Webhook body is too large: the limit is 256 bytes",
            ),
            (&[&signed_array], array, 400, ""),
        ];
        for (signatures, body, status, message) in cases {
            let answer = Answer::of(send(&client, path, signatures, body).await).await;
            assert_eq!(
                answer.status, status,
                "{path} {signatures:?}: {:?}",
                answer.body
            );
            assert_eq!(answer.content_type.as_deref(), Some("application/json"));
            let error = answer.body["error"].as_str().unwrap();
            if message.is_empty() {
                assert!(
                    error.starts_with("Webhook body must be a JSON object"),
                    "{error}"
                );
            } else {
                assert_eq!(error, message, "{path}");
            }
        }
    }
    assert_eq!(calls(&client), 0);
}

#[rocket::async_test]
async fn a_missing_verifier_aborts_launch() {
    let rocket = rocket()
        .manage(Calls::default())
        .mount("/", routes![on_event]);
    let error = Client::tracked(rocket).await.unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::SentinelAborts(_)),
        "{error:?}"
    );
}

/// A hand-built route (sentinels only see macro-built routes) using the guard.
fn raw_webhook<'r>(request: &'r Request<'_>, data: Data<'r>) -> route::BoxFuture<'r> {
    Box::pin(async move {
        match <VerifiedWebhook>::from_data(request, data).await {
            Outcome::Success(_) => route::Outcome::from(request, "ok"),
            Outcome::Error((status, _)) => route::Outcome::Error(status),
            Outcome::Forward(forward) => route::Outcome::Forward(forward),
        }
    })
}

#[rocket::async_test]
async fn a_missing_verifier_answers_500_naming_manage() {
    let rocket = rocket()
        .mount(
            "/",
            vec![Route::new(Method::Post, "/raw-webhook", raw_webhook)],
        )
        .register("/raw-webhook", vortex_rocket::catchers());
    let client = client(rocket).await;
    let body = event("evt_1");
    let signature = sign_payload(SECRET, body.as_bytes());
    let answer = Answer::of(send(&client, "/raw-webhook", &[&signature], &body).await).await;
    assert_eq!(answer.status, 500);
    let error = answer.body["error"].as_str().unwrap();
    assert!(error.contains(".manage(WebhookVerifier"), "{error}");
}

#[rocket::async_test]
async fn without_catchers_statuses_hold_and_a_duplicate_is_json() {
    let rocket = rocket()
        .manage(WebhookVerifier::new(SECRET).unwrap().claims_in_memory())
        .attach(vortex_rocket::WebhookClaims::new())
        .manage(Calls::default())
        .mount("/", routes![on_event]);
    let client = client(rocket).await;
    let body = event("evt_1");
    let signature = sign_payload(SECRET, body.as_bytes());
    assert_eq!(
        send(&client, "/webhooks/vortex", &[&signature], &body)
            .await
            .status()
            .code,
        200
    );
    // A replay is the JSON 200 without any catcher, and the event is not handled again.
    let replay = Answer::of(send(&client, "/webhooks/vortex", &[&signature], &body).await).await;
    assert_eq!(replay.status, 200);
    assert_eq!(replay.content_type.as_deref(), Some("application/json"));
    assert_eq!(replay.body, json!({"received": true, "duplicate": true}));
    assert_eq!(calls(&client), 1);
    let unsigned = send(&client, "/webhooks/vortex", &[], &body).await;
    assert_eq!(unsigned.status().code, 401);
}

#[rocket::async_test]
async fn an_event_store_without_the_fairing_aborts_launch() {
    let rocket = rocket()
        .manage(WebhookVerifier::new(SECRET).unwrap().claims_in_memory())
        .manage(Calls::default())
        .mount("/", routes![on_event])
        .register("/webhooks/vortex", vortex_rocket::catchers());
    let error = Client::tracked(rocket).await.unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::SentinelAborts(_)),
        "{error:?}"
    );
}

#[rocket::async_test]
async fn an_event_store_without_the_fairing_is_a_loud_500_on_a_hand_built_route() {
    let rocket = rocket()
        .manage(WebhookVerifier::new(SECRET).unwrap().claims_in_memory())
        .mount(
            "/",
            vec![Route::new(Method::Post, "/raw-webhook", raw_webhook)],
        )
        .register("/raw-webhook", vortex_rocket::catchers());
    let client = client(rocket).await;
    let body = event("evt_1");
    let signature = sign_payload(SECRET, body.as_bytes());
    for _ in 0..2 {
        let answer = Answer::of(send(&client, "/raw-webhook", &[&signature], &body).await).await;
        assert_eq!(answer.status, 500);
        let error = answer.body["error"].as_str().unwrap();
        assert!(
            error.contains(".attach(vortex_rocket::WebhookClaims::new())"),
            "{error}"
        );
    }
}

/// `WebhookClaims` attached twice is one fairing (no duplicate managed state).
#[rocket::async_test]
async fn the_fairing_attached_twice_launches() {
    let rocket = app(WebhookVerifier::new(SECRET).unwrap().claims_in_memory())
        .attach(vortex_rocket::WebhookClaims::new());
    let client = client(rocket).await;
    let body = event("evt_1");
    let signature = sign_payload(SECRET, body.as_bytes());
    let answer = Answer::of(send(&client, "/webhooks/vortex", &[&signature], &body).await).await;
    assert_eq!(answer.status, 200);
}
