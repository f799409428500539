//! Request log, reset, debug listing, seeding, determinism.

use serde_json::{Value, json};
use vortex_mock::MockServer;

use crate::support::{Api, create_body};

#[tokio::test]
async fn request_log_over_http() {
    let api = Api::start().await;
    api.post("/invitations", &create_body("email", "ada@example.com"))
        .await;
    api.get("/invitations?targetType=email&targetValue=ada%40example.com")
        .await;
    api.send(
        api.http
            .post(api.url("/invitations/accept"))
            .header("x-api-key", "VRTX.wrong.key")
            .header("X-Custom", "Yes")
            .body("not json"),
    )
    .await;
    api.send(
        api.http
            .delete(api.url("/invitations/a%2Fb"))
            .header("x-api-key", api.mock.api_key()),
    )
    .await;

    let log = api.send(api.http.get(api.control_url("/requests"))).await;
    assert_eq!(log.status, 200);
    let requests = log.json["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 4, "control requests are not recorded");

    let create = &requests[0];
    let keys: Vec<&str> = create
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["method", "path", "query", "headers", "body"]);
    assert_eq!(create["method"], "POST");
    assert_eq!(create["path"], "/api/v1/invitations");
    assert_eq!(create["query"], Value::Null);
    assert_eq!(create["headers"]["apiKeyValid"], true);
    assert_eq!(create["headers"]["content-type"], "application/json");
    assert!(create["headers"].get("x-api-key").is_none());
    assert_eq!(create["body"]["target"]["value"], "ada@example.com");
    assert!(!log.text.contains(api.mock.api_key()));

    assert_eq!(
        requests[1]["query"],
        "targetType=email&targetValue=ada%40example.com"
    );
    assert_eq!(requests[1]["body"], Value::Null);
    assert_eq!(requests[2]["headers"]["apiKeyValid"], false);
    assert_eq!(requests[2]["headers"]["x-custom"], "Yes");
    assert_eq!(requests[2]["body"], "not json");
    assert_eq!(requests[3]["path"], "/api/v1/invitations/a%2Fb");

    let cleared = api
        .send(api.http.delete(api.control_url("/requests")))
        .await;
    assert_eq!(cleared.text, "{}");
    assert!(api.mock.requests().is_empty());
}

#[tokio::test]
async fn request_log_in_the_library() {
    let api = Api::start().await;
    api.get("/invitations/x").await;
    let requests = api.mock.requests();
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].path, "/api/v1/invitations/x");
    assert!(requests[0].api_key_valid);
    assert!(requests[0].header("X-API-KEY").is_none());
    assert!(requests[0].header("host").is_some());
    api.mock.clear_requests();
    assert!(api.mock.requests().is_empty());
}

#[tokio::test]
async fn reset_restores_the_started_state() {
    let api = Api::with(
        MockServer::builder().seed_invitation(json!({"id": "kept", "status": "delivered"})),
    )
    .await;
    let key = api.mock.api_key().to_owned();
    api.create("email", "ada@example.com").await;
    api.mock.seed_invitation(json!({"id": "runtime"})).unwrap();
    api.mock
        .inject_fault(
            vortex_mock::Fault::new()
                .status(500)
                .path_prefix("/api/v1/nothing"),
        )
        .unwrap();
    assert_eq!(api.mock.invitations().len(), 3);

    let reply = api.send(api.http.post(api.control_url("/reset"))).await;
    assert_eq!(reply.text, "{}");
    let ids: Vec<Value> = api
        .mock
        .invitations()
        .iter()
        .map(|i| i["id"].clone())
        .collect();
    assert_eq!(ids, [json!("kept")]);
    assert!(api.mock.requests().is_empty());
    let faults = api.send(api.http.get(api.control_url("/faults"))).await;
    assert_eq!(faults.json, json!({"faults": []}));
    assert_eq!(api.mock.api_key(), key);
    assert_eq!(
        api.get("/invitations/kept").await.json["status"],
        "delivered"
    );

    api.mock.reset();
    assert_eq!(api.mock.invitations().len(), 1);
}

#[tokio::test]
async fn debug_listing_and_seeding_over_http() {
    let api = Api::start().await;
    let seeded = api
        .send(api.http.post(api.control_url("/invitations")).json(&json!([
            {"id": "s1", "target": [{"type": "email", "value": "x@example.com"}]},
            {"status": "accepted"}
        ])))
        .await;
    assert_eq!(seeded.status, 200, "{seeded:?}");
    assert_eq!(seeded.json["invitations"][0]["id"], "s1");
    assert!(seeded.json["invitations"][1]["id"].is_string());

    let listed = api
        .send(api.http.get(api.control_url("/invitations")))
        .await;
    assert_eq!(listed.json["invitations"].as_array().unwrap().len(), 2);
    let by_target = api
        .get("/invitations?targetType=email&targetValue=x%40example.com")
        .await;
    assert_eq!(by_target.json["invitations"][0]["id"], "s1");

    api.send(
        api.http
            .post(api.control_url("/invitations"))
            .json(&json!({"id": 5})),
    )
    .await
    .assert_error(400, "Bad request");
    api.send(
        api.http
            .post(api.control_url("/invitations"))
            .json(&json!("x")),
    )
    .await
    .assert_error(400, "Bad request");
}

async fn scripted_run(seed: u64) -> (String, Vec<Value>) {
    let api = Api::with(MockServer::builder().deterministic(seed)).await;
    let mut answers = Vec::new();
    let created = api
        .post("/invitations", &create_body("email", "ada@example.com"))
        .await;
    let id = created.json["id"].as_str().unwrap().to_owned();
    answers.push(created.json);
    answers.push(
        api.post(&format!("/invitations/{id}/reinvite"), &json!({}))
            .await
            .json,
    );
    answers.push(
        api.post(
            "/invitations/accept",
            &json!({"invitationIds": [id], "user": {"email": "ada@example.com"}}),
        )
        .await
        .json,
    );
    answers.push(
        api.post(
            "/invitations/autojoin",
            &json!({"scope": "t", "scopeType": "team", "domains": ["a.com"], "componentId": "c"}),
        )
        .await
        .json,
    );
    (api.mock.api_key().to_owned(), answers)
}

#[tokio::test]
async fn deterministic_mocks_answer_identically() {
    let (key_a, a) = scripted_run(42).await;
    let (key_b, b) = scripted_run(42).await;
    assert_eq!(key_a, key_b);
    assert_eq!(a, b);
    assert_eq!(a[0]["createdAt"], "2026-01-01T00:00:00.000Z");
    assert_eq!(a[1]["modifiedAt"], "2026-01-01T00:00:01.000Z");
    assert_eq!(a[1]["expires"], "2026-01-31T00:00:00.000Z");

    let (key_c, c) = scripted_run(43).await;
    assert_ne!(key_a, key_c);
    assert_ne!(a[0]["id"], c[0]["id"]);
}

#[tokio::test]
async fn deterministic_reset_replays_the_same_ids() {
    let api = Api::with(MockServer::builder().deterministic(1)).await;
    let first = api.create("email", "ada@example.com").await;
    api.mock.reset();
    let again = api.create("email", "ada@example.com").await;
    assert_eq!(first, again);
}

#[tokio::test]
async fn dropping_the_server_stops_it() {
    let mock = MockServer::start().await;
    let addr = mock.address();
    assert!(tokio::net::TcpStream::connect(addr).await.is_ok());
    drop(mock);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while tokio::net::TcpStream::connect(addr).await.is_ok() {
        assert!(
            std::time::Instant::now() < deadline,
            "still listening on {addr}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
