//! Create, get, list by target, revoke, reinvite, accept; their 400/404 cases; path
//! percent-decoding.

use serde_json::{Value, json};

use crate::support::{Api, create_body};

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn create_answers_and_stores_the_full_shape() {
    let api = Api::start().await;
    let reply = api
        .post("/invitations", &create_body("email", "ada@example.com"))
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(
        keys(&reply.json),
        ["id", "shortLink", "status", "createdAt"]
    );
    assert_eq!(reply.json["status"], "queued");
    let id = reply.json["id"].as_str().unwrap();

    let inv = api.get(&format!("/invitations/{id}")).await;
    assert_eq!(inv.status, 200);
    let inv = inv.json;
    assert_eq!(
        keys(&inv),
        [
            "id",
            "accountId",
            "clickThroughs",
            "formSubmissionData",
            "configurationAttributes",
            "attributes",
            "createdAt",
            "deactivated",
            "deliveryCount",
            "deliveryTypes",
            "foreignCreatorId",
            "invitationType",
            "modifiedAt",
            "status",
            "views",
            "widgetConfigurationId",
            "groups",
            "accepts",
            "expired",
            "expires",
            "source",
            "subtype",
            "creatorName",
            "creatorAvatarUrl",
            "target",
            "metadata",
        ]
    );
    assert_eq!(inv["accountId"], api.mock.account_id());
    assert_eq!(inv["createdAt"], reply.json["createdAt"]);
    assert_eq!(inv["deliveryCount"], 1);
    assert_eq!(inv["deliveryTypes"], json!(["email"]));
    assert_eq!(inv["foreignCreatorId"], "user-1");
    assert_eq!(inv["invitationType"], "single_use");
    assert_eq!(inv["modifiedAt"], Value::Null);
    assert_eq!(inv["widgetConfigurationId"], "component-1");
    assert_eq!(inv["creatorName"], "Grace");
    assert_eq!(inv["creatorAvatarUrl"], "https://example.com/g.png");
    assert_eq!(inv["source"], "test");
    assert_eq!(inv["metadata"], json!({"plan": "pro"}));
    assert_eq!(
        inv["target"],
        json!([{"type": "email", "value": "ada@example.com", "name": "Ada"}])
    );
    let group = &inv["groups"][0];
    assert_eq!(
        keys(group),
        ["id", "accountId", "groupId", "type", "name", "createdAt"]
    );
    assert_eq!(group["groupId"], "team-1");
    assert_eq!(group["type"], "team");
    assert_eq!(group["name"], "Team One");
    assert_eq!(inv["accepts"], json!([]));
    assert_eq!(inv["expired"], false);
    assert!(inv["expires"].as_str().unwrap() > inv["createdAt"].as_str().unwrap());
}

#[tokio::test]
async fn internal_invitations_are_delivered_at_once() {
    let api = Api::start().await;
    let reply = api
        .post("/invitations", &create_body("internal", "user-2"))
        .await;
    assert_eq!(reply.json["status"], "delivered");
    let inv = api.mock.invitations().remove(0);
    assert_eq!(inv["deliveryCount"], 0);
    assert_eq!(inv["deliveryTypes"], json!(["internal"]));
}

#[tokio::test]
async fn create_validates_the_body() {
    let api = Api::start().await;
    let cases = [
        (json!({}), "Missing required field `widgetConfigurationId`"),
        (
            json!({"widgetConfigurationId": "w", "inviter": {"userId": "u"}}),
            "Missing required field `target`",
        ),
        (
            json!({"widgetConfigurationId": "w", "target": {"type": "sms", "value": "x"}, "inviter": {"userId": "u"}}),
            "`target.type` must be one of email, phone, internal (got `sms`)",
        ),
        (
            json!({"widgetConfigurationId": "w", "target": {"type": "email", "value": "x"}}),
            "Missing required field `inviter`",
        ),
        (
            json!({"widgetConfigurationId": "w", "target": {"type": "email", "value": "x"}, "inviter": {}}),
            "Missing required field `inviter.userId`",
        ),
        (
            json!({"widgetConfigurationId": 5, "target": {"type": "email", "value": "x"}, "inviter": {"userId": "u"}}),
            "`widgetConfigurationId` must be a string",
        ),
        (
            json!({"widgetConfigurationId": "w", "target": {"type": "email", "value": "x"}, "inviter": {"userId": "u"}, "groups": [{"groupId": "g"}]}),
            "Missing required field `groups[0].type`",
        ),
    ];
    for (body, message) in cases {
        let reply = api.post("/invitations", &body).await;
        reply.assert_error(400, "Bad request");
        assert_eq!(reply.json["message"], message);
    }
    let reply = api.post_raw("/invitations", "{not json").await;
    reply.assert_error(400, "Bad request");
    assert!(
        reply.json["message"]
            .as_str()
            .unwrap()
            .starts_with("Malformed JSON")
    );
    api.post_raw("/invitations", "")
        .await
        .assert_error(400, "Bad request");
    api.post_raw("/invitations", "[1]")
        .await
        .assert_error(400, "Bad request");
    assert!(api.mock.invitations().is_empty());
}

#[tokio::test]
async fn list_by_target_matches_type_and_value() {
    let api = Api::start().await;
    let email = api.create("email", "ada@example.com").await;
    let phone = api.create("phone", "+15550100").await;
    api.create("email", "someone@example.com").await;

    let reply = api
        .get("/invitations?targetType=email&targetValue=ada%40example.com")
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(keys(&reply.json), ["invitations"]);
    let items = reply.json["invitations"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], email.as_str());

    for target_type in ["phoneNumber", "phone"] {
        let reply = api
            .get(&format!(
                "/invitations?targetType={target_type}&targetValue=%2B15550100"
            ))
            .await;
        assert_eq!(
            reply.json["invitations"][0]["id"],
            phone.as_str(),
            "{target_type}"
        );
    }
    let reply = api
        .get("/invitations?targetType=username&targetValue=ada")
        .await;
    assert_eq!(reply.json, json!({"invitations": []}));

    api.get("/invitations")
        .await
        .assert_error(400, "Bad request");
    api.get("/invitations?targetType=email")
        .await
        .assert_error(400, "Bad request");
    let reply = api.get("/invitations?targetType=fax&targetValue=1").await;
    reply.assert_error(400, "Bad request");
    assert!(
        reply.json["message"]
            .as_str()
            .unwrap()
            .contains("targetType")
    );
}

#[tokio::test]
async fn get_unknown_is_404_with_the_id() {
    let api = Api::start().await;
    let reply = api.get("/invitations/missing-1").await;
    reply.assert_error(404, "Not found");
    assert_eq!(reply.json["message"], "Invitation missing-1 not found");
}

#[tokio::test]
async fn revoke_answers_empty_object_and_deactivates() {
    let api = Api::start().await;
    let id = api.create("email", "ada@example.com").await;
    let reply = api.delete(&format!("/invitations/{id}")).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text, "{}");
    assert_eq!(reply.content_type.as_deref(), Some("application/json"));

    let inv = api.get(&format!("/invitations/{id}")).await.json;
    assert_eq!(inv["deactivated"], true);
    assert_eq!(inv["status"], "queued");
    assert!(inv["modifiedAt"].is_string());

    // Again: still `{}`.
    assert_eq!(api.delete(&format!("/invitations/{id}")).await.text, "{}");
    api.delete("/invitations/unknown")
        .await
        .assert_error(404, "Not found");
}

#[tokio::test]
async fn reinvite_counts_deliveries() {
    let api = Api::start().await;
    let id = api.create("email", "ada@example.com").await;
    let reply = api
        .send(
            api.http
                .post(api.url(&format!("/invitations/{id}/reinvite")))
                .header("x-api-key", api.mock.api_key()),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.json["id"], id.as_str());
    assert_eq!(reply.json["deliveryCount"], 2);
    assert!(reply.json["modifiedAt"].is_string());
    let again = api
        .post(&format!("/invitations/{id}/reinvite"), &json!({}))
        .await;
    assert_eq!(again.json["deliveryCount"], 3);
    api.post("/invitations/nope/reinvite", &json!({}))
        .await
        .assert_error(404, "Not found");
}

#[tokio::test]
async fn accept_with_user_records_the_acceptance() {
    let api = Api::start().await;
    let first = api.create("email", "ada@example.com").await;
    let second = api.create("email", "ada@example.com").await;
    let reply = api
        .post(
            "/invitations/accept",
            &json!({
                "invitationIds": [first, second],
                "user": {"email": "ada@example.com", "name": "Ada", "isExisting": false}
            }),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.json["id"], second.as_str());
    for id in [&first, &second] {
        let inv = api.get(&format!("/invitations/{id}")).await.json;
        assert_eq!(inv["status"], "accepted");
        let accept = &inv["accepts"][0];
        assert_eq!(
            keys(accept),
            ["id", "accountId", "acceptedAt", "target", "isExisting"]
        );
        assert_eq!(
            accept["target"],
            json!({"type": "email", "value": "ada@example.com", "name": "Ada"})
        );
        assert_eq!(accept["isExisting"], false);
        assert_eq!(accept["accountId"], api.mock.account_id());
    }
}

#[tokio::test]
async fn accept_with_phone_and_legacy_target() {
    let api = Api::start().await;
    let id = api.create("phone", "+15550100").await;
    let reply = api
        .post(
            "/invitations/accept",
            &json!({"invitationIds": [id], "user": {"phone": "+15550100"}}),
        )
        .await;
    assert_eq!(reply.json["accepts"][0]["target"]["type"], "phone");
    assert!(reply.json["accepts"][0].get("isExisting").is_none());

    let reply = api
        .post(
            "/invitations/accept",
            &json!({"invitationIds": [id], "target": {"type": "phoneNumber", "value": "+15550100"}}),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.json["accepts"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn accept_rejects_bad_bodies_and_unknown_ids() {
    let api = Api::start().await;
    let id = api.create("email", "ada@example.com").await;
    let bad = [
        json!({"user": {"email": "a@b.c"}}),
        json!({"invitationIds": [], "user": {"email": "a@b.c"}}),
        json!({"invitationIds": [id]}),
        json!({"invitationIds": [id], "user": {"name": "Ada"}}),
        json!({"invitationIds": [id], "user": {"email": ""}}),
        json!({"invitationIds": [id], "target": {"type": "username", "value": "ada"}}),
        json!({"invitationIds": [1], "user": {"email": "a@b.c"}}),
    ];
    for body in bad {
        let reply = api.post("/invitations/accept", &body).await;
        reply.assert_error(400, "Bad request");
    }
    let reply = api
        .post(
            "/invitations/accept",
            &json!({"invitationIds": [id, "ghost"], "user": {"email": "a@b.c"}}),
        )
        .await;
    reply.assert_error(404, "Not found");
    assert_eq!(reply.json["message"], "Invitation ghost not found");
    // Nothing was accepted: the check runs before any change.
    assert_eq!(api.mock.invitation(&id).unwrap()["status"], "queued");
}

#[tokio::test]
async fn path_segments_are_percent_decoded() {
    let api = Api::start().await;
    for id in ["a/b?c", "../x", "é t", "100%"] {
        api.mock.seed_invitation(json!({"id": id})).expect("seeded");
    }
    for (raw, id) in [
        ("a%2Fb%3Fc", "a/b?c"),
        ("..%2Fx", "../x"),
        ("%C3%A9%20t", "é t"),
        ("100%25", "100%"),
    ] {
        let reply = api.get(&format!("/invitations/{raw}")).await;
        assert_eq!(reply.status, 200, "{raw}: {reply:?}");
        assert_eq!(reply.json["id"], id);
        let reply = api
            .post(&format!("/invitations/{raw}/reinvite"), &json!({}))
            .await;
        assert_eq!(reply.json["id"], id, "{raw}");
    }
    let reply = api.delete("/invitations/a%2Fb%3Fc").await;
    assert_eq!(reply.text, "{}");
    assert_eq!(api.mock.invitation("a/b?c").unwrap()["deactivated"], true);
    assert_eq!(api.mock.invitation("../x").unwrap()["deactivated"], false);

    // The log keeps the raw path.
    let paths: Vec<String> = api.mock.requests().into_iter().map(|r| r.path).collect();
    assert!(
        paths.contains(&"/api/v1/invitations/a%2Fb%3Fc".to_owned()),
        "{paths:?}"
    );

    // Bytes that are not UTF-8 are a 400, not a panic.
    api.get("/invitations/%FF")
        .await
        .assert_error(400, "Bad request");
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let api = Api::start().await;
    let big = "x".repeat(1024 * 1024 + 1);
    let reply = api
        .send(
            api.http
                .post(api.url("/invitations"))
                .header("x-api-key", api.mock.api_key())
                .body(big),
        )
        .await;
    reply.assert_error(413, "Payload too large");
}
