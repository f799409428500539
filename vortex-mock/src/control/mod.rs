//! The test controls: faults, the request log, and their routes under `/__mock` (no API
//! key), with reset, invitations and webhook deliveries.

pub(crate) mod faults;
pub(crate) mod request_log;

use serde_json::{Value, json};

use crate::api::error::ApiError;
use crate::control::faults::Fault;
use crate::control::request_log::RecordedRequest;
use crate::server::router::Route;
use crate::server::{Answer, Call, Handler, Json, route};

/// The largest body a control request may carry.
pub(crate) const CONTROL_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// The routes of the test controls.
pub(crate) fn routes() -> Vec<Route<Handler>> {
    vec![
        route("/__mock/faults")
            .get(list_faults)
            .post(add_fault)
            .delete(clear_faults),
        route("/__mock/requests")
            .get(requests)
            .delete(clear_requests),
        route("/__mock/reset").post(reset),
        route("/__mock/invitations")
            .get(invitations)
            .post(seed_invitations),
        route("/__mock/webhooks").get(webhooks),
    ]
}

fn json_body(body: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(body)
        .map_err(|err| ApiError::bad_request(format!("Malformed JSON: {err}")))
}

/// `GET /__mock/faults`: the faults still armed.
fn list_faults(call: &Call<'_>) -> Answer {
    Ok(json!({ "faults": call.shared.faults() }).into())
}

/// `POST /__mock/faults`: arm a fault.
fn add_fault(call: &Call<'_>) -> Answer {
    let fault = Fault::from_json(&json_body(call.body)?)
        .map_err(|err| ApiError::bad_request(err.to_string()))?;
    call.shared
        .inject_fault(fault)
        .map_err(|err| ApiError::bad_request(err.to_string()))?;
    list_faults(call)
}

/// `DELETE /__mock/faults`: disarm every fault.
fn clear_faults(call: &Call<'_>) -> Answer {
    call.shared.clear_faults();
    Ok(json!({}).into())
}

/// `GET /__mock/requests`: the request log (the newest requests), in arrival order, and
/// the count of all requests received.
fn requests(call: &Call<'_>) -> Answer {
    let requests: Vec<Value> = call
        .shared
        .requests()
        .iter()
        .map(RecordedRequest::to_json)
        .collect();
    Ok(json!({ "requests": requests, "total": call.shared.request_count() }).into())
}

/// `DELETE /__mock/requests`: clear the log.
fn clear_requests(call: &Call<'_>) -> Answer {
    call.shared.clear_requests();
    Ok(json!({}).into())
}

/// `POST /__mock/reset`: back to the state right after start.
fn reset(call: &Call<'_>) -> Answer {
    call.shared.reset();
    Ok(json!({}).into())
}

/// `GET /__mock/invitations`: every stored invitation.
fn invitations(call: &Call<'_>) -> Answer {
    Ok(Json::Text(call.shared.read(|store| store.all_json())))
}

/// `POST /__mock/invitations`: seed one invitation (an object) or several (an array).
fn seed_invitations(call: &Call<'_>) -> Answer {
    let seeds = match json_body(call.body)? {
        Value::Array(items) => items,
        other => vec![other],
    };
    let mut stored = Vec::with_capacity(seeds.len());
    for seed in seeds {
        stored.push(
            call.shared
                .seed_invitation(seed)
                .map_err(|err| ApiError::bad_request(err.to_string()))?,
        );
    }
    Ok(json!({ "invitations": stored }).into())
}

/// `GET /__mock/webhooks`: webhook deliveries so far.
fn webhooks(call: &Call<'_>) -> Answer {
    Ok(json!({
        "configured": call.shared.has_webhooks(),
        "deliveries": call.shared.deliveries(),
    })
    .into())
}
