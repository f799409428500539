//! The verified-webhook extractor and the middleware that completes its claims.

use std::future::{Future, Ready, ready};
use std::pin::Pin;
use std::rc::Rc;

use actix_web::dev::{Payload, Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::web::{self, Bytes};
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use vortex_client::webhook::{SIGNATURE_HEADER, VortexEvent};
use vortex_routes::adapter::{SlotLookup, VerifiedEvent, missing_verifier, verify_webhook};
use vortex_routes::{ClaimSlot, WebhookVerifier};

use crate::body::read_limited;
use crate::response::VortexResponse;

/// The answer when no [`WebhookVerifier`] is in the app data: a configuration mistake.
const MISSING_VERIFIER: &str = vortex_routes::missing_verifier_message!(
    ".app_data(web::Data::new(WebhookVerifier::new(secret)?)) to the App or scope"
);

/// The answer when a verifier has an event store but the route lacks the middleware.
const MISSING_CLAIMS: &str = vortex_routes::missing_claims_message!(
    "middleware",
    ".wrap(vortex_actix::WebhookClaims::new()) to the webhook resource or scope"
);

/// A webhook from Vortex whose `X-Vortex-Signature` was verified over the raw body.
///
/// The [`WebhookVerifier`] (secret, body limit, freshness window, event store) comes from the
/// app data, as `web::Data<WebhookVerifier>` or a plain `WebhookVerifier`. Rejections are JSON
/// ([the answers](WebhookVerifier#answers)). With an event store ([`WebhookVerifier::claims`])
/// the route needs the [`WebhookClaims`] middleware, which marks the event done when the
/// handler answers 2xx. Without the verifier or the middleware, the extractor answers 500 JSON
/// naming the fix (a [configuration mistake](crate#configuration-mistakes)).
///
/// ```
/// use actix_web::{App, HttpResponse, test, web};
/// use serde_json::json;
/// use vortex_actix::{VerifiedWebhook, VortexEvent, WebhookClaims, WebhookVerifier, sign_payload};
///
/// async fn on_vortex_event(VerifiedWebhook { event, .. }: VerifiedWebhook) -> HttpResponse {
///     if let VortexEvent::Webhook(event) = &event {
///         println!("{} {:?}", event.event_type, event.id);
///     }
///     // 2xx once handled; a 503 (database down) releases the claim, and Vortex retries.
///     HttpResponse::Ok().json(json!({ "received": true }))
/// }
///
/// # fn main() -> Result<(), vortex_actix::WebhookError> {
/// let secret = "whsec_from_the_dashboard";
/// // Built once, outside `HttpServer::new`, so every worker shares the event store.
/// let verifier = web::Data::new(WebhookVerifier::new(secret)?.claims_in_memory());
/// # actix_web::rt::System::new().block_on(async {
/// let app = test::init_service(
///     App::new().app_data(verifier.clone()).service(
///         web::resource("/webhooks/vortex")
///             .wrap(WebhookClaims::new())
///             .route(web::post().to(on_vortex_event)),
///     ),
/// )
/// .await;
///
/// let body = r#"{"id":"evt_1","type":"invitation.created","timestamp":"2026-01-01T00:00:00Z"}"#;
/// let delivery = || {
///     test::TestRequest::post()
///         .uri("/webhooks/vortex")
///         .insert_header(("x-vortex-signature", sign_payload(secret, body.as_bytes())))
///         .set_payload(body)
///         .to_request()
/// };
/// assert_eq!(test::call_and_read_body(&app, delivery()).await, r#"{"received":true}"#);
/// // Vortex delivers it again: a duplicate, answered without calling the handler.
/// assert_eq!(test::call_and_read_body(&app, delivery()).await, r#"{"received":true,"duplicate":true}"#);
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
        Box::pin(async move {
            let verifier = request
                .app_data::<web::Data<WebhookVerifier>>()
                .map(|data| data.get_ref())
                .or_else(|| request.app_data::<WebhookVerifier>())
                .ok_or_else(|| missing_verifier(MISSING_VERIFIER))?;
            let signatures: Vec<&[u8]> = (request.headers().get_all(SIGNATURE_HEADER))
                .map(|value| value.as_bytes())
                .collect();
            let read_body = async |limit| read_limited(&request, payload, limit).await;
            let slot = request.extensions().get::<ClaimSlot>().cloned();
            let slot = SlotLookup::new(slot.as_ref(), MISSING_CLAIMS);
            let VerifiedEvent { event, body, .. } =
                verify_webhook(verifier, &signatures, read_body, slot).await?;
            Ok(Self { event, body })
        })
    }
}

/// The middleware that completes the event claims of [`VerifiedWebhook`], so that each event
/// is handled **at least once and at most once per event id**: a delivery that fails is
/// handled again on Vortex's retry, and one whose event was already handled is answered
/// without running the handler. `.wrap(vortex_actix::WebhookClaims::new())` on the webhook's
/// resource or scope (or the whole `App`: it costs nothing elsewhere).
///
/// It puts an empty [`ClaimSlot`] in each request's extensions, which the extractor fills, and
/// finishes the claim with the status of the handler's answer or error before the response is
/// sent: done on 2xx, released otherwise ([how each outcome ends the
/// claim](ClaimSlot#how-each-outcome-ends-the-claim)). Without an event store it does nothing.
/// Example: [`VerifiedWebhook`].
#[derive(Clone, Copy, Debug, Default)]
pub struct WebhookClaims;

impl WebhookClaims {
    /// The middleware.
    pub const fn new() -> Self {
        Self
    }
}

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
        let service = Rc::new(service);
        ready(Ok(WebhookClaimsMiddleware { service }))
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
            let answer = answer.await;
            let status = match &answer {
                Ok(response) => response.status(),
                Err(error) => error.as_response_error().status_code(),
            };
            slot.finish(status.as_u16()).await;
            answer
        })
    }
}
