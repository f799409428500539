//! Over a real socket (hyper, not the local client): raw request lines reach the core as sent.

use rocket::fairing::AdHoc;
use rocket::figment::Figment;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use vortex_mock::MockServer;

use crate::support::{AppUser, figment, vortex_routes};

/// Sends `method target` as written, with a signed-in user; returns the status and JSON body.
async fn raw(port: u16, method: &str, target: &str) -> (u16, Value) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let request = format!(
        "{method} {target} HTTP/1.1\r\nHost: localhost\r\nx-user-id: ada\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    let status = answer[9..12].parse().unwrap();
    let (_, body) = answer.split_once("\r\n\r\n").unwrap();
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

#[rocket::async_test]
async fn raw_paths_over_http() {
    let mock = MockServer::start().await;
    for id in ["a/b", "a%41", "é"] {
        mock.seed_invitation(json!({ "id": id })).unwrap();
    }
    let (port_tx, port_rx) = oneshot::channel();
    let rocket = rocket::custom(figment(
        Figment::new()
            .merge(("port", 0))
            .merge(("address", "127.0.0.1")),
    ))
    .attach(vortex_rocket::fairing::<AppUser>(
        "/api/vortex",
        vortex_routes(&mock),
    ))
    .attach(AdHoc::on_liftoff("port", move |rocket| {
        Box::pin(async move {
            let _ = port_tx.send(rocket.config().port);
        })
    }))
    .ignite()
    .await
    .unwrap();
    let shutdown = rocket.shutdown();
    let server = tokio::spawn(rocket.launch());
    let port = port_rx.await.unwrap();

    for (target, id) in [
        ("/api/vortex/invitations/a%2Fb", "a/b"),
        ("/api/vortex/invitations/a%2541", "a%41"),
        ("/api/vortex/invitations/%C3%A9", "é"),
    ] {
        let (status, body) = raw(port, "GET", target).await;
        assert_eq!(status, 200, "{target}: {body}");
        assert_eq!(body["id"], id, "{target}");
    }
    let (status, body) = raw(port, "DELETE", "/api/vortex/invitations/%2E%2E").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        body,
        json!({"error": "invitationId must not be `.` or `..`"})
    );
    let (status, _) = raw(port, "GET", "/api/vortex/invitations/a%2Fb/reinvite").await;
    assert_eq!(status, 405);

    let upstream: Vec<String> = mock.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        upstream,
        [
            "/api/v1/invitations/a%2Fb",
            "/api/v1/invitations/a%2541",
            "/api/v1/invitations/%C3%A9",
        ]
    );
    shutdown.notify();
    let _ = server.await;
}
