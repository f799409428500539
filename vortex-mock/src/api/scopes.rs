//! `/invitations/by-scope/{scopeType}/{scope}` and the legacy `/by-group/…` alias.

use serde_json::json;

use crate::server::{Answer, Call, Json};

/// `GET`: the invitations of the scope.
pub(super) fn list(call: &Call<'_>) -> Answer {
    let (scope_type, scope) = (call.param("scope_type"), call.param("scope"));
    let text = call
        .shared
        .read(|store| store.list_by_scope(scope_type, scope));
    Ok(Json::Text(text))
}

/// `DELETE`: deletes the invitations of the scope; answers `{}`.
pub(super) fn delete(call: &Call<'_>) -> Answer {
    let (scope_type, scope) = (call.param("scope_type"), call.param("scope"));
    call.shared
        .change(|store| Ok(((), store.delete_by_scope(scope_type, scope))))?;
    Ok(json!({}).into())
}
