//! The test app: a header-based user guard, a Vortex client on a mock, helpers.

use std::time::Duration;

use rocket::figment::Figment;
use rocket::http::{Header, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use rocket::request::{self, FromRequest, Request};
use rocket::{Build, Config, Rocket};
use serde_json::Value;
use vortex_client::VortexClient;
use vortex_client::retry::RetryPolicy;
use vortex_mock::MockServer;
use vortex_rocket::{AdminScopeOr, AllowOperations, VortexRoutes, VortexUser};

/// The app's user: `x-user-id`; ids starting with `admin` are autojoin admins.
#[derive(Debug)]
pub(crate) struct AppUser(pub(crate) String);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for AppUser {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> request::Outcome<Self, ()> {
        match request.headers().get_one("x-user-id") {
            Some("forward") | None => request::Outcome::Forward(Status::Unauthorized),
            Some("error") => request::Outcome::Error((Status::BadRequest, ())),
            Some(id) => request::Outcome::Success(Self(id.to_owned())),
        }
    }
}

impl From<AppUser> for VortexUser {
    fn from(user: AppUser) -> Self {
        let scopes: &[&str] = if user.0.starts_with("admin") {
            &["autojoin"]
        } else {
            &[]
        };
        Self::new(&user.0)
            .email(format!("{}@example.com", user.0))
            .admin_scopes(scopes.iter().copied())
    }
}

/// The header of a signed-in user.
pub(crate) fn as_user(id: &str) -> Header<'static> {
    Header::new("x-user-id", id.to_owned())
}

/// Vortex routes calling `mock`: admins may do everything, others read.
pub(crate) fn vortex_routes(mock: &MockServer) -> VortexRoutes {
    let client = VortexClient::builder(mock.api_key())
        .base_url(mock.base_url())
        .timeout(Duration::from_secs(5))
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client builds");
    VortexRoutes::new(
        client,
        AdminScopeOr::new("autojoin", AllowOperations::all_reads()),
    )
}

/// Rocket's configuration for tests (quiet), merged with `extra`.
pub(crate) fn figment(extra: Figment) -> Figment {
    Config::figment()
        .merge(("log_level", "off"))
        // A fixed key for the tests: with Rocket's `secrets` feature on (the workspace turns it
        // on for the demos and the README's examples), Rocket refuses to start without one
        // outside its debug profile.
        .merge(("secret_key", TEST_SECRET_KEY))
        .merge(extra)
}

/// 256 bits, hex: the private-cookie key of the test apps (test only).
pub(crate) const TEST_SECRET_KEY: &str =
    "0102030405060708091011121314151617181920212223242526272829303132";

/// A quiet Rocket.
pub(crate) fn rocket() -> Rocket<Build> {
    rocket::custom(figment(Figment::new()))
}

/// The Vortex routes at `/api/vortex` via the fairing.
pub(crate) fn app(mock: &MockServer) -> Rocket<Build> {
    rocket().attach(vortex_rocket::fairing::<AppUser>(
        "/api/vortex",
        vortex_routes(mock),
    ))
}

/// A tracked local client.
pub(crate) async fn client(rocket: Rocket<Build>) -> Client {
    Client::tracked(rocket).await.expect("valid rocket")
}

/// An answer: status, content type, `Cache-Control`, JSON body.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) content_type: Option<String>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Value,
}

impl Answer {
    pub(crate) async fn of(response: LocalResponse<'_>) -> Self {
        let status = response.status().code;
        let content_type = response
            .headers()
            .get_one("content-type")
            .map(str::to_owned);
        let headers = response
            .headers()
            .iter()
            .map(|h| (h.name().as_str().to_ascii_lowercase(), h.value().to_owned()))
            .collect();
        let text = response.into_string().await.unwrap_or_default();
        let body =
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text:?}"));
        Self {
            status,
            content_type,
            headers,
            body,
        }
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Asserts a JSON error answer.
    #[track_caller]
    pub(crate) fn assert_error(&self, status: u16, message: &str) {
        assert_eq!(self.status, status, "{:?}", self.body);
        assert_eq!(self.content_type.as_deref(), Some("application/json"));
        assert_eq!(self.body, serde_json::json!({ "error": message }));
    }
}
