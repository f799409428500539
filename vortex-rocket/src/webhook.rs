//! The verified-webhook data guard and the fairing that completes its claims.

use std::marker::PhantomData;

use rocket::data::{self, Data, FromData};
use rocket::fairing::{self, Fairing, Info, Kind};
use rocket::outcome::Outcome;
use rocket::response::{self as response, Responder};
use rocket::{Build, Ignite, Request, Response, Rocket, Sentinel};
use vortex_client::webhook::{SIGNATURE_HEADER, VortexEvent};
use vortex_routes::adapter::{RouteResponse, SlotLookup, missing_verifier, verify_webhook};
use vortex_routes::{ClaimSlot, WebhookVerifier};

use crate::body::{self, WEBHOOK_LIMIT};
use crate::catcher::{self, stash};
use crate::response::{VortexResponse, to_response};

/// The answer when no [`WebhookVerifier`] is managed.
const MISSING_VERIFIER: &str = vortex_routes::missing_verifier_message!(
    ".manage(WebhookVerifier::new(secret)?) to the Rocket"
);

/// The answer when a verifier has an event store but the Rocket lacks the fairing.
const MISSING_CLAIMS: &str = vortex_routes::missing_claims_message!(
    "fairing",
    ".attach(vortex_rocket::WebhookClaims::new()) to the Rocket"
);

/// A webhook from Vortex whose `X-Vortex-Signature` was verified over the raw body: a data
/// guard.
///
/// It uses the [`WebhookVerifier`] the app [`manage`](rocket::Rocket::manage)s (secret,
/// freshness window, event store). The body limit is Rocket's
/// [`"vortex-webhook"`](crate::WEBHOOK_LIMIT) limit, capped by [`WebhookVerifier::limit`].
///
/// The guard rejects a delivery with the core's
/// [answers](vortex_routes::WebhookVerifier#answers). With an event store the guard
/// claims the event id and the [`WebhookClaims`] fairing, which the app must attach
/// (`.attach(vortex_rocket::WebhookClaims::new())`), ends the claim with the response status.
///
/// **A delivery of an event already handled** (with an event store) is not a failure: the
/// guard succeeds, and [`event`](Self::event), [`body`](Self::body) and
/// [`into_parts`](Self::into_parts) return `Err(`[`Duplicate`]`)`, a responder answering
/// 200 `{"received":true,"duplicate":true}`. Return it with `?`, as below: the event is not
/// handled twice, the answer is JSON without any catcher, and Rocket logs a success. (Rocket
/// calls a handler whenever its guards succeed, and reports every failing guard as a failure,
/// so a duplicate cannot skip the handler silently.)
///
/// Rocket sends only a failing guard's status, so register the
/// [`catchers`](crate::catchers) at the webhook's path to send the JSON of a rejection (else
/// the statuses hold, with Rocket's HTML), or take `Result<VerifiedWebhook, VortexResponse>`
/// and return the rejection (a [`Responder`]) yourself.
///
/// # Mistakes caught at launch
///
/// Rocket checks this guard when it launches (it is a [`Sentinel`], like `&State<T>`), and
/// says so in its log and through `tracing`:
///
/// | mistake | at launch |
/// |---|---|
/// | no managed verifier | aborts, naming `.manage(WebhookVerifier::new(secret)?)` |
/// | a verifier with an event store, no [`WebhookClaims`] | aborts, naming `.attach(vortex_rocket::WebhookClaims::new())` |
/// | no [`catchers`](crate::catchers) over any `POST` route of the app | warns, naming `.register("/", vortex_rocket::catchers())` |
///
/// A hand-built route that escapes sentinels answers 500 JSON with the same message instead
/// (logged at error level) rather than take a claim that nothing would complete.
///
/// ```
/// use std::sync::atomic::{AtomicBool, Ordering};
///
/// use rocket::http::{ContentType, Header, Status};
/// use rocket::post;
/// use vortex_rocket::{Duplicate, VerifiedWebhook, VortexEvent, WebhookVerifier, sign_payload};
///
/// static DATABASE_UP: AtomicBool = AtomicBool::new(false); // Stands in for the app's database.
///
/// type Json = (Status, (ContentType, &'static str));
///
/// #[post("/webhooks/vortex", data = "<webhook>")]
/// fn on_vortex_event(webhook: VerifiedWebhook) -> Result<Json, Duplicate> {
///     // An event already handled: answered 200 JSON here, without handling it again.
///     let event = webhook.event()?;
///     if !DATABASE_UP.load(Ordering::SeqCst) {
///         // Any non-2xx answer releases the claim.
///         return Ok((Status::ServiceUnavailable, (ContentType::JSON, r#"{"error":"retry later"}"#)));
///     }
///     if let VortexEvent::Webhook(event) = event {
///         println!("{} {:?}", event.event_type, event.id);
///     }
///     Ok((Status::Ok, (ContentType::JSON, r#"{"received":true}"#)))
/// }
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> { rocket::async_test(async {
/// let secret = "whsec_from_the_dashboard";
/// let rocket = rocket::build()
///     .manage(WebhookVerifier::new(secret)?.claims_in_memory())
///     .attach(vortex_rocket::WebhookClaims::new())
///     .mount("/", rocket::routes![on_vortex_event])
///     .register("/webhooks/vortex", vortex_rocket::catchers());
/// let client = rocket::local::asynchronous::Client::tracked(rocket).await?;
///
/// let body = r#"{"id":"evt_1","type":"invitation.accepted","timestamp":"2026-01-01T00:00:00Z"}"#;
/// let send = || client
///     .post("/webhooks/vortex")
///     .header(Header::new("x-vortex-signature", sign_payload(secret, body.as_bytes())))
///     .body(body)
///     .dispatch();
/// assert_eq!(send().await.status(), Status::ServiceUnavailable);
/// // The failed run released the claim: Vortex's retry reaches the handler again.
/// DATABASE_UP.store(true, Ordering::SeqCst);
/// assert_eq!(send().await.into_string().await.unwrap(), r#"{"received":true}"#);
/// // The same event again: 200, and the event is not handled twice.
/// let replay = send().await;
/// assert_eq!(replay.status(), Status::Ok);
/// assert_eq!(replay.into_string().await.unwrap(), r#"{"received":true,"duplicate":true}"#);
///
/// let unsigned = client.post("/webhooks/vortex").body(body).dispatch().await;
/// assert_eq!(unsigned.status(), Status::Unauthorized);
/// assert_eq!(unsigned.into_string().await.unwrap(), r#"{"error":"Missing X-Vortex-Signature header"}"#);
/// # Ok(()) }) }
/// ```
///
/// An app with several webhook endpoints (different secrets or settings) manages a newtype
/// per endpoint that implements `AsRef<WebhookVerifier>` and takes
/// `VerifiedWebhook<ThatNewtype>`.
pub struct VerifiedWebhook<V = WebhookVerifier> {
    delivery: Result<Delivery, Duplicate>,
    verifier: PhantomData<fn() -> V>,
}

/// A first (or retried) delivery: the event to handle.
#[derive(Clone)]
struct Delivery {
    event: VortexEvent,
    body: Vec<u8>,
}

impl<V> VerifiedWebhook<V> {
    /// The verified event, or [`Duplicate`] when it was already handled (return it with `?`).
    pub fn event(&self) -> Result<&VortexEvent, Duplicate> {
        self.delivery
            .as_ref()
            .map(|delivery| &delivery.event)
            .map_err(Clone::clone)
    }

    /// The raw body, as signed (to store or enqueue as received), or [`Duplicate`] when the
    /// event was already handled.
    pub fn body(&self) -> Result<&[u8], Duplicate> {
        self.delivery
            .as_ref()
            .map(|delivery| delivery.body.as_slice())
            .map_err(Clone::clone)
    }

    /// The verified event and the raw body, or [`Duplicate`] when the event was already
    /// handled.
    pub fn into_parts(self) -> Result<(VortexEvent, Vec<u8>), Duplicate> {
        self.delivery
            .map(|delivery| (delivery.event, delivery.body))
    }

    /// Whether the event was already handled (the accessors return [`Duplicate`]).
    pub fn is_duplicate(&self) -> bool {
        self.delivery.is_err()
    }
}

impl<V> std::fmt::Debug for VerifiedWebhook<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.delivery {
            Ok(delivery) => f
                .debug_struct("VerifiedWebhook")
                .field("event", &delivery.event)
                .field("body", &delivery.body.len())
                .finish(),
            Err(duplicate) => f.debug_tuple("VerifiedWebhook").field(duplicate).finish(),
        }
    }
}

impl<V> Clone for VerifiedWebhook<V> {
    fn clone(&self) -> Self {
        Self {
            delivery: self.delivery.clone(),
            verifier: PhantomData,
        }
    }
}

/// A delivery of a webhook event that was already handled (with an event store): answered
/// 200 `{"received":true,"duplicate":true}` so that Vortex stops delivering it, without
/// handling it again.
///
/// A [`Responder`], and convertible into [`VortexResponse`], so that a handler returns it
/// with `?` from [`VerifiedWebhook::event`] (see its example).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Duplicate(RouteResponse);

impl std::fmt::Display for Duplicate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the webhook event was already handled")
    }
}

impl std::error::Error for Duplicate {}

impl<'r> Responder<'r, 'static> for Duplicate {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        Ok(to_response(self.0))
    }
}

impl From<Duplicate> for VortexResponse {
    fn from(duplicate: Duplicate) -> Self {
        Self(duplicate.0)
    }
}

#[rocket::async_trait]
impl<'r, V> FromData<'r> for VerifiedWebhook<V>
where
    V: AsRef<WebhookVerifier> + Send + Sync + 'static,
{
    type Error = VortexResponse;

    async fn from_data(request: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        let verified = match request.rocket().state::<V>().map(AsRef::as_ref) {
            Some(verifier) => {
                let signatures: Vec<&[u8]> = request
                    .headers()
                    .get(SIGNATURE_HEADER)
                    .map(str::as_bytes)
                    .collect();
                let read_body = async |limit| {
                    let limit = body::limit(request, WEBHOOK_LIMIT, limit);
                    body::read_limited(request, data, limit).await
                };
                let slot = request.local_cache(|| RequestSlot(None)).0.as_ref();
                let slot = SlotLookup::new(slot, MISSING_CLAIMS);
                verify_webhook(verifier, &signatures, read_body, slot).await
            }
            None => Err(missing_verifier(MISSING_VERIFIER)),
        };
        let delivery = match verified {
            Ok(verified) => Ok(Delivery {
                event: verified.event,
                body: verified.body,
            }),
            // The core refuses an event already handled with its 200 answer, the one 2xx.
            Err(answer) if (200..300).contains(&answer.status()) => Err(Duplicate(answer)),
            Err(answer) => {
                let status = stash(request, answer.clone());
                return Outcome::Error((status, VortexResponse(answer)));
            }
        };
        Outcome::Success(Self {
            delivery,
            verifier: PhantomData,
        })
    }
}

/// Checks the Rocket at launch: aborts when no `V` is managed, or when `V` has an event store
/// and [`WebhookClaims`] is not attached; warns when no [`catchers`](crate::catchers) cover
/// the app's `POST` routes. Says so in Rocket's own log (which a default Rocket app prints)
/// as well as through `tracing`.
impl<V: AsRef<WebhookVerifier> + Send + Sync + 'static> Sentinel for VerifiedWebhook<V> {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        let managed = std::any::type_name::<V>();
        let Some(verifier) = rocket.state::<V>() else {
            rocket::error!("VerifiedWebhook<{managed}>: {MISSING_VERIFIER}");
            tracing::error!("VerifiedWebhook<{managed}>: {MISSING_VERIFIER}");
            return true;
        };
        let has_store = verifier.as_ref().event_claims().is_some();
        if has_store && rocket.state::<ClaimsAttached>().is_none() {
            rocket::error!("VerifiedWebhook<{managed}>: {MISSING_CLAIMS}");
            tracing::error!("VerifiedWebhook<{managed}>: {MISSING_CLAIMS}");
            return true;
        }
        if let Some(uncovered) = catcher::uncovered_post_routes(rocket) {
            let warning = format!(
                "VerifiedWebhook<{managed}>: no vortex_rocket::catchers() cover {uncovered}, so \
                 the webhook's rejections are answered with Rocket's HTML pages: add \
                 .register(\"/\", vortex_rocket::catchers()) (or at the webhook's path)"
            );
            rocket::warn!("{warning}");
            tracing::warn!("{warning}");
        }
        false
    }
}

/// Managed by the [`WebhookClaims`] fairing, so that the guard's sentinel sees it is attached.
struct ClaimsAttached;

/// The request's claim slot in Rocket's request-local cache: `Some` once the
/// [`WebhookClaims`] fairing saw the request.
struct RequestSlot(Option<ClaimSlot>);

/// The fairing that ends the event claims of [`VerifiedWebhook`], so that each event is
/// handled **at least once and at most once per event id**: a delivery that fails is handled
/// again on Vortex's retry, and one whose event was already handled is answered without
/// running the handler. The app attaches it: `.attach(vortex_rocket::WebhookClaims::new())`.
///
/// On each request it puts an empty [`ClaimSlot`] in the request-local cache, where the guard
/// leaves its claim. In `on_response`, once the handler (or a catcher) answered and before
/// the response is sent, it finishes the claim with the response status: see [how each
/// status ends the claim](ClaimSlot#how-each-outcome-ends-the-claim). A panic in the handler
/// is answered 500 by Rocket's catchers, so the claim is released too. The example of
/// [`VerifiedWebhook`] shows a released claim, its retry and a duplicate.
#[derive(Clone, Copy, Debug, Default)]
pub struct WebhookClaims;

impl WebhookClaims {
    /// The fairing.
    pub const fn new() -> Self {
        Self
    }
}

#[rocket::async_trait]
impl Fairing for WebhookClaims {
    fn info(&self) -> Info {
        Info {
            name: "Vortex webhook claims",
            kind: Kind::Ignite | Kind::Request | Kind::Response | Kind::Singleton,
        }
    }

    async fn on_ignite(&self, rocket: Rocket<Build>) -> fairing::Result {
        Ok(match rocket.state::<ClaimsAttached>() {
            Some(_) => rocket,
            None => rocket.manage(ClaimsAttached),
        })
    }

    async fn on_request(&self, request: &mut Request<'_>, _: &mut Data<'_>) {
        request.local_cache(|| RequestSlot(Some(ClaimSlot::new())));
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        if let Some(slot) = &request.local_cache(|| RequestSlot(None)).0 {
            slot.finish(response.status().code).await;
        }
    }
}
