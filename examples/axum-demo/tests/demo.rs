//! The axum demo's binary against the shared checks of `vortex-demo-driver`: the
//! page in Chromium, graceful shutdown, slow clients, rejected bodies, logs, simulated webhook
//! failures, a stalled or failing upstream, two instances on one Redis. The tests of one
//! binary run in parallel threads.

vortex_demo_driver::demo_checks! {
    name: "axum-demo",
    binary: env!("CARGO_BIN_EXE_axum-demo"),
    sessions_across_instances: false,
    head_timeout
}
