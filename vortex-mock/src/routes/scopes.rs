//! `/invitations/by-scope/{scopeType}/{scope}` and the legacy `/by-group/…` alias.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use serde_json::{Value, json};

use super::bad_path;
use crate::api_error::ApiError;
use crate::state::Shared;

type ScopePath = Result<Path<(String, String)>, PathRejection>;

/// `GET`: the invitations of the scope.
pub(super) async fn list(
    State(shared): State<Arc<Shared>>,
    path: ScopePath,
) -> Result<Json<Value>, ApiError> {
    let Path((scope_type, scope)) = path.map_err(|err| bad_path(&err))?;
    Ok(Json(
        shared.read(|store| store.list_by_scope(&scope_type, &scope)),
    ))
}

/// `DELETE`: deletes the invitations of the scope; answers `{}`.
pub(super) async fn delete(
    State(shared): State<Arc<Shared>>,
    path: ScopePath,
) -> Result<Json<Value>, ApiError> {
    let Path((scope_type, scope)) = path.map_err(|err| bad_path(&err))?;
    shared.change(|store| Ok(((), store.delete_by_scope(&scope_type, &scope))))?;
    Ok(Json(json!({})))
}
