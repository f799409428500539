//! The routes work at any mount point and leave the rest of the app alone.

use actix_web::http::Method;
use actix_web::test::{TestRequest, init_service};
use actix_web::{App, HttpResponse, web};

use crate::support::{AppUser, mock, routes, send, vortex_scope};

#[actix_web::test]
async fn same_behaviour_at_two_prefixes() {
    let mock = mock().await;
    let routes = routes(&mock);
    let app = init_service(
        App::new().service(vortex_scope(&routes)).service(
            web::scope("/internal/invites")
                .configure(vortex_actix::configure::<AppUser>(routes.clone())),
        ),
    )
    .await;
    for prefix in ["/api/vortex", "/internal/invites"] {
        let jwt = TestRequest::post()
            .uri(&format!("{prefix}/jwt"))
            .insert_header(("x-user-id", "u1"));
        let answer = send(&app, jwt.to_request()).await;
        assert_eq!(answer.status, 200, "{prefix}: {answer:?}");
        assert!(answer.json()["jwt"].is_string());

        let get = TestRequest::get()
            .uri(&format!("{prefix}/invitations/inv-1"))
            .insert_header(("x-user-id", "u1"));
        let answer = send(&app, get.to_request()).await;
        assert_eq!(answer.status, 200, "{prefix}: {answer:?}");
        assert_eq!(answer.json()["id"], "inv-1");

        for path in ["", "/", "/nope", "/jwt/", "/invitations/a/b"] {
            let request = TestRequest::get()
                .uri(&format!("{prefix}{path}"))
                .insert_header(("x-user-id", "u1"));
            let answer = send(&app, request.to_request()).await;
            assert_eq!(answer.error(404), "Not found", "{prefix}{path}");
        }

        let put = TestRequest::default()
            .method(Method::PUT)
            .uri(&format!("{prefix}/jwt"));
        let answer = send(&app, put.to_request()).await;
        assert_eq!(answer.error(405), "Method not allowed");
        assert_eq!(answer.header("allow").as_deref(), Some("POST"));
    }
    let received: Vec<String> = mock.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(received, ["/api/v1/invitations/inv-1"; 2]);
}

#[actix_web::test]
async fn nested_scopes_with_parameters() {
    let mock = mock().await;
    let routes = routes(&mock);
    let app =
        init_service(App::new().service(
            web::scope("/t/{tenant}").service(
                web::scope("/vortex").configure(vortex_actix::configure::<AppUser>(routes)),
            ),
        ))
        .await;
    let request = TestRequest::get()
        .uri("/t/acme%2Fx%3F/vortex/invitations/a%2Fb")
        .insert_header(("x-user-id", "u1"));
    let answer = send(&app, request.to_request()).await;
    assert_eq!(answer.error(404), "Not found");
    assert_eq!(mock.requests()[0].path, "/api/v1/invitations/a%2Fb");
}

#[actix_web::test]
async fn mounted_at_the_root() {
    let mock = mock().await;
    let app =
        init_service(App::new().configure(vortex_actix::configure::<AppUser>(routes(&mock)))).await;
    let jwt = TestRequest::post()
        .uri("/jwt")
        .insert_header(("x-user-id", "u1"));
    assert_eq!(send(&app, jwt.to_request()).await.status, 200);
    let other = TestRequest::get().uri("/elsewhere");
    assert_eq!(send(&app, other.to_request()).await.error(404), "Not found");
}

#[actix_web::test]
async fn the_app_keeps_its_own_routes_and_default_service() {
    let mock = mock().await;
    let routes = routes(&mock);
    let app = init_service(
        App::new()
            .service(vortex_scope(&routes))
            .route("/health", web::get().to(|| async { "ok" }))
            .default_service(web::to(|| async {
                HttpResponse::NotFound().body("the app's own 404")
            })),
    )
    .await;
    let health = send(&app, TestRequest::get().uri("/health").to_request()).await;
    assert_eq!((health.status, health.body.as_str()), (200, "ok"));
    for path in ["/elsewhere", "/api/vortexx/jwt", "/api", "/api/other"] {
        let answer = send(&app, TestRequest::post().uri(path).to_request()).await;
        assert_eq!(
            (answer.status, answer.body.as_str()),
            (404, "the app's own 404"),
            "{path}"
        );
    }
    let ours = send(
        &app,
        TestRequest::post().uri("/api/vortex/nope").to_request(),
    )
    .await;
    assert_eq!(ours.error(404), "Not found");
}

#[actix_web::test]
async fn a_scope_default_service_is_left_alone() {
    let mock = mock().await;
    // A scope the app shares with other resources, with its own default service: the
    // Vortex routes sit in a scope of their own inside it.
    let app = init_service(
        App::new().service(
            web::scope("/api")
                .route("/status", web::get().to(|| async { "up" }))
                .service(
                    web::scope("/vortex")
                        .configure(vortex_actix::configure::<AppUser>(routes(&mock))),
                )
                .default_service(web::to(|| async { HttpResponse::Gone().finish() })),
        ),
    )
    .await;
    let status = send(&app, TestRequest::get().uri("/api/status").to_request()).await;
    assert_eq!(status.body, "up");
    let other = send(&app, TestRequest::get().uri("/api/other").to_request()).await;
    assert_eq!(other.status, 410);
    let jwt = TestRequest::post()
        .uri("/api/vortex/jwt")
        .insert_header(("x-user-id", "u1"));
    assert_eq!(send(&app, jwt.to_request()).await.status, 200);
}
