//! The verified-webhook extractor and the layer that completes its claims.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, Request};
use vortex_client::routes::adapter::{SlotLookup, verify_webhook};
use vortex_client::routes::{ClaimSlot, WebhookVerifier};
use vortex_client::webhook::{SIGNATURE_HEADER, VortexEvent};

use crate::body::read_limited;
use crate::response::VortexResponse;

/// A webhook from Vortex whose `X-Vortex-Signature` was verified over the raw body.
///
/// The [`WebhookVerifier`] (secret, body limit of 1 MiB by default, optional freshness window
/// and event store) comes from the app's state, through [`FromRef`]: the state needs a
/// `WebhookVerifier` field and `#[derive(FromRef)]`, or an `impl FromRef<AppState> for
/// WebhookVerifier`.
///
/// Rejections are JSON:
/// two signature headers 400; a missing or empty one 401 `Missing X-Vortex-Signature header`;
/// a mismatch 401 `Invalid signature`; a body over the limit 413; a body that is not a JSON
/// object 400. As a body extractor, it must be the handler's last argument.
///
/// With an event store ([`WebhookVerifier::claims`]), the extractor claims the event id and
/// the [`WebhookClaims`] layer, which the route needs, completes the claim when the handler
/// answers 2xx (see [`WebhookClaims`] for what happens otherwise): an event already handled
/// is answered 200 `{"received":true,"duplicate":true}` without calling the handler; one being
/// handled by another delivery right now 409 (Vortex retries it); a store error 503 (logged).
/// Without the layer, the extractor answers 500 JSON naming it (logged at error level).
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
/// let state = AppState { webhooks: WebhookVerifier::new("whsec_from_the_dashboard")?.claims_in_memory() };
/// let app: Router = Router::new()
///     .route("/webhooks/vortex", post(on_vortex_event))
///     .layer(vortex_axum::WebhookClaims::new())
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
        let slot = SlotLookup::new(parts.extensions.get::<ClaimSlot>(), MISSING_LAYER);
        let verified = verify_webhook(&verifier, &signatures, read_body, slot).await?;
        Ok(Self {
            event: verified.event,
            body: verified.body,
        })
    }
}

/// The answer when a verifier has an event store but the route lacks the layer.
const MISSING_LAYER: &str = "VerifiedWebhook with an event store needs the WebhookClaims layer: \
     add .layer(vortex_axum::WebhookClaims::new()) to the webhook route";

/// The tower [`Layer`](tower_layer::Layer) that completes the event claims of
/// [`VerifiedWebhook`]: **at least once and at most once per event id** (CONTRACT §3).
///
/// For each request it puts an empty [`ClaimSlot`] in the request extensions; the extractor
/// claims the event id in the verifier's store and leaves the claim there. Once the inner
/// service answered, the layer finishes the claim with the response status (before the
/// response is sent, so Vortex never sees a 2xx for an event not yet marked done):
///
/// - **2xx**: the event is done; later deliveries of its id are answered 200
///   `{"received":true,"duplicate":true}` without the handler;
/// - **any other status** (the handler's error, a rejection of a later extractor, 500 from a
///   `CatchPanicLayer` inside this layer): released, so Vortex's retry (at any instance) runs
///   the handler again;
/// - **a panic** unwinding through the handler or **the request future dropped** (client
///   gone, a timeout layer): the slot is dropped with the request and the claim with it,
///   which releases it;
/// - **the process dies**: nothing runs; the claim expires after its lease (5 minutes by
///   default, [`EventClaims::lease`](vortex_client::webhook::store::EventClaims::lease)), then
///   the next delivery handles the event. A done record lasts 7 days by default
///   ([`EventClaims::done_ttl`](vortex_client::webhook::store::EventClaims::done_ttl)),
///   longer than Vortex retries.
///
/// A handler therefore only has to answer honestly: 2xx once the event is safely handled,
/// anything else when it is not. Without an event store the layer does nothing.
///
/// ```
/// use axum::{Router, extract::FromRef, http::StatusCode, routing::post};
/// use tower::ServiceExt;
/// use vortex_axum::{VerifiedWebhook, WebhookClaims, WebhookVerifier, sign_payload};
///
/// #[derive(Clone, FromRef)]
/// struct AppState {
///     webhooks: WebhookVerifier,
/// }
///
/// async fn on_vortex_event(webhook: VerifiedWebhook) -> StatusCode {
///     // Store the event; answer 503 if the database is down, and Vortex will retry.
///     let _ = webhook.event;
///     StatusCode::OK
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let secret = "whsec_from_the_dashboard";
/// let state = AppState { webhooks: WebhookVerifier::new(secret)?.claims_in_memory() };
/// let app: Router = Router::new()
///     .route("/webhooks/vortex", post(on_vortex_event))
///     .layer(WebhookClaims::new())
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
/// let again = app.oneshot(delivery()).await?;
/// let body = axum::body::to_bytes(again.into_body(), 1024).await?;
/// assert_eq!(body, r#"{"received":true,"duplicate":true}"#);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct WebhookClaims;

impl WebhookClaims {
    /// The layer.
    pub fn new() -> Self {
        Self
    }
}

impl<S> tower_layer::Layer<S> for WebhookClaims {
    type Service = WebhookClaimsService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        WebhookClaimsService { inner }
    }
}

/// The service of the [`WebhookClaims`] layer.
#[derive(Clone, Debug)]
pub struct WebhookClaimsService<S> {
    inner: S,
}

impl<S, B, R> tower_service::Service<axum::http::Request<B>> for WebhookClaimsService<S>
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
