//! The checks behind the verified-webhook extractors of the framework crates.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;

use super::metrics::Delivery;
use super::response::RouteResponse;
use vortex_client::time::{Clock, SystemClock};
use vortex_client::webhook::store::{Claim, ClaimOutcome, EventClaims, EventStore};
use vortex_client::webhook::{VortexEvent, WebhookError, Webhooks};

/// The default limit of webhook bodies: 1 MiB.
pub const DEFAULT_WEBHOOK_BODY_LIMIT: usize = 1024 * 1024;

/// How long a webhook waits for the event store by default, for each of its claim and its
/// completion or release: 5 s. Past it the delivery is answered 503 (Vortex retries it).
pub const DEFAULT_STORE_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a webhook request is not handed to the app's handler, and what to answer.
///
/// What the signature check finds is said in the words of
/// [`vortex_client::webhook::WebhookError`], wrapped as [`Verification`](Self::Verification):
/// one vocabulary for webhook errors, whether an app calls `Webhooks` itself or lets an
/// extractor do it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookRejection {
    /// More than one `X-Vortex-Signature` header (400).
    #[error("Multiple X-Vortex-Signature headers are not allowed")]
    MultipleSignatures,
    /// The signature check failed: no (or an empty) `X-Vortex-Signature` header
    /// ([`WebhookError::MissingSignature`], 401 `Missing X-Vortex-Signature header`), a
    /// signature that does not match the raw body ([`WebhookError::InvalidSignature`], 401
    /// `Invalid signature`), or a verified body that is not a JSON object
    /// ([`WebhookError::Parse`], 400). The log gets the error's own text, which says what
    /// to check; the sender gets the short answer.
    #[error(transparent)]
    Verification(#[from] WebhookError),
    /// The body is larger than the limit (413).
    #[error("Webhook body is too large: the limit is {limit} bytes")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The body could not be read (the sender stopped, or sent a broken body) (400).
    #[error("The webhook body could not be read")]
    UnreadableBody,
    /// The event's `timestamp` is missing or outside the freshness window (400).
    #[error(
        "Webhook event timestamp is missing or outside the accepted window of {max_age_secs} s"
    )]
    Stale {
        /// The window in seconds.
        max_age_secs: u64,
    },
    /// The event id was already handled successfully: answered 200
    /// `{"received":true,"duplicate":true}` without calling the handler again.
    #[error("Webhook event {id} was already handled")]
    Duplicate {
        /// The event id.
        id: String,
    },
    /// Another delivery of this event id is being handled right now (another instance or
    /// worker): 409, so that Vortex retries it later; never a 200, since that handling may
    /// still fail.
    #[error("Webhook event {id} is being handled; retry later")]
    InProgress {
        /// The event id.
        id: String,
    },
    /// The event store could not be asked (e.g. Redis is down) or did not answer within the
    /// verifier's [store timeout](WebhookVerifier::store_timeout): 503 with `Retry-After`, so
    /// that Vortex retries the delivery later. The store error itself is logged, not sent.
    #[error("Webhook event store unavailable; retry later")]
    StoreUnavailable,
}

impl WebhookRejection {
    /// The HTTP status to answer.
    pub fn status(&self) -> u16 {
        match self {
            Self::MultipleSignatures
            | Self::Verification(WebhookError::Parse(_))
            | Self::UnreadableBody
            | Self::Stale { .. } => 400,
            Self::Verification(WebhookError::MissingSignature | WebhookError::InvalidSignature) => {
                401
            }
            // A verifier always has a secret; nothing else is found per request.
            Self::Verification(_) => 500,
            Self::PayloadTooLarge { .. } => 413,
            Self::Duplicate { .. } => 200,
            Self::InProgress { .. } => 409,
            Self::StoreUnavailable => 503,
        }
    }

    /// The JSON answer: `{"error": …}`, or `{"received":true,"duplicate":true}` for a
    /// duplicate.
    pub fn to_response(&self) -> RouteResponse {
        match self {
            Self::Duplicate { .. } => {
                RouteResponse::ok(&json!({ "received": true, "duplicate": true }))
            }
            Self::Verification(error) => {
                RouteResponse::error(self.status(), verification_answer(error))
            }
            Self::StoreUnavailable => RouteResponse::error(503, self.to_string())
                .retry_after(crate::error::DEPENDENCY_RETRY_AFTER_SECS),
            other => RouteResponse::error(other.status(), other.to_string()),
        }
    }
}

/// The answer's text for a failed signature check: short, as the sender needs it (the
/// error's own text, with what to check, goes to the log).
fn verification_answer(error: &WebhookError) -> String {
    match error {
        WebhookError::MissingSignature => "Missing X-Vortex-Signature header".to_owned(),
        WebhookError::InvalidSignature => "Invalid signature".to_owned(),
        WebhookError::Parse(why) => format!("Webhook body must be a JSON object: {why}"),
        _ => "Internal error".to_owned(),
    }
}

/// Verifies webhook requests: signature header, body limit, signature, JSON object, and
/// optionally freshness; and, with an event store, claims each event id so that an event is
/// handled **at least once and at most once** (a delivery that fails is handled again on
/// Vortex's retry; one whose event was already handled is answered without running the
/// handler). The framework extractors call
/// [`verify`](Self::verify) with the raw header values and body, then
/// [`claim`](Self::claim), and put the claim in the request's [`ClaimSlot`] for the
/// framework's layer, middleware or fairing to finish once the response status is known.
///
/// # Answers
///
/// The framework extractors and guards answer JSON, in this order of checks: two signature
/// headers 400; a missing or empty one 401 `Missing X-Vortex-Signature header`; a body over
/// the limit (1 MiB by default) 413; a signature mismatch 401 `Invalid signature`; a body that
/// is not a JSON object 400; an event outside the freshness window, when one is set, 400.
/// With an event store: an event already handled 200 `{"received":true,"duplicate":true}`
/// without calling the handler; one being handled by another delivery right now 409 (Vortex
/// retries it); a store error 503 (logged); and, when the route lacks the framework's
/// `WebhookClaims` layer, middleware or fairing, 500 naming it (logged at error level), rather
/// than take a claim that nothing would complete (Rocket refuses to launch instead, where it
/// can tell). How the claim ends: [`ClaimSlot`].
///
/// ```
/// use vortex_routes::{WebhookRejection, WebhookVerifier};
/// use vortex_client::webhook::sign_payload;
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let verifier = WebhookVerifier::new("whsec_test")?.claims_in_memory();
/// let body = br#"{"id":"evt_1","type":"invitation.created","timestamp":"2026-01-01T00:00:00Z"}"#;
/// let signature = sign_payload("whsec_test", body);
///
/// let event = verifier.verify([signature.as_bytes()], body).await.unwrap();
/// assert_eq!(event.id(), Some("evt_1"));
/// let claim = verifier.claim(&event).await.unwrap().expect("a store and an id: a claim");
/// // While the first delivery is handled, a second one is told to retry later.
/// assert_eq!(verifier.claim(&event).await.unwrap_err().status(), 409);
/// // The handler answered 2xx: the event is done, later deliveries are duplicates.
/// claim.finish(200).await.unwrap();
/// let duplicate = verifier.claim(&event).await.unwrap_err();
/// assert_eq!(duplicate, WebhookRejection::Duplicate { id: "evt_1".into() });
/// assert_eq!(duplicate.status(), 200);
/// assert_eq!(verifier.verify([], body).await.unwrap_err().status(), 401);
/// # Ok::<(), vortex_client::webhook::WebhookError>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct WebhookVerifier {
    webhooks: Webhooks,
    body_limit: usize,
    max_age: Option<Duration>,
    claims: Option<EventClaims>,
    store_timeout: Duration,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for WebhookVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookVerifier")
            .field("webhooks", &self.webhooks)
            .field("body_limit", &self.body_limit)
            .field("max_age", &self.max_age)
            .field("claims", &self.claims)
            .field("store_timeout", &self.store_timeout)
            .finish_non_exhaustive()
    }
}

/// Lets a framework extractor accept either a `WebhookVerifier` or an app's newtype around one
/// (for several webhook endpoints with different secrets or settings).
impl AsRef<Self> for WebhookVerifier {
    fn as_ref(&self) -> &Self {
        self
    }
}

impl WebhookVerifier {
    /// A verifier for `secret` (empty secrets are rejected), with a 1 MiB body limit, no
    /// freshness window and no event store (every delivery reaches the handler).
    pub fn new(secret: impl AsRef<[u8]>) -> Result<Self, WebhookError> {
        Ok(Self {
            webhooks: Webhooks::new(secret)?,
            body_limit: DEFAULT_WEBHOOK_BODY_LIMIT,
            max_age: None,
            claims: None,
            store_timeout: DEFAULT_STORE_TIMEOUT,
            clock: Arc::new(SystemClock),
        })
    }

    /// Sets the body limit.
    #[must_use]
    pub fn body_limit(mut self, limit: usize) -> Self {
        self.body_limit = limit;
        self
    }

    /// Refuses events whose `timestamp` is missing or further than `max_age` from now (the
    /// timestamp is covered by the signature, so it cannot be altered).
    ///
    /// A retried delivery carries the event's original timestamp, so the window must be
    /// longer than Vortex keeps retrying, or a retry of a failed event is refused (400) and
    /// the event is lost. With an event store, which answers duplicates anyway, the window
    /// only bounds how old a replayed capture may be: 3 days and a margin is a safe choice.
    #[must_use]
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// Claims every event id in `claims` (an [`EventClaims`] over the store that all
    /// instances of the app share, with its lease and done TTL): each event is handled at
    /// least once and at most once. See [`claim`](Self::claim).
    #[must_use]
    pub fn claims(mut self, claims: EventClaims) -> Self {
        self.claims = Some(claims);
        self
    }

    /// [`claims`](Self::claims) in `store`, with the default lease (5 minutes) and done TTL
    /// (7 days).
    #[must_use]
    pub fn event_store(self, store: impl EventStore) -> Self {
        self.claims(EventClaims::new(store))
    }

    /// [`claims`](Self::claims) in a new in-memory store: for an app with one process.
    #[must_use]
    pub fn claims_in_memory(self) -> Self {
        self.claims(EventClaims::in_memory())
    }

    /// Sets how long a delivery waits for the event store (default
    /// [`DEFAULT_STORE_TIMEOUT`], 5 s), for its claim and again for its completion or
    /// release. A claim past it is answered 503 with `Retry-After` (logged: the store did not
    /// answer), so Vortex retries the delivery; a completion past it leaves the response as
    /// the handler decided it, and the claim is released or expires after its lease.
    #[must_use]
    pub fn store_timeout(mut self, timeout: Duration) -> Self {
        self.store_timeout = timeout;
        self
    }

    /// The store timeout.
    pub fn store_timeout_duration(&self) -> Duration {
        self.store_timeout
    }

    /// Uses `clock` for the freshness window (tests).
    #[must_use]
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The body limit in bytes.
    pub fn limit(&self) -> usize {
        self.body_limit
    }

    /// The event claims, when a store is configured.
    pub fn event_claims(&self) -> Option<&EventClaims> {
        self.claims.as_ref()
    }

    /// Checks the `X-Vortex-Signature` header values (all of them, as received) before the
    /// body is read.
    pub fn check_headers<'a, I>(&self, signatures: I) -> Result<&'a [u8], WebhookRejection>
    where
        I: IntoIterator<Item = &'a [u8]>,
    {
        let mut values = signatures.into_iter();
        match (values.next(), values.next()) {
            (Some(_), Some(_)) => Err(WebhookRejection::MultipleSignatures),
            (Some(value), None) if !value.is_empty() => Ok(value),
            _ => Err(WebhookError::MissingSignature.into()),
        }
    }

    /// Verifies a request: its signature header values and raw body, and the event's
    /// freshness. Claims nothing: see [`claim`](Self::claim).
    pub async fn verify<'a, I>(
        &self,
        signatures: I,
        body: &[u8],
    ) -> Result<VortexEvent, WebhookRejection>
    where
        I: IntoIterator<Item = &'a [u8]>,
    {
        let signature = self.check_headers(signatures)?;
        if body.len() > self.body_limit {
            return Err(WebhookRejection::PayloadTooLarge {
                limit: self.body_limit,
            });
        }
        let signature =
            std::str::from_utf8(signature).map_err(|_| WebhookError::InvalidSignature)?;
        // Any JSON with a good signature is an event to `construct_event` (as in Node); the
        // extractors hand the handler JSON objects only.
        let event = self.webhooks.construct_event(body, signature)?;
        if !event.is_object() {
            let found = event.json_kind();
            let why = format!("expected an object, found {found}");
            return Err(WebhookError::Parse(why).into());
        }
        if let Some(max_age) = self.max_age {
            self.check_fresh(&event, max_age)?;
        }
        Ok(event)
    }

    /// Claims a verified event's id for this delivery, when a store is configured.
    ///
    /// - `Ok(Some(claim))`: run the handler, then [`Claim::finish`] with the response status
    ///   (done on 2xx, released otherwise; dropping the claim releases it too);
    /// - `Ok(None)`: no store, or an event without an id (nothing to claim it by): run the
    ///   handler, as without a store;
    /// - [`WebhookRejection::Duplicate`] (200), [`InProgress`](WebhookRejection::InProgress)
    ///   (409), [`StoreUnavailable`](WebhookRejection::StoreUnavailable) (503, the store
    ///   error logged at error level): answer that, without the handler.
    pub async fn claim(&self, event: &VortexEvent) -> Result<Option<Claim>, WebhookRejection> {
        let (Some(claims), Some(id)) = (&self.claims, event.id()) else {
            return Ok(None);
        };
        let Ok(claimed) = tokio::time::timeout(self.store_timeout, claims.claim(id)).await else {
            tracing::error!(
                event.id = id,
                error.kind = crate::RouteErrorKind::DependencyTimeout.as_str(),
                "the webhook event store did not answer within {}: Vortex webhook answered 503",
                crate::error::Seconds(self.store_timeout)
            );
            return Err(WebhookRejection::StoreUnavailable);
        };
        match claimed {
            Ok(ClaimOutcome::Claimed(claim)) => Ok(Some(claim)),
            Ok(ClaimOutcome::Done) => {
                tracing::info!(
                    event.id = id,
                    "duplicate Vortex webhook answered without the handler"
                );
                Err(WebhookRejection::Duplicate { id: id.to_owned() })
            }
            Ok(ClaimOutcome::InProgress) => {
                tracing::info!(
                    event.id = id,
                    "Vortex webhook already being handled: answered 409"
                );
                Err(WebhookRejection::InProgress { id: id.to_owned() })
            }
            Err(error) => {
                tracing::error!(event.id = id, %error, "Vortex webhook answered 503");
                Err(WebhookRejection::StoreUnavailable)
            }
        }
    }

    fn check_fresh(&self, event: &VortexEvent, max_age: Duration) -> Result<(), WebhookRejection> {
        let stale = WebhookRejection::Stale {
            max_age_secs: max_age.as_secs(),
        };
        let at = event.timestamp_unix().ok_or(stale.clone())?;
        let now = i64::try_from(self.clock.now_unix_seconds()).unwrap_or(i64::MAX);
        let age = now.abs_diff(at);
        if age > max_age.as_secs() {
            return Err(stale);
        }
        Ok(())
    }
}

/// Where a webhook extractor leaves its [`Claim`] for the framework's layer, middleware or
/// fairing, which [`finish`](Self::finish)es it with the response status once the handler
/// answered: done on 2xx, released otherwise. Clones share the slot.
///
/// # How each outcome ends the claim
///
/// This is what the `WebhookClaims` layer (axum), the `WebhookClaims` middleware (actix-web)
/// and the `WebhookClaims` fairing (Rocket) do, **before** the response is sent (so Vortex
/// never sees a 2xx for an event not yet marked done):
///
/// - **2xx**: the event is done; later deliveries of its id are answered 200
///   `{"received":true,"duplicate":true}` without the handler;
/// - **any other status** (the handler's error, a rejection of a later extractor or guard, a
///   500 from a panic-catching layer inside): released, so Vortex's retry (at any instance)
///   runs the handler again;
/// - **a panic** unwinding through the handler or **the request future dropped** (client
///   gone, a timeout): the slot is dropped with the request and the claim with it, which
///   releases it (see [`Claim`]);
/// - **the process dies**: nothing runs; the claim expires after its lease (5 minutes by
///   default, [`EventClaims::lease`](vortex_client::webhook::store::EventClaims::lease)), then the
///   next delivery handles the event. A done record lasts 7 days by default
///   ([`EventClaims::done_ttl`](vortex_client::webhook::store::EventClaims::done_ttl)), longer than
///   Vortex retries.
///
/// A handler therefore only has to answer honestly: 2xx once the event is safely handled,
/// anything else when it is not. Without an event store there is no claim and nothing to
/// finish.
///
/// ```
/// use vortex_routes::{ClaimSlot, WebhookVerifier};
/// use vortex_client::webhook::sign_payload;
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let verifier = WebhookVerifier::new("whsec_test")?.claims_in_memory();
/// let body = br#"{"id":"evt_1","type":"invitation.created"}"#;
/// let signature = sign_payload("whsec_test", body);
/// let event = verifier.verify([signature.as_bytes()], body).await.unwrap();
///
/// // The layer puts a slot in the request; the extractor fills it.
/// let slot = ClaimSlot::new();
/// slot.put(verifier.claim(&event).await.unwrap().unwrap());
/// // The handler answered 503: released, so Vortex's retry is handled.
/// slot.finish(503).await;
/// let slot = ClaimSlot::new();
/// slot.put(verifier.claim(&event).await.unwrap().unwrap());
/// slot.finish(200).await;
/// assert_eq!(verifier.claim(&event).await.unwrap_err().status(), 200);
/// # Ok::<(), vortex_client::webhook::WebhookError>(())
/// # }).unwrap();
/// ```
#[derive(Clone, Debug, Default)]
pub struct ClaimSlot(Arc<Mutex<Option<(Claim, Duration)>>>, Delivery);

impl ClaimSlot {
    /// An empty slot.
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps `claim` until [`finish`](Self::finish), which waits for the store at most
    /// [`DEFAULT_STORE_TIMEOUT`]. A claim already there is dropped (released): one request
    /// handles one event.
    pub fn put(&self, claim: Claim) {
        self.put_bounded(claim, DEFAULT_STORE_TIMEOUT);
    }

    /// [`put`](Self::put), [`finish`](Self::finish) waiting at most `timeout`.
    pub(crate) fn put_bounded(&self, claim: Claim, timeout: Duration) {
        let previous = self.lock().replace((claim, timeout));
        drop(previous);
    }

    /// Takes the claim out, if any.
    pub fn take(&self) -> Option<Claim> {
        self.lock().take().map(|(claim, _)| claim)
    }

    /// Finishes the claim, if any, for a response with `status`: [`Claim::finish`], waiting
    /// for the store at most the verifier's [store timeout](WebhookVerifier::store_timeout).
    /// A store error or timeout is logged (the claim is then released, or expires after its
    /// lease), never turned into a different answer: the response is already decided.
    pub async fn finish(&self, status: u16) {
        self.1.finish(status);
        let Some((claim, timeout)) = self.lock().take() else {
            return;
        };
        let id = claim.id().to_owned();
        // `Claim::complete` logs its own failures at error level; a failed release is
        // logged at warn level by the claim. Past the timeout the claim's future is dropped,
        // which releases it (spawned), as after any failure to record it done.
        if tokio::time::timeout(timeout, claim.finish(status))
            .await
            .is_err()
        {
            tracing::error!(
                event.id = id,
                error.kind = crate::RouteErrorKind::DependencyTimeout.as_str(),
                status,
                "the webhook event store did not answer within {} to finish a claim: the response goes out as it is",
                crate::error::Seconds(timeout)
            );
        }
    }

    /// The verified `event` goes to the handler: [`finish`](Self::finish) counts it as
    /// handled or failed (metrics).
    pub(crate) fn deliver(&self, event: &VortexEvent) {
        self.1.start(event);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(Claim, Duration)>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vortex_client::time::FixedClock;
    use vortex_client::webhook::sign_payload;

    const SECRET: &str = "whsec_test";

    fn block_on<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn rejections_in_order() {
        let verifier = WebhookVerifier::new(SECRET).unwrap().body_limit(64);
        let body = br#"{"id":"e","type":"invitation.created"}"#;
        let good = sign_payload(SECRET, body);
        let check = |sigs: Vec<&[u8]>, body: &[u8]| block_on(verifier.verify(sigs, body));
        assert_eq!(
            check(vec![b"a", b"b"], body).unwrap_err(),
            WebhookRejection::MultipleSignatures
        );
        assert_eq!(
            check(vec![], body).unwrap_err(),
            WebhookError::MissingSignature.into()
        );
        assert_eq!(
            check(vec![b""], body).unwrap_err(),
            WebhookError::MissingSignature.into()
        );
        assert_eq!(
            check(vec![b"00"], body).unwrap_err(),
            WebhookError::InvalidSignature.into()
        );
        let big = vec![b' '; 65];
        assert_eq!(
            check(vec![good.as_bytes()], &big).unwrap_err(),
            WebhookRejection::PayloadTooLarge { limit: 64 }
        );
        let array = b"[1,2]";
        let signed_array = sign_payload(SECRET, array);
        let not_an_object = check(vec![signed_array.as_bytes()], array).unwrap_err();
        assert_eq!(not_an_object.status(), 400);
        assert_eq!(
            not_an_object.to_response().body(),
            r#"{"error":"Webhook body must be a JSON object: expected an object, found an array"}"#
        );
        assert!(check(vec![good.as_bytes()], body).is_ok());
    }

    #[test]
    fn signature_failures_answer_short_and_log_what_to_check() {
        let invalid = WebhookRejection::from(WebhookError::InvalidSignature);
        assert_eq!(invalid.status(), 401);
        assert_eq!(
            invalid.to_response().body(),
            r#"{"error":"Invalid signature"}"#
        );
        assert!(
            invalid.to_string().contains("raw request body"),
            "{invalid}"
        );
        let missing = WebhookRejection::from(WebhookError::MissingSignature);
        assert_eq!(missing.status(), 401);
        assert_eq!(
            missing.to_response().body(),
            r#"{"error":"Missing X-Vortex-Signature header"}"#
        );
    }

    #[test]
    fn freshness_window() {
        let verifier = WebhookVerifier::new(SECRET)
            .unwrap()
            .max_age(Duration::from_secs(300))
            .clock(FixedClock(1_772_020_800 + 299));
        let fresh = br#"{"id":"e","type":"t","timestamp":"2026-02-25T12:00:00Z"}"#;
        let signature = sign_payload(SECRET, fresh);
        assert!(block_on(verifier.verify([signature.as_bytes()], fresh)).is_ok());
        let old = br#"{"id":"e","type":"t","timestamp":"2026-02-25T11:54:00Z"}"#;
        let signature = sign_payload(SECRET, old);
        assert_eq!(
            block_on(verifier.verify([signature.as_bytes()], old))
                .unwrap_err()
                .status(),
            400
        );
        let none = br#"{"id":"e","type":"t"}"#;
        let signature = sign_payload(SECRET, none);
        assert!(block_on(verifier.verify([signature.as_bytes()], none)).is_err());
    }

    /// A store that is always down.
    struct DownStore;

    impl EventStore for DownStore {
        async fn claim(
            &self,
            _: &str,
            _: Duration,
        ) -> Result<ClaimOutcome, vortex_client::webhook::store::StoreError> {
            Err(vortex_client::webhook::store::StoreError::unavailable(
                "connection refused",
            ))
        }
        async fn complete(
            &self,
            _: &str,
            _: &vortex_client::webhook::store::ClaimToken,
            _: Duration,
        ) -> Result<bool, vortex_client::webhook::store::StoreError> {
            unreachable!("nothing is claimed")
        }
        async fn release(
            &self,
            _: &str,
            _: &vortex_client::webhook::store::ClaimToken,
        ) -> Result<bool, vortex_client::webhook::store::StoreError> {
            unreachable!("nothing is claimed")
        }
    }

    fn verified(verifier: &WebhookVerifier, body: &[u8]) -> VortexEvent {
        let signature = sign_payload(SECRET, body);
        block_on(verifier.verify([signature.as_bytes()], body)).unwrap()
    }

    #[test]
    fn nothing_is_claimed_without_a_store_or_an_id() {
        let plain = WebhookVerifier::new(SECRET).unwrap();
        let event = verified(&plain, br#"{"id":"e","type":"t"}"#);
        assert!(block_on(plain.claim(&event)).unwrap().is_none());
        assert!(
            block_on(plain.claim(&event)).unwrap().is_none(),
            "every delivery is handled"
        );
        let claiming = WebhookVerifier::new(SECRET).unwrap().claims_in_memory();
        let no_id = verified(&claiming, br#"{"hello":"world"}"#);
        assert!(block_on(claiming.claim(&no_id)).unwrap().is_none());
    }

    #[test]
    fn a_store_error_is_a_retryable_503_without_the_cause() {
        let verifier = WebhookVerifier::new(SECRET).unwrap().event_store(DownStore);
        let event = verified(&verifier, br#"{"id":"e","type":"t"}"#);
        let rejection = block_on(verifier.claim(&event)).unwrap_err();
        assert_eq!(rejection, WebhookRejection::StoreUnavailable);
        let answer = rejection.to_response();
        assert_eq!(answer.status(), 503);
        assert_eq!(
            answer.body(),
            r#"{"error":"Webhook event store unavailable; retry later"}"#
        );
    }

    #[test]
    fn a_dropped_slot_releases_its_claim() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let verifier = WebhookVerifier::new(SECRET).unwrap().claims_in_memory();
        let event = verified(&verifier, br#"{"id":"e","type":"t"}"#);
        runtime.block_on(async {
            let slot = ClaimSlot::new();
            slot.put(verifier.claim(&event).await.unwrap().unwrap());
            assert_eq!(verifier.claim(&event).await.unwrap_err().status(), 409);
            drop(slot); // the request dropped (a panic, the client gone)
            tokio::task::yield_now().await; // the spawned release runs
            assert!(verifier.claim(&event).await.unwrap().is_some(), "released");
        });
    }
}
