//! Integration tests of vortex-mock over real HTTP.

mod auth;
mod autojoin;
mod client;
mod controls;
mod faults;
mod invitations;
mod list_timing;
mod receiver;
mod request_log;
mod scopes;
#[cfg(feature = "cli")]
// the binary it runs needs the feature (a dev-dependency turns it on in the workspace)
mod send;
mod support;
mod sync;
mod webhooks;
