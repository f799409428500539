//! Configuration mistakes are loud: a user type that fails with a 5xx error (here, app data
//! the app forgot to add, as a session extractor without its middleware) answers 500 JSON,
//! instead of treating the caller as anonymous.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{App, FromRequest, HttpRequest, HttpResponse, test, web};
use vortex_actix::{AllowAllAuthenticated, CurrentUser, VortexClient, VortexRoutes, VortexUser};

/// Sessions that the app may forget to add as app data.
struct Sessions;

/// The app's user: needs `web::Data<Sessions>` (a 500 error without it); anonymous (401)
/// without an `x-user-id` header.
struct SessionUser(String);

impl FromRequest for SessionUser {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move {
            web::Data::<Sessions>::extract(&request).await?;
            let id = request
                .headers()
                .get("x-user-id")
                .and_then(|v| v.to_str().ok());
            let id = id.ok_or_else(|| actix_web::error::ErrorUnauthorized("not signed in"))?;
            Ok(Self(id.to_owned()))
        })
    }
}

impl From<SessionUser> for VortexUser {
    fn from(user: SessionUser) -> Self {
        Self::new(user.0)
    }
}

async fn me(user: CurrentUser<SessionUser>) -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "id": user.id }))
}

async fn send(with_sessions: bool, method: &str, path: &str, user: Option<&str>) -> (u16, String) {
    let client = VortexClient::new("VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing")
        .expect("test key");
    let routes = VortexRoutes::new(client, AllowAllAuthenticated);
    let mut app = App::new()
        .service(
            web::scope("/api/vortex").configure(vortex_actix::configure::<SessionUser>(routes)),
        )
        .route("/me", web::get().to(me));
    if with_sessions {
        app = app.app_data(web::Data::new(Sessions));
    }
    let app = test::init_service(app).await;
    let mut request = test::TestRequest::default()
        .method(method.parse().unwrap())
        .uri(path);
    if let Some(user) = user {
        request = request.insert_header(("x-user-id", user));
    }
    let answer = test::call_service(&app, request.to_request()).await;
    let status = answer.status().as_u16();
    let body = test::read_body(answer).await;
    (status, String::from_utf8(body.to_vec()).unwrap())
}

#[actix_web::test]
async fn a_5xx_error_answers_500_json() {
    for (method, path) in [("POST", "/api/vortex/jwt"), ("GET", "/me")] {
        let (status, body) = send(false, method, path, Some("u1")).await;
        assert_eq!(
            (status, body.as_str()),
            (500, r#"{"error":"Internal error"}"#),
            "{path}"
        );
    }
}

#[actix_web::test]
async fn a_4xx_error_is_anonymous_and_app_data_fixes_the_500() {
    let (status, body) = send(true, "POST", "/api/vortex/jwt", None).await;
    assert_eq!(
        (status, body.as_str()),
        (401, r#"{"error":"Unauthorized"}"#)
    );
    assert_eq!(send(true, "GET", "/me", None).await.0, 401);
    assert_eq!(
        send(true, "GET", "/me", Some("u1")).await,
        (200, r#"{"id":"u1"}"#.into())
    );
    assert_eq!(
        send(true, "POST", "/api/vortex/jwt", Some("u1")).await.0,
        200
    );
}
