//! Success answers that are not what was expected: decode errors, and lenient decoding of
//! fields and values this version does not know.

use serde_json::json;
use vortex_client::Error;
use vortex_client::types::{DeliveryType, InvitationStatus, InvitationType};
use wiremock::ResponseTemplate;

use crate::support::{client, json_answer, mount, start_server};

fn assert_decode_error<T: std::fmt::Debug>(result: Result<T, Error>) {
    match result {
        Err(Error::Decode(_)) => {}
        other => panic!("expected Error::Decode, got {other:?}"),
    }
}

#[tokio::test]
async fn malformed_json_on_a_200_is_a_decode_error() {
    let server = start_server().await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations/inv-1",
        ResponseTemplate::new(200).set_body_raw(r#"{"id": "inv-1","#, "application/json"),
    )
    .await;
    let client = client(&server);

    assert_decode_error(client.get_invitation("inv-1").await);
    assert_decode_error(client.raw().get_invitation("inv-1").await);
    crate::support::assert_request_count(&server, 2).await;
}

#[tokio::test]
async fn an_empty_200_on_a_get_is_a_decode_error() {
    let server = start_server().await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations/inv-1",
        ResponseTemplate::new(200),
    )
    .await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations/by-scope/team/team-1",
        ResponseTemplate::new(200).set_body_string("  \n"),
    )
    .await;
    let client = client(&server);

    assert_decode_error(client.get_invitation("inv-1").await);
    assert_decode_error(client.raw().get_invitation("inv-1").await);
    assert_decode_error(client.get_invitations_by_scope("team", "team-1").await);
}

#[tokio::test]
async fn an_empty_200_on_a_post_is_a_decode_error() {
    let server = start_server().await;
    mount(
        &server,
        "POST",
        "/api/v1/invitations/inv-1/reinvite",
        ResponseTemplate::new(200),
    )
    .await;

    assert_decode_error(client(&server).reinvite("inv-1").await);
}

#[tokio::test]
async fn a_list_answer_without_an_invitations_array_is_a_decode_error() {
    let server = start_server().await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations/by-scope/team/a",
        json_answer(&json!([{"id": "inv-1"}])),
    )
    .await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations/by-scope/team/b",
        json_answer(&json!({"data": []})),
    )
    .await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations/by-scope/team/c",
        json_answer(&json!({"invitations": {"id": "inv-1"}})),
    )
    .await;
    let client = client(&server);

    for scope in ["a", "b", "c"] {
        assert_decode_error(client.get_invitations_by_scope("team", scope).await);
    }
}

#[tokio::test]
async fn a_single_invitation_answer_that_is_not_an_object_is_a_decode_error() {
    let server = start_server().await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations/inv-1",
        json_answer(&json!(["inv-1"])),
    )
    .await;

    assert_decode_error(client(&server).get_invitation("inv-1").await);
}

#[tokio::test]
async fn unknown_fields_and_enum_values_decode() {
    let server = start_server().await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations/inv-1",
        json_answer(&json!({
            "id": "inv-1",
            "status": "brand_new",
            "invitationType": "quantum_use",
            "deliveryTypes": ["email", "carrier_pigeon"],
            "target": [{"type": "telepathy", "value": "ada", "hologram": true}],
            "groups": [{"groupId": "team-1", "type": "team", "color": "blue"}],
            "clickThroughs": "not a number",
            "views": null,
            "somethingNew": {"deep": [1, 2]}
        })),
    )
    .await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations",
        json_answer(&json!({
            "invitations": [{"id": "inv-2", "status": "brand_new"}],
            "nextCursor": "abc"
        })),
    )
    .await;
    let client = client(&server);

    let invitation = client.get_invitation("inv-1").await.unwrap();
    assert_eq!(invitation.id, "inv-1");
    assert_eq!(
        invitation.status,
        Some(InvitationStatus::Unknown("brand_new".into()))
    );
    assert_eq!(
        invitation.invitation_type,
        Some(InvitationType::Unknown("quantum_use".into()))
    );
    assert_eq!(
        invitation.delivery_types,
        [
            DeliveryType::Email,
            DeliveryType::Unknown("carrier_pigeon".into())
        ]
    );
    assert_eq!(
        invitation.target[0].target_type,
        Some(DeliveryType::Unknown("telepathy".into()))
    );
    assert_eq!(invitation.target[0].extra["hologram"], json!(true));
    assert_eq!(invitation.scopes()[0].group_id, "team-1");
    assert_eq!(invitation.scopes()[0].extra["color"], json!("blue"));
    assert_eq!(invitation.click_throughs, 0);
    assert_eq!(invitation.views, 0);
    assert_eq!(invitation.extra["somethingNew"], json!({"deep": [1, 2]}));

    let listed = client
        .get_invitations_by_target("email", "ada@example.com")
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0].status,
        Some(InvitationStatus::Unknown("brand_new".into()))
    );
}

#[tokio::test]
async fn unknown_fields_in_create_sync_and_autojoin_answers_decode() {
    let server = start_server().await;
    mount(
        &server,
        "POST",
        "/api/v1/invitations",
        json_answer(&json!({"id": "inv-9", "status": "brand_new", "brandNew": 1})),
    )
    .await;
    mount(
        &server,
        "POST",
        "/api/v1/invitations/sync-internal-invitation",
        json_answer(&json!({"processed": 1, "invitationIds": ["inv-1"], "took": "3ms"})),
    )
    .await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations/by-scope/team/team-1/autojoin",
        json_answer(&json!({
            "autojoinDomains": [{"id": "d-1", "domain": "example.com", "verified": true}],
            "invitation": null,
            "limit": 10
        })),
    )
    .await;
    let client = client(&server);

    let created = client
        .create_invitation(&vortex_client::types::CreateInvitationRequest::new(
            "wc-1",
            vortex_client::types::CreateInvitationTarget::new(DeliveryType::Email, "a@example.com"),
            vortex_client::types::Inviter::new("user-1"),
        ))
        .await
        .unwrap();
    assert_eq!(created.id, "inv-9");
    assert_eq!(
        created.status,
        Some(InvitationStatus::Unknown("brand_new".into()))
    );
    assert_eq!(created.extra["brandNew"], json!(1));

    let synced = client
        .sync_internal_invitation(&vortex_client::types::SyncInternalInvitationRequest::new(
            "user-1",
            "user-2",
            vortex_client::types::SyncAction::Accepted,
            "comp-1",
        ))
        .await
        .unwrap();
    assert_eq!(synced.processed, 1);
    assert_eq!(synced.invitation_ids, ["inv-1"]);

    let autojoin = client.get_autojoin_domains("team", "team-1").await.unwrap();
    assert_eq!(autojoin.autojoin_domains[0].domain, "example.com");
}
