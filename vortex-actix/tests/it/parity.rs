//! Parity with vortex-axum: the same requests, through both adapters to two identical mocks,
//! get the same answers (status, headers, body) and send the same upstream requests.

use actix_web::App;
use actix_web::http::Method;
use actix_web::test::{TestRequest, init_service};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use http_body_util::BodyExt as _;
use serde_json::Value;
use tower::ServiceExt as _;
use vortex_actix::VortexUser;

use crate::support::{Answer, AppUser, mock, routes, send, vortex_scope};

/// The same user as [`AppUser`], as an axum extractor.
struct AxumUser(AppUser);

impl<S: Send + Sync> FromRequestParts<S> for AxumUser {
    type Rejection = ();

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ()> {
        let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
        let id = header("x-user-id").ok_or(())?;
        Ok(Self(AppUser::new(id, header("x-admin") == Some("1"))))
    }
}

impl From<AxumUser> for VortexUser {
    fn from(user: AxumUser) -> Self {
        user.0.into()
    }
}

/// Who sends a request.
#[derive(Clone, Copy, Debug)]
enum Who {
    Anonymous,
    User,
    Admin,
}

/// One request: who, method, path under the mount point, extra headers, body.
type Case = (
    Who,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    Vec<u8>,
);

fn cases() -> Vec<Case> {
    use Who::{Admin, Anonymous, User};
    let none: &[(&str, &str)] = &[];
    let json: &[(&str, &str)] = &[("content-type", "application/json")];
    let claims_large: &[(&str, &str)] = &[("content-length", "1000000")];
    let b = |s: &str| s.as_bytes().to_vec();
    vec![
        (Anonymous, "POST", "/jwt", none, vec![]),
        (User, "POST", "/jwt", none, vec![]),
        (
            User,
            "POST",
            "/jwt",
            json,
            b(r#"{"context":{"scope":"team-1"}}"#),
        ),
        (User, "POST", "/jwt", json, b(r#"{"context":3}"#)),
        (User, "POST", "/jwt", none, vec![b' '; 65_537]),
        (User, "POST", "/jwt", claims_large, b("{}")),
        (User, "POST", "/token", json, b(r#"{"component":"c"}"#)),
        (User, "POST", "/token", json, b(r#"{"expiresIn":"999d"}"#)),
        (User, "PUT", "/jwt", none, vec![]),
        (User, "HEAD", "/invitations", none, vec![]),
        (User, "OPTIONS", "/invitations/inv-1", none, vec![]),
        (User, "GET", "", none, vec![]),
        // Not `/`: axum's `nest` does not pass `/api/vortex/` (an empty rest) to the nested
        // router, so it gets the outer router's fallback; vortex-actix answers JSON 404 (see
        // mount.rs).
        (User, "GET", "/nope", none, vec![]),
        (User, "POST", "/%6Awt", none, vec![]),
        (
            User,
            "GET",
            "/invitations?targetType=email&targetValue=ada%40example.com",
            none,
            vec![],
        ),
        (
            User,
            "GET",
            "/invitations?targetType=username",
            none,
            vec![],
        ),
        (User, "GET", "/invitations/inv-1", none, vec![]),
        (
            User,
            "GET",
            "/invitations/a%2Fb%3Fc%23d%25e%20%C3%A9",
            none,
            vec![],
        ),
        (User, "GET", "/invitations/%%341", none, vec![]),
        (User, "GET", "/invitations/%61ccept", none, vec![]),
        (User, "GET", "/invitations/..%2Fx", none, vec![]),
        (User, "GET", "/invitations/%2E%2E", none, vec![]),
        (User, "GET", "/invitations/%FF", none, vec![]),
        (User, "GET", "/invitations/a%0Ab", none, vec![]),
        (
            User,
            "GET",
            "/invitations/by-group/team/team-1",
            none,
            vec![],
        ),
        (
            User,
            "DELETE",
            "/invitations/by-group/team/team-1",
            none,
            vec![],
        ),
        (Admin, "POST", "/invitations/accept", json, b("{not json")),
        (
            Admin,
            "POST",
            "/invitations/accept",
            json,
            b(r#"{"invitationIds":["inv-1"],"target":{"type":"username","value":"ada"}}"#),
        ),
        (
            Admin,
            "POST",
            "/invitations/accept",
            json,
            b(r#"{"invitationIds":["inv-1"],"target":{"type":"email","value":"ada@example.com"}}"#),
        ),
        (Admin, "POST", "/invitations/inv-1/reinvite", none, vec![]),
        (
            Admin,
            "POST",
            "/invitations/sync-internal-invitation",
            json,
            b(r#"{"creatorId":"admin","targetValue":"u2","action":"declined","componentId":"c"}"#),
        ),
        (Admin, "DELETE", "/invitations/inv-1", none, vec![]),
        (
            Admin,
            "DELETE",
            "/invitations/by-scope/team/team-1",
            none,
            vec![],
        ),
        (
            Admin,
            "GET",
            "/invitations/by-scope/team/team-1",
            none,
            vec![],
        ),
    ]
}

fn who_headers(who: Who) -> Vec<(&'static str, &'static str)> {
    match who {
        Who::Anonymous => vec![],
        Who::User => vec![("x-user-id", "u1")],
        Who::Admin => vec![("x-user-id", "admin"), ("x-admin", "1")],
    }
}

/// What must be equal: status, the headers the core sets, and the body (token bodies by
/// shape only, since they are signed at different instants).
fn comparable(answer: &Answer) -> (u16, Vec<Option<String>>, Value) {
    let headers = ["content-type", "cache-control", "allow", "retry-after"]
        .iter()
        .map(|name| answer.header(name))
        .collect();
    let mut body: Value = serde_json::from_str(&answer.body).unwrap_or(Value::Null);
    for key in ["jwt", "token"] {
        if let Some(token) = body.get_mut(key) {
            *token = Value::from(token.as_str().map(|t| t.split('.').count()));
        }
    }
    (answer.status, headers, body)
}

#[actix_web::test]
async fn same_answers_as_vortex_axum() {
    let (mock_axum, mock_actix) = (mock().await, mock().await);
    let axum_app = axum::Router::new().nest(
        "/api/vortex",
        vortex_axum::router::<(), AxumUser>(routes(&mock_axum)),
    );
    let actix_app = init_service(App::new().service(vortex_scope(&routes(&mock_actix)))).await;

    for (who, method, path, headers, body) in cases() {
        let uri = format!("/api/vortex{path}");
        let mut all_headers = who_headers(who);
        all_headers.extend_from_slice(headers);

        let mut request = TestRequest::default()
            .method(Method::from_bytes(method.as_bytes()).unwrap())
            .uri(&uri);
        if !body.is_empty() {
            request = request.set_payload(body.clone());
        }
        for header in &all_headers {
            request = request.insert_header(*header);
        }
        let actix = send(&actix_app, request.to_request()).await;

        let mut request = axum::http::Request::builder().method(method).uri(&uri);
        let claims_length = all_headers
            .iter()
            .any(|(name, _)| *name == "content-length");
        if !body.is_empty() && !claims_length {
            request = request.header("content-length", body.len());
        }
        for (name, value) in &all_headers {
            request = request.header(*name, *value);
        }
        let response = axum_app
            .clone()
            .oneshot(request.body(axum::body::Body::from(body)).unwrap())
            .await
            .unwrap();
        let status = response.status().as_u16();
        let mut headers = actix_web::http::header::HeaderMap::new();
        for (name, value) in response.headers() {
            headers.insert(
                name.as_str().parse().unwrap(),
                value.as_bytes().try_into().unwrap(),
            );
        }
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let axum = Answer {
            status,
            headers,
            body: String::from_utf8(body.to_vec()).unwrap(),
        };

        let (mut actix_seen, mut axum_seen) = (comparable(&actix), comparable(&axum));
        if method == "HEAD" {
            // axum drops a HEAD answer's body in the router, actix-web when writing it.
            (actix_seen.2, axum_seen.2) = (Value::Null, Value::Null);
        }
        assert_eq!(
            actix_seen, axum_seen,
            "{who:?} {method} {path}\nactix: {actix:?}\naxum:  {axum:?}"
        );
    }
    let upstream =
        |mock: &vortex_mock::MockServer| -> Vec<(String, String, Option<String>, Value)> {
            mock.requests()
                .into_iter()
                .map(|r| (r.method, r.path, r.query, r.body))
                .collect()
        };
    let sent = upstream(&mock_actix);
    assert!(sent.len() > 10, "{sent:?}");
    assert_eq!(sent, upstream(&mock_axum));
}
