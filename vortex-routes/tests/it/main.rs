//! The route core's integration tests, one binary.

mod answered;
mod deadlines;
mod request;
