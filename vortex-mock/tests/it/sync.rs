//! `POST /invitations/sync-internal-invitation`.

use serde_json::json;

use crate::support::Api;

#[tokio::test]
async fn accepted_and_declined() {
    let api = Api::start().await;
    let first = api.create("internal", "user-2").await;
    let second = api.create("internal", "user-3").await;
    let email = api.create("email", "user-2").await;

    let reply = api
        .post(
            "/invitations/sync-internal-invitation",
            &json!({"creatorId": "user-1", "targetValue": "user-2", "action": "accepted", "componentId": "component-1"}),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(
        reply.json,
        json!({"processed": 1, "invitationIds": [first]})
    );
    let inv = api.mock.invitation(&first).unwrap();
    assert_eq!(inv["status"], "accepted");
    assert_eq!(
        inv["accepts"][0]["target"],
        json!({"type": "internal", "value": "user-2"})
    );
    assert_eq!(api.mock.invitation(&email).unwrap()["status"], "queued");

    // Already accepted: nothing left to process.
    let again = api
        .post(
            "/invitations/sync-internal-invitation",
            &json!({"creatorId": "user-1", "targetValue": "user-2", "action": "declined", "componentId": "c"}),
        )
        .await;
    assert_eq!(again.json, json!({"processed": 0, "invitationIds": []}));

    let declined = api
        .post(
            "/invitations/sync-internal-invitation",
            &json!({"creatorId": "user-1", "targetValue": "user-3", "action": "declined", "componentId": "c"}),
        )
        .await;
    assert_eq!(
        declined.json,
        json!({"processed": 1, "invitationIds": [second]})
    );
    assert_eq!(api.mock.invitation(&second).unwrap()["deactivated"], true);

    // Another creator's invitations are untouched.
    let other = api
        .post(
            "/invitations/sync-internal-invitation",
            &json!({"creatorId": "user-9", "targetValue": "user-2", "action": "accepted", "componentId": "c"}),
        )
        .await;
    assert_eq!(other.json["processed"], 0);
}

#[tokio::test]
async fn validates_the_body() {
    let api = Api::start().await;
    let bad = [
        json!({"targetValue": "u", "action": "accepted", "componentId": "c"}),
        json!({"creatorId": "u", "action": "accepted", "componentId": "c"}),
        json!({"creatorId": "u", "targetValue": "u", "action": "maybe", "componentId": "c"}),
        json!({"creatorId": "u", "targetValue": "u", "action": "accepted"}),
        json!({"creatorId": "u", "targetValue": "u", "componentId": "c"}),
    ];
    for body in bad {
        api.post("/invitations/sync-internal-invitation", &body)
            .await
            .assert_error(400, "Bad request");
    }
}
