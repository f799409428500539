//! The verified-webhook data guard and the fairing that completes its claims.

use std::marker::PhantomData;

use rocket::data::{self, Data, FromData};
use rocket::fairing::{Fairing, Info, Kind};
use rocket::outcome::Outcome;
use rocket::{Ignite, Request, Response, Rocket, Sentinel};
use vortex_client::webhook::{SIGNATURE_HEADER, VortexEvent};
use vortex_routes::adapter::{SlotLookup, missing_verifier, verify_webhook};
use vortex_routes::{ClaimSlot, WebhookVerifier};

use crate::body::{self, WEBHOOK_LIMIT};
use crate::catcher::stash;
use crate::response::VortexResponse;

/// The answer when no [`WebhookVerifier`] is managed.
const NOT_MANAGED: &str =
    "No WebhookVerifier is managed: add .manage(WebhookVerifier::new(secret)?) to the Rocket";

/// The answer when a verifier has an event store but the Rocket lacks the fairing.
const MISSING_FAIRING: &str = "VerifiedWebhook with an event store needs the WebhookClaims \
     fairing: add .attach(vortex_rocket::WebhookClaims) to the Rocket";

/// A webhook from Vortex whose `X-Vortex-Signature` was verified over the raw body: a data
/// guard.
///
/// It uses the [`WebhookVerifier`] the app [`manage`](rocket::Rocket::manage)s (secret,
/// freshness window, event store); without one, launch is aborted (this type is a
/// [`Sentinel`], like `&State<T>`) with an error in Rocket's log naming the
/// `.manage(WebhookVerifier::new(secret)?)` call to add, and a route that escapes sentinels
/// answers 500 JSON with the same message. The body limit is Rocket's
/// [`"vortex-webhook"`](crate::WEBHOOK_LIMIT) limit, capped by [`WebhookVerifier::limit`].
///
/// The guard rejects a delivery (or answers a duplicate) with the core's
/// [answers](vortex_routes::WebhookVerifier#answers). With an event store the guard
/// claims the event id and the [`WebhookClaims`] fairing, which the app must attach
/// (`.attach(vortex_rocket::WebhookClaims)`), ends the claim with the response status;
/// without it, the guard answers 500 JSON naming it (logged at error level).
///
/// Rocket sends only a failing guard's status (a duplicate fails with 200), so register the
/// [`catchers`](crate::catchers) at the webhook's path to send the JSON (else the statuses
/// hold, with Rocket's HTML), or take `Result<VerifiedWebhook, VortexResponse>` and return the
/// rejection (a [`Responder`](rocket::response::Responder)) yourself; a duplicate is then an
/// `Err` too.
///
/// ```
/// use std::sync::atomic::{AtomicBool, Ordering};
///
/// use rocket::http::{Header, Status};
/// use rocket::post;
/// use vortex_rocket::{VerifiedWebhook, VortexEvent, WebhookVerifier, sign_payload};
///
/// static DATABASE_UP: AtomicBool = AtomicBool::new(false); // Stands in for the app's database.
///
/// #[post("/webhooks/vortex", data = "<webhook>")]
/// fn on_vortex_event(webhook: VerifiedWebhook) -> Result<&'static str, Status> {
///     if !DATABASE_UP.load(Ordering::SeqCst) {
///         return Err(Status::ServiceUnavailable); // Any non-2xx answer releases the claim.
///     }
///     if let VortexEvent::Webhook(event) = &webhook.event {
///         println!("{} {:?}", event.event_type, event.id);
///     }
///     Ok(r#"{"received":true}"#)
/// }
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> { rocket::async_test(async {
/// let secret = "whsec_from_the_dashboard";
/// let rocket = rocket::build()
///     .manage(WebhookVerifier::new(secret)?.claims_in_memory())
///     .attach(vortex_rocket::WebhookClaims)
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
/// // The same event again: 200, and the handler is not called.
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
#[non_exhaustive]
pub struct VerifiedWebhook<V = WebhookVerifier> {
    /// The verified event.
    pub event: VortexEvent,
    /// The raw body, as signed (to store or enqueue as received).
    pub body: Vec<u8>,
    verifier: PhantomData<fn() -> V>,
}

impl<V> std::fmt::Debug for VerifiedWebhook<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifiedWebhook")
            .field("event", &self.event)
            .field("body", &self.body.len())
            .finish()
    }
}

impl<V> Clone for VerifiedWebhook<V> {
    fn clone(&self) -> Self {
        Self {
            event: self.event.clone(),
            body: self.body.clone(),
            verifier: PhantomData,
        }
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
                let slot = SlotLookup::new(slot, MISSING_FAIRING);
                verify_webhook(verifier, &signatures, read_body, slot).await
            }
            None => Err(missing_verifier(NOT_MANAGED)),
        };
        match verified {
            Ok(verified) => Outcome::Success(Self {
                event: verified.event,
                body: verified.body,
                verifier: PhantomData,
            }),
            Err(answer) => {
                let status = stash(request, answer.clone());
                Outcome::Error((status, VortexResponse(answer)))
            }
        }
    }
}

/// Aborts launch when no `V` is managed, saying so in Rocket's own log (which a default
/// Rocket app prints) as well as through `tracing`.
impl<V: Send + Sync + 'static> Sentinel for VerifiedWebhook<V> {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        let missing = rocket.state::<V>().is_none();
        if missing {
            let managed = std::any::type_name::<V>();
            rocket::error!("VerifiedWebhook<{managed}>: {NOT_MANAGED}");
            tracing::error!("VerifiedWebhook<{managed}>: {NOT_MANAGED}");
        }
        missing
    }
}

/// The request's claim slot in Rocket's request-local cache: `Some` once the
/// [`WebhookClaims`] fairing saw the request.
struct RequestSlot(Option<ClaimSlot>);

/// The fairing that ends the event claims of [`VerifiedWebhook`], so that each event is
/// handled **at least once and at most once per event id** (CONTRACT §3). The app attaches
/// it: `.attach(vortex_rocket::WebhookClaims)`.
///
/// On each request it puts an empty [`ClaimSlot`] in the request-local cache, where the guard
/// leaves its claim. In `on_response`, once the handler (or a catcher) answered and before
/// the response is sent, it finishes the claim with the response status: see [how each
/// status ends the claim](ClaimSlot#how-each-outcome-ends-the-claim). A panic in the handler
/// is answered 500 by Rocket's catchers, so the claim is released too. The example of
/// [`VerifiedWebhook`] shows a released claim, its retry and a duplicate.
#[derive(Clone, Copy, Debug, Default)]
pub struct WebhookClaims;

#[rocket::async_trait]
impl Fairing for WebhookClaims {
    fn info(&self) -> Info {
        Info {
            name: "Vortex webhook claims",
            kind: Kind::Request | Kind::Response,
        }
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
