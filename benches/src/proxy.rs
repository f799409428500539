//! The upstream of the proxy benchmarks (`benches/proxy.rs`, `benches/proxy.sh`): invitation
//! lists as `vortex-mock` writes them, answered from memory.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use vortex_client::VortexClient;

/// The test API key of the clients and the mock.
pub const KEY: &str = "VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing";

/// The list sizes; the upstream's scope `n{size}` (any scope type) answers that many.
pub const SIZES: [usize; 3] = [10, 100, 1000];

/// The upstream answers of `GET /api/v1/invitations/by-scope/team/n{size}` for each of
/// [`SIZES`], as `vortex-mock` writes them: the mock library is started, 1,000 invitations to
/// `team-1` are created through its API (e-mail targets, one team, a source and metadata) and
/// its by-scope answer is kept; the smaller lists are its first invitations, written by
/// `serde_json` as the mock writes its answers.
///
/// # Panics
///
/// If the mock does not start or answer.
pub async fn fixtures() -> Vec<(usize, Vec<u8>)> {
    let mock = vortex_mock::MockServer::builder()
        .api_key(KEY)
        .deterministic(1)
        .start()
        .await
        .expect("the mock starts");
    let client = VortexClient::builder(KEY)
        .base_url(mock.base_url())
        .build()
        .expect("a client");
    for i in 0..SIZES[SIZES.len() - 1] {
        let request = serde_json::from_value(json!({
            "widgetConfigurationId": "component-1",
            "target": {"type": "email", "value": format!("invitee-{i}@example.com"), "name": format!("Invitee {i}")},
            "inviter": {"userId": "user-1", "name": "Grace Hopper", "userEmail": "grace@example.com"},
            "groups": [{"type": "team", "groupId": "team-1", "name": "Team 1"}],
            "source": "bench",
            "metadata": {"campaign": "spring", "seat": i},
        }))
        .expect("a create request");
        client
            .raw()
            .create_invitation(&request)
            .await
            .expect("the mock creates");
    }
    let full = client
        .raw()
        .get_invitations_by_scope_bytes("team", "team-1")
        .await
        .expect("the mock lists");
    let list: Value = serde_json::from_slice(&full).expect("the mock answers JSON");
    let all = list["invitations"].as_array().expect("a list");
    SIZES
        .iter()
        .map(|&size| {
            let body = serde_json::to_vec(&json!({ "invitations": &all[..size] })).expect("JSON");
            (size, body)
        })
        .collect()
}

type Lists = Arc<HashMap<String, Bytes>>;

async fn by_scope(
    State(lists): State<Lists>,
    Path((_, scope)): Path<(String, String)>,
) -> Response {
    match lists.get(&scope) {
        Some(body) => ([(header::CONTENT_TYPE, "application/json")], body.clone()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The upstream app: `GET /api/v1/invitations/by-scope/{scopeType}/n{size}` answers the
/// fixture of that size from memory (no copy per request).
pub fn upstream_app(fixtures: &[(usize, Vec<u8>)]) -> axum::Router {
    let lists: Lists = Arc::new(
        fixtures
            .iter()
            .map(|(size, body)| (format!("n{size}"), Bytes::from(body.clone())))
            .collect(),
    );
    axum::Router::new()
        .route(
            "/api/v1/invitations/by-scope/{scope_type}/{scope}",
            axum::routing::get(by_scope),
        )
        .with_state(lists)
}

/// Serves [`upstream_app`] on `127.0.0.1:port` (0: any free port) from a task of the current
/// runtime; answers the address.
///
/// # Panics
///
/// If the port cannot be bound.
pub async fn serve_upstream(fixtures: &[(usize, Vec<u8>)], port: u16) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("a port");
    let address = listener.local_addr().expect("an address");
    let app = upstream_app(fixtures);
    tokio::spawn(async move { axum::serve(listener, app).await });
    address
}
