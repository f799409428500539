//! A `VerifiedWebhook` route without `.manage(verifier)` fails at launch with the crate's own
//! message, naming the call to add, in Rocket's log (what a default Rocket app prints). Its
//! own test binary: the test installs the process's `log` logger before Rocket would.

use std::sync::Mutex;

use rocket::error::ErrorKind;
use rocket::log::private as log;
use rocket::{post, routes};
use vortex_rocket::VerifiedWebhook;

/// Every log record of the process.
static RECORDS: Mutex<Vec<String>> = Mutex::new(Vec::new());

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

#[post("/webhooks/vortex", data = "<webhook>")]
fn on_event(webhook: VerifiedWebhook) -> Vec<u8> {
    webhook.body
}

#[rocket::async_test]
async fn a_missing_verifier_is_named_at_launch() {
    log::set_logger(&Capture).expect("the first logger of this process");
    log::set_max_level(log::LevelFilter::Trace);
    let rocket = rocket::build().mount("/", routes![on_event]);
    let error = rocket::local::asynchronous::Client::tracked(rocket)
        .await
        .expect_err("launch must abort");
    assert!(
        matches!(error.kind(), ErrorKind::SentinelAborts(_)),
        "{error:?}"
    );
    let records = RECORDS.lock().unwrap().join("\n");
    let named = records
        .lines()
        .find(|line| line.contains("VerifiedWebhook<"));
    let line = named.unwrap_or_else(|| panic!("no message naming VerifiedWebhook in:\n{records}"));
    assert!(line.starts_with("ERROR"), "{line}");
    assert!(
        line.contains(".manage(WebhookVerifier::new(secret)?)"),
        "{line}"
    );
}
