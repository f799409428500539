//! Vortex invitations for [axum](https://docs.rs/axum) 0.8: the [`router`] the Vortex React
//! provider calls (`/jwt`, `/invitations`, …) to [`nest`](axum::Router::nest) at
//! `/api/vortex`, behind the app's own user extractor and a policy; [`CurrentUser`] for the
//! app's handlers; [`VerifiedWebhook`] with the [`WebhookClaimsLayer`], so that each event is
//! handled at least once and at most once.
//!
//! The behaviour is [`vortex_routes`], shared with the actix-web and Rocket crates;
//! this crate converts axum's requests and responses, and re-exports what an app needs.
//!
//! # Configuration mistakes
//!
//! axum has no launch hook, so a mistake shows at the first request that meets it, logged at
//! error level with the fix (or at compile time):
//!
//! | mistake | symptom |
//! |---|---|
//! | the user extractor rejects with a 5xx (tower-sessions without its `SessionManagerLayer`) | the Vortex routes and [`CurrentUser`] answer 500 `{"error":"Internal error"}`, the cause logged at error level (a 4xx rejection is 401) |
//! | no `WebhookVerifier: FromRef<AppState>` | the *route* fails to compile (`#[axum::debug_handler]` names the extractor) |
//! | an event store without the [`WebhookClaimsLayer`] on the webhook route | each delivery is answered 500 JSON naming `.layer(vortex_axum::WebhookClaimsLayer::new())`, logged at error level; the handler does not run, so Vortex retries once it is fixed |
//! | an empty webhook secret | [`WebhookVerifier::new`] fails: `MissingSecret: WebhookVerifier::new / Webhooks::new got an empty webhook secret …` naming `VORTEX_WEBHOOK_SECRET` |
//! | `VORTEX_API_KEY` unset or empty | [`VortexClient::from_env`] fails: `VORTEX_API_KEY is not set: set it to your Vortex API key …` |
//!
//! A duplicate delivery (with an event store) is always answered 200 JSON
//! `{"received":true,"duplicate":true}`, without calling the handler.
//!
//! # OpenAPI (feature `openapi`)
//!
//! The routes' OpenAPI 3.1 description, relative to the mount point, merges into the app's own
//! utoipa document under the mount: with the derive form, or
//! `ApiDoc::openapi().nest("/api/vortex", vortex_axum::openapi())`. Operation ids start with
//! `vortex_`. For another generator, `openapi_json()` gives the document as JSON.
//!
//! ```
//! # #[cfg(feature = "openapi")] {
//! use utoipa::OpenApi;
//!
//! #[derive(OpenApi)]
//! #[openapi(info(title = "My app"), nest((path = "/api/vortex", api = vortex_axum::VortexApi)))]
//! struct ApiDoc;
//!
//! let doc = ApiDoc::openapi();
//! assert!(doc.paths.paths.contains_key("/api/vortex/invitations/{invitationId}"));
//! let same = utoipa::openapi::OpenApi::default().nest("/api/vortex", vortex_axum::openapi());
//! assert_eq!(doc.paths.paths.len(), same.paths.paths.len());
//! # }
//! ```
//!
//! # Example
//!
//! ```
//! use axum::extract::FromRequestParts;
//! use axum::http::{StatusCode, request::Parts};
//! use axum::routing::get;
//! use axum::{Json, Router};
//! use serde_json::{Value, json};
//! use vortex_axum::{AdminScopeOr, CurrentUser, OwnInvitations, VortexClient, VortexRoutes, VortexUser};
//!
//! #[derive(Clone)]
//! struct AppState;
//!
//! /// The app's signed-in user (a real app reads its session or token here).
//! struct AppUser(String);
//!
//! impl FromRequestParts<AppState> for AppUser {
//!     type Rejection = StatusCode;
//!     async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, StatusCode> {
//!         let id = parts.headers.get("x-user-id").and_then(|v| v.to_str().ok());
//!         Ok(AppUser(id.ok_or(StatusCode::UNAUTHORIZED)?.to_owned()))
//!     }
//! }
//!
//! impl From<AppUser> for VortexUser {
//!     fn from(AppUser(id): AppUser) -> Self {
//!         let user = VortexUser::new(&id).email(format!("{id}@example.com"));
//!         if id == "admin" { user.admin_scopes(["autojoin"]) } else { user }
//!     }
//! }
//!
//! async fn me(user: CurrentUser<AppUser>) -> Json<Value> {
//!     Json(json!({ "id": user.id }))
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let client = VortexClient::new("VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing")?;
//! // Admins may do everything; others view and accept only invitations sent to them (or share links).
//! let routes = VortexRoutes::new(client, AdminScopeOr::new("autojoin", OwnInvitations));
//!
//! let app = Router::new()
//!     .nest("/api/vortex", vortex_axum::router::<AppState, AppUser>(routes))
//!     .route("/me", get(me))
//!     .with_state(AppState);
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
mod path;
mod response;
mod router;
mod user;
mod webhook;

pub use response::VortexResponse;
pub use router::router;
pub use user::CurrentUser;
pub use webhook::{VerifiedWebhook, WebhookClaims, WebhookClaimsLayer};

// What an app needs, listed once in the core.
pub use vortex_client;
pub use vortex_routes::app::*;
