//! Fault injection: make the next matching requests slow, fail, or answer garbage.

use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use serde_json::{Map, Value, json};

use crate::error::MockError;
use crate::server::response::{self, Response};

/// The path prefix a [`Fault`] matches by default: the whole API.
const DEFAULT_PATH_PREFIX: &str = "/api/v1";

/// What the body of a faulty answer looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultBody {
    /// Truncated JSON with `Content-Type: application/json`: decoding it must fail.
    Malformed,
    /// No body at all.
    Empty,
    /// This JSON value.
    Json(Value),
}

/// A fault for the next `count` requests whose path starts with `path_prefix` (and whose
/// method is `method`, if set).
///
/// A fault first waits `delay`, then answers `status` with `body` (status 200 when only a
/// body is set; a JSON error body when only a status is set). With neither status nor body,
/// the request is handled normally after the delay. `header`s are added to the answer in
/// every case.
///
/// ```
/// use std::time::Duration;
/// use vortex_mock::{Fault, FaultBody};
///
/// // The next two GETs of the invitation list: wait 50 ms, then 503 with Retry-After.
/// let fault = Fault::new()
///     .path_prefix("/api/v1/invitations")
///     .method("GET")
///     .delay(Duration::from_millis(50))
///     .status(503)
///     .header("Retry-After", "1")
///     .count(2);
/// # let _ = fault;
/// // A 200 whose body is not JSON.
/// let garbage = Fault::new().body(FaultBody::Malformed);
/// # let _ = garbage;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    path_prefix: String,
    method: Option<String>,
    status: Option<u16>,
    delay: Option<Duration>,
    body: Option<FaultBody>,
    headers: Vec<(String, String)>,
    count: u32,
}

impl Default for Fault {
    fn default() -> Self {
        Self::new()
    }
}

impl Fault {
    /// A fault for the next request to any API path, with no effect yet.
    pub fn new() -> Self {
        Self {
            path_prefix: DEFAULT_PATH_PREFIX.to_owned(),
            method: None,
            status: None,
            delay: None,
            body: None,
            headers: Vec::new(),
            count: 1,
        }
    }

    /// Only requests whose raw path starts with `prefix` (default `/api/v1`).
    #[must_use]
    pub fn path_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.path_prefix = prefix.into();
        self
    }

    /// Only requests with this method (case-insensitive).
    #[must_use]
    pub fn method(mut self, method: impl Into<String>) -> Self {
        self.method = Some(method.into().to_ascii_uppercase());
        self
    }

    /// Answer with this status code (100-599).
    #[must_use]
    pub fn status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// Wait this long before answering (or before handling the request normally).
    #[must_use]
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    /// Answer with this body.
    #[must_use]
    pub fn body(mut self, body: FaultBody) -> Self {
        self.body = Some(body);
        self
    }

    /// Add this header to the answer.
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Apply to this many matching requests (default 1).
    #[must_use]
    pub fn count(mut self, count: u32) -> Self {
        self.count = count;
        self
    }

    /// Reads the JSON form of `POST /__mock/faults`:
    /// `{"pathPrefix"?, "method"?, "status"?, "delayMs"?, "body"?: "malformed"|"empty"|<JSON>,
    /// "headers"?: {name: value}, "count"?}`. `null` is the same as absent; unknown fields
    /// are rejected (they are typos).
    ///
    /// ```
    /// use vortex_mock::Fault;
    ///
    /// let fault = Fault::from_json(&serde_json::json!({"status": 503, "count": 2}))?;
    /// assert_eq!(fault, Fault::new().status(503).count(2));
    /// assert!(Fault::from_json(&serde_json::json!({"delay": 5})).is_err());
    /// # Ok::<(), vortex_mock::MockError>(())
    /// ```
    pub fn from_json(json: &Value) -> Result<Self, MockError> {
        let Value::Object(map) = json else {
            return Err(MockError::Fault("a fault must be a JSON object".into()));
        };
        let mut fault = Self::new();
        for (key, value) in map.iter().filter(|(_, v)| !v.is_null()) {
            match key.as_str() {
                "pathPrefix" => fault.path_prefix = string_field(key, value)?,
                "method" => fault = fault.method(string_field(key, value)?),
                "status" => fault.status = Some(int_field(key, value)?),
                "delayMs" => fault.delay = Some(Duration::from_millis(int_field(key, value)?)),
                "count" => fault.count = int_field(key, value)?,
                "body" => {
                    fault.body = Some(match value {
                        Value::String(s) if s == "malformed" => FaultBody::Malformed,
                        Value::String(s) if s == "empty" => FaultBody::Empty,
                        other => FaultBody::Json(other.clone()),
                    });
                }
                "headers" => {
                    let Value::Object(headers) = value else {
                        return Err(MockError::Fault("`headers` must be an object".into()));
                    };
                    for (name, value) in headers {
                        fault
                            .headers
                            .push((name.clone(), string_field(name, value)?));
                    }
                }
                other => {
                    return Err(MockError::Fault(format!(
                        "unknown field `{other}` (expected pathPrefix, method, status, delayMs, body, headers, count)"
                    )));
                }
            }
        }
        Ok(fault)
    }

    /// The JSON form (as `GET /__mock/faults` shows it).
    pub fn to_json(&self) -> Value {
        let body = match &self.body {
            None => Value::Null,
            Some(FaultBody::Malformed) => "malformed".into(),
            Some(FaultBody::Empty) => "empty".into(),
            Some(FaultBody::Json(value)) => value.clone(),
        };
        let headers: Map<String, Value> = self
            .headers
            .iter()
            .map(|(n, v)| (n.clone(), Value::from(v.as_str())))
            .collect();
        json!({
            "pathPrefix": self.path_prefix,
            "method": self.method,
            "status": self.status,
            "delayMs": self.delay.map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
            "body": body,
            "headers": headers,
            "count": self.count,
        })
    }

    /// Checks the fault and prepares it for use.
    pub(crate) fn arm(self) -> Result<ArmedFault, MockError> {
        if self.count == 0 {
            return Err(MockError::Fault("`count` must be at least 1".into()));
        }
        if !self.path_prefix.starts_with('/') {
            return Err(MockError::Fault("`pathPrefix` must start with `/`".into()));
        }
        let method = self
            .method
            .as_deref()
            .map(|m| Method::from_bytes(m.as_bytes()))
            .transpose()
            .map_err(|_| MockError::Fault("`method` is not an HTTP method".into()))?;
        let status = self
            .status
            .map(StatusCode::from_u16)
            .transpose()
            .map_err(|_| MockError::Fault("`status` must be between 100 and 599".into()))?;
        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| MockError::Fault(format!("invalid header name `{name}`")))?;
            let value = HeaderValue::from_str(value)
                .map_err(|_| MockError::Fault(format!("invalid value for header `{name}`")))?;
            headers.append(name, value);
        }
        Ok(ArmedFault {
            remaining: self.count,
            method,
            status,
            headers,
            fault: self,
        })
    }
}

fn string_field(key: &str, value: &Value) -> Result<String, MockError> {
    value
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| MockError::Fault(format!("`{key}` must be a string")))
}

fn int_field<T: TryFrom<u64>>(key: &str, value: &Value) -> Result<T, MockError> {
    value
        .as_u64()
        .and_then(|n| T::try_from(n).ok())
        .ok_or_else(|| MockError::Fault(format!("`{key}` must be a non-negative integer in range")))
}

/// A validated fault with its remaining uses.
#[derive(Debug, Clone)]
pub(crate) struct ArmedFault {
    fault: Fault,
    remaining: u32,
    method: Option<Method>,
    status: Option<StatusCode>,
    headers: HeaderMap,
}

impl ArmedFault {
    fn matches(&self, method: &Method, path: &str) -> bool {
        self.remaining > 0
            && path.starts_with(&self.fault.path_prefix)
            && self.method.as_ref().is_none_or(|m| m == method)
    }

    /// The fault as it stands, with the remaining count.
    pub(crate) fn to_json(&self) -> Value {
        self.fault.clone().count(self.remaining).to_json()
    }
}

/// What the gate does for one faulty request.
#[derive(Debug)]
pub(crate) struct FaultAction {
    /// Wait this long first.
    pub(crate) delay: Option<Duration>,
    /// Answer this instead of handling the request.
    pub(crate) response: Option<Response>,
    /// Add these headers to whatever is answered.
    pub(crate) headers: HeaderMap,
}

/// Takes one use of the first fault matching the request, dropping used-up faults.
pub(crate) fn take(
    faults: &mut Vec<ArmedFault>,
    method: &Method,
    path: &str,
) -> Option<FaultAction> {
    let index = faults.iter().position(|f| f.matches(method, path))?;
    let armed = &mut faults[index];
    armed.remaining -= 1;
    let action = FaultAction {
        delay: armed.fault.delay,
        response: respond(armed.status, armed.fault.body.as_ref()),
        headers: armed.headers.clone(),
    };
    if armed.remaining == 0 {
        faults.remove(index);
    }
    Some(action)
}

/// The body of [`FaultBody::Malformed`]: JSON cut short.
const MALFORMED_JSON: &str = r#"{"invitations":[{"id":"#;

fn respond(status: Option<StatusCode>, body: Option<&FaultBody>) -> Option<Response> {
    let status = match (status, body) {
        (None, None) => return None,
        (Some(status), _) => status,
        (None, Some(_)) => StatusCode::OK,
    };
    let response = match body {
        Some(FaultBody::Malformed) => {
            response::with_content_type(status, MALFORMED_JSON, "application/json")
        }
        Some(FaultBody::Empty) => response::empty(status),
        Some(FaultBody::Json(value)) => response::json(status, value),
        None if status == StatusCode::NO_CONTENT || status == StatusCode::NOT_MODIFIED => {
            response::empty(status)
        }
        None if status.is_client_error() || status.is_server_error() => {
            let error = status.canonical_reason().unwrap_or("Error");
            let body = json!({ "error": error, "message": "Injected fault" });
            response::json(status, &body)
        }
        None => response::json(status, &json!({})),
    };
    Some(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_is_used_up() {
        let mut faults = vec![Fault::new().status(503).count(2).arm().unwrap()];
        let get = Method::GET;
        assert!(take(&mut faults, &get, "/api/v1/invitations").is_some());
        assert!(take(&mut faults, &get, "/other").is_none());
        assert!(take(&mut faults, &get, "/api/v1/x").is_some());
        assert!(faults.is_empty());
    }

    #[test]
    fn method_filter_is_case_insensitive() {
        let mut faults = vec![Fault::new().method("post").status(500).arm().unwrap()];
        assert!(take(&mut faults, &Method::GET, "/api/v1/invitations").is_none());
        assert!(take(&mut faults, &Method::POST, "/api/v1/invitations").is_some());
    }

    #[test]
    fn invalid_faults_are_rejected() {
        assert!(Fault::new().status(42).arm().is_err());
        assert!(Fault::new().count(0).arm().is_err());
        assert!(Fault::new().header("bad name", "x").arm().is_err());
        assert!(Fault::new().path_prefix("api").arm().is_err());
        assert!(Fault::from_json(&json!({"status": -1})).is_err());
        assert!(Fault::from_json(&json!([])).is_err());
    }

    #[test]
    fn json_round_trip() {
        let fault = Fault::new()
            .method("GET")
            .status(503)
            .delay(Duration::from_millis(20))
            .body(FaultBody::Empty)
            .header("Retry-After", "1")
            .count(3);
        assert_eq!(Fault::from_json(&fault.to_json()).unwrap(), fault);
    }
}
