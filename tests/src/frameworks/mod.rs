//! One harness per web framework, each implementing [`crate::app::Framework`] for the test
//! app described in [`crate::app`].

pub mod actix;
pub mod axum;
pub mod rocket;
