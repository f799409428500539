//! Endpoint tests of `vortex-client` against a local upstream (wiremock): what each endpoint
//! sends, how answers and errors are decoded, path encoding, timeouts, the deadline of a
//! call, retries and their budget, configuration and the texts of configuration errors. (The
//! webhook event store suite, which needs the workspace's `redis-server` helper, is the
//! `webhook_store` test of the conformance package, vortex-tests.)
//!
//! Every mock server has a lowest-priority catch-all answering 599 (see
//! `support::start_server`), so an unexpected request can never pass for an upstream 404.

mod budget;
mod clones;
mod config;
mod deadline;
mod decoding;
mod deletes;
mod endpoints;
mod errors;
mod messages;
mod paths;
mod redirects;
mod retries;
mod support;
mod timeouts;
#[cfg(feature = "rustls")]
mod tls;
