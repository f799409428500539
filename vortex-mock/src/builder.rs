//! [`MockBuilder`]: API key, seeds, webhook target, determinism and address of a mock.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};

use serde_json::Value;
use vortex_client::ApiKey;

use crate::api::ids::Ids;
use crate::api::input;
use crate::api::store::Identity;
use crate::api::webhooks::{Dispatcher, WebhookTarget};
use crate::control::request_log::DEFAULT_REQUEST_LOG_CAPACITY;
use crate::error::MockError;
use crate::key::{generate_api_key, key_from_rng};
use crate::mock::Mock;
use crate::server::mock_server::MockServer;
use crate::shared::{Seeds, Shared, parse_autojoin_seed};

/// Salts that give the key and the account ids their own seeded streams.
const KEY_SALT: u64 = 0x006b_6579;
const IDENTITY_SALT: u64 = 0x0061_6363_6f75_6e74;

/// Configures a mock. Get one from [`MockServer::builder`] or [`Mock::builder`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), vortex_mock::MockError> {
/// use serde_json::json;
///
/// let mock = vortex_mock::MockServer::builder()
///     .api_key("VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing")
///     .deterministic(42)
///     .seed_invitation(json!({"id": "inv-1", "target": [{"type": "email", "value": "ada@example.com"}]}))
///     .seed_autojoin(json!({"scope": "team-1", "scopeType": "team", "domains": ["example.com"], "componentId": "c"}))
///     .start()
///     .await?;
/// assert_eq!(mock.invitation("inv-1").unwrap()["target"][0]["value"], "ada@example.com");
/// # Ok(())
/// # }
/// ```
pub struct MockBuilder {
    api_key: Option<String>,
    webhook: Option<(String, String)>,
    seed: Option<u64>,
    bind: Option<SocketAddr>,
    invitations: Vec<Value>,
    autojoin: Vec<Value>,
    request_log_capacity: usize,
}

impl Default for MockBuilder {
    fn default() -> Self {
        Self {
            api_key: None,
            webhook: None,
            seed: None,
            bind: None,
            invitations: Vec::new(),
            autojoin: Vec::new(),
            request_log_capacity: DEFAULT_REQUEST_LOG_CAPACITY,
        }
    }
}

impl MockBuilder {
    /// The API key the mock accepts (checked with [`ApiKey::parse`] when built). Default: a
    /// freshly generated valid key, see [`Mock::api_key`].
    #[must_use]
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Deliver signed webhooks for every change to `url` (an `http://` URL; `https://` needs
    /// the `rustls` feature), signed with `secret`.
    #[must_use]
    pub fn webhook(mut self, url: impl Into<String>, secret: impl Into<String>) -> Self {
        self.webhook = Some((url.into(), secret.into()));
        self
    }

    /// Make ids, generated keys and timestamps reproducible: two mocks with the same seed
    /// answer the same requests identically. Timestamps start at
    /// `2026-01-01T00:00:00.000Z` and advance one second per change.
    #[must_use]
    pub fn deterministic(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Listen on `addr` (default `127.0.0.1:0`, an ephemeral port).
    #[must_use]
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.bind = Some(addr);
        self
    }

    /// Start with this invitation stored (see [`Mock::seed_invitation`]); kept across
    /// [`Mock::reset`].
    #[must_use]
    pub fn seed_invitation(mut self, invitation: Value) -> Self {
        self.invitations.push(invitation);
        self
    }

    /// Start with these autojoin domains (see [`Mock::seed_autojoin`]); kept across
    /// [`Mock::reset`].
    #[must_use]
    pub fn seed_autojoin(mut self, config: Value) -> Self {
        self.autojoin.push(config);
        self
    }

    /// Keep the newest `capacity` requests in the request log ([`Mock::requests`], `GET
    /// /__mock/requests`), dropping the oldest (default
    /// [`DEFAULT_REQUEST_LOG_CAPACITY`](crate::DEFAULT_REQUEST_LOG_CAPACITY), 10,000); 0
    /// keeps none. [`Mock::request_count`] still counts every request. The binary reads it
    /// from `VORTEX_MOCK_REQUEST_LOG`.
    ///
    /// ```
    /// let mock = vortex_mock::Mock::builder().request_log_capacity(100).build()?;
    /// assert!(mock.requests().is_empty());
    /// # Ok::<(), vortex_mock::MockError>(())
    /// ```
    #[must_use]
    pub fn request_log_capacity(mut self, capacity: usize) -> Self {
        self.request_log_capacity = capacity;
        self
    }

    /// Builds the mock without serving it (see [`Mock::service`] and [`Mock::serve`]).
    ///
    /// # Errors
    ///
    /// An invalid API key, webhook URL or secret, or seed.
    pub fn build(self) -> Result<Mock, MockError> {
        let key = match self.api_key {
            Some(key) => key,
            None => match self.seed {
                Some(seed) => key_from_rng(&mut fastrand::Rng::with_seed(seed ^ KEY_SALT)),
                None => generate_api_key(),
            },
        };
        let api_key = ApiKey::parse(&key)?;
        let mut ids = Ids::new(self.seed.map(|seed| seed ^ IDENTITY_SALT));
        let identity = Identity {
            account_id: ids.uuid(),
            environment_id: ids.uuid(),
        };
        let seeds = Seeds {
            invitations: self
                .invitations
                .into_iter()
                .map(|inv| input::seed_invitation(inv).map_err(MockError::Seed))
                .collect::<Result<_, _>>()?,
            autojoin: self
                .autojoin
                .iter()
                .map(parse_autojoin_seed)
                .collect::<Result<_, _>>()?,
        };
        let webhooks = self
            .webhook
            .map(|(url, secret)| WebhookTarget::new(&url, secret).and_then(Dispatcher::new))
            .transpose()?;
        Ok(Mock::from_shared(Shared::new(
            api_key,
            self.seed,
            identity,
            seeds,
            webhooks,
            self.request_log_capacity,
        )))
    }

    /// Builds the mock and serves it on a background task.
    ///
    /// # Errors
    ///
    /// As [`build`](Self::build), or [`MockError::Bind`] if the address is taken.
    pub async fn start(self) -> Result<MockServer, MockError> {
        let addr = self
            .bind
            .unwrap_or_else(|| SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
        let mock = self.build()?;
        MockServer::launch(mock, addr).await
    }
}

impl fmt::Debug for MockBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockBuilder")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field(
                "webhook",
                &self.webhook.as_ref().map(|(url, _)| (url, "<redacted>")),
            )
            .field("deterministic", &self.seed)
            .field("bind", &self.bind)
            .field("invitations", &self.invitations.len())
            .field("autojoin", &self.autojoin.len())
            .field("request_log_capacity", &self.request_log_capacity)
            .finish()
    }
}
