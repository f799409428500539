//! A row of the conformance table ([`Case`]) and how it is run and checked.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::Semaphore;
use vortex_mock::{Fault, RecordedRequest};
use vortex_routes::VortexUser;

use crate::app::{Framework, MOUNT, USER_HEADER};
use crate::env::{Env, EnvOptions, UpstreamMode, admin, regular, user_header};
use crate::http::{HttpAnswer, HttpRequest, ReqBody};

/// How many cases run at once.
const CONCURRENCY: usize = 8;

/// The part of the contract a case belongs to (one test per group).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// Each route with the React provider's requests (and the other documented bodies).
    Routes,
    /// 401 for anonymous callers, 403 from the policy, the order of checks.
    Auth,
    /// 400 for invalid input.
    Validation,
    /// 404, 405 and 413 answered by the router itself.
    Framework,
    /// Upstream failures mapped to the error table.
    Upstream,
    /// Ids with reserved characters reaching the upstream as one segment.
    Paths,
}

/// Who sends the request.
#[derive(Debug, Clone)]
pub enum Who {
    /// No user header.
    Anonymous,
    /// [`admin`].
    Admin,
    /// [`regular`].
    Regular,
    /// This user.
    User(Box<VortexUser>),
    /// This raw user-header value.
    RawHeader(String),
}

/// A fault to arm in the mock before the request.
#[derive(Debug, Clone)]
pub enum FaultSpec {
    /// This fault.
    Plain(Fault),
    /// The fault built from the mock's API key.
    WithKey(fn(&str) -> Fault),
}

/// A custom check of an answer body.
pub type BodyFn = Arc<dyn Fn(&Value) -> Result<(), String> + Send + Sync>;

/// What the answer body must be.
#[derive(Clone)]
pub enum BodyCheck {
    /// Anything (the generic checks still apply: JSON, error shape, no secrets).
    Any,
    /// Equal to this JSON (key order ignored).
    Json(Value),
    /// Exactly this text (key order and bytes).
    Text(String),
    /// `{"error": <this>}`.
    Error(String),
    /// `{"error": …}` containing each of these (case-insensitive).
    ErrorContains(Vec<String>),
    /// A custom check.
    Check(BodyFn),
}

impl std::fmt::Debug for BodyCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Any => f.write_str("Any"),
            Self::Json(v) => write!(f, "Json({v})"),
            Self::Text(t) => write!(f, "Text({t:?})"),
            Self::Error(e) => write!(f, "Error({e:?})"),
            Self::ErrorContains(parts) => write!(f, "ErrorContains({parts:?})"),
            Self::Check(_) => f.write_str("Check(..)"),
        }
    }
}

/// One upstream request the mock must have received.
#[derive(Debug, Clone, PartialEq)]
pub struct UpstreamCall {
    /// The method.
    pub method: String,
    /// The raw path, still percent-encoded.
    pub path: String,
    /// The raw query.
    pub query: Option<String>,
    /// The JSON body as text, exact (`None`: no body).
    pub body: Option<String>,
}

/// `method path` upstream, no query, no body.
pub fn up(method: &str, path: &str) -> UpstreamCall {
    UpstreamCall {
        method: method.to_owned(),
        path: path.to_owned(),
        query: None,
        body: None,
    }
}

impl UpstreamCall {
    /// Sets the raw query.
    #[must_use]
    pub fn query(mut self, query: &str) -> Self {
        self.query = Some(query.to_owned());
        self
    }

    /// Sets the JSON body (compared as serialized text, so key order counts).
    #[must_use]
    pub fn body(mut self, body: &Value) -> Self {
        self.body = Some(body.to_string());
        self
    }
}

/// What the mock must have received.
#[derive(Debug, Clone)]
pub enum UpstreamCheck {
    /// Not checked.
    Any,
    /// Nothing at all.
    Nothing,
    /// Exactly these requests, in order.
    Calls(Vec<UpstreamCall>),
    /// This many requests (any content).
    Count(usize),
}

/// What an answer header must be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderCheck {
    /// Present with this value.
    Equals(String),
    /// Present, any value.
    Present,
    /// Absent.
    Absent,
}

/// A row of the conformance table.
#[derive(Debug, Clone)]
pub struct Case {
    /// The group.
    pub group: Group,
    /// The name, unique in the table.
    pub name: String,
    /// Invitations seeded in the mock.
    pub seeds: Vec<Value>,
    /// Faults armed in the mock.
    pub faults: Vec<FaultSpec>,
    /// The router's body limit.
    pub body_limit: Option<usize>,
    /// The app client's timeout.
    pub client_timeout: Option<Duration>,
    /// The upstream of the app's client.
    pub upstream_mode: UpstreamMode,
    /// Who sends the request.
    pub who: Who,
    /// The method.
    pub method: String,
    /// The raw target relative to the mount point, e.g. `/invitations/a%2Fb`.
    pub path: String,
    /// Extra headers (`Content-Type: application/json` is always sent unless removed).
    pub headers: Vec<(String, String)>,
    /// Whether to send `Content-Type: application/json` (the React provider always does).
    pub json_content_type: bool,
    /// The body.
    pub body: ReqBody,
    /// The expected status.
    pub status: u16,
    /// The expected body.
    pub body_check: BodyCheck,
    /// The expected upstream requests.
    pub upstream: UpstreamCheck,
    /// Expected headers.
    pub expect_headers: Vec<(String, HeaderCheck)>,
    /// Known bugs: `(framework name, why)`. On those frameworks the case is skipped by the
    /// normal tests and run by the ignored `known_bugs` test.
    pub known_bugs: Vec<(&'static str, &'static str)>,
}

impl Case {
    /// A case sending `method path` (relative to the mount point) as [`Who::Admin`],
    /// expecting 200 and no upstream request unless told otherwise.
    pub fn new(
        group: Group,
        name: impl Into<String>,
        method: &str,
        path: impl Into<String>,
    ) -> Self {
        Self {
            group,
            name: name.into(),
            seeds: Vec::new(),
            faults: Vec::new(),
            body_limit: None,
            client_timeout: None,
            upstream_mode: UpstreamMode::Mock,
            who: Who::Admin,
            method: method.to_owned(),
            path: path.into(),
            headers: Vec::new(),
            json_content_type: true,
            body: ReqBody::None,
            status: 200,
            body_check: BodyCheck::Any,
            upstream: UpstreamCheck::Nothing,
            expect_headers: Vec::new(),
            known_bugs: Vec::new(),
        }
    }

    /// Sent by `who`.
    #[must_use]
    pub fn by(mut self, who: Who) -> Self {
        self.who = who;
        self
    }

    /// Sent anonymously.
    #[must_use]
    pub fn anonymous(self) -> Self {
        self.by(Who::Anonymous)
    }

    /// Sent by the regular user.
    #[must_use]
    pub fn regular(self) -> Self {
        self.by(Who::Regular)
    }

    /// Seeds an invitation.
    #[must_use]
    pub fn seed(mut self, invitation: Value) -> Self {
        self.seeds.push(invitation);
        self
    }

    /// Arms a fault.
    #[must_use]
    pub fn fault(mut self, fault: Fault) -> Self {
        self.faults.push(FaultSpec::Plain(fault));
        self
    }

    /// Arms a fault built from the mock's key.
    #[must_use]
    pub fn fault_with_key(mut self, fault: fn(&str) -> Fault) -> Self {
        self.faults.push(FaultSpec::WithKey(fault));
        self
    }

    /// Sets the router's body limit.
    #[must_use]
    pub fn body_limit(mut self, limit: usize) -> Self {
        self.body_limit = Some(limit);
        self
    }

    /// Sets the app client's timeout.
    #[must_use]
    pub fn client_timeout(mut self, timeout: Duration) -> Self {
        self.client_timeout = Some(timeout);
        self
    }

    /// Sets the upstream of the app's client.
    #[must_use]
    pub fn upstream_mode(mut self, mode: UpstreamMode) -> Self {
        self.upstream_mode = mode;
        self
    }

    /// Adds a request header.
    #[must_use]
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Does not send `Content-Type: application/json`.
    #[must_use]
    pub fn no_content_type(mut self) -> Self {
        self.json_content_type = false;
        self
    }

    /// Sends this JSON body.
    #[must_use]
    pub fn json_body(self, body: &Value) -> Self {
        self.raw_body(body.to_string())
    }

    /// Sends these bytes.
    #[must_use]
    pub fn raw_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = ReqBody::Bytes(body.into());
        self
    }

    /// Sends an empty body (`Content-Length: 0`).
    #[must_use]
    pub fn empty_body(self) -> Self {
        self.raw_body(Vec::new())
    }

    /// Sends these bytes chunked.
    #[must_use]
    pub fn chunked_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = ReqBody::Chunked(body.into());
        self
    }

    /// Expects this status.
    #[must_use]
    pub fn status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    /// Expects this JSON (key order ignored).
    #[must_use]
    pub fn json(mut self, body: Value) -> Self {
        self.body_check = BodyCheck::Json(body);
        self
    }

    /// Expects exactly this text.
    #[must_use]
    pub fn text(mut self, body: &str) -> Self {
        self.body_check = BodyCheck::Text(body.to_owned());
        self
    }

    /// Expects `status` and `{"error": message}`.
    #[must_use]
    pub fn error(mut self, status: u16, message: &str) -> Self {
        self.status = status;
        self.body_check = BodyCheck::Error(message.to_owned());
        self
    }

    /// Expects `status` and an error containing each part.
    #[must_use]
    pub fn error_contains(mut self, status: u16, parts: &[&str]) -> Self {
        self.status = status;
        self.body_check = BodyCheck::ErrorContains(parts.iter().map(|p| (*p).to_owned()).collect());
        self
    }

    /// Expects the body to pass `check`.
    #[must_use]
    pub fn check(
        mut self,
        check: impl Fn(&Value) -> Result<(), String> + Send + Sync + 'static,
    ) -> Self {
        self.body_check = BodyCheck::Check(Arc::new(check));
        self
    }

    /// Expects these upstream requests, in order.
    #[must_use]
    pub fn upstream(mut self, calls: Vec<UpstreamCall>) -> Self {
        self.upstream = UpstreamCheck::Calls(calls);
        self
    }

    /// Expects exactly this many upstream requests.
    #[must_use]
    pub fn upstream_count(mut self, count: usize) -> Self {
        self.upstream = UpstreamCheck::Count(count);
        self
    }

    /// Does not check the upstream requests.
    #[must_use]
    pub fn any_upstream(mut self) -> Self {
        self.upstream = UpstreamCheck::Any;
        self
    }

    /// Expects header `name: value`.
    #[must_use]
    pub fn expect_header(mut self, name: &str, value: &str) -> Self {
        self.expect_headers
            .push((name.to_owned(), HeaderCheck::Equals(value.to_owned())));
        self
    }

    /// Expects header `name`, any value.
    #[must_use]
    pub fn expect_header_present(mut self, name: &str) -> Self {
        self.expect_headers
            .push((name.to_owned(), HeaderCheck::Present));
        self
    }

    /// Expects no header `name`.
    #[must_use]
    pub fn expect_no_header(mut self, name: &str) -> Self {
        self.expect_headers
            .push((name.to_owned(), HeaderCheck::Absent));
        self
    }

    /// Marks the case as a known bug of `framework` ([`Framework::NAME`], or `"*"` for a bug
    /// of the shared core that every framework shows).
    #[must_use]
    pub fn known_bug(mut self, framework: &'static str, why: &'static str) -> Self {
        self.known_bugs.push((framework, why));
        self
    }

    /// The known bug of this case on `framework`, if any.
    pub fn known_bug_on(&self, framework: &str) -> Option<&'static str> {
        self.known_bugs
            .iter()
            .find(|(name, _)| *name == framework || *name == "*")
            .map(|(_, why)| *why)
    }

    /// The request as sent.
    pub fn request(&self) -> HttpRequest {
        let mut request = HttpRequest::new(&self.method, format!("{MOUNT}{}", self.path));
        if self.json_content_type {
            request = request.header("content-type", "application/json");
        }
        let user = match &self.who {
            Who::Anonymous => None,
            Who::Admin => Some(user_header(&admin())),
            Who::Regular => Some(user_header(&regular())),
            Who::User(user) => Some(user_header(user)),
            Who::RawHeader(raw) => Some(raw.clone()),
        };
        if let Some(user) = user {
            request = request.header(USER_HEADER, user);
        }
        for (name, value) in &self.headers {
            request = request.header(name.clone(), value.clone());
        }
        request.body(self.body.clone())
    }

    /// Runs the case against `F`; the failures, each naming the framework and the case.
    pub async fn run<F: Framework>(&self) -> Vec<String> {
        let env = Env::<F>::start(EnvOptions {
            seeds: self.seeds.clone(),
            body_limit: self.body_limit,
            client_timeout: self
                .client_timeout
                .unwrap_or(crate::env::DEFAULT_CLIENT_TIMEOUT),
            upstream: self.upstream_mode,
            policy: None,
        })
        .await;
        for fault in &self.faults {
            let fault = match fault {
                FaultSpec::Plain(fault) => fault.clone(),
                FaultSpec::WithKey(make) => make(&env.key),
            };
            env.mock.inject_fault(fault).expect("valid fault");
        }
        let request = self.request();
        let failures = match env.send(&request).await {
            Ok(answer) => {
                let mut failures = env.generic_failures(&answer);
                failures.extend(self.check_answer(&answer));
                failures.extend(self.check_upstream(&env.mock.requests()));
                if !failures.is_empty() {
                    failures.push(format!(
                        "answer ({}): {} {:?} {}",
                        answer.transport,
                        answer.status,
                        answer.headers,
                        answer.text().chars().take(400).collect::<String>()
                    ));
                }
                failures
            }
            Err(error) => vec![format!("no answer: {error}")],
        };
        drop(env);
        if failures.is_empty() {
            return failures;
        }
        let mut report = format!(
            "[{}] case `{}` ({} {}{}):",
            F::NAME,
            self.name,
            self.method,
            MOUNT,
            self.path.chars().take(120).collect::<String>()
        );
        if let Some(why) = self.known_bug_on(F::NAME) {
            let _ = write!(report, "\n    known bug: {why}");
        }
        for failure in &failures {
            let _ = write!(report, "\n    - {failure}");
        }
        vec![report]
    }

    fn check_answer(&self, answer: &HttpAnswer) -> Vec<String> {
        let mut failures = Vec::new();
        if answer.status != self.status {
            failures.push(format!(
                "status: expected {}, got {}",
                self.status, answer.status
            ));
        }
        let body = answer.json().unwrap_or(Value::Null);
        match &self.body_check {
            BodyCheck::Any => {}
            BodyCheck::Json(expected) => {
                if &body != expected {
                    failures.push(format!("body: expected {expected}, got {body}"));
                }
            }
            BodyCheck::Text(expected) => {
                if &answer.text() != expected {
                    failures.push(format!(
                        "body: expected exactly {expected}, got {}",
                        answer.text()
                    ));
                }
            }
            BodyCheck::Error(message) => {
                let expected = serde_json::json!({ "error": message });
                if body != expected {
                    failures.push(format!("body: expected {expected}, got {body}"));
                }
            }
            BodyCheck::ErrorContains(parts) => {
                let error = body
                    .get("error")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let lower = error.to_lowercase();
                for part in parts {
                    if !lower.contains(&part.to_lowercase()) {
                        failures.push(format!("error {error:?} should mention {part:?}"));
                    }
                }
            }
            BodyCheck::Check(check) => {
                if let Err(why) = check(&body) {
                    failures.push(format!("body: {why}; got {body}"));
                }
            }
        }
        let tokens = self.path == "/jwt" || self.path == "/token";
        if tokens && answer.status == 200 && answer.header("cache-control") != Some("no-store") {
            failures.push(format!(
                "cache-control: expected no-store on a token, got {:?}",
                answer.header("cache-control")
            ));
        }
        for (name, check) in &self.expect_headers {
            let got = answer.header(name);
            let ok = match check {
                HeaderCheck::Equals(value) => got == Some(value.as_str()),
                HeaderCheck::Present => got.is_some(),
                HeaderCheck::Absent => got.is_none(),
            };
            if !ok {
                failures.push(format!("header {name}: expected {check:?}, got {got:?}"));
            }
        }
        failures
    }

    fn check_upstream(&self, recorded: &[RecordedRequest]) -> Vec<String> {
        let mut failures = Vec::new();
        for request in recorded {
            if request.header(USER_HEADER).is_some() || request.header("cookie").is_some() {
                failures.push(format!(
                    "the caller's credentials were forwarded upstream: {} {}",
                    request.method, request.path
                ));
            }
            if self.upstream_mode == UpstreamMode::Mock && !request.api_key_valid {
                failures.push(format!(
                    "upstream {} {} without the valid x-api-key",
                    request.method, request.path
                ));
            }
        }
        let summary = || {
            recorded
                .iter()
                .map(|r| {
                    format!(
                        "{} {}{} {}",
                        r.method,
                        r.path,
                        r.query
                            .as_deref()
                            .map(|q| format!("?{q}"))
                            .unwrap_or_default(),
                        r.body
                    )
                })
                .collect::<Vec<_>>()
        };
        match &self.upstream {
            UpstreamCheck::Any => {}
            UpstreamCheck::Nothing if !recorded.is_empty() => {
                failures.push(format!("expected no upstream request, got {:?}", summary()));
            }
            UpstreamCheck::Nothing => {}
            UpstreamCheck::Count(count) if recorded.len() != *count => {
                failures.push(format!(
                    "expected {count} upstream requests, got {:?}",
                    summary()
                ));
            }
            UpstreamCheck::Count(_) => {}
            UpstreamCheck::Calls(calls) => {
                let got: Vec<UpstreamCall> = recorded
                    .iter()
                    .map(|r| UpstreamCall {
                        method: r.method.clone(),
                        path: r.path.clone(),
                        query: r.query.clone(),
                        body: (!r.body.is_null()).then(|| r.body.to_string()),
                    })
                    .collect();
                if &got != calls {
                    failures.push(format!(
                        "upstream requests: expected {calls:?}, got {got:?}"
                    ));
                }
            }
        }
        failures
    }
}

/// Runs `cases` against `F`, a few at a time; panics with every failure.
///
/// # Panics
///
/// If a case fails, or two cases share a name.
pub async fn run_cases<F: Framework>(cases: Vec<Case>) {
    let mut names = std::collections::HashSet::new();
    for case in &cases {
        assert!(
            names.insert(case.name.clone()),
            "duplicate case name {:?}",
            case.name
        );
    }
    let total = cases.len();
    let permits = Arc::new(Semaphore::new(CONCURRENCY));
    let mut tasks = tokio::task::JoinSet::new();
    for case in cases {
        let permits = Arc::clone(&permits);
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await.expect("semaphore open");
            case.run::<F>().await
        });
    }
    let mut failures = Vec::new();
    while let Some(result) = tasks.join_next().await {
        match result {
            Ok(case_failures) => failures.extend(case_failures),
            Err(error) => failures.push(format!("[{}] a case panicked: {error}", F::NAME)),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed on {}:\n{}",
        failures.len(),
        F::NAME,
        failures.join("\n")
    );
}
