//! `GET /metrics` after a scripted session: the Prometheus series count exactly the
//! session's requests and webhook outcomes, with the OpenTelemetry label keys, and no label
//! value is personal (user id, e-mail, invitation id, scope).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde_json::json;
use vortex_client::webhook::sign_payload;

use crate::process::Demo;
use crate::serving::sign_in;

const WEBHOOK_SECRET: &str = "whsec_metrics_check_0123456789";
/// An invitation the embedded mock does not have.
const UNKNOWN_ID: &str = "inv-unknown-7d1f";
const SCOPE_TYPE: &str = "team";
const SCOPE: &str = "scope-private-4411";
const EVENT_ID: &str = "evt-metrics-check-1";

/// The metric families of the Vortex crates, as the Prometheus exporter names them.
const FAMILIES: [&str; 6] = [
    "http_server_request_duration_seconds_count",
    "http_client_request_duration_seconds_count",
    "vortex_client_retries_total",
    "vortex_client_retry_budget_exhausted_total",
    "vortex_webhook_deliveries_total",
    "vortex_tokens_issued_total",
];

/// A series: name and sorted labels.
type Series = (String, BTreeMap<String, String>);

/// The series of `FAMILIES` in a Prometheus text scrape, with their values.
fn parse(text: &str) -> BTreeMap<Series, f64> {
    let mut series = BTreeMap::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (head, value) = line.rsplit_once(' ').expect("`series value`");
        let (name, labels) = match head.split_once('{') {
            Some((name, rest)) => (name, rest.trim_end_matches('}')),
            None => (head, ""),
        };
        if !FAMILIES.contains(&name) {
            continue;
        }
        let mut map = BTreeMap::new();
        // Label values here never contain `",` (they are ours, bounded).
        for pair in labels.split("\",").filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once("=\"").expect("label=\"value\"");
            map.insert(key.to_owned(), value.trim_end_matches('"').to_owned());
        }
        series.insert((name.to_owned(), map), value.parse().expect("a number"));
    }
    series
}

fn series(name: &str, labels: &[(&str, &str)]) -> Series {
    let labels = labels
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    (name.to_owned(), labels)
}

/// The series the session must leave, and nothing else in [`FAMILIES`].
fn expected() -> BTreeMap<Series, f64> {
    let server = "http_server_request_duration_seconds_count";
    let client = "http_client_request_duration_seconds_count";
    let deliveries = "vortex_webhook_deliveries_total";
    let (method, route, status) = (
        "http_request_method",
        "http_route",
        "http_response_status_code",
    );
    let operation = "vortex_operation";
    BTreeMap::from([
        (
            series(
                server,
                &[
                    (method, "POST"),
                    (route, "/jwt"),
                    (status, "200"),
                    (operation, "jwt"),
                ],
            ),
            5.0,
        ),
        (
            series(
                server,
                &[
                    (method, "GET"),
                    (route, "/invitations/{invitationId}"),
                    (status, "404"),
                    (operation, "get_invitation"),
                    ("error_type", "upstream_rejected"),
                ],
            ),
            3.0,
        ),
        (
            series(
                server,
                &[
                    (method, "GET"),
                    (route, "/invitations/by-scope/{scopeType}/{scope}"),
                    (status, "200"),
                    (operation, "get_scope_invitations"),
                ],
            ),
            2.0,
        ),
        (
            series(
                client,
                &[
                    (method, "GET"),
                    ("server_address", "127.0.0.1"),
                    (operation, "get_invitation"),
                    (status, "404"),
                ],
            ),
            3.0,
        ),
        (
            series(
                client,
                &[
                    (method, "GET"),
                    ("server_address", "127.0.0.1"),
                    (operation, "get_invitations_by_scope"),
                    (status, "200"),
                ],
            ),
            2.0,
        ),
        (
            series("vortex_tokens_issued_total", &[("kind", "jwt")]),
            5.0,
        ),
        (
            series(
                deliveries,
                &[
                    ("outcome", "handled"),
                    ("event_type", "invitation.accepted"),
                ],
            ),
            1.0,
        ),
        (
            series(
                deliveries,
                &[
                    ("outcome", "duplicate"),
                    ("event_type", "invitation.accepted"),
                ],
            ),
            1.0,
        ),
        (
            series(
                deliveries,
                &[("outcome", "rejected_signature"), ("event_type", "other")],
            ),
            1.0,
        ),
    ])
}

/// Signs in; 5 × `POST /api/vortex/jwt`; 3 × `GET /api/vortex/invitations/{unknown id}`;
/// 2 × `GET /api/vortex/invitations/by-scope/{type}/{scope}`; one signed webhook delivered
/// twice and one with a bad signature; then `GET /metrics` holds exactly those, with no
/// personal label value.
///
/// # Panics
///
/// When any of this does not hold.
pub async fn scripted_session_is_counted(binary: &Path) {
    let env = [
        ("RUST_LOG", "warn"),
        ("VORTEX_WEBHOOK_SECRET", WEBHOOK_SECRET),
    ];
    let demo = Demo::start_with(binary, &env);
    let client = crate::process::cookie_client(Duration::from_secs(30));
    sign_in(&client, &demo, "admin@example.com", "password123").await;
    let api = format!("{}/api/vortex", demo.url);
    let status_of = async |request: reqwest::RequestBuilder| {
        request.send().await.expect("an answer").status().as_u16()
    };
    for _ in 0..5 {
        assert_eq!(status_of(client.post(format!("{api}/jwt"))).await, 200);
    }
    for _ in 0..3 {
        let url = format!("{api}/invitations/{UNKNOWN_ID}");
        assert_eq!(status_of(client.get(url)).await, 404);
    }
    for _ in 0..2 {
        let url = format!("{api}/invitations/by-scope/{SCOPE_TYPE}/{SCOPE}");
        assert_eq!(status_of(client.get(url)).await, 200);
    }
    let mut event = vortex_mock::sample_event("invitation.accepted");
    event["id"] = json!(EVENT_ID);
    let body = event.to_string();
    let hook = format!("{}/webhooks/vortex", demo.url);
    let deliver = |signature: String| {
        reqwest::Client::new()
            .post(&hook)
            .header("content-type", "application/json")
            .header("x-vortex-signature", signature)
            .body(body.clone())
    };
    let signature = sign_payload(WEBHOOK_SECRET, body.as_bytes());
    assert_eq!(status_of(deliver(signature.clone())).await, 200);
    assert_eq!(status_of(deliver(signature)).await, 200, "the duplicate");
    assert_eq!(status_of(deliver("0".repeat(64))).await, 401);

    let scrape = reqwest::get(format!("{}/metrics", demo.url))
        .await
        .expect("GET /metrics");
    assert_eq!(scrape.status(), 200);
    let content_type = scrape.headers().get("content-type").cloned();
    let text = scrape.text().await.expect("the scrape");
    assert!(
        content_type.is_some_and(|c| c.to_str().is_ok_and(|c| c.starts_with("text/plain"))),
        "the Prometheus text format"
    );
    let found = parse(&text);
    let expected = expected();
    let show = |s: &BTreeMap<Series, f64>| {
        s.iter()
            .map(|((name, labels), value)| format!("{name}{labels:?} {value}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(
        found,
        expected,
        "the series after the session\nfound:\n{}\nexpected:\n{}\nscrape:\n{text}",
        show(&found),
        show(&expected)
    );
    let personal = [
        "admin@example.com",
        "example.com",
        UNKNOWN_ID,
        SCOPE,
        EVENT_ID,
    ];
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        for value in personal {
            assert!(!line.contains(value), "a personal value in `{line}`");
        }
    }
    println!("GET /metrics after the scripted session:\n{text}");
}
