//! The test app: the contract every framework harness implements, identically.
//!
//! # The app
//!
//! A harness (one file per framework under `src/frameworks/`) turns an [`AppConfig`] into a
//! real HTTP server on `127.0.0.1:0`, on its own thread with its own runtime, and returns a
//! [`RunningApp`] (base URL; the server stops when it is dropped). The app has exactly these
//! routes, built with the framework crate's own router, extractors and guards:
//!
//! | route | what it is | answer |
//! |---|---|---|
//! | `/api/vortex/…` ([`MOUNT`]) | the framework crate's Vortex router over [`AppConfig::routes`] | whatever the router answers |
//! | `POST /webhooks/vortex` ([`WEBHOOK_PATH`]) | the crate's verified-webhook extractor with [`AppConfig::webhooks`] | 200 [`WebhookLog::record`]'s body |
//! | `POST /webhooks/fresh` ([`FRESH_WEBHOOK_PATH`]) | same, with [`AppConfig::fresh_webhooks`] | same |
//! | `GET /me` ([`ME_PATH`]) | the crate's current-user extractor/guard | 200 [`me_body`], or the crate's own 401 JSON |
//!
//! Authentication: the app's user type reads the request header [`USER_HEADER`]
//! (`x-test-user`) with [`user_from_header`]; `None` (header absent, not UTF-8 or not the
//! JSON of a [`VortexUser`]) means anonymous, and the user extractor/guard *rejects* (it does
//! not produce a default user), so the framework crate answers 401 itself. The extractor
//! runs [`look_up_user`] with that header and [`STALL_HEADER`]: with the latter it never
//! answers (a session store that hangs), so that a check can see the framework crate bound
//! the wait ([`VortexRoutes::user_timeout`]).
//!
//! Everything else (the client, its upstream URL, retry policy and timeout, the
//! [`SuitePolicy`], the body limit and the `/jwt` attributes hook) is already inside
//! [`AppConfig::routes`]: harnesses pass it to the framework crate unchanged.
//!
//! The verified-webhook handlers call [`WebhookLog::handle`] with the verified event and
//! answer its status and JSON body with `Content-Type: application/json` (200 and
//! [`WebhookLog::record`]'s body unless a check scripted a failure, a panic or a slow run
//! with [`WebhookLog::script`]). The webhook routes have the framework crate's
//! `WebhookClaims` layer, middleware or fairing. Rejections (and duplicates, which never
//! reach the handler) are the framework crate's own answers.

use std::collections::{BTreeMap, VecDeque};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Map, Value, json};
use vortex_client::webhook::VortexEvent;
use vortex_routes::{
    Authorize, Decision, Operation, OperationKind, VortexRoutes, VortexUser, WebhookVerifier,
};

/// Where the Vortex router is mounted.
pub const MOUNT: &str = "/api/vortex";
/// The verified-webhook route with event claims (in memory unless a check sets a store).
pub const WEBHOOK_PATH: &str = "/webhooks/vortex";
/// The verified-webhook route with a 300 s freshness window.
pub const FRESH_WEBHOOK_PATH: &str = "/webhooks/fresh";
/// The current-user route.
pub const ME_PATH: &str = "/me";
/// The request header that carries the signed-in user, as the JSON of a [`VortexUser`].
pub const USER_HEADER: &str = "x-test-user";
/// The webhook signing secret of the test app.
pub const SUITE_SECRET: &str = "whsec_suite_0123456789abcdef";
/// The freshness window of [`FRESH_WEBHOOK_PATH`].
pub const FRESH_MAX_AGE: Duration = Duration::from_secs(300);
/// The 403 message of [`SuitePolicy`] for regular users.
pub const REGULAR_DENIED: &str = "Forbidden for regular users";
/// The invitation id that [`SuitePolicy`] refuses to revoke with no message (`Forbidden`).
pub const DENY_DEFAULT_ID: &str = "deny-default";
/// The invitation id whose `GET` makes [`SuitePolicy`] panic (the router must answer 500
/// `Internal error`).
pub const PANIC_ID: &str = "panic-in-policy";

/// The signed-in user of a request, from the value of [`USER_HEADER`]: the JSON of a
/// [`VortexUser`] (camelCase). `None` (anonymous) when absent, not UTF-8 or not valid.
pub fn user_from_header(value: Option<&[u8]>) -> Option<VortexUser> {
    serde_json::from_slice(value?).ok()
}

/// The request header that makes the test app's user extractor stall: the lookup never
/// answers, as with a session store that hangs. Its value names the probe that counts the
/// stalled lookups ([`stall_count`]).
pub const STALL_HEADER: &str = "x-test-stall";

/// The test app's user lookup, which every harness's extractor or guard runs: the user of
/// [`USER_HEADER`] ([`user_from_header`]), except that with [`STALL_HEADER`] it never answers
/// ([`stall`] under the header's value). The headers are read at once; the future owns
/// everything (actix-web's extractor futures are `'static`).
pub fn look_up_user(
    user: Option<&[u8]>,
    stall_probe: Option<&[u8]>,
) -> impl Future<Output = Option<VortexUser>> + Send + 'static {
    let user = user_from_header(user);
    let stalled = stall_probe.map(|probe| stall(String::from_utf8_lossy(probe).into_owned()));
    async move {
        if let Some(stalled) = stalled {
            stalled.await;
        }
        user
    }
}

/// How many stalls of one probe started (were first polled) and were dropped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StallCount {
    /// Stalls polled at least once.
    pub started: usize,
    /// Stalls dropped after they started (the framework gave up on them).
    pub dropped: usize,
}

/// The stall counts of every probe, process-wide (the apps run on their own threads).
static STALLS: Mutex<BTreeMap<String, StallCount>> = Mutex::new(BTreeMap::new());

fn update_stalls(probe: &str, update: impl FnOnce(&mut StallCount)) {
    let mut stalls = STALLS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    update(stalls.entry(probe.to_owned()).or_default());
}

/// The stall counts of `probe` so far.
pub fn stall_count(probe: &str) -> StallCount {
    STALLS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get(probe)
        .copied()
        .unwrap_or_default()
}

/// Counts a stall as dropped when the future that holds it is dropped.
struct Stalled(String);

impl Drop for Stalled {
    fn drop(&mut self) {
        update_stalls(&self.0, |count| count.dropped += 1);
    }
}

/// A future that never finishes: counted under `probe` as started when first polled and as
/// dropped when dropped (see [`stall_count`]). Probes should be unique per check and framework.
pub async fn stall(probe: String) {
    update_stalls(&probe, |count| count.started += 1);
    let _stalled = Stalled(probe);
    std::future::pending::<()>().await;
}

/// The body of `GET /me` for `user`: `{"id": …}`.
pub fn me_body(user: &VortexUser) -> String {
    json!({ "id": user.id }).to_string()
}

/// The policy of the test app, framework-neutral.
///
/// Admins (admin scope `autojoin`) may do everything. Other users may get a JWT or a token,
/// get one invitation, accept invitations, and list invitations by target only for
/// `targetType=email` with their own e-mail; revoking [`DENY_DEFAULT_ID`] is refused with no
/// message (`Forbidden`); everything else with [`REGULAR_DENIED`]. Getting [`PANIC_ID`]
/// panics, for everyone.
#[derive(Clone, Copy, Debug, Default)]
pub struct SuitePolicy;

impl Authorize for SuitePolicy {
    async fn authorize(&self, operation: &Operation, user: &VortexUser) -> Decision {
        if let Operation::GetInvitation { invitation_id } = operation {
            assert!(invitation_id != PANIC_ID, "SuitePolicy panics on purpose");
        }
        if user.is_admin_of("autojoin") {
            return Decision::Allow;
        }
        match operation {
            Operation::GetInvitations {
                target_type,
                target_value,
            } if target_type == "email" && user.email.as_deref() == Some(target_value) => {
                Decision::Allow
            }
            Operation::RevokeInvitation { invitation_id } if invitation_id == DENY_DEFAULT_ID => {
                Decision::Deny(None)
            }
            _ => match operation.kind() {
                OperationKind::Jwt
                | OperationKind::Token
                | OperationKind::GetInvitation
                | OperationKind::AcceptInvitations => Decision::Allow,
                _ => Decision::deny_with(REGULAR_DENIED),
            },
        }
    }
}

/// What a verified-webhook handler run does, as scripted by a check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebhookAction {
    /// Record the event and answer 200 (the default).
    Succeed,
    /// Answer 503 `{"error":"Simulated handler failure"}` without recording.
    Fail,
    /// Panic inside the handler.
    Panic,
    /// Wait, then record and answer 200.
    SucceedAfter(Duration),
}

/// What the verified-webhook handlers saw: how many times they ran and the events. Clones
/// share everything (two app instances given clones of one log share its script).
#[derive(Clone, Debug, Default)]
pub struct WebhookLog {
    runs: Arc<AtomicUsize>,
    attempts: Arc<AtomicUsize>,
    events: Arc<Mutex<Vec<Value>>>,
    script: Arc<Mutex<VecDeque<WebhookAction>>>,
}

impl WebhookLog {
    /// Makes the next handler runs (of any instance sharing this log) do `actions`, in
    /// order; runs after them succeed.
    pub fn script(&self, actions: impl IntoIterator<Item = WebhookAction>) {
        self.script
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend(actions);
    }

    /// One handler run for `event`: what the script says (default: [`record`](Self::record)),
    /// as the status and JSON body to answer.
    ///
    /// # Panics
    ///
    /// When the script says [`WebhookAction::Panic`].
    pub async fn handle(&self, event: &VortexEvent) -> (u16, String) {
        self.attempts.fetch_add(1, Ordering::SeqCst);
        let action = self
            .script
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop_front()
            .unwrap_or(WebhookAction::Succeed);
        match action {
            WebhookAction::Succeed => (200, self.record(event)),
            WebhookAction::Fail => (
                503,
                json!({"error": "Simulated handler failure"}).to_string(),
            ),
            WebhookAction::Panic => panic!("the webhook handler panics on purpose (scripted)"),
            WebhookAction::SucceedAfter(wait) => {
                tokio::time::sleep(wait).await;
                (200, self.record(event))
            }
        }
    }

    /// How many times a handler started (successful or not).
    pub fn attempts(&self) -> usize {
        self.attempts.load(Ordering::SeqCst)
    }

    /// Records one handler run for `event` and returns the JSON body to answer with 200:
    /// `{"received":true,"id":<event id or null>,"kind":<event.kind()>}`.
    pub fn record(&self, event: &VortexEvent) -> String {
        self.runs.fetch_add(1, Ordering::SeqCst);
        self.events
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(Value::Object(event.raw().clone()));
        json!({ "received": true, "id": event.id(), "kind": event.kind() }).to_string()
    }

    /// How many handler runs succeeded (recorded their event).
    pub fn runs(&self) -> usize {
        self.runs.load(Ordering::SeqCst)
    }

    /// The events the handlers received, in order.
    pub fn events(&self) -> Vec<Value> {
        self.events
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

/// Everything a harness needs to build the test app.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct AppConfig {
    /// The Vortex routes (client, policy, body limit, `/jwt` hook), to mount at [`MOUNT`].
    pub routes: VortexRoutes,
    /// The verifier of [`WEBHOOK_PATH`]: [`SUITE_SECRET`], event claims in memory.
    pub webhooks: WebhookVerifier,
    /// The verifier of [`FRESH_WEBHOOK_PATH`]: [`SUITE_SECRET`], [`FRESH_MAX_AGE`].
    pub fresh_webhooks: WebhookVerifier,
    /// Shared by both webhook handlers.
    pub webhook_log: WebhookLog,
}

impl AppConfig {
    /// The standard app over `routes`.
    ///
    /// # Panics
    ///
    /// Never in practice: [`SUITE_SECRET`] is not empty.
    pub fn new(routes: VortexRoutes) -> Self {
        let verifier = || WebhookVerifier::new(SUITE_SECRET).expect("the suite secret is valid");
        Self {
            routes,
            webhooks: verifier().claims_in_memory(),
            fresh_webhooks: verifier().max_age(FRESH_MAX_AGE),
            webhook_log: WebhookLog::default(),
        }
    }
}

/// The attributes hook of the test app's `/jwt`: a `context` with a `componentId` gives the
/// attribute `{"componentId": …}`; anything else gives none.
#[allow(clippy::needless_pass_by_value)] // the signature `VortexRoutes::jwt_attributes` takes
pub fn jwt_attributes_hook(
    _user: VortexUser,
    context: Map<String, Value>,
) -> std::future::Ready<Option<Map<String, Value>>> {
    let attributes = context.get("componentId").map(|component| {
        let mut attributes = Map::new();
        attributes.insert("componentId".into(), component.clone());
        attributes
    });
    std::future::ready(attributes)
}

/// A web framework the suite runs against.
pub trait Framework: 'static {
    /// The name in failure messages (`axum`, `actix-web`, `rocket`).
    const NAME: &'static str;

    /// Starts the test app described in this module as a real HTTP server on
    /// `127.0.0.1:0`, on its own thread and runtime, and returns once it accepts
    /// connections.
    fn spawn(config: AppConfig) -> RunningApp;
}

/// A running test app; the server stops when this is dropped.
pub struct RunningApp {
    addr: SocketAddr,
    base_url: String,
    stop: Mutex<Option<Box<dyn FnOnce() + Send>>>,
}

impl RunningApp {
    /// An app listening on `addr`; `stop` shuts it down (and should wait for its thread).
    pub fn new(addr: SocketAddr, stop: impl FnOnce() + Send + 'static) -> Self {
        Self {
            addr,
            base_url: format!("http://{addr}"),
            stop: Mutex::new(Some(Box::new(stop))),
        }
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The address the app listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl std::fmt::Debug for RunningApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningApp")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Drop for RunningApp {
    fn drop(&mut self) {
        let stop = self
            .stop
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(stop) = stop {
            stop();
        }
    }
}
