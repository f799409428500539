//! `/invitations/by-scope/…` and the legacy `/by-group/…`.

use serde_json::json;

use crate::support::{Api, create_body};

#[tokio::test]
async fn list_and_delete_by_scope() {
    let api = Api::start().await;
    let a = api.create("email", "a@example.com").await;
    let b = api.create("email", "b@example.com").await;
    let mut other = create_body("email", "c@example.com");
    other["groups"] = json!([{"type": "team", "groupId": "team-2", "name": "Two"}]);
    let c = api.post("/invitations", &other).await.json["id"]
        .as_str()
        .unwrap()
        .to_owned();

    for prefix in ["by-scope", "by-group"] {
        let reply = api.get(&format!("/invitations/{prefix}/team/team-1")).await;
        assert_eq!(reply.status, 200);
        let ids: Vec<&str> = reply.json["invitations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, [a.as_str(), b.as_str()], "{prefix}");
    }
    let reply = api.get("/invitations/by-scope/org/team-1").await;
    assert_eq!(reply.json, json!({"invitations": []}));

    let reply = api.delete("/invitations/by-scope/team/team-1").await;
    assert_eq!((reply.status, reply.text.as_str()), (200, "{}"));
    api.get(&format!("/invitations/{a}"))
        .await
        .assert_error(404, "Not found");
    assert_eq!(api.get(&format!("/invitations/{c}")).await.status, 200);

    let reply = api.delete("/invitations/by-group/team/team-2").await;
    assert_eq!(reply.text, "{}");
    assert!(api.mock.invitations().is_empty());
    // Deleting an empty scope is fine too.
    assert_eq!(
        api.delete("/invitations/by-scope/team/none").await.text,
        "{}"
    );
}

#[tokio::test]
async fn scope_segments_are_percent_decoded() {
    let api = Api::start().await;
    let mut body = create_body("email", "a@example.com");
    body["groups"] = json!([{"type": "team type", "groupId": "a/b?c", "name": "Odd"}]);
    api.post("/invitations", &body).await;
    let reply = api.get("/invitations/by-scope/team%20type/a%2Fb%3Fc").await;
    assert_eq!(
        reply.json["invitations"].as_array().unwrap().len(),
        1,
        "{reply:?}"
    );
}
