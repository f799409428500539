//! The Redis Cluster event store across a failover: each webhook event is still handled
//! exactly once when the master holding its claims dies mid-stream.
//!
//! A 6-node cluster of its own ([`RedisCluster`]: 3 masters, 3 replicas,
//! `cluster-node-timeout` 1 s), two app instances (two separate cluster connections), and a
//! stream of deliveries: 300 event ids, each delivered 2 or 3 times, some duplicates at once
//! and some later, each delivery doing what a webhook endpoint does (claim; claimed: run the
//! handler, then complete; done: answer 200 without the handler; in progress or a store
//! error: "Vortex retries later", the delivery comes again after a backoff from 100 ms to
//! 1.6 s). Part way through,
//! the master of some of the ids is killed (`SIGKILL`); once its replica took over it is
//! restarted (it rejoins as the new master's replica), as a supervisor would. Every delivery
//! must end answered with success, within 60 s, and every id must have been handled exactly
//! once.
//!
//! Skipped with a message when `redis-server` or `redis-cli` is missing; required under `CI`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use vortex_client::webhook::store::{ClaimOutcome, EventClaims, RedisEventStore};
use vortex_tests::redis_cluster::RedisCluster;

/// The event ids of the stream.
const IDS: usize = 300;
/// The first deliveries of the ids come this far apart (300 ids: over 3.6 s).
const STEP: Duration = Duration::from_millis(12);
/// When the master is killed, from the start of the stream.
const KILL_AFTER: Duration = Duration::from_millis(1200);
/// The store's limit on each call (completions retry for up to 4 × this).
const TIMEOUT: Duration = Duration::from_millis(1500);
/// The claims' lease: longer than a failover (about 3 s here) plus the handler, and than the
/// completion's retries (4 × the timeout), so that a claim outlives its completion.
const LEASE: Duration = Duration::from_secs(8);
/// The handler's run: claims are in flight when the master dies.
const HANDLER: Duration = Duration::from_millis(100);
/// A delivery answered 409/503 comes again after this, doubled at each retry up to
/// [`RETRY_AT_MOST`] (with a spread per id), as Vortex backs off.
const RETRY_AFTER: Duration = Duration::from_millis(100);
const RETRY_AT_MOST: Duration = Duration::from_millis(1600);
/// The whole stream ends within this, or the test fails (it never hangs).
const BOUND: Duration = Duration::from_secs(60);

/// What the deliveries saw.
struct Tally {
    /// Handler runs per id.
    handled: Vec<AtomicUsize>,
    /// Deliveries answered 200 without the handler (the id was done).
    done: AtomicUsize,
    /// Claims answered "in progress" (another delivery holds the id): retried.
    in_progress: AtomicUsize,
    /// Claims answered with a store error (503): retried.
    store_errors: AtomicUsize,
    /// Completions that failed (the handled event may be handled again after the lease).
    complete_errors: AtomicUsize,
}

/// One delivery of `evt_{id}` at one instance, until it is answered with success.
async fn deliver(claims: EventClaims, id: usize, tally: Arc<Tally>) {
    let event = format!("evt_{id}");
    let spread = Duration::from_millis(u64::try_from(id * 37 % 100).expect("small"));
    let mut retry_after = RETRY_AFTER;
    loop {
        match claims.claim(&event).await {
            Ok(ClaimOutcome::Claimed(claim)) => {
                tally.handled[id].fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(HANDLER).await;
                if let Err(error) = claim.complete().await {
                    eprintln!("{event}: completion failed: {error}");
                    tally.complete_errors.fetch_add(1, Ordering::SeqCst);
                }
                return;
            }
            Ok(ClaimOutcome::Done) => {
                tally.done.fetch_add(1, Ordering::SeqCst);
                return;
            }
            Ok(ClaimOutcome::InProgress) => {
                tally.in_progress.fetch_add(1, Ordering::SeqCst);
            }
            Err(error) => {
                if tally.store_errors.fetch_add(1, Ordering::SeqCst) == 0 {
                    eprintln!("{event}: first store error (503, retried): {error}");
                }
            }
        }
        tokio::time::sleep(retry_after + spread).await;
        retry_after = (retry_after * 2).min(RETRY_AT_MOST);
    }
}

/// When the deliveries of id `id` come, from the start of the stream: the first at
/// `id × STEP`, a duplicate within 300 ms (often while the first is being handled), and for
/// odd ids a third one 0.5 to 2 s later.
fn schedule(id: usize) -> Vec<Duration> {
    let first = STEP * u32::try_from(id).expect("few ids");
    let spread = |modulus: usize, factor: usize| {
        Duration::from_millis(u64::try_from(id * factor % modulus).expect("small"))
    };
    let mut times = vec![first, first + spread(300, 7919)];
    if id % 2 == 1 {
        times.push(first + Duration::from_millis(500) + spread(1500, 104_729));
    }
    times
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_event_is_handled_once_across_a_failover() {
    let Some(mut cluster) = RedisCluster::start() else {
        return;
    };
    let urls = cluster.urls();
    let mut instances = Vec::new();
    for _ in 0..2 {
        let store = RedisEventStore::connect_cluster_with_timeout(&urls, TIMEOUT)
            .await
            .expect("connect to the test Redis Cluster");
        assert!(
            !format!("{store:?}").contains("127.0.0.1"),
            "Debug hides the URLs"
        );
        instances.push(
            EventClaims::new(store)
                .lease(LEASE)
                .done_ttl(Duration::from_secs(600)),
        );
    }
    // The master to kill: the one holding a late id's key (ids after it are still to come).
    let victim_key = format!("vortex:webhook:evt_{}", IDS * 2 / 3);
    let victim = cluster.master_of_key(&victim_key);
    let slot = cluster.slot_of(&victim_key);

    let tally = Arc::new(Tally {
        handled: (0..IDS).map(|_| AtomicUsize::new(0)).collect(),
        done: AtomicUsize::new(0),
        in_progress: AtomicUsize::new(0),
        store_errors: AtomicUsize::new(0),
        complete_errors: AtomicUsize::new(0),
    });
    let started = tokio::time::Instant::now();
    let mut deliveries = Vec::new();
    for id in 0..IDS {
        for (n, at) in schedule(id).into_iter().enumerate() {
            let claims = instances[(id + n) % 2].clone();
            let tally = Arc::clone(&tally);
            deliveries.push(tokio::spawn(async move {
                tokio::time::sleep_until(started + at).await;
                deliver(claims, id, tally).await;
            }));
        }
    }
    let total = deliveries.len();

    // The failover, as an operator would see it: the master dies; once its replica took
    // over, a supervisor restarts it and it rejoins as a replica.
    let failover = tokio::task::spawn_blocking(move || {
        std::thread::sleep(KILL_AFTER);
        let killed = Instant::now();
        cluster.kill(victim);
        let promoted = cluster.wait_failover(slot, victim, Duration::from_secs(20));
        cluster.restart(victim);
        cluster.wait_replica_in_sync(victim, Duration::from_secs(20));
        let recovered = killed.elapsed();
        (cluster, promoted, recovered)
    });

    let all = async {
        for delivery in deliveries {
            delivery.await.expect("a delivery panicked");
        }
    };
    tokio::time::timeout(BOUND, all)
        .await
        .unwrap_or_else(|_| panic!("the deliveries were not all answered within {BOUND:?}"));
    let took = started.elapsed();
    let (cluster, promoted, recovered) = failover.await.expect("the failover");
    let new_master = cluster.master_of_key(&victim_key);
    assert_ne!(new_master, victim, "the replica took over");

    let handled: Vec<usize> = tally
        .handled
        .iter()
        .map(|count| count.load(Ordering::SeqCst))
        .collect();
    let never: Vec<usize> = (0..IDS).filter(|&id| handled[id] == 0).collect();
    let twice: Vec<(usize, usize)> = (0..IDS)
        .filter(|&id| handled[id] > 1)
        .map(|id| (id, handled[id]))
        .collect();
    let done = tally.done.load(Ordering::SeqCst);
    let store_errors = tally.store_errors.load(Ordering::SeqCst);
    let in_progress = tally.in_progress.load(Ordering::SeqCst);
    let complete_errors = tally.complete_errors.load(Ordering::SeqCst);
    eprintln!(
        "redis cluster failover: master :{victim} killed {KILL_AFTER:?} into the stream, replica :{new_master} promoted after {promoted:?}, \
         the shard had a replica in sync again after {recovered:?}; {total} deliveries of {IDS} ids answered in {took:?}: \
         {} handled, {done} answered done without the handler, {store_errors} store errors (503) and {in_progress} in-progress answers retried, \
         {complete_errors} failed completions",
        handled.iter().sum::<usize>()
    );
    assert!(never.is_empty(), "ids never handled: {never:?}");
    assert!(
        twice.is_empty(),
        "ids handled more than once (id, runs): {twice:?}"
    );
    assert_eq!(complete_errors, 0, "every completion rode out the failover");
    assert!(done > 0, "some deliveries were duplicates answered done");
    assert_eq!(done, total - IDS, "every other delivery was answered done");
}
