//! Two instances of a demo sharing one Redis (`REDIS_URL`), one `VORTEX_WEBHOOK_SECRET` and
//! one `SESSION_SECRET` behave as one app for webhooks: a delivery that failed at one
//! instance is handled when Vortex retries it at the other, and a handled event is a
//! duplicate at either.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use vortex_client::webhook::sign_payload;

use crate::process::Demo;
use crate::redis_server::RedisServer;
use crate::serving::{events_of, sign_in};

const WEBHOOK_SECRET: &str = "whsec_two_instances_0123456789";
/// The bound of the retry loops.
const GIVE_UP: Duration = Duration::from_secs(10);

fn client() -> reqwest::Client {
    crate::process::cookie_client(GIVE_UP)
}

/// Delivers the signed `body` to `demo`'s webhook: status and JSON body.
async fn deliver(demo: &Demo, body: &str) -> (u16, Value) {
    let answer = reqwest::Client::new()
        .post(format!("{}/webhooks/vortex", demo.url))
        .header("content-type", "application/json")
        .header(
            "x-vortex-signature",
            sign_payload(WEBHOOK_SECRET, body.as_bytes()),
        )
        .body(body.to_owned())
        .send()
        .await
        .expect("a webhook delivery");
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap_or(Value::Null))
}

/// Delivers as Vortex retries: again while the answer is 409 (the failed run's claim is
/// released a moment after its answer), bounded.
async fn retry(demo: &Demo, body: &str) -> (u16, Value) {
    let deadline = Instant::now() + GIVE_UP;
    loop {
        let answer = deliver(demo, body).await;
        if answer.0 != 409 || Instant::now() > deadline {
            return answer;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn events_with(client: &reqwest::Client, demo: &Demo, id: &str) -> usize {
    let events = events_of(client, demo).await;
    events["events"]
        .as_array()
        .map_or(0, |events| events.iter().filter(|e| e["id"] == id).count())
}

/// Two instances of `binary` on one `redis-server`: a simulated handler failure at the
/// first, Vortex's retry at the second is handled (one entry in its events list); a
/// redelivery of the handled event is a duplicate at either instance, and not listed again.
/// Skipped (with a message) when `redis-server` is not installed outside CI.
///
/// # Panics
///
/// When any of this does not hold.
pub async fn two_instances_share_webhook_claims(binary: &Path) {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let url = redis.url();
    let session = "5e".repeat(64);
    let env = [
        ("RUST_LOG", "warn"),
        ("REDIS_URL", url.as_str()),
        ("VORTEX_WEBHOOK_SECRET", WEBHOOK_SECRET),
        ("SESSION_SECRET", session.as_str()),
    ];
    let first = Demo::start_with(binary, &env);
    let second = Demo::start_with(binary, &env);
    let (admin_first, admin_second) = (client(), client());
    sign_in(&admin_first, &first, "admin@example.com", "password123").await;
    sign_in(&admin_second, &second, "admin@example.com", "password123").await;

    let mut event = vortex_mock::sample_event("invitation.accepted");
    let id = format!("evt-two-instances-{}", std::process::id());
    event["id"] = json!(id);
    let body = event.to_string();

    let armed = admin_first
        .post(format!("{}/api/demo/webhook-failures", first.url))
        .json(&json!({"next": 1}))
        .send()
        .await
        .expect("arm a failure");
    assert_eq!(armed.status(), 200);
    let failed = deliver(&first, &body).await;
    assert_eq!(
        failed,
        (503, json!({"error": "Simulated handler failure"})),
        "the first instance's handler fails"
    );
    let retried = retry(&second, &body).await;
    assert_eq!(
        retried,
        (200, json!({"received": true})),
        "Vortex's retry at the other instance is handled"
    );
    for demo in [&first, &second] {
        let again = deliver(demo, &body).await;
        assert_eq!(
            again,
            (200, json!({"received": true, "duplicate": true})),
            "a redelivery at {} is a duplicate",
            demo.url
        );
    }
    assert_eq!(
        events_with(&admin_second, &second, &id).await,
        1,
        "one entry per handling"
    );
    assert_eq!(
        events_with(&admin_first, &first, &id).await,
        0,
        "the failed run kept nothing"
    );
    drop((first, second));
    drop(redis);
}
