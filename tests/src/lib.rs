//! The cross-framework HTTP conformance suite of the vortex-rs integration routers (routes,
//! authentication, policies, error answers, verified webhooks): one behaviour, checked the
//! same way on every framework.
//!
//! Every case is a real HTTP request to a real server: the test app of [`app`] runs on a
//! framework harness ([`frameworks`]) in front of a `vortex-mock` upstream, and is driven
//! with `reqwest` (or a plain HTTP/1.1 connection when a request target must be sent exactly
//! as written, see [`http`]).
//!
//! - [`app`]: the test app every harness builds (routes, authentication, policy, webhook
//!   handlers) and the [`Framework`](app::Framework) trait;
//! - [`frameworks`]: the harnesses (axum today);
//! - [`table`]: the conformance table, rows of [`case::Case`];
//! - [`checks`]: token bytes, invitation transform, webhooks, event claims across two
//!   instances (in memory and on a real `redis-server`, see [`redis_server`]), `/me`, mock
//!   webhooks end to end (the store's failover test runs on a Redis Cluster, see
//!   [`redis_cluster`]), a stalled user extractor or event store;
//! - [`suite`]: the generic entry points, instantiated per framework by
//!   [`conformance_suite!`].
//!
//! # Adding a framework
//!
//! 1. Write `src/frameworks/<name>.rs`: a unit struct implementing
//!    [`app::Framework`] whose `spawn` builds the app described in [`app`] with the
//!    framework crate (router at [`app::MOUNT`], user from [`app::USER_HEADER`] and
//!    [`app::STALL_HEADER`] through [`app::look_up_user`], the two verified-webhook routes
//!    answering [`app::WebhookLog::record`], `GET /me` answering [`app::me_body`]) and
//!    serves it on `127.0.0.1:0` on its own thread and runtime. Declare it in
//!    `src/frameworks/mod.rs` and add the framework crate to `Cargo.toml`.
//! 2. Add one line to `tests/http/main.rs`:
//!    `vortex_tests::conformance_suite!(actix_suite, vortex_tests::frameworks::actix::ActixFramework);`
//!
//! Failures name the framework ([`app::Framework::NAME`]) and the case.
//!
//! # Known bugs
//!
//! A case that finds a bug keeps asserting the contract and is marked
//! `.known_bug("<framework NAME>", "BUG: …where and why…")` (`"*"` for a bug of the shared
//! core that every framework shows). On that framework the normal tests skip it and the
//! ignored `known_bugs` test runs it: `cargo test -p vortex-tests -- --ignored`. When the
//! bug is fixed, remove the mark.

pub mod app;
pub mod case;
pub mod checks;
pub mod env;
pub mod frameworks;
pub mod http;
pub use vortex_demo_driver::redis_cluster;
pub use vortex_demo_driver::redis_server;
pub mod suite;
pub mod table;

/// Instantiates the whole suite for one framework: `conformance_suite!(module, Framework)`
/// makes a test module with one test per table group and per check.
#[macro_export]
macro_rules! conformance_suite {
    ($name:ident, $framework:ty) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            type Under = $framework;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn routes() {
                $crate::suite::group::<Under>($crate::case::Group::Routes).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn auth_and_policy() {
                $crate::suite::group::<Under>($crate::case::Group::Auth).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn validation() {
                $crate::suite::group::<Under>($crate::case::Group::Validation).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn not_found_method_not_allowed_too_large() {
                $crate::suite::group::<Under>($crate::case::Group::Framework).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn upstream_errors() {
                $crate::suite::group::<Under>($crate::case::Group::Upstream).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn path_segments() {
                $crate::suite::group::<Under>($crate::case::Group::Paths).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn jwt_bytes() {
                $crate::suite::jwt_bytes::<Under>().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn token_bytes() {
                $crate::suite::token_bytes::<Under>().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn invitation_transform() {
                $crate::suite::invitation_transform::<Under>().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn webhooks() {
                $crate::suite::webhooks::<Under>().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn webhook_claims_in_memory() {
                $crate::suite::webhook_claims::<Under>($crate::checks::claims::Store::Memory).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn webhook_claims_on_redis() {
                $crate::suite::webhook_claims::<Under>($crate::checks::claims::Store::Redis).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn own_invitations() {
                $crate::suite::own_invitations::<Under>().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn documented_routes_are_mounted() {
                $crate::suite::documented_routes_are_mounted::<Under>().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn current_user() {
                $crate::suite::current_user::<Under>().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn mock_webhooks_end_to_end() {
                $crate::suite::mock_webhooks_end_to_end::<Under>().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn stalled_user_extractor() {
                $crate::suite::stalled_user::<Under>().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn stalled_webhook_store() {
                $crate::suite::stalled_event_store::<Under>().await;
            }

            /// The table rows marked `known_bug` for this framework: each asserts the
            /// contract and fails until the bug is fixed (the notes say where).
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[ignore = "BUG: known contract violations of this framework's crate (table rows marked known_bug); run with --ignored"]
            async fn known_bugs() {
                $crate::suite::known_bugs::<Under>().await;
            }
        }
    };
}

/// Instantiates the metrics check for one framework: `metrics_suite!(module, Framework)`.
/// It installs the process's global metrics recorder, so it goes in its own test binary
/// (`tests/metrics/main.rs`), never next to [`conformance_suite!`].
#[macro_export]
macro_rules! metrics_suite {
    ($name:ident, $framework:ty) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn metrics() {
                $crate::suite::metrics::<$framework>().await;
            }
        }
    };
}

/// The repository README's code blocks, compiled (and, unless marked `no_run`, run) as doc
/// tests, so that the "Add Vortex to your app" examples stay true:
/// `cargo test -p vortex-tests --doc`.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct Readme;
