//! Benchmarks of `vortex-client` against the official `vortex-sdk` crate.
//!
//! The benchmarks live in `benches/` (`signing.rs`, `router.rs`, `proxy.rs`). Run them with
//! `cargo bench -p vortex-benches --features official --bench signing`, or `benches/ratios.sh`
//! for the ours-vs-official ratios. With the `official` feature, this library has the
//! upstream of the proxy benchmarks (module `proxy`).

#[cfg(feature = "official")]
pub mod proxy;
