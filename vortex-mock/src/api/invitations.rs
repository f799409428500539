//! `/invitations`: list by target, create, get, revoke, accept, reinvite, sync internal.

use serde_json::json;

use crate::api::error::ApiError;
use crate::api::input::{self, AcceptInput, CreateInput, SyncInput, parse_object};
use crate::server::{Answer, Call, Json};

/// `GET /invitations?targetType=&targetValue=`.
pub(super) fn list_by_target(call: &Call<'_>) -> Answer {
    let query = call.query();
    let param = |name: &str| {
        query
            .get(name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| ApiError::bad_request(format!("Missing query parameter `{name}`")))
    };
    let target_type = input::stored_target_type(param("targetType")?)?;
    let value = param("targetValue")?;
    let text = call
        .shared
        .read(|store| store.list_by_target(target_type, value));
    Ok(Json::Text(text))
}

/// `GET /invitations/{id}`.
pub(super) fn get(call: &Call<'_>) -> Answer {
    let id = call.param("id");
    call.shared
        .read(|store| store.get_json(id))
        .map(Json::Text)
        .ok_or_else(|| ApiError::invitation_not_found(id))
}

/// `DELETE /invitations/{id}`: revoke; answers `{}`.
pub(super) fn revoke(call: &Call<'_>) -> Answer {
    let id = call.param("id");
    call.shared.change(|store| Ok(((), store.revoke(id)?)))?;
    Ok(json!({}).into())
}

/// `POST /invitations/{id}/reinvite` (no body).
pub(super) fn reinvite(call: &Call<'_>) -> Answer {
    let id = call.param("id");
    call.shared
        .change(|store| store.reinvite(id))
        .map(Json::from)
}

/// `POST /invitations`: create.
pub(super) fn create(call: &Call<'_>) -> Answer {
    let input = CreateInput::parse(&parse_object(call.body)?)?;
    call.shared
        .change(|store| Ok(store.create(&input)))
        .map(Json::from)
}

/// `POST /invitations/accept`.
pub(super) fn accept(call: &Call<'_>) -> Answer {
    let input = AcceptInput::parse(&parse_object(call.body)?)?;
    call.shared
        .change(|store| store.accept(&input))
        .map(Json::from)
}

/// `POST /invitations/sync-internal-invitation`.
pub(super) fn sync_internal(call: &Call<'_>) -> Answer {
    let input = SyncInput::parse(&parse_object(call.body)?)?;
    call.shared
        .change(|store| Ok(store.sync_internal(&input)))
        .map(Json::from)
}
