//! The demo's own endpoints (sign-in, sign-out, who am I, received events), framework-neutral:
//! each binary maps its routes to these and copies the answer.

use serde_json::{Value, json};
use vortex_client::routes::{VortexRoutes, VortexUser, WebhookVerifier};
use vortex_client::webhook::VortexEvent;

use crate::DemoConfig;
use crate::events::Events;
use crate::policy::DemoPolicy;
use crate::sessions::Sessions;
use crate::upstream::Upstream;
use crate::users;

/// An answer of a demo endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoResponse {
    /// HTTP status.
    pub status: u16,
    /// JSON body.
    pub body: Value,
    /// A `Set-Cookie` value to send.
    pub set_cookie: Option<String>,
}

impl DemoResponse {
    fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            body,
            set_cookie: None,
        }
    }

    /// An error answer `{"error": message}`.
    pub fn error(status: u16, message: &str) -> Self {
        Self::json(status, json!({ "error": message }))
    }

    fn unauthorized() -> Self {
        Self::error(401, "Unauthorized")
    }
}

/// The demo's state: sessions, received events, the Vortex routes and webhook verifier.
/// Cheap to clone.
#[derive(Clone, Debug)]
pub struct DemoApp {
    /// Cookie sessions.
    pub sessions: Sessions,
    /// Received webhook events.
    pub events: Events,
    /// The Vortex routes, with the demo policy.
    pub routes: VortexRoutes,
    /// The webhook verifier, with the configured secret.
    pub webhooks: WebhookVerifier,
}

impl DemoApp {
    /// The demo for `config`, calling Vortex through `upstream`.
    ///
    /// # Errors
    ///
    /// A message when the webhook secret is empty.
    pub fn new(config: &DemoConfig, upstream: &Upstream) -> Result<Self, String> {
        let webhooks = WebhookVerifier::new(&config.webhook_secret)
            .map_err(|e| e.to_string())?
            .dedupe_in_memory();
        Ok(Self {
            sessions: Sessions::default(),
            events: Events::default(),
            routes: VortexRoutes::new(upstream.client.clone(), DemoPolicy),
            webhooks,
        })
    }

    /// The signed-in user of a request, from its `Cookie` header.
    pub fn user(&self, cookie_header: Option<&str>) -> Option<VortexUser> {
        self.sessions.user(cookie_header)
    }

    /// `POST /api/auth/login` with `{"email","password"}`.
    pub fn login(&self, body: &[u8]) -> DemoResponse {
        let credentials: Value = match serde_json::from_slice(body) {
            Ok(value @ Value::Object(_)) => value,
            _ => {
                return DemoResponse::json(
                    400,
                    json!({ "error": "Send a JSON object {\"email\",\"password\"}" }),
                );
            }
        };
        let field = |name: &str| credentials.get(name).and_then(Value::as_str).unwrap_or("");
        match users::authenticate(field("email"), field("password")) {
            Some(user) => DemoResponse {
                set_cookie: Some(self.sessions.start(&user)),
                ..DemoResponse::json(200, json!({ "user": user }))
            },
            None => DemoResponse::json(401, json!({ "error": "Invalid email or password" })),
        }
    }

    /// `POST /api/auth/logout`.
    pub fn logout(&self, cookie_header: Option<&str>) -> DemoResponse {
        DemoResponse {
            set_cookie: Some(self.sessions.end(cookie_header)),
            ..DemoResponse::json(200, json!({ "success": true }))
        }
    }

    /// `GET /api/auth/me`.
    pub fn me(&self, cookie_header: Option<&str>) -> DemoResponse {
        match self.user(cookie_header) {
            Some(user) => DemoResponse::json(200, json!({ "user": user })),
            None => DemoResponse::unauthorized(),
        }
    }

    /// `GET /api/demo/events`: the received webhook events, newest first.
    pub fn events(&self, cookie_header: Option<&str>) -> DemoResponse {
        match self.user(cookie_header) {
            Some(_) => DemoResponse::json(200, json!({ "events": self.events.list() })),
            None => DemoResponse::unauthorized(),
        }
    }

    /// Keeps a verified webhook event; the answer of `POST /webhooks/vortex`.
    pub fn received(&self, event: &VortexEvent) -> DemoResponse {
        tracing::info!(
            kind = event.kind(),
            id = event.id(),
            "Vortex webhook received"
        );
        self.events.record(event);
        DemoResponse::json(200, json!({ "received": true }))
    }
}

/// Prints the start-up banner.
pub fn print_banner(config: &DemoConfig, listening: std::net::SocketAddr, upstream: &str) {
    println!("listening on http://{listening}");
    println!("{upstream}");
    if config.webhook_secret_generated {
        println!("webhook secret (generated): {}", config.webhook_secret);
    }
    println!("sign in as admin@example.com / password123 or user@example.com / userpass");
}

/// Logs to stderr, filtered by `RUST_LOG` (default `info`).
pub fn init_tracing() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
}
