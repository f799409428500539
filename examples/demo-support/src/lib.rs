//! What the three demo apps share, framework-neutral: configuration from the environment,
//! the upstream (the real Vortex API or an embedded `vortex-mock`), the demo users, the demo's
//! authorization policy, the received webhook events and simulated handler failures, the page,
//! logging and the serving rules.
//!
//! Each demo package (`axum-demo`, `actix-demo`, `rocket-demo`) only wires these into its
//! framework, the way an app of that framework would: its session crate, its routes, its
//! server settings.

pub mod app;
pub mod config;
pub mod events;
pub mod logging;
pub mod page;
pub mod policy;
pub mod serving;
pub mod upstream;
pub mod users;

pub use app::{DemoApp, DemoResponse, print_banner};
pub use config::{DemoConfig, SessionSecret};
pub use policy::DemoPolicy;
pub use upstream::Upstream;
