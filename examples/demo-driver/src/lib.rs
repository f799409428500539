//! The test driver the three demo packages share: each demo's tests start its binary as a
//! child process (loopback, a free port, the embedded vortex-mock) and run the same checks:
//! the page in headless Chromium ([`browser`]) and the demos' serving rules
//! ([`serving`]: shutdown on SIGTERM/SIGINT, slow clients, rejected bodies, logs), what a
//! caller gets when the upstream stalls or is down ([`upstream`]), two instances sharing
//! one `redis-server` ([`instances`]), a Redis restart under load ([`outage`]), and the
//! Prometheus series of `GET /metrics` after a scripted session ([`metrics`]). It also
//! starts the Redis servers of the webhook event store tests: one `redis-server`
//! ([`redis_server`]) or a 6-node Redis Cluster ([`redis_cluster`]).
//!
//! Cargo gives a test the path of its own package's binaries only (`CARGO_BIN_EXE_<name>`),
//! so each demo package has thin tests that pass their binary to these functions.

pub mod browser;
mod checks;
pub mod instances;
pub mod metrics;
pub mod outage;
pub mod process;
pub mod redis_cluster;
pub mod redis_server;
pub mod serving;
pub mod upstream;

pub use process::Demo;
