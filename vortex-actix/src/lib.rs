//! Vortex invitations for [actix-web](https://docs.rs/actix-web) 4.
//!
//! - [`configure`]: the routes the Vortex React provider calls (`/jwt`, `/invitations`, …),
//!   to [`configure`](actix_web::Scope::configure) a `web::scope("/api/vortex")`,
//!   authenticated by the app's own [`FromRequest`](actix_web::FromRequest) user type and
//!   authorized by a policy;
//! - [`CurrentUser`]: the signed-in [`VortexUser`] for the app's own handlers (401 JSON when
//!   absent);
//! - [`VerifiedWebhook`]: a webhook verified over the raw body with the [`WebhookVerifier`]
//!   from the app data; with an event store, each event is handled at least once and at most
//!   once, the [`WebhookClaims`] middleware marking it done when the handler answers 2xx.
//!
//! The behaviour (validation, authorization, upstream calls, error table) is
//! [`vortex_routes`], shared with the axum and Rocket integrations: the same request
//! gets the same answer, byte for byte, in all three. This crate only converts actix-web's
//! requests and responses, and re-exports what an app needs (the client, the policies, the
//! user, the webhook types): `vortex-actix` is the only Vortex dependency an app needs.
//!
//! # Configuration mistakes
//!
//! actix-web has no launch hook, so a mistake shows at the first request that meets it,
//! logged at error level with the fix:
//!
//! | mistake | symptom |
//! |---|---|
//! | the app's user type fails with an error whose [`ResponseError::status_code`](actix_web::ResponseError::status_code) is 5xx (a session extractor without `SessionMiddleware`, missing app data) | the Vortex routes and [`CurrentUser`] answer 500 `{"error":"Internal error"}`, the cause logged at error level (any other error means "not signed in": 401) |
//! | [`VerifiedWebhook`] without a [`WebhookVerifier`] in the app data | each delivery is answered 500 JSON naming `.app_data(web::Data::new(WebhookVerifier::new(secret)?))`, logged at error level |
//! | an event store without the [`WebhookClaims`] middleware on the webhook route | each delivery is answered 500 JSON naming `.wrap(vortex_actix::WebhookClaims::new())`, logged at error level; the handler does not run, so Vortex retries once it is fixed |
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
//! `ApiDoc::openapi().nest("/api/vortex", vortex_actix::openapi())`. Operation ids start with
//! `vortex_`. For another generator, `openapi_json()` gives the document as JSON.
//!
//! ```
//! # #[cfg(feature = "openapi")] {
//! use utoipa::OpenApi;
//!
//! #[derive(OpenApi)]
//! #[openapi(info(title = "My app"), nest((path = "/api/vortex", api = vortex_actix::VortexApi)))]
//! struct ApiDoc;
//!
//! let doc = ApiDoc::openapi();
//! assert!(doc.paths.paths.contains_key("/api/vortex/invitations/{invitationId}"));
//! let same = utoipa::openapi::OpenApi::default().nest("/api/vortex", vortex_actix::openapi());
//! assert_eq!(doc.paths.paths.len(), same.paths.paths.len());
//! # }
//! ```
//!
//! # Example
//!
//! The Vortex routes and [`CurrentUser`] for the same app user; [`VerifiedWebhook`]'s example
//! adds a webhook route with its verifier and the [`WebhookClaims`] middleware.
//!
//! ```
//! use std::future::{Ready, ready};
//!
//! use actix_web::{App, FromRequest, HttpRequest, HttpResponse, dev::Payload, test, web};
//! use serde_json::json;
//! use vortex_actix::{AdminScopeOr, OwnInvitations, VortexClient, VortexRoutes, VortexUser};
//!
//! /// The app's signed-in user (a real app reads its session or token here).
//! struct AppUser {
//!     id: String,
//!     email: String,
//!     admin: bool,
//! }
//!
//! impl FromRequest for AppUser {
//!     type Error = actix_web::Error;
//!     type Future = Ready<Result<Self, Self::Error>>;
//!
//!     fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
//!         let id = req.headers().get("x-user-id").and_then(|v| v.to_str().ok());
//!         ready(match id {
//!             Some(id) => Ok(AppUser { id: id.into(), email: format!("{id}@example.com"), admin: id == "admin" }),
//!             None => Err(actix_web::error::ErrorUnauthorized("not signed in")),
//!         })
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
//! // A type alias saves repeating the app's user type.
//! type CurrentUser = vortex_actix::CurrentUser<AppUser>;
//!
//! async fn me(user: CurrentUser) -> HttpResponse {
//!     HttpResponse::Ok().json(json!({ "id": user.id }))
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let client = VortexClient::from_env()
//!     .or_else(|_| VortexClient::new("VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing"))?;
//! // Admins may do everything; others view and accept only invitations sent to them (or share links).
//! let policy = AdminScopeOr::new("autojoin", OwnInvitations);
//! // Shared by every worker: build it outside `HttpServer::new`.
//! let routes = VortexRoutes::new(client, policy);
//!
//! let app = move || {
//!     App::new()
//!         .service(web::scope("/api/vortex").configure(vortex_actix::configure::<AppUser>(routes.clone())))
//!         .route("/me", web::get().to(me))
//! };
//!
//! // Try it without a server:
//! # actix_web::rt::System::new().block_on(async {
//! let app = test::init_service(app()).await;
//! let request = test::TestRequest::post()
//!     .uri("/api/vortex/jwt")
//!     .insert_header(("x-user-id", "admin"))
//!     .to_request();
//! let answer = test::call_service(&app, request).await;
//! assert_eq!(answer.status(), 200);
//! assert_eq!(answer.headers().get("cache-control").unwrap(), "no-store");
//!
//! let me = test::TestRequest::get().uri("/me").insert_header(("x-user-id", "u1")).to_request();
//! assert_eq!(test::call_and_read_body(&app, me).await, r#"{"id":"u1"}"#);
//!
//! // Anonymous: the same 401 JSON from the Vortex routes and from `CurrentUser`.
//! let jwt = test::TestRequest::post().uri("/api/vortex/jwt");
//! for anonymous in [jwt, test::TestRequest::get().uri("/me")] {
//!     let answer = test::call_service(&app, anonymous.to_request()).await;
//!     assert_eq!(answer.status(), 401);
//!     assert_eq!(test::read_body(answer).await, r#"{"error":"Unauthorized"}"#);
//! }
//! # });
//! # Ok(()) }
//! ```
//!
//! To serve it: `HttpServer::new(app).bind(("127.0.0.1", 3000))?.run().await` (with
//! actix-web's `macros` feature for `#[actix_web::main]`, or `actix_web::rt::System`).
//! CORS, if the frontend is on another origin, wraps the scope or the app (`actix-cors`), so
//! preflight requests are answered before they reach the Vortex routes.

/// The quick start of the README, compiled as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod body;
mod path;
mod response;
mod router;
mod user;
mod webhook;

pub use response::VortexResponse;
pub use router::configure;
pub use user::CurrentUser;
pub use webhook::{VerifiedWebhook, WebhookClaims, WebhookClaimsMiddleware};

// What an app needs (client, routes, policies, user, webhook types), listed once in the core.
pub use vortex_client;
pub use vortex_routes::app::*;
