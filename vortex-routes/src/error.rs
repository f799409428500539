//! Why a route does not answer what the caller asked for: one typed error for routing,
//! authentication, limits, validation, authorization and the upstream.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use vortex_client::Error;

/// What kind of failure a [`RouteError`] is: for logs (`error.kind`) and for an app's
/// [error renderer](super::VortexRoutes::error_renderer).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RouteErrorKind {
    /// No route at this path (404).
    NotFound,
    /// The path takes other methods (405, with `Allow`).
    MethodNotAllowed,
    /// No signed-in user (401).
    Unauthorized,
    /// The body is larger than the limit (413).
    PayloadTooLarge,
    /// The body could not be read (400).
    UnreadableBody,
    /// A path parameter, query parameter or body field is invalid (400).
    InvalidInput,
    /// The policy refused the operation (403).
    Forbidden,
    /// Vortex refused the call: not found, conflict, invalid (404, 400, 409, 422).
    UpstreamRejected,
    /// Vortex rejected the server's API key (502).
    UpstreamCredentials,
    /// Vortex rate-limited the server (503, with `Retry-After` when Vortex sent one).
    UpstreamRateLimited,
    /// Vortex did not answer in time (504).
    UpstreamTimeout,
    /// Vortex failed, or answered something of the wrong shape (502).
    UpstreamUnavailable,
    /// Something the route waits on did not answer within its time: the app's user
    /// extractor or guard (its session store), its policy or JWT attributes hook, the webhook
    /// event store, or Vortex past the route's deadline (503, with `Retry-After`). What
    /// stalled is logged at error level.
    DependencyTimeout,
    /// The app's user extractor or guard answered 503 (its session store is down), or the
    /// webhook event store is down (503, with `Retry-After`).
    DependencyUnavailable,
    /// The app's user extractor or guard failed with a server error, such as a missing
    /// session layer (500; the cause is logged, not sent).
    Misconfigured,
    /// A bug or a broken invariant on our side (500).
    Internal,
}

impl RouteErrorKind {
    /// A stable snake_case name, as logs carry it: `invalid_input`, `forbidden`, …
    ///
    /// ```
    /// use vortex_routes::RouteErrorKind;
    ///
    /// assert_eq!(RouteErrorKind::UpstreamTimeout.as_str(), "upstream_timeout");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Unauthorized => "unauthorized",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnreadableBody => "unreadable_body",
            Self::InvalidInput => "invalid_input",
            Self::Forbidden => "forbidden",
            Self::UpstreamRejected => "upstream_rejected",
            Self::UpstreamCredentials => "upstream_credentials",
            Self::UpstreamRateLimited => "upstream_rate_limited",
            Self::UpstreamTimeout => "upstream_timeout",
            Self::UpstreamUnavailable => "upstream_unavailable",
            Self::DependencyTimeout => "dependency_timeout",
            Self::DependencyUnavailable => "dependency_unavailable",
            Self::Misconfigured => "misconfigured",
            Self::Internal => "internal",
        }
    }
}

impl fmt::Display for RouteErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A route's refusal: its status, the message for the caller and its kind.
///
/// The routes answer it as `{"error": message}` unless the app sets an
/// [error renderer](super::VortexRoutes::error_renderer); the status and the `Retry-After`
/// and `Allow` headers stay.
///
/// ```
/// use vortex_routes::{RouteError, RouteErrorKind};
///
/// let error = RouteError::bad_request("invitationId must not be empty");
/// assert_eq!(error.status(), 400);
/// assert_eq!(error.kind(), RouteErrorKind::InvalidInput);
/// assert_eq!(error.to_string(), "invitationId must not be empty");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
#[non_exhaustive]
pub struct RouteError {
    kind: RouteErrorKind,
    status: u16,
    message: Cow<'static, str>,
    retry_after: Option<u64>,
    allow: Option<&'static str>,
}

impl RouteError {
    fn new(kind: RouteErrorKind, status: u16, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            kind,
            status,
            message: message.into(),
            retry_after: None,
            allow: None,
        }
    }

    /// 400 [`InvalidInput`](RouteErrorKind::InvalidInput) with `message`.
    pub fn bad_request(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(RouteErrorKind::InvalidInput, 400, message)
    }

    /// 401 `Unauthorized`: no signed-in user.
    pub fn unauthorized() -> Self {
        Self::new(RouteErrorKind::Unauthorized, 401, "Unauthorized")
    }

    /// 403 with the policy's message, or `Forbidden`.
    pub fn forbidden(message: Option<String>) -> Self {
        let message = message.map_or(Cow::Borrowed("Forbidden"), Cow::Owned);
        Self::new(RouteErrorKind::Forbidden, 403, message)
    }

    /// 404 `Not found`.
    pub fn not_found() -> Self {
        Self::new(RouteErrorKind::NotFound, 404, "Not found")
    }

    /// 405 `Method not allowed`, with the `Allow` header.
    pub fn method_not_allowed(allow: &'static str) -> Self {
        Self {
            allow: Some(allow),
            ..Self::new(RouteErrorKind::MethodNotAllowed, 405, "Method not allowed")
        }
    }

    /// 413: the body is larger than `limit` bytes.
    pub fn payload_too_large(limit: usize) -> Self {
        let message = format!("Request body is too large: the limit is {limit} bytes");
        Self::new(RouteErrorKind::PayloadTooLarge, 413, message)
    }

    /// 400: the request body could not be read (the client stopped sending, or sent a
    /// broken chunked body).
    pub fn unreadable_body() -> Self {
        let message = "The request body could not be read";
        Self::new(RouteErrorKind::UnreadableBody, 400, message)
    }

    /// 408: the client did not send the request body within the route's deadline.
    pub fn body_timeout() -> Self {
        let message = "The request body was not received in time";
        Self::new(RouteErrorKind::UnreadableBody, 408, message)
    }

    /// 503 [`DependencyTimeout`](RouteErrorKind::DependencyTimeout), `Retry-After: 5`: `what`
    /// (such as "the app's user extractor") did not answer within `waited`. Logged at error
    /// level with both; the caller gets `Service unavailable; retry later`.
    pub fn dependency_timeout(what: &str, waited: Duration) -> Self {
        tracing::error!(
            error.kind = RouteErrorKind::DependencyTimeout.as_str(),
            "{what} did not answer within {}: the Vortex route answers 503",
            Seconds(waited)
        );
        Self {
            retry_after: Some(DEPENDENCY_RETRY_AFTER_SECS),
            ..Self::new(
                RouteErrorKind::DependencyTimeout,
                503,
                "Service unavailable; retry later",
            )
        }
    }

    /// 503 [`DependencyUnavailable`](RouteErrorKind::DependencyUnavailable), `Retry-After: 5`:
    /// the app's user extractor answered 503 (`cause`, logged at warn level, never sent).
    pub fn dependency_unavailable(cause: &str) -> Self {
        tracing::warn!(
            error.kind = RouteErrorKind::DependencyUnavailable.as_str(),
            cause,
            "the app's user extractor is unavailable: the Vortex route answers 503"
        );
        Self {
            retry_after: Some(DEPENDENCY_RETRY_AFTER_SECS),
            ..Self::new(
                RouteErrorKind::DependencyUnavailable,
                503,
                "Service unavailable; retry later",
            )
        }
    }

    /// 500 `Internal error` (details go to the logs only).
    pub fn internal() -> Self {
        Self::new(RouteErrorKind::Internal, 500, "Internal error")
    }

    /// 500 `Internal error` of kind [`Misconfigured`](RouteErrorKind::Misconfigured): the
    /// app's user extractor failed server-side. `cause` is logged at error level, never sent.
    pub fn misconfigured(cause: &str) -> Self {
        tracing::error!(
            error.kind = RouteErrorKind::Misconfigured.as_str(),
            cause,
            "the app's user extractor failed with a server error, so the Vortex routes answer \
             500: check the app's set-up (a missing session layer, state or managed value)"
        );
        Self::new(RouteErrorKind::Misconfigured, 500, "Internal error")
    }

    /// 502 `Vortex API unavailable`.
    pub fn upstream_unavailable() -> Self {
        let message = "Vortex API unavailable";
        Self::new(RouteErrorKind::UpstreamUnavailable, 502, message)
    }

    /// The error for an upstream failure, per the error table of the contract.
    pub fn from_upstream(error: &Error) -> Self {
        use RouteErrorKind as K;
        match error {
            Error::Status { status: 404, .. } => Self {
                kind: K::UpstreamRejected,
                ..Self::not_found()
            },
            Error::Status {
                status: status @ (400 | 409 | 422),
                message,
                ..
            } => {
                let message = message
                    .clone()
                    .map_or(Cow::Borrowed(default_reason(*status)), Cow::Owned);
                Self::new(K::UpstreamRejected, *status, message)
            }
            Error::Status {
                status: 401 | 403, ..
            } => Self::new(
                K::UpstreamCredentials,
                502,
                "Vortex API rejected the server credentials",
            ),
            Error::Status {
                status: 429,
                retry_after,
                ..
            } => Self {
                retry_after: retry_after.map(|d| d.as_secs().max(1)),
                ..Self::new(
                    K::UpstreamRateLimited,
                    503,
                    "Vortex API rate limit reached; retry later",
                )
            },
            // An unavailable upstream that says when to come back (a `Retry-After` longer than
            // what was left of the call's deadline): pass the wait on, so the caller retries
            // then instead of at once.
            Error::Status {
                status: 502..=504,
                retry_after: Some(after),
                ..
            } => Self {
                retry_after: Some(after.as_secs().max(1)),
                ..Self::new(
                    K::UpstreamUnavailable,
                    503,
                    "Vortex API unavailable; retry later",
                )
            },
            Error::Timeout(_) => Self::new(K::UpstreamTimeout, 504, "Vortex API timed out"),
            Error::InvalidInput(message) => Self::bad_request(message.clone()),
            Error::InvalidApiKey(_) | Error::Config(_) => Self::internal(),
            _ => Self::upstream_unavailable(),
        }
    }

    /// The kind.
    pub fn kind(&self) -> RouteErrorKind {
        self.kind
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The message for the caller (the `error` of the default body).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The seconds of the `Retry-After` header, when there is one (rate limits).
    pub fn retry_after(&self) -> Option<u64> {
        self.retry_after
    }

    /// The `Allow` header, when there is one (405).
    pub fn allow(&self) -> Option<&'static str> {
        self.allow
    }
}

/// The `Retry-After` of a 503 for a stalled or unavailable dependency, in seconds: long
/// enough for a restarted session store or Redis to come back.
pub(crate) const DEPENDENCY_RETRY_AFTER_SECS: u64 = 5;

/// A duration as logs and messages say it: `5 s`, `1.5 s`, `250 ms`.
pub(crate) struct Seconds(pub(crate) Duration);

impl fmt::Display for Seconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let millis = self.0.as_millis();
        if millis < 1000 {
            write!(f, "{millis} ms")
        } else if millis.is_multiple_of(1000) {
            write!(f, "{} s", millis / 1000)
        } else {
            write!(f, "{} s", self.0.as_secs_f64())
        }
    }
}

fn default_reason(status: u16) -> &'static str {
    match status {
        400 => "Bad request",
        409 => "Conflict",
        _ => "Unprocessable entity",
    }
}

/// An app's renderer of error bodies; see [`VortexRoutes::error_renderer`](super::VortexRoutes::error_renderer).
pub(crate) type ErrorRenderer = Arc<dyn Fn(&RouteError) -> Value + Send + Sync>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_write_them() {
        let read = |d| Seconds(d).to_string();
        assert_eq!(read(Duration::from_secs(5)), "5 s");
        assert_eq!(read(Duration::from_millis(1500)), "1.5 s");
        assert_eq!(read(Duration::from_millis(250)), "250 ms");
    }

    #[test]
    fn a_stalled_dependency_is_a_retryable_503() {
        let error =
            RouteError::dependency_timeout("the app's user extractor", Duration::from_secs(5));
        assert_eq!(error.status(), 503);
        assert_eq!(error.kind(), RouteErrorKind::DependencyTimeout);
        assert_eq!(error.retry_after(), Some(DEPENDENCY_RETRY_AFTER_SECS));
        assert_eq!(error.message(), "Service unavailable; retry later");
    }

    fn status(status: u16, message: Option<&str>) -> Error {
        Error::Status {
            status,
            message: message.map(str::to_owned),
            retry_after: None,
        }
    }

    #[test]
    fn upstream_errors_follow_the_table() {
        use RouteErrorKind as K;
        let cases = [
            (
                status(404, Some("gone")),
                404,
                "Not found",
                K::UpstreamRejected,
            ),
            (
                status(409, Some("already accepted")),
                409,
                "already accepted",
                K::UpstreamRejected,
            ),
            (
                status(422, None),
                422,
                "Unprocessable entity",
                K::UpstreamRejected,
            ),
            (
                status(401, Some("bad key")),
                502,
                "Vortex API rejected the server credentials",
                K::UpstreamCredentials,
            ),
            (
                status(403, None),
                502,
                "Vortex API rejected the server credentials",
                K::UpstreamCredentials,
            ),
            (
                status(500, Some("boom")),
                502,
                "Vortex API unavailable",
                K::UpstreamUnavailable,
            ),
            (
                Error::Decode("x".into()),
                502,
                "Vortex API unavailable",
                K::UpstreamUnavailable,
            ),
            (
                Error::Timeout(Duration::from_secs(1)),
                504,
                "Vortex API timed out",
                K::UpstreamTimeout,
            ),
        ];
        for (error, code, message, kind) in cases {
            let route_error = RouteError::from_upstream(&error);
            assert_eq!(route_error.status(), code, "{error}");
            assert_eq!(route_error.message(), message, "{error}");
            assert_eq!(route_error.kind(), kind, "{error}");
        }
    }

    #[test]
    fn rate_limit_carries_retry_after() {
        let error = RouteError::from_upstream(&Error::Status {
            status: 429,
            message: None,
            retry_after: Some(Duration::from_secs(7)),
        });
        assert_eq!(error.status(), 503);
        assert_eq!(error.retry_after(), Some(7));
        assert_eq!(error.kind(), RouteErrorKind::UpstreamRateLimited);
    }

    #[test]
    fn an_unavailable_upstream_that_names_a_wait_passes_it_on() {
        let with_wait = RouteError::from_upstream(&Error::Status {
            status: 503,
            message: None,
            retry_after: Some(Duration::from_secs(30)),
        });
        assert_eq!(with_wait.status(), 503);
        assert_eq!(with_wait.retry_after(), Some(30));
        assert_eq!(with_wait.kind(), RouteErrorKind::UpstreamUnavailable);
        // Without a wait, the error table's 502.
        let without = RouteError::from_upstream(&Error::Status {
            status: 503,
            message: None,
            retry_after: None,
        });
        assert_eq!((without.status(), without.retry_after()), (502, None));
    }
}
