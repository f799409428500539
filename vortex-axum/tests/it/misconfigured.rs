//! Configuration mistakes are loud: a user extractor that fails with a server error (here,
//! a missing request extension, as a session extractor without its layer) answers 500 JSON
//! and logs the cause at error level, instead of treating the caller as anonymous.

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::body::{Body, to_bytes};
use axum::extract::{Extension, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{Request, StatusCode};
use axum::response::IntoResponse as _;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use tower::ServiceExt as _;
use vortex_axum::{AllowAllAuthenticated, CurrentUser, VortexClient, VortexRoutes, VortexUser};

/// Sessions that the app forgot to add as a layer.
#[derive(Clone)]
struct Sessions;

/// The app's user: needs the `Sessions` extension (a 500 rejection without it); anonymous
/// (401) without an `x-user-id` header.
struct SessionUser(String);

impl<S: Send + Sync> FromRequestParts<S> for SessionUser {
    type Rejection = axum::response::Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Extension(Sessions) = Extension::<Sessions>::from_request_parts(parts, state)
            .await
            .map_err(|rejection| rejection.into_response())?;
        let id = parts.headers.get("x-user-id").and_then(|v| v.to_str().ok());
        let id = id.ok_or_else(|| StatusCode::UNAUTHORIZED.into_response())?;
        Ok(Self(id.to_owned()))
    }
}

impl From<SessionUser> for VortexUser {
    fn from(user: SessionUser) -> Self {
        Self::new(user.0)
    }
}

async fn me(user: CurrentUser<SessionUser>) -> Json<Value> {
    Json(json!({ "id": user.id }))
}

fn app(with_sessions: bool) -> Router {
    let client = VortexClient::new("VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing")
        .expect("test key");
    let routes = VortexRoutes::new(client, AllowAllAuthenticated);
    let app = Router::new()
        .nest(
            "/api/vortex",
            vortex_axum::router::<(), SessionUser>(routes),
        )
        .route("/me", get(me));
    if with_sessions {
        app.layer(Extension(Sessions))
    } else {
        app
    }
}

/// Lines written by the `tracing` subscriber of the test.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl Write for Log {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn send(app: Router, method: &str, path: &str, user: Option<&str>) -> (StatusCode, String) {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(user) = user {
        request = request.header("x-user-id", user);
    }
    let answer = app
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = answer.status();
    let body = to_bytes(answer.into_body(), 4096).await.unwrap();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

#[test]
fn a_5xx_rejection_answers_500_and_logs_the_cause() {
    let log = Log::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    // The routes bound each step with Tokio's timer, as any app's runtime has it.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    tracing::subscriber::with_default(subscriber, || {
        runtime.block_on(async {
            for (method, path) in [("POST", "/api/vortex/jwt"), ("GET", "/me")] {
                let (status, body) = send(app(false), method, path, Some("u1")).await;
                assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{path}");
                assert_eq!(body, r#"{"error":"Internal error"}"#, "{path}");
            }
        });
    });
    let log = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    let errors: Vec<&str> = log.lines().filter(|l| l.contains("ERROR")).collect();
    assert_eq!(errors.len(), 2, "{log}");
    for line in errors {
        assert!(line.contains("misconfigured"), "{line}");
        assert!(
            line.contains("SessionUser failed with status 500"),
            "{line}"
        );
        assert!(line.contains("Missing request extension"), "{line}");
    }
}

#[tokio::test]
async fn a_4xx_rejection_is_anonymous_and_a_layer_fixes_the_500() {
    let (status, body) = send(app(true), "POST", "/api/vortex/jwt", None).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::UNAUTHORIZED, r#"{"error":"Unauthorized"}"#)
    );
    let (status, _) = send(app(true), "GET", "/me", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = send(app(true), "GET", "/me", Some("u1")).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, r#"{"id":"u1"}"#));
    let (status, _) = send(app(true), "POST", "/api/vortex/jwt", Some("u1")).await;
    assert_eq!(status, StatusCode::OK);
}
