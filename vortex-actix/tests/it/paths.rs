//! Percent-encoded path segments reach the core exactly as sent (actix-web's requoting and
//! decoded match info are bypassed), so each is one id, sent upstream as one segment.

use actix_web::App;
use actix_web::test::{TestRequest, init_service};
use serde_json::json;

use crate::support::{mock, routes, send, vortex_scope};

/// What the browser sends after `/invitations/`, and the one upstream segment it becomes.
const SEGMENTS: [(&str, &str); 11] = [
    ("a%2Fb", "a%2Fb"),
    ("a%3Fb", "a%3Fb"),
    ("a%23b", "a%23b"),
    ("50%25", "50%25"),
    ("%2525", "%2525"),
    ("a%20b", "a%20b"),
    ("%C3%A9", "%C3%A9"),
    ("..%2Fx", "..%2Fx"),
    ("a+b", "a%2Bb"),
    ("%41", "A"),
    // Requoted by actix-web this would be `%41`, then decoded once more to `A`.
    ("%%341", "%2541"),
];

#[actix_web::test]
async fn encoded_segments_reach_upstream_as_one_segment() {
    let mock = mock().await;
    let app = init_service(App::new().service(vortex_scope(&routes(&mock)))).await;
    for (sent, _) in SEGMENTS {
        let request = TestRequest::get()
            .uri(&format!("/api/vortex/invitations/{sent}"))
            .insert_header(("x-user-id", "u1"));
        let answer = send(&app, request.to_request()).await;
        assert_eq!(answer.error(404), "Not found", "{sent}");
    }
    let received: Vec<String> = mock.requests().into_iter().map(|r| r.path).collect();
    let expected: Vec<String> = SEGMENTS
        .iter()
        .map(|(_, upstream)| format!("/api/v1/invitations/{upstream}"))
        .collect();
    assert_eq!(received, expected);
}

#[actix_web::test]
async fn two_encoded_parameters() {
    let mock = mock().await;
    let app = init_service(App::new().service(vortex_scope(&routes(&mock)))).await;
    let request = TestRequest::delete()
        .uri("/api/vortex/invitations/by-group/team%2Fx/a%3Fb%23c%25d%20%C3%A9")
        .insert_header(("x-user-id", "admin"))
        .insert_header(("x-admin", "1"));
    let answer = send(&app, request.to_request()).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(
        mock.requests()[0].path,
        "/api/v1/invitations/by-scope/team%2Fx/a%3Fb%23c%25d%20%C3%A9"
    );
}

#[actix_web::test]
async fn an_id_with_a_slash_is_one_invitation() {
    let mock = mock().await;
    mock.seed_invitation(json!({"id": "a/b?c#d"})).unwrap();
    let app = init_service(App::new().service(vortex_scope(&routes(&mock)))).await;
    let request = TestRequest::get()
        .uri("/api/vortex/invitations/a%2Fb%3Fc%23d")
        .insert_header(("x-user-id", "u1"));
    let answer = send(&app, request.to_request()).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.json()["id"], "a/b?c#d");
    // `/invitations/a/b` is another path: unknown, nothing sent upstream.
    let split = TestRequest::get()
        .uri("/api/vortex/invitations/a/b")
        .insert_header(("x-user-id", "u1"));
    assert_eq!(send(&app, split.to_request()).await.error(404), "Not found");
    assert_eq!(mock.requests().len(), 1);
}

#[actix_web::test]
async fn dot_segments_never_leave() {
    let mock = mock().await;
    let app = init_service(App::new().service(vortex_scope(&routes(&mock)))).await;
    for sent in ["%2E%2E", "%2e%2E", "..", ".", "%2E"] {
        let request = TestRequest::get()
            .uri(&format!("/api/vortex/invitations/{sent}"))
            .insert_header(("x-user-id", "u1"));
        let answer = send(&app, request.to_request()).await;
        assert!(answer.error(400).contains("`.` or `..`"), "{sent}");
    }
    assert!(mock.requests().is_empty());
}

#[actix_web::test]
async fn requoting_is_bypassed() {
    let mock = mock().await;
    let app = init_service(App::new().service(vortex_scope(&routes(&mock)))).await;
    let user = |request: TestRequest| request.insert_header(("x-user-id", "u1"));
    // actix-web's requoted path would read `/jwt`; the raw segment is no route name.
    let jwt = user(TestRequest::post().uri("/api/vortex/%6Awt"));
    assert_eq!(send(&app, jwt.to_request()).await.error(404), "Not found");
    // The same: an encoded `accept` is an invitation id, sent upstream, not the accept
    // route (which would answer 405 to a GET without calling upstream).
    let get = user(TestRequest::get().uri("/api/vortex/invitations/%61ccept"));
    let answer = send(&app, get.to_request()).await;
    assert_ne!(answer.status, 405, "{answer:?}");
    answer.json();
    let received: Vec<(String, String)> = mock
        .requests()
        .into_iter()
        .map(|r| (r.method, r.path))
        .collect();
    assert_eq!(
        received,
        [("GET".into(), "/api/v1/invitations/accept".into())]
    );
}
