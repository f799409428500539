//! The demo's whole OpenAPI document, served at `GET /api-docs/openapi.json`: its own routes
//! (sign-in, who am I, events, simulated failures, the webhook) and the Vortex routes nested
//! at `/api/vortex`; and a page that browses it at `GET /api-docs`, offline (no CDN).

// The schemas and handlers below exist for their attributes: utoipa reads them.
#![allow(dead_code)]

use std::sync::OnceLock;

use serde_json::Value;
use utoipa::{OpenApi, ToSchema};

/// The page that browses the document (embedded, no build step, works offline).
pub const DOCS_HTML: &str = include_str!("../static/api-docs.html");

/// The document as JSON text, built once.
pub fn document_json() -> &'static str {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let doc = DemoApi::openapi().nest("/api/vortex", vortex_routes::openapi::openapi());
        serde_json::to_string(&doc).expect("an OpenAPI document serializes")
    })
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Vortex demo",
        description = "The demo app: sign-in, its own endpoints, verified webhooks, and the Vortex routes at /api/vortex. Every error answer is JSON {\"error\": \"…\"}."
    ),
    paths(healthz, readyz, login, logout, me, events, webhook_failures, webhook, metrics),
    components(schemas(Credentials, UserAnswer, Error, EventList, Failures, Armed, Received, Health, Readiness)),
    tags((name = "demo", description = "The demo's own routes"))
)]
struct DemoApi;

/// `{"error": "…"}`.
#[derive(ToSchema)]
struct Error {
    #[schema(min_length = 1)]
    error: String,
}

/// The sign-in form.
#[derive(ToSchema)]
#[schema(example = json!({"email": "admin@example.com", "password": "password123"}))]
struct Credentials {
    email: String,
    password: String,
}

/// The signed-in user.
#[derive(ToSchema)]
struct UserAnswer {
    #[schema(value_type = Object)]
    user: Value,
}

/// The received webhook events, newest first.
#[derive(ToSchema)]
struct EventList {
    #[schema(value_type = Vec<Object>)]
    events: Value,
}

/// How many of the next webhook handler runs fail.
#[derive(ToSchema)]
struct Failures {
    #[schema(minimum = 0, maximum = 100)]
    next: u32,
}

/// The armed count.
#[derive(ToSchema)]
struct Armed {
    next: u32,
}

/// A kept event (`{"received": true}`), or a duplicate (`"duplicate": true`).
#[derive(ToSchema)]
struct Received {
    received: bool,
    duplicate: Option<bool>,
}

/// `{"status":"ok"}`.
#[derive(ToSchema)]
struct Health {
    status: String,
}

/// `{"status":"ok"}`, or `{"status":"unavailable","down":["redis"]}`.
#[derive(ToSchema)]
struct Readiness {
    status: String,
    down: Option<Vec<String>>,
}

#[utoipa::path(
    get, path = "/healthz", operation_id = "demo_healthz", tag = "demo",
    summary = "Liveness: the process serves requests",
    responses((status = 200, description = "Up", body = Health))
)]
fn healthz() {}

#[utoipa::path(
    get, path = "/readyz", operation_id = "demo_readyz", tag = "demo",
    summary = "Readiness: what the demo depends on (Redis, where configured) answers",
    responses(
        (status = 200, description = "Ready", body = Readiness),
        (status = 503, description = "Not ready: `down` names what does not answer", body = Readiness),
    )
)]
fn readyz() {}

#[utoipa::path(
    post, path = "/api/auth/login", operation_id = "demo_login", tag = "demo",
    request_body(content = Credentials, content_type = "application/json"),
    responses(
        (status = 200, description = "Signed in; the session cookie is set", body = UserAnswer),
        (status = 400, description = "Not a JSON object", body = Error),
        (status = 401, description = "Invalid email or password", body = Error),
        (status = 413, description = "The body is too large", body = Error),
    )
)]
fn login() {}

#[utoipa::path(
    post, path = "/api/auth/logout", operation_id = "demo_logout", tag = "demo",
    responses((status = 200, description = "Signed out", body = Object))
)]
fn logout() {}

#[utoipa::path(
    get, path = "/api/auth/me", operation_id = "demo_me", tag = "demo",
    responses(
        (status = 200, description = "The signed-in user", body = UserAnswer),
        (status = 401, description = "Not signed in", body = Error),
    )
)]
fn me() {}

#[utoipa::path(
    get, path = "/api/demo/events", operation_id = "demo_events", tag = "demo",
    responses(
        (status = 200, description = "The received events", body = EventList),
        (status = 401, description = "Not signed in", body = Error),
    )
)]
fn events() {}

#[utoipa::path(
    post, path = "/api/demo/webhook-failures", operation_id = "demo_webhook_failures", tag = "demo",
    request_body(content = Failures, content_type = "application/json"),
    responses(
        (status = 200, description = "Armed", body = Armed),
        (status = 400, description = "Not {\"next\": 0..=100}", body = Error),
        (status = 401, description = "Not signed in", body = Error),
        (status = 403, description = "Not the admin", body = Error),
        (status = 413, description = "The body is too large", body = Error),
    )
)]
fn webhook_failures() {}

#[utoipa::path(
    post, path = "/webhooks/vortex", operation_id = "demo_webhook", tag = "demo",
    summary = "Verified Vortex webhooks (X-Vortex-Signature over the raw body)",
    params(("X-Vortex-Signature" = Option<String>, Header, description = "hex HMAC-SHA256 of the raw body")),
    request_body(content = Object, content_type = "application/json"),
    responses(
        (status = 200, description = "Handled, or a duplicate answered without the handler", body = Received),
        (status = 400, description = "Two signature headers, a body that is not a JSON object, or a stale event", body = Error),
        (status = 401, description = "Missing or invalid signature", body = Error),
        (status = 409, description = "Being handled by another delivery: retry later", body = Error),
        (status = 413, description = "The body is too large", body = Error),
        (status = 500, description = "A configuration mistake of the app", body = Error),
        (status = 503, description = "The handler failed (simulated) or the event store is down: retry later", body = Error),
    )
)]
fn webhook() {}

#[utoipa::path(
    get, path = "/metrics", operation_id = "demo_metrics", tag = "demo",
    summary = "The Vortex metrics in the Prometheus text format (version 0.0.4)",
    responses((status = 200, description = "The series", body = String, content_type = "text/plain"))
)]
fn metrics() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_has_the_demo_routes_and_the_vortex_routes() {
        let doc: Value = serde_json::from_str(document_json()).unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        let paths = doc["paths"].as_object().unwrap();
        for path in [
            "/healthz",
            "/readyz",
            "/api/auth/login",
            "/api/auth/me",
            "/webhooks/vortex",
            "/api/vortex/jwt",
            "/api/vortex/invitations/{invitationId}",
        ] {
            assert!(paths.contains_key(path), "{path}");
        }
    }
}
