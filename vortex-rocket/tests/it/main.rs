//! Integration tests of vortex-rocket: Rocket's local client against a real `vortex-mock`.

mod limits;
mod misconfigured;
mod paths;
mod routes;
mod server;
mod support;
mod user;
mod webhook;
