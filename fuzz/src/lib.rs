//! Shared pieces of the fuzz targets: arbitrary JSON, a model of JavaScript's object key
//! order and number semantics, a made-up framework request for `VortexRoutes::serve`, and a
//! recording upstream on 127.0.0.1 that answers what a target tells it to.

use std::sync::OnceLock;

pub mod js;
pub mod request;
pub mod upstream;

/// The key every target signs with (the one of the crates' own doc examples).
pub const API_KEY: &str = "VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing";

/// One current-thread runtime for every iteration: the upstream connections of the client
/// stay pooled across iterations, so a call costs a loopback round trip, not a connect.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime")
    })
}

/// Runs `future` to completion on [`runtime`].
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    runtime().block_on(future)
}
