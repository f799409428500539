//! One deadline for the whole call: attempts, backoff and `Retry-After` waits
//! all fit in it, and a `Retry-After` that does not fit fails the call at once.
//!
//! Figures: `cargo test -p vortex-client --test it deadline -- --nocapture` prints the time
//! each call took.

use std::time::{Duration, Instant};

use serde_json::json;
use vortex_client::retry::RetryPolicy;
use vortex_client::{Error, VortexClient};
use wiremock::ResponseTemplate;

use crate::support::{
    assert_request_count, builder, fail_first, json_answer, mount, received, start_server,
};

/// A short deadline keeps each test to about a second.
const DEADLINE: Duration = Duration::from_secs(1);
/// What a call may take beyond its deadline (scheduling, closing the connection).
const MARGIN: Duration = Duration::from_millis(300);
/// Far longer than the deadline.
const STALL: Duration = Duration::from_secs(5);

/// A client with `DEADLINE`, the default two retries and fast backoffs.
fn client_with_deadline(server: &wiremock::MockServer) -> VortexClient {
    builder(server).timeout(DEADLINE).build().unwrap()
}

/// Asserts that the call ended within the deadline plus the margin, and prints the time.
fn assert_within_deadline(what: &str, started: Instant) -> Duration {
    let elapsed = started.elapsed();
    println!("{what}: answered after {elapsed:?} (deadline {DEADLINE:?})");
    assert!(
        elapsed <= DEADLINE + MARGIN,
        "{what}: took {elapsed:?}, more than the {DEADLINE:?} deadline + {MARGIN:?}"
    );
    elapsed
}

#[tokio::test]
async fn a_stalling_upstream_ends_the_call_at_the_deadline_with_a_timeout() {
    let server = start_server().await;
    let stalled = json_answer(&json!({"id": "inv-1"})).set_delay(STALL);
    mount(&server, "GET", "/api/v1/invitations/inv-1", stalled.clone()).await;
    mount(&server, "POST", "/api/v1/invitations/accept", stalled).await;
    let client = client_with_deadline(&server);

    let started = Instant::now();
    let error = client.get_invitation("inv-1").await.unwrap_err();
    let elapsed = assert_within_deadline("stalled GET", started);
    assert!(
        matches!(error, Error::Timeout(d) if d == DEADLINE),
        "{error:?}"
    );
    assert!(
        elapsed >= DEADLINE - Duration::from_millis(20),
        "{elapsed:?}"
    );
    assert_request_count(&server, 1).await;

    let started = Instant::now();
    let error = client
        .accept_invitations(
            &["inv-1"],
            &vortex_client::types::AcceptUser::email("a@b.c"),
        )
        .await
        .unwrap_err();
    assert_within_deadline("stalled POST", started);
    assert!(matches!(error, Error::Timeout(_)), "{error:?}");
}

#[tokio::test]
async fn a_503_after_most_of_the_deadline_is_not_retried_beyond_it() {
    let server = start_server().await;
    // Without a deadline per call, three attempts would take 3 × 0.8 s.
    mount(
        &server,
        "GET",
        "/api/v1/invitations/inv-1",
        ResponseTemplate::new(503)
            .set_body_json(json!({"error": "Service Unavailable"}))
            .set_delay(Duration::from_millis(800)),
    )
    .await;
    let client = client_with_deadline(&server);

    let started = Instant::now();
    let error = client.get_invitation("inv-1").await.unwrap_err();
    assert_within_deadline("503 after 0.8 s", started);
    // The retry that ran out of time does not hide the upstream's answer.
    assert_eq!(error.status(), Some(503), "{error:?}");
    let attempts = received(&server).await.len();
    assert!(attempts <= 2, "{attempts} attempts in one deadline");
}

#[tokio::test]
async fn a_stall_after_a_retryable_answer_returns_that_answer_at_the_deadline() {
    let server = start_server().await;
    fail_first(
        &server,
        "GET",
        "/api/v1/invitations/inv-1",
        1,
        ResponseTemplate::new(502),
    )
    .await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations/inv-1",
        json_answer(&json!({"id": "inv-1"})).set_delay(STALL),
    )
    .await;
    let client = client_with_deadline(&server);

    let started = Instant::now();
    let error = client.get_invitation("inv-1").await.unwrap_err();
    let elapsed = assert_within_deadline("502 then a stall", started);
    assert!(
        elapsed >= DEADLINE - Duration::from_millis(20),
        "{elapsed:?}"
    );
    assert_eq!(error.status(), Some(502), "{error:?}");
    assert_request_count(&server, 2).await;
}

#[tokio::test]
async fn a_retry_after_longer_than_the_time_left_fails_at_once_and_keeps_it() {
    let server = start_server().await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations/inv-1",
        ResponseTemplate::new(429)
            .insert_header("retry-after", "2")
            .set_body_json(json!({"message": "Slow down"})),
    )
    .await;
    // Fits in the deadline on its own, but not in what is left after a 0.6 s answer.
    mount(
        &server,
        "GET",
        "/api/v1/invitations/inv-2",
        ResponseTemplate::new(503)
            .insert_header("retry-after", "1")
            .set_delay(Duration::from_millis(600)),
    )
    .await;
    let client = client_with_deadline(&server);
    assert!(RetryPolicy::default().max_retry_after > DEADLINE);

    let started = Instant::now();
    let error = client.get_invitation("inv-1").await.unwrap_err();
    let elapsed = started.elapsed();
    println!("Retry-After: 2 with a 1 s deadline: failed after {elapsed:?}");
    assert!(elapsed < Duration::from_millis(300), "waited: {elapsed:?}");
    assert!(
        matches!(&error, Error::Status { status: 429, retry_after: Some(after), message: Some(m) }
            if *after == Duration::from_secs(2) && m == "Slow down"),
        "{error:?}"
    );
    assert_request_count(&server, 1).await;

    let started = Instant::now();
    let error = client.get_invitation("inv-2").await.unwrap_err();
    let elapsed = started.elapsed();
    println!("Retry-After: 1 after 0.6 s of a 1 s deadline: failed after {elapsed:?}");
    assert!(elapsed < Duration::from_millis(900), "waited: {elapsed:?}");
    assert!(
        matches!(&error, Error::Status { status: 503, retry_after: Some(after), .. }
            if *after == Duration::from_secs(1)),
        "{error:?}"
    );
    assert_request_count(&server, 2).await;
}

#[tokio::test]
async fn a_retry_after_that_fits_is_waited_for_within_the_deadline() {
    let server = start_server().await;
    fail_first(
        &server,
        "GET",
        "/api/v1/invitations/inv-1",
        1,
        ResponseTemplate::new(503).insert_header("retry-after", "1"),
    )
    .await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations/inv-1",
        json_answer(&json!({"id": "inv-1"})),
    )
    .await;
    let client = builder(&server)
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();

    let started = Instant::now();
    assert_eq!(client.get_invitation("inv-1").await.unwrap().id, "inv-1");
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(950), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    assert_request_count(&server, 2).await;
}

#[tokio::test]
async fn backoffs_are_waited_for_only_within_the_deadline() {
    let server = start_server().await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations/inv-1",
        ResponseTemplate::new(503),
    )
    .await;
    // Jittered backoffs of up to 3 s: those longer than the time left are never waited for.
    let wait = Duration::from_secs(3);
    let client = builder(&server)
        .timeout(DEADLINE)
        .retry_policy(
            RetryPolicy::default()
                .max_retries(5)
                .initial_backoff(wait)
                .max_backoff(wait),
        )
        .build()
        .unwrap();

    let started = Instant::now();
    let error = client.get_invitation("inv-1").await.unwrap_err();
    assert_within_deadline("503 with backoffs of up to 3 s", started);
    assert_eq!(error.status(), Some(503), "{error:?}");
    assert!(received(&server).await.len() <= 6);
}
