#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod api_key;
#[cfg(feature = "client")]
mod client;
#[cfg(feature = "client")]
mod error;
mod expires;
mod js_object;
mod json;
#[cfg(feature = "client")]
mod retry;
#[cfg(feature = "routes")]
#[cfg_attr(docsrs, doc(cfg(feature = "routes")))]
pub mod routes;
mod time;
mod token;
#[cfg(feature = "client")]
mod types;
mod user;
pub mod webhook;

pub use api_key::{ApiKey, ApiKeyError};
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub use client::{DEFAULT_BASE_URL, DEFAULT_TIMEOUT, RawApi, VortexClient, VortexClientBuilder};
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub use error::Error;
pub use expires::{ExpiresIn, ExpiresInError};
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub use retry::{RetryBudget, RetryPolicy};
pub use time::{Clock, FixedClock, SystemClock};
pub use token::{
    JwtParams, MISSING_USER_ID_WARNING, Signer, TokenError, TokenOptions, TokenPayload,
    canonical_user_json, canonical_user_json_from_map,
};
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub use types::{
    AcceptUser, AutojoinDomain, AutojoinDomainsResponse, ConfigureAutojoinRequest,
    CreateInvitationRequest, CreateInvitationResponse, CreateInvitationScope,
    CreateInvitationTarget, DeliveryType, Invitation, InvitationAcceptance, InvitationScope,
    InvitationStatus, InvitationTarget, InvitationType, Inviter, SyncAction,
    SyncInternalInvitationRequest, SyncInternalInvitationResponse,
};
pub use user::{UserId, VortexUser};
