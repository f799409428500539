//! `vortex-mock send`: the real binary sends one signed event to a local receiver, prints the
//! answer, and exits 0 only for a 2xx answer.

use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use serde_json::Value;
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
        help.contains("vortex-mock send <event-type> --to <url>"),
        "{help}"
    );

    let out = run(&["send", "invitation.created"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--to"));
}
