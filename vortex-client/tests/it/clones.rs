//! Clones are cheap handles on one client: they all work and share one connection pool.

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::json;
use vortex_client::VortexClient;

use crate::support::{
    KEY, assert_request_count, assert_sdk_headers, client, fast_retries, json_answer, mount,
    received, start_server,
};

#[tokio::test]
async fn clones_all_work_even_after_the_original_is_dropped() {
    let server = start_server().await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations/inv-1",
        json_answer(&json!({"id": "inv-1"})),
    )
    .await;
    let original = client(&server);
    let first = original.clone();
    let second = first.clone();
    drop(original);

    let task = tokio::spawn(async move { second.get_invitation("inv-1").await });
    assert_eq!(first.get_invitation("inv-1").await.unwrap().id, "inv-1");
    assert_eq!(task.await.unwrap().unwrap().id, "inv-1");
    assert_eq!(first.base_url(), server.uri());

    assert_request_count(&server, 2).await;
    for request in received(&server).await {
        assert_sdk_headers(&request);
    }
}

/// A minimal keep-alive HTTP/1.1 server answering every request with `{"id":"inv-1"}`, which
/// counts the TCP connections it accepts.
struct CountingServer {
    url: String,
    connections: Arc<AtomicUsize>,
    requests: Arc<AtomicUsize>,
}

impl CountingServer {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(AtomicUsize::new(0));
        let (accepted, answered) = (Arc::clone(&connections), Arc::clone(&requests));
        // The accept loop ends with the test process.
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { break };
                accepted.fetch_add(1, Ordering::SeqCst);
                let answered = Arc::clone(&answered);
                std::thread::spawn(move || serve_connection(stream, &answered));
            }
        });
        Self {
            url,
            connections,
            requests,
        }
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

/// Answers bodiless requests on one connection until the client closes it.
fn serve_connection(mut stream: TcpStream, answered: &AtomicUsize) {
    let body = r#"{"id":"inv-1"}"#;
    let answer = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut pending = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        while let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
            pending.drain(..end + 4);
            answered.fetch_add(1, Ordering::SeqCst);
            if stream.write_all(answer.as_bytes()).is_err() {
                return;
            }
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => pending.extend_from_slice(&chunk[..n]),
        }
    }
}

fn client_for(url: &str) -> VortexClient {
    VortexClient::builder(KEY)
        .base_url(url)
        .retry_policy(fast_retries())
        .build()
        .unwrap()
}

#[tokio::test]
async fn clones_share_one_connection_pool() {
    let upstream = CountingServer::start();
    let client = client_for(&upstream.url);
    let clone = client.clone();

    client.get_invitation("inv-1").await.unwrap();
    clone.get_invitation("inv-1").await.unwrap();
    client.clone().get_invitation("inv-1").await.unwrap();

    assert_eq!(upstream.requests(), 3);
    assert_eq!(
        upstream.connections(),
        1,
        "the clones reused the first connection"
    );
}

#[tokio::test]
async fn separately_built_clients_do_not_share_connections() {
    // The control for `clones_share_one_connection_pool`: the counting server does tell
    // pools apart.
    let upstream = CountingServer::start();

    client_for(&upstream.url)
        .get_invitation("inv-1")
        .await
        .unwrap();
    client_for(&upstream.url)
        .get_invitation("inv-1")
        .await
        .unwrap();

    assert_eq!(upstream.requests(), 2);
    assert_eq!(upstream.connections(), 2);
}
