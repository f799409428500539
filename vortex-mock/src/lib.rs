//! A local, in-memory stand-in for the Vortex REST API, served over real HTTP.
//!
//! In the spirit of stripe-mock, but stateful and with webhooks: tests, demo apps and
//! frontend developers get the Vortex API (`/api/v1/…`) without credentials or network.
//! The mock checks `x-api-key`, keeps invitations, scopes, acceptances and autojoin
//! domains in memory, answers in the upstream's JSON shapes, and can inject faults, record
//! requests and deliver signed webhooks.
//!
//! # In a test
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use serde_json::{Value, json};
//! use vortex_mock::{Fault, MockServer};
//!
//! let mock = MockServer::start().await; // 127.0.0.1, ephemeral port, generated key
//! let http = reqwest::Client::new();
//! let created: Value = http
//!     .post(format!("{}/api/v1/invitations", mock.base_url()))
//!     .header("x-api-key", mock.api_key())
//!     .json(&json!({
//!         "widgetConfigurationId": "component-1",
//!         "target": {"type": "email", "value": "ada@example.com"},
//!         "inviter": {"userId": "user-1", "name": "Grace"},
//!         "groups": [{"type": "team", "groupId": "team-1", "name": "Team 1"}]
//!     }))
//!     .send()
//!     .await?
//!     .json()
//!     .await?;
//! assert_eq!(created["status"], "queued");
//! assert_eq!(mock.invitations()[0]["creatorName"], "Grace");
//!
//! // The next request fails with 503.
//! mock.inject_fault(Fault::new().status(503))?;
//! let failed = http
//!     .get(format!("{}/api/v1/invitations/by-scope/team/team-1", mock.base_url()))
//!     .header("x-api-key", mock.api_key())
//!     .send()
//!     .await?;
//! assert_eq!(failed.status(), 503);
//! assert_eq!(mock.requests().len(), 2);
//! # Ok(())
//! # }
//! ```
//!
//! # The API
//!
//! All under `/api/v1`, JSON in camelCase, unknown request fields ignored. Every request
//! needs `x-api-key` equal to [`Mock::api_key`], else 401
//! `{"error":"Unauthorized","message":"Invalid or missing x-api-key"}`. Errors are always
//! JSON `{"error","message"}`: 400 for malformed JSON or a missing field, 404 for an
//! unknown invitation or path, 405 for a wrong method, 413 over 1 MiB.
//!
//! | method | path | answer |
//! |---|---|---|
//! | GET | `/invitations?targetType=&targetValue=` | `{"invitations":[…]}` |
//! | POST | `/invitations` | `{"id","shortLink","status","createdAt"}` |
//! | GET | `/invitations/{id}` | the invitation |
//! | DELETE | `/invitations/{id}` | `{}`; the invitation stays, `deactivated: true` |
//! | POST | `/invitations/{id}/reinvite` | the invitation, `deliveryCount` + 1 |
//! | POST | `/invitations/accept` | the last accepted invitation |
//! | GET, DELETE | `/invitations/by-scope/{scopeType}/{scope}` (and `by-group`) | `{"invitations":[…]}` / `{}` (deleted) |
//! | GET | `/invitations/by-scope/{scopeType}/{scope}/autojoin` | `{"autojoinDomains":[…],"invitation":…}` |
//! | POST | `/invitations/autojoin` | same as GET |
//! | POST | `/invitations/sync-internal-invitation` | `{"processed":n,"invitationIds":[…]}` |
//!
//! Choices where the upstream is not documented: a new e-mail or phone invitation is
//! `queued` with `deliveryCount` 1, an internal one `delivered` with 0; an autojoin
//! invitation is `shared`; declining with `sync-internal-invitation` deactivates; deleting
//! by scope removes the invitations (GET answers 404 afterwards). There are no state rules:
//! a revoked invitation can still be accepted or reinvited.
//!
//! # Test controls
//!
//! Under `/__mock/`, no key needed, and mirrored by methods on [`Mock`]:
//! `POST /__mock/faults` ([`Mock::inject_fault`], see [`Fault::from_json`] for the body),
//! `GET`/`DELETE /__mock/faults`, `GET`/`DELETE /__mock/requests` ([`Mock::requests`]: the
//! newest 10,000 by default, see [`MockBuilder::request_log_capacity`]; `total` counts them
//! all, [`Mock::request_count`]),
//! `POST /__mock/reset` ([`Mock::reset`]), `GET`/`POST /__mock/invitations`
//! ([`Mock::invitations`], [`Mock::seed_invitation`]), `GET /__mock/webhooks`
//! ([`Mock::webhook_deliveries`]).
//!
//! # Webhooks
//!
//! With [`MockBuilder::webhook`], each change is POSTed, in order, by a background task as
//! the official event shape `{"id","type","timestamp","accountId","environmentId",
//! "sourceTable":"invitations","operation","data":<invitation>}`, signed in
//! `X-Vortex-Signature` with [`vortex_client::webhook::sign_payload`]. A non-2xx answer or a
//! connection error is retried (3 attempts, 100 ms then 300 ms apart). Event types:
//! `invitation.created` (create, autojoin), `invitation.accepted` (accept, sync accepted),
//! `invitation.deactivated` (revoke, sync declined, autojoin cleared, delete by scope with
//! operation `delete`), `invitation.reminder.sent` (reinvite).
//!
//! [`sample_event`] builds one such event of any type, and the binary's (feature `cli`)
//! `vortex-mock send <event-type> --to <url>` sends it, signed, to a webhook endpoint.

#![cfg_attr(docsrs, feature(doc_cfg))]

// The public face: the mock, its builder, its errors.
mod builder;
mod error;
mod key;
mod mock;
mod shared;

// What the mock imitates: the Vortex API's endpoints, data and webhooks.
mod api;
// The test controls: faults, the request log, `/__mock/…`.
mod control;
// The plumbing: routing, reading requests, writing answers, serving over TCP.
mod server;

pub use api::sample::sample_event;
pub use api::webhooks::WebhookDelivery;
pub use builder::MockBuilder;
pub use control::faults::{Fault, FaultBody};
pub use control::request_log::{DEFAULT_REQUEST_LOG_CAPACITY, RecordedRequest};
pub use error::MockError;
pub use key::generate_api_key;
pub use mock::Mock;
pub use server::mock_server::MockServer;
pub use server::mock_service::MockService;
