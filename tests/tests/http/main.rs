//! The conformance suite, once per framework (see the `vortex_tests` crate docs).

vortex_tests::conformance_suite!(axum_suite, vortex_tests::frameworks::axum::AxumFramework);
vortex_tests::conformance_suite!(actix_suite, vortex_tests::frameworks::actix::ActixFramework);
vortex_tests::conformance_suite!(
    rocket_suite,
    vortex_tests::frameworks::rocket::RocketFramework
);
