//! What the three demo apps share, framework-neutral: configuration from the environment,
//! the upstream (the real Vortex API or an embedded `vortex-mock`), the demo users and their
//! cookie sessions, the demo's authorization policy, the received webhook events and the page.
//!
//! Each binary (`axum-demo`, `actix-demo`, `rocket-demo`) only wires these into its
//! framework, the way an app of that framework would.

pub mod app;
pub mod config;
pub mod events;
pub mod page;
pub mod policy;
pub mod sessions;
pub mod upstream;
pub mod users;

pub use app::{DemoApp, DemoResponse};
pub use config::DemoConfig;
pub use policy::DemoPolicy;
