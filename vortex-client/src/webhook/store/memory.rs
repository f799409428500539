//! The in-memory event store, for one process.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::{ClaimOutcome, ClaimToken, EventStore, StoreError};

/// The default capacity of an [`InMemoryEventStore`]: 100 000 event ids.
pub const DEFAULT_MEMORY_CAPACITY: usize = 100_000;

/// An [`EventStore`] in this process's memory: for an app running **one** instance (each
/// instance of a replicated app would have its own, and handle a redelivered event again).
///
/// It keeps at most `capacity` records (claims and done ids). Expired records are dropped
/// first; when it is full of live ones, the record closest to expiring is forgotten (an
/// event forgotten that way may be handled again if Vortex redelivers it).
#[derive(Debug)]
pub struct InMemoryEventStore {
    capacity: usize,
    records: Mutex<Records>,
}

impl Default for InMemoryEventStore {
    fn default() -> Self {
        Self::new(DEFAULT_MEMORY_CAPACITY)
    }
}

impl InMemoryEventStore {
    /// A store keeping at most `capacity` records (at least 1).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            records: Mutex::new(Records::default()),
        }
    }

    /// The number of live records (claims and done ids).
    pub fn len(&self) -> usize {
        let mut records = self.lock();
        records.purge_expired(Instant::now());
        records.by_id.len()
    }

    /// Whether no record is live.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Records> {
        // A panic while holding the lock cannot leave `Records` half-updated in a way that
        // breaks the invariants checked here, so a poisoned lock is still usable.
        self.records.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Claimed(ClaimToken),
    Done,
}

#[derive(Debug)]
struct Record {
    state: State,
    expiry: Expiry,
}

/// When a record expires; `seq` makes every key unique.
type Expiry = (Instant, u64);

#[derive(Debug, Default)]
struct Records {
    by_id: HashMap<String, Record>,
    by_expiry: BTreeSet<(Expiry, String)>,
    next_seq: u64,
}

impl Records {
    fn purge_expired(&mut self, now: Instant) {
        while let Some(first) = self.by_expiry.first()
            && first.0.0 <= now
        {
            let (_, id) = self.by_expiry.pop_first().expect("first exists");
            self.by_id.remove(&id);
        }
    }

    fn live(&self, id: &str) -> Option<&State> {
        // Expired records were purged just before every lookup.
        self.by_id.get(id).map(|r| &r.state)
    }

    fn set(&mut self, id: &str, state: State, until: Instant, capacity: usize) {
        self.remove(id);
        while self.by_id.len() >= capacity {
            let Some((_, oldest)) = self.by_expiry.pop_first() else {
                break;
            };
            self.by_id.remove(&oldest);
        }
        self.next_seq += 1;
        let expiry = (until, self.next_seq);
        self.by_expiry.insert((expiry, id.to_owned()));
        self.by_id.insert(id.to_owned(), Record { state, expiry });
    }

    fn remove(&mut self, id: &str) {
        if let Some(record) = self.by_id.remove(id) {
            self.by_expiry.remove(&(record.expiry, id.to_owned()));
        }
    }
}

impl EventStore for InMemoryEventStore {
    async fn claim(&self, id: &str, lease: Duration) -> Result<ClaimOutcome, StoreError> {
        let now = Instant::now();
        let mut records = self.lock();
        records.purge_expired(now);
        match records.live(id) {
            Some(State::Done) => Ok(ClaimOutcome::Done),
            Some(State::Claimed(_)) => Ok(ClaimOutcome::InProgress),
            None => {
                let token = ClaimToken::random();
                records.set(
                    id,
                    State::Claimed(token.clone()),
                    now + lease,
                    self.capacity,
                );
                Ok(ClaimOutcome::Claimed(token))
            }
        }
    }

    async fn complete(
        &self,
        id: &str,
        token: &ClaimToken,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let now = Instant::now();
        let mut records = self.lock();
        records.purge_expired(now);
        let held = records.live(id) == Some(&State::Claimed(token.clone()));
        records.set(id, State::Done, now + ttl, self.capacity);
        Ok(held)
    }

    async fn release(&self, id: &str, token: &ClaimToken) -> Result<bool, StoreError> {
        let mut records = self.lock();
        records.purge_expired(Instant::now());
        if records.live(id) != Some(&State::Claimed(token.clone())) {
            return Ok(false);
        }
        records.remove(id);
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
            .block_on(f)
    }

    const LONG: Duration = Duration::from_secs(60);

    #[test]
    fn capacity_forgets_the_record_closest_to_expiry() {
        let store = InMemoryEventStore::new(2);
        block_on(async {
            let ClaimOutcome::Claimed(a) = store.claim("a", LONG).await.unwrap() else {
                panic!("a")
            };
            store
                .complete("a", &a, Duration::from_secs(10))
                .await
                .unwrap();
            let _b = store.claim("b", LONG).await.unwrap();
            let _c = store.claim("c", LONG).await.unwrap();
            assert_eq!(store.len(), 2);
            // `a` expired soonest (10 s), so it was the one forgotten.
            assert!(matches!(
                store.claim("a", LONG).await.unwrap(),
                ClaimOutcome::Claimed(_)
            ));
        });
    }

    #[test]
    fn expired_records_are_purged() {
        let store = InMemoryEventStore::default();
        block_on(async {
            let _ = store.claim("a", Duration::from_millis(20)).await.unwrap();
            assert_eq!(store.len(), 1);
            tokio::time::sleep(Duration::from_millis(40)).await;
            assert!(store.is_empty());
        });
    }
}
