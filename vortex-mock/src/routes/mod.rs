//! The HTTP surface: the Vortex API under `/api/v1`, the test controls under `/__mock`, and
//! JSON answers for unknown paths (404) and methods (405).

mod autojoin;
mod controls;
mod invitations;
mod scopes;

use std::sync::Arc;

use axum::Router;
use axum::extract::OriginalUri;
use axum::extract::rejection::PathRejection;
use axum::http::Method;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};

use crate::api_error::ApiError;
use crate::gate::gate;
use crate::state::Shared;

/// The whole mock as an axum router.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let api = Router::new()
        .route(
            "/invitations",
            get(invitations::list_by_target).post(invitations::create),
        )
        .route("/invitations/accept", post(invitations::accept))
        .route("/invitations/autojoin", post(autojoin::configure))
        .route(
            "/invitations/sync-internal-invitation",
            post(invitations::sync_internal),
        )
        .route(
            "/invitations/by-scope/{scope_type}/{scope}",
            get(scopes::list).delete(scopes::delete),
        )
        .route(
            "/invitations/by-group/{scope_type}/{scope}",
            get(scopes::list).delete(scopes::delete),
        )
        .route(
            "/invitations/by-scope/{scope_type}/{scope}/autojoin",
            get(autojoin::get),
        )
        .route(
            "/invitations/{id}",
            get(invitations::get).delete(invitations::revoke),
        )
        .route("/invitations/{id}/reinvite", post(invitations::reinvite));

    Router::new()
        .nest("/api/v1", api)
        .nest("/__mock", controls::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn_with_state(Arc::clone(&shared), gate))
        .with_state(shared)
}

async fn not_found(method: Method, OriginalUri(uri): OriginalUri) -> ApiError {
    ApiError::no_route(method.as_str(), uri.path())
}

async fn method_not_allowed(method: Method, OriginalUri(uri): OriginalUri) -> ApiError {
    ApiError::method_not_allowed(method.as_str(), uri.path())
}

/// A path segment that did not decode (e.g. percent-encoded bytes that are not UTF-8).
fn bad_path(rejection: &PathRejection) -> ApiError {
    ApiError::bad_request(format!("Invalid path: {}", rejection.body_text()))
}
