//! What the three demo apps share, framework-neutral: configuration from the environment,
//! the upstream (the real Vortex API or an embedded `vortex-mock`), the demo users, the demo's
//! authorization policy, the received webhook events and simulated handler failures, the page,
//! logging and the serving rules.
//!
//! Each demo package (`axum-demo`, `actix-demo`, `rocket-demo`) only wires these into its
//! framework, the way an app of that framework would: its session crate, its routes, its
//! server settings.
//!
//! # Webhooks
//!
//! Each demo verifies `POST /webhooks/vortex` with one [`vortex_routes::WebhookVerifier`]
//! ([`DemoApp::webhooks`]) that handles each event **at least once and at most once**: event
//! ids are claimed in the Redis of `REDIS_URL` when set (two instances with one Redis, one
//! `VORTEX_WEBHOOK_SECRET` and one `SESSION_SECRET` behave as one app), else in memory, and
//! the framework's `WebhookClaims` layer, middleware or fairing marks an event done only when
//! the handler answered 2xx. A run failed by `POST /api/demo/webhook-failures` answers 503,
//! which releases the event, so Vortex's retry is handled by whichever instance receives it.
//! The freshness window is [`app::WEBHOOK_MAX_AGE`] (4 days): a retry carries the original
//! timestamp, so the window must outlast Vortex's retries (see its docs).

pub mod app;
pub mod config;
pub mod events;
pub mod log_writer;
pub mod logging;
pub mod metrics;
pub mod openapi;
pub mod page;
pub mod policy;
pub mod serving;
pub mod upstream;
pub mod users;

pub use app::{DemoApp, DemoResponse, print_banner};
pub use config::{DemoConfig, SessionSecret};
pub use metrics::Metrics;
pub use policy::DemoPolicy;
pub use upstream::Upstream;

/// The demos' allocator: mimalloc, as many production servers use. With glibc's `malloc`,
/// what one Tokio worker allocates (a request's buffers) and another frees takes the first
/// arena's lock: under load that costs futex calls on most requests (measured on the proxied
/// lists: 15 us of CPU per request out of 87). mimalloc frees across threads without a lock.
/// An app that links this crate gets it; an app of its own chooses its allocator itself.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
