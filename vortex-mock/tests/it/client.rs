//! The whole invitation lifecycle through `vortex_client::VortexClient` against the mock.

use std::time::Duration;

use serde_json::json;
use vortex_client::VortexClient;
use vortex_client::retry::RetryPolicy;
use vortex_client::types::{
    AcceptUser, ConfigureAutojoinRequest, CreateInvitationRequest, CreateInvitationScope,
    CreateInvitationTarget, DeliveryType, InvitationStatus, InvitationType, Inviter, SyncAction,
    SyncInternalInvitationRequest,
};
use vortex_mock::{Fault, MockServer};

fn client_for(mock: &MockServer) -> VortexClient {
    VortexClient::builder(mock.api_key())
        .base_url(mock.base_url())
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client builds")
}

fn create_request(target: DeliveryType, value: &str) -> CreateInvitationRequest {
    CreateInvitationRequest::new(
        "component-1",
        CreateInvitationTarget::new(target, value),
        Inviter::new("user-1"),
    )
    .scope(CreateInvitationScope::new("team", "team-1", "Team One"))
}

#[tokio::test]
async fn lifecycle() {
    let mock = MockServer::start().await;
    let client = client_for(&mock);

    // Create and get.
    let created = client
        .create_invitation(&create_request(DeliveryType::Email, "ada@example.com"))
        .await
        .unwrap();
    assert_eq!(created.status, Some(InvitationStatus::Queued));
    assert!(created.short_link.is_some());
    let invitation = client.get_invitation(&created.id).await.unwrap();
    assert_eq!(invitation.id, created.id);
    assert_eq!(invitation.foreign_creator_id.as_deref(), Some("user-1"));
    assert_eq!(invitation.scopes()[0].group_id, "team-1");
    assert_eq!(invitation.target[0].value, "ada@example.com");

    // List by target and by scope (and the legacy by-group path).
    let by_target = client
        .get_invitations_by_target("email", "ada@example.com")
        .await
        .unwrap();
    assert_eq!(by_target.len(), 1);
    assert_eq!(
        client
            .get_invitations_by_scope("team", "team-1")
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        client
            .get_invitations_by_group("team", "team-1")
            .await
            .unwrap()
            .len(),
        1
    );

    // Reinvite.
    let reinvited = client.reinvite(&created.id).await.unwrap();
    assert_eq!(reinvited.delivery_count, 2);

    // Accept.
    let accepted = client
        .accept_invitations(
            &[&created.id],
            &AcceptUser::email("ada@example.com").is_existing(true),
        )
        .await
        .unwrap();
    assert_eq!(accepted["status"], "accepted");
    assert_eq!(accepted["accepts"][0]["isExisting"], true);
    let invitation = client.get_invitation(&created.id).await.unwrap();
    assert_eq!(invitation.status, Some(InvitationStatus::Accepted));
    assert_eq!(invitation.accepts.len(), 1);

    // Revoke: the mock answers `{}`, which the client treats as success.
    client.revoke_invitation(&created.id).await.unwrap();
    assert!(
        client
            .get_invitation(&created.id)
            .await
            .unwrap()
            .deactivated
    );

    // Autojoin configure + get.
    let configured = client
        .configure_autojoin(&ConfigureAutojoinRequest::new(
            "team",
            "team-1",
            "component-1",
            ["example.com"],
        ))
        .await
        .unwrap();
    assert_eq!(configured.autojoin_domains[0].domain, "example.com");
    let autojoin = client.get_autojoin_domains("team", "team-1").await.unwrap();
    assert_eq!(autojoin, configured);
    assert_eq!(
        autojoin
            .invitation
            .as_ref()
            .and_then(|i| i.invitation_type.clone()),
        Some(InvitationType::Autojoin)
    );

    // Sync an internal invitation.
    let internal = client
        .create_invitation(&create_request(DeliveryType::Internal, "user-2"))
        .await
        .unwrap();
    let synced = client
        .sync_internal_invitation(&SyncInternalInvitationRequest::new(
            "user-1",
            "user-2",
            SyncAction::Accepted,
            "component-1",
        ))
        .await
        .unwrap();
    assert_eq!(synced.processed, 1);
    assert_eq!(synced.invitation_ids, std::slice::from_ref(&internal.id));

    // Delete by scope: everything in team-1 is gone.
    client
        .delete_invitations_by_scope("team", "team-1")
        .await
        .unwrap();
    assert!(
        client
            .get_invitations_by_scope("team", "team-1")
            .await
            .unwrap()
            .is_empty()
    );
    let gone = client.get_invitation(&internal.id).await.unwrap_err();
    assert!(gone.is_not_found(), "{gone}");
}

#[tokio::test]
async fn unknown_ids_and_wrong_keys() {
    let mock = MockServer::start().await;
    let client = client_for(&mock);
    let err = client.get_invitation("no-such-id").await.unwrap_err();
    assert!(err.is_not_found(), "{err}");

    let wrong = VortexClient::builder(vortex_mock::generate_api_key())
        .base_url(mock.base_url())
        .build()
        .unwrap();
    let err = wrong.get_invitation("no-such-id").await.unwrap_err();
    assert_eq!(err.status(), Some(401), "{err}");
    assert!(!err.to_string().contains(mock.api_key()));
}

#[tokio::test]
async fn odd_ids_round_trip_through_client_encoding() {
    let mock = MockServer::start().await;
    let client = client_for(&mock);
    for id in ["a/b?c", "é t", "100%", "x#y"] {
        mock.seed_invitation(json!({"id": id})).unwrap();
        assert_eq!(client.get_invitation(id).await.unwrap().id, id);
    }
}

#[tokio::test]
async fn client_retries_an_injected_503() {
    let mock = MockServer::start().await;
    let client = VortexClient::builder(mock.api_key())
        .base_url(mock.base_url())
        .retry_policy(
            RetryPolicy::default()
                .max_retries(2)
                .initial_backoff(Duration::from_millis(10)),
        )
        .build()
        .unwrap();
    mock.seed_invitation(json!({"id": "inv-1"})).unwrap();
    mock.inject_fault(Fault::new().status(503).header("Retry-After", "0"))
        .unwrap();
    assert_eq!(client.get_invitation("inv-1").await.unwrap().id, "inv-1");
    assert_eq!(mock.requests().len(), 2);

    mock.inject_fault(
        Fault::new()
            .status(200)
            .body(vortex_mock::FaultBody::Malformed),
    )
    .unwrap();
    let err = client.get_invitation("inv-1").await.unwrap_err();
    assert!(matches!(err, vortex_client::Error::Decode(_)), "{err}");
}

/// The client's retry budget against the mock's faults: `cargo test -p vortex-mock --test it
/// outage -- --nocapture` prints the figures.
#[tokio::test]
async fn outage_upstream_calls_stay_within_the_retry_budget() {
    let mock = MockServer::start().await;
    mock.seed_invitation(json!({"id": "inv-1"})).unwrap();
    mock.inject_fault(Fault::new().status(503).count(1_000_000))
        .unwrap();
    let client = VortexClient::builder(mock.api_key())
        .base_url(mock.base_url())
        .retry_policy(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(2)),
        )
        .build()
        .unwrap();
    const CALLS: u64 = 400;
    const TASKS: u64 = 8;

    let tasks: Vec<_> = (0..TASKS)
        .map(|_| {
            let clone = client.clone();
            tokio::spawn(async move {
                for _ in 0..CALLS / TASKS {
                    let error = clone.get_invitation("inv-1").await.unwrap_err();
                    assert_eq!(error.status(), Some(503), "{error:?}");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let upstream = mock.request_count();
    println!(
        "outage via the mock's 503 fault: {CALLS} calls through {TASKS} clones made {upstream} \
         upstream requests (ratio {:.3})",
        upstream as f64 / CALLS as f64
    );
    assert!(upstream >= CALLS);
    // The default budget: 10 + 10% of the calls.
    assert!(upstream <= CALLS + 10 + CALLS / 10, "{upstream}");
}

#[tokio::test]
async fn outage_a_stalled_mock_answers_within_the_deadline() {
    let mock = MockServer::start().await;
    mock.seed_invitation(json!({"id": "inv-1"})).unwrap();
    mock.inject_fault(Fault::new().delay(Duration::from_secs(5)).count(10))
        .unwrap();
    let deadline = Duration::from_secs(1);
    let client = VortexClient::builder(mock.api_key())
        .base_url(mock.base_url())
        .timeout(deadline)
        .build()
        .unwrap();

    let started = std::time::Instant::now();
    let error = client.get_invitation("inv-1").await.unwrap_err();
    let elapsed = started.elapsed();
    println!(
        "outage via the mock's 5 s delay fault: answered after {elapsed:?} (deadline {deadline:?})"
    );
    assert!(
        matches!(error, vortex_client::Error::Timeout(_)),
        "{error:?}"
    );
    assert!(
        elapsed >= deadline && elapsed < deadline + Duration::from_millis(300),
        "{elapsed:?}"
    );
    assert_eq!(mock.request_count(), 1);
}

#[tokio::test]
async fn accept_invitation_accepts_one_and_answers_it_typed() {
    let mock = MockServer::start().await;
    let client = client_for(&mock);
    let created = client
        .create_invitation(&create_request(DeliveryType::Email, "grace@example.com"))
        .await
        .unwrap();
    let accepted = client
        .accept_invitation(&created.id, &AcceptUser::email("grace@example.com"))
        .await
        .unwrap();
    assert_eq!(accepted.id, created.id);
    assert_eq!(accepted.status, Some(InvitationStatus::Accepted));
    assert_eq!(accepted.accepts.len(), 1);
    let unknown = client
        .accept_invitation("inv-unknown", &AcceptUser::email("grace@example.com"))
        .await
        .unwrap_err();
    assert_eq!(unknown.status(), Some(404), "{unknown:?}");
}
