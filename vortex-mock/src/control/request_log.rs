//! The request log: what the mock received, in arrival order, the newest
//! [`DEFAULT_REQUEST_LOG_CAPACITY`] (or the configured number) kept.

use std::collections::VecDeque;

use http::request::Parts;
use serde_json::{Map, Value};

/// The header that carries the API key; the log keeps only whether it was valid.
pub(crate) const API_KEY_HEADER: &str = "x-api-key";

/// How many requests the log keeps unless configured otherwise (see
/// [`MockBuilder::request_log_capacity`](crate::MockBuilder::request_log_capacity)).
pub const DEFAULT_REQUEST_LOG_CAPACITY: usize = 10_000;

/// A ring of the newest requests: a long-running mock keeps a bounded log.
#[derive(Debug)]
pub(crate) struct RequestLog {
    entries: VecDeque<RecordedRequest>,
    capacity: usize,
    /// Every request recorded since the start or the last clear, dropped ones included.
    total: u64,
}

impl RequestLog {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            // Grows as requests come, up to the capacity.
            entries: VecDeque::with_capacity(capacity.min(64)),
            capacity,
            total: 0,
        }
    }

    /// Appends `request`, dropping the oldest one when the log is full.
    pub(crate) fn push(&mut self, request: RecordedRequest) {
        self.total += 1;
        if self.capacity == 0 {
            return;
        }
        if self.entries.len() == self.capacity {
            self.entries.pop_front();
        }
        self.entries.push_back(request);
    }

    pub(crate) fn entries(&self) -> impl Iterator<Item = &RecordedRequest> {
        self.entries.iter()
    }

    pub(crate) fn total(&self) -> u64 {
        self.total
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.total = 0;
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn request(i: usize) -> RecordedRequest {
        RecordedRequest {
            method: "GET".into(),
            path: format!("/api/v1/invitations/inv-{i}"),
            query: None,
            headers: Vec::new(),
            api_key_valid: true,
            body: Value::Null,
        }
    }

    #[test]
    fn a_full_default_log_drops_the_oldest_request() {
        let mut log = RequestLog::new(DEFAULT_REQUEST_LOG_CAPACITY);
        for i in 0..=DEFAULT_REQUEST_LOG_CAPACITY {
            log.push(request(i));
        }
        assert_eq!(log.entries().count(), DEFAULT_REQUEST_LOG_CAPACITY);
        assert_eq!(log.total(), 10_001);
        let first = log.entries().next().unwrap();
        assert_eq!(first.path, "/api/v1/invitations/inv-1");
        let last = log.entries().last().unwrap();
        assert_eq!(last.path, "/api/v1/invitations/inv-10000");
    }
}
