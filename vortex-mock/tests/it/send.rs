//! `vortex-mock send`: the real binary sends one signed event to a local receiver, prints the
//! answer, and exits 0 only for a 2xx answer.

use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpListener;
use vortex_client::webhook::{VortexEvent, WebhookEventType, Webhooks};

const SECRET: &str = "whsec_send_test";
const BINARY: &str = env!("CARGO_BIN_EXE_vortex-mock");

type Received = Arc<Mutex<Vec<(HeaderMap, Bytes)>>>;

/// A receiver answering `status` with a small JSON body; returns its URL.
async fn receiver(status: StatusCode) -> (String, Received) {
    let received = Received::default();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhooks/vortex", listener.local_addr().unwrap());
    let inbox = Arc::clone(&received);
    crate::receiver::spawn(listener, move |headers, body| {
        inbox.lock().unwrap().push((headers, body));
        async move { (status, r#"{"received":true}"#) }
    });
    (url, received)
}

/// Runs the binary off the async runtime (bounded by the binary's own 10 s timeout).
async fn run(args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        Command::new(BINARY)
            .args(&args)
            .env_remove("VORTEX_WEBHOOK_SECRET")
            .output()
            .expect("run vortex-mock")
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sends_one_signed_realistic_event_and_prints_the_answer() {
    let (url, received) = receiver(StatusCode::OK).await;
    let out = run(&[
        "send",
        "invitation.accepted",
        "--to",
        &url,
        "--secret",
        SECRET,
    ])
    .await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("HTTP 200 OK"), "{stdout}");
    assert!(stdout.contains(r#"{"received":true}"#), "{stdout}");

    let received = received.lock().unwrap().clone();
    assert_eq!(received.len(), 1, "exactly one delivery");
    let (headers, body) = &received[0];
    let signature = headers["x-vortex-signature"].to_str().unwrap();
    let event = Webhooks::new(SECRET)
        .unwrap()
        .construct_event(body, signature)
        .expect("signed with the secret");
    let VortexEvent::Webhook(event) = event else {
        panic!("not a webhook event")
    };
    assert_eq!(event.event_type, WebhookEventType::InvitationAccepted);
    assert_eq!(event.data["status"], "accepted");
    assert!(event.id.is_some() && event.timestamp.is_some());
    assert_eq!(headers["content-type"], "application/json");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_and_id_are_sent_as_given() {
    let (url, received) = receiver(StatusCode::NO_CONTENT).await;
    let out = run(&[
        "send",
        "member.created",
        "--to",
        &url,
        "--secret",
        SECRET,
        "--id",
        "evt_fixed",
        "--data",
        r#"{"memberId":"m1"}"#,
    ])
    .await;
    assert!(out.status.success());
    let body: Value = serde_json::from_slice(&received.lock().unwrap()[0].1).unwrap();
    assert_eq!(body["id"], "evt_fixed");
    assert_eq!(body["type"], "member.created");
    assert_eq!(body["data"]["memberId"], "m1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_2xx_answers_and_connection_failures_exit_non_zero() {
    let (url, _) = receiver(StatusCode::INTERNAL_SERVER_ERROR).await;
    let out = run(&[
        "send",
        "invitation.created",
        "--to",
        &url,
        "--secret",
        SECRET,
    ])
    .await;
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("HTTP 500"));

    // A port nobody listens on.
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dead = format!("http://{}/hook", closed.local_addr().unwrap());
    drop(closed);
    let out = run(&[
        "send",
        "invitation.created",
        "--to",
        &dead,
        "--secret",
        SECRET,
    ])
    .await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no answer"), "{stderr}");
    assert!(!stderr.contains(SECRET));
}

#[tokio::test]
async fn help_and_usage_errors() {
    let out = run(&["--help"]).await;
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.contains("Usage: vortex-mock [OPTIONS] [COMMAND]"),
        "{help}"
    );
    assert!(help.contains("[env: VORTEX_MOCK_REQUEST_LOG=]"), "{help}");
    let out = run(&["send", "--help"]).await;
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.contains("vortex-mock send [OPTIONS] --to <URL> <EVENT_TYPE>"),
        "{help}"
    );

    let out = run(&["send", "invitation.created"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--to"));
    let out = run(&["send", "invitation.created", "--to", "http://h"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("VORTEX_WEBHOOK_SECRET"));
}

/// Runs the binary to serve, with `vars` as its only settings; returns its output if it
/// exits within 10 s.
fn serve_with(vars: &[(&str, &str)]) -> Output {
    let mut command = Command::new(BINARY);
    for name in SETTINGS {
        command.env_remove(name);
    }
    let mut child = command
        .envs(vars.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run vortex-mock");
    for _ in 0..100 {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().unwrap();
    panic!("vortex-mock kept serving");
}

/// The variables the binary reads when serving.
const SETTINGS: [&str; 6] = [
    "PORT",
    "HOST",
    "VORTEX_API_KEY",
    "VORTEX_MOCK_WEBHOOK_URL",
    "VORTEX_WEBHOOK_SECRET",
    "VORTEX_MOCK_REQUEST_LOG",
];

#[test]
fn bad_settings_exit_2_naming_the_variable() {
    for (vars, named) in [
        (&[("PORT", "eighty")][..], "PORT"),
        (
            &[("VORTEX_MOCK_REQUEST_LOG", "lots")],
            "VORTEX_MOCK_REQUEST_LOG",
        ),
        (&[("VORTEX_API_KEY", "not-a-key")], "VORTEX_API_KEY"),
        (
            &[("VORTEX_MOCK_WEBHOOK_URL", "http://127.0.0.1:9/hook")],
            "VORTEX_WEBHOOK_SECRET",
        ),
        (
            &[("VORTEX_WEBHOOK_SECRET", "whsec_x"), ("PORT", "0")],
            "VORTEX_MOCK_WEBHOOK_URL",
        ),
    ] {
        let out = serve_with(vars);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{vars:?}: {stderr}");
        assert!(stderr.contains(named), "{vars:?}: {stderr}");
        assert!(!stderr.contains("whsec_x"), "{stderr}");
    }
}

#[tokio::test]
async fn serves_with_the_settings_of_the_environment() {
    let key = vortex_mock::generate_api_key();
    let mut command = tokio::process::Command::new(BINARY);
    for name in SETTINGS {
        command.env_remove(name);
    }
    let mut child = command
        .env("PORT", "0")
        .env("VORTEX_API_KEY", &key)
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("run vortex-mock");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
        .await
        .expect("vortex-mock starts")
        .unwrap()
        .unwrap();
    let base_url = first
        .strip_prefix("vortex-mock listening on ")
        .expect(&first)
        .to_owned();
    let answer = reqwest::Client::new()
        .get(format!("{base_url}/api/v1/invitations/inv-1"))
        .header("x-api-key", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 404);
    child.kill().await.unwrap();
}
