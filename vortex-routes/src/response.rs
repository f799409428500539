//! What a route answers: a status, a JSON body and a few headers, in plain types that each
//! framework adapter turns into its own response.

use std::borrow::Cow;

use serde_json::Value;

use super::error::{ErrorRenderer, RouteError};

/// An answer of the integration router. Every answer, error or not, has a JSON body.
///
/// ```
/// use vortex_routes::adapter::RouteResponse;
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

    /// A 200 answer whose body is JSON text already written (the shaped upstream answers),
    /// moved in as it is.
    pub(crate) fn ok_text(body: String) -> Self {
        Self {
            status: 200,
            body,
            no_store: false,
            retry_after: None,
            allow: None,
        }
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

    /// A 200 answer `{"<key>":"<token>"}` marked `no-store`, written straight into its body
    /// (no `serde_json::Value` on the way): the answer of `/jwt` and `/token`.
    pub(crate) fn token(key: &'static str, token: &str) -> Self {
        // Both are written as they are: the key is one of ours, the token is the signer's
        // (base64url and dots), so neither has anything to escape.
        debug_assert!(is_token_text(key) && is_token_text(token), "{key}: {token}");
        let mut body = String::with_capacity(token.len() + key.len() + 7);
        body.push_str("{\"");
        body.push_str(key);
        body.push_str("\":\"");
        body.push_str(token);
        body.push_str("\"}");
        Self {
            status: 200,
            body,
            no_store: true,
            retry_after: None,
            allow: None,
        }
    }

    /// An error answer: `{"error": message}`.
    pub fn error(status: u16, message: impl Into<String>) -> Self {
        Self::json(status, &serde_json::json!({ "error": message.into() }))
    }

    /// The answer for `error`: its status, `Retry-After` and `Allow`, and the body that
    /// `render` makes of it, or `{"error": message}`.
    pub(crate) fn from_error(error: &RouteError, render: Option<&ErrorRenderer>) -> Self {
        let answer = match render {
            Some(render) => Self::json(error.status(), &render(error)),
            None => Self::error(error.status(), error.message()),
        };
        Self {
            retry_after: error.retry_after(),
            allow: error.allow(),
            ..answer
        }
    }

    /// The JSON error answer for a bare status, for framework errors that carry no message
    /// (catchers, extractor failures): `Not found`, `Method not allowed`, …
    ///
    /// ```
    /// use vortex_routes::adapter::RouteResponse;
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

    /// Adds `Retry-After: seconds`.
    pub(crate) fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
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
    /// when they apply. Names are lowercase; values are borrowed (`'static`) except
    /// `retry-after`, so adapters can make static header values of them without copying.
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, Cow<'static, str>)> + '_ {
        [
            Some(("content-type", Cow::Borrowed("application/json"))),
            self.no_store
                .then_some(("cache-control", Cow::Borrowed("no-store"))),
            self.retry_after
                .map(|s| ("retry-after", Cow::Owned(s.to_string()))),
            self.allow.map(|a| ("allow", Cow::Borrowed(a))),
        ]
        .into_iter()
        .flatten()
    }
}

/// Whether `text` needs no JSON escaping because it is base64url and dots, as every token
/// the signer makes is.
fn is_token_text(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

impl From<RouteError> for RouteResponse {
    fn from(error: RouteError) -> Self {
        Self::from_error(&error, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_keep_their_headers() {
        let answer = RouteResponse::from(RouteError::method_not_allowed("GET, DELETE"));
        assert_eq!(answer.status(), 405);
        assert_eq!(answer.body(), r#"{"error":"Method not allowed"}"#);
        assert!(
            answer
                .headers()
                .any(|h| h == ("allow", "GET, DELETE".into()))
        );
    }

    #[test]
    fn token_answers_are_the_json_of_their_value() {
        for token in [
            "a.b-c_d",
            "",
            "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VySWQiOiJ1In0.c2ln",
        ] {
            let answer = RouteResponse::token("jwt", token);
            let expected = RouteResponse::ok(&serde_json::json!({ "jwt": token })).no_store();
            assert_eq!(answer, expected, "{token:?}");
        }
    }

    #[test]
    fn a_renderer_shapes_the_body() {
        let render: ErrorRenderer = std::sync::Arc::new(
            |error: &RouteError| serde_json::json!({ "code": error.kind().as_str(), "detail": error.message() }),
        );
        let answer = RouteResponse::from_error(&RouteError::unauthorized(), Some(&render));
        assert_eq!(answer.status(), 401);
        assert_eq!(
            answer.body(),
            r#"{"code":"unauthorized","detail":"Unauthorized"}"#
        );
    }
}
