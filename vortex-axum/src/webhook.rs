//! The verified-webhook extractor.

use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, Request};
use vortex_client::routes::{WebhookRejection, WebhookVerifier};
use vortex_client::webhook::VortexEvent;

use crate::body::{BodyError, content_length, read_limited};
use crate::response::VortexResponse;

/// A webhook from Vortex whose `X-Vortex-Signature` was verified over the raw body.
///
/// The [`WebhookVerifier`] (secret, body limit of 1 MiB by default, optional freshness window
/// and replay store) comes from the app's state, through [`FromRef`]. Rejections are JSON:
/// two signature headers 400; a missing or empty one 401 `Missing X-Vortex-Signature header`;
/// a mismatch 401 `Invalid signature`; a body over the limit 413; a body that is not a JSON
/// object 400; a replayed event 200 `{"received":true,"duplicate":true}` without calling the
/// handler. As a body extractor, it must be the handler's last argument.
///
/// ```
/// use axum::{Json, Router, extract::FromRef, routing::post};
/// use serde_json::{Value, json};
/// use vortex_axum::VerifiedWebhook;
/// use vortex_client::routes::WebhookVerifier;
/// use vortex_client::webhook::VortexEvent;
///
/// #[derive(Clone, FromRef)]
/// struct AppState {
///     webhooks: WebhookVerifier,
/// }
///
/// async fn on_vortex_event(VerifiedWebhook { event, .. }: VerifiedWebhook) -> Json<Value> {
///     if let VortexEvent::Webhook(event) = &event {
///         println!("{} {:?}", event.event_type, event.id);
///     }
///     Json(json!({ "received": true }))
/// }
///
/// # fn main() -> Result<(), vortex_client::webhook::WebhookError> {
/// let state = AppState { webhooks: WebhookVerifier::new("whsec_from_the_dashboard")?.dedupe_in_memory() };
/// let app: Router = Router::new()
///     .route("/webhooks/vortex", post(on_vortex_event))
///     .with_state(state);
/// # let _ = app;
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

impl<S> FromRequest<S> for VerifiedWebhook
where
    S: Send + Sync,
    WebhookVerifier: FromRef<S>,
{
    type Rejection = VortexResponse;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let verifier = WebhookVerifier::from_ref(state);
        let reject = |rejection: WebhookRejection| VortexResponse(rejection.to_response());
        let (parts, body) = request.into_parts();
        let signatures = || {
            parts
                .headers
                .get_all(vortex_client::webhook::SIGNATURE_HEADER)
                .iter()
                .map(|value| value.as_bytes())
        };
        verifier.check_headers(signatures()).map_err(reject)?;
        let limit = verifier.limit();
        let body = read_limited(body, content_length(&parts.headers), limit)
            .await
            .map_err(|e| match e {
                BodyError::TooLarge => reject(WebhookRejection::PayloadTooLarge { limit }),
                BodyError::Broken => reject(WebhookRejection::UnreadableBody),
            })?;
        let event = verifier.verify(signatures(), &body).await.map_err(reject)?;
        Ok(Self { event, body })
    }
}
