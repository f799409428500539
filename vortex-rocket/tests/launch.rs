//! What Rocket's log says at launch and per request (what a default Rocket app prints): the
//! mistakes of a `VerifiedWebhook` app named with the call to add, and a duplicate delivery
//! not reported as a failure. Its own test binary: it installs the process's `log` logger
//! before Rocket would.

use std::sync::{Mutex, Once};

use rocket::error::ErrorKind;
use rocket::http::{Header, Status};
use rocket::local::asynchronous::Client;
use rocket::log::private as log;
use rocket::{Build, Rocket, post, routes};
use vortex_client::webhook::sign_payload;
use vortex_rocket::{Duplicate, VerifiedWebhook, WebhookVerifier};

/// Every log record of the process.
static RECORDS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// One test at a time reads the records.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let line = format!("{} {}", record.level(), record.args());
        RECORDS.lock().unwrap().push(line);
    }

    fn flush(&self) {}
}

/// Installs the capture (once) and forgets the records so far.
fn capture() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        log::set_logger(&Capture).expect("the first logger of this process");
        log::set_max_level(log::LevelFilter::Trace);
    });
    RECORDS.lock().unwrap().clear();
}

/// The records since [`capture`].
fn records() -> String {
    RECORDS.lock().unwrap().join("\n")
}

/// The record naming `VerifiedWebhook<`, which must contain `fix`.
fn named(records: &str, fix: &str) -> String {
    let line = records
        .lines()
        .find(|line| line.contains("VerifiedWebhook<") && line.contains(fix));
    line.unwrap_or_else(|| panic!("no message naming {fix} in:\n{records}"))
        .to_owned()
}

const SECRET: &str = "whsec_test";

#[post("/webhooks/vortex", data = "<webhook>")]
fn on_event(webhook: VerifiedWebhook) -> Result<Vec<u8>, Duplicate> {
    Ok(webhook.into_parts()?.1)
}

async fn aborts(rocket: Rocket<Build>) {
    let error = Client::tracked(rocket)
        .await
        .expect_err("launch must abort");
    assert!(
        matches!(error.kind(), ErrorKind::SentinelAborts(_)),
        "{error:?}"
    );
}

#[rocket::async_test]
async fn a_missing_verifier_is_named_at_launch() {
    let _serial = SERIAL.lock().await;
    capture();
    aborts(rocket::build().mount("/", routes![on_event])).await;
    let line = named(&records(), ".manage(WebhookVerifier::new(secret)?)");
    assert!(line.starts_with("ERROR"), "{line}");
}

#[rocket::async_test]
async fn an_event_store_without_webhook_claims_is_named_at_launch() {
    let _serial = SERIAL.lock().await;
    capture();
    let verifier = WebhookVerifier::new(SECRET).unwrap().claims_in_memory();
    let rocket = rocket::build()
        .manage(verifier)
        .mount("/", routes![on_event])
        .register("/", vortex_rocket::catchers());
    aborts(rocket).await;
    let line = named(&records(), ".attach(vortex_rocket::WebhookClaims::new())");
    assert!(line.starts_with("ERROR"), "{line}");
    assert!(line.contains("needs the WebhookClaims fairing"), "{line}");
}

#[rocket::async_test]
async fn missing_catchers_are_named_at_launch() {
    let _serial = SERIAL.lock().await;
    let app = || {
        rocket::build()
            .manage(WebhookVerifier::new(SECRET).unwrap())
            .mount("/", routes![on_event])
    };
    let fix = r#".register("/", vortex_rocket::catchers())"#;

    capture();
    Client::tracked(app()).await.expect("a warning only");
    let line = named(&records(), fix);
    assert!(line.starts_with("WARN"), "{line}");
    assert!(line.contains("POST /webhooks/vortex"), "{line}");

    for base in ["/", "/webhooks"] {
        capture();
        let rocket = app().register(base, vortex_rocket::catchers());
        Client::tracked(rocket).await.unwrap();
        let records = records();
        assert!(!records.contains(fix), "{base}: {records}");
    }
}

#[rocket::async_test]
async fn a_duplicate_is_json_and_not_logged_as_a_failure() {
    let _serial = SERIAL.lock().await;
    capture();
    // No catchers: the duplicate's JSON comes from the handler.
    let rocket = rocket::build()
        .manage(WebhookVerifier::new(SECRET).unwrap().claims_in_memory())
        .attach(vortex_rocket::WebhookClaims::new())
        .mount("/", routes![on_event]);
    let client = Client::tracked(rocket).await.unwrap();
    let body = r#"{"id":"evt_1","type":"invitation.accepted"}"#;
    let send = || {
        client
            .post("/webhooks/vortex")
            .header(Header::new(
                "x-vortex-signature",
                sign_payload(SECRET, body.as_bytes()),
            ))
            .body(body)
            .dispatch()
    };
    assert_eq!(send().await.into_string().await.unwrap(), body);

    capture();
    let replay = send().await;
    assert_eq!(replay.status(), Status::Ok);
    assert_eq!(replay.content_type(), Some(rocket::http::ContentType::JSON));
    assert_eq!(
        replay.into_string().await.unwrap(),
        r#"{"received":true,"duplicate":true}"#
    );
    let records = records();
    assert!(records.contains("Success(200 OK)"), "{records}");
    for failure in ["failed", "Error(", "catcher", "ERROR"] {
        assert!(!records.contains(failure), "{failure}: {records}");
    }
}
