//! Configuration mistakes are loud: a request guard that fails with a 5xx status (here, a
//! managed value the app forgot, as a session guard without its state) answers 500 JSON,
//! instead of treating the caller as anonymous.

use rocket::http::{Header, Status};
use rocket::local::asynchronous::Client;
use rocket::request::{self, FromRequest, Request};
use rocket::{Build, Rocket, get, routes};
use vortex_rocket::{AllowAllAuthenticated, CurrentUser, VortexClient, VortexRoutes, VortexUser};

/// Sessions that the app may forget to manage.
struct Sessions;

/// The app's user: needs the managed `Sessions` (500 without them); forwards (anonymous)
/// without an `x-user-id` header.
struct SessionUser(String);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for SessionUser {
    type Error = &'static str;

    async fn from_request(request: &'r Request<'_>) -> request::Outcome<Self, Self::Error> {
        if request.rocket().state::<Sessions>().is_none() {
            return request::Outcome::Error((Status::InternalServerError, "Sessions not managed"));
        }
        match request.headers().get_one("x-user-id") {
            Some(id) => request::Outcome::Success(Self(id.to_owned())),
            None => request::Outcome::Forward(Status::Unauthorized),
        }
    }
}

impl From<SessionUser> for VortexUser {
    fn from(user: SessionUser) -> Self {
        Self::new(user.0)
    }
}

#[get("/me")]
fn me(user: CurrentUser<SessionUser>) -> String {
    serde_json::json!({ "id": user.into_inner().id }).to_string()
}

fn app(with_sessions: bool) -> Rocket<Build> {
    let client = VortexClient::new("VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing")
        .expect("test key");
    let routes = VortexRoutes::new(client, AllowAllAuthenticated);
    let rocket = rocket::build()
        .attach(vortex_rocket::fairing::<SessionUser>("/api/vortex", routes))
        .mount("/", routes![me])
        .register("/me", vortex_rocket::catchers());
    if with_sessions {
        rocket.manage(Sessions)
    } else {
        rocket
    }
}

async fn send(client: &Client, path: &str, user: Option<&str>) -> (u16, String) {
    let mut request = if path == "/me" {
        client.get(path)
    } else {
        client.post(path)
    };
    if let Some(user) = user {
        request = request.header(Header::new("x-user-id", user.to_owned()));
    }
    let answer = request.dispatch().await;
    (
        answer.status().code,
        answer.into_string().await.unwrap_or_default(),
    )
}

#[rocket::async_test]
async fn a_5xx_error_answers_500_json() {
    let client = Client::tracked(app(false)).await.unwrap();
    for path in ["/api/vortex/jwt", "/me"] {
        let (status, body) = send(&client, path, Some("u1")).await;
        assert_eq!(
            (status, body.as_str()),
            (500, r#"{"error":"Internal error"}"#),
            "{path}"
        );
    }
}

#[rocket::async_test]
async fn a_forward_is_anonymous_and_managing_fixes_the_500() {
    let client = Client::tracked(app(true)).await.unwrap();
    let (status, body) = send(&client, "/api/vortex/jwt", None).await;
    assert_eq!(
        (status, body.as_str()),
        (401, r#"{"error":"Unauthorized"}"#)
    );
    assert_eq!(send(&client, "/me", None).await.0, 401);
    assert_eq!(
        send(&client, "/me", Some("u1")).await,
        (200, r#"{"id":"u1"}"#.into())
    );
    assert_eq!(send(&client, "/api/vortex/jwt", Some("u1")).await.0, 200);
}
