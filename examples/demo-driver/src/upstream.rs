//! The client's deadline per call and retry budget seen through a demo binary: what a
//! caller of `/api/vortex` gets when the embedded vortex-mock stalls or is down. Every check
//! prints what it measured (`--nocapture`).

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::Demo;
use crate::process::get_json;
use crate::serving::sign_in;

/// The demos' client deadline (the `VortexClient` default).
const DEADLINE: Duration = Duration::from_secs(10);
/// Requests sent during the simulated outage.
const OUTAGE_REQUESTS: u32 = 300;

fn client() -> reqwest::Client {
    crate::process::cookie_client(Duration::from_secs(60))
}

async fn arm_fault(client: &reqwest::Client, demo: &Demo, fault: Value) {
    let armed = client
        .post(format!("{}/__mock/faults", demo.mock_url))
        .json(&fault)
        .send()
        .await
        .expect("the mock's fault control");
    assert!(
        armed.status().is_success(),
        "fault {fault} armed: {}",
        armed.status()
    );
}

/// Requests the embedded mock has received so far.
async fn upstream_calls(client: &reqwest::Client, demo: &Demo) -> u64 {
    let url = format!("{}/__mock/requests", demo.mock_url);
    let log = get_json(client, &url, "the mock's request log").await;
    log["total"].as_u64().expect("the request log has a total")
}

/// With the upstream holding every answer for 30 s, `GET /api/vortex/invitations/{id}`
/// answers 504 within the client deadline plus 1 s, retries included; returns the time it
/// took.
///
/// # Panics
///
/// When the answer is not a 504, or comes later.
pub async fn upstream_stall_answered_within_the_deadline(binary: &Path) -> Duration {
    let demo = Demo::start(binary);
    let client = client();
    sign_in(&client, &demo, "admin@example.com", "password123").await;
    arm_fault(&client, &demo, json!({ "delayMs": 30_000, "count": 10 })).await;
    let started = Instant::now();
    let answer = client
        .get(format!("{}/api/vortex/invitations/inv-user-1", demo.url))
        .send()
        .await
        .expect("an answer");
    let took = started.elapsed();
    let status = answer.status().as_u16();
    let body = answer.text().await.unwrap_or_default();
    println!("upstream stalled: {status} {body} after {took:.2?} (deadline {DEADLINE:?})");
    assert_eq!(status, 504, "{body}");
    assert!(
        took <= DEADLINE + Duration::from_secs(1),
        "answered after {took:?}"
    );
    took
}

/// With the upstream answering 503 to everything, 300 reads through `/api/vortex` make at
/// most 1.2 upstream calls each: the retry budget keeps retries to a small fraction of the
/// calls instead of multiplying them. Returns upstream calls per request.
///
/// # Panics
///
/// When the ratio is higher, or a read does not answer 502.
pub async fn outage_upstream_calls_per_request(binary: &Path) -> f64 {
    let demo = Demo::start(binary);
    let client = client();
    sign_in(&client, &demo, "admin@example.com", "password123").await;
    arm_fault(&client, &demo, json!({ "status": 503, "count": 100_000 })).await;
    let before = upstream_calls(&client, &demo).await;
    for _ in 0..OUTAGE_REQUESTS {
        let answer = client
            .get(format!("{}/api/vortex/invitations/inv-user-1", demo.url))
            .send()
            .await
            .expect("an answer");
        assert_eq!(answer.status().as_u16(), 502, "during the outage");
    }
    let calls = upstream_calls(&client, &demo).await - before;
    let ratio = calls as f64 / f64::from(OUTAGE_REQUESTS);
    println!(
        "outage: {OUTAGE_REQUESTS} requests made {calls} upstream calls ({ratio:.3} per request)"
    );
    assert!(ratio <= 1.2, "{ratio:.3} upstream calls per request");
    ratio
}
