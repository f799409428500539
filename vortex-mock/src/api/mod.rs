//! What the mock imitates: the Vortex API under `/api/v1` (its routes and handlers), the
//! stored data and its changes, and the webhooks those changes send.

mod autojoin;
pub(crate) mod clock;
pub(crate) mod error;
pub(crate) mod ids;
pub(crate) mod input;
pub(crate) mod invitation;
mod invitations;
pub(crate) mod sample;
mod scopes;
pub(crate) mod store;
pub(crate) mod webhooks;

use crate::server::router::Route;
use crate::server::{Handler, route};

/// The routes of the Vortex API.
pub(crate) fn routes() -> Vec<Route<Handler>> {
    vec![
        route("/api/v1/invitations")
            .get(invitations::list_by_target)
            .post(invitations::create),
        route("/api/v1/invitations/accept").post(invitations::accept),
        route("/api/v1/invitations/autojoin").post(autojoin::configure),
        route("/api/v1/invitations/sync-internal-invitation").post(invitations::sync_internal),
        route("/api/v1/invitations/by-scope/{scope_type}/{scope}")
            .get(scopes::list)
            .delete(scopes::delete),
        route("/api/v1/invitations/by-group/{scope_type}/{scope}")
            .get(scopes::list)
            .delete(scopes::delete),
        route("/api/v1/invitations/by-scope/{scope_type}/{scope}/autojoin").get(autojoin::get),
        route("/api/v1/invitations/{id}")
            .get(invitations::get)
            .delete(invitations::revoke),
        route("/api/v1/invitations/{id}/reinvite").post(invitations::reinvite),
    ]
}
