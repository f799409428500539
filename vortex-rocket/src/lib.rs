//! Vortex invitations for [Rocket](https://rocket.rs) 0.5.
//!
//! - [`routes`] / [`fairing`]: the routes the Vortex React provider calls (`/jwt`,
//!   `/invitations`, …), to mount at `/api/vortex`, authenticated by the app's own request
//!   guard and authorized by a policy, answering JSON only;
//! - [`catchers`]: JSON catchers, since Rocket's own answer HTML;
//! - [`CurrentUser`]: the signed-in [`VortexUser`] as a request guard for the app's own
//!   handlers (401 JSON when absent);
//! - [`VerifiedWebhook`]: a data guard for a webhook whose signature was verified over the raw
//!   body; with an event store, each event is handled at least once and at most once, the
//!   [`WebhookClaims`] fairing ending its claim with the response status (see [how each
//!   status ends the claim](vortex_routes::ClaimSlot#how-each-outcome-ends-the-claim)).
//!
//! The behaviour (validation, authorization, upstream calls, error table) is
//! [`vortex_routes`], shared with the axum and actix-web integrations; this crate only
//! converts Rocket's requests and responses. It re-exports what an app needs (the client, the
//! policies, the user, the webhook types), so `vortex-rocket` is its only Vortex dependency.
//!
//! # Configuration mistakes
//!
//! - The app's request guard decides who is anonymous: `Outcome::Forward` or
//!   `Outcome::Error((status, _))` with a 4xx status means "not signed in" (401); an error
//!   with a 5xx status is a mistake of the app, answered 500 `{"error":"Internal error"}` by
//!   the Vortex routes and [`CurrentUser`] and logged at error level with the guard's error.
//! - A [`VerifiedWebhook`] route without a managed verifier aborts launch (it is a sentinel),
//!   naming `.manage(WebhookVerifier::new(secret)?)` in Rocket's log.
//! - A verifier with an event store needs the [`WebhookClaims`] fairing; without it launch
//!   aborts, naming `.attach(vortex_rocket::WebhookClaims::new())` in Rocket's log (a hand-built route
//!   that escapes sentinels answers 500 JSON naming it, logged at error level, rather than
//!   take a claim that nothing would complete).
//! - Without [`catchers`] over the webhook route, its rejections keep their statuses but carry
//!   Rocket's HTML; launch warns when no `POST` route of the app is covered, naming
//!   `.register("/", vortex_rocket::catchers())`. A duplicate delivery is answered by the
//!   handler (`webhook.event()?`), JSON with or without catchers.
//! - An empty webhook secret: [`WebhookVerifier::new`] fails with `MissingSecret: a webhook
//!   secret is required, …` naming `VORTEX_WEBHOOK_SECRET`; `VORTEX_API_KEY` unset:
//!   [`VortexClient::from_env`] fails with `VORTEX_API_KEY is not set: …`.
//! - With the `secrets` feature (private cookies), Rocket's `secret_key` (`ROCKET_SECRET_KEY`)
//!   is 44 or 88 base64 characters or 64 hex digits (`openssl rand -base64 64`); any other
//!   string stops launch with `InvalidLength(..)`. Without it a debug build warns and uses a
//!   random key (sessions are lost at each restart) and a release build refuses to launch.

//! # OpenAPI (feature `openapi`)
//!
//! The routes' OpenAPI 3.1 description, relative to the mount point, merges into the app's own
//! utoipa document under the mount: with the derive form, or
//! `ApiDoc::openapi().nest("/api/vortex", vortex_rocket::openapi())`. Operation ids start with
//! `vortex_`. For another generator, `openapi_json()` gives the document as JSON.
//!
//! ```
//! # #[cfg(feature = "openapi")] {
//! use utoipa::OpenApi;
//!
//! #[derive(OpenApi)]
//! #[openapi(info(title = "My app"), nest((path = "/api/vortex", api = vortex_rocket::VortexApi)))]
//! struct ApiDoc;
//!
//! let doc = ApiDoc::openapi();
//! assert!(doc.paths.paths.contains_key("/api/vortex/invitations/{invitationId}"));
//! let same = utoipa::openapi::OpenApi::default().nest("/api/vortex", vortex_rocket::openapi());
//! assert_eq!(doc.paths.paths.len(), same.paths.paths.len());
//! # }
//! ```
//!
//! # Example
//!
//! ```
//! use rocket::http::{Header, Status};
//! use rocket::local::asynchronous::Client;
//! use rocket::request::{self, FromRequest, Request};
//! use rocket::{get, routes};
//! use vortex_rocket::{
//!     AdminScopeOr, CurrentUser, OwnInvitations, VortexClient, VortexRoutes, VortexUser,
//! };
//!
//! /// The app's signed-in user (a real app reads its session cookie or token here).
//! struct AppUser {
//!     id: String,
//!     email: String,
//!     admin: bool,
//! }
//!
//! #[rocket::async_trait]
//! impl<'r> FromRequest<'r> for AppUser {
//!     type Error = ();
//!     async fn from_request(request: &'r Request<'_>) -> request::Outcome<Self, ()> {
//!         match request.headers().get_one("x-user-id") {
//!             Some(id) => request::Outcome::Success(AppUser {
//!                 id: id.into(),
//!                 email: format!("{id}@example.com"),
//!                 admin: id == "admin",
//!             }),
//!             None => request::Outcome::Forward(Status::Unauthorized),
//!         }
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
//! #[get("/me")]
//! fn me(user: CurrentUser<AppUser>) -> String {
//!     format!(r#"{{"id":"{}"}}"#, user.id)
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> { rocket::async_test(async {
//! let client = VortexClient::from_env()
//!     .or_else(|_| VortexClient::new("VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing"))?;
//! // Admins may do everything; others view and accept only invitations sent to them (or share links).
//! let policy = AdminScopeOr::new("autojoin", OwnInvitations);
//! let vortex = VortexRoutes::new(client, policy);
//!
//! let rocket = rocket::build()
//!     // The Vortex routes and their JSON catchers at /api/vortex.
//!     .attach(vortex_rocket::fairing::<AppUser>("/api/vortex", vortex))
//!     .mount("/", routes![me])
//!     .register("/me", vortex_rocket::catchers());
//!
//! // Try it without a server:
//! let client = Client::tracked(rocket).await?;
//! let answer = client.post("/api/vortex/jwt").header(Header::new("x-user-id", "admin")).dispatch().await;
//! assert_eq!(answer.status(), Status::Ok);
//! assert!(answer.into_string().await.unwrap().starts_with(r#"{"jwt":"eyJ"#));
//!
//! let anonymous = client.post("/api/vortex/jwt").dispatch().await;
//! assert_eq!(anonymous.status(), Status::Unauthorized);
//! assert_eq!(anonymous.into_string().await.unwrap(), r#"{"error":"Unauthorized"}"#);
//!
//! let me = client.get("/me").header(Header::new("x-user-id", "ada")).dispatch().await;
//! assert_eq!(me.into_string().await.unwrap(), r#"{"id":"ada"}"#);
//! assert_eq!(client.get("/me").dispatch().await.status(), Status::Unauthorized);
//! # Ok(()) }) }
//! ```
//!
//! To serve it, launch the same `rocket` (`#[launch]` or `rocket.launch().await`). CORS, if
//! the frontend is on another origin, is a fairing of the app. A webhook endpoint (the guard,
//! the fairing, a retried and a duplicate delivery) is the example of [`VerifiedWebhook`].
//!
//! # Differences from the axum integration that Rocket imposes
//!
//! - Rocket sends a failing guard's status, never its error value (rwf2/Rocket#596), so
//!   [`CurrentUser`] and [`VerifiedWebhook`] leave their JSON answer in the request-local
//!   cache for the [`catchers`] to send: register them where these guards are used, or take
//!   `Result<Guard, VortexResponse>` and return the rejection.
//! - Rocket calls a route's handler whenever its guards succeed and logs a failing guard as a
//!   failure, so a replayed webhook, which is not a failure, passes the data guard and the
//!   handler returns [`Duplicate`] with `webhook.event()?` (axum and actix-web answer it
//!   without calling the handler).
//! - Body limits also follow Rocket's named limits, [`ROUTES_LIMIT`] and [`WEBHOOK_LIMIT`]
//!   (capped by the core's own limits).

mod body;
mod catcher;
mod path;
mod response;
mod router;
mod user;
mod webhook;

pub use body::{ROUTES_LIMIT, WEBHOOK_LIMIT};
pub use catcher::catchers;
pub use response::VortexResponse;
pub use router::{DEFAULT_RANK, VortexHandler, fairing, routes};
pub use user::CurrentUser;
pub use webhook::{Duplicate, VerifiedWebhook, WebhookClaims};

// What an app needs (client, routes, policies, user, webhook types), listed once in the core.
pub use vortex_client;
pub use vortex_routes::app::*;
