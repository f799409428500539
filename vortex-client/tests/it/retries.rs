//! Retries: only GET and DELETE, only after a connection error or 429/502/503/504, honouring
//! `Retry-After` up to `max_retry_after`. The deadline and the budget: `deadline.rs`,
//! `budget.rs`.

use std::time::{Duration, Instant};

use serde_json::json;
use vortex_client::retry::{RetryBudget, RetryPolicy};
use vortex_client::types::{
    AcceptUser, ConfigureAutojoinRequest, CreateInvitationRequest, CreateInvitationTarget,
    DeliveryType, Inviter, SyncAction, SyncInternalInvitationRequest,
};
use vortex_client::{Error, VortexClient};
use wiremock::ResponseTemplate;

use crate::support::{
    KEY, assert_request_count, builder, client, describe, fail_first, fast_retries, json_answer,
    mount, received, start_server,
};

fn status_of(error: &Error) -> u16 {
    error
        .status()
        .unwrap_or_else(|| panic!("expected Error::Status, got {error:?}"))
}

#[tokio::test]
async fn a_get_answered_503_then_200_succeeds_after_one_retry() {
    let server = start_server().await;
    fail_first(
        &server,
        "GET",
        "/api/v1/invitations/inv-1",
        1,
        ResponseTemplate::new(503),
    )
    .await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations/inv-1",
        json_answer(&json!({"id": "inv-1"})),
    )
    .await;

    let invitation = client(&server).get_invitation("inv-1").await.unwrap();
    assert_eq!(invitation.id, "inv-1");
    assert_request_count(&server, 2).await;
}

#[tokio::test]
async fn a_get_answered_429_with_retry_after_0_then_200_succeeds() {
    let server = start_server().await;
    fail_first(
        &server,
        "GET",
        "/api/v1/invitations",
        1,
        ResponseTemplate::new(429).insert_header("retry-after", "0"),
    )
    .await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations",
        json_answer(&json!({"invitations": [{"id": "inv-1"}]})),
    )
    .await;

    let invitations = client(&server)
        .get_invitations_by_target("email", "ada@example.com")
        .await
        .unwrap();
    assert_eq!(invitations.len(), 1);
    let requests = received(&server).await;
    assert_eq!(requests.len(), 2, "[{}]", describe(&requests));
    assert_eq!(
        requests[0].url, requests[1].url,
        "the retry is the same request"
    );
}

#[tokio::test]
async fn a_get_answered_504_then_200_succeeds() {
    let server = start_server().await;
    fail_first(
        &server,
        "GET",
        "/api/v1/invitations/by-scope/team/team-1",
        1,
        ResponseTemplate::new(504),
    )
    .await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations/by-scope/team/team-1",
        json_answer(&json!({"invitations": []})),
    )
    .await;

    client(&server)
        .get_invitations_by_scope("team", "team-1")
        .await
        .unwrap();
    assert_request_count(&server, 2).await;
}

#[tokio::test]
async fn a_get_always_answered_502_fails_after_max_retries_plus_one_requests() {
    let server = start_server().await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations/inv-1",
        ResponseTemplate::new(502).set_body_json(json!({"error": "Bad Gateway"})),
    )
    .await;

    let error = client(&server).get_invitation("inv-1").await.unwrap_err();
    assert_eq!(status_of(&error), 502);
    assert_eq!(RetryPolicy::default().max_retries, 2);
    assert_request_count(&server, 3).await;
}

#[tokio::test]
async fn max_retries_sets_the_number_of_attempts() {
    for (retries, attempts) in [(0, 1), (4, 5)] {
        let server = start_server().await;
        mount(
            &server,
            "GET",
            "/api/v1/invitations/inv-1",
            ResponseTemplate::new(503),
        )
        .await;
        let client = builder(&server)
            .retry_policy(fast_retries().max_retries(retries))
            .build()
            .unwrap();

        let error = client.get_invitation("inv-1").await.unwrap_err();
        assert_eq!(status_of(&error), 503);
        assert_request_count(&server, attempts).await;
    }
}

#[tokio::test]
async fn retry_policy_none_never_retries() {
    let server = start_server().await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations/inv-1",
        ResponseTemplate::new(503),
    )
    .await;
    let client = builder(&server)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();

    let error = client.get_invitation("inv-1").await.unwrap_err();
    assert_eq!(status_of(&error), 503);
    assert_request_count(&server, 1).await;
}

#[tokio::test]
async fn deletes_are_retried() {
    let server = start_server().await;
    fail_first(
        &server,
        "DELETE",
        "/api/v1/invitations/inv-1",
        1,
        ResponseTemplate::new(503),
    )
    .await;
    mount(
        &server,
        "DELETE",
        "/api/v1/invitations/inv-1",
        ResponseTemplate::new(204),
    )
    .await;
    fail_first(
        &server,
        "DELETE",
        "/api/v1/invitations/by-scope/team/team-1",
        2,
        ResponseTemplate::new(502),
    )
    .await;
    mount(
        &server,
        "DELETE",
        "/api/v1/invitations/by-scope/team/team-1",
        json_answer(&json!({})),
    )
    .await;
    let client = client(&server);

    client.revoke_invitation("inv-1").await.unwrap();
    assert_request_count(&server, 2).await;
    client
        .delete_invitations_by_scope("team", "team-1")
        .await
        .unwrap();
    assert_request_count(&server, 5).await;
}

#[tokio::test]
async fn statuses_other_than_429_502_503_504_are_not_retried() {
    for status in [400, 401, 404, 409, 500, 501] {
        let server = start_server().await;
        mount(
            &server,
            "GET",
            "/api/v1/invitations/inv-1",
            ResponseTemplate::new(status),
        )
        .await;

        let error = client(&server).get_invitation("inv-1").await.unwrap_err();
        assert_eq!(status_of(&error), status);
        assert_request_count(&server, 1).await;
    }
}

#[tokio::test]
async fn posts_are_never_retried() {
    let server = start_server().await;
    for raw_path in [
        "/api/v1/invitations/accept",
        "/api/v1/invitations/inv-1/reinvite",
        "/api/v1/invitations",
        "/api/v1/invitations/autojoin",
        "/api/v1/invitations/sync-internal-invitation",
    ] {
        mount(&server, "POST", raw_path, ResponseTemplate::new(503)).await;
    }
    let client = client(&server);
    let user = AcceptUser::email("ada@example.com");
    let create = CreateInvitationRequest::new(
        "wc-1",
        CreateInvitationTarget::new(DeliveryType::Email, "new@example.com"),
        Inviter::new("user-1"),
    );
    let autojoin = ConfigureAutojoinRequest::new("team", "team-1", "comp-1", ["example.com"]);
    let sync = SyncInternalInvitationRequest::new("u1", "u2", SyncAction::Accepted, "comp-1");

    let mut errors = vec![
        client
            .accept_invitations(&["inv-1"], &user)
            .await
            .unwrap_err(),
    ];
    assert_request_count(&server, 1).await;
    errors.push(client.reinvite("inv-1").await.unwrap_err());
    assert_request_count(&server, 2).await;
    errors.push(client.create_invitation(&create).await.unwrap_err());
    errors.push(client.configure_autojoin(&autojoin).await.unwrap_err());
    errors.push(client.sync_internal_invitation(&sync).await.unwrap_err());
    errors.push(client.raw().reinvite("inv-1").await.unwrap_err());
    assert_request_count(&server, 6).await;
    for error in &errors {
        assert_eq!(status_of(error), 503);
    }
}

#[tokio::test]
async fn a_get_waits_for_retry_after_before_retrying() {
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

    let started = Instant::now();
    client(&server).get_invitation("inv-1").await.unwrap();
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(950),
        "retried after {elapsed:?}, before Retry-After: 1"
    );
    assert_request_count(&server, 2).await;
}

#[tokio::test]
async fn a_retry_after_longer_than_max_retry_after_is_returned_without_retrying() {
    let server = start_server().await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations/inv-1",
        ResponseTemplate::new(429).insert_header("retry-after", "30"),
    )
    .await;
    mount(
        &server,
        "DELETE",
        "/api/v1/invitations/inv-1",
        ResponseTemplate::new(503).insert_header("retry-after", "2"),
    )
    .await;
    let client = builder(&server)
        .retry_policy(fast_retries().max_retry_after(Duration::from_secs(1)))
        .build()
        .unwrap();

    let started = Instant::now();
    let error = client.get_invitation("inv-1").await.unwrap_err();
    assert!(
        matches!(error, Error::Status { status: 429, retry_after: Some(after), .. }
            if after == Duration::from_secs(30)),
        "{error:?}"
    );
    assert_request_count(&server, 1).await;

    let error = client.revoke_invitation("inv-1").await.unwrap_err();
    assert!(
        matches!(error, Error::Status { status: 503, retry_after: Some(after), .. }
            if after == Duration::from_secs(2)),
        "{error:?}"
    );
    assert_request_count(&server, 2).await;
    assert!(started.elapsed() < Duration::from_secs(1), "no waiting");
}

/// A base URL on a local port nothing listens on.
fn refused_base_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

fn assert_transport(error: &Error) {
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    let text = error.to_string();
    assert!(text.starts_with("could not reach the Vortex API"), "{text}");
    assert!(!text.contains(KEY), "{text}");
}

// Attempts on a closed port cannot be counted, so the retries are observed through the
// backoff they wait: with `initial_backoff == max_backoff == B`, each retry waits a uniform
// random 0..=B, and the chance that n retries wait less than B in total is 1/n!.

const RETRIES: u32 = 20;

#[tokio::test]
async fn a_refused_connection_is_a_transport_error_after_retries_for_get_and_delete() {
    let backoff = Duration::from_millis(50);
    let client = VortexClient::builder(KEY)
        .base_url(refused_base_url())
        .retry_policy(
            RetryPolicy::default()
                .max_retries(RETRIES)
                .initial_backoff(backoff)
                .max_backoff(backoff),
        )
        // This test is about the policy: 40 retries are more than the default budget's floor.
        .retry_budget(RetryBudget::unlimited())
        .build()
        .unwrap();

    for verb in ["GET", "DELETE"] {
        let started = Instant::now();
        let error = if verb == "GET" {
            client.get_invitation("inv-1").await.unwrap_err()
        } else {
            client.revoke_invitation("inv-1").await.unwrap_err()
        };
        let elapsed = started.elapsed();
        assert_transport(&error);
        // Without retries this takes about a millisecond; with 20 it waits about 0.5 s.
        assert!(
            elapsed >= backoff,
            "{verb}: no backoff waited ({elapsed:?})"
        );
        assert!(elapsed < Duration::from_secs(5), "{verb}: took {elapsed:?}");
    }
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error_at_once_for_post() {
    let backoff = Duration::from_secs(1);
    let client = VortexClient::builder(KEY)
        .base_url(refused_base_url())
        .retry_policy(
            RetryPolicy::default()
                .max_retries(RETRIES)
                .initial_backoff(backoff)
                .max_backoff(backoff),
        )
        .build()
        .unwrap();

    let started = Instant::now();
    let error = client
        .accept_invitations(&["inv-1"], &AcceptUser::email("ada@example.com"))
        .await
        .unwrap_err();
    assert_transport(&error);
    assert_transport(&client.reinvite("inv-1").await.unwrap_err());
    // Retrying would wait about 10 s per call, and less than 1 s with probability 1/20!.
    let elapsed = started.elapsed();
    assert!(elapsed < backoff, "a POST was retried ({elapsed:?})");
}
