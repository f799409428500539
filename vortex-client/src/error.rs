//! Errors of the API client.

use std::time::Duration;

use crate::api_key::ApiKeyError;

/// An error from [`VortexClient`](crate::VortexClient).
///
/// Messages never contain the API key. Webhook errors are a separate type,
/// [`WebhookError`](crate::webhook::WebhookError).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API key is malformed (checked when the client is built).
    #[error("invalid Vortex API key: {0}")]
    InvalidApiKey(#[from] ApiKeyError),
    /// Configuration is missing or invalid (for example `VORTEX_API_KEY` unset, or a base URL
    /// that is not an `http(s)` URL).
    #[error("Vortex client configuration: {0}")]
    Config(String),
    /// An argument was refused before any request was sent (for example an empty id, or `..`,
    /// which would climb out of the upstream path).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The Vortex API answered with a non-success status.
    #[error("{}", status_message(*.status, .message.as_deref()))]
    Status {
        /// The HTTP status code.
        status: u16,
        /// The upstream `message` or `error` text, when it sent a short one.
        message: Option<String>,
        /// The upstream `Retry-After`, when it sent one (on 429 and 503).
        retry_after: Option<Duration>,
    },
    /// The request did not complete within the configured timeout.
    #[error(
        "the Vortex API did not answer within {0:?}; raise the client timeout if this is expected"
    )]
    Timeout(Duration),
    /// The request could not be sent or its answer not read (DNS, connection, TLS).
    #[error("could not reach the Vortex API: {0}")]
    Transport(#[source] reqwest::Error),
    /// The answer could not be decoded as the expected JSON.
    #[error("could not decode the Vortex API answer: {0}")]
    Decode(String),
}

fn status_message(status: u16, message: Option<&str>) -> String {
    match message {
        Some(m) => format!("the Vortex API answered {status}: {m}"),
        None => format!("the Vortex API answered {status}"),
    }
}

impl Error {
    /// The upstream HTTP status, for [`Error::Status`].
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether the upstream answered 404 Not Found.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }
}
