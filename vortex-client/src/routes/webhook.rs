//! The checks behind the verified-webhook extractors of the framework crates.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use super::policy::BoxFuture;
use super::response::RouteResponse;
use crate::time::{Clock, SystemClock};
use crate::webhook::{VortexEvent, WebhookError, Webhooks};

/// The default limit of webhook bodies: 1 MiB.
pub const DEFAULT_WEBHOOK_BODY_LIMIT: usize = 1024 * 1024;

/// Why a webhook request is not handed to the app's handler, and what to answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookRejection {
    /// More than one `X-Vortex-Signature` header (400).
    #[error("Multiple X-Vortex-Signature headers are not allowed")]
    MultipleSignatures,
    /// No (or an empty) `X-Vortex-Signature` header (401).
    #[error("Missing X-Vortex-Signature header")]
    MissingSignature,
    /// The signature does not match the raw body (401).
    #[error("Invalid signature")]
    InvalidSignature,
    /// The body is larger than the limit (413).
    #[error("Webhook body is too large: the limit is {limit} bytes")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The body verified but is not a JSON object (400).
    #[error("Webhook body must be a JSON object: {0}")]
    NotAnObject(String),
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
    /// The event id was already received: answered 200 without calling the handler again.
    #[error("Webhook event {id} was already received")]
    Replayed {
        /// The event id.
        id: String,
    },
}

impl WebhookRejection {
    /// The HTTP status to answer.
    pub fn status(&self) -> u16 {
        match self {
            Self::MultipleSignatures
            | Self::NotAnObject(_)
            | Self::UnreadableBody
            | Self::Stale { .. } => 400,
            Self::MissingSignature | Self::InvalidSignature => 401,
            Self::PayloadTooLarge { .. } => 413,
            Self::Replayed { .. } => 200,
        }
    }

    /// The JSON answer: `{"error": …}`, or `{"received":true,"duplicate":true}` for a replay.
    pub fn to_response(&self) -> RouteResponse {
        match self {
            Self::Replayed { .. } => {
                RouteResponse::ok(&json!({ "received": true, "duplicate": true }))
            }
            other => RouteResponse::error(other.status(), other.to_string()),
        }
    }
}

/// Remembers webhook event ids, to answer replays without handling them twice.
///
/// The default store, [`InMemorySeenEvents`], is per process; an app running several
/// instances implements this over a shared store (Redis `SET NX EX`, a database table).
pub trait SeenEvents: Send + Sync + 'static {
    /// Records `id`; `true` the first time it is seen, `false` for a replay.
    fn first_time(&self, id: &str) -> impl Future<Output = bool> + Send;
}

/// The object-safe form of [`SeenEvents`], implemented for every `SeenEvents`.
pub(crate) trait DynSeenEvents: Send + Sync + 'static {
    /// [`SeenEvents::first_time`], boxed.
    fn first_time_dyn<'a>(&'a self, id: &'a str) -> BoxFuture<'a, bool>;
}

impl<T: SeenEvents> DynSeenEvents for T {
    fn first_time_dyn<'a>(&'a self, id: &'a str) -> BoxFuture<'a, bool> {
        Box::pin(self.first_time(id))
    }
}

/// An in-memory [`SeenEvents`]: ids are kept for `ttl` (default 24 h), at most `capacity`
/// (default 10 000) of them, oldest forgotten first.
#[derive(Debug)]
pub struct InMemorySeenEvents {
    ttl: Duration,
    capacity: usize,
    seen: Mutex<SeenIds>,
}

/// Ids with the time they were first seen, and the same in arrival order.
type SeenIds = (HashMap<String, Instant>, VecDeque<(Instant, String)>);

impl Default for InMemorySeenEvents {
    fn default() -> Self {
        Self::new(Duration::from_secs(24 * 3600), 10_000)
    }
}

impl InMemorySeenEvents {
    /// A store keeping ids for `ttl`, at most `capacity` of them.
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Self {
            ttl,
            capacity: capacity.max(1),
            seen: Mutex::new((HashMap::new(), VecDeque::new())),
        }
    }
}

impl SeenEvents for InMemorySeenEvents {
    async fn first_time(&self, id: &str) -> bool {
        let now = Instant::now();
        let mut guard = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let (ids, order) = &mut *guard;
        while let Some((at, _)) = order.front() {
            if now.duration_since(*at) < self.ttl && order.len() < self.capacity {
                break;
            }
            if let Some((at, old)) = order.pop_front()
                && ids.get(&old) == Some(&at)
            {
                ids.remove(&old);
            }
        }
        if ids.contains_key(id) {
            return false;
        }
        ids.insert(id.to_owned(), now);
        order.push_back((now, id.to_owned()));
        true
    }
}

/// Verifies webhook requests: signature header, body limit, signature, JSON object, and
/// optionally freshness and replays. The framework extractors call [`verify`](Self::verify)
/// with the raw header values and body.
///
/// ```
/// use vortex_client::routes::{WebhookRejection, WebhookVerifier};
/// use vortex_client::webhook::sign_payload;
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let verifier = WebhookVerifier::new("whsec_test")?.dedupe_in_memory();
/// let body = br#"{"id":"evt_1","type":"invitation.created","timestamp":"2026-01-01T00:00:00Z"}"#;
/// let signature = sign_payload("whsec_test", body);
///
/// let event = verifier.verify([signature.as_bytes()], body).await.unwrap();
/// assert_eq!(event.id(), Some("evt_1"));
/// // The same event again is a replay: answered 200 without reaching the handler.
/// let replay = verifier.verify([signature.as_bytes()], body).await.unwrap_err();
/// assert_eq!(replay, WebhookRejection::Replayed { id: "evt_1".into() });
/// assert_eq!(verifier.verify([], body).await.unwrap_err().status(), 401);
/// # Ok::<(), vortex_client::webhook::WebhookError>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct WebhookVerifier {
    webhooks: Webhooks,
    body_limit: usize,
    max_age: Option<Duration>,
    seen: Option<Arc<dyn DynSeenEvents>>,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for WebhookVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookVerifier")
            .field("webhooks", &self.webhooks)
            .field("body_limit", &self.body_limit)
            .field("max_age", &self.max_age)
            .field("dedupe", &self.seen.is_some())
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
    /// freshness window and no replay store.
    pub fn new(secret: impl AsRef<[u8]>) -> Result<Self, WebhookError> {
        Ok(Self {
            webhooks: Webhooks::new(secret)?,
            body_limit: DEFAULT_WEBHOOK_BODY_LIMIT,
            max_age: None,
            seen: None,
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
    #[must_use]
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// Answers replayed event ids 200 without calling the handler, using `store`. The id is
    /// recorded when the event is verified, before the handler runs.
    #[must_use]
    pub fn dedupe(mut self, store: impl SeenEvents) -> Self {
        self.seen = Some(Arc::new(store));
        self
    }

    /// [`dedupe`](Self::dedupe) with an [`InMemorySeenEvents`].
    #[must_use]
    pub fn dedupe_in_memory(self) -> Self {
        self.dedupe(InMemorySeenEvents::default())
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
            _ => Err(WebhookRejection::MissingSignature),
        }
    }

    /// Verifies a request: its signature header values and raw body.
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
            std::str::from_utf8(signature).map_err(|_| WebhookRejection::InvalidSignature)?;
        let event = self
            .webhooks
            .construct_object_event(body, signature)
            .map_err(|e| match e {
                WebhookError::Parse(why) => WebhookRejection::NotAnObject(why),
                _ => WebhookRejection::InvalidSignature,
            })?;
        if let Some(max_age) = self.max_age {
            self.check_fresh(&event, max_age)?;
        }
        if let (Some(seen), Some(id)) = (&self.seen, event.id())
            && !seen.first_time_dyn(id).await
        {
            tracing::info!(event.id = id, "replayed Vortex webhook ignored");
            return Err(WebhookRejection::Replayed { id: id.to_owned() });
        }
        Ok(event)
    }

    fn check_fresh(&self, event: &VortexEvent, max_age: Duration) -> Result<(), WebhookRejection> {
        let stale = WebhookRejection::Stale {
            max_age_secs: max_age.as_secs(),
        };
        let at = event
            .timestamp()
            .and_then(crate::time::parse_rfc3339)
            .ok_or(stale.clone())?;
        let now = i64::try_from(self.clock.now_unix_seconds()).unwrap_or(i64::MAX);
        let age = now.abs_diff(at);
        if age > max_age.as_secs() {
            return Err(stale);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::FixedClock;
    use crate::webhook::sign_payload;

    const SECRET: &str = "whsec_test";

    fn block_on<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
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
            WebhookRejection::MissingSignature
        );
        assert_eq!(
            check(vec![b""], body).unwrap_err(),
            WebhookRejection::MissingSignature
        );
        assert_eq!(
            check(vec![b"00"], body).unwrap_err(),
            WebhookRejection::InvalidSignature
        );
        let big = vec![b' '; 65];
        assert_eq!(
            check(vec![good.as_bytes()], &big).unwrap_err(),
            WebhookRejection::PayloadTooLarge { limit: 64 }
        );
        let array = b"[1,2]";
        let signed_array = sign_payload(SECRET, array);
        assert_eq!(
            check(vec![signed_array.as_bytes()], array)
                .unwrap_err()
                .status(),
            400
        );
        assert!(check(vec![good.as_bytes()], body).is_ok());
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

    #[test]
    fn in_memory_store_forgets_the_oldest() {
        let store = InMemorySeenEvents::new(Duration::from_secs(60), 2);
        assert!(block_on(store.first_time("a")));
        assert!(!block_on(store.first_time("a")));
        assert!(block_on(store.first_time("b")));
        assert!(block_on(store.first_time("c")));
        assert!(block_on(store.first_time("a")), "a was evicted by capacity");
    }
}
