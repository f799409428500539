//! Autojoin domains: `GET /invitations/by-scope/{scopeType}/{scope}/autojoin` and
//! `POST /invitations/autojoin`.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use serde_json::Value;

use super::bad_path;
use crate::api_error::ApiError;
use crate::input::{AutojoinInput, parse_object};
use crate::state::Shared;

/// `GET`: `{"autojoinDomains":[…],"invitation":…}` of the scope.
pub(super) async fn get(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path((scope_type, scope)) = path.map_err(|err| bad_path(&err))?;
    Ok(Json(
        shared.read(|store| store.autojoin(&scope_type, &scope)),
    ))
}

/// `POST`: sets (or, with no domains, clears) the autojoin domains of a scope.
pub(super) async fn configure(
    State(shared): State<Arc<Shared>>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let input = AutojoinInput::parse(&parse_object(&body)?)?;
    shared
        .change(|store| Ok(store.configure_autojoin(&input)))
        .map(Json)
}
