//! Integration tests of vortex-axum: configuration mistakes that must be loud, and the
//! `WebhookClaimsLayer` around a verified-webhook route. The routes' answers on all three
//! frameworks are checked by the workspace's conformance suite.

mod misconfigured;
mod webhook_claims;
