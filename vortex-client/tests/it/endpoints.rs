//! Every endpoint, typed and raw: what is sent (method, raw path, query, headers, body) and
//! how the answer is decoded.

use serde_json::{Value, json};
use vortex_client::Error;
use vortex_client::types::{
    AcceptUser, ConfigureAutojoinRequest, CreateInvitationRequest, CreateInvitationScope,
    CreateInvitationTarget, DeliveryType, InvitationStatus, Inviter, SyncAction,
    SyncInternalInvitationRequest,
};
use wiremock::ResponseTemplate;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, Request};

use crate::support::{
    assert_fixture_invitation, assert_json_body, assert_no_body, assert_request_count,
    assert_sdk_headers, assert_target, client, json_answer, list_item_json, mount, received,
    start_server,
};

/// Asserts that the typed and the raw call sent the same, expected request.
fn assert_both(requests: &[Request], verb: &str, raw_path: &str, query: Option<&str>) {
    assert_eq!(requests.len(), 2, "one typed and one raw call");
    for request in requests {
        assert_target(request, verb, raw_path, query);
        assert_sdk_headers(request);
    }
}

fn list_answer() -> Value {
    json!({"invitations": [list_item_json("inv-1"), list_item_json("inv-2")]})
}

#[tokio::test]
async fn get_invitations_by_target_sends_encoded_query_and_decodes_the_list() {
    let server = start_server().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/invitations"))
        .and(query_param("targetType", "email"))
        .and(query_param("targetValue", "ada+test@example.com"))
        .respond_with(json_answer(&list_answer()))
        .named("GET /api/v1/invitations?targetType=email&targetValue=ada+test@example.com")
        .mount(&server)
        .await;
    let client = client(&server);

    let invitations = client
        .get_invitations_by_target("email", "ada+test@example.com")
        .await
        .unwrap();
    assert_eq!(invitations.len(), 2);
    assert_fixture_invitation(&invitations[0], "inv-1", false);
    assert_fixture_invitation(&invitations[1], "inv-2", false);

    let raw = client
        .raw()
        .get_invitations_by_target("email", "ada+test@example.com")
        .await
        .unwrap();
    assert_eq!(raw, list_answer());

    let requests = received(&server).await;
    assert_both(
        &requests,
        "GET",
        "/api/v1/invitations",
        Some("targetType=email&targetValue=ada%2Btest%40example.com"),
    );
    for request in &requests {
        assert_no_body(request);
    }
}

#[tokio::test]
async fn get_invitations_by_target_encodes_reserved_characters_of_both_query_values() {
    let server = start_server().await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations",
        json_answer(&json!({"invitations": []})),
    )
    .await;
    let client = client(&server);

    let invitations = client
        .get_invitations_by_target("phone Number&x=1", "+1 555 0100#a/b?c=d%")
        .await
        .unwrap();
    assert!(invitations.is_empty());

    let request = crate::support::single_request(&server).await;
    assert_target(
        &request,
        "GET",
        "/api/v1/invitations",
        Some("targetType=phone%20Number%26x%3D1&targetValue=%2B1%20555%200100%23a%2Fb%3Fc%3Dd%25"),
    );
    let pairs: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
    assert_eq!(
        pairs,
        [
            ("targetType".to_owned(), "phone Number&x=1".to_owned()),
            ("targetValue".to_owned(), "+1 555 0100#a/b?c=d%".to_owned()),
        ],
        "the upstream decodes exactly the two values that were given"
    );
}

#[tokio::test]
async fn get_invitation_sends_a_get_and_decodes_every_invitation_field() {
    let server = start_server().await;
    let answer = crate::support::invitation_json("inv-1");
    mount(
        &server,
        "GET",
        "/api/v1/invitations/inv-1",
        json_answer(&answer),
    )
    .await;
    let client = client(&server);

    let invitation = client.get_invitation("inv-1").await.unwrap();
    assert_fixture_invitation(&invitation, "inv-1", true);
    assert_eq!(client.raw().get_invitation("inv-1").await.unwrap(), answer);

    let requests = received(&server).await;
    assert_both(&requests, "GET", "/api/v1/invitations/inv-1", None);
    for request in &requests {
        assert_no_body(request);
        assert_eq!(
            crate::support::header(request, "accept"),
            Some("application/json")
        );
    }
}

#[tokio::test]
async fn revoke_invitation_sends_a_delete_without_body() {
    let server = start_server().await;
    mount(
        &server,
        "DELETE",
        "/api/v1/invitations/inv-1",
        json_answer(&json!({"revoked": true})),
    )
    .await;
    let client = client(&server);

    client.revoke_invitation("inv-1").await.unwrap();
    assert_eq!(
        client.raw().revoke_invitation("inv-1").await.unwrap(),
        json!({"revoked": true}),
        "raw passes the answer through"
    );

    let requests = received(&server).await;
    assert_both(&requests, "DELETE", "/api/v1/invitations/inv-1", None);
    for request in &requests {
        assert_no_body(request);
    }
}

#[tokio::test]
async fn accept_invitations_posts_ids_and_user_and_passes_the_answer_through() {
    let server = start_server().await;
    let answer = crate::support::invitation_json("inv-1");
    mount(
        &server,
        "POST",
        "/api/v1/invitations/accept",
        json_answer(&answer),
    )
    .await;
    let client = client(&server);
    let user = AcceptUser::email("ada@example.com")
        .name("Ada")
        .is_existing(true);

    let typed = client
        .accept_invitations(&["inv-1", "inv-2"], &user)
        .await
        .unwrap();
    assert_eq!(typed, answer);
    let ids = vec!["inv-1".to_owned(), "inv-2".to_owned()];
    let raw = client.raw().accept_invitations(&ids, &user).await.unwrap();
    assert_eq!(raw, answer);

    let requests = received(&server).await;
    assert_both(&requests, "POST", "/api/v1/invitations/accept", None);
    let expected = json!({
        "invitationIds": ["inv-1", "inv-2"],
        "user": {"email": "ada@example.com", "name": "Ada", "isExisting": true}
    });
    for request in &requests {
        assert_json_body(request, &expected);
    }
}

#[tokio::test]
async fn accept_invitation_posts_one_id_and_answers_the_invitation_typed() {
    let server = start_server().await;
    let answer = crate::support::invitation_json("inv-1");
    mount(
        &server,
        "POST",
        "/api/v1/invitations/accept",
        json_answer(&answer),
    )
    .await;
    let client = client(&server);
    let user = AcceptUser::email("ada@example.com").name("Ada");

    let invitation = client.accept_invitation("inv-1", &user).await.unwrap();
    assert_eq!(invitation.id, "inv-1");
    assert_eq!(
        serde_json::to_value(&invitation).unwrap()["id"],
        answer["id"]
    );

    let requests = received(&server).await;
    assert_eq!(requests.len(), 1, "one call");
    assert_target(&requests[0], "POST", "/api/v1/invitations/accept", None);
    assert_sdk_headers(&requests[0]);
    let expected = json!({
        "invitationIds": ["inv-1"],
        "user": {"email": "ada@example.com", "name": "Ada"}
    });
    assert_json_body(&requests[0], &expected);
}

#[tokio::test]
async fn accept_invitation_takes_the_first_of_a_list_answer_and_refuses_other_shapes() {
    let server = start_server().await;
    let listed = json!({"invitations": [crate::support::invitation_json("inv-7")]});
    mount(
        &server,
        "POST",
        "/api/v1/invitations/accept",
        json_answer(&listed),
    )
    .await;
    let user = AcceptUser::email("ada@example.com");
    let invitation = client(&server)
        .accept_invitation("inv-7", &user)
        .await
        .unwrap();
    assert_eq!(invitation.id, "inv-7");

    let server = start_server().await;
    mount(
        &server,
        "POST",
        "/api/v1/invitations/accept",
        json_answer(&json!([1, 2])),
    )
    .await;
    let error = client(&server)
        .accept_invitation("inv-7", &user)
        .await
        .unwrap_err();
    assert!(
        matches!(error, vortex_client::Error::Decode(_)),
        "{error:?}"
    );
}

#[tokio::test]
async fn accept_invitations_with_a_phone_user_sends_only_the_phone() {
    let server = start_server().await;
    let answer = json!({"invitations": [crate::support::invitation_json("inv-1")]});
    mount(
        &server,
        "POST",
        "/api/v1/invitations/accept",
        json_answer(&answer),
    )
    .await;
    let client = client(&server);

    let result = client
        .accept_invitations(&["inv-1"], &AcceptUser::phone("+15550100"))
        .await
        .unwrap();
    assert_eq!(result, answer, "a list-shaped answer is passed through too");

    let request = crate::support::single_request(&server).await;
    assert_json_body(
        &request,
        &json!({"invitationIds": ["inv-1"], "user": {"phone": "+15550100"}}),
    );
}

#[tokio::test]
async fn accept_invitations_refuses_no_ids_or_a_user_without_email_or_phone() {
    let server = start_server().await;
    let client = client(&server);
    let no_ids: [&str; 0] = [];

    let err = client
        .accept_invitations(&no_ids, &AcceptUser::email("ada@example.com"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    let err = client
        .raw()
        .accept_invitations(&no_ids, &AcceptUser::email("ada@example.com"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");

    let nameless = AcceptUser::default().name("Ada").is_existing(false);
    let err = client
        .accept_invitations(&["inv-1"], &nameless)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");

    assert_request_count(&server, 0).await;
}

#[tokio::test]
async fn get_invitations_by_scope_sends_a_get_and_decodes_the_list() {
    let server = start_server().await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations/by-scope/team/team-1",
        json_answer(&list_answer()),
    )
    .await;
    let client = client(&server);

    let invitations = client
        .get_invitations_by_scope("team", "team-1")
        .await
        .unwrap();
    assert_eq!(invitations.len(), 2);
    assert_fixture_invitation(&invitations[0], "inv-1", false);
    assert_fixture_invitation(&invitations[1], "inv-2", false);
    let raw = client
        .raw()
        .get_invitations_by_scope("team", "team-1")
        .await
        .unwrap();
    assert_eq!(raw, list_answer());

    let requests = received(&server).await;
    assert_both(
        &requests,
        "GET",
        "/api/v1/invitations/by-scope/team/team-1",
        None,
    );
    for request in &requests {
        assert_no_body(request);
    }
}

#[tokio::test]
async fn delete_invitations_by_scope_sends_a_delete_without_body() {
    let server = start_server().await;
    mount(
        &server,
        "DELETE",
        "/api/v1/invitations/by-scope/team/team-1",
        json_answer(&json!({"deleted": 2})),
    )
    .await;
    let client = client(&server);

    client
        .delete_invitations_by_scope("team", "team-1")
        .await
        .unwrap();
    let raw = client
        .raw()
        .delete_invitations_by_scope("team", "team-1")
        .await
        .unwrap();
    assert_eq!(raw, json!({"deleted": 2}));

    let requests = received(&server).await;
    assert_both(
        &requests,
        "DELETE",
        "/api/v1/invitations/by-scope/team/team-1",
        None,
    );
    for request in &requests {
        assert_no_body(request);
    }
}

#[tokio::test]
async fn get_invitations_by_group_uses_the_legacy_by_group_path() {
    let server = start_server().await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations/by-group/team/team-1",
        json_answer(&list_answer()),
    )
    .await;
    let client = client(&server);

    let invitations = client
        .get_invitations_by_group("team", "team-1")
        .await
        .unwrap();
    assert_eq!(invitations.len(), 2);
    assert_fixture_invitation(&invitations[1], "inv-2", false);
    let raw = client
        .raw()
        .get_invitations_by_group("team", "team-1")
        .await
        .unwrap();
    assert_eq!(raw, list_answer());

    let requests = received(&server).await;
    assert_both(
        &requests,
        "GET",
        "/api/v1/invitations/by-group/team/team-1",
        None,
    );
    for request in &requests {
        assert_no_body(request);
    }
}

#[tokio::test]
async fn delete_invitations_by_group_uses_the_legacy_by_group_path() {
    let server = start_server().await;
    mount(
        &server,
        "DELETE",
        "/api/v1/invitations/by-group/team/team-1",
        json_answer(&json!({})),
    )
    .await;
    let client = client(&server);

    client
        .delete_invitations_by_group("team", "team-1")
        .await
        .unwrap();
    let raw = client
        .raw()
        .delete_invitations_by_group("team", "team-1")
        .await
        .unwrap();
    assert_eq!(raw, json!({}));

    let requests = received(&server).await;
    assert_both(
        &requests,
        "DELETE",
        "/api/v1/invitations/by-group/team/team-1",
        None,
    );
    for request in &requests {
        assert_no_body(request);
    }
}

#[tokio::test]
async fn reinvite_posts_without_a_body_and_decodes_the_invitation() {
    let server = start_server().await;
    let mut answer = crate::support::invitation_json("inv-1");
    answer["deliveryCount"] = json!(3);
    mount(
        &server,
        "POST",
        "/api/v1/invitations/inv-1/reinvite",
        json_answer(&answer),
    )
    .await;
    let client = client(&server);

    let invitation = client.reinvite("inv-1").await.unwrap();
    assert_eq!(invitation.id, "inv-1");
    assert_eq!(invitation.delivery_count, 3);
    assert_eq!(invitation.status, Some(InvitationStatus::Delivered));
    assert_eq!(client.raw().reinvite("inv-1").await.unwrap(), answer);

    let requests = received(&server).await;
    assert_both(
        &requests,
        "POST",
        "/api/v1/invitations/inv-1/reinvite",
        None,
    );
    for request in &requests {
        assert_no_body(request);
    }
}

fn create_answer() -> Value {
    json!({
        "id": "inv-9",
        "shortLink": "https://vrtx.link/abc",
        "status": "queued",
        "createdAt": "2026-01-02T03:04:05.000Z",
        "deploymentId": "dep-1"
    })
}

#[tokio::test]
async fn create_invitation_posts_the_full_request_and_decodes_the_answer() {
    let server = start_server().await;
    mount(
        &server,
        "POST",
        "/api/v1/invitations",
        json_answer(&create_answer()),
    )
    .await;
    let client = client(&server);

    let mut target = CreateInvitationTarget::new(DeliveryType::Email, "new@example.com");
    target.name = Some("Newton".into());
    target.avatar_url = Some("https://example.com/n.png".into());
    let mut inviter = Inviter::new("user-1");
    inviter.user_email = Some("grace@example.com".into());
    inviter.name = Some("Grace".into());
    inviter.avatar_url = Some("https://example.com/g.png".into());
    let mut request = CreateInvitationRequest::new("wc-1", target, inviter)
        .scope(CreateInvitationScope::new("team", "team-1", "Team One"))
        .scope(CreateInvitationScope::new("org", "org-1", "Org One"));
    request.source = Some("api".into());
    request.subtype = Some("onboarding".into());
    let mut variables = serde_json::Map::new();
    variables.insert("company".into(), json!("Acme"));
    request.template_variables = Some(variables);
    request.metadata = Some(json!({"ref": 42}));
    request.unfurl_config = Some(json!({"title": "Join", "type": "website"}));

    let created = client.create_invitation(&request).await.unwrap();
    assert_eq!(created.id, "inv-9");
    assert_eq!(created.short_link.as_deref(), Some("https://vrtx.link/abc"));
    assert_eq!(created.status, Some(InvitationStatus::Queued));
    assert_eq!(
        created.created_at.as_deref(),
        Some("2026-01-02T03:04:05.000Z")
    );
    assert_eq!(created.extra.get("deploymentId"), Some(&json!("dep-1")));
    assert_eq!(
        client.raw().create_invitation(&request).await.unwrap(),
        create_answer()
    );

    let requests = received(&server).await;
    assert_both(&requests, "POST", "/api/v1/invitations", None);
    let expected = json!({
        "widgetConfigurationId": "wc-1",
        "target": {
            "type": "email", "value": "new@example.com", "name": "Newton",
            "avatarUrl": "https://example.com/n.png"
        },
        "inviter": {
            "userId": "user-1", "userEmail": "grace@example.com", "name": "Grace",
            "avatarUrl": "https://example.com/g.png"
        },
        "groups": [
            {"type": "team", "groupId": "team-1", "name": "Team One"},
            {"type": "org", "groupId": "org-1", "name": "Org One"}
        ],
        "source": "api",
        "subtype": "onboarding",
        "templateVariables": {"company": "Acme"},
        "metadata": {"ref": 42},
        "unfurlConfig": {"title": "Join", "type": "website"}
    });
    for request in &requests {
        assert_json_body(request, &expected);
    }
}

#[tokio::test]
async fn create_invitation_omits_unset_optional_fields() {
    let server = start_server().await;
    mount(
        &server,
        "POST",
        "/api/v1/invitations",
        json_answer(&create_answer()),
    )
    .await;
    let client = client(&server);
    let request = CreateInvitationRequest::new(
        "wc-1",
        CreateInvitationTarget::new(DeliveryType::Internal, "user-2"),
        Inviter::new("user-1"),
    );

    client.create_invitation(&request).await.unwrap();

    let sent = crate::support::single_request(&server).await;
    assert_json_body(
        &sent,
        &json!({
            "widgetConfigurationId": "wc-1",
            "target": {"type": "internal", "value": "user-2"},
            "inviter": {"userId": "user-1"}
        }),
    );
}

fn autojoin_answer() -> Value {
    json!({
        "autojoinDomains": [
            {"id": "d-1", "domain": "example.com"},
            {"id": "d-2", "domain": "example.org"}
        ],
        "invitation": crate::support::invitation_json("inv-auto")
    })
}

#[tokio::test]
async fn get_autojoin_domains_sends_a_get_and_decodes_domains_and_invitation() {
    let server = start_server().await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations/by-scope/team/team-1/autojoin",
        json_answer(&autojoin_answer()),
    )
    .await;
    let client = client(&server);

    let autojoin = client.get_autojoin_domains("team", "team-1").await.unwrap();
    let domains: Vec<(&str, &str)> = autojoin
        .autojoin_domains
        .iter()
        .map(|d| (d.id.as_str(), d.domain.as_str()))
        .collect();
    assert_eq!(domains, [("d-1", "example.com"), ("d-2", "example.org")]);
    let invitation = autojoin.invitation.expect("the autojoin invitation");
    assert_fixture_invitation(&invitation, "inv-auto", true);
    let raw = client
        .raw()
        .get_autojoin_domains("team", "team-1")
        .await
        .unwrap();
    assert_eq!(raw, autojoin_answer());

    let requests = received(&server).await;
    assert_both(
        &requests,
        "GET",
        "/api/v1/invitations/by-scope/team/team-1/autojoin",
        None,
    );
    for request in &requests {
        assert_no_body(request);
    }
}

#[tokio::test]
async fn get_autojoin_domains_decodes_a_null_invitation_as_none() {
    let server = start_server().await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations/by-scope/team/team-1/autojoin",
        json_answer(&json!({"autojoinDomains": [], "invitation": null})),
    )
    .await;

    let autojoin = client(&server)
        .get_autojoin_domains("team", "team-1")
        .await
        .unwrap();
    assert!(autojoin.autojoin_domains.is_empty());
    assert_eq!(autojoin.invitation, None);
}

#[tokio::test]
async fn configure_autojoin_posts_the_configuration_and_decodes_the_answer() {
    let server = start_server().await;
    mount(
        &server,
        "POST",
        "/api/v1/invitations/autojoin",
        json_answer(&autojoin_answer()),
    )
    .await;
    let client = client(&server);
    let mut request =
        ConfigureAutojoinRequest::new("team", "team-1", "comp-1", ["example.com", "example.org"]);
    request.scope_name = Some("Team One".into());
    request.metadata = Some(json!({"by": "admin"}));

    let configured = client.configure_autojoin(&request).await.unwrap();
    assert_eq!(configured.autojoin_domains.len(), 2);
    assert_eq!(configured.autojoin_domains[1].domain, "example.org");
    assert_eq!(
        configured.invitation.map(|i| i.id).as_deref(),
        Some("inv-auto")
    );
    assert_eq!(
        client.raw().configure_autojoin(&request).await.unwrap(),
        autojoin_answer()
    );

    let requests = received(&server).await;
    assert_both(&requests, "POST", "/api/v1/invitations/autojoin", None);
    let expected = json!({
        "scope": "team-1",
        "scopeType": "team",
        "scopeName": "Team One",
        "domains": ["example.com", "example.org"],
        "componentId": "comp-1",
        "metadata": {"by": "admin"}
    });
    for request in &requests {
        assert_json_body(request, &expected);
    }
}

#[tokio::test]
async fn configure_autojoin_with_no_domains_sends_an_empty_list_and_omits_unset_fields() {
    let server = start_server().await;
    mount(
        &server,
        "POST",
        "/api/v1/invitations/autojoin",
        json_answer(&json!({"autojoinDomains": [], "invitation": null})),
    )
    .await;
    let request = ConfigureAutojoinRequest::new("team", "team-1", "comp-1", Vec::<String>::new());

    let configured = client(&server).configure_autojoin(&request).await.unwrap();
    assert!(configured.autojoin_domains.is_empty());
    assert_eq!(configured.invitation, None);

    let sent = crate::support::single_request(&server).await;
    assert_json_body(
        &sent,
        &json!({"scope": "team-1", "scopeType": "team", "domains": [], "componentId": "comp-1"}),
    );
}

#[tokio::test]
async fn sync_internal_invitation_posts_the_report_and_decodes_the_answer() {
    let server = start_server().await;
    let answer = json!({"processed": 2, "invitationIds": ["inv-1", "inv-2"]});
    mount(
        &server,
        "POST",
        "/api/v1/invitations/sync-internal-invitation",
        json_answer(&answer),
    )
    .await;
    let client = client(&server);
    let accepted =
        SyncInternalInvitationRequest::new("user-1", "user-2", SyncAction::Accepted, "comp-1");
    let declined =
        SyncInternalInvitationRequest::new("user-1", "user-2", SyncAction::Declined, "comp-1");

    let synced = client.sync_internal_invitation(&accepted).await.unwrap();
    assert_eq!(synced.processed, 2);
    assert_eq!(synced.invitation_ids, ["inv-1", "inv-2"]);
    assert_eq!(
        client
            .raw()
            .sync_internal_invitation(&declined)
            .await
            .unwrap(),
        answer
    );

    let requests = received(&server).await;
    assert_both(
        &requests,
        "POST",
        "/api/v1/invitations/sync-internal-invitation",
        None,
    );
    assert_json_body(
        &requests[0],
        &json!({
            "creatorId": "user-1", "targetValue": "user-2",
            "action": "accepted", "componentId": "comp-1"
        }),
    );
    assert_json_body(
        &requests[1],
        &json!({
            "creatorId": "user-1", "targetValue": "user-2",
            "action": "declined", "componentId": "comp-1"
        }),
    );
}

#[tokio::test]
async fn raw_answers_keep_the_upstream_key_order() {
    let server = start_server().await;
    let body = r#"{"zeta":1,"id":"inv-1","alpha":{"z":true,"a":false},"middle":[3,1,2]}"#;
    mount(
        &server,
        "GET",
        "/api/v1/invitations/inv-1",
        ResponseTemplate::new(200).set_body_raw(body, "application/json"),
    )
    .await;

    let raw = client(&server).raw().get_invitation("inv-1").await.unwrap();
    assert_eq!(serde_json::to_string(&raw).unwrap(), body);
}
