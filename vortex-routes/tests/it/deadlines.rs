//! Nothing a route waits on can hold a request for good: the app's user extractor, its
//! policy, the request body, the Vortex API and the webhook event store are all bounded.

use std::future::pending;
use std::time::Duration;

use tokio::time::Instant;
use vortex_client::VortexClient;
use vortex_client::webhook::sign_payload;
use vortex_client::webhook::store::{ClaimOutcome, ClaimToken, EventStore, StoreError};
use vortex_routes::adapter::{
    BodyError, RouteRequest, RouteResponse, SlotLookup, UserLookup, verify_webhook,
};
use vortex_routes::{
    AllowAllAuthenticated, ClaimSlot, Decision, RouteErrorKind, VortexRoutes, WebhookVerifier,
    policy_fn,
};

use crate::request::{Body, KEY, Request, User};

fn routes() -> VortexRoutes {
    VortexRoutes::new(VortexClient::new(KEY).unwrap(), AllowAllAuthenticated)
}

fn header(answer: &RouteResponse, name: &str) -> Option<String> {
    answer
        .headers()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.into_owned())
}

#[test]
fn defaults_are_documented_values() {
    let routes = routes();
    assert_eq!(routes.user_timeout_duration(), Duration::from_secs(5));
    assert_eq!(
        routes.deadline_duration(),
        Duration::from_secs(5 + 10 + 5),
        "user timeout + the client's deadline + margin"
    );
    let verifier = WebhookVerifier::new("whsec").unwrap();
    assert_eq!(verifier.store_timeout_duration(), Duration::from_secs(5));
}

/// The app's extractor never answers (its session store stalls): 503 at the user timeout.
#[tokio::test(start_paused = true)]
async fn a_stalled_user_extractor_is_503_at_the_user_timeout() {
    for (routes, expected) in [
        (routes(), Duration::from_secs(5)),
        (
            routes().user_timeout(Duration::from_secs(2)),
            Duration::from_secs(2),
        ),
    ] {
        let request = Request {
            user: User::Stalls,
            ..Request::new("POST", "/jwt")
        };
        let started = Instant::now();
        let answer = routes.serve(request).await;
        assert_eq!(started.elapsed(), expected);
        assert_eq!(answer.status(), 503);
        assert_eq!(
            answer.body(),
            r#"{"error":"Service unavailable; retry later"}"#
        );
        assert_eq!(header(&answer, "retry-after").as_deref(), Some("5"));
        assert_eq!(
            header(&answer, "content-type").as_deref(),
            Some("application/json")
        );
    }
}

/// The extractor answered 503 (its store is down): 503 too, not a 500 "misconfigured".
#[tokio::test]
async fn an_unavailable_user_extractor_is_503() {
    struct Down;
    impl RouteRequest for Down {
        type Body = Vec<u8>;
        fn method(&self) -> &str {
            "POST"
        }
        fn path(&self) -> &str {
            "/jwt"
        }
        fn query(&self) -> Option<&str> {
            None
        }
        async fn user(&mut self) -> UserLookup {
            UserLookup::rejected::<Self>(503, || "session store down".into())
        }
        async fn body(&mut self, _: usize) -> Result<Vec<u8>, BodyError> {
            Ok(Vec::new())
        }
    }
    let answer = routes().serve(Down).await;
    assert_eq!(answer.status(), 503);
    assert_eq!(header(&answer, "retry-after").as_deref(), Some("5"));
}

/// A policy that never decides: 503 at the deadline.
#[tokio::test(start_paused = true)]
async fn a_stalled_policy_is_503_at_the_deadline() {
    let stalling = policy_fn(|_, _| pending::<Decision>());
    let routes = VortexRoutes::new(VortexClient::new(KEY).unwrap(), stalling)
        .deadline(Duration::from_secs(3));
    let started = Instant::now();
    let answer = routes.serve(Request::new("POST", "/jwt")).await;
    assert_eq!(started.elapsed(), Duration::from_secs(3));
    assert_eq!(answer.status(), 503);
    assert_eq!(header(&answer, "retry-after").as_deref(), Some("5"));
}

/// A client that never sends its body: 408 at the deadline (the client's fault, not ours).
#[tokio::test(start_paused = true)]
async fn a_body_never_sent_is_408_at_the_deadline() {
    let routes = routes().deadline(Duration::from_secs(3));
    let request = Request {
        body: Body::Stalls,
        ..Request::new("POST", "/jwt")
    };
    let answer = routes.serve(request).await;
    assert_eq!(answer.status(), 408);
    assert_eq!(
        answer.body(),
        r#"{"error":"The request body was not received in time"}"#
    );
}

/// Vortex accepts the connection and never answers: with a deadline shorter than the
/// client's, the route answers 503 at the deadline; otherwise the client's 504.
#[tokio::test]
async fn a_stalled_vortex_api_is_bounded() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket); // read nothing, answer nothing
        }
    });
    let client = VortexClient::builder(KEY)
        .base_url(format!("http://{address}"))
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let routes = VortexRoutes::new(client, AllowAllAuthenticated);

    let short = routes.clone().deadline(Duration::from_millis(300));
    let started = std::time::Instant::now();
    let answer = short.serve(Request::new("GET", "/invitations/inv-1")).await;
    let took = started.elapsed();
    assert_eq!(answer.status(), 503, "{}", answer.body());
    assert!(took < Duration::from_secs(1), "{took:?}");

    let started = std::time::Instant::now();
    let answer = routes
        .serve(Request::new("GET", "/invitations/inv-1"))
        .await;
    let took = started.elapsed();
    assert_eq!(answer.status(), 504, "{}", answer.body());
    assert!(took < Duration::from_secs(3), "{took:?}");
}

/// An event store whose calls never answer.
struct StallingStore {
    claim_stalls: bool,
}

impl EventStore for StallingStore {
    async fn claim(&self, _: &str, _: Duration) -> Result<ClaimOutcome, StoreError> {
        if self.claim_stalls {
            pending().await
        } else {
            Ok(ClaimOutcome::Claimed(ClaimToken::random()))
        }
    }
    async fn complete(&self, _: &str, _: &ClaimToken, _: Duration) -> Result<bool, StoreError> {
        pending().await
    }
    async fn release(&self, _: &str, _: &ClaimToken) -> Result<bool, StoreError> {
        Ok(true)
    }
}

const BODY: &[u8] = br#"{"id":"evt_1","type":"invitation.created"}"#;

async fn deliver(verifier: &WebhookVerifier, slot: &ClaimSlot) -> Result<(), RouteResponse> {
    let signature = sign_payload("whsec_test", BODY);
    verify_webhook(
        verifier,
        &[signature.as_bytes()],
        async |_limit| Ok::<_, BodyError>(BODY.to_vec()),
        SlotLookup::Found(slot),
    )
    .await
    .map(drop)
}

/// The store never answers a claim: 503 with `Retry-After` at the store timeout.
#[tokio::test(start_paused = true)]
async fn a_stalled_event_store_is_503_at_the_store_timeout() {
    for (verifier, expected) in [
        (
            WebhookVerifier::new("whsec_test").unwrap(),
            Duration::from_secs(5),
        ),
        (
            WebhookVerifier::new("whsec_test")
                .unwrap()
                .store_timeout(Duration::from_millis(500)),
            Duration::from_millis(500),
        ),
    ] {
        let verifier = verifier.event_store(StallingStore { claim_stalls: true });
        let started = Instant::now();
        let refused = deliver(&verifier, &ClaimSlot::new()).await.unwrap_err();
        assert_eq!(started.elapsed(), expected);
        assert_eq!(refused.status(), 503);
        assert_eq!(
            refused.body(),
            r#"{"error":"Webhook event store unavailable; retry later"}"#
        );
        assert_eq!(header(&refused, "retry-after").as_deref(), Some("5"));
    }
}

/// The store claims, then never answers the completion: the response still goes out at the
/// store timeout.
#[tokio::test(start_paused = true)]
async fn a_stalled_completion_is_bounded_too() {
    let verifier = WebhookVerifier::new("whsec_test")
        .unwrap()
        .store_timeout(Duration::from_secs(2))
        .event_store(StallingStore {
            claim_stalls: false,
        });
    let slot = ClaimSlot::new();
    deliver(&verifier, &slot).await.unwrap();
    let started = Instant::now();
    slot.finish(200).await;
    assert_eq!(started.elapsed(), Duration::from_secs(2));
}

#[test]
fn the_kinds_have_stable_names() {
    assert_eq!(
        RouteErrorKind::DependencyTimeout.as_str(),
        "dependency_timeout"
    );
    assert_eq!(
        RouteErrorKind::DependencyUnavailable.as_str(),
        "dependency_unavailable"
    );
}
