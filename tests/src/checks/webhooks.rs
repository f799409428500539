//! The verified-webhook extractor: signature header, signature, body limit, JSON object,
//! replays and the freshness window.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use vortex_client::webhook::sign_payload;

use super::{Failures, send};
use crate::app::{FRESH_WEBHOOK_PATH, Framework, SUITE_SECRET, WEBHOOK_PATH};
use crate::env::{Env, EnvOptions};
use crate::http::{HttpRequest, ReqBody};

/// The webhook body limit (1 MiB).
const LIMIT: usize = 1024 * 1024;

/// `secs` since the epoch as RFC 3339 UTC (`2026-02-25T12:00:00Z`).
pub fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rest = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

fn now_secs() -> i64 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    i64::try_from(secs).unwrap_or(i64::MAX)
}

/// A signed webhook request to `path`: `signatures` are sent as separate headers.
fn webhook(path: &str, body: &[u8], signatures: &[String]) -> HttpRequest {
    let mut request = HttpRequest::new("POST", path).header("content-type", "application/json");
    for signature in signatures {
        request = request.header("x-vortex-signature", signature.clone());
    }
    request.body(ReqBody::Bytes(body.to_vec()))
}

fn signed(path: &str, body: &[u8]) -> HttpRequest {
    webhook(path, body, &[sign_payload(SUITE_SECRET, body)])
}

fn event(id: &str) -> Vec<u8> {
    json!({
        "id": id, "type": "invitation.accepted", "timestamp": rfc3339(now_secs()),
        "accountId": "acc-1", "environmentId": null, "sourceTable": "invitations",
        "operation": "update", "data": {"id": "inv-1"}
    })
    .to_string()
    .into_bytes()
}

/// A webhook event of exactly `size` bytes.
fn sized_event(id: &str, size: usize) -> Vec<u8> {
    let head = format!(r#"{{"id":"{id}","type":"invitation.created","pad":""#);
    let mut body = head.into_bytes();
    body.resize(size - 2, b'a');
    body.extend_from_slice(b"\"}");
    body
}

/// What one webhook request must produce.
struct Expect {
    status: u16,
    body: Option<Value>,
    /// How many handler runs the request adds.
    runs: usize,
}

fn ok(id: Option<&str>, kind: &str) -> Expect {
    Expect {
        status: 200,
        body: Some(json!({"received": true, "id": id, "kind": kind})),
        runs: 1,
    }
}

fn rejected(status: u16, error: Option<&str>) -> Expect {
    Expect {
        status,
        body: error.map(|e| json!({ "error": e })),
        runs: 0,
    }
}

#[allow(clippy::too_many_lines)]
fn cases() -> Vec<(&'static str, HttpRequest, Expect)> {
    let now = now_secs();
    let fresh = |id: &str, at: Option<i64>| {
        let mut body = json!({"id": id, "type": "invitation.created"});
        if let Some(at) = at {
            body["timestamp"] = json!(rfc3339(at));
        }
        body.to_string().into_bytes()
    };
    let analytics = json!({"id": "an-1", "name": "widget_loaded", "accountId": "acc-1", "timestamp": rfc3339(now)})
        .to_string()
        .into_bytes();
    let unknown = br#"{"hello":"world"}"#.to_vec();
    let big = sized_event("evt-big", LIMIT + 1);
    let exact = sized_event("evt-exact", LIMIT);
    let upper = sign_payload(SUITE_SECRET, &event("evt-upper")).to_uppercase();
    let wrong_secret = sign_payload("whsec_other", &event("evt-wrong"));
    let for_other_body = sign_payload(SUITE_SECRET, &event("evt-other"));
    let twice = sign_payload(SUITE_SECRET, &event("evt-twice"));
    vec![
        (
            "valid webhook event",
            signed(WEBHOOK_PATH, &event("evt-1")),
            ok(Some("evt-1"), "webhook"),
        ),
        (
            "same event id again: duplicate, handler not run",
            signed(WEBHOOK_PATH, &event("evt-1")),
            Expect {
                status: 200,
                body: Some(json!({"received": true, "duplicate": true})),
                runs: 0,
            },
        ),
        (
            "analytics event",
            signed(WEBHOOK_PATH, &analytics),
            ok(Some("an-1"), "analytics"),
        ),
        (
            "unknown event without id",
            signed(WEBHOOK_PATH, &unknown),
            ok(None, "unknown"),
        ),
        (
            "both `type` and `name`: analytics",
            signed(
                WEBHOOK_PATH,
                br#"{"id":"both-1","type":"invitation.created","name":"widget_loaded"}"#,
            ),
            ok(Some("both-1"), "analytics"),
        ),
        (
            "unknown event type is kept",
            signed(
                WEBHOOK_PATH,
                br#"{"id":"future-1","type":"future.event","data":{}}"#,
            ),
            ok(Some("future-1"), "webhook"),
        ),
        (
            "unknown event without id, again (no id: nothing to claim, handled again)",
            signed(WEBHOOK_PATH, &unknown),
            ok(None, "unknown"),
        ),
        (
            "two signature headers",
            webhook(WEBHOOK_PATH, &event("evt-twice"), &[twice.clone(), twice]),
            rejected(400, None),
        ),
        (
            "missing signature header",
            webhook(WEBHOOK_PATH, &event("evt-2"), &[]),
            rejected(401, Some("Missing X-Vortex-Signature header")),
        ),
        (
            "empty signature header",
            webhook(WEBHOOK_PATH, &event("evt-2"), &[String::new()]),
            rejected(401, Some("Missing X-Vortex-Signature header")),
        ),
        (
            "signature with another secret",
            webhook(WEBHOOK_PATH, &event("evt-wrong"), &[wrong_secret]),
            rejected(401, Some("Invalid signature")),
        ),
        (
            "signature of another body",
            webhook(WEBHOOK_PATH, &event("evt-3"), &[for_other_body]),
            rejected(401, Some("Invalid signature")),
        ),
        (
            "uppercase hex signature",
            webhook(WEBHOOK_PATH, &event("evt-upper"), &[upper]),
            rejected(401, Some("Invalid signature")),
        ),
        (
            "garbage signature",
            webhook(WEBHOOK_PATH, &event("evt-4"), &["not-hex".into()]),
            rejected(401, Some("Invalid signature")),
        ),
        (
            "a rejected event does not use up its id",
            signed(WEBHOOK_PATH, &event("evt-3")),
            ok(Some("evt-3"), "webhook"),
        ),
        (
            "body over 1 MiB",
            signed(WEBHOOK_PATH, &big),
            rejected(413, None),
        ),
        (
            "body over 1 MiB, chunked",
            {
                let mut request = signed(WEBHOOK_PATH, &big);
                request.body = ReqBody::Chunked(big.clone());
                request
            },
            rejected(413, None),
        ),
        (
            "body of exactly 1 MiB",
            signed(WEBHOOK_PATH, &exact),
            ok(Some("evt-exact"), "webhook"),
        ),
        (
            "valid signature, JSON array",
            signed(WEBHOOK_PATH, b"[1,2]"),
            rejected(400, None),
        ),
        (
            "valid signature, not JSON",
            signed(WEBHOOK_PATH, b"{nope"),
            rejected(400, None),
        ),
        (
            "valid signature, empty body",
            signed(WEBHOOK_PATH, b""),
            rejected(400, None),
        ),
        (
            "valid signature, JSON string",
            signed(WEBHOOK_PATH, b"\"evt\""),
            rejected(400, None),
        ),
        (
            "fresh: timestamp now",
            signed(FRESH_WEBHOOK_PATH, &fresh("f-1", Some(now))),
            ok(Some("f-1"), "webhook"),
        ),
        (
            "fresh: timestamp 4 minutes old",
            signed(FRESH_WEBHOOK_PATH, &fresh("f-2", Some(now - 240))),
            ok(Some("f-2"), "webhook"),
        ),
        (
            "fresh: stale timestamp (1 hour old)",
            signed(FRESH_WEBHOOK_PATH, &fresh("f-3", Some(now - 3600))),
            rejected(400, None),
        ),
        (
            "fresh: timestamp 1 hour ahead",
            signed(FRESH_WEBHOOK_PATH, &fresh("f-4", Some(now + 3600))),
            rejected(400, None),
        ),
        (
            "fresh: no timestamp",
            signed(FRESH_WEBHOOK_PATH, &fresh("f-5", None)),
            rejected(400, None),
        ),
        (
            "fresh: bad signature still 401",
            webhook(FRESH_WEBHOOK_PATH, &fresh("f-6", Some(now)), &["00".into()]),
            rejected(401, Some("Invalid signature")),
        ),
    ]
}

/// Runs the webhook cases in order against one app (the replay cases depend on the order).
///
/// # Panics
///
/// On any failure, naming the framework and the case.
pub async fn webhooks<F: Framework>() {
    let env = Env::<F>::start(EnvOptions::default()).await;
    let log = env.config.webhook_log.clone();
    let mut failures = Failures::default();
    for (name, request, expect) in cases() {
        let runs_before = log.runs();
        let Some(answer) = send(&env, &mut failures, name, &request).await else {
            continue;
        };
        failures.ensure::<F>(answer.status == expect.status, name, || {
            format!(
                "status: expected {}, got {} {}",
                expect.status,
                answer.status,
                answer.text()
            )
        });
        if let Some(body) = &expect.body {
            let got = answer.json().unwrap_or(Value::Null);
            failures.ensure::<F>(&got == body, name, || {
                format!("body: expected {body}, got {got}")
            });
        }
        let runs = log.runs() - runs_before;
        failures.ensure::<F>(runs == expect.runs, name, || {
            format!("the handler ran {runs} time(s), expected {}", expect.runs)
        });
    }
    failures.finish("webhooks");
}
