//! `/invitations`: list by target, create, get, revoke, accept, reinvite, sync internal.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use serde_json::{Value, json};

use super::bad_path;
use crate::api_error::ApiError;
use crate::input::{self, AcceptInput, CreateInput, SyncInput, parse_object};
use crate::state::Shared;

type Answer = Result<Json<Value>, ApiError>;

/// `GET /invitations?targetType=&targetValue=`.
pub(super) async fn list_by_target(
    State(shared): State<Arc<Shared>>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Answer {
    let Query(query) = query
        .map_err(|err| ApiError::bad_request(format!("Invalid query: {}", err.body_text())))?;
    let param = |name: &str| {
        query
            .get(name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| ApiError::bad_request(format!("Missing query parameter `{name}`")))
    };
    let target_type = input::stored_target_type(param("targetType")?)?;
    let value = param("targetValue")?;
    Ok(Json(
        shared.read(|store| store.list_by_target(target_type, value)),
    ))
}

/// `GET /invitations/{id}`.
pub(super) async fn get(
    State(shared): State<Arc<Shared>>,
    id: Result<Path<String>, PathRejection>,
) -> Answer {
    let Path(id) = id.map_err(|err| bad_path(&err))?;
    shared
        .read(|store| store.get(&id))
        .map(Json)
        .ok_or_else(|| ApiError::invitation_not_found(&id))
}

/// `DELETE /invitations/{id}`: revoke; answers `{}`.
pub(super) async fn revoke(
    State(shared): State<Arc<Shared>>,
    id: Result<Path<String>, PathRejection>,
) -> Answer {
    let Path(id) = id.map_err(|err| bad_path(&err))?;
    shared.change(|store| Ok(((), store.revoke(&id)?)))?;
    Ok(Json(json!({})))
}

/// `POST /invitations/{id}/reinvite` (no body).
pub(super) async fn reinvite(
    State(shared): State<Arc<Shared>>,
    id: Result<Path<String>, PathRejection>,
) -> Answer {
    let Path(id) = id.map_err(|err| bad_path(&err))?;
    shared.change(|store| store.reinvite(&id)).map(Json)
}

/// `POST /invitations`: create.
pub(super) async fn create(State(shared): State<Arc<Shared>>, body: Bytes) -> Answer {
    let input = CreateInput::parse(&parse_object(&body)?)?;
    shared.change(|store| Ok(store.create(&input))).map(Json)
}

/// `POST /invitations/accept`.
pub(super) async fn accept(State(shared): State<Arc<Shared>>, body: Bytes) -> Answer {
    let input = AcceptInput::parse(&parse_object(&body)?)?;
    shared.change(|store| store.accept(&input)).map(Json)
}

/// `POST /invitations/sync-internal-invitation`.
pub(super) async fn sync_internal(State(shared): State<Arc<Shared>>, body: Bytes) -> Answer {
    let input = SyncInput::parse(&parse_object(&body)?)?;
    shared
        .change(|store| Ok(store.sync_internal(&input)))
        .map(Json)
}
