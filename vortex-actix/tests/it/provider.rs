//! The requests the Vortex React provider sends, end to end against the mock.

use actix_web::App;
use actix_web::test::{TestRequest, init_service};
use serde_json::json;

use crate::support::{mock, routes, send, vortex_scope};

fn admin(request: TestRequest) -> TestRequest {
    request
        .insert_header(("x-user-id", "admin"))
        .insert_header(("x-admin", "1"))
}

#[actix_web::test]
async fn jwt_without_a_body_or_with_a_context() {
    let mock = mock().await;
    let app = init_service(App::new().service(vortex_scope(&routes(&mock)))).await;
    // The provider's fetch: POST, no body, no Content-Type.
    let bare = TestRequest::post()
        .uri("/api/vortex/jwt")
        .insert_header(("x-user-id", "u1"));
    let answer = send(&app, bare.to_request()).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(answer.json()["jwt"].as_str().unwrap().starts_with("eyJ"));
    assert_eq!(answer.header("cache-control").as_deref(), Some("no-store"));

    let with_context = TestRequest::post()
        .uri("/api/vortex/jwt")
        .insert_header(("x-user-id", "u1"))
        .insert_header(("content-type", "application/json"))
        .set_payload(r#"{"context":{"componentId":"c","scope":"team-1","scopeType":"team"}}"#);
    assert_eq!(send(&app, with_context.to_request()).await.status, 200);

    let token = TestRequest::post()
        .uri("/api/vortex/token")
        .insert_header(("x-user-id", "u1"))
        .set_payload(r#"{"component":"c","scope":"team-1"}"#);
    let answer = send(&app, token.to_request()).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(answer.json()["token"].is_string());
    assert_eq!(answer.header("cache-control").as_deref(), Some("no-store"));
    assert!(mock.requests().is_empty(), "tokens are signed locally");
}

#[actix_web::test]
async fn list_by_target_and_get() {
    let mock = mock().await;
    let app = init_service(App::new().service(vortex_scope(&routes(&mock)))).await;
    let list = TestRequest::get()
        .uri("/api/vortex/invitations?targetType=email&targetValue=ada%40example.com")
        .insert_header(("x-user-id", "u1"));
    let answer = send(&app, list.to_request()).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let body = answer.json();
    assert_eq!(body["invitations"][0]["id"], "inv-1");
    // The Node transform: each group gets `scopeId`, `scopes` mirrors `groups`.
    assert_eq!(body["invitations"][0]["groups"][0]["scopeId"], "team-1");
    assert_eq!(
        body["invitations"][0]["scopes"],
        body["invitations"][0]["groups"]
    );
    let recorded = &mock.requests()[0];
    assert_eq!(recorded.path, "/api/v1/invitations");
    assert_eq!(
        recorded.query.as_deref(),
        Some("targetType=email&targetValue=ada%40example.com")
    );
}

#[actix_web::test]
async fn accept_with_a_legacy_target() {
    let mock = mock().await;
    let app = init_service(App::new().service(vortex_scope(&routes(&mock)))).await;
    let accept = admin(TestRequest::post().uri("/api/vortex/invitations/accept")).set_payload(
        r#"{"invitationIds":["inv-1"],"target":{"type":"phoneNumber","value":"+15550100"}}"#,
    );
    let answer = send(&app, accept.to_request()).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.json()["id"], "inv-1");
    let recorded = &mock.requests()[0];
    assert_eq!(recorded.path, "/api/v1/invitations/accept");
    assert_eq!(recorded.body["invitationIds"], json!(["inv-1"]));
    assert_eq!(recorded.body["user"]["phone"], "+15550100");

    let username = admin(TestRequest::post().uri("/api/vortex/invitations/accept"))
        .set_payload(r#"{"invitationIds":["inv-1"],"target":{"type":"username","value":"ada"}}"#);
    let answer = send(&app, username.to_request()).await;
    assert!(answer.error(400).contains("only an email or phone"));
    assert_eq!(mock.requests().len(), 1);
}

#[actix_web::test]
async fn by_group_get_and_delete() {
    let mock = mock().await;
    let app = init_service(App::new().service(vortex_scope(&routes(&mock)))).await;
    let get = TestRequest::get()
        .uri("/api/vortex/invitations/by-group/team/team-1")
        .insert_header(("x-user-id", "u1"));
    let answer = send(&app, get.to_request()).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.json()["invitations"][0]["id"], "inv-1");

    let delete = admin(TestRequest::delete().uri("/api/vortex/invitations/by-group/team/team-1"));
    let answer = send(&app, delete.to_request()).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.json(), json!({"success": true}));

    let paths: Vec<(String, String)> = mock
        .requests()
        .into_iter()
        .map(|r| (r.method, r.path))
        .collect();
    assert_eq!(
        paths,
        [
            (
                "GET".into(),
                "/api/v1/invitations/by-scope/team/team-1".into()
            ),
            (
                "DELETE".into(),
                "/api/v1/invitations/by-scope/team/team-1".into()
            ),
        ]
    );
}

#[actix_web::test]
async fn reinvite_revoke_and_sync() {
    let mock = mock().await;
    let app = init_service(App::new().service(vortex_scope(&routes(&mock)))).await;
    let reinvite = admin(TestRequest::post().uri("/api/vortex/invitations/inv-1/reinvite"));
    let answer = send(&app, reinvite.to_request()).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.json()["id"], "inv-1");

    let revoke = admin(TestRequest::delete().uri("/api/vortex/invitations/inv-1"));
    let answer = send(&app, revoke.to_request()).await;
    assert_eq!(answer.json(), json!({"success": true}));

    let sync = admin(TestRequest::post().uri("/api/vortex/invitations/sync-internal-invitation"))
        .set_payload(
            r#"{"creatorId":"admin","targetValue":"u2","action":"accepted","componentId":"c"}"#,
        );
    let answer = send(&app, sync.to_request()).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(answer.json().is_object());
    let paths: Vec<String> = mock.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        [
            "/api/v1/invitations/inv-1/reinvite",
            "/api/v1/invitations/inv-1",
            "/api/v1/invitations/sync-internal-invitation",
        ]
    );
}
