#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod adapter;
mod answered;
pub mod app;
mod error;
mod handler;
mod input;
pub mod metrics;
#[cfg(feature = "openapi")]
#[cfg_attr(docsrs, doc(cfg(feature = "openapi")))]
pub mod openapi;
mod operation;
mod policy;
mod response;
mod route;
mod shape;
mod transform;
mod webhook;

pub use answered::Answered;
pub use error::{RouteError, RouteErrorKind};
pub use handler::{
    DEFAULT_BODY_LIMIT, DEFAULT_DEADLINE_MARGIN, DEFAULT_USER_TIMEOUT, VortexRoutes,
};
pub use operation::{Operation, OperationKind};
pub use policy::{
    AdminScopeOr, AllowAllAuthenticated, AllowOperations, Authorize, Decision, DenyAll,
    OwnInvitations, Policy, PolicyFn, policy_fn,
};
pub use route::RouteKind;
#[doc(hidden)]
pub use shape::bench as __bench;
pub use transform::{transform_invitation, transform_invitations};
pub use webhook::{
    ClaimSlot, DEFAULT_STORE_TIMEOUT, DEFAULT_WEBHOOK_BODY_LIMIT, WebhookRejection, WebhookVerifier,
};

pub use vortex_client::VortexUser;
