//! Fault injection through the library API and `POST /__mock/faults`.

use std::time::{Duration, Instant};

use serde_json::json;
use vortex_mock::{Fault, FaultBody};

use crate::support::Api;

#[tokio::test]
async fn status_with_retry_after_then_normal_again() {
    let api = Api::start().await;
    api.mock
        .inject_fault(Fault::new().status(503).header("Retry-After", "1"))
        .unwrap();
    let reply = api.get("/invitations/x").await;
    reply.assert_error(503, "Service Unavailable");
    assert_eq!(reply.json["message"], "Injected fault");
    assert_eq!(reply.headers["retry-after"], "1");
    // Used up: the next request is handled normally.
    api.get("/invitations/x")
        .await
        .assert_error(404, "Not found");
}

#[tokio::test]
async fn count_is_exhausted() {
    let api = Api::start().await;
    api.mock
        .inject_fault(Fault::new().status(500).count(2))
        .unwrap();
    assert_eq!(api.get("/invitations/x").await.status, 500);
    assert_eq!(api.get("/invitations/x").await.status, 500);
    assert_eq!(api.get("/invitations/x").await.status, 404);
}

#[tokio::test]
async fn delay_without_status_then_normal_handling() {
    let api = Api::start().await;
    api.mock
        .inject_fault(Fault::new().delay(Duration::from_millis(300)))
        .unwrap();
    let started = Instant::now();
    let reply = api.get("/invitations/x").await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    reply.assert_error(404, "Not found");
}

#[tokio::test]
async fn long_delay_makes_clients_time_out() {
    let api = Api::start().await;
    api.mock
        .inject_fault(Fault::new().delay(Duration::from_secs(2)).status(200))
        .unwrap();
    let err = api
        .http
        .get(api.url("/invitations/x"))
        .header("x-api-key", api.mock.api_key())
        .timeout(Duration::from_millis(200))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");
}

#[tokio::test]
async fn malformed_empty_and_custom_bodies() {
    let api = Api::start().await;
    api.mock
        .inject_fault(Fault::new().body(FaultBody::Malformed))
        .unwrap();
    let reply = api.get("/invitations/x").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.content_type.as_deref(), Some("application/json"));
    assert!(serde_json::from_str::<serde_json::Value>(&reply.text).is_err());

    api.mock
        .inject_fault(Fault::new().status(502).body(FaultBody::Empty))
        .unwrap();
    let reply = api.get("/invitations/x").await;
    assert_eq!((reply.status, reply.text.as_str()), (502, ""));

    api.mock
        .inject_fault(
            Fault::new()
                .status(429)
                .body(FaultBody::Json(json!({"error": "Too many"}))),
        )
        .unwrap();
    let reply = api.get("/invitations/x").await;
    assert_eq!(
        (reply.status, reply.json),
        (429, json!({"error": "Too many"}))
    );
}

#[tokio::test]
async fn method_and_path_filters() {
    let api = Api::start().await;
    api.mock
        .inject_fault(
            Fault::new()
                .path_prefix("/api/v1/invitations/by-scope")
                .method("delete")
                .status(500),
        )
        .unwrap();
    assert_eq!(api.get("/invitations/by-scope/team/t").await.status, 200);
    assert_eq!(api.get("/invitations/x").await.status, 404);
    assert_eq!(api.delete("/invitations/by-scope/team/t").await.status, 500);
    assert_eq!(api.delete("/invitations/by-scope/team/t").await.status, 200);
}

#[tokio::test]
async fn faults_over_http() {
    let api = Api::start().await;
    let armed = api
        .send(api.http.post(api.control_url("/faults")).json(&json!({
            "pathPrefix": "/api/v1/invitations", "method": "GET", "status": 503,
            "delayMs": 50, "body": "malformed", "headers": {"Retry-After": "1"}, "count": 2
        })))
        .await;
    assert_eq!(armed.status, 200, "{armed:?}");
    assert_eq!(armed.json["faults"][0]["count"], 2);

    let reply = api.get("/invitations/x").await;
    assert_eq!(reply.status, 503);
    assert_eq!(reply.headers["retry-after"], "1");
    assert!(serde_json::from_str::<serde_json::Value>(&reply.text).is_err());
    let listed = api.send(api.http.get(api.control_url("/faults"))).await;
    assert_eq!(listed.json["faults"][0]["count"], 1);

    let cleared = api.send(api.http.delete(api.control_url("/faults"))).await;
    assert_eq!(cleared.text, "{}");
    assert_eq!(api.get("/invitations/x").await.status, 404);

    for bad in [
        json!({"status": 42}),
        json!({"delay": 10}),
        json!({"count": 0}),
        json!({"headers": {"bad name": "x"}}),
        json!("fault"),
    ] {
        api.send(api.http.post(api.control_url("/faults")).json(&bad))
            .await
            .assert_error(400, "Bad request");
    }
    api.send(api.http.post(api.control_url("/faults")).body("{"))
        .await
        .assert_error(400, "Bad request");
}

#[tokio::test]
async fn faults_hit_before_the_key_check_and_are_recorded() {
    let api = Api::start().await;
    api.mock.inject_fault(Fault::new().status(503)).unwrap();
    let reply = api.send(api.http.get(api.url("/invitations/x"))).await;
    assert_eq!(reply.status, 503);
    let requests = api.mock.requests();
    assert_eq!(requests.len(), 1);
    assert!(!requests[0].api_key_valid);
}
