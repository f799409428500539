//! The Redis event store, for apps running several instances.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands, RedisError, Script, SetExpiry, SetOptions};

use super::{ClaimOutcome, ClaimToken, EventStore, StoreError};

/// The default prefix of the keys: `vortex:webhook:` (the key of event `evt_1` is
/// `vortex:webhook:evt_1`).
pub const DEFAULT_REDIS_KEY_PREFIX: &str = "vortex:webhook:";

/// The default limit on each Redis call, connecting included: 3 seconds.
pub const DEFAULT_REDIS_TIMEOUT: Duration = Duration::from_secs(3);

/// The longest a [`ping`](EventStore::ping) waits: 1 s (less when the store's timeout is).
const PING_TIMEOUT: Duration = Duration::from_secs(1);

/// The value of a done record. Claim tokens are 32 hex digits, so never equal to it.
const DONE: &str = "done";

/// Marks the key done for the TTL whoever holds it, and answers whether `token` held it.
const COMPLETE_SCRIPT: &str = r"
local held = redis.call('GET', KEYS[1]) == ARGV[1]
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
if held then return 1 end
return 0
";

/// Deletes the key only if `token` holds it (compare-and-delete).
const RELEASE_SCRIPT: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// An [`EventStore`] in Redis, shared by every instance of the app.
///
/// Each event id is one key, `prefix + id`: a claim is `SET key token NX PX lease` (atomic:
/// exactly one delivery wins), completion sets the key to `done` with the done TTL, release
/// is a compare-and-delete script (only the claim's owner can release it). The
/// [`ConnectionManager`] reconnects after Redis restarts; every call is bounded by a
/// timeout (default [`DEFAULT_REDIS_TIMEOUT`]), so an unreachable Redis is a quick
/// [`StoreError`] (the webhook answers 503 and Vortex retries), never a hang.
///
/// ```no_run
/// use vortex_client::webhook::store::{EventClaims, RedisEventStore};
///
/// # async fn demo() -> Result<(), vortex_client::webhook::store::StoreError> {
/// let store = RedisEventStore::connect("redis://127.0.0.1:6379/0").await?.key_prefix("myapp:webhook:");
/// let claims = EventClaims::new(store);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisEventStore {
    connection: ConnectionManager,
    prefix: String,
    timeout: Duration,
    complete: Script,
    release: Script,
}

impl fmt::Debug for RedisEventStore {
    // The connection holds the URL, which may carry a password: never shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisEventStore")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl RedisEventStore {
    /// Connects to the Redis at `url` (`redis://[:password@]host:port/db`, or `rediss://…`
    /// over TLS with the `redis-tls` feature), waiting at most
    /// [`DEFAULT_REDIS_TIMEOUT`]. The connection reconnects by itself later on.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with_timeout(url, DEFAULT_REDIS_TIMEOUT).await
    }

    /// [`connect`](Self::connect) with another timeout, used for connecting and then for every
    /// call.
    pub async fn connect_with_timeout(url: &str, timeout: Duration) -> Result<Self, StoreError> {
        // The URL may hold a password: the error says what is wrong, never the URL.
        let client = redis::Client::open(url).map_err(|e| {
            if url.starts_with("rediss://") && !cfg!(feature = "redis-tls") {
                return StoreError::Config(
                    "a rediss:// URL (Redis over TLS) needs the `redis-tls` feature of vortex-client"
                        .to_owned(),
                );
            }
            StoreError::Config(format!(
                "the Redis URL is not valid ({:?}): expected redis://[:password@]host:port/db, or rediss://… for TLS",
                e.kind()
            ))
        })?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_millis(500));
        let connect = ConnectionManager::new_with_config(client, config);
        let connection = bounded(timeout, connect).await?;
        Ok(Self::from_connection(connection).timeout(timeout))
    }

    /// A store over an existing connection manager (the app's own Redis set-up), with the
    /// default prefix and timeout.
    pub fn from_connection(connection: ConnectionManager) -> Self {
        Self {
            connection,
            prefix: DEFAULT_REDIS_KEY_PREFIX.to_owned(),
            timeout: DEFAULT_REDIS_TIMEOUT,
            complete: Script::new(COMPLETE_SCRIPT),
            release: Script::new(RELEASE_SCRIPT),
        }
    }

    /// Sets the key prefix (default [`DEFAULT_REDIS_KEY_PREFIX`]), e.g. to keep two apps
    /// or two webhook endpoints apart in one Redis.
    #[must_use]
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Sets the limit on each call (default [`DEFAULT_REDIS_TIMEOUT`]).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The Redis key of event `id`.
    pub fn key(&self, id: &str) -> String {
        format!("{}{id}", self.prefix)
    }
}

/// Runs a Redis call within `timeout`, mapping its errors.
async fn bounded<T>(
    timeout: Duration,
    call: impl Future<Output = Result<T, RedisError>>,
) -> Result<T, StoreError> {
    match tokio::time::timeout(timeout, call).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(store_error(error, timeout)),
        Err(_) => Err(StoreError::Timeout(timeout)),
    }
}

fn store_error(error: RedisError, timeout: Duration) -> StoreError {
    if error.is_timeout() {
        StoreError::Timeout(timeout)
    } else if error.is_io_error() || error.is_connection_refusal() || error.is_connection_dropped()
    {
        StoreError::Unavailable(Box::new(error))
    } else {
        StoreError::Backend(Box::new(error))
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis())
        .unwrap_or(u64::MAX)
        .max(1)
}

impl EventStore for RedisEventStore {
    async fn claim(&self, id: &str, lease: Duration) -> Result<ClaimOutcome, StoreError> {
        let key = self.key(id);
        let options = SetOptions::default()
            .conditional_set(redis::ExistenceCheck::NX)
            .with_expiration(SetExpiry::PX(millis(lease)));
        let mut connection = self.connection.clone();
        // The key may expire between a refused SET and the GET: then try again (bounded).
        for _ in 0..3 {
            let token = ClaimToken::random();
            let set: Option<String> = bounded(
                self.timeout,
                connection.set_options(&key, token.as_str(), options.clone()),
            )
            .await?;
            if set.is_some() {
                return Ok(ClaimOutcome::Claimed(token));
            }
            let current: Option<String> = bounded(self.timeout, connection.get(&key)).await?;
            match current.as_deref() {
                Some(DONE) => return Ok(ClaimOutcome::Done),
                Some(_) => return Ok(ClaimOutcome::InProgress),
                None => continue,
            }
        }
        Ok(ClaimOutcome::InProgress)
    }

    async fn complete(
        &self,
        id: &str,
        token: &ClaimToken,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let mut connection = self.connection.clone();
        let mut invocation = self.complete.key(self.key(id));
        invocation.arg(token.as_str()).arg(DONE).arg(millis(ttl));
        let held: i64 = bounded(self.timeout, invocation.invoke_async(&mut connection)).await?;
        Ok(held == 1)
    }

    async fn release(&self, id: &str, token: &ClaimToken) -> Result<bool, StoreError> {
        let mut connection = self.connection.clone();
        let mut invocation = self.release.key(self.key(id));
        invocation.arg(token.as_str());
        let removed: i64 = bounded(self.timeout, invocation.invoke_async(&mut connection)).await?;
        Ok(removed == 1)
    }

    /// `PING`, within 1 s (or the store's timeout when shorter).
    async fn ping(&self) -> Result<(), StoreError> {
        let mut connection = self.connection.clone();
        let timeout = self.timeout.min(PING_TIMEOUT);
        let _: String = bounded(timeout, redis::cmd("PING").query_async(&mut connection)).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    /// `rediss://` is a TLS connection with the `redis-tls` feature, and a configuration
    /// error naming that feature without it.
    #[test]
    fn rediss_urls_are_tls() {
        let url = "rediss://:secret@redis.example.com:6380/2";
        #[cfg(feature = "redis-tls")]
        {
            let client = redis::Client::open(url).expect("a TLS URL");
            let info = client.get_connection_info();
            assert!(
                matches!(info.addr(), redis::ConnectionAddr::TcpTls { host, port: 6380, insecure: false, .. } if host == "redis.example.com"),
                "{:?}",
                info.addr()
            );
        }
        #[cfg(not(feature = "redis-tls"))]
        {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let error = runtime
                .block_on(super::RedisEventStore::connect(url))
                .unwrap_err();
            assert!(error.to_string().contains("redis-tls"), "{error}");
            assert!(!error.to_string().contains("secret"), "{error}");
        }
    }
}
