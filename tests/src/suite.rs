//! The entry points that [`conformance_suite!`](crate::conformance_suite) instantiates per
//! framework: each is generic over [`Framework`] and written once.

use crate::app::Framework;
use crate::case::{Group, run_cases};
use crate::checks;
use crate::table::{group_cases, known_bug_cases};

/// Runs the table rows of `group`.
pub async fn group<F: Framework>(group: Group) {
    run_cases::<F>(group_cases(group, F::NAME)).await;
}

/// Runs the table rows marked as known bugs of `F` (expected to fail until fixed).
pub async fn known_bugs<F: Framework>() {
    run_cases::<F>(known_bug_cases(F::NAME)).await;
}

/// `/jwt` tokens byte for byte.
pub async fn jwt_bytes<F: Framework>() {
    checks::tokens::jwt_bytes::<F>().await;
}

/// `/token` tokens byte for byte.
pub async fn token_bytes<F: Framework>() {
    checks::tokens::token_bytes::<F>().await;
}

/// The invitation transform and key order.
pub async fn invitation_transform<F: Framework>() {
    checks::transform::invitation_transform::<F>().await;
}

/// The verified-webhook routes.
pub async fn webhooks<F: Framework>() {
    checks::webhooks::webhooks::<F>().await;
}

/// Event claims across two instances on `store`.
pub async fn webhook_claims<F: Framework>(store: checks::claims::Store) {
    checks::claims::claims::<F>(store).await;
}

/// The ready-made `OwnInvitations` policy behind `AdminScopeOr`.
pub async fn own_invitations<F: Framework>() {
    checks::own::own_invitations::<F>().await;
}

/// Every route of the OpenAPI description is mounted.
pub async fn documented_routes_are_mounted<F: Framework>() {
    checks::openapi::documented_routes_are_mounted::<F>().await;
}

/// The current-user extractor/guard.
pub async fn current_user<F: Framework>() {
    checks::me::current_user::<F>().await;
}

/// vortex-mock webhooks delivered into the app.
pub async fn mock_webhooks_end_to_end<F: Framework>() {
    checks::e2e::mock_webhooks_end_to_end::<F>().await;
}

/// A user extractor that never answers: 503 after the user timeout.
pub async fn stalled_user<F: Framework>() {
    checks::stalls::stalled_user::<F>().await;
}

/// A webhook event store that never answers: 503 after the store timeout.
pub async fn stalled_event_store<F: Framework>() {
    checks::stalls::stalled_event_store::<F>().await;
}

/// The metrics of a scripted sequence (run in the `metrics` test binary: a global recorder).
pub async fn metrics<F: Framework>() {
    checks::metrics::metrics::<F>().await;
}
