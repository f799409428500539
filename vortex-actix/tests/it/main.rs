//! Integration tests of vortex-actix: actix-web test services in front of a real
//! `vortex_mock::MockServer` upstream.

mod errors;
mod misconfigured;
mod mount;
mod paths;
mod provider;
mod support;
mod user;
mod webhook;
