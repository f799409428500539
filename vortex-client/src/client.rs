//! The Vortex API client.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tracing::Instrument as _;

use crate::api_key::ApiKey;
use crate::error::Error;
use crate::metrics;
use crate::retry::{Budget, RetryBudget, RetryPolicy};
use crate::time::Clock;
use crate::token::{JwtParams, Signer, TokenError, TokenOptions, TokenPayload};
use crate::transport::{Transport, TransportError};
use crate::types::{
    AcceptUser, AutojoinDomainsResponse, ConfigureAutojoinRequest, CreateInvitationRequest,
    CreateInvitationResponse, Invitation, SyncInternalInvitationRequest,
    SyncInternalInvitationResponse,
};
use crate::user::VortexUser;

const SDK_NAME: &str = "vortex-client";
const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Everything but RFC 3986 unreserved characters is percent-encoded: a path segment can
/// never contain `/`, `?`, `#` or `%` unencoded, so an id can never reach another path.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Builds a [`VortexClient`].
///
/// ```
/// use std::time::Duration;
/// use vortex_client::VortexClient;
/// use vortex_client::retry::{RetryBudget, RetryPolicy};
///
/// let client = VortexClient::builder("VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing")
///     .base_url("http://127.0.0.1:4010")
///     .timeout(Duration::from_secs(5)) // the deadline of each whole call, retries included
///     .retry_policy(RetryPolicy::default().max_retries(3))
///     .retry_budget(RetryBudget::default().retry_ratio(0.2))
///     .build()?;
/// assert_eq!(client.base_url(), "http://127.0.0.1:4010");
/// # Ok::<(), vortex_client::Error>(())
/// ```
pub struct VortexClientBuilder {
    api_key: String,
    base_url: String,
    timeout: Duration,
    retry: RetryPolicy,
    budget: RetryBudget,
    http: Option<reqwest::Client>,
    clock: Option<Arc<dyn Clock>>,
}

impl fmt::Debug for VortexClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VortexClientBuilder")
            .field("api_key", &"<redacted>")
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("budget", &self.budget)
            .finish_non_exhaustive()
    }
}

impl VortexClientBuilder {
    /// Sets the API base URL (default [`VortexClient::DEFAULT_BASE_URL`]); a trailing `/` is ignored.
    #[must_use]
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Sets the deadline of each call (default [`VortexClient::DEFAULT_TIMEOUT`], 10 s): the whole call,
    /// from the first connection attempt until the last answer is read, retries, backoff
    /// and `Retry-After` waits included. Each attempt gets what is left; when nothing is
    /// left the call fails with [`Error::Timeout`] (or, if an earlier attempt got an answer
    /// worth retrying, with that answer). A `Retry-After` that does not fit in what is left
    /// fails the call at once with the upstream's answer, its `retry_after` kept.
    ///
    /// ```
    /// use std::time::Duration;
    /// use vortex_client::VortexClient;
    ///
    /// let client = VortexClient::builder("VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing")
    ///     .timeout(Duration::from_secs(3))
    ///     .build()?;
    /// assert_eq!(client.timeout(), Duration::from_secs(3));
    /// # Ok::<(), vortex_client::Error>(())
    /// ```
    #[must_use]
    pub fn timeout(mut self, deadline: Duration) -> Self {
        self.timeout = deadline;
        self
    }

    /// Sets the retry policy of each call (default [`RetryPolicy::default`]).
    #[must_use]
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Sets the retry budget that this client and all its clones share (default
    /// [`RetryBudget::default`]: 10% of the calls of the last 10 s, plus 10).
    #[must_use]
    pub fn retry_budget(mut self, budget: RetryBudget) -> Self {
        self.budget = budget;
        self
    }

    /// Sends the requests through your own `reqwest::Client` (custom TLS roots, a proxy of
    /// your choosing, a shared pool). The deadline above still applies to each call.
    ///
    /// Without it, the client sends through hyper's pooled HTTP/1.1 client (rustls for
    /// `https://`, with the platform's certificate verifier), which costs a fraction of a
    /// reqwest call per request; it goes through a default reqwest client instead when the
    /// environment sets a proxy (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, honouring
    /// `NO_PROXY`) or when TLS comes from `native-tls` alone. Neither default follows a
    /// redirect (the API key header would follow it to another host): build yours with
    /// `redirect(reqwest::redirect::Policy::none())` to keep that.
    #[must_use]
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Uses `clock` for the time at which tokens are issued (tests).
    #[must_use]
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Parses the key and builds the client.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidApiKey`] for a malformed key, [`Error::Config`] for a base URL that
    /// is not an `http(s)` URL or a key with characters a header cannot carry.
    pub fn build(self) -> Result<VortexClient, Error> {
        let key = ApiKey::parse(&self.api_key)?;
        let base_url = parse_base_url(&self.base_url)?;
        let mut key_header = HeaderValue::from_str(key.expose_secret()).map_err(|_| {
            Error::Config(
                "the API key contains a line break, a control character or a non-ASCII \
                 character, which an HTTP header cannot carry: copy the key again without \
                 them (check VORTEX_API_KEY for a trailing newline)"
                    .into(),
            )
        })?;
        key_header.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert("x-api-key", key_header);
        headers.insert(
            header::USER_AGENT,
            HeaderValue::from_static(concat!("vortex-client/", env!("CARGO_PKG_VERSION"))),
        );
        headers.insert("x-vortex-sdk-name", HeaderValue::from_static(SDK_NAME));
        headers.insert(
            "x-vortex-sdk-version",
            HeaderValue::from_static(SDK_VERSION),
        );
        headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));

        let api_url = reqwest::Url::parse(&format!("{base_url}/api/v1"))
            .map_err(|e| Error::Config(format!("invalid base URL {base_url:?}: {e}")))?;
        let transport = match self.http {
            Some(client) => Transport::Reqwest(client),
            None => Transport::default_for(api_url.scheme() == "https").map_err(Error::Config)?,
        };
        let mut signer = Signer::new(key);
        if let Some(clock) = self.clock {
            signer = signer.with_arc_clock(clock);
        }
        Ok(VortexClient {
            inner: Arc::new(Inner {
                transport,
                api_url: ApiUrl::new(&api_url)?,
                server_address: server_address(&base_url),
                base_url,
                headers,
                timeout: self.timeout,
                retry: self.retry,
                budget: Budget::new(self.budget),
                signer,
            }),
        })
    }
}

/// The host of a base URL already parsed by [`parse_base_url`].
fn server_address(base_url: &str) -> Arc<str> {
    let url = reqwest::Url::parse(base_url).ok();
    Arc::from(url.as_ref().and_then(reqwest::Url::host_str).unwrap_or(""))
}

/// The base URL without trailing `/`, if it is an `http(s)` URL without query or fragment.
fn parse_base_url(url: &str) -> Result<String, Error> {
    const FIX: &str = "use the http:// or https:// URL of the Vortex API, such as \
                       https://api.vortexsoftware.com (the default when VORTEX_API_BASE_URL is unset)";
    let base_url = url.trim_end_matches('/').to_owned();
    let invalid = |why: &str| Error::Config(format!("invalid base URL {base_url:?}: {why}; {FIX}"));
    let parsed = reqwest::Url::parse(&base_url).map_err(|e| invalid(&e.to_string()))?;
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid("it must not have a query or fragment"));
    }
    if !matches!(parsed.scheme(), "http" | "https") || parsed.cannot_be_a_base() {
        return Err(invalid("it is not an http:// or https:// URL"));
    }
    Ok(base_url)
}

/// The Vortex API client: every upstream endpoint, plus token signing.
///
/// Cheap to clone: clones share one connection pool. Every id given to a method is sent as
/// one percent-encoded path segment; an empty id, `.` or `..` is refused before any request.
///
/// ```no_run
/// use vortex_client::VortexClient;
///
/// # async fn run() -> Result<(), vortex_client::Error> {
/// let client = VortexClient::from_env()?; // VORTEX_API_KEY, VORTEX_API_BASE_URL
/// let invitations = client.get_invitations_by_target("email", "ada@example.com").await?;
/// for invitation in invitations {
///     println!("{} {:?}", invitation.id, invitation.status);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct VortexClient {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Transport,
    base_url: String,
    /// `{base_url}/api/v1`, the prefix of every request URL, parsed once.
    api_url: ApiUrl,
    /// The host of `base_url` (the `server.address` of the metrics).
    server_address: Arc<str>,
    headers: HeaderMap,
    /// The deadline of each call.
    timeout: Duration,
    retry: RetryPolicy,
    /// Shared by all clones: they share `Inner`.
    budget: Budget,
    signer: Signer,
}

/// `{base_url}/api/v1` parsed once: each request's URL is its scheme and authority (shared
/// bytes) with the request's path and query.
struct ApiUrl {
    scheme: http::uri::Scheme,
    authority: http::uri::Authority,
    /// The path, without a trailing `/` (`/api/v1`, or `/prefix/api/v1`).
    path: String,
}

impl ApiUrl {
    /// From the URL as `url` normalized it (host in lower case, default port left out).
    fn new(url: &reqwest::Url) -> Result<Self, Error> {
        let invalid = |why: String| Error::Config(format!("invalid base URL {url}: {why}"));
        let host = url
            .host()
            .ok_or_else(|| invalid("it has no host".to_owned()))?;
        let authority = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        };
        Ok(Self {
            scheme: url
                .scheme()
                .parse()
                .map_err(|e: http::uri::InvalidUri| invalid(e.to_string()))?,
            authority: http::uri::Authority::from_maybe_shared(Bytes::from(authority))
                .map_err(|e| invalid(e.to_string()))?,
            path: url.path().trim_end_matches('/').to_owned(),
        })
    }
}

impl fmt::Debug for VortexClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VortexClient")
            .field("base_url", &self.inner.base_url)
            .field("kid", &self.inner.signer.api_key().kid())
            .field("timeout", &self.inner.timeout)
            .field("retry", &self.inner.retry)
            .field("budget", self.inner.budget.config())
            .finish_non_exhaustive()
    }
}

impl VortexClient {
    /// The production API.
    pub const DEFAULT_BASE_URL: &str = "https://api.vortexsoftware.com";
    /// The deadline of a whole call (attempts, backoff and `Retry-After` waits) unless
    /// configured otherwise.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

    /// A client for `api_key` with the defaults (production URL, a 10 s deadline per call,
    /// retries within the default budget).
    pub fn new(api_key: impl Into<String>) -> Result<Self, Error> {
        Self::builder(api_key).build()
    }

    /// A builder for `api_key`.
    pub fn builder(api_key: impl Into<String>) -> VortexClientBuilder {
        VortexClientBuilder {
            api_key: api_key.into(),
            base_url: Self::DEFAULT_BASE_URL.to_owned(),
            timeout: Self::DEFAULT_TIMEOUT,
            retry: RetryPolicy::default(),
            budget: RetryBudget::default(),
            http: None,
            clock: None,
        }
    }

    /// A builder configured from `VORTEX_API_KEY` (required) and `VORTEX_API_BASE_URL`
    /// (optional).
    pub fn builder_from_env() -> Result<VortexClientBuilder, Error> {
        let key = match std::env::var("VORTEX_API_KEY") {
            Ok(key) if key.trim().is_empty() => {
                return Err(Error::Config(
                    "VORTEX_API_KEY is empty: set it to your Vortex API key \
                     (`VRTX.<key id>.<secret>`, from the Vortex dashboard)"
                        .into(),
                ));
            }
            Ok(key) => key,
            Err(std::env::VarError::NotPresent) => {
                return Err(Error::Config(
                    "VORTEX_API_KEY is not set: set it to your Vortex API key \
                     (`VRTX.<key id>.<secret>`, from the Vortex dashboard)"
                        .into(),
                ));
            }
            Err(std::env::VarError::NotUnicode(_)) => {
                return Err(Error::Config(
                    "VORTEX_API_KEY is not valid UTF-8: copy the key from the Vortex dashboard again"
                        .into(),
                ));
            }
        };
        let mut builder = Self::builder(key);
        if let Ok(url) = std::env::var("VORTEX_API_BASE_URL")
            && !url.trim().is_empty()
        {
            builder = builder.base_url(url);
        }
        Ok(builder)
    }

    /// A client configured from `VORTEX_API_KEY` and `VORTEX_API_BASE_URL`.
    pub fn from_env() -> Result<Self, Error> {
        Self::builder_from_env()?.build()
    }

    /// The API base URL, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The deadline of each call (see [`VortexClientBuilder::timeout`]).
    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }

    /// The signer for tokens and signatures, with this client's key.
    pub fn signer(&self) -> &Signer {
        &self.inner.signer
    }

    /// The legacy JWT that `POST /jwt` returns; see [`Signer::generate_jwt`].
    pub fn generate_jwt(
        &self,
        params: &JwtParams,
        options: TokenOptions,
    ) -> Result<String, TokenError> {
        self.inner.signer.generate_jwt(params, options)
    }

    /// A widget token; see [`Signer::generate_token`].
    pub fn generate_token(
        &self,
        payload: &TokenPayload,
        options: TokenOptions,
    ) -> Result<String, TokenError> {
        self.inner.signer.generate_token(payload, options)
    }

    /// The widget signature of `user`; see [`Signer::sign`].
    pub fn sign(&self, user: &VortexUser) -> Result<String, TokenError> {
        self.inner.signer.sign(user)
    }

    /// The endpoints answering raw JSON, with the upstream key order kept.
    pub fn raw(&self) -> RawApi<'_> {
        RawApi { client: self }
    }

    /// Invitations sent to a target (`GET /api/v1/invitations?targetType=&targetValue=`).
    /// `target_type` is `email`, `phone`, `username`, `phoneNumber` or `internal`.
    pub async fn get_invitations_by_target(
        &self,
        target_type: &str,
        target_value: &str,
    ) -> Result<Vec<Invitation>, Error> {
        let answer = self
            .raw()
            .get_invitations_by_target(target_type, target_value)
            .await?;
        invitations_of(answer)
    }

    /// One invitation.
    pub async fn get_invitation(&self, invitation_id: &str) -> Result<Invitation, Error> {
        decode(self.raw().get_invitation(invitation_id).await?)
    }

    /// Revokes an invitation.
    pub async fn revoke_invitation(&self, invitation_id: &str) -> Result<(), Error> {
        self.raw().revoke_invitation(invitation_id).await.map(drop)
    }

    /// Accepts one invitation for `user` (`POST /api/v1/invitations/accept` with one id):
    /// the recommended way to accept, answering the accepted invitation, typed. An upstream
    /// answer of the form `{"invitations":[…]}` gives its first invitation.
    ///
    /// ```no_run
    /// use vortex_client::VortexClient;
    /// use vortex_client::types::{AcceptUser, InvitationStatus};
    ///
    /// # async fn run() -> Result<(), vortex_client::Error> {
    /// let client = VortexClient::from_env()?;
    /// let user = AcceptUser::email("ada@example.com").name("Ada").is_existing(false);
    /// let invitation = client.accept_invitation("inv-1", &user).await?;
    /// assert_eq!(invitation.status, Some(InvitationStatus::Accepted));
    /// # Ok(()) }
    /// ```
    pub async fn accept_invitation(
        &self,
        invitation_id: &str,
        user: &AcceptUser,
    ) -> Result<Invitation, Error> {
        let answer = self.accept_invitations(&[invitation_id], user).await?;
        decode(first_of_list(answer))
    }

    /// Accepts invitations for `user`, answering the upstream JSON as it is (its shape is
    /// not pinned down: an invitation, or `{"invitations":[…]}`). For one invitation,
    /// [`accept_invitation`](Self::accept_invitation) answers it typed.
    pub async fn accept_invitations<S: AsRef<str>>(
        &self,
        invitation_ids: &[S],
        user: &AcceptUser,
    ) -> Result<Value, Error> {
        self.raw().accept_invitations(invitation_ids, user).await
    }

    /// Invitations of a scope.
    pub async fn get_invitations_by_scope(
        &self,
        scope_type: &str,
        scope: &str,
    ) -> Result<Vec<Invitation>, Error> {
        invitations_of(
            self.raw()
                .get_invitations_by_scope(scope_type, scope)
                .await?,
        )
    }

    /// Deletes the invitations of a scope.
    pub async fn delete_invitations_by_scope(
        &self,
        scope_type: &str,
        scope: &str,
    ) -> Result<(), Error> {
        self.raw()
            .delete_invitations_by_scope(scope_type, scope)
            .await
            .map(drop)
    }

    /// Invitations of a group, on the legacy `by-group` path.
    pub async fn get_invitations_by_group(
        &self,
        group_type: &str,
        group_id: &str,
    ) -> Result<Vec<Invitation>, Error> {
        invitations_of(
            self.raw()
                .get_invitations_by_group(group_type, group_id)
                .await?,
        )
    }

    /// Deletes the invitations of a group, on the legacy `by-group` path.
    pub async fn delete_invitations_by_group(
        &self,
        group_type: &str,
        group_id: &str,
    ) -> Result<(), Error> {
        self.raw()
            .delete_invitations_by_group(group_type, group_id)
            .await
            .map(drop)
    }

    /// Sends an invitation again.
    pub async fn reinvite(&self, invitation_id: &str) -> Result<Invitation, Error> {
        decode(self.raw().reinvite(invitation_id).await?)
    }

    /// Creates an invitation from the server.
    pub async fn create_invitation(
        &self,
        request: &CreateInvitationRequest,
    ) -> Result<CreateInvitationResponse, Error> {
        decode(self.raw().create_invitation(request).await?)
    }

    /// The autojoin domains of a scope.
    pub async fn get_autojoin_domains(
        &self,
        scope_type: &str,
        scope: &str,
    ) -> Result<AutojoinDomainsResponse, Error> {
        decode(self.raw().get_autojoin_domains(scope_type, scope).await?)
    }

    /// Sets the autojoin domains of a scope (an empty list removes them).
    pub async fn configure_autojoin(
        &self,
        request: &ConfigureAutojoinRequest,
    ) -> Result<AutojoinDomainsResponse, Error> {
        decode(self.raw().configure_autojoin(request).await?)
    }

    /// Reports that an internal invitation was accepted or declined.
    pub async fn sync_internal_invitation(
        &self,
        request: &SyncInternalInvitationRequest,
    ) -> Result<SyncInternalInvitationResponse, Error> {
        decode(self.raw().sync_internal_invitation(request).await?)
    }

    async fn call(&self, request: Call<'_>) -> Result<Value, Error> {
        let method = request.method.clone();
        parse_answer(&method, &self.call_bytes(request).await?)
    }

    /// The body of a success answer, as the upstream sent it (errors, retries and the
    /// deadline as for every call).
    async fn call_bytes(&self, request: Call<'_>) -> Result<Bytes, Error> {
        let url = request.url(&self.inner.api_url)?;
        let span = tracing::debug_span!(
            "vortex.api",
            method = %request.method,
            path = %request.path_for_logs(),
            status = tracing::field::Empty,
        );
        async {
            let (status, body) = self
                .send(request.operation, &request.method, &url, request.body)
                .await?;
            tracing::Span::current().record("status", status.as_u16());
            Ok(body)
        }
        .instrument(span)
        .await
    }

    /// Sends the request, retrying as the policy and the budget allow, within the deadline.
    async fn send(
        &self,
        operation: &'static str,
        method: &Method,
        url: &http::Uri,
        body: Option<Vec<u8>>,
    ) -> Result<(StatusCode, Bytes), Error> {
        let inner = &*self.inner;
        let deadline = tokio::time::Instant::now() + inner.timeout;
        let idempotent = matches!(*method, Method::GET | Method::DELETE);
        let body = body.map(Bytes::from);
        inner.budget.deposit();
        let mut retry = 0;
        // The answer of the last attempt, returned if a retry runs out of time: a retry
        // must never make the outcome worse.
        let mut previous: Option<Error> = None;
        loop {
            let attempt = self.attempt(method, url, body.clone());
            let started = std::time::Instant::now();
            let outcome = tokio::time::timeout_at(deadline, attempt).await;
            let record = |outcome| {
                let elapsed = started.elapsed();
                metrics::attempt(operation, method, &inner.server_address, outcome, elapsed);
            };
            let failure = match outcome {
                Ok(Ok(answer)) => {
                    record(metrics::Attempt::Status(answer.0.as_u16()));
                    return Ok(answer);
                }
                Ok(Err(failure)) => {
                    record(failure.outcome);
                    failure
                }
                Err(_) => {
                    record(metrics::Attempt::Error("timeout"));
                    return Err(previous.unwrap_or(Error::Timeout(inner.timeout)));
                }
            };
            let can_retry = idempotent && failure.retryable && retry < inner.retry.max_retries;
            let wait = if can_retry {
                self.retry_wait(&failure, retry, deadline, operation)
            } else {
                None
            };
            let Some(wait) = wait else {
                return Err(failure.error);
            };
            tracing::debug!(
                retry = retry + 1,
                wait_ms = wait.as_millis() as u64,
                "retrying"
            );
            metrics::retry(operation);
            tokio::time::sleep(wait).await;
            previous = Some(failure.error);
            retry += 1;
        }
    }

    /// One attempt: the answer, or why it failed and whether that is worth retrying.
    async fn attempt(
        &self,
        method: &Method,
        url: &http::Uri,
        body: Option<Bytes>,
    ) -> Result<(StatusCode, Bytes), Failure> {
        let inner = &*self.inner;
        let answer = match body {
            Some(body) => {
                let mut headers = inner.headers.clone();
                headers.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
                inner
                    .transport
                    .send(method, url.clone(), &headers, Some(body))
                    .await
            }
            None => {
                inner
                    .transport
                    .send(method, url.clone(), &inner.headers, None)
                    .await
            }
        }
        .map_err(|e| self.transport_failure(e))?;
        let status = answer.status;
        if status.is_success() {
            return Ok((status, answer.body));
        }
        let retry_after = retry_after(&answer.headers);
        Err(Failure {
            retryable: matches!(status.as_u16(), 429 | 502 | 503 | 504),
            retry_after,
            error: self.status_error(status, &answer.body, retry_after),
            outcome: metrics::Attempt::Status(status.as_u16()),
        })
    }

    /// A failed attempt without an answer: retryable when it could not connect.
    fn transport_failure(&self, error: TransportError) -> Failure {
        let outcome = if error.is_timeout() {
            "timeout"
        } else if error.is_connect() {
            "connect"
        } else {
            "transport"
        };
        Failure {
            retryable: error.is_connect(),
            retry_after: None,
            error: self.transport(error),
            outcome: metrics::Attempt::Error(outcome),
        }
    }

    /// How long to wait before retry number `retry` (0-based), or `None` to give up now:
    /// the wait must fit in what is left of the deadline, a `Retry-After` must be at most
    /// `max_retry_after`, and the budget must allow one more retry.
    fn retry_wait(
        &self,
        failure: &Failure,
        retry: u32,
        deadline: tokio::time::Instant,
        operation: &'static str,
    ) -> Option<Duration> {
        let policy = &self.inner.retry;
        let wait = match failure.retry_after {
            Some(after) if after > policy.max_retry_after => return None,
            Some(after) => after,
            None => policy.backoff(retry),
        };
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        if wait >= left {
            tracing::debug!(
                wait_ms = wait.as_millis() as u64,
                left_ms = left.as_millis() as u64,
                "not retrying: the wait does not fit in the deadline"
            );
            return None;
        }
        if !self.inner.budget.try_withdraw() {
            tracing::debug!("not retrying: the retry budget is spent");
            metrics::budget_exhausted(operation);
            return None;
        }
        Some(wait)
    }

    fn transport(&self, error: TransportError) -> Error {
        if error.is_timeout() {
            Error::Timeout(self.inner.timeout)
        } else {
            Error::Transport(error)
        }
    }

    fn status_error(
        &self,
        status: StatusCode,
        body: &[u8],
        retry_after: Option<Duration>,
    ) -> Error {
        let message = upstream_message(body).map(|m| {
            // Never echo the key, even if the upstream does.
            let key = self.inner.signer.api_key();
            m.replace(key.expose_secret(), "<redacted>")
                .replace(key.expose_secret_part(), "<redacted>")
        });
        Error::Status {
            status: status.as_u16(),
            message,
            retry_after,
        }
    }
}

/// A failed attempt.
struct Failure {
    error: Error,
    /// A connection error, or a 429, 502, 503 or 504 answer.
    retryable: bool,
    retry_after: Option<Duration>,
    /// How it ended, for the metrics.
    outcome: metrics::Attempt,
}

/// The Vortex endpoints answering raw JSON (upstream key order kept), for proxies such as
/// the integration routers. Get it with [`VortexClient::raw`].
#[derive(Clone, Copy)]
pub struct RawApi<'a> {
    client: &'a VortexClient,
}

impl fmt::Debug for RawApi<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RawApi").field(self.client).finish()
    }
}

impl RawApi<'_> {
    /// The JSON of a success answer body that a `*_bytes` method returned, exactly as the
    /// method without `_bytes` reads it: [`Error::Decode`] for an empty body or one that is
    /// not JSON.
    ///
    /// ```
    /// use vortex_client::{Error, RawApi};
    ///
    /// assert_eq!(RawApi::parse_body(br#"{"id":"i1"}"#)?["id"], "i1");
    /// assert!(matches!(RawApi::parse_body(b" "), Err(Error::Decode(_))));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn parse_body(body: &[u8]) -> Result<Value, Error> {
        parse_answer(&Method::GET, body)
    }

    /// `GET /api/v1/invitations?targetType=&targetValue=`.
    pub async fn get_invitations_by_target(
        &self,
        target_type: &str,
        target_value: &str,
    ) -> Result<Value, Error> {
        let body = self
            .get_invitations_by_target_bytes(target_type, target_value)
            .await?;
        Self::parse_body(&body)
    }

    /// [`get_invitations_by_target`](Self::get_invitations_by_target), answering the body
    /// as the upstream sent it.
    pub async fn get_invitations_by_target_bytes(
        &self,
        target_type: &str,
        target_value: &str,
    ) -> Result<Bytes, Error> {
        let query = [("targetType", target_type), ("targetValue", target_value)];
        self.client
            .call_bytes(
                Call::new("get_invitations_by_target", Method::GET, &["invitations"]).query(&query),
            )
            .await
    }

    /// `GET /api/v1/invitations/{id}`.
    pub async fn get_invitation(&self, invitation_id: &str) -> Result<Value, Error> {
        Self::parse_body(&self.get_invitation_bytes(invitation_id).await?)
    }

    /// [`get_invitation`](Self::get_invitation), answering the body as the upstream sent it.
    pub async fn get_invitation_bytes(&self, invitation_id: &str) -> Result<Bytes, Error> {
        self.client
            .call_bytes(Call::new(
                "get_invitation",
                Method::GET,
                &["invitations", invitation_id],
            ))
            .await
    }

    /// `DELETE /api/v1/invitations/{id}`; an empty answer is `{}`.
    pub async fn revoke_invitation(&self, invitation_id: &str) -> Result<Value, Error> {
        self.client
            .call(Call::new(
                "revoke_invitation",
                Method::DELETE,
                &["invitations", invitation_id],
            ))
            .await
    }

    /// `POST /api/v1/invitations/accept` with `{"invitationIds","user"}`.
    pub async fn accept_invitations<S: AsRef<str>>(
        &self,
        invitation_ids: &[S],
        user: &AcceptUser,
    ) -> Result<Value, Error> {
        Self::parse_body(&self.accept_invitations_bytes(invitation_ids, user).await?)
    }

    /// [`accept_invitations`](Self::accept_invitations), answering the body as the upstream
    /// sent it.
    pub async fn accept_invitations_bytes<S: AsRef<str>>(
        &self,
        invitation_ids: &[S],
        user: &AcceptUser,
    ) -> Result<Bytes, Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Body<'a> {
            invitation_ids: Vec<&'a str>,
            user: &'a AcceptUser,
        }
        if invitation_ids.is_empty() {
            return Err(Error::InvalidInput(
                "invitation_ids must not be empty".into(),
            ));
        }
        if user.email.is_none() && user.phone.is_none() {
            return Err(Error::InvalidInput(
                "the accepting user needs an email or a phone".into(),
            ));
        }
        let body = Body {
            invitation_ids: invitation_ids.iter().map(AsRef::as_ref).collect(),
            user,
        };
        self.client
            .call_bytes(
                Call::new(
                    "accept_invitations",
                    Method::POST,
                    &["invitations", "accept"],
                )
                .json(&body)?,
            )
            .await
    }

    /// `GET /api/v1/invitations/by-scope/{scopeType}/{scope}`.
    pub async fn get_invitations_by_scope(
        &self,
        scope_type: &str,
        scope: &str,
    ) -> Result<Value, Error> {
        Self::parse_body(
            &self
                .get_invitations_by_scope_bytes(scope_type, scope)
                .await?,
        )
    }

    /// [`get_invitations_by_scope`](Self::get_invitations_by_scope), answering the body as
    /// the upstream sent it.
    pub async fn get_invitations_by_scope_bytes(
        &self,
        scope_type: &str,
        scope: &str,
    ) -> Result<Bytes, Error> {
        let path = ["invitations", "by-scope", scope_type, scope];
        self.client
            .call_bytes(Call::new("get_invitations_by_scope", Method::GET, &path))
            .await
    }

    /// `DELETE /api/v1/invitations/by-scope/{scopeType}/{scope}`.
    pub async fn delete_invitations_by_scope(
        &self,
        scope_type: &str,
        scope: &str,
    ) -> Result<Value, Error> {
        let path = ["invitations", "by-scope", scope_type, scope];
        self.client
            .call(Call::new(
                "delete_invitations_by_scope",
                Method::DELETE,
                &path,
            ))
            .await
    }

    /// `GET /api/v1/invitations/by-group/{groupType}/{groupId}` (legacy path).
    pub async fn get_invitations_by_group(
        &self,
        group_type: &str,
        group_id: &str,
    ) -> Result<Value, Error> {
        let path = ["invitations", "by-group", group_type, group_id];
        self.client
            .call(Call::new("get_invitations_by_group", Method::GET, &path))
            .await
    }

    /// `DELETE /api/v1/invitations/by-group/{groupType}/{groupId}` (legacy path).
    pub async fn delete_invitations_by_group(
        &self,
        group_type: &str,
        group_id: &str,
    ) -> Result<Value, Error> {
        let path = ["invitations", "by-group", group_type, group_id];
        self.client
            .call(Call::new(
                "delete_invitations_by_group",
                Method::DELETE,
                &path,
            ))
            .await
    }

    /// `POST /api/v1/invitations/{id}/reinvite` (no body).
    pub async fn reinvite(&self, invitation_id: &str) -> Result<Value, Error> {
        Self::parse_body(&self.reinvite_bytes(invitation_id).await?)
    }

    /// [`reinvite`](Self::reinvite), answering the body as the upstream sent it.
    pub async fn reinvite_bytes(&self, invitation_id: &str) -> Result<Bytes, Error> {
        let path = ["invitations", invitation_id, "reinvite"];
        self.client
            .call_bytes(Call::new("reinvite", Method::POST, &path))
            .await
    }

    /// `POST /api/v1/invitations`.
    pub async fn create_invitation(
        &self,
        request: &CreateInvitationRequest,
    ) -> Result<Value, Error> {
        self.client
            .call(Call::new("create_invitation", Method::POST, &["invitations"]).json(request)?)
            .await
    }

    /// `GET /api/v1/invitations/by-scope/{scopeType}/{scope}/autojoin`.
    pub async fn get_autojoin_domains(
        &self,
        scope_type: &str,
        scope: &str,
    ) -> Result<Value, Error> {
        let path = ["invitations", "by-scope", scope_type, scope, "autojoin"];
        self.client
            .call(Call::new("get_autojoin_domains", Method::GET, &path))
            .await
    }

    /// `POST /api/v1/invitations/autojoin`.
    pub async fn configure_autojoin(
        &self,
        request: &ConfigureAutojoinRequest,
    ) -> Result<Value, Error> {
        self.client
            .call(
                Call::new(
                    "configure_autojoin",
                    Method::POST,
                    &["invitations", "autojoin"],
                )
                .json(request)?,
            )
            .await
    }

    /// `POST /api/v1/invitations/sync-internal-invitation`.
    pub async fn sync_internal_invitation(
        &self,
        request: &SyncInternalInvitationRequest,
    ) -> Result<Value, Error> {
        Self::parse_body(&self.sync_internal_invitation_bytes(request).await?)
    }

    /// [`sync_internal_invitation`](Self::sync_internal_invitation), answering the body as
    /// the upstream sent it.
    pub async fn sync_internal_invitation_bytes(
        &self,
        request: &SyncInternalInvitationRequest,
    ) -> Result<Bytes, Error> {
        let path = ["invitations", "sync-internal-invitation"];
        self.client
            .call_bytes(Call::new("sync_internal_invitation", Method::POST, &path).json(request)?)
            .await
    }
}

/// One upstream call: its operation (the [`RawApi`] method, a metrics label), method, path
/// segments under `/api/v1`, query and body.
struct Call<'a> {
    operation: &'static str,
    method: Method,
    segments: &'a [&'a str],
    /// Query parameters: names as they are, values percent-encoded.
    query: &'a [(&'static str, &'a str)],
    body: Option<Vec<u8>>,
}

impl<'a> Call<'a> {
    fn new(operation: &'static str, method: Method, segments: &'a [&'a str]) -> Self {
        Self {
            operation,
            method,
            segments,
            query: &[],
            body: None,
        }
    }

    fn query(mut self, query: &'a [(&'static str, &'a str)]) -> Self {
        self.query = query;
        self
    }

    fn json(mut self, body: &impl Serialize) -> Result<Self, Error> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::InvalidInput(format!("cannot encode the request body: {e}")))?;
        self.body = Some(bytes);
        Ok(self)
    }

    /// The request URL under `api_url` (`{base_url}/api/v1`), every segment
    /// percent-encoded; `""`, `.` and `..` are refused. The scheme and host were parsed once
    /// (the URL is the one parsing the whole string would give: the segments hold no `?`,
    /// `#` or `/` unencoded).
    fn url(&self, api_url: &ApiUrl) -> Result<http::Uri, Error> {
        let mut path = String::with_capacity(api_url.path.len() + 96);
        path.push_str(&api_url.path);
        for segment in self.segments {
            if matches!(*segment, "" | "." | "..") {
                return Err(Error::InvalidInput(format!(
                    "{segment:?} is not a valid id: ids must not be empty, `.` or `..`"
                )));
            }
            path.push('/');
            path.extend(utf8_percent_encode(segment, SEGMENT));
        }
        for (i, (name, value)) in self.query.iter().enumerate() {
            path.push(if i == 0 { '?' } else { '&' });
            path.push_str(name);
            path.push('=');
            path.extend(utf8_percent_encode(value, SEGMENT));
        }
        let path = http::uri::PathAndQuery::from_maybe_shared(Bytes::from(path))
            .map_err(|e| Error::InvalidInput(format!("cannot build the request URL: {e}")))?;
        let mut parts = http::uri::Parts::default();
        parts.scheme = Some(api_url.scheme.clone());
        parts.authority = Some(api_url.authority.clone());
        parts.path_and_query = Some(path);
        http::Uri::from_parts(parts)
            .map_err(|e| Error::InvalidInput(format!("cannot build the request URL: {e}")))
    }

    /// The path with its ids (not secret), for tracing.
    fn path_for_logs(&self) -> String {
        let mut path = String::from("/api/v1");
        for segment in self.segments {
            path.push('/');
            path.extend(utf8_percent_encode(segment, SEGMENT));
        }
        path
    }
}

/// `Retry-After` as delay-seconds or as an HTTP date (RFC 9110 §10.2.3).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = crate::time::parse_http_date(value)?;
    let now = i64::try_from(crate::time::SystemClock.now_unix_seconds()).unwrap_or(i64::MAX);
    Some(Duration::from_secs(u64::try_from(at - now).unwrap_or(0)))
}

/// The `message` or `error` text of an error answer, when it is short.
fn upstream_message(body: &[u8]) -> Option<String> {
    const MAX: usize = 300;
    let text = std::str::from_utf8(body).ok()?.trim();
    let message = match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => ["message", "error"]
            .iter()
            .find_map(|k| map.get(*k).and_then(Value::as_str).map(str::to_owned))?,
        Ok(Value::String(s)) => s,
        Ok(_) => return None,
        Err(_) if !text.is_empty() && !text.starts_with('<') => text.to_owned(),
        Err(_) => return None,
    };
    let message = message.trim();
    (!message.is_empty() && message.len() <= MAX).then(|| message.to_owned())
}

/// The JSON of a success answer. An empty answer is `{}` for DELETE (the upstream answers
/// revocations with an empty body or `{}`), and a decode error otherwise.
fn parse_answer(method: &Method, body: &[u8]) -> Result<Value, Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return if *method == Method::DELETE {
            Ok(Value::Object(serde_json::Map::new()))
        } else {
            Err(Error::Decode("the answer is empty".into()))
        };
    }
    serde_json::from_slice(body).map_err(|e| Error::Decode(format!("the answer is not JSON: {e}")))
}

fn decode<T: DeserializeOwned>(value: Value) -> Result<T, Error> {
    if !value.is_object() {
        return Err(Error::Decode(format!(
            "expected a JSON object, got {}",
            crate::webhook::json_kind(&value)
        )));
    }
    serde_json::from_value(value).map_err(|e| Error::Decode(e.to_string()))
}

/// The first element of `{"invitations":[…]}`; any other answer as it is.
fn first_of_list(mut answer: Value) -> Value {
    match answer.get_mut("invitations") {
        Some(Value::Array(list)) if !list.is_empty() => list.swap_remove(0),
        _ => answer,
    }
}

fn invitations_of(mut answer: Value) -> Result<Vec<Invitation>, Error> {
    match answer.get_mut("invitations").map(Value::take) {
        Some(list @ Value::Array(_)) => {
            serde_json::from_value(list).map_err(|e| Error::Decode(e.to_string()))
        }
        _ => Err(Error::Decode(
            "expected an object with an `invitations` array".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api() -> ApiUrl {
        ApiUrl::new(&reqwest::Url::parse("http://x/api/v1").unwrap()).unwrap()
    }

    #[test]
    fn segments_are_encoded_and_dot_segments_refused() {
        let url = Call::new(
            "get_invitation",
            Method::GET,
            &["invitations", "a/b?c#d%e f"],
        )
        .url(&api())
        .unwrap();
        assert_eq!(
            url.to_string(),
            "http://x/api/v1/invitations/a%2Fb%3Fc%23d%25e%20f"
        );
        for bad in ["", ".", ".."] {
            assert!(matches!(
                Call::new("get_invitation", Method::GET, &["invitations", bad]).url(&api()),
                Err(Error::InvalidInput(_))
            ));
        }
        let ok = Call::new("get_invitation", Method::GET, &["invitations", "../x"])
            .url(&api())
            .unwrap();
        assert_eq!(ok.to_string(), "http://x/api/v1/invitations/..%2Fx");
    }

    /// Setting the path and query on the parsed prefix gives the URL that parsing the whole
    /// string gives, whatever the ids hold.
    #[test]
    fn urls_match_parsing_the_whole_string() {
        let ids = [
            "plain", "é t", "a/b", "%2e%2e", "...", "50%", "x?y=z#w", "\\back", "~-_.",
        ];
        for base in [
            "http://x/api/v1",
            "https://h.example:8443/prefix/api/v1",
            "HTTP://Upper.Example:80/api/v1",
            "http://[::1]:8080/api/v1",
        ] {
            let base = reqwest::Url::parse(base).unwrap();
            let api = ApiUrl::new(&base).unwrap();
            for id in ids {
                let query = [("targetValue", id)];
                let segments = ["invitations", id];
                let call = Call::new("op", Method::GET, &segments).query(&query);
                let built = call.url(&api).unwrap();
                let mut whole = format!("{}/invitations/", base.as_str());
                whole.extend(utf8_percent_encode(id, SEGMENT));
                whole.push_str("?targetValue=");
                whole.extend(utf8_percent_encode(id, SEGMENT));
                let parsed = reqwest::Url::parse(&whole).unwrap();
                assert_eq!(built.to_string(), parsed.as_str(), "{id:?}");
            }
        }
    }

    #[test]
    fn answers_keep_the_exact_numbers_sent() {
        // What `JSON.parse` reads: the nearest double (serde_json's default parser is one unit
        // in the last place off for this one; found by the `shape` fuzz target).
        let answer = parse_answer(&Method::GET, br#"{"id":"i","n":1.235678901234568e+49}"#);
        assert_eq!(answer.unwrap()["n"].as_f64(), Some(1.235678901234568e49));
    }

    #[test]
    fn upstream_messages() {
        assert_eq!(
            upstream_message(br#"{"error":"Bad","message":"why"}"#).as_deref(),
            Some("why")
        );
        assert_eq!(
            upstream_message(br#"{"error":"Bad"}"#).as_deref(),
            Some("Bad")
        );
        assert_eq!(upstream_message(b"<html>oops</html>"), None);
        assert_eq!(upstream_message(b"plain text"), Some("plain text".into()));
    }

    #[test]
    fn empty_delete_answers_are_success() {
        assert_eq!(
            parse_answer(&Method::DELETE, b"").unwrap(),
            serde_json::json!({})
        );
        assert_eq!(
            parse_answer(&Method::DELETE, b"{}").unwrap(),
            serde_json::json!({})
        );
        assert!(matches!(
            parse_answer(&Method::GET, b""),
            Err(Error::Decode(_))
        ));
    }
}
