//! The demo's own endpoints (sign-in, who am I, received events, simulated handler failures),
//! framework-neutral: each demo keeps the signed-in user's id in its framework's session,
//! maps its routes to these and copies the answer.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use vortex_client::webhook::VortexEvent;
use vortex_client::webhook::store::{EventClaims, RedisEventStore};
use vortex_routes::{VortexRoutes, VortexUser, WebhookVerifier};

use crate::DemoConfig;
use crate::events::Events;
use crate::metrics::Metrics;
use crate::policy::DemoPolicy;
use crate::upstream::Upstream;
use crate::users;

/// The freshness window of the demo's webhooks: 4 days.
///
/// Vortex retries a delivery that did not get a 2xx, and a retry carries the event's
/// original `timestamp` (the body is signed as first sent; `vortex-mock` does the same). A
/// window shorter than the retries would refuse (400) the very retry that the event claims
/// exist to let through, and the event would be lost. 3 days covers the retries, plus a day
/// of margin for clock skew and queues; the claims' done TTL (7 days) outlasts it, so a
/// handled event redelivered inside the window is always answered as a duplicate.
pub const WEBHOOK_MAX_AGE: Duration = Duration::from_secs(4 * 24 * 3600);

/// The longest each readiness check waits: 1 s, so `/readyz` answers within about 1 s even
/// while a dependency stalls.
pub const READINESS_TIMEOUT: Duration = Duration::from_secs(1);

/// The most handler failures `POST /api/demo/webhook-failures` arms at once.
pub const MAX_SIMULATED_FAILURES: u64 = 100;

/// The session key under which every demo keeps the signed-in user's id (the session holds
/// only this id, never the user's JSON).
pub const SESSION_USER_ID: &str = "user_id";

/// An answer of a demo endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoResponse {
    /// HTTP status.
    pub status: u16,
    /// JSON body.
    pub body: Value,
}

impl DemoResponse {
    fn json(status: u16, body: Value) -> Self {
        Self { status, body }
    }

    /// An error answer `{"error": message}`.
    pub fn error(status: u16, message: &str) -> Self {
        Self::json(status, json!({ "error": message }))
    }

    /// 401 `{"error":"Unauthorized"}`.
    pub fn unauthorized() -> Self {
        Self::error(401, "Unauthorized")
    }

    /// 200 `{"user": …}`.
    pub fn user(user: &VortexUser) -> Self {
        Self::json(200, json!({ "user": user }))
    }
}

/// The demo's state: received events, simulated failures, the Vortex routes and webhook
/// verifier. Cheap to clone.
#[derive(Clone, Debug)]
pub struct DemoApp {
    /// Received webhook events.
    pub events: Events,
    /// The Vortex routes, with the demo policy.
    pub routes: VortexRoutes,
    /// The webhook verifier, with the configured secret.
    pub webhooks: WebhookVerifier,
    /// The Prometheus recorder behind `GET /metrics`.
    pub metrics: Metrics,
    failures: SimulatedFailures,
    redis: bool,
}

impl DemoApp {
    /// The demo for `config`, calling Vortex through `upstream`. Webhook event ids are
    /// claimed in the Redis of `REDIS_URL` when set (every instance sharing it handles each
    /// event once), else in this process's memory.
    ///
    /// # Errors
    ///
    /// A message when the webhook secret is empty, or `REDIS_URL` is invalid or unreachable.
    pub async fn new(config: &DemoConfig, upstream: &Upstream) -> Result<Self, String> {
        let webhooks = WebhookVerifier::new(&config.webhook_secret)
            .map_err(|e| e.to_string())?
            .max_age(WEBHOOK_MAX_AGE)
            .claims(event_claims(config).await?);
        Ok(Self {
            events: Events::default(),
            routes: VortexRoutes::new(upstream.client.clone(), DemoPolicy)
                .on_answer(crate::logging::log_answer),
            webhooks,
            metrics: Metrics::install()?,
            failures: SimulatedFailures::default(),
            redis: config.redis_url.is_some(),
        })
    }

    /// `POST /api/auth/login` with `{"email","password"}`: the user to keep in the session,
    /// or the error answer.
    ///
    /// # Errors
    ///
    /// 400 for a body that is not a JSON object, 401 for wrong credentials.
    pub fn login(&self, body: &[u8]) -> Result<VortexUser, DemoResponse> {
        let credentials: Value = match serde_json::from_slice(body) {
            Ok(value @ Value::Object(_)) => value,
            _ => {
                return Err(DemoResponse::error(
                    400,
                    "Send a JSON object {\"email\",\"password\"}",
                ));
            }
        };
        let field = |name: &str| credentials.get(name).and_then(Value::as_str).unwrap_or("");
        users::authenticate(field("email"), field("password"))
            .ok_or_else(|| DemoResponse::error(401, "Invalid email or password"))
    }

    /// The user a session's user id names.
    pub fn user(&self, session_user_id: Option<&str>) -> Option<VortexUser> {
        users::by_id(session_user_id?)
    }

    /// `GET /healthz`: 200 `{"status":"ok"}`, whenever the process serves requests (a
    /// liveness probe: restart the process when this fails).
    pub fn health(&self) -> DemoResponse {
        DemoResponse::json(200, json!({ "status": "ok" }))
    }

    /// `GET /readyz`: 200 `{"status":"ok"}` when what the demo depends on answers, else 503
    /// `{"status":"unavailable","down":[…]}` naming what does not (`"redis"`): a readiness
    /// probe, to take the instance out of the load balancer while Redis is down. Checks the
    /// webhook event store ([`EventClaims::ping`], within 1 s) and, when the app keeps its
    /// sessions in Redis, `sessions` (its own check, also bounded), at the same time.
    pub async fn readiness<F>(&self, sessions: Option<F>) -> DemoResponse
    where
        F: Future<Output = Result<(), String>>,
    {
        let store = async {
            let claims = self.webhooks.event_claims()?;
            let pinged = tokio::time::timeout(READINESS_TIMEOUT, claims.ping()).await;
            match pinged {
                Ok(Ok(())) => None,
                Ok(Err(error)) => Some(error.to_string()),
                Err(_) => Some(format!("no answer within {READINESS_TIMEOUT:?}")),
            }
        };
        let sessions = async {
            let check = sessions?;
            match tokio::time::timeout(READINESS_TIMEOUT, check).await {
                Ok(Ok(())) => None,
                Ok(Err(error)) => Some(error),
                Err(_) => Some(format!("no answer within {READINESS_TIMEOUT:?}")),
            }
        };
        let (store, sessions) = tokio::join!(store, sessions);
        let store_name = if self.redis { "redis" } else { "event store" };
        let mut down: Vec<&str> = Vec::new();
        for (name, what, failure) in [
            (store_name, "webhook event store", store),
            ("redis", "session store", sessions),
        ] {
            if let Some(failure) = failure {
                tracing::warn!("not ready: the {what} ({name}) is down: {failure}");
                if !down.contains(&name) {
                    down.push(name);
                }
            }
        }
        if down.is_empty() {
            DemoResponse::json(200, json!({ "status": "ok" }))
        } else {
            DemoResponse::json(503, json!({ "status": "unavailable", "down": down }))
        }
    }

    /// `POST /api/auth/logout`, once the session is ended.
    pub fn logout(&self) -> DemoResponse {
        DemoResponse::json(200, json!({ "success": true }))
    }

    /// `GET /api/auth/me`.
    pub fn me(&self, user: Option<&VortexUser>) -> DemoResponse {
        user.map_or_else(DemoResponse::unauthorized, DemoResponse::user)
    }

    /// `GET /api/demo/events`: the received webhook events, newest first.
    pub fn events(&self, user: Option<&VortexUser>) -> DemoResponse {
        match user {
            Some(_) => DemoResponse::json(200, json!({ "events": self.events.list() })),
            None => DemoResponse::unauthorized(),
        }
    }

    /// `POST /api/demo/webhook-failures` with `{"next": n}` (admin only, 0 ≤ n ≤ 100): the
    /// next `n` webhook handler runs fail.
    pub fn arm_webhook_failures(&self, user: Option<&VortexUser>, body: &[u8]) -> DemoResponse {
        self.failures.arm(user, body)
    }

    /// The webhook handler: keeps a verified event (the answer of `POST /webhooks/vortex`),
    /// or fails as a handler whose database is down would, while simulated failures are
    /// armed.
    pub fn received(&self, event: &VortexEvent) -> DemoResponse {
        if self.failures.take() {
            tracing::warn!(
                kind = event.kind(),
                id = event.id(),
                "Vortex webhook handler failed (simulated)"
            );
            return DemoResponse::error(503, "Simulated handler failure");
        }
        tracing::info!(
            kind = event.kind(),
            id = event.id(),
            "Vortex webhook received"
        );
        self.events.record(event);
        DemoResponse::json(200, json!({ "received": true }))
    }
}

/// Where the demo claims webhook event ids: the Redis of `REDIS_URL`, or memory.
async fn event_claims(config: &DemoConfig) -> Result<EventClaims, String> {
    let Some(url) = &config.redis_url else {
        return Ok(EventClaims::in_memory());
    };
    let store = RedisEventStore::connect(url)
        .await
        .map_err(|e| format!("REDIS_URL: {e}"))?;
    Ok(EventClaims::new(store))
}

/// Simulated failures of the webhook handler, armed by `POST /api/demo/webhook-failures`.
/// Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct SimulatedFailures {
    left: Arc<AtomicU32>,
}

impl SimulatedFailures {
    /// `POST /api/demo/webhook-failures` with `{"next": n}` (admin only, 0 ≤ n ≤ 100): the
    /// next `n` webhook handler runs fail.
    pub fn arm(&self, user: Option<&VortexUser>, body: &[u8]) -> DemoResponse {
        let Some(user) = user else {
            return DemoResponse::unauthorized();
        };
        if !user.is_admin_of("autojoin") {
            return DemoResponse::error(403, "Only admins may simulate webhook failures");
        }
        let next = serde_json::from_slice::<Value>(body)
            .ok()
            .and_then(|body| body.get("next").and_then(Value::as_u64))
            .filter(|n| *n <= MAX_SIMULATED_FAILURES);
        let Some(next) = next.and_then(|n| u32::try_from(n).ok()) else {
            return DemoResponse::error(
                400,
                "Send a JSON object {\"next\": n} with n an integer from 0 to 100",
            );
        };
        self.left.store(next, Ordering::SeqCst);
        tracing::info!(next, "simulated webhook handler failures armed");
        DemoResponse::json(200, json!({ "next": next }))
    }

    /// Whether the current handler run is to fail (and uses up one armed failure).
    pub fn take(&self) -> bool {
        self.left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }
}

/// Prints the start-up banner.
pub fn print_banner(config: &DemoConfig, listening: std::net::SocketAddr, upstream: &str) {
    println!("listening on http://{listening}");
    println!("{upstream}");
    if config.webhook_secret_generated {
        println!("webhook secret (generated): {}", config.webhook_secret);
    }
    if config.session_secret.is_generated() {
        println!(
            "session secret: generated (set SESSION_SECRET, 64+ bytes hex, for sessions that outlive the process or span instances)"
        );
    }
    println!("sign in as admin@example.com / password123 or user@example.com / userpass");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_failures_are_for_admins_with_a_bounded_count() {
        let failures = SimulatedFailures::default();
        let admin = users::by_id("user-1");
        let user = users::by_id("user-2");
        assert_eq!(failures.arm(None, b"{\"next\":1}").status, 401);
        assert_eq!(failures.arm(user.as_ref(), b"{\"next\":1}").status, 403);
        for bad in [
            &b"{\"next\":101}"[..],
            b"{\"next\":-1}",
            b"{\"next\":1.5}",
            b"[]",
            b"x",
        ] {
            assert_eq!(failures.arm(admin.as_ref(), bad).status, 400);
        }
        assert!(!failures.take(), "nothing armed by the refused calls");
        let armed = failures.arm(admin.as_ref(), b"{\"next\":2}");
        assert_eq!((armed.status, armed.body), (200, json!({"next": 2})));
        assert!(failures.take());
        assert!(failures.take());
        assert!(!failures.take());
    }
}
