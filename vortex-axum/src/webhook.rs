//! The verified-webhook extractor.

use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, Request};
use vortex_client::routes::WebhookVerifier;
use vortex_client::routes::adapter::verify_webhook;
use vortex_client::webhook::{SIGNATURE_HEADER, VortexEvent};

use crate::body::read_limited;
use crate::response::VortexResponse;

/// A webhook from Vortex whose `X-Vortex-Signature` was verified over the raw body.
///
/// The [`WebhookVerifier`] (secret, body limit of 1 MiB by default, optional freshness window
/// and replay store) comes from the app's state, through [`FromRef`]: the state needs a
/// `WebhookVerifier` field and `#[derive(FromRef)]`, or an `impl FromRef<AppState> for
/// WebhookVerifier`.
///
/// Rejections are JSON:
/// two signature headers 400; a missing or empty one 401 `Missing X-Vortex-Signature header`;
/// a mismatch 401 `Invalid signature`; a body over the limit 413; a body that is not a JSON
/// object 400; a replayed event 200 `{"received":true,"duplicate":true}` without calling the
/// handler. As a body extractor, it must be the handler's last argument.
///
/// ```
/// use axum::{Json, Router, extract::FromRef, routing::post};
/// use serde_json::{Value, json};
/// use vortex_axum::{VerifiedWebhook, VortexEvent, WebhookVerifier};
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
/// # fn main() -> Result<(), vortex_axum::WebhookError> {
/// let state = AppState { webhooks: WebhookVerifier::new("whsec_from_the_dashboard")?.dedupe_in_memory() };
/// let app: Router = Router::new()
///     .route("/webhooks/vortex", post(on_vortex_event))
///     .with_state(state);
/// # let _ = app;
/// # Ok(()) }
/// ```
///
/// # If the handler does not compile
///
/// A state without the verifier makes the route, not the extractor, fail to compile:
/// "the trait bound `fn(VerifiedWebhook) -> … {handler}: Handler<…, AppState>` is not
/// satisfied". With `#[axum::debug_handler]` on the handler, the compiler names the
/// extractor: "the trait `FromRequest<AppState, _>` is not implemented for
/// `VerifiedWebhook`". The fix, in both cases, is `WebhookVerifier: FromRef<AppState>`: a
/// `WebhookVerifier` field in the state with `#[derive(FromRef)]`, or an `impl
/// FromRef<AppState> for WebhookVerifier`. (A `#[diagnostic::on_unimplemented]` note cannot
/// help here: rustc reports the handler's bound, never the extractor's own where-clause.)
///
/// ```compile_fail
/// use axum::{Router, routing::post};
/// use vortex_axum::VerifiedWebhook;
///
/// #[derive(Clone)]
/// struct AppState; // no WebhookVerifier: `post(on_event)` does not compile.
///
/// async fn on_event(_: VerifiedWebhook) {}
/// let _ = Router::new().route("/", post(on_event)).with_state(AppState);
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
        let (parts, body) = request.into_parts();
        let signatures: Vec<&[u8]> = (parts.headers.get_all(SIGNATURE_HEADER).iter())
            .map(|value| value.as_bytes())
            .collect();
        let read_body = async |limit| read_limited(&parts.headers, Some(body), limit).await;
        let verifier = WebhookVerifier::from_ref(state);
        let verified = verify_webhook(&verifier, &signatures, read_body).await?;
        Ok(Self {
            event: verified.event,
            body: verified.body,
        })
    }
}
