//! How long a 1,000-invitation list takes: 1,110 invitations stored, 1,000 of them in one
//! scope. A measurement, not a check, so it is ignored by default; run it with
//!
//! ```sh
//! cargo test -p vortex-mock --release --test it -- --ignored --nocapture list_timing
//! ```

use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Empty, Full};
use serde_json::{Value, json};
use tower_service::Service;
use vortex_mock::{Mock, MockServer};

const IN_SCOPE: usize = 1_000;
const ELSEWHERE: usize = 110;
const RUNS: usize = 50;

/// Creates 1,000 invitations in `team/big` and 110 spread over other scopes.
async fn seeded(mock: &Mock) {
    let mut service = mock.service();
    for i in 0..IN_SCOPE + ELSEWHERE {
        let group = if i < IN_SCOPE {
            "big".to_owned()
        } else {
            format!("small-{}", i % 11)
        };
        let body = json!({
            "widgetConfigurationId": "component-1",
            "target": {"type": "email", "value": format!("user{i}@example.com")},
            "inviter": {"userId": "user-1", "name": "Grace"},
            "groups": [{"type": "team", "groupId": group, "name": "Team"}],
        });
        let request = http::Request::post("/api/v1/invitations")
            .header("x-api-key", mock.api_key())
            .header("content-type", "application/json")
            .body(Full::new(bytes::Bytes::from(body.to_string())))
            .unwrap();
        let answer = service.call(request).await.unwrap();
        assert_eq!(answer.status(), 200);
    }
}

fn report(what: &str, mut times: Vec<Duration>) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{what}: median {:.3} ms, min {:.3} ms, max {:.3} ms ({RUNS} runs)",
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1]),
    );
}

fn count(body: &[u8]) -> usize {
    let list: Value = serde_json::from_slice(body).unwrap();
    list["invitations"].as_array().unwrap().len()
}

#[tokio::test]
#[ignore = "a measurement; run with --release --ignored --nocapture"]
async fn list_timing() {
    let server = MockServer::builder()
        .deterministic(1)
        .start()
        .await
        .unwrap();
    seeded(&server).await;
    assert_eq!(server.invitations().len(), IN_SCOPE + ELSEWHERE);
    let path = "/api/v1/invitations/by-scope/team/big";

    let mut service = server.service();
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let request = http::Request::get(path)
            .header("x-api-key", server.api_key())
            .body(Empty::<bytes::Bytes>::new())
            .unwrap();
        let start = Instant::now();
        let answer = service.call(request).await.unwrap();
        let body = answer.into_body().collect().await.unwrap().to_bytes();
        times.push(start.elapsed());
        assert_eq!(count(&body), IN_SCOPE);
    }
    report("service", times);

    let http = reqwest::Client::new();
    let url = format!("{}{path}", server.base_url());
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let start = Instant::now();
        let body = http
            .get(&url)
            .header("x-api-key", server.api_key())
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        times.push(start.elapsed());
        assert_eq!(count(&body), IN_SCOPE);
    }
    report("socket", times);
}
