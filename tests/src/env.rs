//! One test environment: a vortex-mock upstream, the test app on a framework in front of it,
//! and the checks every answer must pass.

use std::marker::PhantomData;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::Value;
use vortex_client::retry::RetryPolicy;
use vortex_client::{ApiKey, VortexClient};
use vortex_mock::{MockServer, generate_api_key};
use vortex_routes::{Policy, VortexRoutes, VortexUser};

use crate::app::{
    AppConfig, Framework, RunningApp, SUITE_SECRET, SuitePolicy, jwt_attributes_hook,
};
use crate::http::{HttpAnswer, HttpClient, HttpRequest};

/// The client deadline (per call, retries included) of the test app unless a test sets one:
/// generous, so that a retried case stays well inside it on a loaded 2-core machine.
pub const DEFAULT_CLIENT_TIMEOUT: Duration = Duration::from_secs(5);

/// Where the test app's client sends its upstream calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UpstreamMode {
    /// The mock, with its key.
    #[default]
    Mock,
    /// The mock, with another valid key (the mock answers 401).
    WrongKey,
    /// A closed port (connection refused).
    Unreachable,
}

/// How to build an [`Env`].
#[derive(Debug, Clone)]
pub struct EnvOptions {
    /// Invitations stored in the mock before the app starts.
    pub seeds: Vec<Value>,
    /// The router's body limit (default: the crate default, 64 KiB).
    pub body_limit: Option<usize>,
    /// The client timeout.
    pub client_timeout: Duration,
    /// The upstream.
    pub upstream: UpstreamMode,
    /// The app's policy, instead of [`SuitePolicy`].
    pub policy: Option<Policy>,
}

impl Default for EnvOptions {
    fn default() -> Self {
        Self {
            seeds: Vec::new(),
            body_limit: None,
            client_timeout: DEFAULT_CLIENT_TIMEOUT,
            upstream: UpstreamMode::Mock,
            policy: None,
        }
    }
}

/// The client of the test app: short backoffs, one retry, `Retry-After` of a second or more
/// not waited for.
///
/// # Panics
///
/// If the key or URL is invalid.
pub fn suite_client(key: &str, base_url: &str, timeout: Duration) -> VortexClient {
    VortexClient::builder(key)
        .base_url(base_url)
        .retry_policy(
            RetryPolicy::default()
                .max_retries(1)
                .initial_backoff(Duration::from_millis(10))
                .max_backoff(Duration::from_millis(20))
                .max_retry_after(Duration::from_millis(500)),
        )
        .timeout(timeout)
        .build()
        .expect("suite client")
}

/// The Vortex routes of the test app: [`SuitePolicy`], the `/jwt` attributes hook and the
/// body limit.
pub fn suite_routes(client: VortexClient, body_limit: Option<usize>) -> VortexRoutes {
    suite_routes_with(client, body_limit, Policy::new(SuitePolicy))
}

/// [`suite_routes`] with another policy.
pub fn suite_routes_with(
    client: VortexClient,
    body_limit: Option<usize>,
    policy: Policy,
) -> VortexRoutes {
    let mut routes = VortexRoutes::new(client, policy).jwt_attributes(jwt_attributes_hook);
    if let Some(limit) = body_limit {
        routes = routes.body_limit(limit);
    }
    routes
}

/// A closed local port.
///
/// # Panics
///
/// If no port can be bound.
pub fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .expect("bind a port");
    let addr = listener.local_addr().expect("local address");
    drop(listener);
    format!("http://{addr}")
}

/// The admin of the suite: admin scope `autojoin`, e-mail and name.
pub fn admin() -> VortexUser {
    VortexUser::new("admin-1")
        .email("admin@example.com")
        .name("Admin User")
        .admin_scopes(["autojoin"])
}

/// A regular user: e-mail and name, no admin scope.
pub fn regular() -> VortexUser {
    VortexUser::new("user-1")
        .email("ada@example.com")
        .name("Ada Lovelace")
}

/// The value of the user header for `user`.
///
/// # Panics
///
/// Never: a `VortexUser` always serializes.
pub fn user_header(user: &VortexUser) -> String {
    serde_json::to_string(user).expect("VortexUser serializes")
}

/// The secrets that must never appear in an answer: the API key, its secret part, the
/// signing key (hex and base64) and the webhook secret.
///
/// # Panics
///
/// If `key` is not a valid API key.
pub fn secrets_of(key: &str) -> Vec<String> {
    let parsed = ApiKey::parse(key).expect("valid key");
    let signing = parsed.expose_signing_key();
    let hex: String = signing.iter().map(|b| format!("{b:02x}")).collect();
    vec![
        key.to_owned(),
        parsed.expose_secret_part().to_owned(),
        hex,
        URL_SAFE_NO_PAD.encode(signing),
        STANDARD.encode(signing),
        SUITE_SECRET.to_owned(),
    ]
}

/// A mock, the test app on `F` in front of it, and an HTTP client.
pub struct Env<F: Framework> {
    /// The upstream.
    pub mock: MockServer,
    /// The API key of the mock (and of the app's client, unless [`UpstreamMode::WrongKey`]).
    pub key: String,
    /// The app's configuration (its webhook log is shared with the running app).
    pub config: AppConfig,
    /// The running app.
    pub app: RunningApp,
    /// The client that drives the app.
    pub http: HttpClient,
    secrets: Vec<String>,
    _framework: PhantomData<fn() -> F>,
}

impl<F: Framework> std::fmt::Debug for Env<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Env")
            .field("framework", &F::NAME)
            .field("app", &self.app)
            .finish_non_exhaustive()
    }
}

impl<F: Framework> Env<F> {
    /// Starts a mock and the app.
    ///
    /// # Panics
    ///
    /// If the mock or the app cannot start.
    pub async fn start(options: EnvOptions) -> Self {
        let key = generate_api_key();
        let mut builder = MockServer::builder().api_key(&key);
        for seed in options.seeds {
            builder = builder.seed_invitation(seed);
        }
        let mock = builder.start().await.expect("vortex-mock starts");
        let (client_key, base_url) = match options.upstream {
            UpstreamMode::Mock => (key.clone(), mock.base_url().to_owned()),
            UpstreamMode::WrongKey => (generate_api_key(), mock.base_url().to_owned()),
            UpstreamMode::Unreachable => (key.clone(), closed_port_url()),
        };
        let client = suite_client(&client_key, &base_url, options.client_timeout);
        let mut secrets = secrets_of(&key);
        secrets.extend(secrets_of(&client_key));
        let policy = options.policy.unwrap_or_else(|| Policy::new(SuitePolicy));
        let config = AppConfig::new(suite_routes_with(client, options.body_limit, policy));
        let app = F::spawn(config.clone());
        Self {
            mock,
            key,
            config,
            app,
            http: HttpClient::new(),
            secrets,
            _framework: PhantomData,
        }
    }

    /// Sends a request to the app.
    ///
    /// # Errors
    ///
    /// A transport error, as text.
    pub async fn send(&self, request: &HttpRequest) -> Result<HttpAnswer, String> {
        self.http.send(self.app.addr(), request).await
    }

    /// The secrets that must never appear in an answer.
    pub fn secrets(&self) -> &[String] {
        &self.secrets
    }

    /// The checks every answer must pass, as failure messages (empty: all passed): JSON
    /// content type and body, errors shaped `{"error":"…"}`, and no secret in the body or a
    /// header.
    pub fn generic_failures(&self, answer: &HttpAnswer) -> Vec<String> {
        generic_failures(answer, &self.secrets)
    }
}

/// See [`Env::generic_failures`].
pub fn generic_failures(answer: &HttpAnswer, secrets: &[String]) -> Vec<String> {
    let mut failures = Vec::new();
    let content_types = answer.header_values("content-type");
    let is_json = content_types.len() == 1
        && content_types[0]
            .split(';')
            .next()
            .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        failures.push(format!(
            "content-type must be application/json, got {content_types:?}"
        ));
    }
    match answer.json() {
        None => failures.push(format!("body is not JSON: {:?}", answer.text())),
        Some(body) if answer.status >= 400 => {
            let shaped = body.as_object().is_some_and(|object| {
                object.len() == 1
                    && object
                        .get("error")
                        .and_then(Value::as_str)
                        .is_some_and(|e| !e.is_empty())
            });
            if !shaped {
                failures.push(format!(
                    "an error answer must be {{\"error\":\"…\"}}, got {body}"
                ));
            }
        }
        Some(_) => {}
    }
    let text = answer.text();
    for secret in secrets {
        if text.contains(secret.as_str()) {
            failures.push("a secret appears in the body".to_owned());
        }
        if answer
            .headers
            .iter()
            .any(|(_, v)| v.contains(secret.as_str()))
        {
            failures.push("a secret appears in a header".to_owned());
        }
    }
    failures
}
