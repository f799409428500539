//! Benchmarks of `vortex-client` against the official `vortex-sdk` crate.
//!
//! This library is empty: the benchmarks live in `benches/signing.rs`. Run them with
//! `cargo bench -p vortex-benches --features official --bench signing`, or `benches/ratios.sh` for the
//! ours-vs-official ratios.
