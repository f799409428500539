//! The error type of the library API (building, seeding, fault injection).

use std::io;
use std::net::SocketAddr;

use vortex_client::ApiKeyError;

/// Why the mock could not be built, started or changed.
///
/// Messages never contain the API key or the webhook secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MockError {
    /// The API key given to [`MockBuilder::api_key`](crate::MockBuilder::api_key) is not a
    /// valid Vortex key.
    #[error("invalid API key for the mock: {0}")]
    ApiKey(#[from] ApiKeyError),
    /// The webhook URL is not an absolute `http://` or `https://` URL.
    #[error("invalid webhook URL: {0}")]
    WebhookUrl(String),
    /// The webhook secret is empty.
    #[error("the webhook secret must not be empty")]
    WebhookSecret,
    /// The HTTP client that delivers webhooks could not be built.
    #[error("could not build the webhook HTTP client: {0}")]
    HttpClient(String),
    /// The listening socket could not be opened.
    #[error("could not listen on {addr}: {source}")]
    Bind {
        /// The address that was asked for.
        addr: SocketAddr,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
    /// A seeded invitation or autojoin configuration is invalid.
    #[error("invalid seed: {0}")]
    Seed(String),
    /// A fault description is invalid.
    #[error("invalid fault: {0}")]
    Fault(String),
}
