//! The request log: what the mock received, in arrival order.

use axum::http::request::Parts;
use serde_json::{Map, Value};

/// The header that carries the API key; the log keeps only whether it was valid.
pub(crate) const API_KEY_HEADER: &str = "x-api-key";

/// One request the mock received on its API (control requests under `/__mock/` are not
/// recorded).
///
/// The API key itself is never stored: `headers` leaves out `x-api-key` and
/// `api_key_valid` says whether it matched.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path as received, still percent-encoded.
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
    /// Headers in arrival order, names lowercased, `x-api-key` left out.
    pub headers: Vec<(String, String)>,
    /// Whether `x-api-key` was present and equal to the mock's key.
    pub api_key_valid: bool,
    /// The body: parsed JSON, or the raw text if it is not JSON, or `null` if empty.
    pub body: Value,
}

impl RecordedRequest {
    pub(crate) fn capture(parts: &Parts, body: &[u8], api_key_valid: bool) -> Self {
        let headers = parts
            .headers
            .iter()
            .filter(|(name, _)| name.as_str() != API_KEY_HEADER)
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(body)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
        };
        Self {
            method: parts.method.as_str().to_owned(),
            path: parts.uri.path().to_owned(),
            query: parts.uri.query().map(str::to_owned),
            headers,
            api_key_valid,
            body,
        }
    }

    /// The value of a header (name case-insensitive); repeated headers are joined with `, `.
    ///
    /// ```
    /// # async fn demo(mock: &vortex_mock::Mock) {
    /// for request in mock.requests() {
    ///     println!("{} {} from {:?}", request.method, request.path, request.header("user-agent"));
    /// }
    /// # }
    /// ```
    pub fn header(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }

    /// The JSON form served by `GET /__mock/requests`:
    /// `{"method","path","query","headers":{name: value, …, "apiKeyValid": bool},"body"}`.
    pub fn to_json(&self) -> Value {
        let mut headers = Map::new();
        for (name, _) in &self.headers {
            if !headers.contains_key(name) {
                let value = self.header(name).unwrap_or_default();
                headers.insert(name.clone(), Value::String(value));
            }
        }
        headers.insert("apiKeyValid".to_owned(), Value::Bool(self.api_key_valid));
        let mut out = Map::new();
        out.insert("method".into(), self.method.as_str().into());
        out.insert("path".into(), self.path.as_str().into());
        out.insert(
            "query".into(),
            self.query.clone().map_or(Value::Null, Value::String),
        );
        out.insert("headers".into(), Value::Object(headers));
        out.insert("body".into(), self.body.clone());
        Value::Object(out)
    }
}
