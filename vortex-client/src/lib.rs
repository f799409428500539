#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod api_key;
mod expires;
mod js_object;
pub mod json;
mod token;
mod user;
pub mod webhook;

pub use api_key::{ApiKey, ApiKeyError};
pub use expires::{ExpiresIn, ExpiresInError};
pub use token::{
    Clock, FixedClock, JwtParams, MISSING_USER_ID_WARNING, Signer, SystemClock, TokenError,
    TokenOptions, TokenPayload, canonical_user_json, canonical_user_json_from_map,
};
pub use user::{User, UserId};
