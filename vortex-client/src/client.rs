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
use crate::token::{Clock, JwtParams, Signer, TokenError, TokenOptions, TokenPayload};
use crate::types::{
    AcceptUser, AutojoinDomainsResponse, ConfigureAutojoinRequest, CreateInvitationRequest,
    CreateInvitationResponse, Invitation, SyncInternalInvitationRequest,
    SyncInternalInvitationResponse,
};
use crate::user::VortexUser;

/// The production API.
pub const DEFAULT_BASE_URL: &str = "https://api.vortexsoftware.com";
/// The request timeout unless configured otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

const SDK_NAME: &str = "vortex-client";
const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Everything but RFC 3986 unreserved characters is percent-encoded: a path segment can
/// never contain `/`, `?`, `#` or `%` unencoded, so an id can never reach another path.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// When to retry a request.
///
/// Only idempotent requests (GET, DELETE) are retried, and only after a connection error
/// or a 429, 502, 503 or 504 answer. The wait doubles from `initial_backoff` up to
/// `max_backoff`, with full jitter; a `Retry-After` answer is honoured when it is at most
/// `max_retry_after` (otherwise the error is returned at once, with its `retry_after`).
///
/// ```
/// use std::time::Duration;
/// use vortex_client::RetryPolicy;
///
/// let policy = RetryPolicy::default().max_retries(3).initial_backoff(Duration::from_millis(50));
/// assert_eq!(policy.max_retries, 3);
/// assert_eq!(RetryPolicy::none().max_retries, 0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Retries after the first attempt (default 2).
    pub max_retries: u32,
    /// First backoff (default 100 ms).
    pub initial_backoff: Duration,
    /// Largest backoff (default 2 s).
    pub max_backoff: Duration,
    /// Longest `Retry-After` that is waited for (default 10 s).
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 2,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(2),
            max_retry_after: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// Sets the number of retries.
    #[must_use]
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = max_retries;
        self
    }

    /// Sets the first backoff.
    #[must_use]
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// Sets the largest backoff.
    #[must_use]
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// Sets the longest `Retry-After` waited for.
    #[must_use]
    pub fn max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// The jittered wait before retry number `retry` (0-based).
    fn backoff(&self, retry: u32) -> Duration {
        let ceiling = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(retry))
            .min(self.max_backoff);
        let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(fastrand::u64(0..=millis))
    }
}

/// Builds a [`VortexClient`].
///
/// ```
/// use std::time::Duration;
/// use vortex_client::{RetryPolicy, VortexClient};
///
/// let client = VortexClient::builder("VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing")
///     .base_url("http://127.0.0.1:4010")
///     .timeout(Duration::from_secs(5))
///     .retry_policy(RetryPolicy::none())
///     .build()?;
/// assert_eq!(client.base_url(), "http://127.0.0.1:4010");
/// # Ok::<(), vortex_client::Error>(())
/// ```
pub struct VortexClientBuilder {
    api_key: String,
    base_url: String,
    timeout: Duration,
    retry: RetryPolicy,
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
            .finish_non_exhaustive()
    }
}

impl VortexClientBuilder {
    /// Sets the API base URL (default [`DEFAULT_BASE_URL`]); a trailing `/` is ignored.
    #[must_use]
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Sets the timeout of each request, from connecting until the answer is read
    /// (default 10 s).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the retry policy.
    #[must_use]
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Uses your own `reqwest::Client` (proxies, custom TLS, a shared pool). The client
    /// timeout above still applies to each request.
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
    pub fn build(self) -> Result<VortexClient, Error> {
        let key = ApiKey::parse(&self.api_key)?;
        let base_url = self.base_url.trim_end_matches('/').to_owned();
        let parsed = reqwest::Url::parse(&base_url)
            .map_err(|e| Error::Config(format!("invalid base URL {base_url:?}: {e}")))?;
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(Error::Config(format!(
                "invalid base URL {base_url:?}: it must not have a query or fragment"
            )));
        }
        if !matches!(parsed.scheme(), "http" | "https") || parsed.cannot_be_a_base() {
            return Err(Error::Config(format!(
                "invalid base URL {base_url:?}: use an http:// or https:// URL"
            )));
        }
        let mut key_header = HeaderValue::from_str(key.expose_secret()).map_err(|_| {
            Error::Config("the API key contains characters not allowed in a header".into())
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

        let http = match self.http {
            Some(client) => client,
            None => reqwest::Client::builder()
                .timeout(self.timeout)
                .build()
                .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?,
        };
        let mut signer = Signer::new(key);
        if let Some(clock) = self.clock {
            signer = signer.with_arc_clock(clock);
        }
        Ok(VortexClient {
            inner: Arc::new(Inner {
                http,
                base_url,
                headers,
                timeout: self.timeout,
                retry: self.retry,
                signer,
            }),
        })
    }
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
    http: reqwest::Client,
    base_url: String,
    headers: HeaderMap,
    timeout: Duration,
    retry: RetryPolicy,
    signer: Signer,
}

impl fmt::Debug for VortexClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VortexClient")
            .field("base_url", &self.inner.base_url)
            .field("kid", &self.inner.signer.api_key().kid())
            .field("timeout", &self.inner.timeout)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

impl VortexClient {
    /// A client for `api_key` with the defaults (production URL, 10 s timeout, retries).
    pub fn new(api_key: impl Into<String>) -> Result<Self, Error> {
        Self::builder(api_key).build()
    }

    /// A builder for `api_key`.
    pub fn builder(api_key: impl Into<String>) -> VortexClientBuilder {
        VortexClientBuilder {
            api_key: api_key.into(),
            base_url: DEFAULT_BASE_URL.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            retry: RetryPolicy::default(),
            http: None,
            clock: None,
        }
    }

    /// A builder configured from `VORTEX_API_KEY` (required) and `VORTEX_API_BASE_URL`
    /// (optional).
    pub fn builder_from_env() -> Result<VortexClientBuilder, Error> {
        let key = std::env::var("VORTEX_API_KEY").map_err(|_| {
            Error::Config("VORTEX_API_KEY is not set: set it to your Vortex API key".into())
        })?;
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

    /// Accepts invitations for `user`, answering the upstream JSON as it is (its shape is
    /// not pinned down: an invitation, or `{"invitations":[…]}`).
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
        let url = request.url(&self.inner.base_url)?;
        let span = tracing::debug_span!(
            "vortex.api",
            method = %request.method,
            path = %request.path_for_logs(),
            status = tracing::field::Empty,
        );
        async {
            let (status, body) = self.send(&request.method, &url, request.body).await?;
            tracing::Span::current().record("status", status.as_u16());
            parse_answer(&request.method, &body)
        }
        .instrument(span)
        .await
    }

    async fn send(
        &self,
        method: &Method,
        url: &str,
        body: Option<Vec<u8>>,
    ) -> Result<(StatusCode, Bytes), Error> {
        let inner = &*self.inner;
        let idempotent = matches!(*method, Method::GET | Method::DELETE);
        let mut retry = 0;
        loop {
            let mut builder = inner
                .http
                .request(method.clone(), url)
                .headers(inner.headers.clone())
                .timeout(inner.timeout);
            if let Some(body) = &body {
                builder = builder
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(body.clone());
            }
            let can_retry = idempotent && retry < inner.retry.max_retries;
            let wait = match builder.send().await {
                Ok(answer) => {
                    let status = answer.status();
                    let retry_after = retry_after(answer.headers());
                    let body = answer.bytes().await.map_err(|e| self.transport(e))?;
                    if status.is_success() {
                        return Ok((status, body));
                    }
                    let retryable = matches!(status.as_u16(), 429 | 502 | 503 | 504);
                    let wait = match retry_after {
                        Some(after) if after > inner.retry.max_retry_after => None,
                        Some(after) => Some(after),
                        None => Some(inner.retry.backoff(retry)),
                    };
                    match wait {
                        Some(wait) if retryable && can_retry => wait,
                        _ => return Err(self.status_error(status, &body, retry_after)),
                    }
                }
                Err(e) if e.is_connect() && can_retry => inner.retry.backoff(retry),
                Err(e) => return Err(self.transport(e)),
            };
            tracing::debug!(
                retry = retry + 1,
                wait_ms = wait.as_millis() as u64,
                "retrying"
            );
            tokio::time::sleep(wait).await;
            retry += 1;
        }
    }

    fn transport(&self, error: reqwest::Error) -> Error {
        if error.is_timeout() {
            Error::Timeout(self.inner.timeout)
        } else {
            Error::Transport(error.without_url())
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
    /// `GET /api/v1/invitations?targetType=&targetValue=`.
    pub async fn get_invitations_by_target(
        &self,
        target_type: &str,
        target_value: &str,
    ) -> Result<Value, Error> {
        let query = format!(
            "targetType={}&targetValue={}",
            utf8_percent_encode(target_type, SEGMENT),
            utf8_percent_encode(target_value, SEGMENT)
        );
        self.client
            .call(Call::new(Method::GET, &["invitations"]).query(query))
            .await
    }

    /// `GET /api/v1/invitations/{id}`.
    pub async fn get_invitation(&self, invitation_id: &str) -> Result<Value, Error> {
        self.client
            .call(Call::new(Method::GET, &["invitations", invitation_id]))
            .await
    }

    /// `DELETE /api/v1/invitations/{id}`; an empty answer is `{}`.
    pub async fn revoke_invitation(&self, invitation_id: &str) -> Result<Value, Error> {
        self.client
            .call(Call::new(Method::DELETE, &["invitations", invitation_id]))
            .await
    }

    /// `POST /api/v1/invitations/accept` with `{"invitationIds","user"}`.
    pub async fn accept_invitations<S: AsRef<str>>(
        &self,
        invitation_ids: &[S],
        user: &AcceptUser,
    ) -> Result<Value, Error> {
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
            .call(Call::new(Method::POST, &["invitations", "accept"]).json(&body)?)
            .await
    }

    /// `GET /api/v1/invitations/by-scope/{scopeType}/{scope}`.
    pub async fn get_invitations_by_scope(
        &self,
        scope_type: &str,
        scope: &str,
    ) -> Result<Value, Error> {
        let path = ["invitations", "by-scope", scope_type, scope];
        self.client.call(Call::new(Method::GET, &path)).await
    }

    /// `DELETE /api/v1/invitations/by-scope/{scopeType}/{scope}`.
    pub async fn delete_invitations_by_scope(
        &self,
        scope_type: &str,
        scope: &str,
    ) -> Result<Value, Error> {
        let path = ["invitations", "by-scope", scope_type, scope];
        self.client.call(Call::new(Method::DELETE, &path)).await
    }

    /// `GET /api/v1/invitations/by-group/{groupType}/{groupId}` (legacy path).
    pub async fn get_invitations_by_group(
        &self,
        group_type: &str,
        group_id: &str,
    ) -> Result<Value, Error> {
        let path = ["invitations", "by-group", group_type, group_id];
        self.client.call(Call::new(Method::GET, &path)).await
    }

    /// `DELETE /api/v1/invitations/by-group/{groupType}/{groupId}` (legacy path).
    pub async fn delete_invitations_by_group(
        &self,
        group_type: &str,
        group_id: &str,
    ) -> Result<Value, Error> {
        let path = ["invitations", "by-group", group_type, group_id];
        self.client.call(Call::new(Method::DELETE, &path)).await
    }

    /// `POST /api/v1/invitations/{id}/reinvite` (no body).
    pub async fn reinvite(&self, invitation_id: &str) -> Result<Value, Error> {
        let path = ["invitations", invitation_id, "reinvite"];
        self.client.call(Call::new(Method::POST, &path)).await
    }

    /// `POST /api/v1/invitations`.
    pub async fn create_invitation(
        &self,
        request: &CreateInvitationRequest,
    ) -> Result<Value, Error> {
        self.client
            .call(Call::new(Method::POST, &["invitations"]).json(request)?)
            .await
    }

    /// `GET /api/v1/invitations/by-scope/{scopeType}/{scope}/autojoin`.
    pub async fn get_autojoin_domains(
        &self,
        scope_type: &str,
        scope: &str,
    ) -> Result<Value, Error> {
        let path = ["invitations", "by-scope", scope_type, scope, "autojoin"];
        self.client.call(Call::new(Method::GET, &path)).await
    }

    /// `POST /api/v1/invitations/autojoin`.
    pub async fn configure_autojoin(
        &self,
        request: &ConfigureAutojoinRequest,
    ) -> Result<Value, Error> {
        self.client
            .call(Call::new(Method::POST, &["invitations", "autojoin"]).json(request)?)
            .await
    }

    /// `POST /api/v1/invitations/sync-internal-invitation`.
    pub async fn sync_internal_invitation(
        &self,
        request: &SyncInternalInvitationRequest,
    ) -> Result<Value, Error> {
        let path = ["invitations", "sync-internal-invitation"];
        self.client
            .call(Call::new(Method::POST, &path).json(request)?)
            .await
    }
}

/// One upstream call: method, path segments under `/api/v1`, query and body.
struct Call<'a> {
    method: Method,
    segments: &'a [&'a str],
    query: Option<String>,
    body: Option<Vec<u8>>,
}

impl<'a> Call<'a> {
    fn new(method: Method, segments: &'a [&'a str]) -> Self {
        Self {
            method,
            segments,
            query: None,
            body: None,
        }
    }

    fn query(mut self, query: String) -> Self {
        self.query = Some(query);
        self
    }

    fn json(mut self, body: &impl Serialize) -> Result<Self, Error> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::InvalidInput(format!("cannot encode the request body: {e}")))?;
        self.body = Some(bytes);
        Ok(self)
    }

    /// The request URL, every segment percent-encoded; `""`, `.` and `..` are refused.
    fn url(&self, base_url: &str) -> Result<String, Error> {
        let mut url = String::with_capacity(base_url.len() + 64);
        url.push_str(base_url);
        url.push_str("/api/v1");
        for segment in self.segments {
            if matches!(*segment, "" | "." | "..") {
                return Err(Error::InvalidInput(format!(
                    "{segment:?} is not a valid id: ids must not be empty, `.` or `..`"
                )));
            }
            url.push('/');
            url.extend(utf8_percent_encode(segment, SEGMENT));
        }
        if let Some(query) = &self.query {
            url.push('?');
            url.push_str(query);
        }
        Ok(url)
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
    let now = i64::try_from(crate::token::SystemClock.now_unix_seconds()).unwrap_or(i64::MAX);
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

    #[test]
    fn segments_are_encoded_and_dot_segments_refused() {
        let url = Call::new(Method::GET, &["invitations", "a/b?c#d%e f"])
            .url("http://x")
            .unwrap();
        assert_eq!(url, "http://x/api/v1/invitations/a%2Fb%3Fc%23d%25e%20f");
        for bad in ["", ".", ".."] {
            assert!(matches!(
                Call::new(Method::GET, &["invitations", bad]).url("http://x"),
                Err(Error::InvalidInput(_))
            ));
        }
        let ok = Call::new(Method::GET, &["invitations", "../x"])
            .url("http://x")
            .unwrap();
        assert_eq!(ok, "http://x/api/v1/invitations/..%2Fx");
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
