//! The routes: mounting, the error table, the React provider's requests.

use rocket::http::{ContentType, Status};
use rocket::{get, routes};
use serde_json::json;
use vortex_mock::MockServer;
use vortex_rocket::VortexRoutes;

use crate::support::{Answer, AppUser, app, as_user, client, rocket, vortex_routes};

#[get("/api/vortex/custom")]
fn custom() -> &'static str {
    "the app's own route under the mount"
}

/// Default rank -5, as a catch-all at the mount point would have: no collision.
#[get("/api/vortex/app/<name>")]
fn app_named(name: &str) -> String {
    format!("app {name}")
}

#[get("/<_..>", rank = 2)]
fn spa_fallback() -> &'static str {
    "index.html"
}

#[get("/outside")]
fn outside() -> &'static str {
    "outside"
}

#[rocket::async_test]
async fn mounted_at_two_bases() {
    let mock = MockServer::start().await;
    let rocket = app(&mock)
        .mount("/", routes![custom, app_named, spa_fallback, outside])
        .mount(
            "/v2/vortex/",
            vortex_rocket::routes::<AppUser>(vortex_routes(&mock)),
        )
        .register("/v2/vortex", vortex_rocket::catchers());
    let client = client(rocket).await;
    // The fairing manages the routes for the app's own handlers.
    assert!(client.rocket().state::<VortexRoutes>().is_some());

    for base in ["/api/vortex", "/v2/vortex"] {
        let answer = Answer::of(
            client
                .post(format!("{base}/jwt"))
                .header(as_user("ada"))
                .dispatch()
                .await,
        )
        .await;
        assert_eq!(answer.status, 200, "{base}: {:?}", answer.body);
        assert!(answer.body["jwt"].as_str().unwrap().starts_with("eyJ"));
        assert_eq!(answer.header("cache-control"), Some("no-store"));
        assert_eq!(answer.content_type.as_deref(), Some("application/json"));

        let unknown = Answer::of(client.get(format!("{base}/nope")).dispatch().await).await;
        unknown.assert_error(404, "Not found");
        // The mount point itself is Vortex's too.
        for root in [base.to_owned(), format!("{base}/")] {
            let answer = Answer::of(client.get(root).dispatch().await).await;
            answer.assert_error(404, "Not found");
        }
    }

    // The app's routes win under the mount point and are not shadowed outside it; an app
    // catch-all does not shadow the Vortex routes.
    let own = client.get("/api/vortex/custom").dispatch().await;
    assert_eq!(
        own.into_string().await.unwrap(),
        "the app's own route under the mount"
    );
    let named = client.get("/api/vortex/app/x").dispatch().await;
    assert_eq!(named.into_string().await.unwrap(), "app x");
    let out = client.get("/outside").dispatch().await;
    assert_eq!(out.into_string().await.unwrap(), "outside");
    let spa = client.get("/some/page").dispatch().await;
    assert_eq!(spa.into_string().await.unwrap(), "index.html");
}

#[rocket::async_test]
async fn error_table_is_json() {
    let mock = MockServer::start().await;
    let client = client(app(&mock)).await;

    // 401: no user, whether the guard forwards or fails.
    for user in [None, Some("forward"), Some("error")] {
        let mut request = client.post("/api/vortex/jwt");
        if let Some(user) = user {
            request = request.header(as_user(user));
        }
        Answer::of(request.dispatch().await)
            .await
            .assert_error(401, "Unauthorized");
    }

    // 403: the policy lets only admins delete.
    let denied = client
        .delete("/api/vortex/invitations/inv-1")
        .header(as_user("ada"))
        .dispatch()
        .await;
    Answer::of(denied).await.assert_error(403, "Forbidden");

    // 400: malformed JSON, a missing query, a bad id.
    let malformed = client
        .post("/api/vortex/invitations/accept")
        .header(as_user("admin"))
        .header(ContentType::JSON)
        .body("{not json")
        .dispatch()
        .await;
    assert_eq!(Answer::of(malformed).await.status, 400);
    let no_query = client
        .get("/api/vortex/invitations")
        .header(as_user("ada"))
        .dispatch()
        .await;
    Answer::of(no_query).await.assert_error(
        400,
        "targetType and targetValue query parameters are required",
    );

    // 404 / 405 with Allow, for every method.
    Answer::of(client.get("/api/vortex/jwt/").dispatch().await)
        .await
        .assert_error(404, "Not found");
    for request in [
        client.get("/api/vortex/jwt"),
        client.put("/api/vortex/jwt"),
        client.patch("/api/vortex/jwt"),
        client.options("/api/vortex/jwt"),
    ] {
        let answer = Answer::of(request.header(as_user("ada")).dispatch().await).await;
        answer.assert_error(405, "Method not allowed");
        assert_eq!(answer.header("allow"), Some("POST"));
    }
    let head = client.head("/api/vortex/invitations/x").dispatch().await;
    assert_eq!(head.status(), Status::MethodNotAllowed);
    assert_eq!(head.headers().get_one("allow"), Some("GET, DELETE"));

    // 413 over the default 64 KiB.
    let big = format!(r#"{{"context":{{"pad":"{}"}}}}"#, "x".repeat(64 * 1024));
    let answer = client
        .post("/api/vortex/jwt")
        .header(as_user("ada"))
        .body(big)
        .dispatch()
        .await;
    Answer::of(answer)
        .await
        .assert_error(413, "Request body is too large: the limit is 65536 bytes");

    // The upstream is not called for any of these.
    assert!(mock.requests().is_empty(), "{:?}", mock.requests());
}

#[rocket::async_test]
async fn react_provider_requests() {
    let mock = MockServer::start().await;
    let client = client(app(&mock)).await;
    mock.seed_invitation(json!({
        "id": "inv-1",
        "groups": [{"id": "g-1", "type": "team", "groupId": "team-1", "name": "Team 1"}],
    }))
    .unwrap();

    // POST /jwt with no body at all, with an empty one, and with a context.
    for body in [None, Some(""), Some(r#"{"context":{"componentId":"c"}}"#)] {
        let mut request = client.post("/api/vortex/jwt").header(as_user("ada"));
        if let Some(body) = body {
            request = request.header(ContentType::JSON).body(body);
        }
        let answer = Answer::of(request.dispatch().await).await;
        assert_eq!(answer.status, 200, "{body:?}: {:?}", answer.body);
    }

    // GET one invitation: the Node transform adds scopes.
    let answer = Answer::of(
        client
            .get("/api/vortex/invitations/inv-1")
            .header(as_user("ada"))
            .dispatch()
            .await,
    )
    .await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    assert_eq!(answer.body["id"], "inv-1");
    assert_eq!(answer.body["scopes"][0]["scopeId"], "team-1");

    // By group, as the React provider calls it.
    let by_group = Answer::of(
        client
            .get("/api/vortex/invitations/by-group/team/team-1")
            .header(as_user("ada"))
            .dispatch()
            .await,
    )
    .await;
    assert_eq!(by_group.status, 200, "{:?}", by_group.body);
    assert_eq!(by_group.body["invitations"][0]["id"], "inv-1");

    // By target, with the query forwarded.
    let by_target = Answer::of(
        client
            .get("/api/vortex/invitations?targetType=email&targetValue=ada%40example.com")
            .header(as_user("ada"))
            .dispatch()
            .await,
    )
    .await;
    assert_eq!(by_target.status, 200, "{:?}", by_target.body);

    // Legacy accept target: email accepts, username is refused before the upstream.
    let accept = |target_type: &str| {
        let body = json!({
            "invitationIds": ["inv-1"],
            "target": {"type": target_type, "value": "ada@example.com"},
        });
        client
            .post("/api/vortex/invitations/accept")
            .header(as_user("admin"))
            .header(ContentType::JSON)
            .body(body.to_string())
            .dispatch()
    };
    let accepted = Answer::of(accept("email").await).await;
    assert_eq!(accepted.status, 200, "{:?}", accepted.body);
    assert_eq!(accepted.body["status"], "accepted");
    let refused = Answer::of(accept("username").await).await;
    assert_eq!(refused.status, 400);
    assert!(
        refused.body["error"]
            .as_str()
            .unwrap()
            .contains("email or phone"),
        "{:?}",
        refused.body
    );

    let deleted = Answer::of(
        client
            .delete("/api/vortex/invitations/by-group/team/team-1")
            .header(as_user("admin"))
            .dispatch()
            .await,
    )
    .await;
    assert_eq!(deleted.status, 200, "{:?}", deleted.body);
    assert_eq!(deleted.body, json!({"success": true}));

    let paths: Vec<String> = mock
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        paths,
        [
            "GET /api/v1/invitations/inv-1",
            "GET /api/v1/invitations/by-scope/team/team-1",
            "GET /api/v1/invitations",
            "POST /api/v1/invitations/accept",
            "DELETE /api/v1/invitations/by-scope/team/team-1",
        ]
    );
}

#[rocket::async_test]
async fn upstream_errors_follow_the_table() {
    let mock = MockServer::start().await;
    let client = client(rocket().attach(vortex_rocket::fairing::<AppUser>(
        "/api/vortex",
        vortex_routes(&mock),
    )))
    .await;
    let missing = client
        .get("/api/vortex/invitations/nope")
        .header(as_user("ada"))
        .dispatch()
        .await;
    Answer::of(missing).await.assert_error(404, "Not found");

    mock.inject_fault(vortex_mock::Fault::new().status(500))
        .unwrap();
    let failed = client
        .get("/api/vortex/invitations/nope")
        .header(as_user("ada"))
        .dispatch()
        .await;
    Answer::of(failed)
        .await
        .assert_error(502, "Vortex API unavailable");
}
