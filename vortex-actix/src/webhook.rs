//! The verified-webhook extractor and the middleware that completes its claims.

use std::future::{Future, Ready, ready};
use std::pin::Pin;
use std::rc::Rc;

use actix_web::dev::{Payload, Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::web::{self, Bytes};
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use vortex_client::routes::adapter::{SlotLookup, missing_verifier, verify_webhook};
use vortex_client::routes::{ClaimSlot, WebhookVerifier};
use vortex_client::webhook::{SIGNATURE_HEADER, VortexEvent};

use crate::body::read_limited;
use crate::response::VortexResponse;

/// The answer when no [`WebhookVerifier`] is in the app data: a configuration mistake.
pub(crate) const MISSING_VERIFIER: &str = "VerifiedWebhook needs a WebhookVerifier: add \
     .app_data(web::Data::new(WebhookVerifier::new(secret)?)) to the App or scope";

/// The answer when a verifier has an event store but the route lacks the middleware.
const MISSING_MIDDLEWARE: &str = "VerifiedWebhook with an event store needs the WebhookClaims \
     middleware: add .wrap(vortex_actix::WebhookClaims) to the webhook resource or scope";

/// A webhook from Vortex whose `X-Vortex-Signature` was verified over the raw body.
///
/// The [`WebhookVerifier`] (secret, body limit of 1 MiB by default, optional freshness window
/// and event store) comes from the app data, as `web::Data<WebhookVerifier>` or a plain
/// `WebhookVerifier`; without one, the extractor answers 500 JSON naming the missing
/// `app_data(...)` call. The signature headers are checked before the body is read.
/// Rejections are JSON: two signature headers 400; a missing or empty one 401
/// `Missing X-Vortex-Signature header`; a mismatch 401 `Invalid signature`; a body over the
/// limit 413; a body that is not a JSON object 400.
///
/// With an event store ([`WebhookVerifier::claims`]), the extractor claims the event id and
/// the [`WebhookClaims`] middleware, which the route needs (`.wrap(WebhookClaims)`),
/// completes the claim when the handler answers 2xx (see [`WebhookClaims`] for the other
/// cases): an event already handled is answered 200 `{"received":true,"duplicate":true}`
/// without calling the handler; one being handled by another delivery right now 409 (Vortex
/// retries it); a store error 503 (logged). Without the middleware, the extractor answers 500
/// JSON naming it (logged at error level).
///
/// ```
/// use actix_web::{App, HttpResponse, test, web};
/// use serde_json::json;
/// use vortex_actix::{VerifiedWebhook, VortexEvent, WebhookVerifier, sign_payload};
///
/// async fn on_vortex_event(VerifiedWebhook { event, .. }: VerifiedWebhook) -> HttpResponse {
///     if let VortexEvent::Webhook(event) = &event {
///         println!("{} {:?}", event.event_type, event.id);
///     }
///     HttpResponse::Ok().json(json!({ "received": true }))
/// }
///
/// # fn main() -> Result<(), vortex_actix::WebhookError> {
/// // Built once, outside `HttpServer::new`, so every worker shares the event store.
/// let verifier = web::Data::new(WebhookVerifier::new("whsec_from_the_dashboard")?.claims_in_memory());
/// # actix_web::rt::System::new().block_on(async {
/// let app = test::init_service(
///     App::new().app_data(verifier.clone()).service(
///         web::resource("/webhooks/vortex")
///             .wrap(vortex_actix::WebhookClaims)
///             .route(web::post().to(on_vortex_event)),
///     ),
/// )
/// .await;
///
/// let body = r#"{"id":"evt_1","type":"invitation.created","timestamp":"2026-01-01T00:00:00Z"}"#;
/// let signed = || {
///     test::TestRequest::post()
///         .uri("/webhooks/vortex")
///         .insert_header(("x-vortex-signature", sign_payload("whsec_from_the_dashboard", body.as_bytes())))
///         .set_payload(body)
///         .to_request()
/// };
/// assert_eq!(test::call_and_read_body(&app, signed()).await, r#"{"received":true}"#);
/// // A redelivery of a handled event is answered without calling the handler again.
/// assert_eq!(test::call_and_read_body(&app, signed()).await, r#"{"received":true,"duplicate":true}"#);
/// # });
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct VerifiedWebhook {
    /// The verified event.
    pub event: VortexEvent,
    /// The raw body, as signed (to store or enqueue as received).
    pub body: Bytes,
}

impl FromRequest for VerifiedWebhook {
    type Error = VortexResponse;
    type Future = Pin<Box<dyn Future<Output = Result<Self, VortexResponse>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let request = request.clone();
        let payload = payload.take();
        Box::pin(async move { verify(&request, payload).await })
    }
}

async fn verify(
    request: &HttpRequest,
    payload: Payload,
) -> Result<VerifiedWebhook, VortexResponse> {
    let verifier = request
        .app_data::<web::Data<WebhookVerifier>>()
        .map(|data| data.get_ref())
        .or_else(|| request.app_data::<WebhookVerifier>())
        .ok_or_else(|| missing_verifier(MISSING_VERIFIER))?;
    let signatures: Vec<&[u8]> = (request.headers().get_all(SIGNATURE_HEADER))
        .map(|value| value.as_bytes())
        .collect();
    let read_body = async |limit| read_limited(request, payload, limit).await;
    let slot = request.extensions().get::<ClaimSlot>().cloned();
    let slot = SlotLookup::new(slot.as_ref(), MISSING_MIDDLEWARE);
    let verified = verify_webhook(verifier, &signatures, read_body, slot).await?;
    Ok(VerifiedWebhook {
        event: verified.event,
        body: verified.body,
    })
}

/// The middleware that completes the event claims of [`VerifiedWebhook`]: **at least once and
/// at most once per event id** (CONTRACT §3). `.wrap(vortex_actix::WebhookClaims)` on the
/// webhook's resource or scope (or the whole `App`: it costs nothing elsewhere).
///
/// For each request it puts an empty [`ClaimSlot`] in the request extensions; the extractor
/// claims the event id in the verifier's store and leaves the claim there. Once the handler
/// answered, the middleware finishes the claim with the response status, before the response
/// is sent:
///
/// - **2xx**: the event is done; later deliveries of its id are answered 200
///   `{"received":true,"duplicate":true}` without the handler;
/// - **any other status, or an error**: released, so Vortex's retry (at any instance or
///   worker) runs the handler again;
/// - **a panic** in the handler or **the request future dropped** (client gone): the slot is
///   dropped with the request and the claim with it, which releases it;
/// - **the process dies**: the claim expires after its lease (5 minutes by default,
///   [`EventClaims::lease`](vortex_client::webhook::store::EventClaims::lease)), then the next
///   delivery handles the event. A done record lasts 7 days by default.
///
/// ```
/// use actix_web::{App, HttpResponse, test, web};
/// use vortex_actix::{VerifiedWebhook, WebhookClaims, WebhookVerifier, sign_payload};
///
/// async fn on_vortex_event(webhook: VerifiedWebhook) -> HttpResponse {
///     // A handler whose database is down answers 503: the claim is released.
///     let _ = webhook.event;
///     HttpResponse::ServiceUnavailable().finish()
/// }
///
/// # fn main() -> Result<(), vortex_actix::WebhookError> {
/// let secret = "whsec_from_the_dashboard";
/// let verifier = web::Data::new(WebhookVerifier::new(secret)?.claims_in_memory());
/// # actix_web::rt::System::new().block_on(async {
/// let app = test::init_service(
///     App::new().app_data(verifier.clone()).service(
///         web::resource("/webhooks/vortex")
///             .wrap(WebhookClaims)
///             .route(web::post().to(on_vortex_event)),
///     ),
/// )
/// .await;
/// let body = r#"{"id":"evt_1","type":"invitation.accepted"}"#;
/// let delivery = || {
///     test::TestRequest::post()
///         .uri("/webhooks/vortex")
///         .insert_header(("x-vortex-signature", sign_payload(secret, body.as_bytes())))
///         .set_payload(body)
///         .to_request()
/// };
/// // Each failed run released the claim: Vortex's retries reach the handler again.
/// assert_eq!(test::call_service(&app, delivery()).await.status(), 503);
/// assert_eq!(test::call_service(&app, delivery()).await.status(), 503);
/// # });
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct WebhookClaims;

impl<S, B> Transform<S, ServiceRequest> for WebhookClaims
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Transform = WebhookClaimsMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(WebhookClaimsMiddleware {
            service: Rc::new(service),
        }))
    }
}

/// The service of the [`WebhookClaims`] middleware.
pub struct WebhookClaimsMiddleware<S> {
    service: Rc<S>,
}

impl<S> std::fmt::Debug for WebhookClaimsMiddleware<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookClaimsMiddleware")
            .finish_non_exhaustive()
    }
}

impl<S, B> Service<ServiceRequest> for WebhookClaimsMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<ServiceResponse<B>, actix_web::Error>>>>;

    forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let slot = ClaimSlot::new();
        request.extensions_mut().insert(slot.clone());
        let answer = self.service.call(request);
        Box::pin(async move {
            match answer.await {
                Ok(response) => {
                    slot.finish(response.status().as_u16()).await;
                    Ok(response)
                }
                Err(error) => {
                    slot.finish(error.as_response_error().status_code().as_u16())
                        .await;
                    Err(error)
                }
            }
        })
    }
}
