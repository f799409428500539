//! A demo on a Redis (`REDIS_URL`) that restarts under load: no request waits past its
//! deadline, `/readyz` follows Redis, and sign-in, `/api/vortex/jwt` and a webhook delivery
//! work again within 10 s of the restart.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use vortex_client::webhook::sign_payload;

use crate::process::Demo;
use crate::redis_server::RedisServer;

const WEBHOOK_SECRET: &str = "whsec_outage_0123456789abcdef";
/// The demos' bound of any request (`vortex_demo::serving::REQUEST_TIMEOUT`).
const REQUEST_BOUND: Duration = Duration::from_secs(25);
/// Recovery and readiness bounds of the check.
const RECOVERY: Duration = Duration::from_secs(10);
const READY_DOWN_WITHIN: Duration = Duration::from_secs(2);
/// How long Redis stays down while the load runs.
const OUTAGE: Duration = Duration::from_secs(4);

/// What the check measured, printed by the test.
#[derive(Debug, Clone)]
pub struct OutageReport {
    /// The longest request while Redis was down (any route of the load).
    pub longest_during_outage: Duration,
    /// The route of that request.
    pub longest_route: String,
    /// From stopping Redis to `/readyz` answering 503.
    pub readyz_down_after: Duration,
    /// From restarting Redis to `/readyz` answering 200.
    pub readyz_up_after: Duration,
    /// From restarting Redis to sign-in, `/jwt` and a webhook delivery all succeeding.
    pub recovered_after: Duration,
    /// Requests of the load while Redis was down.
    pub requests_during_outage: usize,
}

fn client() -> reqwest::Client {
    // Longer than any deadline: the check measures how long the demo takes, not the client.
    crate::process::cookie_client(REQUEST_BOUND * 2)
}

async fn status_of(request: reqwest::RequestBuilder) -> (u16, Value) {
    match request.send().await {
        Ok(answer) => {
            let status = answer.status().as_u16();
            (status, answer.json().await.unwrap_or(Value::Null))
        }
        Err(error) => panic!("a request failed without an answer: {error}"),
    }
}

async fn sign_in(client: &reqwest::Client, demo: &Demo) -> u16 {
    status_of(
        client
            .post(format!("{}/api/auth/login", demo.url))
            .json(&json!({"email": "admin@example.com", "password": "password123"})),
    )
    .await
    .0
}

async fn jwt(client: &reqwest::Client, demo: &Demo) -> u16 {
    status_of(client.post(format!("{}/api/vortex/jwt", demo.url)))
        .await
        .0
}

async fn deliver(demo: &Demo, id: &str) -> u16 {
    let mut event = vortex_mock::sample_event("invitation.accepted");
    event["id"] = json!(id);
    let body = event.to_string();
    status_of(
        reqwest::Client::new()
            .post(format!("{}/webhooks/vortex", demo.url))
            .header("content-type", "application/json")
            .header(
                "x-vortex-signature",
                sign_payload(WEBHOOK_SECRET, body.as_bytes()),
            )
            .body(body),
    )
    .await
    .0
}

async fn readyz(demo: &Demo) -> (u16, Value) {
    status_of(reqwest::Client::new().get(format!("{}/readyz", demo.url))).await
}

/// The longest request seen while `outage` is set.
#[derive(Default)]
struct Longest {
    took: Duration,
    route: String,
    requests: usize,
}

/// Runs `binary` on a private `redis-server` under a steady load (sign-in state, `/jwt`,
/// `/api/auth/me`, webhook deliveries), stops Redis for 4 s and starts it again on the same
/// port. Checks that `/healthz` stays 200, that `/readyz` turns 503 `{"status":"unavailable",
/// "down":["redis"]}` within 2 s of the stop and 200 within 10 s of the restart, that no
/// request of the load waits longer than the demo's 25 s bound, and that sign-in, `/jwt` and
/// a webhook delivery all succeed within 10 s of the restart. `None` when `redis-server` is
/// not installed (outside CI).
///
/// # Panics
///
/// When any of this does not hold.
pub async fn redis_restart_under_load(binary: &Path) -> Option<OutageReport> {
    let mut redis = RedisServer::start()?;
    let url = redis.url();
    let session = "a7".repeat(64);
    let demo = Arc::new(Demo::start_with(
        binary,
        &[
            ("RUST_LOG", "error"),
            ("REDIS_URL", url.as_str()),
            ("VORTEX_WEBHOOK_SECRET", WEBHOOK_SECRET),
            ("SESSION_SECRET", session.as_str()),
        ],
    ));
    let health = reqwest::Client::new();
    let admin = client();
    assert_eq!(sign_in(&admin, &demo).await, 200);
    assert_eq!(jwt(&admin, &demo).await, 200);
    assert_eq!(readyz(&demo).await, (200, json!({"status": "ok"})));

    let outage = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let longest = Arc::new(Mutex::new(Longest::default()));
    let mut load = Vec::new();
    for worker in 0..4 {
        let (demo, outage, stop, longest, admin) = (
            Arc::clone(&demo),
            Arc::clone(&outage),
            Arc::clone(&stop),
            Arc::clone(&longest),
            admin.clone(),
        );
        load.push(tokio::spawn(async move {
            let mut n = 0u32;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let during = outage.load(Ordering::Relaxed);
                let started = Instant::now();
                let route = match n % 3 {
                    0 => {
                        jwt(&admin, &demo).await;
                        "POST /api/vortex/jwt"
                    }
                    1 => {
                        status_of(admin.get(format!("{}/api/auth/me", demo.url))).await;
                        "GET /api/auth/me"
                    }
                    _ => {
                        deliver(&demo, &format!("evt-outage-{worker}-{n}")).await;
                        "POST /webhooks/vortex"
                    }
                };
                let took = started.elapsed();
                if during || outage.load(Ordering::Relaxed) {
                    let mut longest = longest.lock().expect("the longest request");
                    longest.requests += 1;
                    if took > longest.took {
                        longest.took = took;
                        route.clone_into(&mut longest.route);
                    }
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    outage.store(true, Ordering::Relaxed);
    redis.stop();
    let stopped = Instant::now();
    let readyz_down_after = loop {
        let (status, body) = readyz(&demo).await;
        if status == 503 {
            assert_eq!(
                body,
                json!({"status": "unavailable", "down": ["redis"]}),
                "/readyz names what is down"
            );
            break stopped.elapsed();
        }
        assert!(
            stopped.elapsed() < READY_DOWN_WITHIN * 3,
            "/readyz still {status} {body} after Redis stopped"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let live = status_of(health.get(format!("{}/healthz", demo.url))).await;
    assert_eq!(
        live,
        (200, json!({"status": "ok"})),
        "/healthz while Redis is down"
    );
    tokio::time::sleep(OUTAGE.saturating_sub(stopped.elapsed())).await;

    redis.restart();
    let restarted = Instant::now();
    let readyz_up_after = loop {
        let (status, body) = readyz(&demo).await;
        if status == 200 {
            break restarted.elapsed();
        }
        assert!(
            restarted.elapsed() < RECOVERY,
            "/readyz still {status} {body} 10 s after Redis restarted"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    // The sessions were in the Redis that restarted (axum): sign in again, as a user would.
    let fresh = client();
    let mut attempt = 0;
    let recovered_after = loop {
        attempt += 1;
        let signed_in = sign_in(&fresh, &demo).await;
        let token = if signed_in == 200 {
            jwt(&fresh, &demo).await
        } else {
            0
        };
        let delivered = deliver(&demo, &format!("evt-after-restart-{attempt}")).await;
        if (signed_in, token, delivered) == (200, 200, 200) {
            break restarted.elapsed();
        }
        assert!(
            restarted.elapsed() < RECOVERY,
            "10 s after the restart: sign-in {signed_in}, /jwt {token}, webhook {delivered}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    outage.store(false, Ordering::Relaxed);
    stop.store(true, Ordering::Relaxed);
    for worker in load {
        worker.await.expect("a load worker");
    }
    let longest = longest.lock().expect("the longest request");
    let report = OutageReport {
        longest_during_outage: longest.took,
        longest_route: longest.route.clone(),
        readyz_down_after,
        readyz_up_after,
        recovered_after,
        requests_during_outage: longest.requests,
    };
    assert!(
        report.longest_during_outage < REQUEST_BOUND + Duration::from_secs(1),
        "{report:?}"
    );
    assert!(report.readyz_down_after < READY_DOWN_WITHIN, "{report:?}");
    Some(report)
}
