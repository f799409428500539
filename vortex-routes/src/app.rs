//! What an app needs from this crate next to a framework crate: the framework crates
//! (`vortex-axum`, `vortex-actix`, `vortex-rocket`) re-export all of it with one
//! `pub use vortex_routes::app::*;`, so that an app depends on its framework crate
//! alone. The list is here once, not three times.

pub use super::metrics;
#[cfg(feature = "openapi")]
#[cfg_attr(docsrs, doc(cfg(feature = "openapi")))]
pub use super::openapi::{VortexApi, openapi, openapi_json};
pub use super::{
    AdminScopeOr, AllowAllAuthenticated, AllowOperations, Answered, Authorize, Decision, DenyAll,
    Operation, OperationKind, OwnInvitations, RouteError, RouteErrorKind, VortexRoutes, VortexUser,
    WebhookVerifier, policy_fn,
};
pub use vortex_client::webhook::store::{EventClaims, EventStore, InMemoryEventStore};
pub use vortex_client::webhook::{
    AnalyticsEvent, VortexEvent, WebhookError, WebhookEvent, WebhookEventType, sign_payload,
};
pub use vortex_client::{ExpiresIn, VortexClient};
