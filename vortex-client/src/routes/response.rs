//! What a route answers: a status, a JSON body and a few headers, in plain types that each
//! framework adapter turns into its own response.

use serde_json::Value;

use crate::error::Error;

/// An answer of the integration router. Every answer, error or not, has a JSON body.
///
/// ```
/// use vortex_client::routes::RouteResponse;
///
/// let answer = RouteResponse::error(403, "Forbidden");
/// assert_eq!(answer.status(), 403);
/// assert_eq!(answer.body(), r#"{"error":"Forbidden"}"#);
/// assert!(answer.headers().any(|(name, value)| name == "content-type" && value == "application/json"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteResponse {
    status: u16,
    body: String,
    no_store: bool,
    retry_after: Option<u64>,
    allow: Option<&'static str>,
}

impl RouteResponse {
    /// A 200 answer with `body`.
    pub fn ok(body: &Value) -> Self {
        Self::json(200, body)
    }

    /// An answer with `status` and `body`.
    pub fn json(status: u16, body: &Value) -> Self {
        Self {
            status,
            body: serde_json::to_string(body)
                .unwrap_or_else(|_| r#"{"error":"Internal error"}"#.into()),
            no_store: false,
            retry_after: None,
            allow: None,
        }
    }

    /// An error answer: `{"error": message}`.
    pub fn error(status: u16, message: impl Into<String>) -> Self {
        Self::json(status, &serde_json::json!({ "error": message.into() }))
    }

    /// 400 with `message`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::error(400, message)
    }

    /// 401 `Unauthorized`: no signed-in user.
    pub fn unauthorized() -> Self {
        Self::error(401, "Unauthorized")
    }

    /// 403 with the policy's message, or `Forbidden`.
    pub fn forbidden(message: Option<String>) -> Self {
        Self::error(403, message.unwrap_or_else(|| "Forbidden".into()))
    }

    /// 404 `Not found`.
    pub fn not_found() -> Self {
        Self::error(404, "Not found")
    }

    /// 405 `Method not allowed`, with the `Allow` header.
    pub fn method_not_allowed(allow: &'static str) -> Self {
        Self {
            allow: Some(allow),
            ..Self::error(405, "Method not allowed")
        }
    }

    /// 413: the body is larger than `limit` bytes.
    pub fn payload_too_large(limit: usize) -> Self {
        Self::error(
            413,
            format!("Request body is too large: the limit is {limit} bytes"),
        )
    }

    /// 500 `Internal error` (details go to the logs only).
    pub fn internal_error() -> Self {
        Self::error(500, "Internal error")
    }

    /// 400: the request body could not be read (the client stopped sending, or sent a
    /// broken chunked body).
    pub fn unreadable_body() -> Self {
        Self::bad_request("The request body could not be read")
    }

    /// The JSON error answer for a bare status, for framework errors that carry no message
    /// (catchers, extractor failures): `Not found`, `Method not allowed`, …
    ///
    /// ```
    /// use vortex_client::routes::RouteResponse;
    ///
    /// assert_eq!(RouteResponse::for_status(404).body(), r#"{"error":"Not found"}"#);
    /// assert_eq!(RouteResponse::for_status(418).body(), r#"{"error":"Error 418"}"#);
    /// ```
    pub fn for_status(status: u16) -> Self {
        let message = match status {
            400 => "Bad request",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "Not found",
            405 => "Method not allowed",
            408 => "Request timeout",
            409 => "Conflict",
            413 => "Request body is too large",
            415 => "Unsupported media type",
            422 => "Unprocessable entity",
            429 => "Too many requests",
            500 => "Internal error",
            502 => "Vortex API unavailable",
            503 => "Service unavailable",
            504 => "Vortex API timed out",
            other => return Self::error(other, format!("Error {other}")),
        };
        Self::error(status, message)
    }

    /// The answer for an upstream failure, per the error table of the contract.
    pub fn from_upstream(error: &Error) -> Self {
        match error {
            Error::Status { status: 404, .. } => Self::not_found(),
            Error::Status {
                status: status @ (400 | 409 | 422),
                message,
                ..
            } => Self::error(
                *status,
                message
                    .clone()
                    .unwrap_or_else(|| default_reason(*status).into()),
            ),
            Error::Status {
                status: 401 | 403, ..
            } => Self::error(502, "Vortex API rejected the server credentials"),
            Error::Status {
                status: 429,
                retry_after,
                ..
            } => Self {
                retry_after: retry_after.map(|d| d.as_secs().max(1)),
                ..Self::error(503, "Vortex API rate limit reached; retry later")
            },
            Error::Timeout(_) => Self::error(504, "Vortex API timed out"),
            Error::InvalidInput(message) => Self::bad_request(message.clone()),
            Error::InvalidApiKey(_) | Error::Config(_) => Self::internal_error(),
            _ => Self::error(502, "Vortex API unavailable"),
        }
    }

    /// Marks the answer `Cache-Control: no-store` (tokens).
    #[must_use]
    pub fn no_store(mut self) -> Self {
        self.no_store = true;
        self
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The JSON body.
    pub fn body(&self) -> &str {
        &self.body
    }

    /// The JSON body, owned.
    pub fn into_body(self) -> String {
        self.body
    }

    /// The headers to send: `content-type`, and `cache-control`, `retry-after` and `allow`
    /// when they apply. Names are lowercase.
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, String)> + '_ {
        [
            Some(("content-type", "application/json".to_owned())),
            self.no_store
                .then(|| ("cache-control", "no-store".to_owned())),
            self.retry_after.map(|s| ("retry-after", s.to_string())),
            self.allow.map(|a| ("allow", a.to_owned())),
        ]
        .into_iter()
        .flatten()
    }
}

fn default_reason(status: u16) -> &'static str {
    match status {
        400 => "Bad request",
        409 => "Conflict",
        _ => "Unprocessable entity",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn status(status: u16, message: Option<&str>) -> Error {
        Error::Status {
            status,
            message: message.map(str::to_owned),
            retry_after: None,
        }
    }

    #[test]
    fn upstream_errors_follow_the_table() {
        let cases = [
            (status(404, Some("gone")), 404, "Not found"),
            (
                status(409, Some("already accepted")),
                409,
                "already accepted",
            ),
            (status(422, None), 422, "Unprocessable entity"),
            (
                status(401, Some("bad key")),
                502,
                "Vortex API rejected the server credentials",
            ),
            (
                status(403, None),
                502,
                "Vortex API rejected the server credentials",
            ),
            (status(500, Some("boom")), 502, "Vortex API unavailable"),
            (Error::Decode("x".into()), 502, "Vortex API unavailable"),
            (
                Error::Timeout(Duration::from_secs(1)),
                504,
                "Vortex API timed out",
            ),
        ];
        for (error, code, message) in cases {
            let answer = RouteResponse::from_upstream(&error);
            assert_eq!(answer.status(), code, "{error}");
            let body: Value = serde_json::from_str(answer.body()).unwrap();
            assert_eq!(body["error"], message, "{error}");
        }
    }

    #[test]
    fn rate_limit_carries_retry_after() {
        let answer = RouteResponse::from_upstream(&Error::Status {
            status: 429,
            message: None,
            retry_after: Some(Duration::from_secs(7)),
        });
        assert_eq!(answer.status(), 503);
        assert!(answer.headers().any(|h| h == ("retry-after", "7".into())));
    }
}
