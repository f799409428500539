//! Event claims across two instances (verified webhooks, issue 12): each event
//! handled at least once and at most once, with the in-memory store (two instances = two
//! apps over one store) and with a real `redis-server` (two apps, each with its own
//! connection). One suite, two stores.
//!
//! Both instances share one [`WebhookLog`], so a scripted failure or panic happens at
//! whichever instance runs the handler next, and the counts cover both.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use vortex_client::webhook::sign_payload;
use vortex_client::webhook::store::{
    ClaimOutcome, DynEventStore, EventClaims, InMemoryEventStore, RedisEventStore,
};
use vortex_mock::generate_api_key;
use vortex_routes::WebhookVerifier;

use super::webhooks::rfc3339;
use crate::app::{
    AppConfig, Framework, RunningApp, SUITE_SECRET, WEBHOOK_PATH, WebhookAction, WebhookLog,
};
use crate::env::{closed_port_url, suite_client, suite_routes};
use crate::http::{HttpClient, HttpRequest, ReqBody};
use crate::redis_server::RedisServer;

/// The lease of the claim a "dead" instance abandons.
const SHORT_LEASE: Duration = Duration::from_millis(300);
/// How long a retry loop may last.
const RETRY_FOR: Duration = Duration::from_secs(5);
/// The store timeout of the Redis instances: a stopped Redis is a quick 503.
const REDIS_TIMEOUT: Duration = Duration::from_millis(500);

/// Where the instances keep their claims.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Store {
    /// One [`InMemoryEventStore`] shared by both apps.
    Memory,
    /// One `redis-server`, a connection per app.
    Redis,
}

/// Two instances of the test app over one store.
struct Instances {
    a: RunningApp,
    b: RunningApp,
    log: WebhookLog,
    http: HttpClient,
    /// A third view of the store, standing for an instance that dies holding a claim.
    dead_instance: Arc<dyn DynEventStore>,
    redis: Option<RedisServer>,
}

/// A delivery's answer: status and JSON body, or a transport error (a panicking handler
/// may close the connection).
type Answer = Result<(u16, Value), String>;

async fn redis_store(server: &RedisServer) -> Arc<dyn DynEventStore> {
    let store = RedisEventStore::connect_with_timeout(&server.url(), Duration::from_secs(2))
        .await
        .expect("connect to the test redis-server")
        .timeout(REDIS_TIMEOUT);
    Arc::new(store)
}

impl Instances {
    /// `None` when Redis is asked for but not installed (outside CI).
    async fn start<F: Framework>(store: Store) -> Option<Self> {
        let log = WebhookLog::default();
        let (redis, stores): (Option<RedisServer>, [Arc<dyn DynEventStore>; 3]) = match store {
            Store::Memory => {
                let shared: Arc<dyn DynEventStore> = Arc::new(InMemoryEventStore::default());
                (None, [shared.clone(), shared.clone(), shared])
            }
            Store::Redis => {
                let server = RedisServer::start()?;
                let stores = [
                    redis_store(&server).await,
                    redis_store(&server).await,
                    redis_store(&server).await,
                ];
                (Some(server), stores)
            }
        };
        let [store_a, store_b, dead_instance] = stores;
        let spawn = |store: Arc<dyn DynEventStore>| {
            let client = suite_client(
                &generate_api_key(),
                &closed_port_url(),
                Duration::from_secs(1),
            );
            let mut config = AppConfig::new(suite_routes(client, None));
            config.webhooks = WebhookVerifier::new(SUITE_SECRET)
                .expect("the suite secret is valid")
                .claims(EventClaims::from_dyn(store));
            config.webhook_log = log.clone();
            F::spawn(config)
        };
        Some(Self {
            a: spawn(store_a),
            b: spawn(store_b),
            log: log.clone(),
            http: HttpClient::new(),
            dead_instance,
            redis,
        })
    }

    async fn deliver(&self, app: &RunningApp, id: &str) -> Answer {
        let body = json!({
            "id": id, "type": "invitation.accepted", "timestamp": rfc3339(now_secs()),
            "accountId": "acc-1", "environmentId": null, "sourceTable": "invitations",
            "operation": "update", "data": {"id": "inv-1"}
        })
        .to_string()
        .into_bytes();
        let request = HttpRequest::new("POST", WEBHOOK_PATH)
            .header("content-type", "application/json")
            .header("x-vortex-signature", sign_payload(SUITE_SECRET, &body))
            .body(ReqBody::Bytes(body));
        let answer = self.http.send(app.addr(), &request).await?;
        Ok((answer.status, answer.json().unwrap_or(Value::Null)))
    }

    /// Delivers as Vortex retries: again while the answer is 409 (the claim of a failed run
    /// may be released a moment after its answer), bounded by [`RETRY_FOR`].
    async fn retry(&self, app: &RunningApp, id: &str) -> Answer {
        let deadline = Instant::now() + RETRY_FOR;
        loop {
            let answer = self.deliver(app, id).await;
            let in_progress = matches!(answer, Ok((409, _)));
            if !in_progress || Instant::now() > deadline {
                return answer;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn now_secs() -> i64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    i64::try_from(secs).unwrap_or(i64::MAX)
}

fn handled(id: &str) -> Value {
    json!({"received": true, "id": id, "kind": "webhook"})
}

fn duplicate() -> Value {
    json!({"received": true, "duplicate": true})
}

/// Asserts that `answer` is `status` with `body`.
fn expect<F: Framework>(case: &str, answer: &Answer, status: u16, body: &Value) {
    match answer {
        Ok((got, got_body)) => assert!(
            *got == status && got_body == body,
            "{} / {case}: expected {status} {body}, got {got} {got_body}",
            F::NAME
        ),
        Err(error) => panic!(
            "{} / {case}: expected {status} {body}, got {error}",
            F::NAME
        ),
    }
}

/// Asserts that `answer` is a JSON error with `status`.
fn expect_error<F: Framework>(case: &str, answer: &Answer, status: u16) {
    match answer {
        Ok((got, body)) => assert!(
            *got == status && body.get("error").and_then(Value::as_str).is_some(),
            "{} / {case}: expected {status} {{\"error\":…}}, got {got} {body}",
            F::NAME
        ),
        Err(error) => panic!("{} / {case}: expected {status}, got {error}", F::NAME),
    }
}

/// The whole claims suite for framework `F` on `store`.
///
/// # Panics
///
/// On any failure, naming the framework and the case.
pub async fn claims<F: Framework>(store: Store) {
    let Some(mut instances) = Instances::start::<F>(store).await else {
        return;
    };
    failure_is_handled_by_the_retry_at_the_other_instance::<F>(&instances).await;
    panic_is_handled_by_the_retry::<F>(&instances).await;
    concurrent_duplicates_run_the_handler_once::<F>(&instances).await;
    abandoned_claim_is_handled_after_the_lease::<F>(&instances).await;
    if store == Store::Redis {
        stopped_redis_is_503_then_recovers::<F>(&mut instances).await;
    }
}

async fn failure_is_handled_by_the_retry_at_the_other_instance<F: Framework>(i: &Instances) {
    let case = "handler fails at A, the retry at B is handled";
    let runs = i.log.runs();
    i.log.script([WebhookAction::Fail]);
    let failed = i.deliver(&i.a, "fail-1").await;
    expect::<F>(
        case,
        &failed,
        503,
        &json!({"error": "Simulated handler failure"}),
    );
    let retried = i.retry(&i.b, "fail-1").await;
    expect::<F>(case, &retried, 200, &handled("fail-1"));
    for (name, app) in [("A", &i.a), ("B", &i.b)] {
        let again = i.deliver(app, "fail-1").await;
        expect::<F>(
            &format!("{case}: redelivery at {name} is a duplicate"),
            &again,
            200,
            &duplicate(),
        );
    }
    assert_eq!(i.log.runs(), runs + 1, "{} / {case}: handled once", F::NAME);
}

async fn panic_is_handled_by_the_retry<F: Framework>(i: &Instances) {
    let case = "handler panics at A, the retry at B is handled";
    let runs = i.log.runs();
    i.log.script([WebhookAction::Panic]);
    let panicked = i.deliver(&i.a, "panic-1").await;
    assert!(
        !matches!(panicked, Ok((200..=299, _))),
        "{} / {case}: a panic is never a 2xx: {panicked:?}",
        F::NAME
    );
    let retried = i.retry(&i.b, "panic-1").await;
    expect::<F>(case, &retried, 200, &handled("panic-1"));
    let again = i.deliver(&i.a, "panic-1").await;
    expect::<F>(case, &again, 200, &duplicate());
    assert_eq!(i.log.runs(), runs + 1, "{} / {case}: handled once", F::NAME);
}

async fn concurrent_duplicates_run_the_handler_once<F: Framework>(i: &Instances) {
    let case = "four deliveries of one event at once, at both instances";
    let (runs, attempts) = (i.log.runs(), i.log.attempts());
    i.log
        .script([WebhookAction::SucceedAfter(Duration::from_millis(400))]);
    let answers = futures_join4(
        i.deliver(&i.a, "conc-1"),
        i.deliver(&i.b, "conc-1"),
        i.deliver(&i.a, "conc-1"),
        i.deliver(&i.b, "conc-1"),
    )
    .await;
    let handled_answers = answers
        .iter()
        .filter(|a| matches!(a, Ok((200, body)) if *body == handled("conc-1")))
        .count();
    let in_progress = answers.iter().filter(|a| matches!(a, Ok((409, _)))).count();
    assert!(
        handled_answers == 1 && in_progress == 3,
        "{} / {case}: expected one 200 handled and three 409, got {answers:?}",
        F::NAME
    );
    for answer in answers.iter().filter(|a| matches!(a, Ok((409, _)))) {
        expect_error::<F>(case, answer, 409);
    }
    assert_eq!(
        i.log.attempts(),
        attempts + 1,
        "{} / {case}: the handler ran once",
        F::NAME
    );
    assert_eq!(i.log.runs(), runs + 1, "{} / {case}", F::NAME);
    let again = i.deliver(&i.b, "conc-1").await;
    expect::<F>(case, &again, 200, &duplicate());
}

async fn futures_join4<T>(
    a: impl Future<Output = T>,
    b: impl Future<Output = T>,
    c: impl Future<Output = T>,
    d: impl Future<Output = T>,
) -> [T; 4] {
    let (a, b, c, d) = tokio::join!(a, b, c, d);
    [a, b, c, d]
}

async fn abandoned_claim_is_handled_after_the_lease<F: Framework>(i: &Instances) {
    let case = "a claim abandoned by a dead instance is handled after its lease";
    let runs = i.log.runs();
    let outcome = i.dead_instance.claim_dyn("dead-1", SHORT_LEASE).await;
    assert!(
        matches!(outcome, Ok(ClaimOutcome::Claimed(_))),
        "{} / {case}: the dead instance claims first: {outcome:?}",
        F::NAME
    );
    let during = i.deliver(&i.a, "dead-1").await;
    expect_error::<F>(&format!("{case}: during the lease"), &during, 409);
    tokio::time::sleep(SHORT_LEASE + Duration::from_millis(50)).await;
    let after = i.deliver(&i.b, "dead-1").await;
    expect::<F>(case, &after, 200, &handled("dead-1"));
    assert_eq!(i.log.runs(), runs + 1, "{} / {case}", F::NAME);
}

async fn stopped_redis_is_503_then_recovers<F: Framework>(i: &mut Instances) {
    let case = "Redis stopped: 503 without the handler, then handled once it is back";
    let attempts = i.log.attempts();
    let server = i.redis.as_mut().expect("a Redis case");
    server.stop();
    let down = i.deliver(&i.a, "down-1").await;
    expect_error::<F>(case, &down, 503);
    assert_eq!(
        i.log.attempts(),
        attempts,
        "{} / {case}: the handler did not run",
        F::NAME
    );
    i.redis.as_mut().expect("a Redis case").restart();
    let deadline = Instant::now() + RETRY_FOR;
    let back = loop {
        let answer = i.deliver(&i.a, "down-1").await;
        if matches!(answer, Ok((200, _))) || Instant::now() > deadline {
            break answer;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    expect::<F>(case, &back, 200, &handled("down-1"));
}
