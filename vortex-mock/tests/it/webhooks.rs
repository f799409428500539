//! Signed webhook delivery to a local receiver, with retries.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use vortex_client::webhook::Webhooks;
use vortex_mock::{MockError, MockServer};

use crate::support::Api;

const SECRET: &str = "whsec_mock_test";

#[derive(Clone, Default)]
struct Inbox {
    received: Arc<Mutex<Vec<(HeaderMap, Bytes)>>>,
    failures_left: Arc<AtomicUsize>,
    delay: Duration,
}

impl Inbox {
    fn received(&self) -> Vec<(HeaderMap, Bytes)> {
        self.received.lock().unwrap().clone()
    }
}

async fn hook(inbox: Inbox, headers: HeaderMap, body: Bytes) -> StatusCode {
    inbox.received.lock().unwrap().push((headers, body));
    tokio::time::sleep(inbox.delay).await;
    let failing = inbox
        .failures_left
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if failing {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    }
}

/// A receiver on an ephemeral port that answers 500 `fail_first` times, then 200.
async fn receiver(fail_first: usize, delay: Duration) -> (String, Inbox) {
    let inbox = Inbox {
        failures_left: Arc::new(AtomicUsize::new(fail_first)),
        delay,
        ..Inbox::default()
    };
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let state = inbox.clone();
    crate::receiver::spawn(listener, move |headers, body| {
        let inbox = state.clone();
        async move { (hook(inbox, headers, body).await, "") }
    });
    (url, inbox)
}

#[tokio::test]
async fn every_change_is_signed_and_delivered_in_order() {
    let (url, inbox) = receiver(0, Duration::ZERO).await;
    let api = Api::with(MockServer::builder().webhook(&url, SECRET)).await;
    let id = api.create("email", "ada@example.com").await;
    api.post(&format!("/invitations/{id}/reinvite"), &json!({}))
        .await;
    api.post(
        "/invitations/accept",
        &json!({"invitationIds": [id], "user": {"email": "ada@example.com"}}),
    )
    .await;
    api.delete(&format!("/invitations/{id}")).await;
    api.delete("/invitations/by-scope/team/team-1").await;

    let deliveries = api
        .mock
        .wait_for_webhook_deliveries(5, Duration::from_secs(10))
        .await;
    let kinds: Vec<&str> = deliveries.iter().map(|d| d.event_type.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "invitation.created",
            "invitation.reminder.sent",
            "invitation.accepted",
            "invitation.deactivated",
            "invitation.deactivated",
        ]
    );
    assert!(
        deliveries
            .iter()
            .all(|d| d.delivered && d.attempts == 1 && d.status == Some(200))
    );

    let verifier = Webhooks::new(SECRET).unwrap();
    let received = inbox.received();
    assert_eq!(received.len(), 5);
    let mut operations = Vec::new();
    for ((headers, body), delivery) in received.iter().zip(&deliveries) {
        let signature = headers["x-vortex-signature"].to_str().unwrap();
        verifier
            .verify(body, signature)
            .expect("signature verifies");
        assert_eq!(headers["content-type"], "application/json");
        assert_eq!(body.as_ref(), delivery.body.as_bytes());
        assert_eq!(signature, delivery.signature);

        let event: Value = serde_json::from_slice(body).unwrap();
        let keys: Vec<&str> = event
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "id",
                "type",
                "timestamp",
                "accountId",
                "environmentId",
                "sourceTable",
                "operation",
                "data"
            ]
        );
        assert_eq!(event["id"], delivery.event_id.as_str());
        assert_eq!(event["accountId"], api.mock.account_id());
        assert_eq!(event["sourceTable"], "invitations");
        assert_eq!(event["data"]["id"], id.as_str());
        operations.push(event["operation"].as_str().unwrap().to_owned());
    }
    assert_eq!(
        operations,
        ["insert", "update", "update", "update", "delete"]
    );

    let listed = api.send(api.http.get(api.control_url("/webhooks"))).await;
    assert_eq!(listed.json["configured"], true);
    assert_eq!(listed.json["deliveries"].as_array().unwrap().len(), 5);
    assert_eq!(
        listed.json["deliveries"][0]["eventType"],
        "invitation.created"
    );
}

#[tokio::test]
async fn a_failed_delivery_is_retried() {
    let (url, inbox) = receiver(1, Duration::ZERO).await;
    let api = Api::with(MockServer::builder().webhook(&url, SECRET)).await;
    api.create("email", "ada@example.com").await;

    let deliveries = api
        .mock
        .wait_for_webhook_deliveries(1, Duration::from_secs(10))
        .await;
    assert_eq!(deliveries.len(), 1);
    let delivery = &deliveries[0];
    assert_eq!(
        (delivery.attempts, delivery.status, delivery.delivered),
        (2, Some(200), true)
    );
    assert_eq!(delivery.error, None);

    let received = inbox.received();
    assert_eq!(received.len(), 2);
    assert_eq!(received[0].1, received[1].1, "the same body is re-sent");
    let verifier = Webhooks::new(SECRET).unwrap();
    for (headers, body) in &received {
        let signature = headers["x-vortex-signature"].to_str().unwrap();
        verifier.verify(body, signature).unwrap();
    }
}

#[tokio::test]
async fn gives_up_after_three_attempts() {
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", closed.local_addr().unwrap());
    drop(closed);
    let api = Api::with(MockServer::builder().webhook(&url, SECRET)).await;
    api.create("email", "ada@example.com").await;
    let deliveries = api
        .mock
        .wait_for_webhook_deliveries(1, Duration::from_secs(20))
        .await;
    let delivery = &deliveries[0];
    assert_eq!(
        (delivery.attempts, delivery.delivered, delivery.status),
        (3, false, None)
    );
    assert!(delivery.error.is_some());
    assert!(
        !delivery
            .error
            .as_deref()
            .unwrap_or_default()
            .contains(SECRET)
    );
}

#[tokio::test]
async fn delivery_does_not_block_the_api() {
    let (url, inbox) = receiver(0, Duration::from_secs(1)).await;
    let api = Api::with(MockServer::builder().webhook(&url, SECRET)).await;
    let started = Instant::now();
    api.create("email", "ada@example.com").await;
    assert!(started.elapsed() < Duration::from_millis(800));
    let deliveries = api
        .mock
        .wait_for_webhook_deliveries(1, Duration::from_secs(10))
        .await;
    assert!(deliveries[0].delivered);
    assert_eq!(inbox.received().len(), 1);
}

#[tokio::test]
async fn no_target_means_no_deliveries() {
    let api = Api::start().await;
    api.create("email", "ada@example.com").await;
    assert!(api.mock.webhook_deliveries().is_empty());
    let listed = api.send(api.http.get(api.control_url("/webhooks"))).await;
    assert_eq!(listed.json, json!({"configured": false, "deliveries": []}));
}

#[tokio::test]
async fn invalid_targets_are_rejected() {
    let err = MockServer::builder()
        .webhook("not a url", SECRET)
        .start()
        .await
        .unwrap_err();
    assert!(matches!(err, MockError::WebhookUrl(_)), "{err}");
    let err = MockServer::builder()
        .webhook("ftp://x/hook", SECRET)
        .start()
        .await
        .unwrap_err();
    assert!(matches!(err, MockError::WebhookUrl(_)), "{err}");
    let err = MockServer::builder()
        .webhook("http://x/hook", "")
        .start()
        .await
        .unwrap_err();
    assert!(matches!(err, MockError::WebhookSecret), "{err}");
}
