//! Vortex invitations for [axum](https://docs.rs/axum) 0.8.
//!
//! - [`router`]: the routes the Vortex React provider calls (`/jwt`, `/invitations`, …), as a
//!   `Router` to [`nest`](axum::Router::nest) at `/api/vortex`, authenticated by the app's own
//!   user extractor and authorized by a policy;
//! - [`CurrentUser`]: the signed-in [`VortexUser`] for the app's own handlers (401 JSON when
//!   absent);
//! - [`VerifiedWebhook`]: a webhook whose signature was verified over the raw body; with an
//!   event store, each event is handled at least once and at most once, the
//!   [`WebhookClaims`] layer marking it done when the handler answers 2xx.
//!
//! The behaviour (validation, authorization, upstream calls, error table) is
//! [`vortex_client::routes`], shared with the actix-web and Rocket integrations; this crate
//! only converts axum's requests and responses. It re-exports what an app needs (the
//! client, the policies, the user, the webhook types), so `vortex-axum` is the only Vortex
//! dependency an app needs.
//!
//! # Configuration mistakes
//!
//! - A rejection of the app's user extractor whose [`IntoResponse`] status is 4xx means
//!   "not signed in" (401); a 5xx one (tower-sessions without `SessionManagerLayer`) is a
//!   mistake of the app: 500 `{"error":"Internal error"}`, logged at error level.
//! - [`VerifiedWebhook`] needs `WebhookVerifier: FromRef<AppState>` (see its docs).
//! - A verifier with an event store needs the [`WebhookClaims`] layer on the webhook route;
//!   without it the extractor answers 500 JSON naming `.layer(vortex_axum::WebhookClaims::new())`
//!   (logged at error level) rather than take a claim that nothing would complete.
//!
//! [`IntoResponse`]: axum::response::IntoResponse
//!
//! # Example
//!
//! ```
//! use axum::extract::{FromRef, FromRequestParts};
//! use axum::http::{StatusCode, request::Parts};
//! use axum::routing::{get, post};
//! use axum::{Json, Router};
//! use serde_json::{Value, json};
//! use vortex_axum::{
//!     AdminScopeOr, CurrentUser, VerifiedWebhook, VortexClient, VortexRoutes,
//!     OwnInvitations, VortexUser, WebhookVerifier,
//! };
//!
//! #[derive(Clone, FromRef)]
//! struct AppState {
//!     webhooks: WebhookVerifier,
//! }
//!
//! /// The app's signed-in user (a real app reads its session or token here).
//! struct AppUser {
//!     id: String,
//!     email: String,
//!     admin: bool,
//! }
//!
//! impl FromRequestParts<AppState> for AppUser {
//!     type Rejection = StatusCode;
//!     async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, StatusCode> {
//!         let id = parts.headers.get("x-user-id").and_then(|v| v.to_str().ok());
//!         let id = id.ok_or(StatusCode::UNAUTHORIZED)?;
//!         Ok(AppUser { id: id.into(), email: format!("{id}@example.com"), admin: id == "admin" })
//!     }
//! }
//!
//! impl From<AppUser> for VortexUser {
//!     fn from(user: AppUser) -> Self {
//!         let scopes: &[&str] = if user.admin { &["autojoin"] } else { &[] };
//!         VortexUser::new(user.id).email(user.email).admin_scopes(scopes.iter().copied())
//!     }
//! }
//!
//! async fn me(user: CurrentUser<AppUser>) -> Json<Value> {
//!     Json(json!({ "id": user.id }))
//! }
//!
//! async fn webhook(VerifiedWebhook { event, .. }: VerifiedWebhook) -> Json<Value> {
//!     println!("Vortex event {:?}", event.id());
//!     Json(json!({ "received": true }))
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let client = VortexClient::from_env()
//!     .or_else(|_| VortexClient::new("VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing"))?;
//! // Admins may do everything; others see and accept only their own invitations.
//! let policy = AdminScopeOr::new("autojoin", OwnInvitations);
//! let routes = VortexRoutes::new(client, policy);
//!
//! let app = Router::new()
//!     .nest("/api/vortex", vortex_axum::router::<AppState, AppUser>(routes))
//!     .route("/me", get(me))
//!     .route("/webhooks/vortex", post(webhook))
//!     .with_state(AppState { webhooks: WebhookVerifier::new("whsec_example")? });
//!
//! // Try it without a server:
//! use tower::ServiceExt as _;
//! let request = axum::http::Request::post("/api/vortex/jwt")
//!     .header("x-user-id", "admin")
//!     .body(axum::body::Body::empty())?;
//! let answer = app.clone().oneshot(request).await?;
//! assert_eq!(answer.status(), 200);
//!
//! let anonymous = axum::http::Request::post("/api/vortex/jwt").body(axum::body::Body::empty())?;
//! assert_eq!(app.oneshot(anonymous).await?.status(), 401);
//! # Ok(()) }
//! ```
//!
//! To serve it: `axum::serve(tokio::net::TcpListener::bind("127.0.0.1:3000").await?, app)`.
//! CORS, if the frontend is on another origin, goes on the outer router (after `nest`).

mod body;
mod response;
mod router;
mod user;
mod webhook;

pub use response::VortexResponse;
pub use router::router;
pub use user::CurrentUser;
pub use webhook::{VerifiedWebhook, WebhookClaims, WebhookClaimsService};

// What an app needs (client, routes, policies, user, webhook verifier, events), listed once
// in the core.
pub use vortex_client;
pub use vortex_client::routes::app::*;
