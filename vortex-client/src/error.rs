//! Errors of the API client.

use std::fmt;
use std::time::Duration;

use crate::api_key::ApiKeyError;

/// An error from [`VortexClient`](crate::VortexClient).
///
/// Messages never contain the API key. Webhook errors are a separate type,
/// [`WebhookError`](crate::webhook::WebhookError).
///
/// `Debug` (what `main() -> Result` prints) is the variant, then the message, which says
/// what is wrong and what to do:
///
/// ```
/// use vortex_client::VortexClient;
///
/// let error = VortexClient::new("VRTX.my-key").unwrap_err();
/// assert!(format!("{error:?}").starts_with(
///     "InvalidApiKey(Format): Invalid API key format: expected `VRTX.<key id>.<secret>`"
/// ));
/// ```
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API key is malformed (checked when the client is built).
    #[error(transparent)]
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
    /// The call (every attempt, backoff and `Retry-After` wait) did not complete within the
    /// client's deadline, [`VortexClientBuilder::timeout`](crate::VortexClientBuilder::timeout).
    #[error(
        "the Vortex API did not answer within the {0:?} deadline of the call; raise the client timeout if this is expected"
    )]
    Timeout(Duration),
    /// The request could not be sent or its answer not read (DNS, connection, TLS).
    #[error("could not reach the Vortex API: {0}")]
    Transport(#[source] crate::TransportError),
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

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidApiKey(reason) => write!(f, "InvalidApiKey({}): {self}", reason.name()),
            Self::Config(_) => write!(f, "Config: {self}"),
            Self::InvalidInput(_) => write!(f, "InvalidInput: {self}"),
            Self::Status {
                status,
                retry_after,
                ..
            } => {
                write!(f, "Status({status}): {self}")?;
                match retry_after {
                    Some(after) => write!(f, " (Retry-After: {after:?})"),
                    None => Ok(()),
                }
            }
            Self::Timeout(_) => write!(f, "Timeout: {self}"),
            Self::Transport(error) => {
                write!(f, "Transport: {self}")?;
                let mut source = std::error::Error::source(error);
                while let Some(cause) = source {
                    write!(f, ": {cause}")?;
                    source = cause.source();
                }
                Ok(())
            }
            Self::Decode(_) => write!(f, "Decode: {self}"),
        }
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
