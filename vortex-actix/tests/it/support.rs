//! The test app: a user from headers, routes against the mock, answers as JSON.

use std::future::{Ready, ready};

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, Service, ServiceResponse};
use actix_web::http::header::HeaderMap;
use actix_web::{FromRequest, HttpRequest, error::ErrorUnauthorized, web};
use serde_json::{Value, json};
use vortex_actix::{AdminScopeOr, AllowOperations, VortexRoutes, VortexUser};
use vortex_client::VortexClient;
use vortex_client::retry::RetryPolicy;
use vortex_mock::MockServer;

/// The app's user: `x-user-id`, admin (scope `autojoin`) when `x-admin: 1`.
#[derive(Debug)]
pub(crate) struct AppUser {
    id: String,
    admin: bool,
}

impl AppUser {
    /// A user; admins have scope `autojoin`.
    pub(crate) fn new(id: &str, admin: bool) -> Self {
        Self {
            id: id.to_owned(),
            admin,
        }
    }
}

impl FromRequest for AppUser {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
        ready(match header("x-user-id") {
            Some(id) => Ok(Self::new(id, header("x-admin") == Some("1"))),
            None => Err(ErrorUnauthorized("not signed in")),
        })
    }
}

impl From<AppUser> for VortexUser {
    fn from(user: AppUser) -> Self {
        let scopes: &[&str] = if user.admin { &["autojoin"] } else { &[] };
        let email = format!("{}@example.com", user.id);
        Self::new(user.id)
            .email(email)
            .admin_scopes(scopes.iter().copied())
    }
}

/// A mock upstream with one invitation, `inv-1`, for `ada@example.com` in team `team-1`.
pub(crate) async fn mock() -> MockServer {
    MockServer::builder()
        .deterministic(7)
        .seed_invitation(json!({
            "id": "inv-1",
            "target": [{"type": "email", "value": "ada@example.com"}],
            "groups": [{"type": "team", "groupId": "team-1", "name": "Team 1"}],
        }))
        .start()
        .await
        .expect("mock starts")
}

/// Routes against `mock`: admins may do everything, other users read and get tokens.
pub(crate) fn routes(mock: &MockServer) -> VortexRoutes {
    let client = VortexClient::builder(mock.api_key())
        .base_url(mock.base_url())
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client builds");
    VortexRoutes::new(
        client,
        AdminScopeOr::new("autojoin", AllowOperations::all_reads()),
    )
}

/// `/api/vortex` with the Vortex routes for [`AppUser`].
pub(crate) fn vortex_scope(routes: &VortexRoutes) -> actix_web::Scope {
    web::scope("/api/vortex").configure(vortex_actix::configure::<AppUser>(routes.clone()))
}

/// An answer, read whole.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: String,
}

impl Answer {
    /// The body as JSON, after checking that the answer is JSON.
    #[track_caller]
    pub(crate) fn json(&self) -> Value {
        assert_eq!(
            self.header("content-type").as_deref(),
            Some("application/json"),
            "{self:?}"
        );
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {self:?}"))
    }

    /// The `error` message, after checking the status and that the answer is JSON.
    #[track_caller]
    pub(crate) fn error(&self, status: u16) -> String {
        assert_eq!(self.status, status, "{self:?}");
        let body = self.json();
        assert_eq!(body.as_object().map(|o| o.len()), Some(1), "{self:?}");
        body["error"].as_str().expect("an error message").to_owned()
    }

    /// A header, as text.
    pub(crate) fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().expect("text header").to_owned())
    }
}

/// Sends `request` to `app` and reads the answer.
pub(crate) async fn send<S, R, B>(app: &S, request: R) -> Answer
where
    S: Service<R, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let response = actix_web::test::call_service(app, request).await;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = actix_web::test::read_body(response).await;
    Answer {
        status,
        headers,
        body: String::from_utf8(body.to_vec()).expect("UTF-8 body"),
    }
}
