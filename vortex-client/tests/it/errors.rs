//! Upstream error statuses become `Error::Status` with the upstream text, never the key.

use std::time::{Duration, Instant};

use serde_json::json;
use vortex_client::Error;
use vortex_client::types::AcceptUser;
use wiremock::ResponseTemplate;

use crate::support::{KEY, SECRET, assert_request_count, client, mount, start_server};

/// Asserts an `Error::Status` and returns its message and `Retry-After`.
fn status_parts(error: &Error, expected_status: u16) -> (Option<&str>, Option<Duration>) {
    match error {
        Error::Status {
            status,
            message,
            retry_after,
        } => {
            assert_eq!(*status, expected_status, "{error:?}");
            assert_eq!(error.status(), Some(expected_status));
            (message.as_deref(), *retry_after)
        }
        other => panic!("expected Error::Status {{ status: {expected_status} }}, got {other:?}"),
    }
}

/// Asserts that neither the key nor its secret part appears in the `Display` or `Debug` of
/// `error`.
fn assert_no_secret(error: &Error) {
    for text in [error.to_string(), format!("{error:?}")] {
        assert!(!text.contains(KEY), "the key leaked: {text}");
        assert!(!text.contains(SECRET), "the key's secret leaked: {text}");
    }
}

#[tokio::test]
async fn not_found_is_a_404_status_with_the_upstream_message() {
    let server = start_server().await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations/missing",
        ResponseTemplate::new(404)
            .set_body_json(json!({"error": "Not Found", "message": "Invitation not found"})),
    )
    .await;

    let error = client(&server).get_invitation("missing").await.unwrap_err();
    let (message, retry_after) = status_parts(&error, 404);
    assert_eq!(message, Some("Invitation not found"));
    assert_eq!(retry_after, None);
    assert!(error.is_not_found());
    assert_eq!(
        error.to_string(),
        "the Vortex API answered 404: Invitation not found"
    );
    assert_request_count(&server, 1).await;
}

#[tokio::test]
async fn unauthorized_is_a_401_status_with_the_upstream_error_text() {
    let server = start_server().await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations/inv-1",
        ResponseTemplate::new(401).set_body_json(json!({"error": "Unauthorized"})),
    )
    .await;

    let error = client(&server).get_invitation("inv-1").await.unwrap_err();
    let (message, _) = status_parts(&error, 401);
    assert_eq!(message, Some("Unauthorized"));
    assert!(!error.is_not_found());
    assert_request_count(&server, 1).await;
}

#[tokio::test]
async fn bad_request_prefers_message_over_error() {
    let server = start_server().await;
    mount(
        &server,
        "POST",
        "/api/v1/invitations/accept",
        ResponseTemplate::new(400).set_body_json(json!({"error": "x", "message": "y"})),
    )
    .await;

    let error = client(&server)
        .accept_invitations(&["inv-1"], &AcceptUser::email("ada@example.com"))
        .await
        .unwrap_err();
    let (message, _) = status_parts(&error, 400);
    assert_eq!(message, Some("y"));
    assert_eq!(error.to_string(), "the Vortex API answered 400: y");
}

#[tokio::test]
async fn server_error_with_an_html_page_has_no_message_and_is_not_retried() {
    let server = start_server().await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations/inv-1",
        ResponseTemplate::new(500)
            .set_body_raw("<html><body>Internal error</body></html>", "text/html"),
    )
    .await;

    let error = client(&server).get_invitation("inv-1").await.unwrap_err();
    let (message, _) = status_parts(&error, 500);
    assert_eq!(message, None);
    assert_eq!(error.to_string(), "the Vortex API answered 500");
    assert_request_count(&server, 1).await;
}

#[tokio::test]
async fn a_plain_text_error_body_is_the_message() {
    let server = start_server().await;
    mount(
        &server,
        "DELETE",
        "/api/v1/invitations/inv-1",
        ResponseTemplate::new(403).set_body_string("forbidden for this account"),
    )
    .await;

    let error = client(&server)
        .revoke_invitation("inv-1")
        .await
        .unwrap_err();
    let (message, _) = status_parts(&error, 403);
    assert_eq!(message, Some("forbidden for this account"));
}

#[tokio::test]
async fn too_many_requests_on_a_post_returns_retry_after_after_one_request() {
    let server = start_server().await;
    mount(
        &server,
        "POST",
        "/api/v1/invitations",
        ResponseTemplate::new(429)
            .insert_header("retry-after", "1")
            .set_body_json(json!({"error": "Too Many Requests"})),
    )
    .await;
    let request = vortex_client::types::CreateInvitationRequest::new(
        "wc-1",
        vortex_client::types::CreateInvitationTarget::new(
            vortex_client::types::DeliveryType::Email,
            "new@example.com",
        ),
        vortex_client::types::Inviter::new("user-1"),
    );

    let started = Instant::now();
    let error = client(&server)
        .create_invitation(&request)
        .await
        .unwrap_err();
    let (message, retry_after) = status_parts(&error, 429);
    assert_eq!(message, Some("Too Many Requests"));
    assert_eq!(retry_after, Some(Duration::from_secs(1)));
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "a POST does not wait for Retry-After"
    );
    assert_request_count(&server, 1).await;
}

#[tokio::test]
async fn an_upstream_echo_of_the_key_is_redacted_from_the_error() {
    let server = start_server().await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations/inv-1",
        ResponseTemplate::new(401)
            .set_body_json(json!({"message": format!("API key {KEY} is not valid")})),
    )
    .await;

    let error = client(&server).get_invitation("inv-1").await.unwrap_err();
    let (message, _) = status_parts(&error, 401);
    let message = message.expect("the rest of the message is kept");
    assert!(message.starts_with("API key "), "{message}");
    assert!(message.ends_with(" is not valid"), "{message}");
    assert_no_secret(&error);
}

#[tokio::test]
async fn an_upstream_echo_of_the_key_in_plain_text_is_redacted_from_the_error() {
    let server = start_server().await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations/inv-1",
        ResponseTemplate::new(403).set_body_string(format!("bad key: {KEY}")),
    )
    .await;

    let error = client(&server).get_invitation("inv-1").await.unwrap_err();
    status_parts(&error, 403);
    assert_no_secret(&error);
}

#[tokio::test]
async fn an_upstream_echo_of_the_key_secret_part_is_redacted_from_the_error() {
    let server = start_server().await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations/inv-1",
        ResponseTemplate::new(401)
            .set_body_json(json!({"message": format!("secret {SECRET} does not match")})),
    )
    .await;

    let error = client(&server).get_invitation("inv-1").await.unwrap_err();
    status_parts(&error, 401);
    assert_no_secret(&error);
}

#[tokio::test]
async fn a_non_object_success_answer_echoing_the_key_does_not_leak_it() {
    let server = start_server().await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations/inv-1",
        ResponseTemplate::new(200).set_body_json(json!([format!("echo {KEY}")])),
    )
    .await;

    let error = client(&server).get_invitation("inv-1").await.unwrap_err();
    assert!(matches!(error, Error::Decode(_)), "{error:?}");
    assert_no_secret(&error);
}

#[tokio::test]
async fn an_overlong_upstream_message_is_dropped() {
    let server = start_server().await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations/inv-1",
        ResponseTemplate::new(400).set_body_json(json!({"message": "x".repeat(5000)})),
    )
    .await;

    let error = client(&server).get_invitation("inv-1").await.unwrap_err();
    let (message, _) = status_parts(&error, 400);
    assert_eq!(message, None);
}
