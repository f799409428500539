//! The error table: 401, 403, 400, 404, 405, 413 and upstream failures, always JSON.

use actix_web::http::Method;
use actix_web::test::{TestRequest, init_service};
use actix_web::{App, web};
use serde_json::json;
use vortex_mock::Fault;

use crate::support::{AppUser, mock, routes, send, vortex_scope};

/// Every route, with a method it accepts.
const ROUTES: [(&str, &str); 13] = [
    ("POST", "/jwt"),
    ("POST", "/token"),
    (
        "GET",
        "/invitations?targetType=email&targetValue=ada%40example.com",
    ),
    ("GET", "/invitations/inv-1"),
    ("DELETE", "/invitations/inv-1"),
    ("POST", "/invitations/accept"),
    ("GET", "/invitations/by-scope/team/team-1"),
    ("DELETE", "/invitations/by-scope/team/team-1"),
    ("GET", "/invitations/by-group/team/team-1"),
    ("DELETE", "/invitations/by-group/team/team-1"),
    ("POST", "/invitations/inv-1/reinvite"),
    ("POST", "/invitations/sync-internal-invitation"),
    ("POST", "/invitations/accept/reinvite"),
];

fn request(method: &str, path: &str) -> TestRequest {
    TestRequest::default()
        .method(Method::from_bytes(method.as_bytes()).unwrap())
        .uri(&format!("/api/vortex{path}"))
}

#[actix_web::test]
async fn anonymous_callers_get_401_on_every_route() {
    let mock = mock().await;
    let app = init_service(App::new().service(vortex_scope(&routes(&mock)))).await;
    for (method, path) in ROUTES {
        let answer = send(&app, request(method, path).to_request()).await;
        assert_eq!(answer.error(401), "Unauthorized", "{method} {path}");
    }
    // Authentication comes before the body: no 413 for an anonymous caller.
    let big = request("POST", "/jwt").set_payload(vec![b' '; 70_000]);
    assert_eq!(
        send(&app, big.to_request()).await.error(401),
        "Unauthorized"
    );
    assert!(mock.requests().is_empty());
}

#[actix_web::test]
async fn policy_refusals_are_403() {
    let mock = mock().await;
    let app = init_service(App::new().service(vortex_scope(&routes(&mock)))).await;
    for (method, path) in [
        ("DELETE", "/invitations/inv-1"),
        ("DELETE", "/invitations/by-group/team/team-1"),
        ("POST", "/invitations/inv-1/reinvite"),
    ] {
        let answer = send(
            &app,
            request(method, path)
                .insert_header(("x-user-id", "u1"))
                .to_request(),
        )
        .await;
        assert_eq!(answer.error(403), "Forbidden", "{method} {path}");
    }
    assert!(mock.requests().is_empty());
}

#[actix_web::test]
async fn bad_input_is_400_json() {
    let mock = mock().await;
    let app = init_service(App::new().service(vortex_scope(&routes(&mock)))).await;
    let admin = |method: &str, path: &str| {
        request(method, path)
            .insert_header(("x-user-id", "admin"))
            .insert_header(("x-admin", "1"))
    };
    let cases = [
        (
            admin("POST", "/invitations/accept").set_payload("{not json"),
            "not valid JSON",
        ),
        (
            admin("POST", "/invitations/accept"),
            "must be a JSON object",
        ),
        (
            admin("POST", "/invitations/accept").set_payload("[1]"),
            "must be a JSON object",
        ),
        (
            admin("POST", "/invitations/accept").set_payload(r#"{"invitationIds":[]}"#),
            "invitationIds must be a non-empty array",
        ),
        (
            admin("POST", "/jwt").set_payload(r#"{"context":3}"#),
            "context must be an object",
        ),
        (
            admin("POST", "/token").set_payload(r#"{"user":{"id":"x"}}"#),
            "user cannot be set",
        ),
        (admin("GET", "/invitations/%2E%2E"), "`.` or `..`"),
        (admin("GET", "/invitations/%2e"), "`.` or `..`"),
        (
            admin("DELETE", "/invitations/by-group/team/.."),
            "`.` or `..`",
        ),
        (
            admin("GET", "/invitations/%FF"),
            "not valid percent-encoded UTF-8",
        ),
        (admin("GET", "/invitations/a%00b"), "control characters"),
        (admin("GET", "/invitations/a%0Ab"), "control characters"),
        (
            admin("GET", "/invitations/by-scope/team/a%0D%0Ab"),
            "control characters",
        ),
        (admin("GET", "/invitations?targetType=email"), "targetValue"),
    ];
    for (request, expected) in cases {
        let answer = send(&app, request.to_request()).await;
        let message = answer.error(400);
        assert!(message.contains(expected), "{message:?} lacks {expected:?}");
    }
    assert!(mock.requests().is_empty());
}

#[actix_web::test]
async fn bodies_over_the_limit_are_413_json() {
    let mock = mock().await;
    let small = routes(&mock).body_limit(100);
    let app = init_service(
        App::new()
            .service(vortex_scope(&routes(&mock)))
            .service(web::scope("/small").configure(vortex_actix::configure::<AppUser>(small))),
    )
    .await;
    let user = |request: TestRequest| request.insert_header(("x-user-id", "u1"));
    let too_large = "Request body is too large: the limit is 65536 bytes";

    // The default limit, 64 KiB: at the limit is read, one byte over is refused.
    let padded = |len: usize| {
        let mut body = br#"{"context":{}}"#.to_vec();
        body.resize(len, b' ');
        body
    };
    let at_limit = user(request("POST", "/jwt")).set_payload(padded(65_536));
    assert_eq!(send(&app, at_limit.to_request()).await.status, 200);
    let over = user(request("POST", "/jwt")).set_payload(padded(65_537));
    assert_eq!(send(&app, over.to_request()).await.error(413), too_large);

    // Content-Length lies: a large claim is refused before reading, a small claim does not
    // let a large body through, and a claim larger than the body reads what is there.
    let claims_large = user(request("POST", "/jwt"))
        .set_payload("{}")
        .insert_header(("content-length", "1000000"));
    assert_eq!(
        send(&app, claims_large.to_request()).await.error(413),
        too_large
    );
    let claims_small = user(request("POST", "/jwt"))
        .set_payload(padded(70_000))
        .insert_header(("content-length", "2"));
    assert_eq!(
        send(&app, claims_small.to_request()).await.error(413),
        too_large
    );
    let claims_more = user(request("POST", "/jwt"))
        .set_payload("{}")
        .insert_header(("content-length", "10"));
    assert_eq!(send(&app, claims_more.to_request()).await.status, 200);
    let not_a_number = user(request("POST", "/jwt"))
        .set_payload("{}")
        .insert_header(("content-length", "many"));
    assert_eq!(send(&app, not_a_number.to_request()).await.status, 200);

    // A configured limit.
    let over = user(TestRequest::post().uri("/small/invitations/accept")).set_payload(padded(101));
    assert_eq!(
        send(&app, over.to_request()).await.error(413),
        "Request body is too large: the limit is 100 bytes"
    );
    assert!(mock.requests().is_empty());
}

#[actix_web::test]
async fn unknown_paths_and_methods_are_json() {
    let mock = mock().await;
    let app = init_service(App::new().service(vortex_scope(&routes(&mock)))).await;
    for (method, path, allow) in [
        ("GET", "/jwt", "POST"),
        ("PUT", "/invitations/inv-1", "GET, DELETE"),
        ("PATCH", "/invitations", "GET"),
        ("HEAD", "/invitations/by-group/team/team-1", "GET, DELETE"),
        ("OPTIONS", "/token", "POST"),
        ("GET", "/invitations/accept", "POST"),
        ("BREW", "/jwt", "POST"),
    ] {
        let answer = send(&app, request(method, path).to_request()).await;
        assert_eq!(answer.error(405), "Method not allowed", "{method} {path}");
        assert_eq!(answer.header("allow").as_deref(), Some(allow));
    }
    for path in [
        "/",
        "/invitations/x/y/z",
        "/JWT",
        "/jwt%2F",
        "/invitations/by-scope/team",
    ] {
        let answer = send(&app, request("GET", path).to_request()).await;
        assert_eq!(answer.error(404), "Not found", "{path}");
    }
}

#[actix_web::test]
async fn upstream_failures_follow_the_table() {
    let mock = mock().await;
    let app = init_service(App::new().service(vortex_scope(&routes(&mock)))).await;
    let get = |path: &str| request("GET", path).insert_header(("x-user-id", "u1"));

    let missing = send(&app, get("/invitations/nope").to_request()).await;
    assert_eq!(missing.error(404), "Not found");

    mock.inject_fault(Fault::new().status(500)).unwrap();
    let down = send(&app, get("/invitations/inv-1").to_request()).await;
    assert_eq!(down.error(502), "Vortex API unavailable");

    mock.inject_fault(Fault::new().status(429).header("Retry-After", "7"))
        .unwrap();
    let limited = send(&app, get("/invitations/inv-1").to_request()).await;
    assert_eq!(limited.status, 503);
    assert_eq!(limited.header("retry-after").as_deref(), Some("7"));

    mock.inject_fault(Fault::new().status(401)).unwrap();
    let rejected = send(&app, get("/invitations/inv-1").to_request()).await;
    assert_eq!(
        rejected.error(502),
        "Vortex API rejected the server credentials"
    );

    mock.inject_fault(Fault::new().status(409).body(vortex_mock::FaultBody::Json(
        json!({"error": "Conflict", "message": "already accepted"}),
    )))
    .unwrap();
    let accept = request("POST", "/invitations/accept")
        .insert_header(("x-user-id", "admin"))
        .insert_header(("x-admin", "1"))
        .set_payload(r#"{"invitationIds":["inv-1"],"user":{"email":"ada@example.com"}}"#);
    let conflict = send(&app, accept.to_request()).await;
    assert_eq!(conflict.error(409), "already accepted");
}
