//! DELETE answered with an empty body, whitespace, `{}` or 204 is success (the official Rust
//! SDK fails on all of these).

use serde_json::{Value, json};
use vortex_client::Error;
use wiremock::ResponseTemplate;

use crate::support::{client, mount, start_server};

/// The empty-ish success answers the upstream gives to a DELETE.
fn empty_answers() -> [(&'static str, ResponseTemplate); 4] {
    [
        ("200 with an empty body", ResponseTemplate::new(200)),
        (
            "200 with whitespace",
            ResponseTemplate::new(200).set_body_string(" \r\n"),
        ),
        (
            "200 with {}",
            ResponseTemplate::new(200).set_body_raw("{}", "application/json"),
        ),
        ("204 No Content", ResponseTemplate::new(204)),
    ]
}

/// Runs `typed` and `raw` against a DELETE on `raw_path` answered each empty way.
async fn check_empty_delete_answers<T, R>(raw_path: &str, typed: T, raw: R)
where
    T: AsyncFn(&vortex_client::VortexClient) -> Result<(), Error>,
    R: AsyncFn(&vortex_client::VortexClient) -> Result<Value, Error>,
{
    for (label, answer) in empty_answers() {
        let server = start_server().await;
        mount(&server, "DELETE", raw_path, answer).await;
        let client = client(&server);

        if let Err(e) = typed(&client).await {
            panic!("typed DELETE {raw_path} answered {label}: {e:?}");
        }
        match raw(&client).await {
            Ok(value) => assert_eq!(value, json!({}), "raw DELETE answered {label}"),
            Err(e) => panic!("raw DELETE {raw_path} answered {label}: {e:?}"),
        }
        crate::support::assert_request_count(&server, 2).await;
    }
}

#[tokio::test]
async fn revoke_invitation_accepts_empty_answers() {
    check_empty_delete_answers(
        "/api/v1/invitations/inv-1",
        async |c| c.revoke_invitation("inv-1").await,
        async |c| c.raw().revoke_invitation("inv-1").await,
    )
    .await;
}

#[tokio::test]
async fn delete_invitations_by_scope_accepts_empty_answers() {
    check_empty_delete_answers(
        "/api/v1/invitations/by-scope/team/team-1",
        async |c| c.delete_invitations_by_scope("team", "team-1").await,
        async |c| c.raw().delete_invitations_by_scope("team", "team-1").await,
    )
    .await;
}

#[tokio::test]
async fn delete_invitations_by_group_accepts_empty_answers() {
    check_empty_delete_answers(
        "/api/v1/invitations/by-group/team/team-1",
        async |c| c.delete_invitations_by_group("team", "team-1").await,
        async |c| c.raw().delete_invitations_by_group("team", "team-1").await,
    )
    .await;
}

#[tokio::test]
async fn a_delete_answered_with_malformed_json_is_a_decode_error() {
    let server = start_server().await;
    mount(
        &server,
        "DELETE",
        "/api/v1/invitations/inv-1",
        ResponseTemplate::new(200).set_body_raw("{not json", "application/json"),
    )
    .await;

    let error = client(&server)
        .revoke_invitation("inv-1")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Decode(_)), "{error:?}");
}
