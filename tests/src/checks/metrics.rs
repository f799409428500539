//! The metrics of the routes, the client and the webhook extractor, counted by a
//! `metrics-util` `DebuggingRecorder` over a scripted sequence: successes, an unmatched path,
//! an anonymous call, an upstream 404, an upstream 503 retried, a retry the budget refuses,
//! and every webhook outcome; exact series (names, label sets, counts) and no personal label
//! value.
//!
//! The recorder is the process's global one: the apps run on their own threads and runtimes,
//! where a thread-local recorder would not reach. So these checks run in their own test
//! binary (`tests/metrics/main.rs`, instantiated by [`metrics_suite!`](crate::metrics_suite)),
//! one at a time (a lock), and each takes a snapshot before its script (which the
//! `DebuggingRecorder` empties: counters are reset and histograms drained) and compares the
//! one after.

use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::Duration;

use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use serde_json::json;
use vortex_client::retry::RetryBudget;
use vortex_client::webhook::sign_payload;
use vortex_client::webhook::store::{ClaimOutcome, ClaimToken, EventStore, StoreError};
use vortex_mock::Fault;
use vortex_routes::WebhookVerifier;

use super::webhooks::rfc3339;
use super::{Failures, request, send_checked};
use crate::app::{
    AppConfig, FRESH_WEBHOOK_PATH, Framework, SUITE_SECRET, WEBHOOK_PATH, WebhookAction,
};
use crate::env::{DEFAULT_CLIENT_TIMEOUT, Env, EnvOptions, admin, regular, suite_routes};
use crate::http::{HttpRequest, ReqBody};
use crate::table::invitation;

/// The metrics of the crates, and nothing else (the mock's own metrics, if any, are not
/// counted).
const NAMES: [&str; 6] = [
    "http.server.request.duration",
    "http.client.request.duration",
    "vortex.client.retries",
    "vortex.client.retry_budget.exhausted",
    "vortex.webhook.deliveries",
    "vortex.tokens.issued",
];

/// The seeded invitation.
const INV: &str = "inv-metrics-1";
/// An invitation the upstream does not have (404).
const UNKNOWN: &str = "inv-unknown-42";
/// A scope type and scope that must not reach a label.
const SCOPE_TYPE: &str = "team";
const SCOPE: &str = "acme-secret-scope";

/// One series: the metric name and its labels, sorted.
type Series = (String, Vec<(String, String)>);

/// The snapshotter of the global `DebuggingRecorder`, installed on first use; and the lock
/// that runs the checks one at a time.
fn snapshotter() -> &'static Snapshotter {
    static SNAPSHOTTER: OnceLock<Snapshotter> = OnceLock::new();
    SNAPSHOTTER.get_or_init(|| {
        let recorder = DebuggingRecorder::new();
        let snapshotter = recorder.snapshotter();
        recorder.install().expect(
            "the metrics checks install the global recorder: run them in their own test binary \
             (tests/metrics), not next to other tests",
        );
        snapshotter
    })
}

static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The series recorded since the last snapshot, with their counts (counter value, or number
/// of histogram samples).
fn take() -> BTreeMap<Series, u64> {
    let mut series = BTreeMap::new();
    for (key, _, _, value) in snapshotter().snapshot().into_vec() {
        let key = key.key();
        if !NAMES.contains(&key.name()) {
            continue;
        }
        let count = match value {
            DebugValue::Counter(n) => n,
            DebugValue::Histogram(samples) => samples.len() as u64,
            DebugValue::Gauge(_) => continue,
        };
        if count == 0 {
            continue;
        }
        let mut labels: Vec<(String, String)> = key
            .labels()
            .map(|l| (l.key().to_owned(), l.value().to_owned()))
            .collect();
        labels.sort();
        *series.entry((key.name().to_owned(), labels)).or_insert(0) += count;
    }
    series
}

/// Builds the expected series.
#[derive(Default)]
struct Expected(BTreeMap<Series, u64>);

impl Expected {
    fn add(&mut self, name: &str, labels: &[(&str, &str)], count: u64) {
        let mut labels: Vec<(String, String)> = labels
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        labels.sort();
        *self.0.entry((name.to_owned(), labels)).or_insert(0) += count;
    }

    /// A request the routes answered.
    fn server(
        &mut self,
        method: &str,
        route: &str,
        status: &str,
        operation: Option<&str>,
        error: Option<&str>,
        count: u64,
    ) {
        let mut labels = vec![
            ("http.request.method", method),
            ("http.route", route),
            ("http.response.status_code", status),
        ];
        labels.extend(operation.map(|op| ("vortex.operation", op)));
        labels.extend(error.map(|kind| ("error.type", kind)));
        self.add("http.server.request.duration", &labels, count);
    }

    /// An upstream attempt answered `status`.
    fn client(&mut self, method: &str, operation: &str, status: &str, count: u64) {
        let labels = [
            ("http.request.method", method),
            ("server.address", "127.0.0.1"),
            ("vortex.operation", operation),
            ("http.response.status_code", status),
        ];
        self.add("http.client.request.duration", &labels, count);
    }

    fn webhook(&mut self, outcome: &str, event_type: &str, count: u64) {
        let labels = [("outcome", outcome), ("event.type", event_type)];
        self.add("vortex.webhook.deliveries", &labels, count);
    }
}

/// An event store that is always down.
struct DownStore;

impl EventStore for DownStore {
    async fn claim(&self, _: &str, _: Duration) -> Result<ClaimOutcome, StoreError> {
        Err(StoreError::unavailable("connection refused"))
    }
    async fn complete(&self, _: &str, _: &ClaimToken, _: Duration) -> Result<bool, StoreError> {
        Err(StoreError::unavailable("connection refused"))
    }
    async fn release(&self, _: &str, _: &ClaimToken) -> Result<bool, StoreError> {
        Err(StoreError::unavailable("connection refused"))
    }
}

fn now_secs() -> i64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    i64::try_from(secs).unwrap_or(i64::MAX)
}

fn event(id: &str, event_type: &str, at: i64) -> Vec<u8> {
    json!({
        "id": id, "type": event_type, "timestamp": rfc3339(at),
        "data": {"id": INV, "email": "ada@example.com"}
    })
    .to_string()
    .into_bytes()
}

fn webhook(path: &str, body: &[u8], signature: &str) -> HttpRequest {
    HttpRequest::new("POST", path)
        .header("content-type", "application/json")
        .header("x-vortex-signature", signature)
        .body(ReqBody::Bytes(body.to_vec()))
}

fn signed(path: &str, body: &[u8]) -> HttpRequest {
    webhook(path, body, &sign_payload(SUITE_SECRET, body))
}

/// The scripted sequence on `F`, then the exact series.
///
/// # Panics
///
/// When a series is missing, extra or miscounted, a label carries a personal value, or an
/// answer is not what the script expects.
#[allow(clippy::too_many_lines)] // one script, read top to bottom
pub async fn metrics<F: Framework>() {
    let _serial = SERIAL.lock().await;
    let mut failures = Failures::default();
    let env = Env::<F>::start(EnvOptions {
        seeds: vec![invitation(INV)],
        ..EnvOptions::default()
    })
    .await;
    // A second app on the same mock: a retry budget that allows nothing, and an event store
    // that is down.
    let stingy = vortex_client::VortexClient::builder(&env.key)
        .base_url(env.mock.base_url())
        .retry_policy(
            vortex_client::retry::RetryPolicy::default()
                .max_retries(1)
                .initial_backoff(Duration::from_millis(10))
                .max_backoff(Duration::from_millis(20)),
        )
        .retry_budget(RetryBudget::default().min_retries(0).retry_ratio(0.0))
        .timeout(DEFAULT_CLIENT_TIMEOUT)
        .build()
        .expect("the client builds");
    let mut second = AppConfig::new(suite_routes(stingy, None));
    second.webhooks = WebhookVerifier::new(SUITE_SECRET)
        .expect("the suite secret is valid")
        .event_store(DownStore);
    let second_app = F::spawn(second);

    let _ = take(); // whatever came before
    let mut expect = Expected::default();
    let (admin, regular) = (admin(), regular());
    let app = env.app.addr();
    let f = &mut failures;
    let mount = |path: &str| format!("{}{path}", crate::app::MOUNT);

    // Successes: tokens and upstream reads.
    for _ in 0..2 {
        check::<F>(
            &env,
            app,
            f,
            "jwt",
            request("POST", &mount("/jwt"), Some(&regular)),
            200,
        )
        .await;
    }
    expect.server("POST", "/jwt", "200", Some("jwt"), None, 2);
    expect.add("vortex.tokens.issued", &[("kind", "jwt")], 2);
    check::<F>(
        &env,
        app,
        f,
        "token",
        request("POST", &mount("/token"), Some(&regular)),
        200,
    )
    .await;
    expect.server("POST", "/token", "200", Some("token"), None, 1);
    expect.add("vortex.tokens.issued", &[("kind", "token")], 1);
    let get_inv = mount(&format!("/invitations/{INV}"));
    check::<F>(
        &env,
        app,
        f,
        "get",
        request("GET", &get_inv, Some(&admin)),
        200,
    )
    .await;
    let scope = mount(&format!("/invitations/by-scope/{SCOPE_TYPE}/{SCOPE}"));
    check::<F>(
        &env,
        app,
        f,
        "by scope",
        request("GET", &scope, Some(&admin)),
        200,
    )
    .await;
    let by_scope = "/invitations/by-scope/{scopeType}/{scope}";
    let scope_op = Some("get_scope_invitations");
    expect.server("GET", by_scope, "200", scope_op, None, 1);
    expect.client("GET", "get_invitations_by_scope", "200", 1);

    // Refusals before any upstream call.
    check::<F>(
        &env,
        app,
        f,
        "anonymous",
        request("POST", &mount("/jwt"), None),
        401,
    )
    .await;
    let unauthorized = Some("unauthorized");
    expect.server("POST", "/jwt", "401", Some("jwt"), unauthorized, 1);
    let unknown_path = mount(&format!("/nope/{INV}"));
    check::<F>(
        &env,
        app,
        f,
        "unmatched",
        request("GET", &unknown_path, Some(&admin)),
        404,
    )
    .await;
    expect.server("GET", "unmatched", "404", None, Some("not_found"), 1);

    // An upstream 404.
    let get_unknown = mount(&format!("/invitations/{UNKNOWN}"));
    check::<F>(
        &env,
        app,
        f,
        "upstream 404",
        request("GET", &get_unknown, Some(&admin)),
        404,
    )
    .await;
    let inv_route = "/invitations/{invitationId}";
    let get_op = Some("get_invitation");
    expect.server(
        "GET",
        inv_route,
        "404",
        get_op,
        Some("upstream_rejected"),
        1,
    );
    expect.client("GET", "get_invitation", "404", 1);

    // An upstream 503, retried once (the suite client's policy), then answered 502.
    env.mock
        .inject_fault(Fault::new().status(503).count(2))
        .expect("the fault");
    check::<F>(
        &env,
        app,
        f,
        "upstream 503",
        request("GET", &get_inv, Some(&admin)),
        502,
    )
    .await;
    env.mock.clear_faults();
    let unavailable = Some("upstream_unavailable");
    expect.server("GET", inv_route, "502", get_op, unavailable, 1);
    expect.server("GET", inv_route, "200", get_op, None, 1);
    expect.client("GET", "get_invitation", "503", 2);
    expect.client("GET", "get_invitation", "200", 1);
    expect.add(
        "vortex.client.retries",
        &[("vortex.operation", "get_invitation")],
        1,
    );

    // Webhooks: handled, duplicate, an unknown type, a failed handler, in progress, and the
    // rejections.
    let now = now_secs();
    let first = event("evt-m-1", "invitation.accepted", now);
    check::<F>(&env, app, f, "webhook", signed(WEBHOOK_PATH, &first), 200).await;
    check::<F>(&env, app, f, "duplicate", signed(WEBHOOK_PATH, &first), 200).await;
    expect.webhook("duplicate", "invitation.accepted", 1);
    let custom = event("evt-m-2", "acme.private.thing", now);
    check::<F>(
        &env,
        app,
        f,
        "unknown type",
        signed(WEBHOOK_PATH, &custom),
        200,
    )
    .await;
    expect.webhook("handled", "other", 1);
    env.config.webhook_log.script([WebhookAction::Fail]);
    let failing = event("evt-m-3", "invitation.created", now);
    check::<F>(
        &env,
        app,
        f,
        "handler failed",
        signed(WEBHOOK_PATH, &failing),
        503,
    )
    .await;
    expect.webhook("handler_failed", "invitation.created", 1);
    env.config
        .webhook_log
        .script([WebhookAction::SucceedAfter(Duration::from_millis(800))]);
    let slow = event("evt-m-4", "invitation.accepted", now);
    let first_delivery = {
        let (http, addr, request) = (
            env.http.clone(),
            env.app.addr(),
            signed(WEBHOOK_PATH, &slow),
        );
        tokio::spawn(async move { http.send(addr, &request).await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    check::<F>(
        &env,
        app,
        f,
        "in progress",
        signed(WEBHOOK_PATH, &slow),
        409,
    )
    .await;
    match first_delivery.await {
        Ok(Ok(answer)) if answer.status == 200 => {}
        other => f.add::<F>("in progress", format!("the first delivery: {other:?}")),
    }
    expect.webhook("in_progress", "invitation.accepted", 1);
    expect.webhook("handled", "invitation.accepted", 2);
    let bad = webhook(WEBHOOK_PATH, &first, &"0".repeat(64));
    check::<F>(&env, app, f, "bad signature", bad, 401).await;
    expect.webhook("rejected_signature", "other", 1);
    let old = event("evt-m-5", "invitation.accepted", now - 3600);
    check::<F>(&env, app, f, "stale", signed(FRESH_WEBHOOK_PATH, &old), 400).await;
    expect.webhook("rejected_stale", "other", 1);
    check::<F>(
        &env,
        app,
        f,
        "not an object",
        signed(WEBHOOK_PATH, b"[1]"),
        400,
    )
    .await;
    expect.webhook("rejected_body", "other", 1);

    // The second app: a retry the budget refuses, and a store that is down.
    let second = second_app.addr();
    env.mock
        .inject_fault(Fault::new().status(503).count(1))
        .expect("the fault");
    let get = request("GET", &get_inv, Some(&admin));
    check::<F>(&env, second, f, "budget exhausted", get, 502).await;
    env.mock.clear_faults();
    expect.server("GET", inv_route, "502", get_op, unavailable, 1);
    expect.client("GET", "get_invitation", "503", 1);
    expect.add(
        "vortex.client.retry_budget.exhausted",
        &[("vortex.operation", "get_invitation")],
        1,
    );
    let down = event("evt-m-6", "invitation.accepted", now);
    let delivery = signed(WEBHOOK_PATH, &down);
    check::<F>(&env, second, f, "store unavailable", delivery, 503).await;
    expect.webhook("store_unavailable", "invitation.accepted", 1);

    let actual = take();
    compare::<F>(f, &expect.0, &actual);
    failures.finish("metrics");
}

/// Sends `request` to the app at `addr`, with the generic checks, and expects `status`.
async fn check<F: Framework>(
    env: &Env<F>,
    addr: std::net::SocketAddr,
    failures: &mut Failures,
    case: &str,
    request: HttpRequest,
    status: u16,
) {
    let answer = send_checked::<F>(&env.http, addr, env.secrets(), failures, case, &request).await;
    if let Some(answer) = answer {
        failures.ensure::<F>(answer.status == status, case, || {
            format!("expected {status}, got {} {}", answer.status, answer.text())
        });
    }
}

/// Exact series, and no personal value in any label.
fn compare<F: Framework>(
    failures: &mut Failures,
    expected: &BTreeMap<Series, u64>,
    actual: &BTreeMap<Series, u64>,
) {
    let show = |(name, labels): &Series| {
        let labels: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!("{name}{{{}}}", labels.join(","))
    };
    for (series, count) in expected {
        let got = actual.get(series).copied().unwrap_or(0);
        failures.ensure::<F>(got == *count, "series", || {
            format!("{}: expected {count}, got {got}", show(series))
        });
    }
    for (series, count) in actual {
        failures.ensure::<F>(expected.contains_key(series), "series", || {
            format!("unexpected {} = {count}", show(series))
        });
    }
    let admin = admin();
    let regular = regular();
    let personal = [
        admin.id.to_string(),
        regular.id.to_string(),
        "example.com".to_owned(),
        INV.to_owned(),
        UNKNOWN.to_owned(),
        SCOPE.to_owned(),
        "evt-m-".to_owned(),
    ];
    for series in actual.keys() {
        for (key, value) in &series.1 {
            for needle in &personal {
                failures.ensure::<F>(!value.contains(needle), "labels", || {
                    format!("{}: label {key} carries {needle:?}", show(series))
                });
            }
        }
    }
}
