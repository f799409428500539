//! Event-id claims: each webhook event handled **at least once and at most once**, across
//! every instance of the app.
//!
//! Vortex retries a delivery until it gets a 2xx. To act on each event once, a delivery first
//! **claims** its event id in an [`EventStore`] shared by every instance:
//!
//! - [`ClaimOutcome::Claimed`]: this delivery owns the event for a *lease* (default
//!   [`DEFAULT_LEASE`], 5 minutes) and runs the handler. On success the claim is
//!   **completed**: the id is marked done for a *TTL* (default [`DEFAULT_DONE_TTL`], 7 days,
//!   longer than Vortex's retries). On failure it is **released**, so Vortex's retry (at any
//!   instance) handles the event again.
//! - [`ClaimOutcome::Done`]: the event was already handled: answer 200 without running the
//!   handler.
//! - [`ClaimOutcome::InProgress`]: another delivery of the same id holds a live claim (another
//!   instance or worker is running the handler now): answer a retryable status (409 or 503),
//!   never a 200, since that handling may still fail.
//!
//! [`EventClaims`] is the front door: it claims ids in a store with the configured lease and
//! hands out a [`Claim`] guard. The guard completes on [`Claim::complete`] and releases in
//! every other case: an explicit [`Claim::release`], an error path that drops it, a panic that
//! unwinds through it, or the handler's future being dropped (client gone, timeout). If the
//! process dies, nothing runs at all: the claim stays until its lease expires, then the next
//! delivery of that event claims it and handles it. Choose a lease longer than the slowest
//! handler run, or a retry may run the handler while the first run is still going.
//!
//! Stores: [`InMemoryEventStore`] (one process, bounded), `RedisEventStore` (feature `redis`;
//! several instances sharing one Redis, or a Redis Cluster with the `redis-cluster` feature,
//! every write acknowledged by a replica so that a failover loses no record), or the app's own
//! (see [`EventStore`] for a SQL table).
//!
//! ```
//! use vortex_client::webhook::store::{ClaimOutcome, EventClaims, InMemoryEventStore};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let claims = EventClaims::new(InMemoryEventStore::default());
//!
//! // First delivery of evt_1: claimed; the handler fails, so the claim is released.
//! let ClaimOutcome::Claimed(claim) = claims.claim("evt_1").await? else { panic!() };
//! claim.release().await?;
//!
//! // Vortex retries: claimed again; this time the handler succeeds.
//! let ClaimOutcome::Claimed(claim) = claims.claim("evt_1").await? else { panic!() };
//! assert!(matches!(claims.claim("evt_1").await?, ClaimOutcome::InProgress));
//! claim.complete().await?;
//!
//! // Any later delivery is a duplicate.
//! assert!(matches!(claims.claim("evt_1").await?, ClaimOutcome::Done));
//! # Ok::<(), vortex_client::webhook::store::StoreError>(())
//! # }).unwrap();
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

mod memory;
#[cfg(feature = "redis")]
mod redis_store;

pub use memory::{DEFAULT_MEMORY_CAPACITY, InMemoryEventStore};
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use redis_store::{DEFAULT_REDIS_KEY_PREFIX, DEFAULT_REDIS_TIMEOUT, RedisEventStore};

/// How long a claim protects an event before it may be claimed again (its holder is presumed
/// dead): 5 minutes.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(5 * 60);

/// How long a handled event is remembered as done: 7 days, longer than Vortex keeps retrying.
pub const DEFAULT_DONE_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

/// A boxed future, as returned by [`DynEventStore`].
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Why an event store could not answer. The webhook answers 503 (Vortex retries the delivery
/// later) and logs this error; it never answers 200 for an event whose handling is unknown.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The store could not be reached (connection refused or lost).
    #[error(
        "the webhook event store is unreachable ({0}): check that it is running and that the app can reach it; the delivery is answered 503 so Vortex retries it"
    )]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The store did not answer in time.
    #[error(
        "the webhook event store did not answer within {0:?}: check its health and the network; the delivery is answered 503 so Vortex retries it"
    )]
    Timeout(Duration),
    /// The store is misconfigured (e.g. an invalid Redis URL): fix the configuration.
    #[error("the webhook event store is misconfigured: {0}")]
    Config(String),
    /// The store answered, but with an error or something unexpected.
    #[error(
        "the webhook event store failed ({0}); the delivery is answered 503 so Vortex retries it"
    )]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    /// A [`StoreError::Backend`] from any error (for the app's own stores).
    pub fn backend(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Backend(error.into())
    }

    /// A [`StoreError::Unavailable`] from any error (for the app's own stores).
    pub fn unavailable(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Unavailable(error.into())
    }
}

/// The owner token of a claim: random, unique per claim, so that only the delivery that
/// claimed an event can release it.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ClaimToken(String);

impl ClaimToken {
    /// A new random token: 32 lowercase hex digits (128 bits).
    pub fn random() -> Self {
        Self(format!("{:032x}", fastrand::u128(..)))
    }

    /// A token read back from the app's store.
    pub fn from_stored(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// The token's text, as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ClaimToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ClaimToken").field(&self.0).finish()
    }
}

/// What claiming an event id found. `T` is a [`ClaimToken`] at the [`EventStore`] level and a
/// [`Claim`] guard from [`EventClaims::claim`].
#[derive(Debug)]
#[must_use = "a claimed event must be handled, then completed or released"]
pub enum ClaimOutcome<T = ClaimToken> {
    /// The id was free (never seen, released, or its lease or TTL ran out): it is now claimed
    /// by this delivery; run the handler.
    Claimed(T),
    /// The event was already handled successfully: answer 200 without running the handler.
    Done,
    /// Another delivery holds a live claim on this id: answer a retryable 409/503.
    InProgress,
}

/// Where event-id claims are kept. Every instance of the app must share one store.
///
/// The three operations must each be atomic against concurrent calls from any instance. A
/// record for an id is either *claimed* (with an owner token, expiring after the lease) or
/// *done* (expiring after the done TTL); an expired record counts as absent.
///
/// # Backing it by the app's own SQL table
///
/// Each method is one statement against a table such as
/// `webhook_events(id TEXT PRIMARY KEY, owner TEXT NULL, expires_at TIMESTAMP)` (`owner` NULL
/// means done). The toy below keeps that table in memory; the comments give the SQL
/// (PostgreSQL) each method would run instead.
///
/// ```
/// use std::collections::HashMap;
/// use std::sync::Mutex;
/// use std::time::{Duration, Instant};
/// use vortex_client::webhook::store::{
///     ClaimOutcome, ClaimToken, EventClaims, EventStore, StoreError,
/// };
///
/// /// Row: (owner, expires_at); owner None = done.
/// #[derive(Default)]
/// struct SqlTable(Mutex<HashMap<String, (Option<String>, Instant)>>);
///
/// impl EventStore for SqlTable {
///     async fn claim(&self, id: &str, lease: Duration) -> Result<ClaimOutcome, StoreError> {
///         // INSERT INTO webhook_events (id, owner, expires_at) VALUES ($1, $2, now() + $3)
///         // ON CONFLICT (id) DO UPDATE SET owner = $2, expires_at = now() + $3
///         //   WHERE webhook_events.expires_at <= now()
///         // RETURNING owner;
///         // -- a row back: Claimed; none: SELECT owner (NULL: Done, else InProgress).
///         let token = ClaimToken::random();
///         let now = Instant::now();
///         let mut rows = self.0.lock().unwrap();
///         match rows.get(id) {
///             Some((None, expires)) if *expires > now => return Ok(ClaimOutcome::Done),
///             Some((Some(_), expires)) if *expires > now => return Ok(ClaimOutcome::InProgress),
///             _ => {}
///         }
///         rows.insert(id.to_owned(), (Some(token.as_str().to_owned()), now + lease));
///         Ok(ClaimOutcome::Claimed(token))
///     }
///
///     async fn complete(&self, id: &str, token: &ClaimToken, ttl: Duration) -> Result<bool, StoreError> {
///         // SELECT owner = $2 AND expires_at > now() FROM webhook_events WHERE id = $1;
///         // INSERT INTO webhook_events (id, owner, expires_at) VALUES ($1, NULL, now() + $3)
///         // ON CONFLICT (id) DO UPDATE SET owner = NULL, expires_at = now() + $3;
///         let now = Instant::now();
///         let mut rows = self.0.lock().unwrap();
///         let held = matches!(rows.get(id), Some((Some(owner), expires))
///             if owner == token.as_str() && *expires > now);
///         rows.insert(id.to_owned(), (None, now + ttl));
///         Ok(held)
///     }
///
///     async fn release(&self, id: &str, token: &ClaimToken) -> Result<bool, StoreError> {
///         // DELETE FROM webhook_events WHERE id = $1 AND owner = $2;
///         let mut rows = self.0.lock().unwrap();
///         if matches!(rows.get(id), Some((Some(owner), _)) if owner == token.as_str()) {
///             rows.remove(id);
///             return Ok(true);
///         }
///         Ok(false)
///     }
/// }
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let claims = EventClaims::new(SqlTable::default());
/// let ClaimOutcome::Claimed(claim) = claims.claim("evt_1").await? else { panic!() };
/// claim.complete().await?;
/// assert!(matches!(claims.claim("evt_1").await?, ClaimOutcome::Done));
/// # Ok::<(), StoreError>(())
/// # }).unwrap();
/// ```
pub trait EventStore: Send + Sync + 'static {
    /// Claims `id` for `lease` if it has no live record: [`ClaimOutcome::Claimed`] with a new
    /// owner token; otherwise [`ClaimOutcome::Done`] or [`ClaimOutcome::InProgress`].
    fn claim(
        &self,
        id: &str,
        lease: Duration,
    ) -> impl Future<Output = Result<ClaimOutcome, StoreError>> + Send;

    /// Marks `id` done for `ttl`: its handling succeeded. Records done even when the claim
    /// was lost (its lease ran out, possibly re-claimed by another delivery), because the
    /// handling did succeed; answers whether the claim was still held by `token` (`false`
    /// means the lease is too short for the handler).
    fn complete(
        &self,
        id: &str,
        token: &ClaimToken,
        ttl: Duration,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Removes the claim on `id` only if `token` still owns it (compare-and-delete): the
    /// handling failed, so the next delivery may claim it at once. Answers whether a claim
    /// was removed; a done record or another owner's claim is left as it is.
    fn release(
        &self,
        id: &str,
        token: &ClaimToken,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Checks that the store answers, for the app's readiness check (`/readyz`): `Ok` when a
    /// claim could be made now. Bounded by the store (Redis: `PING` within 1 s or the
    /// store's timeout, whichever is shorter). The default answers `Ok` (a store in this
    /// process is always there).
    fn ping(&self) -> impl Future<Output = Result<(), StoreError>> + Send {
        async { Ok(()) }
    }
}

/// The object-safe form of [`EventStore`], implemented for every `EventStore`.
pub trait DynEventStore: Send + Sync + 'static {
    /// [`EventStore::claim`], boxed.
    fn claim_dyn<'a>(
        &'a self,
        id: &'a str,
        lease: Duration,
    ) -> StoreFuture<'a, Result<ClaimOutcome, StoreError>>;
    /// [`EventStore::complete`], boxed.
    fn complete_dyn<'a>(
        &'a self,
        id: &'a str,
        token: &'a ClaimToken,
        ttl: Duration,
    ) -> StoreFuture<'a, Result<bool, StoreError>>;
    /// [`EventStore::release`], boxed.
    fn release_dyn<'a>(
        &'a self,
        id: &'a str,
        token: &'a ClaimToken,
    ) -> StoreFuture<'a, Result<bool, StoreError>>;
    /// [`EventStore::ping`], boxed.
    fn ping_dyn(&self) -> StoreFuture<'_, Result<(), StoreError>>;
}

impl<T: EventStore> DynEventStore for T {
    fn claim_dyn<'a>(
        &'a self,
        id: &'a str,
        lease: Duration,
    ) -> StoreFuture<'a, Result<ClaimOutcome, StoreError>> {
        Box::pin(self.claim(id, lease))
    }
    fn complete_dyn<'a>(
        &'a self,
        id: &'a str,
        token: &'a ClaimToken,
        ttl: Duration,
    ) -> StoreFuture<'a, Result<bool, StoreError>> {
        Box::pin(self.complete(id, token, ttl))
    }
    fn release_dyn<'a>(
        &'a self,
        id: &'a str,
        token: &'a ClaimToken,
    ) -> StoreFuture<'a, Result<bool, StoreError>> {
        Box::pin(self.release(id, token))
    }
    fn ping_dyn(&self) -> StoreFuture<'_, Result<(), StoreError>> {
        Box::pin(self.ping())
    }
}

/// A shared store is a store (e.g. one [`InMemoryEventStore`] behind several
/// [`EventClaims`]).
impl<T: EventStore> EventStore for Arc<T> {
    fn claim(
        &self,
        id: &str,
        lease: Duration,
    ) -> impl Future<Output = Result<ClaimOutcome, StoreError>> + Send {
        (**self).claim(id, lease)
    }
    fn complete(
        &self,
        id: &str,
        token: &ClaimToken,
        ttl: Duration,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        (**self).complete(id, token, ttl)
    }
    fn release(
        &self,
        id: &str,
        token: &ClaimToken,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        (**self).release(id, token)
    }
    fn ping(&self) -> impl Future<Output = Result<(), StoreError>> + Send {
        (**self).ping()
    }
}

/// Claims event ids in a store with a lease and a done TTL, handing out [`Claim`] guards.
/// Cheap to clone (clones share the store).
#[derive(Clone)]
pub struct EventClaims {
    store: Arc<dyn DynEventStore>,
    lease: Duration,
    done_ttl: Duration,
}

impl fmt::Debug for EventClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventClaims")
            .field("lease", &self.lease)
            .field("done_ttl", &self.done_ttl)
            .finish_non_exhaustive()
    }
}

impl EventClaims {
    /// Claims in `store`, with the default lease (5 minutes) and done TTL (7 days).
    pub fn new(store: impl EventStore) -> Self {
        Self::from_dyn(Arc::new(store))
    }

    /// Claims in an already shared, type-erased store.
    pub fn from_dyn(store: Arc<dyn DynEventStore>) -> Self {
        Self {
            store,
            lease: DEFAULT_LEASE,
            done_ttl: DEFAULT_DONE_TTL,
        }
    }

    /// Claims in a new [`InMemoryEventStore`] (one process).
    pub fn in_memory() -> Self {
        Self::new(InMemoryEventStore::default())
    }

    /// Sets how long a claim lasts when its holder neither completes nor releases it (the
    /// process died): longer than the slowest handler run. At least 1 ms.
    #[must_use]
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease.max(Duration::from_millis(1));
        self
    }

    /// Sets how long a handled event is remembered: longer than Vortex's retries (at least
    /// 3 days in production). At least 1 ms.
    #[must_use]
    pub fn done_ttl(mut self, ttl: Duration) -> Self {
        self.done_ttl = ttl.max(Duration::from_millis(1));
        self
    }

    /// The lease.
    pub fn lease_duration(&self) -> Duration {
        self.lease
    }

    /// The done TTL.
    pub fn done_ttl_duration(&self) -> Duration {
        self.done_ttl
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn DynEventStore> {
        &self.store
    }

    /// Whether the store answers: [`EventStore::ping`], for the app's readiness check.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.store.ping_dyn().await
    }

    /// Claims `id` for this delivery. [`ClaimOutcome::Claimed`] carries the guard to
    /// complete after the handler succeeded; dropping it releases the claim.
    pub async fn claim(&self, id: &str) -> Result<ClaimOutcome<Claim>, StoreError> {
        Ok(match self.store.claim_dyn(id, self.lease).await? {
            ClaimOutcome::Claimed(token) => ClaimOutcome::Claimed(Claim {
                held: Some(Held {
                    store: Arc::clone(&self.store),
                    id: id.to_owned(),
                    token,
                    done_ttl: self.done_ttl,
                }),
            }),
            ClaimOutcome::Done => ClaimOutcome::Done,
            ClaimOutcome::InProgress => ClaimOutcome::InProgress,
        })
    }
}

/// The claim of one event id by one delivery, held while its handler runs.
///
/// - [`complete`](Self::complete) after the handler succeeded (for a webhook endpoint: the
///   response status is 2xx; [`finish`](Self::finish) takes that status);
/// - [`release`](Self::release) after it failed;
/// - **dropped** without either (an error path, a panic unwinding through the holder, the
///   request future dropped): the release is spawned on the current Tokio runtime. Outside a
///   Tokio runtime, or if the runtime is shutting down, nothing is sent and the claim expires
///   after its lease, exactly as when the process dies.
#[must_use = "dropping a Claim releases it: complete it once the handler succeeded"]
pub struct Claim {
    held: Option<Held>,
}

struct Held {
    store: Arc<dyn DynEventStore>,
    id: String,
    token: ClaimToken,
    done_ttl: Duration,
}

impl Held {
    async fn release(&self) -> Result<bool, StoreError> {
        let released = self.store.release_dyn(&self.id, &self.token).await;
        match &released {
            Ok(_) => tracing::debug!(event.id = %self.id, "webhook event claim released"),
            Err(error) => tracing::warn!(
                event.id = %self.id,
                %error,
                "could not release a webhook event claim: it expires after its lease"
            ),
        }
        released
    }
}

impl fmt::Debug for Claim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Claim")
            .field("id", &self.held.as_ref().map(|h| h.id.as_str()))
            .finish_non_exhaustive()
    }
}

impl Claim {
    /// The claimed event id.
    pub fn id(&self) -> &str {
        self.held.as_ref().map_or("", |h| h.id.as_str())
    }

    /// The owner token.
    pub fn token(&self) -> Option<&ClaimToken> {
        self.held.as_ref().map(|h| &h.token)
    }

    /// Marks the event done: later deliveries of its id get [`ClaimOutcome::Done`].
    ///
    /// On a store error the claim is *not* released (that would let a retry run the handler
    /// again at once): it expires after its lease. Answer the delivery 2xx anyway, since the
    /// handler did succeed. If this future is dropped before it finishes, the claim is
    /// released (a no-op if the completion already reached the store).
    pub async fn complete(mut self) -> Result<(), StoreError> {
        let Some(held) = &self.held else {
            return Ok(());
        };
        let result = held
            .store
            .complete_dyn(&held.id, &held.token, held.done_ttl)
            .await;
        // Completed, or failed: either way, never release after this point.
        let held = self.held.take().expect("held was checked above");
        match result {
            Ok(true) => {
                tracing::debug!(event.id = %held.id, "webhook event marked done");
                Ok(())
            }
            Ok(false) => {
                tracing::warn!(
                    event.id = %held.id,
                    "webhook event marked done after its claim's lease ran out: raise the lease above the handler's run time"
                );
                Ok(())
            }
            Err(error) => {
                tracing::error!(
                    event.id = %held.id,
                    %error,
                    "could not mark a handled webhook event done: a retry after the lease may run it again"
                );
                Err(error)
            }
        }
    }

    /// Releases the claim: the handling failed, so the next delivery of this id runs the
    /// handler again.
    pub async fn release(mut self) -> Result<(), StoreError> {
        match self.held.take() {
            Some(held) => held.release().await.map(drop),
            None => Ok(()),
        }
    }

    /// Completes the claim when `status` is 2xx, releases it otherwise: the hook for a
    /// response on its way out.
    pub async fn finish(self, status: u16) -> Result<(), StoreError> {
        if (200..300).contains(&status) {
            self.complete().await
        } else {
            self.release().await
        }
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        let Some(held) = self.held.take() else {
            return;
        };
        if std::thread::panicking() {
            tracing::warn!(event.id = %held.id, "webhook handler panicked: releasing its claim");
        }
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    let _ = held.release().await;
                });
            }
            Err(_) => tracing::warn!(
                event.id = %held.id,
                "webhook event claim dropped outside a Tokio runtime: it expires after its lease"
            ),
        }
    }
}
