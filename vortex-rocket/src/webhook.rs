//! The verified-webhook data guard.

use std::marker::PhantomData;

use rocket::data::{self, Data, FromData};
use rocket::outcome::Outcome;
use rocket::{Ignite, Request, Rocket, Sentinel};
use vortex_client::routes::WebhookVerifier;
use vortex_client::routes::adapter::{missing_verifier, verify_webhook};
use vortex_client::webhook::{SIGNATURE_HEADER, VortexEvent};

use crate::body::{self, WEBHOOK_LIMIT};
use crate::catcher::stash;
use crate::response::VortexResponse;

/// The answer when no [`WebhookVerifier`] is managed.
const NOT_MANAGED: &str =
    "No WebhookVerifier is managed: add .manage(WebhookVerifier::new(secret)?) to the Rocket";

/// A webhook from Vortex whose `X-Vortex-Signature` was verified over the raw body: a data
/// guard.
///
/// The [`WebhookVerifier`] (secret, optional freshness window and replay store) is the one the
/// app [`manage`](rocket::Rocket::manage)s; without one, launch is aborted (this type is a
/// [`Sentinel`], like `&State<T>`) with an error in Rocket's log naming the
/// `.manage(WebhookVerifier::new(secret)?)` call to add, and a route that escapes sentinels
/// answers 500 JSON with the same message. The body
/// limit is Rocket's limit named `"vortex-webhook"` when configured, capped by
/// [`WebhookVerifier::limit`] (1 MiB unless set with [`WebhookVerifier::body_limit`]); else
/// [`WebhookVerifier::limit`].
///
/// Rejections, checked in this order: two signature headers 400; a missing or empty one
/// 401 `Missing X-Vortex-Signature header`; a body over the limit 413; a mismatch 401
/// `Invalid signature`; a body that is not a JSON object 400; a stale event 400 (with
/// [`WebhookVerifier::max_age`]); a replayed event (with [`WebhookVerifier::dedupe`]) 200
/// `{"received":true,"duplicate":true}`, without running the handler.
///
/// Rocket sends only the status of a failing guard, so the JSON of these answers is sent by
/// the [`catchers`](crate::catchers): register them at the webhook's path. The guard fails a
/// replay with status 200 for the default catcher to answer; without the catchers, a replay
/// still gets a 200 (Rocket's default page) and the rejections their status, with Rocket's
/// HTML. Alternatively, take `Result<VerifiedWebhook, VortexResponse>` and return the
/// rejection (a [`Responder`](rocket::response::Responder)) yourself; a replay is then an
/// `Err` too.
///
/// ```
/// use rocket::post;
/// use rocket::http::Header;
/// use vortex_rocket::{VerifiedWebhook, VortexEvent, WebhookVerifier, sign_payload};
///
/// #[post("/webhooks/vortex", data = "<webhook>")]
/// fn on_vortex_event(webhook: VerifiedWebhook) -> &'static str {
///     if let VortexEvent::Webhook(event) = &webhook.event {
///         println!("{} {:?}", event.event_type, event.id);
///     }
///     r#"{"received":true}"#
/// }
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> { rocket::async_test(async {
/// let verifier = WebhookVerifier::new("whsec_from_the_dashboard")?.dedupe_in_memory();
/// let rocket = rocket::build()
///     .manage(verifier)
///     .mount("/", rocket::routes![on_vortex_event])
///     .register("/webhooks/vortex", vortex_rocket::catchers());
/// let client = rocket::local::asynchronous::Client::tracked(rocket).await?;
///
/// let body = r#"{"id":"evt_1","type":"invitation.accepted","timestamp":"2026-01-01T00:00:00Z"}"#;
/// let signature = sign_payload("whsec_from_the_dashboard", body.as_bytes());
/// let send = || client
///     .post("/webhooks/vortex")
///     .header(Header::new("x-vortex-signature", signature.clone()))
///     .body(body)
///     .dispatch();
/// assert_eq!(send().await.into_string().await.unwrap(), r#"{"received":true}"#);
/// // The same event again: 200, and the handler is not called.
/// let replay = send().await;
/// assert_eq!(replay.status().code, 200);
/// assert_eq!(replay.into_string().await.unwrap(), r#"{"received":true,"duplicate":true}"#);
///
/// let unsigned = client.post("/webhooks/vortex").body(body).dispatch().await;
/// assert_eq!(unsigned.status().code, 401);
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
                verify_webhook(verifier, &signatures, read_body).await
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
