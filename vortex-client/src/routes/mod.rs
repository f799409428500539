//! The integration router's behaviour, written once for every framework.
//!
//! `vortex-axum`, `vortex-actix` and `vortex-rocket` mount the routes that the Vortex React
//! provider calls (`/jwt`, `/invitations`, …) and adapt requests and answers; everything else
//! lives here, in plain types (no `http` crate types, since the frameworks use different
//! `http` versions):
//!
//! - [`match_route`]: the route of a method and raw path under the mount point (404/405);
//! - [`VortexRoutes::handle`]: authenticate (401), validate (400), authorize (403) with a
//!   [`Policy`], call Vortex, shape the JSON answer ([`RouteResponse`]);
//! - [`Operation`]: what a request wants to do, with its resource, for the policy;
//! - [`VortexUser`]: the signed-in user, as the app's authentication gives it;
//! - [`WebhookVerifier`]: the checks of the verified-webhook extractors.
//!
//! ```
//! use vortex_client::VortexClient;
//! use vortex_client::routes::{AdminScopeOr, OwnInvitations, RouteRequest, VortexRoutes, VortexUser};
//!
//! # fn main() -> Result<(), vortex_client::Error> {
//! let client = VortexClient::new("VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing")?;
//! // Admins may do everything; others see and accept only their own invitations.
//! let routes = VortexRoutes::new(client, AdminScopeOr::new("autojoin", OwnInvitations));
//! let answer = tokio::runtime::Runtime::new().unwrap().block_on(
//!     routes.respond("PUT", "/jwt", RouteRequest::new(Some(&VortexUser::new("u1")))),
//! );
//! assert_eq!(answer.status(), 405);
//! # Ok(()) }
//! ```

mod handler;
mod input;
mod operation;
mod policy;
mod response;
mod route;
mod transform;
mod user;
mod webhook;

pub use handler::{DEFAULT_BODY_LIMIT, RouteRequest, VortexRoutes};
pub use operation::{Operation, OperationKind};
pub use policy::{
    AdminScopeOr, AllowAllAuthenticated, AllowOperations, Authorize, BoxFuture, Decision, DenyAll,
    DynAuthorize, OwnInvitations, Policy, PolicyFn, policy_fn,
};
pub use response::RouteResponse;
pub use route::{MatchedRoute, RouteKind, match_route};
pub use transform::{transform_invitation, transform_invitations};
pub use user::VortexUser;
pub use webhook::{
    DEFAULT_WEBHOOK_BODY_LIMIT, DynSeenEvents, InMemorySeenEvents, SeenEvents, WebhookRejection,
    WebhookVerifier,
};
