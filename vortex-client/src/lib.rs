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
pub mod metrics;
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub mod retry;
pub mod time;
pub mod token;
#[cfg(feature = "client")]
mod transport;
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub mod types;
mod user;
pub mod webhook;

pub use api_key::{ApiKey, ApiKeyError};
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub use client::{RawApi, VortexClient, VortexClientBuilder};
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub use error::Error;
pub use expires::{ExpiresIn, ExpiresInError};
pub use token::{Signer, TokenError};
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub use transport::TransportError;
pub use user::{UserId, VortexUser};
