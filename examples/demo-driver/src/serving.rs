//! The demos' serving rules (see `vortex_demo::serving`) checked against a demo binary run as
//! a child process:
//! graceful shutdown on SIGTERM and SIGINT, the request-head timeout, bounded reading of a
//! rejected body, and production logs. Every check prints what it measured (`--nocapture`).

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpSocket, TcpStream};

use crate::Demo;
use crate::process::get_json;

/// Requests in flight when the signal arrives.
const IN_FLIGHT: usize = 20;
/// How long the embedded mock holds each of them.
const UPSTREAM_DELAY: Duration = Duration::from_secs(3);
/// The bound of every wait in these checks.
const GIVE_UP: Duration = Duration::from_secs(45);

fn client() -> reqwest::Client {
    crate::process::cookie_client(GIVE_UP)
}

/// Signs `client` in as `email` on `demo`.
///
/// # Panics
///
/// When the sign-in is refused.
pub async fn sign_in(client: &reqwest::Client, demo: &Demo, email: &str, password: &str) {
    let answer = client
        .post(format!("{}/api/auth/login", demo.url))
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .expect("the sign-in request");
    assert_eq!(answer.status(), 200, "sign-in as {email}");
}

/// What a graceful shutdown did.
#[derive(Debug)]
pub struct ShutdownReport {
    /// In-flight requests answered 200.
    pub completed: usize,
    /// Time from the signal to the process's exit.
    pub exit_after: Duration,
}

/// With 20 requests held by the upstream for 3 s and a client that sent half a
/// request head, `signal` (`"TERM"` or `"INT"`) stops new connections from being served, lets
/// every in-flight request finish, and the process exits 0 within the 30 s drain (+ 5 s).
///
/// # Panics
///
/// When any of this does not hold.
pub async fn shutdown_drains_in_flight(binary: &Path, signal: &str) -> ShutdownReport {
    let mut demo = Demo::start(binary);
    let client = client();
    sign_in(&client, &demo, "admin@example.com", "password123").await;
    let armed = client
        .post(format!("{}/__mock/faults", demo.mock_url))
        .json(&json!({ "delayMs": UPSTREAM_DELAY.as_millis() as u64, "count": IN_FLIGHT }))
        .send()
        .await
        .expect("the mock's fault control");
    assert!(
        armed.status().is_success(),
        "fault armed: {}",
        armed.status()
    );
    let mut half_head = TcpStream::connect(demo.address()).await.expect("connect");
    half_head
        .write_all(b"GET /api/auth/me HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .await
        .expect("half a request head");

    let requests: Vec<_> = (0..IN_FLIGHT)
        .map(|_| {
            let request = client
                .get(format!("{}/api/vortex/invitations/inv-user-1", demo.url))
                .send();
            tokio::spawn(async move { request.await.map(|answer| answer.status().as_u16()) })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let signalled = Instant::now();
    demo.signal(signal);

    tokio::time::sleep(Duration::from_millis(500)).await;
    let late = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .expect("a reqwest client")
        .get(format!("{}/api/auth/me", demo.url))
        .send()
        .await;
    assert!(
        late.is_err(),
        "a new connection after SIG{signal} was served: {late:?}"
    );

    let mut completed = 0;
    for request in requests {
        match request.await.expect("request task") {
            Ok(200) => completed += 1,
            other => eprintln!("in-flight request after SIG{signal}: {other:?}"),
        }
    }
    let status = tokio::task::spawn_blocking(move || {
        let status = demo.wait_exit(GIVE_UP);
        (status, demo)
    })
    .await
    .expect("wait task");
    let exit_after = signalled.elapsed();
    let (status, demo) = status;
    drop(half_head);
    println!(
        "SIG{signal}: {completed}/{IN_FLIGHT} in-flight requests completed; exit {status:?} after {exit_after:.1?}"
    );
    assert_eq!(completed, IN_FLIGHT, "stderr: {}", demo.stderr());
    let status = status.unwrap_or_else(|| panic!("still running {GIVE_UP:?} after SIG{signal}"));
    assert!(
        status.success(),
        "exit status {status}; stderr: {}",
        demo.stderr()
    );
    assert!(
        exit_after <= Duration::from_secs(35),
        "exit after {exit_after:?}"
    );
    ShutdownReport {
        completed,
        exit_after,
    }
}

/// A client sending its request head one byte per second is disconnected within `limit`;
/// returns when it was.
///
/// # Panics
///
/// When it stays connected longer than `limit`.
pub async fn slow_client_disconnected(binary: &Path, limit: Duration) -> Duration {
    let demo = Demo::start(binary);
    let stream = TcpStream::connect(demo.address()).await.expect("connect");
    let (mut reader, mut writer) = stream.into_split();
    let started = Instant::now();
    let head = b"GET /api/auth/me HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
    let trickle = async {
        for byte in head.iter().chain(std::iter::repeat(&b'a')) {
            if writer.write_all(&[*byte]).await.is_err() || started.elapsed() > GIVE_UP {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    };
    let mut answer = Vec::new();
    let closed = async {
        let mut buffer = [0u8; 1024];
        while let Ok(n @ 1..) = reader.read(&mut buffer).await {
            answer.extend_from_slice(&buffer[..n]);
        }
    };
    tokio::select! {
        () = trickle => {},
        () = closed => {},
    }
    let disconnected = started.elapsed();
    println!(
        "one byte per second: disconnected after {disconnected:.1?} (answer {:?})",
        String::from_utf8_lossy(answer.get(..answer.len().min(200)).unwrap_or_default())
    );
    assert!(
        disconnected <= limit,
        "a one-byte-per-second client stayed {disconnected:?}"
    );
    disconnected
}

/// What happened to a rejected 100 MB body.
#[derive(Debug)]
pub struct RejectedBody {
    /// The body bytes the server took (written before the socket errored or stalled).
    pub bytes_taken: u64,
    /// The status line of the answer, if one came.
    pub status_line: String,
    /// Whether the server closed the connection (rather than stalling it).
    pub closed: bool,
}

/// Sends a 100 MB chunked body to `POST /webhooks/vortex`, without a signature (401 before
/// the body is read) or with a wrong one (`signed`: 413 once the 1 MiB limit is passed), and
/// counts what the server takes before it closes or stops reading; at most `max_bytes`.
///
/// # Panics
///
/// When it takes more, or does not reject the request.
pub async fn rejected_body_bounded(binary: &Path, signed: bool, max_bytes: u64) -> RejectedBody {
    const TOTAL: u64 = 100 * 1024 * 1024;
    const CHUNK: usize = 64 * 1024;
    let demo = Demo::start(binary);
    let socket = TcpSocket::new_v4().expect("a socket");
    // A small send buffer, so what counts as taken is what the server read, not the kernel.
    socket.set_send_buffer_size(64 * 1024).expect("SO_SNDBUF");
    let address = demo.address().parse().expect("a socket address");
    let stream = socket.connect(address).await.expect("connect");
    let (mut reader, mut writer) = stream.into_split();
    let signature = if signed {
        "X-Vortex-Signature: 0000000000000000000000000000000000000000000000000000000000000000\r\n"
    } else {
        ""
    };
    let head = format!(
        "POST /webhooks/vortex HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n{signature}Transfer-Encoding: chunked\r\n\r\n"
    );
    writer.write_all(head.as_bytes()).await.expect("the head");
    let answer = tokio::spawn(async move {
        let mut answer = Vec::new();
        let mut buffer = [0u8; 4096];
        while let Ok(Ok(n @ 1..)) = tokio::time::timeout(GIVE_UP, reader.read(&mut buffer)).await {
            answer.extend_from_slice(&buffer[..n]);
        }
        answer
    });
    let mut chunk = format!("{CHUNK:x}\r\n").into_bytes();
    chunk.extend(std::iter::repeat_n(b' ', CHUNK));
    chunk.extend_from_slice(b"\r\n");
    let mut taken = 0u64;
    let mut closed = false;
    while taken < TOTAL {
        match tokio::time::timeout(Duration::from_secs(3), writer.write_all(&chunk)).await {
            Ok(Ok(())) => taken += CHUNK as u64,
            Ok(Err(_)) => {
                closed = true;
                break;
            }
            Err(_) => break, // stalled: the server stopped reading
        }
    }
    drop(writer);
    let answer = answer.await.unwrap_or_default();
    let answer = String::from_utf8_lossy(&answer);
    let status_line = answer.lines().next().unwrap_or_default().to_owned();
    println!(
        "rejected 100 MB body ({}): {taken} bytes taken ({:.1} MiB), {}, answer {status_line:?}",
        if signed {
            "wrong signature"
        } else {
            "no signature"
        },
        taken as f64 / 1048576.0,
        if closed {
            "then closed"
        } else {
            "then stalled"
        }
    );
    let expected = if signed { " 413 " } else { " 401 " };
    assert!(status_line.contains(expected), "answer: {answer}");
    assert!(
        taken <= max_bytes,
        "the server took {taken} bytes of a rejected body"
    );
    RejectedBody {
        bytes_taken: taken,
        status_line,
        closed,
    }
}

/// With `LOG_FORMAT=json`, stderr is one JSON object per line, with a line per Vortex request
/// (route, operation, status, user id, latency) and no secret anywhere; without it, plain
/// text without ANSI colour codes (stderr is a pipe).
///
/// # Panics
///
/// When a line is not JSON, the request line is missing, or a secret or colour code shows.
pub async fn logs_are_json_lines_without_secrets(binary: &Path) {
    let webhook_secret = "whsec_do_not_log_this_0123456789abcdef";
    let session_secret = "5e".repeat(64);
    for json_format in [true, false] {
        let mut env = vec![
            ("RUST_LOG", "debug"),
            ("VORTEX_WEBHOOK_SECRET", webhook_secret),
            ("SESSION_SECRET", session_secret.as_str()),
        ];
        if json_format {
            env.push(("LOG_FORMAT", "json"));
        }
        let demo = Demo::start_with(binary, &env);
        let client = client();
        sign_in(&client, &demo, "admin@example.com", "password123").await;
        let jwt: Value = client
            .post(format!("{}/api/vortex/jwt", demo.url))
            .json(&json!({}))
            .send()
            .await
            .expect("the JWT request")
            .json()
            .await
            .expect("a JSON answer");
        let jwt = jwt["jwt"].as_str().expect("a JWT").to_owned();
        let revoked = client
            .delete(format!("{}/api/vortex/invitations/inv-user-2", demo.url))
            .send()
            .await
            .expect("the revoke request");
        assert_eq!(revoked.status(), 200);
        wait_for_event(&client, &demo, "invitation.deactivated").await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let logs = demo.stderr();
        for secret in [webhook_secret, session_secret.as_str(), jwt.as_str()] {
            assert!(!logs.contains(secret), "a secret in the logs:\n{logs}");
        }
        assert!(!logs.contains('\u{1b}'), "ANSI codes in the logs:\n{logs}");
        if json_format {
            let lines: Vec<Value> = logs
                .lines()
                .filter(|line| !line.trim().is_empty())
                .map(|line| {
                    serde_json::from_str(line)
                        .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"))
                })
                .collect();
            let request = lines
                .iter()
                .find(|line| line["route"] == "/jwt")
                .unwrap_or_else(|| panic!("no log line for the JWT request:\n{logs}"));
            assert_eq!(request["operation"], "JWT", "{request}");
            assert_eq!(request["status"], 200, "{request}");
            assert_eq!(request["user.id"], "user-1", "{request}");
            assert!(request["latency_ms"].as_f64().is_some(), "{request}");
            println!("a Vortex request's log line: {request}");
        } else {
            assert!(logs.contains("vortex request"), "{logs}");
        }
    }
}

async fn wait_for_event(client: &reqwest::Client, demo: &Demo, kind: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let events = events_of(client, demo).await;
        if events.to_string().contains(kind) {
            return;
        }
        assert!(Instant::now() < deadline, "no {kind} event: {events}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `POST /api/demo/webhook-failures`: 401 anonymous, 403 for the regular user, 400 for bad
/// input; for the admin, the next webhook handler run answers 503 and keeps nothing, the one
/// after is kept.
///
/// # Panics
///
/// When any of this does not hold.
pub async fn webhook_failures_are_simulated(binary: &Path) {
    let demo = Demo::start(binary);
    let failures = format!("{}/api/demo/webhook-failures", demo.url);
    let anonymous = client()
        .post(&failures)
        .json(&json!({"next": 1}))
        .send()
        .await;
    assert_eq!(anonymous.expect("request").status(), 401);
    let user = client();
    sign_in(&user, &demo, "user@example.com", "userpass").await;
    let refused = user.post(&failures).json(&json!({"next": 1})).send().await;
    assert_eq!(refused.expect("request").status(), 403);
    let admin = client();
    sign_in(&admin, &demo, "admin@example.com", "password123").await;
    for bad in [json!({"next": 101}), json!({"next": -1}), json!([1])] {
        let answer = admin
            .post(&failures)
            .json(&bad)
            .send()
            .await
            .expect("request");
        assert_eq!(answer.status(), 400, "{bad}");
        let body: Value = answer.json().await.expect("JSON");
        assert!(body["error"].is_string(), "{body}");
    }
    // Every attempt of the mock's delivery (it makes 3) meets a failing handler run, each of
    // which releases the event's claim: nothing is kept.
    let armed = admin.post(&failures).json(&json!({"next": 3})).send().await;
    assert_eq!(armed.expect("request").status(), 200);
    revoke(&admin, &demo, "inv-user-2").await;
    wait_for_delivery(&admin, &demo, "inv-user-2").await;
    let events = events_of(&admin, &demo).await;
    assert!(
        !events.to_string().contains("inv-user-2"),
        "a failed handler run kept its event: {events}"
    );
    let disarmed = admin.post(&failures).json(&json!({"next": 0})).send().await;
    assert_eq!(disarmed.expect("request").status(), 200);
    revoke(&admin, &demo, "inv-admin-1").await;
    wait_for_event(&admin, &demo, "inv-admin-1").await;
    let events = events_of(&admin, &demo).await;
    assert_eq!(
        events["events"].as_array().map_or(0, Vec::len),
        1,
        "one entry per successful handler run: {events}"
    );
}

async fn revoke(client: &reqwest::Client, demo: &Demo, id: &str) {
    let revoked = client
        .delete(format!("{}/api/vortex/invitations/{id}", demo.url))
        .send()
        .await
        .expect("revoke");
    assert_eq!(revoked.status(), 200, "revoke {id}");
}

pub(crate) async fn events_of(client: &reqwest::Client, demo: &Demo) -> Value {
    get_json(client, &format!("{}/api/demo/events", demo.url), "events").await
}

/// Waits until the mock has finished delivering the event that names `needle`.
async fn wait_for_delivery(client: &reqwest::Client, demo: &Demo, needle: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let url = format!("{}/__mock/webhooks", demo.mock_url);
        let log = get_json(client, &url, "the mock's webhook log").await;
        let done = log["deliveries"].as_array().is_some_and(|deliveries| {
            deliveries
                .iter()
                .any(|d| d["body"].as_str().is_some_and(|b| b.contains(needle)))
        });
        if done {
            return;
        }
        assert!(Instant::now() < deadline, "no delivery for {needle}: {log}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The session cookie is HttpOnly and SameSite=Lax and shows neither the user's id nor their
/// e-mail; with `across_instances`, a second instance with the same `SESSION_SECRET` accepts
/// it (for demos whose sessions live in the cookie), and one with another secret does not.
///
/// # Panics
///
/// When any of this does not hold.
pub async fn session_cookie_is_protected(binary: &Path, across_instances: bool) {
    let secret = "a7".repeat(64);
    let first = Demo::start_with(binary, &[("RUST_LOG", "warn"), ("SESSION_SECRET", &secret)]);
    let answer = reqwest::Client::new()
        .post(format!("{}/api/auth/login", first.url))
        .json(&json!({ "email": "admin@example.com", "password": "password123" }))
        .send()
        .await
        .expect("the sign-in request");
    assert_eq!(answer.status(), 200);
    let set_cookie = answer
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("vortex_demo_session="))
        .expect("a session cookie")
        .to_owned();
    let lower = set_cookie.to_ascii_lowercase();
    assert!(lower.contains("httponly"), "{set_cookie}");
    assert!(lower.contains("samesite=lax"), "{set_cookie}");
    let cookie = set_cookie.split(';').next().unwrap_or_default().to_owned();
    for plain in ["user-1", "admin@example.com", "Admin User"] {
        assert!(!cookie.contains(plain), "{plain} in the cookie: {cookie}");
    }
    if !across_instances {
        return;
    }
    let me = |demo: &Demo| {
        reqwest::Client::new()
            .get(format!("{}/api/auth/me", demo.url))
            .header("cookie", cookie.clone())
            .send()
    };
    let second = Demo::start_with(binary, &[("RUST_LOG", "warn"), ("SESSION_SECRET", &secret)]);
    assert_eq!(me(&second).await.expect("request").status(), 200);
    let other = Demo::start_with(binary, &[("RUST_LOG", "warn")]);
    assert_eq!(me(&other).await.expect("request").status(), 401);
    println!("a session cookie of one instance is accepted by another with the same secret");
}

/// `GET /api-docs/openapi.json` is the demo's whole OpenAPI 3.1 document (its own routes and
/// the Vortex routes under `/api/vortex`, each with its error statuses), and `GET /api-docs`
/// a page that browses it without loading anything from elsewhere.
///
/// # Panics
///
/// On any failure.
pub async fn api_docs_are_served(binary: &Path) {
    let demo = Demo::start(binary);
    let http = client();
    let answer = http
        .get(format!("{}/api-docs/openapi.json", demo.url))
        .send()
        .await
        .expect("request");
    assert_eq!(answer.status(), 200);
    let content_type = answer.headers()["content-type"]
        .to_str()
        .unwrap_or_default();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let doc: Value = answer.json().await.expect("JSON");
    assert_eq!(doc["openapi"], "3.1.0");
    for (path, method) in [
        ("/api/auth/login", "post"),
        ("/api/auth/me", "get"),
        ("/webhooks/vortex", "post"),
        ("/api/vortex/jwt", "post"),
        ("/api/vortex/invitations/{invitationId}", "get"),
        (
            "/api/vortex/invitations/by-scope/{scopeType}/{scope}",
            "delete",
        ),
    ] {
        let operation = &doc["paths"][path][method];
        assert!(operation.is_object(), "{method} {path} is not documented");
        assert!(
            operation["responses"]["200"].is_object(),
            "{method} {path}: 200"
        );
    }
    let vortex_errors = &doc["paths"]["/api/vortex/invitations/{invitationId}"]["get"]["responses"];
    for status in [
        "400", "401", "403", "404", "405", "409", "413", "415", "422", "502", "503", "504",
    ] {
        assert!(
            vortex_errors[status].is_object(),
            "GET invitation: {status}"
        );
    }
    let page = http
        .get(format!("{}/api-docs", demo.url))
        .send()
        .await
        .expect("request");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("text");
    assert!(
        html.contains("/api-docs/openapi.json"),
        "the page reads the document"
    );
    for external in ["src=\"http", "href=\"http", "@import"] {
        assert!(
            !html.contains(external),
            "the page loads {external}…: not offline"
        );
    }
}
