//! `CurrentUser<U>` in the app's own handlers.

use actix_web::test::{TestRequest, init_service};
use actix_web::{App, HttpResponse, web};
use serde_json::json;
use vortex_actix::CurrentUser;

use crate::support::{AppUser, send};

async fn me(user: CurrentUser<AppUser>) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "id": user.id, "admin": user.is_admin_of("autojoin") }))
}

async fn maybe(user: Option<CurrentUser<AppUser>>) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "id": user.map(|u| u.into_inner().id) }))
}

#[actix_web::test]
async fn current_user_is_401_json_or_the_user() {
    let app = init_service(
        App::new()
            .route("/me", web::get().to(me))
            .route("/maybe", web::get().to(maybe)),
    )
    .await;
    let anonymous = send(&app, TestRequest::get().uri("/me").to_request()).await;
    assert_eq!(anonymous.error(401), "Unauthorized");
    assert_eq!(anonymous.body, r#"{"error":"Unauthorized"}"#);

    let signed_in = TestRequest::get()
        .uri("/me")
        .insert_header(("x-user-id", "u1"))
        .insert_header(("x-admin", "1"));
    let answer = send(&app, signed_in.to_request()).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json(), json!({"id": "u1", "admin": true}));

    let nobody = send(&app, TestRequest::get().uri("/maybe").to_request()).await;
    assert_eq!(nobody.json(), json!({"id": null}));
    let somebody = TestRequest::get()
        .uri("/maybe")
        .insert_header(("x-user-id", "u2"));
    assert_eq!(
        send(&app, somebody.to_request()).await.json(),
        json!({"id": "u2"})
    );
}
