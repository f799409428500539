//! Autojoin domains: configure, get, clear.

use serde_json::{Value, json};

use crate::support::Api;

fn domains(reply: &Value) -> Vec<&str> {
    reply["autojoinDomains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["domain"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn configure_get_and_clear() {
    let api = Api::start().await;
    let empty = api.get("/invitations/by-scope/team/team-1/autojoin").await;
    assert_eq!(empty.status, 200);
    assert_eq!(
        empty.json,
        json!({"autojoinDomains": [], "invitation": null})
    );

    let reply = api
        .post(
            "/invitations/autojoin",
            &json!({
                "scope": "team-1", "scopeType": "team", "scopeName": "Team One",
                "domains": ["Example.com", "example.org"], "componentId": "c-1",
                "metadata": {"k": "v"}
            }),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(domains(&reply.json), ["example.com", "example.org"]);
    let inv = &reply.json["invitation"];
    assert_eq!(inv["invitationType"], "autojoin");
    assert_eq!(inv["widgetConfigurationId"], "c-1");
    assert_eq!(inv["groups"][0]["groupId"], "team-1");
    assert_eq!(inv["groups"][0]["name"], "Team One");
    assert_eq!(inv["metadata"], json!({"k": "v"}));
    let first_domain_id = reply.json["autojoinDomains"][0]["id"].clone();
    let inv_id = inv["id"].clone();

    let got = api.get("/invitations/by-scope/team/team-1/autojoin").await;
    assert_eq!(got.json, reply.json);
    // The autojoin invitation belongs to the scope.
    let scoped = api.get("/invitations/by-scope/team/team-1").await;
    assert_eq!(scoped.json["invitations"][0]["id"], inv_id);

    // Legacy `widgetId`; a kept domain keeps its id; the invitation is reused.
    let reply = api
        .post(
            "/invitations/autojoin",
            &json!({"scope": "team-1", "scopeType": "team", "domains": ["example.com", "new.io"], "widgetId": "c-2"}),
        )
        .await;
    assert_eq!(domains(&reply.json), ["example.com", "new.io"]);
    assert_eq!(reply.json["autojoinDomains"][0]["id"], first_domain_id);
    assert_eq!(reply.json["invitation"]["id"], inv_id);
    assert_eq!(reply.json["invitation"]["widgetConfigurationId"], "c-2");

    // Empty domains clear the configuration.
    let cleared = api
        .post(
            "/invitations/autojoin",
            &json!({"scope": "team-1", "scopeType": "team", "domains": [], "componentId": "c-2"}),
        )
        .await;
    assert_eq!(
        cleared.json,
        json!({"autojoinDomains": [], "invitation": null})
    );
    let got = api.get("/invitations/by-scope/team/team-1/autojoin").await;
    assert_eq!(got.json, cleared.json);
    assert_eq!(
        api.mock.invitation(inv_id.as_str().unwrap()).unwrap()["deactivated"],
        true
    );
}

#[tokio::test]
async fn configure_validates() {
    let api = Api::start().await;
    let bad = [
        json!({"scopeType": "team", "domains": ["a.com"], "componentId": "c"}),
        json!({"scope": "s", "domains": ["a.com"], "componentId": "c"}),
        json!({"scope": "s", "scopeType": "team", "componentId": "c"}),
        json!({"scope": "s", "scopeType": "team", "domains": ["a.com"]}),
        json!({"scope": "s", "scopeType": "team", "domains": "a.com", "componentId": "c"}),
        json!({"scope": "s", "scopeType": "team", "domains": ["ada@a.com"], "componentId": "c"}),
        json!({"scope": "s", "scopeType": "team", "domains": [""], "componentId": "c"}),
    ];
    for body in bad {
        api.post("/invitations/autojoin", &body)
            .await
            .assert_error(400, "Bad request");
    }
}

#[tokio::test]
async fn seeded_autojoin_is_served() {
    let api = Api::with(vortex_mock::MockServer::builder().seed_autojoin(json!({
        "scope": "acme", "scopeType": "org", "domains": ["acme.com"], "componentId": "c"
    })))
    .await;
    let got = api.get("/invitations/by-scope/org/acme/autojoin").await;
    assert_eq!(domains(&got.json), ["acme.com"]);
    assert!(got.json["invitation"].is_object());

    let err = vortex_mock::MockServer::builder()
        .seed_autojoin(json!({"scope": "acme"}))
        .start()
        .await
        .unwrap_err();
    assert!(matches!(err, vortex_mock::MockError::Seed(_)), "{err}");
}

/// The upstream types a scope's `name` as a string; the official Rust SDK fails on `null`.
#[tokio::test]
async fn a_scope_without_a_name_is_named_after_its_id() {
    let api = Api::start().await;
    let reply = api
        .post(
            "/invitations/autojoin",
            &json!({"scope": "team-9", "scopeType": "team", "domains": ["example.com"], "componentId": "c"}),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.json["invitation"]["groups"][0]["name"], "team-9");
}
