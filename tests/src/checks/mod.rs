//! The checks that are not rows of the table: token bytes, the invitation transform with key
//! order, webhooks, event claims across two instances (in memory and on Redis), the
//! current-user extractor, the `OwnInvitations` policy, mock webhooks delivered end to end,
//! and stalls (a user extractor or an event store that never answers).

pub mod claims;
pub mod e2e;
pub mod me;
pub mod metrics;
pub mod openapi;
pub mod own;
pub mod stalls;
pub mod tokens;
pub mod transform;
pub mod webhooks;

use std::fmt::Write as _;
use std::net::SocketAddr;

use crate::app::{Framework, USER_HEADER};
use crate::env::{Env, generic_failures, user_header};
use crate::http::{HttpAnswer, HttpClient, HttpRequest, ReqBody};
use vortex_routes::VortexUser;

/// Failures of one test, each tagged with the framework and the case.
#[derive(Debug, Default)]
pub struct Failures {
    lines: Vec<String>,
}

impl Failures {
    /// Records a failure of `case`.
    pub fn add<F: Framework>(&mut self, case: &str, why: impl AsRef<str>) {
        self.lines
            .push(format!("[{}] case `{case}`: {}", F::NAME, why.as_ref()));
    }

    /// Records `why` when `ok` is false.
    pub fn ensure<F: Framework>(&mut self, ok: bool, case: &str, why: impl FnOnce() -> String) {
        if !ok {
            self.add::<F>(case, why());
        }
    }

    /// Panics with every failure, if any.
    ///
    /// # Panics
    ///
    /// If a failure was recorded.
    pub fn finish(self, test: &str) {
        if self.lines.is_empty() {
            return;
        }
        let mut report = format!("{} failure(s) in {test}:", self.lines.len());
        for line in &self.lines {
            let _ = write!(report, "\n  - {line}");
        }
        panic!("{report}");
    }
}

/// A request with the JSON content type, from `user` (or anonymous).
pub fn request(method: &str, target: &str, user: Option<&VortexUser>) -> HttpRequest {
    let mut request = HttpRequest::new(method, target).header("content-type", "application/json");
    if let Some(user) = user {
        request = request.header(USER_HEADER, user_header(user));
    }
    request
}

/// A request with a JSON body.
pub fn with_body(request: HttpRequest, body: impl Into<Vec<u8>>) -> HttpRequest {
    request.body(ReqBody::Bytes(body.into()))
}

/// Sends `request` to the environment's app and applies the generic checks; `None`
/// (recorded as a failure) when the app did not answer.
pub async fn send<F: Framework>(
    env: &Env<F>,
    failures: &mut Failures,
    case: &str,
    request: &HttpRequest,
) -> Option<HttpAnswer> {
    send_checked::<F>(
        &env.http,
        env.app.addr(),
        env.secrets(),
        failures,
        case,
        request,
    )
    .await
}

/// Sends `request` to the app at `addr` and applies the generic checks with `secrets`.
pub async fn send_checked<F: Framework>(
    http: &HttpClient,
    addr: SocketAddr,
    secrets: &[String],
    failures: &mut Failures,
    case: &str,
    request: &HttpRequest,
) -> Option<HttpAnswer> {
    match http.send(addr, request).await {
        Ok(answer) => {
            for failure in generic_failures(&answer, secrets) {
                failures.add::<F>(case, failure);
            }
            Some(answer)
        }
        Err(error) => {
            failures.add::<F>(case, format!("no answer: {error}"));
            None
        }
    }
}
