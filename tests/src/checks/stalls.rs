//! Stalls: what a request waits on in the app never holds it for good, on every framework.
//!
//! - The app's user extractor or guard that never answers (a session store that hangs; the
//!   test app's extractor with [`STALL_HEADER`]): the Vortex routes answer 503 JSON with
//!   `Retry-After` once the [user timeout](vortex_routes::VortexRoutes::user_timeout) has
//!   passed, not before, and drop the stalled lookup.
//! - The webhook event store whose claim never answers: the verified-webhook route answers
//!   503 JSON with `Retry-After` once the
//!   [store timeout](vortex_routes::WebhookVerifier::store_timeout) has passed, without
//!   running the handler, and drops the stalled claim.
//!
//! Either way the app keeps answering other requests, while the stalls wait and after.

use std::future::Future;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use vortex_client::webhook::sign_payload;
use vortex_client::webhook::store::{
    ClaimOutcome, ClaimToken, EventStore, InMemoryEventStore, StoreError,
};
use vortex_mock::generate_api_key;
use vortex_routes::WebhookVerifier;

use super::webhooks::rfc3339;
use super::{Failures, request, send_checked};
use crate::app::{
    AppConfig, Framework, MOUNT, RunningApp, STALL_HEADER, SUITE_SECRET, StallCount, WEBHOOK_PATH,
    WebhookLog, stall, stall_count,
};
use crate::env::{closed_port_url, regular, secrets_of, suite_client, suite_routes};
use crate::http::{HttpAnswer, HttpClient, HttpRequest, ReqBody};

/// The user timeout of the app under test.
pub const USER_TIMEOUT: Duration = Duration::from_millis(250);
/// The event store timeout of the app under test.
pub const STORE_TIMEOUT: Duration = Duration::from_millis(250);
/// A stalled request must be answered within this (measured from when it was sent): well
/// past the timeouts, well before anything else would end it (the client gives up at 10 s).
pub const ANSWER_WITHIN: Duration = Duration::from_secs(3);
/// How many stalled requests wait at once.
const STALLED_AT_ONCE: usize = 3;
/// How long to wait for the app to start the stalls, or to drop them.
const SETTLE: Duration = Duration::from_secs(2);
/// The error the Vortex routes answer for a stalled dependency.
const UNAVAILABLE: &str = "Service unavailable; retry later";
/// The error the verified-webhook routes answer when the event store does not answer.
const STORE_UNAVAILABLE: &str = "Webhook event store unavailable; retry later";
/// Event ids with this prefix make [`StallingStore`]'s claim stall.
const STALLING_EVENT: &str = "evt-stall-";

/// The in-memory event store, except that claims of ids starting with [`STALLING_EVENT`]
/// never answer (counted under `probe`).
struct StallingStore {
    inner: InMemoryEventStore,
    probe: String,
}

impl EventStore for StallingStore {
    fn claim(
        &self,
        id: &str,
        lease: Duration,
    ) -> impl Future<Output = Result<ClaimOutcome, StoreError>> + Send {
        let stalled = id
            .starts_with(STALLING_EVENT)
            .then(|| stall(self.probe.clone()));
        async move {
            if let Some(stalled) = stalled {
                stalled.await;
            }
            self.inner.claim(id, lease).await
        }
    }

    fn complete(
        &self,
        id: &str,
        token: &ClaimToken,
        ttl: Duration,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        self.inner.complete(id, token, ttl)
    }

    fn release(
        &self,
        id: &str,
        token: &ClaimToken,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        self.inner.release(id, token)
    }
}

/// The app under test: [`USER_TIMEOUT`] on the Vortex routes, and a [`StallingStore`] with
/// [`STORE_TIMEOUT`] behind [`WEBHOOK_PATH`]. Its client points at a closed port: the
/// requests here (`/jwt`, signed locally, and webhooks) never call Vortex.
struct StallApp {
    app: RunningApp,
    log: WebhookLog,
    http: HttpClient,
    secrets: Vec<String>,
    probe: String,
}

impl StallApp {
    fn start<F: Framework>(check: &str) -> Self {
        let key = generate_api_key();
        let client = suite_client(&key, &closed_port_url(), Duration::from_secs(1));
        let mut config = AppConfig::new(suite_routes(client, None).user_timeout(USER_TIMEOUT));
        // Unique per framework and check: the stall counts are process-wide.
        let probe = format!("{}/{check}", F::NAME);
        config.webhooks = WebhookVerifier::new(SUITE_SECRET)
            .expect("the suite secret is valid")
            .event_store(StallingStore {
                inner: InMemoryEventStore::default(),
                probe: probe.clone(),
            })
            .store_timeout(STORE_TIMEOUT);
        Self {
            log: config.webhook_log.clone(),
            app: F::spawn(config),
            http: HttpClient::new(),
            secrets: secrets_of(&key),
            probe,
        }
    }

    fn addr(&self) -> SocketAddr {
        self.app.addr()
    }

    /// Sends `request` with the generic checks; `None` (a failure) without an answer.
    async fn send<F: Framework>(
        &self,
        failures: &mut Failures,
        case: &str,
        request: &HttpRequest,
    ) -> Option<HttpAnswer> {
        send_checked::<F>(
            &self.http,
            self.addr(),
            &self.secrets,
            failures,
            case,
            request,
        )
        .await
    }

    /// Sends `requests` at once, each on its own task, bounded by [`ANSWER_WITHIN`]: each
    /// answer (or why there is none) with how long it took.
    fn send_stalled(
        &self,
        requests: Vec<HttpRequest>,
    ) -> tokio::task::JoinSet<(Result<HttpAnswer, String>, Duration)> {
        let mut tasks = tokio::task::JoinSet::new();
        for request in requests {
            let (http, addr) = (self.http.clone(), self.addr());
            tasks.spawn(async move {
                let sent = Instant::now();
                let answer = tokio::time::timeout(ANSWER_WITHIN, http.send(addr, &request)).await;
                let answer = answer.unwrap_or_else(|_| {
                    Err(format!("no answer within {} ms", ANSWER_WITHIN.as_millis()))
                });
                (answer, sent.elapsed())
            });
        }
        tasks
    }

    /// Waits (at most [`SETTLE`]) until `done` holds for the stall count; the last count.
    async fn wait_for(&self, done: impl Fn(StallCount) -> bool) -> StallCount {
        let until = Instant::now() + SETTLE;
        loop {
            let count = stall_count(&self.probe);
            if done(count) || Instant::now() > until {
                return count;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

/// A `POST /jwt` by the regular user (200 unless the user lookup stalls).
fn jwt(stall_probe: Option<&str>) -> HttpRequest {
    let request = request("POST", &format!("{MOUNT}/jwt"), Some(&regular()));
    match stall_probe {
        Some(probe) => request.header(STALL_HEADER, probe),
        None => request,
    }
}

/// A signed delivery of event `id` to [`WEBHOOK_PATH`].
fn delivery(id: &str) -> HttpRequest {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let body = json!({
        "id": id, "type": "invitation.accepted",
        "timestamp": rfc3339(i64::try_from(now).unwrap_or(i64::MAX)),
        "accountId": "acc-1", "environmentId": null, "sourceTable": "invitations",
        "operation": "update", "data": {"id": "inv-1"}
    })
    .to_string()
    .into_bytes();
    HttpRequest::new("POST", WEBHOOK_PATH)
        .header("content-type", "application/json")
        .header("x-vortex-signature", sign_payload(SUITE_SECRET, &body))
        .body(ReqBody::Bytes(body))
}

/// Checks a stalled request's answer: 503 `{"error": error}` with a `Retry-After` of whole
/// seconds, no sooner than `timeout` and within [`ANSWER_WITHIN`].
fn check_stalled_answer<F: Framework>(
    failures: &mut Failures,
    case: &str,
    (answer, took): (Result<HttpAnswer, String>, Duration),
    timeout: Duration,
    error: &str,
    secrets: &[String],
) {
    let answer = match answer {
        Ok(answer) => answer,
        Err(why) => {
            failures.add::<F>(case, format!("{why} (after {} ms)", took.as_millis()));
            return;
        }
    };
    for failure in crate::env::generic_failures(&answer, secrets) {
        failures.add::<F>(case, failure);
    }
    let body = answer.json().unwrap_or(Value::Null);
    failures.ensure::<F>(
        answer.status == 503 && body == json!({ "error": error }),
        case,
        || {
            format!(
                "expected 503 {{\"error\":{error:?}}}, got {} {body}",
                answer.status
            )
        },
    );
    let retry_after = answer.header("retry-after");
    failures.ensure::<F>(
        retry_after
            .and_then(|s| s.parse::<u64>().ok())
            .is_some_and(|s| s > 0),
        case,
        || format!("expected a Retry-After of whole seconds, got {retry_after:?}"),
    );
    failures.ensure::<F>(took >= timeout && took < ANSWER_WITHIN, case, || {
        format!(
            "answered after {} ms: expected between the timeout ({} ms) and {} ms",
            took.as_millis(),
            timeout.as_millis(),
            ANSWER_WITHIN.as_millis()
        )
    });
    eprintln!(
        "[{}] {case}: {} after {} ms (timeout {} ms)",
        F::NAME,
        answer.status,
        took.as_millis(),
        timeout.as_millis()
    );
}

/// Checks that the app started `expected` stalls and dropped every one once it answered.
async fn check_dropped<F: Framework>(
    failures: &mut Failures,
    case: &str,
    app: &StallApp,
    expected: usize,
) {
    let count = app.wait_for(|count| count.dropped >= expected).await;
    let all = StallCount {
        started: expected,
        dropped: expected,
    };
    failures.ensure::<F>(count == all, case, || {
        format!("expected every stalled future dropped once answered ({all:?}), got {count:?}")
    });
}

/// The app's user extractor never answers: the Vortex routes answer 503 JSON with
/// `Retry-After` after [`USER_TIMEOUT`] and drop the lookup; other requests are answered
/// meanwhile and afterwards.
///
/// # Panics
///
/// On any failure, naming the framework and the case.
pub async fn stalled_user<F: Framework>() {
    let app = StallApp::start::<F>("user");
    let mut failures = Failures::default();
    let stalled = app.send_stalled(
        (0..STALLED_AT_ONCE)
            .map(|_| jwt(Some(&app.probe)))
            .collect(),
    );

    let case = "user stalls: the lookups started";
    let count = app.wait_for(|count| count.started >= STALLED_AT_ONCE).await;
    failures.ensure::<F>(count.started == STALLED_AT_ONCE, case, || {
        format!("expected {STALLED_AT_ONCE} stalled user lookups, got {count:?}")
    });

    let case = "user stalls: another request is answered meanwhile";
    if let Some(answer) = app.send::<F>(&mut failures, case, &jwt(None)).await {
        failures.ensure::<F>(answer.status == 200, case, || {
            format!("expected 200, got {} {}", answer.status, answer.text())
        });
    }

    let case = "user stalls: 503 after the user timeout";
    for answer in stalled.join_all().await {
        check_stalled_answer::<F>(
            &mut failures,
            case,
            answer,
            USER_TIMEOUT,
            UNAVAILABLE,
            &app.secrets,
        );
    }
    check_dropped::<F>(
        &mut failures,
        "user stalls: the lookups were dropped",
        &app,
        STALLED_AT_ONCE,
    )
    .await;

    let case = "user stalls: the app answers afterwards";
    if let Some(answer) = app.send::<F>(&mut failures, case, &jwt(None)).await {
        failures.ensure::<F>(answer.status == 200, case, || {
            format!("expected 200, got {} {}", answer.status, answer.text())
        });
    }
    failures.finish("stalled_user");
}

/// The webhook event store's claim never answers: the verified-webhook route answers 503
/// JSON with `Retry-After` after [`STORE_TIMEOUT`], without the handler, and drops the
/// claim; other deliveries are handled meanwhile and afterwards.
///
/// # Panics
///
/// On any failure, naming the framework and the case.
pub async fn stalled_event_store<F: Framework>() {
    let app = StallApp::start::<F>("event store");
    let mut failures = Failures::default();
    let stalled = app.send_stalled(
        (0..STALLED_AT_ONCE)
            .map(|i| delivery(&format!("{STALLING_EVENT}{i}")))
            .collect(),
    );

    let case = "store stalls: the claims started";
    let count = app.wait_for(|count| count.started >= STALLED_AT_ONCE).await;
    failures.ensure::<F>(count.started == STALLED_AT_ONCE, case, || {
        format!("expected {STALLED_AT_ONCE} stalled claims, got {count:?}")
    });

    let handled = |id: &str| json!({"received": true, "id": id, "kind": "webhook"});
    let case = "store stalls: another delivery is handled meanwhile";
    if let Some(answer) = app.send::<F>(&mut failures, case, &delivery("evt-1")).await {
        let body = answer.json().unwrap_or(Value::Null);
        failures.ensure::<F>(
            answer.status == 200 && body == handled("evt-1"),
            case,
            || {
                format!(
                    "expected 200 {}, got {} {body}",
                    handled("evt-1"),
                    answer.status
                )
            },
        );
    }

    let case = "store stalls: 503 after the store timeout";
    for answer in stalled.join_all().await {
        check_stalled_answer::<F>(
            &mut failures,
            case,
            answer,
            STORE_TIMEOUT,
            STORE_UNAVAILABLE,
            &app.secrets,
        );
    }
    check_dropped::<F>(
        &mut failures,
        "store stalls: the claims were dropped",
        &app,
        STALLED_AT_ONCE,
    )
    .await;

    let case = "store stalls: the app answers afterwards";
    if let Some(answer) = app.send::<F>(&mut failures, case, &delivery("evt-2")).await {
        let body = answer.json().unwrap_or(Value::Null);
        failures.ensure::<F>(
            answer.status == 200 && body == handled("evt-2"),
            case,
            || {
                format!(
                    "expected 200 {}, got {} {body}",
                    handled("evt-2"),
                    answer.status
                )
            },
        );
    }
    let case = "store stalls: the handler ran only for the answered deliveries";
    let attempts = app.log.attempts();
    failures.ensure::<F>(attempts == 2, case, || {
        format!("expected 2 handler runs (evt-1, evt-2), got {attempts}")
    });
    failures.finish("stalled_event_store");
}
