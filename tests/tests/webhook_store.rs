//! The webhook event store suite of `vortex_client::webhook::store` (issue 12): one suite,
//! two stores. Each case runs on the in-memory store (two instances = two handles on one
//! store) and on a real `redis-server` (two instances = two separate connections to one
//! server), started by the workspace's [`RedisServer`] helper (which skips the Redis half
//! with a message when the binary is missing, and fails under `CI`).
//!
//! It lives in the conformance package rather than in vortex-client's own tests because the
//! `redis-server` helper is a workspace crate (vortex-demo-driver) that vortex-client's
//! published package cannot depend on.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use vortex_client::webhook::store::{
    ClaimOutcome, ClaimToken, DynEventStore, EventClaims, InMemoryEventStore, StoreError,
};

use vortex_tests::redis_server::RedisServer;

/// The short lease of the abandoned-claim cases.
const SHORT: Duration = Duration::from_millis(300);
/// Every awaited call of the suite finishes within this, or the test fails (never hangs).
const BOUND: Duration = Duration::from_secs(10);

/// Where the instances of one case keep their claims.
enum Backend {
    Memory(Arc<InMemoryEventStore>),
    Redis(RedisServer),
}

impl Backend {
    fn memory() -> Self {
        Self::Memory(Arc::new(InMemoryEventStore::default()))
    }

    fn redis() -> Option<Self> {
        RedisServer::start().map(Self::Redis)
    }

    /// A new app instance's view of the shared store.
    async fn instance(&self) -> Arc<dyn DynEventStore> {
        match self {
            Self::Memory(store) => Arc::clone(store) as Arc<dyn DynEventStore>,
            Self::Redis(server) => Arc::new(
                vortex_client::webhook::store::RedisEventStore::connect_with_timeout(
                    &server.url(),
                    Duration::from_secs(1),
                )
                .await
                .expect("connect to the test redis-server"),
            ),
        }
    }

    async fn claims(&self) -> EventClaims {
        EventClaims::from_dyn(self.instance().await)
    }
}

async fn within<F: std::future::Future>(future: F) -> F::Output {
    tokio::time::timeout(BOUND, future)
        .await
        .expect("a store call hung")
}

fn claimed<T: std::fmt::Debug>(outcome: ClaimOutcome<T>) -> T {
    match outcome {
        ClaimOutcome::Claimed(claim) => claim,
        other => panic!("expected Claimed, got {other:?}"),
    }
}

fn outcome_name<T>(outcome: &ClaimOutcome<T>) -> &'static str {
    match outcome {
        ClaimOutcome::Claimed(_) => "claimed",
        ClaimOutcome::Done => "done",
        ClaimOutcome::InProgress => "in progress",
    }
}

async fn outcome_of(claims: &EventClaims, id: &str) -> &'static str {
    outcome_name(&within(claims.claim(id)).await.expect("claim"))
}

/// Claims `id` until it is claimed (a release spawned by a dropped guard lands a moment
/// later), at most `BOUND`.
async fn claim_eventually(claims: &EventClaims, id: &str) -> vortex_client::webhook::store::Claim {
    let deadline = Instant::now() + BOUND;
    loop {
        match within(claims.claim(id)).await.expect("claim") {
            ClaimOutcome::Claimed(claim) => return claim,
            other => assert!(
                Instant::now() < deadline,
                "{id} was never claimable again: {other:?}"
            ),
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Concurrent duplicate deliveries at two instances: exactly one is claimed (the handler
/// runs once); the others are in progress, never done, until the winner completes.
async fn concurrent_duplicates_claim_once(backend: Backend) {
    let (a, b) = (backend.claims().await, backend.claims().await);
    let handled = Arc::new(AtomicUsize::new(0));
    let barrier = Arc::new(tokio::sync::Barrier::new(16));
    let mut tasks = Vec::new();
    for n in 0..16 {
        let claims = if n % 2 == 0 { a.clone() } else { b.clone() };
        let (handled, barrier) = (Arc::clone(&handled), Arc::clone(&barrier));
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            match within(claims.claim("evt_dup")).await.expect("claim") {
                ClaimOutcome::Claimed(claim) => {
                    handled.fetch_add(1, Ordering::SeqCst);
                    Some(claim)
                }
                ClaimOutcome::InProgress => None,
                ClaimOutcome::Done => panic!("done before the winner completed"),
            }
        }));
    }
    let mut winners = Vec::new();
    for task in tasks {
        winners.extend(within(task).await.expect("task"));
    }
    assert_eq!(
        handled.load(Ordering::SeqCst),
        1,
        "the handler ran more than once"
    );
    let winner = winners.pop().expect("one winner");
    assert_eq!(outcome_of(&b, "evt_dup").await, "in progress");
    within(winner.complete()).await.expect("complete");
    assert_eq!(outcome_of(&a, "evt_dup").await, "done");
    assert_eq!(outcome_of(&b, "evt_dup").await, "done");
}

/// A failure (release) at one instance: the retry at the other is claimed and handled.
async fn failure_is_retried_at_the_other_instance(backend: Backend) {
    let (a, b) = (backend.claims().await, backend.claims().await);
    let claim = claimed(within(a.claim("evt_fail")).await.unwrap());
    within(claim.release()).await.expect("release");
    let retry = claimed(within(b.claim("evt_fail")).await.unwrap());
    within(retry.complete()).await.expect("complete");
    assert_eq!(outcome_of(&a, "evt_fail").await, "done");
}

/// A guard dropped without completing (a panic unwinding through the handler, or the
/// handler's future dropped) releases the claim: the retry is handled.
async fn dropped_guard_releases(backend: Backend) {
    let (a, b) = (backend.claims().await, backend.claims().await);
    let claims = a.clone();
    let panicked = tokio::spawn(async move {
        let _claim = claimed(claims.claim("evt_panic").await.unwrap());
        panic!("the handler panics while holding the claim");
    });
    assert!(within(panicked).await.unwrap_err().is_panic());
    within(claim_eventually(&b, "evt_panic").await.complete())
        .await
        .unwrap();

    let claims = a.clone();
    let slow_handler = async move {
        let claim = claimed(claims.claim("evt_dropped").await.unwrap());
        tokio::time::sleep(Duration::from_secs(60)).await;
        claim.complete().await
    };
    // The request is abandoned (client gone, timeout): the handler's future is dropped.
    assert!(
        tokio::time::timeout(Duration::from_millis(50), slow_handler)
            .await
            .is_err()
    );
    let retry = claim_eventually(&b, "evt_dropped").await;
    within(retry.complete()).await.unwrap();
    assert_eq!(outcome_of(&a, "evt_dropped").await, "done");
}

/// A claim abandoned by a dead instance (never completed nor released) blocks duplicates
/// during its lease, then is claimable by another instance.
async fn abandoned_claim_expires_after_the_lease(backend: Backend) {
    let dead = backend.claims().await.lease(SHORT);
    let alive = backend.claims().await.lease(SHORT);
    let started = Instant::now();
    let claim = claimed(within(dead.claim("evt_dead")).await.unwrap());
    // The process dies: no destructor, no release.
    std::mem::forget(claim);
    assert_eq!(outcome_of(&alive, "evt_dead").await, "in progress");
    let retry = claim_eventually(&alive, "evt_dead").await;
    assert!(
        started.elapsed() >= SHORT - Duration::from_millis(20),
        "claimed again before the lease ran out ({:?})",
        started.elapsed()
    );
    within(retry.complete()).await.unwrap();
    assert_eq!(outcome_of(&dead, "evt_dead").await, "done");
}

/// Completed events are done for every instance, until the done TTL runs out.
async fn completed_is_done_until_the_ttl(backend: Backend) {
    let a = backend.claims().await.done_ttl(SHORT);
    let b = backend.claims().await;
    let claim = claimed(within(a.claim("evt_done")).await.unwrap());
    within(claim.complete()).await.unwrap();
    for _ in 0..3 {
        assert_eq!(outcome_of(&b, "evt_done").await, "done");
    }
    tokio::time::sleep(SHORT + Duration::from_millis(100)).await;
    assert_eq!(outcome_of(&b, "evt_done").await, "claimed");
}

/// Only the claim's owner can release it; nobody can release a done record.
async fn release_by_a_non_owner_does_nothing(backend: Backend) {
    let (a, b) = (backend.instance().await, backend.instance().await);
    let token = claimed(within(a.claim_dyn("evt_owner", SHORT * 100)).await.unwrap());
    let stranger = ClaimToken::random();
    assert!(!within(b.release_dyn("evt_owner", &stranger)).await.unwrap());
    assert_eq!(
        outcome_name(&within(b.claim_dyn("evt_owner", SHORT)).await.unwrap()),
        "in progress"
    );
    assert!(
        within(a.complete_dyn("evt_owner", &token, SHORT * 100))
            .await
            .unwrap()
    );
    // Neither the former owner nor anyone else can turn a done record back into a claim.
    assert!(!within(a.release_dyn("evt_owner", &token)).await.unwrap());
    assert!(!within(b.release_dyn("evt_owner", &stranger)).await.unwrap());
    assert_eq!(
        outcome_name(&within(b.claim_dyn("evt_owner", SHORT)).await.unwrap()),
        "done"
    );
}

/// A completion after the lease ran out still marks the event done (its handling did
/// succeed) and says the claim was lost; the late second claimant cannot undo it.
async fn late_completion_still_marks_done(backend: Backend) {
    let (a, b) = (backend.instance().await, backend.instance().await);
    let slow = claimed(within(a.claim_dyn("evt_late", SHORT)).await.unwrap());
    tokio::time::sleep(SHORT + Duration::from_millis(100)).await;
    let second = claimed(within(b.claim_dyn("evt_late", SHORT * 100)).await.unwrap());
    let held = within(a.complete_dyn("evt_late", &slow, SHORT * 100))
        .await
        .unwrap();
    assert!(
        !held,
        "the lease had run out: the claim was not held any more"
    );
    assert!(!within(b.release_dyn("evt_late", &second)).await.unwrap());
    assert_eq!(
        outcome_name(&within(b.claim_dyn("evt_late", SHORT)).await.unwrap()),
        "done"
    );
}

/// The guard's `finish` completes on 2xx and releases otherwise.
async fn finish_follows_the_status(backend: Backend) {
    let claims = backend.claims().await;
    for (status, after) in [(500, "claimed"), (409, "claimed"), (204, "done")] {
        let id = format!("evt_status_{status}");
        let claim = claimed(within(claims.claim(&id)).await.unwrap());
        within(claim.finish(status)).await.unwrap();
        assert_eq!(outcome_of(&claims, &id).await, after, "status {status}");
    }
}

macro_rules! suite {
    ($($case:ident),* $(,)?) => {
        mod memory {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    super::$case(super::Backend::memory()).await;
                }
            )*
        }

        mod redis {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    if let Some(backend) = super::Backend::redis() {
                        super::$case(backend).await;
                    }
                }
            )*
        }
    };
}

suite!(
    concurrent_duplicates_claim_once,
    failure_is_retried_at_the_other_instance,
    dropped_guard_releases,
    abandoned_claim_expires_after_the_lease,
    completed_is_done_until_the_ttl,
    release_by_a_non_owner_does_nothing,
    late_completion_still_marks_done,
    finish_follows_the_status,
);

/// A store error is a `StoreError` whose message says what to do, for the 503 log line.
#[test]
fn store_errors_say_what_to_do() {
    let error = StoreError::Timeout(Duration::from_secs(3));
    let text = error.to_string();
    assert!(text.contains("3s") && text.contains("503"), "{text}");
}

mod redis_only {
    use super::*;
    use vortex_client::webhook::store::RedisEventStore;

    /// Redis stopped mid-way: calls fail quickly (bounded, no hang) with an error the
    /// webhook answers 503; once Redis is back on the same port, the same store recovers.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn stopped_redis_is_a_quick_error_then_recovers() {
        let Some(mut server) = RedisServer::start() else {
            return;
        };
        let timeout = Duration::from_secs(1);
        let store = RedisEventStore::connect_with_timeout(&server.url(), timeout)
            .await
            .unwrap();
        let claims = EventClaims::new(store);
        let held = claimed(within(claims.claim("evt_before")).await.unwrap());

        server.stop();
        for id in ["evt_down_1", "evt_down_2"] {
            let started = Instant::now();
            let error = within(claims.claim(id)).await.unwrap_err();
            assert!(
                started.elapsed() < timeout * 3,
                "took {:?}",
                started.elapsed()
            );
            assert!(
                matches!(error, StoreError::Unavailable(_) | StoreError::Timeout(_)),
                "{error:?}"
            );
        }
        // Completing while Redis is down is an error too (the claim then expires by lease).
        assert!(within(held.complete()).await.is_err());

        server.restart();
        let deadline = Instant::now() + BOUND;
        let claim = loop {
            match within(claims.claim("evt_after")).await {
                Ok(outcome) => break claimed(outcome),
                Err(error) => assert!(
                    Instant::now() < deadline,
                    "no recovery after restart: {error}"
                ),
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        within(claim.complete()).await.unwrap();
        assert_eq!(outcome_of(&claims, "evt_after").await, "done");
    }

    /// A Redis restart under load: while it is down every call fails within its timeout
    /// (none waits longer), `ping` turns to an error at once; once it is back on the same
    /// port, `ping` and claims succeed again within 10 s, with no new connection made by
    /// the app. Prints the longest call during the outage and the recovery time.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn restart_under_load_recovers_with_every_call_bounded() {
        let Some(mut server) = RedisServer::start() else {
            return;
        };
        let timeout = Duration::from_secs(1);
        let store = RedisEventStore::connect_with_timeout(&server.url(), timeout)
            .await
            .unwrap();
        let claims = EventClaims::new(store);
        within(claims.ping()).await.expect("ping while up");

        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let longest = Arc::new(std::sync::Mutex::new(Duration::ZERO));
        let handled = Arc::new(AtomicUsize::new(0));
        let mut load = Vec::new();
        for worker in 0..4 {
            let (claims, stop, longest, handled) = (
                claims.clone(),
                Arc::clone(&stop),
                Arc::clone(&longest),
                Arc::clone(&handled),
            );
            load.push(tokio::spawn(async move {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let started = Instant::now();
                    let outcome = within(claims.claim(&format!("evt-load-{worker}-{n}"))).await;
                    if let Ok(ClaimOutcome::Claimed(claim)) = outcome
                        && within(claim.complete()).await.is_ok()
                    {
                        handled.fetch_add(1, Ordering::Relaxed);
                    }
                    let took = started.elapsed();
                    {
                        let mut longest = longest.lock().unwrap();
                        *longest = (*longest).max(took);
                    }
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }));
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        server.stop();
        let stopped = Instant::now();
        let down_after = loop {
            if within(claims.ping()).await.is_err() {
                break stopped.elapsed();
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        assert!(down_after < Duration::from_secs(2), "{down_after:?}");
        tokio::time::sleep(Duration::from_secs(2)).await;
        server.restart();
        let restarted = Instant::now();
        let up_after = loop {
            if within(claims.ping()).await.is_ok() {
                break restarted.elapsed();
            }
            assert!(restarted.elapsed() < BOUND, "ping never recovered");
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let before = handled.load(Ordering::Relaxed);
        let claim = claim_eventually(&claims, "evt-after-restart").await;
        within(claim.complete()).await.unwrap();
        let recovered_after = restarted.elapsed();
        assert!(recovered_after < BOUND, "{recovered_after:?}");
        tokio::time::sleep(Duration::from_millis(300)).await;
        stop.store(true, Ordering::Relaxed);
        for worker in load {
            worker.await.unwrap();
        }
        assert!(
            handled.load(Ordering::Relaxed) > before,
            "the load goes on after the restart"
        );
        let longest = *longest.lock().unwrap();
        eprintln!(
            "redis restart under load: ping down after {down_after:?}, up {up_after:?} after the restart, claims recovered after {recovered_after:?}; longest claim+complete {longest:?} (timeout {timeout:?} per call)"
        );
        // A claim is at most 3 bounded calls plus the completion.
        assert!(
            longest < timeout * 4 + Duration::from_millis(500),
            "{longest:?}"
        );
    }

    /// The in-memory store is always ready.
    #[tokio::test]
    async fn memory_store_pings() {
        EventClaims::in_memory().ping().await.unwrap();
    }

    /// Connecting to a Redis that is not there fails within the timeout.
    #[tokio::test]
    async fn connecting_to_no_redis_fails_quickly() {
        let Some(mut server) = RedisServer::start() else {
            return;
        };
        let url = server.url();
        server.stop();
        let started = Instant::now();
        let error = RedisEventStore::connect_with_timeout(&url, Duration::from_millis(500))
            .await
            .unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(3), "{error}");
        assert!(!error.to_string().is_empty());
        let bad = RedisEventStore::connect("http://not-redis")
            .await
            .unwrap_err();
        assert!(matches!(bad, StoreError::Config(_)), "{bad:?}");
    }

    /// Keys are `prefix + id`; a claim holds the owner token with the lease as expiry, a done
    /// record `done` with the TTL; two prefixes never collide.
    #[tokio::test]
    async fn keys_prefix_and_expiries() {
        let Some(server) = RedisServer::start() else {
            return;
        };
        let app1 = RedisEventStore::connect(&server.url()).await.unwrap();
        let app2 = RedisEventStore::connect(&server.url())
            .await
            .unwrap()
            .key_prefix("app2:");
        assert_eq!(app1.key("evt_1"), "vortex:webhook:evt_1");
        let mut raw = ::redis::Client::open(server.url())
            .unwrap()
            .get_multiplexed_async_connection()
            .await
            .unwrap();

        let token = match within(vortex_client::webhook::store::EventStore::claim(
            &app1,
            "evt_1",
            Duration::from_secs(60),
        ))
        .await
        .unwrap()
        {
            ClaimOutcome::Claimed(token) => token,
            other => panic!("{other:?}"),
        };
        let (value, pttl): (String, i64) = ::redis::pipe()
            .get("vortex:webhook:evt_1")
            .pttl("vortex:webhook:evt_1")
            .query_async(&mut raw)
            .await
            .unwrap();
        assert_eq!(value, token.as_str());
        assert!((55_000..=60_000).contains(&pttl), "lease as expiry: {pttl}");

        let other = EventClaims::new(app2);
        assert_eq!(outcome_of(&other, "evt_1").await, "claimed");

        let ttl = Duration::from_secs(3 * 24 * 3600);
        assert!(
            within(vortex_client::webhook::store::EventStore::complete(
                &app1, "evt_1", &token, ttl
            ))
            .await
            .unwrap()
        );
        let (value, pttl): (String, i64) = ::redis::pipe()
            .get("vortex:webhook:evt_1")
            .pttl("vortex:webhook:evt_1")
            .query_async(&mut raw)
            .await
            .unwrap();
        assert_eq!(value, "done");
        assert!(pttl > 3 * 24 * 3600 * 1000 - 60_000, "done TTL: {pttl}");
        assert!(
            !format!("{app1:?}").contains("127.0.0.1"),
            "Debug hides the URL"
        );
    }
}

/// What a claim and a completion cost, per store (a timed loop, not a pass/fail test):
/// `cargo test -p vortex-tests --release --test webhook_store cost -- --ignored --nocapture`
mod cost {
    use super::*;

    const ROUNDS: usize = 2_000;

    fn summary(label: &str, mut samples: Vec<Duration>) {
        samples.sort();
        let total: Duration = samples.iter().sum();
        let micros = |d: Duration| d.as_secs_f64() * 1e6;
        println!(
            "{label:<34} mean {:>7.2} µs  p50 {:>7.2} µs  p99 {:>7.2} µs",
            micros(total) / samples.len() as f64,
            micros(samples[samples.len() / 2]),
            micros(samples[samples.len() * 99 / 100]),
        );
    }

    async fn measure(name: &str, backend: Backend) {
        let claims = backend.claims().await;
        let (mut claim_new, mut complete, mut claim_done) = (vec![], vec![], vec![]);
        for round in 0..ROUNDS {
            let id = format!("evt_cost_{round}");
            let started = Instant::now();
            let claim = claimed(claims.claim(&id).await.unwrap());
            claim_new.push(started.elapsed());
            let started = Instant::now();
            claim.complete().await.unwrap();
            complete.push(started.elapsed());
            let started = Instant::now();
            let duplicate = claims.claim(&id).await.unwrap();
            claim_done.push(started.elapsed());
            assert!(matches!(duplicate, ClaimOutcome::Done));
        }
        summary(&format!("{name}: claim (new id)"), claim_new);
        summary(&format!("{name}: complete"), complete);
        summary(&format!("{name}: claim (duplicate, done)"), claim_done);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[ignore = "a measurement: run with --ignored --nocapture"]
    async fn claim_and_complete_cost() {
        measure("memory", Backend::memory()).await;
        if let Some(backend) = Backend::redis() {
            measure("redis (loopback)", backend).await;
        }
    }
}
