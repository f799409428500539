//! A slow upstream gives `Error::Timeout` after the configured timeout, not when it answers.

use std::time::{Duration, Instant};

use serde_json::json;
use vortex_client::types::AcceptUser;
use vortex_client::{Error, VortexClient};
use wiremock::ResponseTemplate;

use crate::support::{KEY, assert_request_count, builder, json_answer, mount, start_server};

const TIMEOUT: Duration = Duration::from_millis(200);
const UPSTREAM_DELAY: Duration = Duration::from_secs(2);
/// Far below the upstream delay, far above the timeout.
const DEADLINE: Duration = Duration::from_millis(1500);

fn slow_answer() -> ResponseTemplate {
    json_answer(&crate::support::invitation_json("inv-1")).set_delay(UPSTREAM_DELAY)
}

fn assert_timeout(error: &Error, started: Instant) {
    let elapsed = started.elapsed();
    assert!(
        matches!(error, Error::Timeout(t) if *t == TIMEOUT),
        "expected Error::Timeout({TIMEOUT:?}), got {error:?}"
    );
    assert!(
        elapsed >= TIMEOUT - Duration::from_millis(20),
        "gave up before the timeout: {elapsed:?}"
    );
    assert!(elapsed < DEADLINE, "took {elapsed:?}");
    assert!(!error.to_string().contains(KEY));
}

#[tokio::test]
async fn a_get_slower_than_the_timeout_is_a_timeout_and_is_not_retried() {
    let server = start_server().await;
    mount(&server, "GET", "/api/v1/invitations/inv-1", slow_answer()).await;
    let client = builder(&server).timeout(TIMEOUT).build().unwrap();

    let started = Instant::now();
    let error = client.get_invitation("inv-1").await.unwrap_err();
    assert_timeout(&error, started);
    assert_request_count(&server, 1).await;
}

#[tokio::test]
async fn a_post_slower_than_the_timeout_is_a_timeout() {
    let server = start_server().await;
    mount(&server, "POST", "/api/v1/invitations/accept", slow_answer()).await;
    let client = builder(&server).timeout(TIMEOUT).build().unwrap();

    let started = Instant::now();
    let error = client
        .accept_invitations(&["inv-1"], &AcceptUser::email("ada@example.com"))
        .await
        .unwrap_err();
    assert_timeout(&error, started);
    assert_request_count(&server, 1).await;
}

#[tokio::test]
async fn the_timeout_applies_to_a_user_supplied_http_client() {
    let server = start_server().await;
    mount(&server, "GET", "/api/v1/invitations/inv-1", slow_answer()).await;
    let client = VortexClient::builder(KEY)
        .base_url(server.uri())
        .http_client(reqwest::Client::new())
        .timeout(TIMEOUT)
        .build()
        .unwrap();

    let started = Instant::now();
    let error = client.get_invitation("inv-1").await.unwrap_err();
    assert_timeout(&error, started);
}

#[tokio::test]
async fn an_answer_within_the_timeout_succeeds() {
    let server = start_server().await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations/inv-1",
        json_answer(&json!({"id": "inv-1"})).set_delay(Duration::from_millis(50)),
    )
    .await;
    let client = builder(&server).timeout(TIMEOUT).build().unwrap();

    assert_eq!(client.get_invitation("inv-1").await.unwrap().id, "inv-1");
}
