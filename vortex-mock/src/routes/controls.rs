//! Test controls under `/__mock` (no API key): faults, request log, reset, invitations,
//! webhook deliveries.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::api_error::ApiError;
use crate::faults::Fault;
use crate::requests::RecordedRequest;
use crate::state::Shared;

type Answer = Result<Json<Value>, ApiError>;

pub(super) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/requests", get(requests).delete(clear_requests))
        .route("/reset", post(reset))
        .route("/invitations", get(invitations).post(seed_invitations))
        .route("/webhooks", get(webhooks))
}

fn json_body(body: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(body)
        .map_err(|err| ApiError::bad_request(format!("Malformed JSON: {err}")))
}

/// `GET /__mock/faults`: the faults still armed.
async fn list_faults(State(shared): State<Arc<Shared>>) -> Json<Value> {
    Json(json!({ "faults": shared.faults() }))
}

/// `POST /__mock/faults`: arm a fault.
async fn add_fault(State(shared): State<Arc<Shared>>, body: Bytes) -> Answer {
    let fault = Fault::from_json(&json_body(&body)?)
        .map_err(|err| ApiError::bad_request(err.to_string()))?;
    shared
        .inject_fault(fault)
        .map_err(|err| ApiError::bad_request(err.to_string()))?;
    Ok(list_faults(State(shared)).await)
}

/// `DELETE /__mock/faults`: disarm every fault.
async fn clear_faults(State(shared): State<Arc<Shared>>) -> Json<Value> {
    shared.clear_faults();
    Json(json!({}))
}

/// `GET /__mock/requests`: the request log (the newest requests), in arrival order, and
/// the count of all requests received.
async fn requests(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let requests: Vec<Value> = shared
        .requests()
        .iter()
        .map(RecordedRequest::to_json)
        .collect();
    Json(json!({ "requests": requests, "total": shared.request_count() }))
}

/// `DELETE /__mock/requests`: clear the log.
async fn clear_requests(State(shared): State<Arc<Shared>>) -> Json<Value> {
    shared.clear_requests();
    Json(json!({}))
}

/// `POST /__mock/reset`: back to the state right after start.
async fn reset(State(shared): State<Arc<Shared>>) -> Json<Value> {
    shared.reset();
    Json(json!({}))
}

/// `GET /__mock/invitations`: every stored invitation.
async fn invitations(State(shared): State<Arc<Shared>>) -> Json<Value> {
    Json(json!({ "invitations": shared.read(|store| store.all()) }))
}

/// `POST /__mock/invitations`: seed one invitation (an object) or several (an array).
async fn seed_invitations(State(shared): State<Arc<Shared>>, body: Bytes) -> Answer {
    let seeds = match json_body(&body)? {
        Value::Array(items) => items,
        other => vec![other],
    };
    let mut stored = Vec::with_capacity(seeds.len());
    for seed in seeds {
        stored.push(
            shared
                .seed_invitation(seed)
                .map_err(|err| ApiError::bad_request(err.to_string()))?,
        );
    }
    Ok(Json(json!({ "invitations": stored })))
}

/// `GET /__mock/webhooks`: webhook deliveries so far.
async fn webhooks(State(shared): State<Arc<Shared>>) -> Json<Value> {
    Json(json!({
        "configured": shared.has_webhooks(),
        "deliveries": shared.deliveries(),
    }))
}
