//! A request of a made-up framework, built from fuzz input (the adapter module's own example,
//! with everything under the fuzzer's control), and the checks every answer must pass.

use serde_json::Value;
use vortex_routes::adapter::{BodyError, RouteRequest, RouteResponse, UserLookup};

/// What the route core asks of a request, all given up front.
#[derive(Debug)]
pub struct FuzzRequest {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub user: UserLookup,
    pub body: Vec<u8>,
    /// The client stops sending: the body cannot be read.
    pub unreadable: bool,
}

impl RouteRequest for FuzzRequest {
    type Body = Vec<u8>;

    fn method(&self) -> &str {
        &self.method
    }

    fn path(&self) -> &str {
        &self.path
    }

    fn query(&self) -> Option<&str> {
        self.query.as_deref()
    }

    async fn user(&mut self) -> UserLookup {
        std::mem::replace(&mut self.user, UserLookup::Anonymous)
    }

    async fn body(&mut self, limit: usize) -> Result<Vec<u8>, BodyError> {
        if self.unreadable {
            return Err(BodyError::Unreadable);
        }
        BodyError::check_length(Some(self.body.len() as u64), limit)?;
        Ok(std::mem::take(&mut self.body))
    }
}

/// The checks of every answer of the routes: JSON; an error (any status but 200) is an
/// object with a non-empty `error` string; a 405 names the allowed methods. Returns the
/// parsed body.
pub fn check_answer(answer: &RouteResponse) -> Value {
    let body: Value = serde_json::from_str(answer.body()).unwrap_or_else(|e| {
        panic!(
            "answer {} is not JSON ({e}): {}",
            answer.status(),
            answer.body()
        )
    });
    if answer.status() != 200 {
        let error = body.get("error").and_then(Value::as_str);
        assert!(
            error.is_some_and(|e| !e.is_empty()),
            "error answer {} without a non-empty `error`: {}",
            answer.status(),
            answer.body()
        );
    } else {
        assert!(
            body.is_object(),
            "200 answer is not an object: {}",
            answer.body()
        );
    }
    let headers: Vec<_> = answer.headers().collect();
    assert!(
        headers.iter().any(
            |(name, value)| name.eq_ignore_ascii_case("content-type") && value.contains("json")
        ),
        "answer without a JSON content type: {headers:?}"
    );
    if answer.status() == 405 {
        assert!(
            headers
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case("allow")),
            "405 without Allow: {headers:?}"
        );
    }
    body
}

/// Percent-decodes `text` to UTF-8, as the route core decodes a path segment.
pub fn decode(text: &str) -> Option<String> {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .ok()
        .map(|c| c.into_owned())
}
