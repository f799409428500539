//! The verified-webhook extractor and the layer that completes its claims.

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, Request};
use vortex_client::webhook::{SIGNATURE_HEADER, VortexEvent};
use vortex_routes::adapter::{SlotLookup, verify_webhook};
use vortex_routes::{ClaimSlot, WebhookVerifier};

use crate::body::read_limited;
use crate::response::VortexResponse;

/// The answer when a verifier has an event store but the route lacks the layer.
const MISSING_CLAIMS: &str = vortex_routes::missing_claims_message!(
    "layer",
    ".layer(vortex_axum::WebhookClaimsLayer::new()) to the webhook route"
);

/// A webhook from Vortex whose `X-Vortex-Signature` was verified over the raw body.
///
/// The [`WebhookVerifier`] (secret, body limit, freshness window, event store) comes from the
/// app's state through [`FromRef`]; rejections are [JSON](WebhookVerifier#answers). It must be
/// the handler's last argument. With an event store, the route needs [`WebhookClaimsLayer`].
///
/// ```
/// use axum::{Router, extract::FromRef, http::StatusCode, routing::post};
/// use tower::ServiceExt;
/// use vortex_axum::{VerifiedWebhook, WebhookClaimsLayer, WebhookVerifier, sign_payload};
///
/// #[derive(Clone, FromRef)]
/// struct AppState {
///     webhooks: WebhookVerifier,
/// }
///
/// async fn on_vortex_event(VerifiedWebhook { event, .. }: VerifiedWebhook) -> StatusCode {
///     println!("Vortex event {:?}", event.id()); // store it, then:
///     StatusCode::OK // or 503 if it could not be stored: Vortex retries.
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let secret = "whsec_from_the_dashboard";
/// let state = AppState { webhooks: WebhookVerifier::new(secret)?.claims_in_memory() };
/// let app: Router = Router::new()
///     .route("/webhooks/vortex", post(on_vortex_event))
///     .layer(WebhookClaimsLayer::new())
///     .with_state(state);
///
/// let body = r#"{"id":"evt_1","type":"invitation.accepted"}"#;
/// let delivery = || {
///     axum::http::Request::post("/webhooks/vortex")
///         .header("x-vortex-signature", sign_payload(secret, body.as_bytes()))
///         .body(axum::body::Body::from(body))
///         .unwrap()
/// };
/// assert_eq!(app.clone().oneshot(delivery()).await?.status(), 200);
/// // Vortex delivers it again: a duplicate, answered without the handler.
/// let again = axum::body::to_bytes(app.oneshot(delivery()).await?.into_body(), 1024).await?;
/// assert_eq!(again, r#"{"received":true,"duplicate":true}"#);
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
        let (parts, body) = request.into_parts();
        let signatures: Vec<&[u8]> = (parts.headers.get_all(SIGNATURE_HEADER).iter())
            .map(|value| value.as_bytes())
            .collect();
        let read_body = async |limit| read_limited(&parts.headers, Some(body), limit).await;
        let verifier = WebhookVerifier::from_ref(state);
        let slot = SlotLookup::new(parts.extensions.get::<ClaimSlot>(), MISSING_CLAIMS);
        let verified = verify_webhook(&verifier, &signatures, read_body, slot).await?;
        Ok(Self {
            event: verified.event,
            body: verified.body,
        })
    }
}

/// The tower [`Layer`](tower_layer::Layer) that completes the event claims of
/// [`VerifiedWebhook`], so that each event is handled **at least once and at most once per
/// event id**: a delivery that fails is handled again on Vortex's retry, and one whose event
/// was already handled is answered without running the handler.
///
/// It puts an empty [`ClaimSlot`] in each request's extensions, which the extractor fills,
/// and finishes the claim with the inner service's status before the response is sent:
/// done on 2xx, released otherwise ([how each outcome ends the
/// claim](ClaimSlot#how-each-outcome-ends-the-claim)). Without an event store it does
/// nothing. Example: [`VerifiedWebhook`].
#[derive(Clone, Copy, Debug, Default)]
pub struct WebhookClaimsLayer;

impl WebhookClaimsLayer {
    /// The layer.
    pub const fn new() -> Self {
        Self
    }
}

impl<S> tower_layer::Layer<S> for WebhookClaimsLayer {
    type Service = WebhookClaims<S>;

    fn layer(&self, inner: S) -> Self::Service {
        WebhookClaims { inner }
    }
}

/// The service that [`WebhookClaimsLayer`] wraps around a webhook route: it completes the
/// claims of [`VerifiedWebhook`].
#[derive(Clone, Debug)]
pub struct WebhookClaims<S> {
    inner: S,
}

impl<S, B, R> tower_service::Service<axum::http::Request<B>> for WebhookClaims<S>
where
    S: tower_service::Service<axum::http::Request<B>, Response = axum::http::Response<R>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    R: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: axum::http::Request<B>) -> Self::Future {
        let slot = ClaimSlot::new();
        request.extensions_mut().insert(slot.clone());
        let answer = self.inner.call(request);
        Box::pin(async move {
            let response = answer.await?;
            slot.finish(response.status().as_u16()).await;
            Ok(response)
        })
    }
}
