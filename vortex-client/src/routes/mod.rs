//! The integration router's behaviour, written once for every framework.
//!
//! `vortex-axum`, `vortex-actix` and `vortex-rocket` mount the routes that the Vortex React
//! provider calls (`/jwt`, `/invitations`, …); everything they do besides converting their
//! framework's requests and responses lives here:
//!
//! - [`VortexRoutes`]: the routes' settings (client, policy, body limit, token lifetime,
//!   [error renderer](VortexRoutes::error_renderer)) and the one request sequence: route
//!   (404/405), user (401), body limit (413), input (400), policy (403), Vortex, answer;
//! - [`Authorize`] and the ready-made policies: who may do what, with the resource in hand
//!   ([`Operation`]);
//! - [`VortexUser`]: the signed-in user, as the app's authentication gives it;
//! - [`RouteError`]: why a route refused, with its status, message and [kind](RouteErrorKind);
//! - [`WebhookVerifier`]: the checks of the verified-webhook extractors;
//! - [`adapter`]: the interface for integration authors (an app never needs it).
//!
//! ```
//! use vortex_client::VortexClient;
//! use vortex_client::routes::{AdminScopeOr, OwnInvitations, VortexRoutes};
//!
//! # fn main() -> Result<(), vortex_client::Error> {
//! let client = VortexClient::new("VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing")?;
//! // Admins may do everything; others see and accept only their own invitations.
//! let routes = VortexRoutes::new(client, AdminScopeOr::new("autojoin", OwnInvitations));
//! # let _ = routes;
//! # Ok(()) }
//! ```

pub mod adapter;
pub mod app;
mod error;
mod handler;
mod input;
mod operation;
mod policy;
mod response;
mod route;
mod transform;
mod webhook;

pub use error::{RouteError, RouteErrorKind};
pub use handler::{DEFAULT_BODY_LIMIT, VortexRoutes};
pub use operation::{Operation, OperationKind};
pub use policy::{
    AdminScopeOr, AllowAllAuthenticated, AllowOperations, Authorize, Decision, DenyAll,
    OwnInvitations, Policy, PolicyFn, policy_fn,
};
pub use route::RouteKind;
pub use transform::{transform_invitation, transform_invitations};
pub use webhook::{ClaimSlot, DEFAULT_WEBHOOK_BODY_LIMIT, WebhookRejection, WebhookVerifier};

pub use crate::user::VortexUser;
