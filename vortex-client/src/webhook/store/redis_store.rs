//! The Redis event store, for apps running several instances: on one Redis node, or on a
//! Redis Cluster (feature `redis-cluster`).

use std::fmt;
use std::future::Future;
use std::time::Duration;

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::{Cmd, Pipeline, RedisError, RedisFuture, Value};

use super::{ClaimOutcome, ClaimToken, EventStore, StoreError};

/// The default prefix of the keys: `vortex:webhook:` (the key of event `evt_1` is
/// `vortex:webhook:evt_1`).
pub const DEFAULT_REDIS_KEY_PREFIX: &str = "vortex:webhook:";

/// The default limit on each Redis call, connecting included: 3 seconds.
pub const DEFAULT_REDIS_TIMEOUT: Duration = Duration::from_secs(3);

/// The longest a [`ping`](EventStore::ping) waits: 1 s (less when the store's timeout is).
const PING_TIMEOUT: Duration = Duration::from_secs(1);

/// A store that waits for replicas retries a completion for up to this many timeouts.
const COMPLETE_TIMEOUTS: u32 = 4;

/// The first pause between two completion attempts; it doubles up to [`MAX_PAUSE`].
const FIRST_PAUSE: Duration = Duration::from_millis(50);
const MAX_PAUSE: Duration = Duration::from_secs(1);

/// The value of a done record. Claim tokens are 32 hex digits, so never equal to it.
const DONE: &str = "done";

/// Claims the key for the token `ARGV[1]` for `ARGV[2]` ms if it is free (or already held by
/// that token: a call sent again after a lost answer): 1; a done record (`ARGV[3]`): 2;
/// another claim: 0.
const CLAIM_SCRIPT: &str = r"
local current = redis.call('GET', KEYS[1])
if current == false or current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if current == ARGV[3] then return 2 end
return 0
";

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

/// The connection: to one Redis node, or to a Redis Cluster. The store's commands are
/// written once, against this [`ConnectionLike`].
#[derive(Clone)]
enum Connection {
    Node(ConnectionManager),
    #[cfg(feature = "redis-cluster")]
    Cluster(redis::cluster_async::ClusterConnection),
}

impl ConnectionLike for Connection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Self::Node(connection) => connection.req_packed_command(cmd),
            #[cfg(feature = "redis-cluster")]
            Self::Cluster(connection) => connection.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Self::Node(connection) => connection.req_packed_commands(pipeline, offset, count),
            #[cfg(feature = "redis-cluster")]
            Self::Cluster(connection) => connection.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Self::Node(connection) => connection.get_db(),
            #[cfg(feature = "redis-cluster")]
            Self::Cluster(connection) => connection.get_db(),
        }
    }
}

/// An [`EventStore`] in Redis, shared by every instance of the app: on one Redis node
/// ([`connect`](Self::connect)) or on a Redis Cluster
/// ([`connect_cluster`](Self::connect_cluster), feature `redis-cluster`).
///
/// Each event id is one key, `prefix + id`: a claim sets it to a random owner token with the
/// lease as expiry if it is free (atomic: exactly one delivery wins), completion sets it to
/// `done` with the done TTL, release is a compare-and-delete (only the claim's owner can
/// release it). Each operation is one Lua script on that one key, so in a cluster every
/// operation goes to the one shard that owns the key. The connection reconnects after Redis
/// restarts (and, in a cluster, follows the slots to their new masters); every call is
/// bounded by a timeout (default [`DEFAULT_REDIS_TIMEOUT`]), so an unreachable Redis is a
/// quick [`StoreError`] (the webhook answers 503 and Vortex retries), never a hang.
///
/// # Failovers: every write waits for a replica
///
/// Redis replicates asynchronously: a claim or a done record that a master acknowledged and
/// then lost by dying before its replica got it would be missing on the promoted replica, and
/// the next delivery would run the handler again. So a store that waits for replicas (a
/// cluster store by default; see [`wait_for_replicas`](Self::wait_for_replicas)) sends each
/// write (claim, complete, release) with `WAIT n` in one pipeline to the key's master, and
/// counts the write only once `n` replicas acknowledged it (`WAIT` waits at most half the
/// timeout):
///
/// - a **claim** no replica acknowledged is an error (the webhook answers 503 and Vortex
///   retries the delivery later); the claim is released, best effort;
/// - a **completion** is retried, with the same owner token and a backoff from 50 ms to 1 s,
///   until a replica acknowledges it, for up to 4 × the timeout in all (12 s by default).
///   The claim itself was acknowledged by a replica, so after a failover the promoted
///   replica still holds it, and the completion marks the event done there: the event is
///   not handled again after the lease. Choose a lease longer than a failover plus the
///   handler's run;
/// - a **release** no replica acknowledged still answers: at worst the claim comes back with
///   a failover and expires after its lease (the event is handled later, never lost).
///
/// `WAIT` holds the connection to the key's master until the replica answered: the writes
/// through one store to one shard take a round trip to its replica each, one after the other
/// (on a LAN, hundreds to thousands of writes a second per shard and per store; reads, such
/// as duplicates answered done, pay it only behind writes).
///
/// While a shard has no replica in sync (its master just failed over and the old master is
/// not back yet), writes of the ids in that shard fail: the deliveries are answered 503 until
/// the shard has a replica again. That is the price of handling each event at most once.
///
/// The limit: `WAIT` is not a consensus. A write acknowledged by a replica is lost if the
/// master and that replica fail together (or if a replica that did not get it is promoted,
/// with several replicas and `wait_for_replicas(1)`), and the event may then be handled a
/// second time. Persistence (`appendonly yes`) and replicas in separate failure domains make
/// that rarer; nothing in Redis rules it out.
///
/// ```no_run
/// use std::time::Duration;
/// use vortex_client::webhook::store::{EventClaims, RedisEventStore};
///
/// # async fn demo() -> Result<(), vortex_client::webhook::store::StoreError> {
/// // One Redis node.
/// let store = RedisEventStore::connect("redis://127.0.0.1:6379/0").await?.key_prefix("myapp:webhook:");
/// let claims = EventClaims::new(store);
///
/// // A Redis Cluster (feature `redis-cluster`): any of its nodes; the others are found.
/// # #[cfg(feature = "redis-cluster")] {
/// let store = RedisEventStore::connect_cluster_with_timeout(
///     ["redis://10.0.0.1:6379", "redis://10.0.0.2:6379", "redis://10.0.0.3:6379"],
///     Duration::from_secs(2),
/// )
/// .await?;
/// // The lease must be longer than a failover plus the handler's run.
/// let claims = EventClaims::new(store).lease(Duration::from_secs(60));
/// # }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisEventStore {
    connection: Connection,
    prefix: String,
    timeout: Duration,
    replicas: u32,
}

impl fmt::Debug for RedisEventStore {
    // The connection holds the URLs, which may carry a password: never shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mode = match self.connection {
            Connection::Node(_) => "node",
            #[cfg(feature = "redis-cluster")]
            Connection::Cluster(_) => "cluster",
        };
        f.debug_struct("RedisEventStore")
            .field("mode", &mode)
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .field("wait_for_replicas", &self.replicas)
            .finish_non_exhaustive()
    }
}

/// The configuration error of an invalid Redis URL (never showing the URL: it may hold a
/// password).
fn url_error(url: &str, error: &RedisError) -> StoreError {
    if url.starts_with("rediss://") && !cfg!(feature = "redis-tls") {
        return StoreError::Config(
            "a rediss:// URL (Redis over TLS) needs the `redis-tls` feature of vortex-client"
                .to_owned(),
        );
    }
    StoreError::Config(format!(
        "the Redis URL is not valid ({:?}): expected redis://[:password@]host:port/db, or rediss://… for TLS",
        error.kind()
    ))
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
        let client = redis::Client::open(url).map_err(|e| url_error(url, &e))?;
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
    /// default prefix and timeout, waiting for no replica.
    pub fn from_connection(connection: ConnectionManager) -> Self {
        Self::new(Connection::Node(connection), 0)
    }

    fn new(connection: Connection, replicas: u32) -> Self {
        Self {
            connection,
            prefix: DEFAULT_REDIS_KEY_PREFIX.to_owned(),
            timeout: DEFAULT_REDIS_TIMEOUT,
            replicas,
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

    /// Sets how many replicas must acknowledge each write (`WAIT n`) before it counts: 1 by
    /// default on a cluster, 0 (no `WAIT`) by default on one node. Set it on one node that
    /// has replicas (e.g. under Redis Sentinel) for the same failover guarantees as a
    /// cluster; 0 on a cluster gives them up (see the type's documentation).
    #[must_use]
    pub fn wait_for_replicas(mut self, replicas: u32) -> Self {
        self.replicas = replicas;
        self
    }

    /// The Redis key of event `id`.
    pub fn key(&self, id: &str) -> String {
        format!("{}{id}", self.prefix)
    }

    /// How long `WAIT` waits for the replicas: half the timeout, so that the pipeline answers
    /// within the timeout.
    fn wait_millis(&self) -> u64 {
        millis(self.timeout / 2)
    }

    /// Runs `script` (an `EVAL` of one key, see [`eval`]), followed by `WAIT` when the store
    /// waits for replicas, in one pipeline: on a cluster, the pipeline goes to the node of its
    /// first key (the script's), so that `WAIT` covers the script's write. Answers the
    /// script's answer and whether enough replicas acknowledged the write.
    async fn write(&self, script: Cmd) -> Result<(i64, bool), StoreError> {
        let mut pipeline = redis::pipe();
        pipeline.add_command(script);
        if self.replicas > 0 {
            pipeline
                .cmd("WAIT")
                .arg(self.replicas)
                .arg(self.wait_millis());
        }
        let mut connection = self.connection.clone();
        let answers: Vec<i64> =
            bounded(self.timeout, pipeline.query_async(&mut connection)).await?;
        let answer = answers.first().copied().unwrap_or_default();
        let acknowledged = match answers.get(1) {
            Some(&replicas) => u32::try_from(replicas).is_ok_and(|n| n >= self.replicas),
            None => true,
        };
        Ok((answer, acknowledged))
    }

    fn not_replicated(&self) -> StoreError {
        StoreError::Unavailable(Box::new(NotReplicated {
            replicas: self.replicas,
            within: Duration::from_millis(self.wait_millis()),
        }))
    }

    async fn complete_once(
        &self,
        key: &str,
        token: &ClaimToken,
        ttl: Duration,
    ) -> Result<(i64, bool), StoreError> {
        let mut script = eval(COMPLETE_SCRIPT, key);
        script.arg(token.as_str()).arg(DONE).arg(millis(ttl));
        self.write(script).await
    }

    async fn release_once(&self, key: &str, token: &ClaimToken) -> Result<(i64, bool), StoreError> {
        let mut script = eval(RELEASE_SCRIPT, key);
        script.arg(token.as_str());
        self.write(script).await
    }
}

#[cfg(feature = "redis-cluster")]
impl RedisEventStore {
    /// Connects to the Redis Cluster that `urls` are nodes of (`redis://[:password@]host:port`,
    /// or `rediss://…` over TLS with the `redis-tls` feature; one node is enough, the others
    /// are found), waiting at most [`DEFAULT_REDIS_TIMEOUT`]. Every write waits for one
    /// replica (see the type's documentation).
    #[cfg_attr(docsrs, doc(cfg(feature = "redis-cluster")))]
    pub async fn connect_cluster<U: AsRef<str>>(
        urls: impl IntoIterator<Item = U>,
    ) -> Result<Self, StoreError> {
        Self::connect_cluster_with_timeout(urls, DEFAULT_REDIS_TIMEOUT).await
    }

    /// [`connect_cluster`](Self::connect_cluster) with another timeout, used for connecting
    /// to each node, for each answer and for every call as a whole. Within a call the cluster
    /// client follows redirections at once (`MOVED` after a failover) and retries a node it
    /// lost after its own backoff (the redis crate's defaults, 1.28 s at least, so at most
    /// once within the default timeout); a call that still fails is a [`StoreError`] (the
    /// delivery is answered 503 and Vortex retries it), and a completion is retried by the
    /// store (see the type's documentation).
    #[cfg_attr(docsrs, doc(cfg(feature = "redis-cluster")))]
    pub async fn connect_cluster_with_timeout<U: AsRef<str>>(
        urls: impl IntoIterator<Item = U>,
        timeout: Duration,
    ) -> Result<Self, StoreError> {
        let client = cluster_client(urls, timeout)?;
        let connection = bounded(timeout, client.get_async_connection()).await?;
        Ok(Self::from_cluster_connection(connection).timeout(timeout))
    }

    /// A store over an existing cluster connection (the app's own Redis Cluster set-up), with
    /// the default prefix and timeout, waiting for one replica on each write.
    #[cfg_attr(docsrs, doc(cfg(feature = "redis-cluster")))]
    pub fn from_cluster_connection(connection: redis::cluster_async::ClusterConnection) -> Self {
        Self::new(Connection::Cluster(connection), 1)
    }
}

/// The cluster client of `urls`, configured to ride out a failover within `timeout` per call.
#[cfg(feature = "redis-cluster")]
fn cluster_client<U: AsRef<str>>(
    urls: impl IntoIterator<Item = U>,
    timeout: Duration,
) -> Result<redis::cluster::ClusterClient, StoreError> {
    let mut nodes = Vec::new();
    for url in urls {
        let url = url.as_ref();
        nodes.push(
            redis::IntoConnectionInfo::into_connection_info(url).map_err(|e| url_error(url, &e))?,
        );
    }
    if nodes.is_empty() {
        return Err(StoreError::Config(
            "no Redis Cluster node URL: give at least one (redis://host:port)".to_owned(),
        ));
    }
    // The redis crate's retry backoff is kept (and its overall limit per call, the response
    // timeout): shorter waits (tried: 4 retries, 50-500 ms) made a connection that had ridden
    // a failover time out on every call afterwards, on every shard, in the workspace's
    // failover test (vortex-tests, `webhook_cluster`).
    redis::cluster::ClusterClientBuilder::new(nodes)
        .connection_timeout(timeout)
        .response_timeout(timeout)
        .build()
        .map_err(|e| {
            // E.g. nodes with different passwords or TLS modes; the message names no URL.
            StoreError::Config(format!(
                "the Redis Cluster node URLs do not go together ({:?}): they must share their password, database and TLS mode",
                e.kind()
            ))
        })
}

/// A write that fewer replicas than required acknowledged in time.
#[derive(Debug)]
struct NotReplicated {
    replicas: u32,
    within: Duration,
}

impl fmt::Display for NotReplicated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "fewer than {} replica(s) acknowledged the write within {:?} (a failover in progress, or a shard without a replica in sync)",
            self.replicas, self.within
        )
    }
}

impl std::error::Error for NotReplicated {}

/// `EVAL script 1 key`, to which the caller adds the script's arguments. The script's text
/// rather than its digest (`EVALSHA`): a replica promoted by a failover has no scripts
/// loaded, and the scripts are short.
fn eval(script: &str, key: &str) -> Cmd {
    let mut cmd = redis::cmd("EVAL");
    cmd.arg(script).arg(1).arg(key);
    cmd
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
        let token = ClaimToken::random();
        let mut script = eval(CLAIM_SCRIPT, &key);
        script.arg(token.as_str()).arg(millis(lease)).arg(DONE);
        let (answer, acknowledged) = self.write(script).await?;
        match answer {
            1 if acknowledged => Ok(ClaimOutcome::Claimed(token)),
            1 => {
                // Not durable: a failover could lose it and let another delivery claim the
                // event while this one runs the handler. Give it back and answer an error.
                if let Err(error) = self.release_once(&key, &token).await {
                    tracing::debug!(event.id = %id, %error, "could not release an unreplicated claim: it expires after its lease");
                }
                Err(self.not_replicated())
            }
            2 => Ok(ClaimOutcome::Done),
            _ => Ok(ClaimOutcome::InProgress),
        }
    }

    /// Marks the event done; when the store waits for replicas, retried (same token) until a
    /// replica acknowledged it, for up to 4 × the timeout.
    async fn complete(
        &self,
        id: &str,
        token: &ClaimToken,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let key = self.key(id);
        if self.replicas == 0 {
            let (held, _) = self.complete_once(&key, token, ttl).await?;
            return Ok(held == 1);
        }
        // Whether an attempt found the claim held (a later attempt finds `done`).
        let mut held = false;
        let mut last_error = None;
        let attempts = async {
            let mut pause = FIRST_PAUSE;
            loop {
                match self.complete_once(&key, token, ttl).await {
                    Ok((answer, acknowledged)) => {
                        held |= answer == 1;
                        if acknowledged {
                            return;
                        }
                        last_error = Some(self.not_replicated());
                    }
                    Err(error) => last_error = Some(error),
                }
                tracing::debug!(event.id = %id, error = ?last_error, "webhook event completion not acknowledged: retrying");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(MAX_PAUSE);
            }
        };
        let window = self.timeout * COMPLETE_TIMEOUTS;
        match tokio::time::timeout(window, attempts).await {
            Ok(()) => Ok(held),
            Err(_) => Err(last_error.unwrap_or(StoreError::Timeout(window))),
        }
    }

    async fn release(&self, id: &str, token: &ClaimToken) -> Result<bool, StoreError> {
        let (removed, acknowledged) = self.release_once(&self.key(id), token).await?;
        if !acknowledged {
            tracing::debug!(event.id = %id, "webhook event release not acknowledged by a replica: a failover may bring the claim back until its lease ends");
        }
        Ok(removed == 1)
    }

    /// `PING` (on a cluster: every master), within 1 s (or the store's timeout when shorter).
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

    /// Cluster node URLs: `rediss://` nodes make a TLS cluster client with the `redis-tls`
    /// feature (the cluster client takes its TLS mode from the nodes), a configuration error
    /// naming that feature without it. Mixed TLS modes and no node are configuration errors;
    /// no error shows a URL or a password.
    #[cfg(feature = "redis-cluster")]
    #[test]
    fn rediss_cluster_urls_are_tls() {
        use std::time::Duration;
        let urls = [
            "rediss://:secret@redis-1.example.com:6380",
            "rediss://:secret@redis-2.example.com:6380",
        ];
        let timeout = Duration::from_secs(1);
        #[cfg(feature = "redis-tls")]
        {
            for url in urls {
                let info = redis::IntoConnectionInfo::into_connection_info(url).unwrap();
                assert!(
                    matches!(
                        info.addr(),
                        redis::ConnectionAddr::TcpTls {
                            port: 6380,
                            insecure: false,
                            ..
                        }
                    ),
                    "{:?}",
                    info.addr()
                );
            }
            let client = super::cluster_client(urls, timeout).expect("TLS cluster URLs");
            let client = format!("{client:?}");
            assert!(client.contains("tls: Some(Secure)"), "{client}");

            let mixed = [
                "rediss://:secret@redis-1.example.com:6380",
                "redis://:secret@redis-2.example.com:6379",
            ];
            let error = super::cluster_client(mixed, timeout).unwrap_err();
            assert!(matches!(error, super::StoreError::Config(_)), "{error:?}");
            assert!(!error.to_string().contains("secret"), "{error}");
        }
        #[cfg(not(feature = "redis-tls"))]
        {
            let error = super::cluster_client(urls, timeout).unwrap_err();
            assert!(error.to_string().contains("redis-tls"), "{error}");
            assert!(!error.to_string().contains("secret"), "{error}");
        }
        let none: [&str; 0] = [];
        let error = super::cluster_client(none, timeout).unwrap_err();
        assert!(matches!(error, super::StoreError::Config(_)), "{error:?}");
        let error = super::cluster_client(["http://:secret@not-redis"], timeout).unwrap_err();
        assert!(matches!(error, super::StoreError::Config(_)), "{error:?}");
        assert!(!error.to_string().contains("secret"), "{error}");
    }

    /// A cluster store waits for one replica by default, and its `Debug` shows neither the
    /// node URLs nor the password (a pending connection: nothing is reached).
    #[cfg(feature = "redis-cluster")]
    #[test]
    fn cluster_store_debug_hides_the_urls() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let _entered = runtime.enter();
        let client = super::cluster_client(
            ["redis://:secret@10.1.2.3:7000"],
            std::time::Duration::from_secs(1),
        )
        .unwrap();
        let connection =
            client.get_pending_async_connection_with_config(redis::cluster::ClusterConfig::new());
        let store = super::RedisEventStore::from_cluster_connection(connection);
        let debug = format!("{store:?}");
        assert!(debug.contains("mode: \"cluster\""), "{debug}");
        assert!(debug.contains("wait_for_replicas: 1"), "{debug}");
        assert!(
            !debug.contains("secret") && !debug.contains("10.1.2.3"),
            "{debug}"
        );
    }
}
