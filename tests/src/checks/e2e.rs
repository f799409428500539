//! vortex-mock's webhooks delivered end to end into the app's verified-webhook route.
//!
//! Ports: the mock must know the app's webhook URL when it is built, and the app's client
//! must know the mock's URL. The mock's listener is bound first (its port is then known),
//! the app is started with a client for that URL and an API key chosen here, and only then
//! is the mock built (with that key and the app's webhook URL) and served on the listener.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use serde_json::{Value, json};
use vortex_mock::{Mock, generate_api_key};

use super::{Failures, request, send_checked, with_body};
use crate::app::{AppConfig, Framework, MOUNT, SUITE_SECRET, WEBHOOK_PATH};
use crate::env::{admin, secrets_of, suite_client, suite_routes};
use crate::http::{HttpClient, HttpRequest, ReqBody};
use crate::table::invitation;

/// Changes made through the router reach the app as verified webhooks; replaying a
/// delivery is answered as a duplicate.
///
/// # Panics
///
/// On any failure, naming the framework and the case.
#[allow(clippy::too_many_lines)]
pub async fn mock_webhooks_end_to_end<F: Framework>() {
    let key = generate_api_key();
    let listener = tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .expect("bind the mock's port");
    let mock_url = format!("http://{}", listener.local_addr().expect("mock address"));
    let config = AppConfig::new(suite_routes(
        suite_client(&key, &mock_url, Duration::from_secs(2)),
        None,
    ));
    let app = F::spawn(config.clone());
    let mock = Mock::builder()
        .api_key(&key)
        .webhook(format!("{}{WEBHOOK_PATH}", app.base_url()), SUITE_SECRET)
        .seed_invitation(invitation("inv-1"))
        .build()
        .expect("mock builds");
    let serving = tokio::spawn(mock.clone().serve(listener));

    let http = HttpClient::new();
    let secrets = secrets_of(&key);
    let mut failures = Failures::default();
    let user = admin();
    let steps: Vec<(&str, HttpRequest)> = vec![
        (
            "e2e: accept through the router",
            with_body(
                request("POST", &format!("{MOUNT}/invitations/accept"), Some(&user)),
                json!({"invitationIds": ["inv-1"], "target": {"type": "email", "value": "ada@example.com"}})
                    .to_string(),
            ),
        ),
        (
            "e2e: reinvite through the router",
            request("POST", &format!("{MOUNT}/invitations/inv-1/reinvite"), Some(&user)),
        ),
        (
            "e2e: revoke through the router",
            request("DELETE", &format!("{MOUNT}/invitations/inv-1"), Some(&user)),
        ),
    ];
    for (name, req) in &steps {
        if let Some(answer) =
            send_checked::<F>(&http, app.addr(), &secrets, &mut failures, name, req).await
        {
            failures.ensure::<F>(answer.status == 200, name, || {
                format!("status {} {}", answer.status, answer.text())
            });
        }
    }

    let case = "e2e: deliveries";
    let deliveries = mock
        .wait_for_webhook_deliveries(3, Duration::from_secs(5))
        .await;
    let types: Vec<&str> = deliveries.iter().map(|d| d.event_type.as_str()).collect();
    failures.ensure::<F>(
        types
            == [
                "invitation.accepted",
                "invitation.reminder.sent",
                "invitation.deactivated",
            ],
        case,
        || format!("unexpected webhook events {types:?}"),
    );
    for delivery in &deliveries {
        failures.ensure::<F>(
            delivery.delivered && delivery.status == Some(200) && delivery.attempts == 1,
            case,
            || {
                format!(
                    "{} not delivered at once: {delivery:?}",
                    delivery.event_type
                )
            },
        );
    }
    let received = config.webhook_log.events();
    let received_ids: Vec<&str> = received
        .iter()
        .map(|e| e.get("id").and_then(Value::as_str).unwrap_or_default())
        .collect();
    let sent_ids: Vec<&str> = deliveries.iter().map(|d| d.event_id.as_str()).collect();
    failures.ensure::<F>(received_ids == sent_ids, case, || {
        format!("the app received {received_ids:?}, the mock sent {sent_ids:?}")
    });
    for event in &received {
        failures.ensure::<F>(event["data"]["id"] == "inv-1", case, || {
            format!("event data is not invitation inv-1: {event}")
        });
    }

    let case = "e2e: a replayed delivery is a duplicate";
    if let Some(first) = deliveries.first() {
        let runs = config.webhook_log.runs();
        let replay = HttpRequest::new("POST", WEBHOOK_PATH)
            .header("content-type", "application/json")
            .header("x-vortex-signature", first.signature.clone())
            .body(ReqBody::Bytes(first.body.clone().into_bytes()));
        if let Some(answer) =
            send_checked::<F>(&http, app.addr(), &secrets, &mut failures, case, &replay).await
        {
            failures.ensure::<F>(
                answer.status == 200
                    && answer.json() == Some(json!({"received": true, "duplicate": true})),
                case,
                || format!("got {} {}", answer.status, answer.text()),
            );
        }
        failures.ensure::<F>(config.webhook_log.runs() == runs, case, || {
            "the handler ran for a replay".into()
        });
    }

    serving.abort();
    drop(app);
    failures.finish("mock_webhooks_end_to_end");
}
