//! The verified-webhook extractor.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::web::{self, Bytes};
use actix_web::{FromRequest, HttpRequest};
use vortex_client::routes::WebhookVerifier;
use vortex_client::routes::adapter::{missing_verifier, verify_webhook};
use vortex_client::webhook::{SIGNATURE_HEADER, VortexEvent};

use crate::body::read_limited;
use crate::response::VortexResponse;

/// The answer when no [`WebhookVerifier`] is in the app data: a configuration mistake.
pub(crate) const MISSING_VERIFIER: &str = "VerifiedWebhook needs a WebhookVerifier: add \
     .app_data(web::Data::new(WebhookVerifier::new(secret)?)) to the App or scope";

/// A webhook from Vortex whose `X-Vortex-Signature` was verified over the raw body.
///
/// The [`WebhookVerifier`] (secret, body limit of 1 MiB by default, optional freshness window
/// and replay store) comes from the app data, as `web::Data<WebhookVerifier>` or a plain
/// `WebhookVerifier`; without one, the extractor answers 500 JSON naming the missing
/// `app_data(...)` call. The signature headers are checked before the body is read.
/// Rejections are JSON: two signature headers 400; a missing or empty one 401
/// `Missing X-Vortex-Signature header`; a mismatch 401 `Invalid signature`; a body over the
/// limit 413; a body that is not a JSON object 400; a replayed event 200
/// `{"received":true,"duplicate":true}` without calling the handler.
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
/// // Built once, outside `HttpServer::new`, so every worker shares the replay store.
/// let verifier = web::Data::new(WebhookVerifier::new("whsec_from_the_dashboard")?.dedupe_in_memory());
/// # actix_web::rt::System::new().block_on(async {
/// let app = test::init_service(
///     App::new()
///         .app_data(verifier.clone())
///         .route("/webhooks/vortex", web::post().to(on_vortex_event)),
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
/// // A replay is answered without calling the handler again.
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
    let verified = verify_webhook(verifier, &signatures, read_body).await?;
    Ok(VerifiedWebhook {
        event: verified.event,
        body: verified.body,
    })
}
