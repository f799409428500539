//! The metrics check, once per framework, in its own process: it installs the global
//! metrics recorder (see `vortex_tests::checks::metrics`).

vortex_tests::metrics_suite!(axum_metrics, vortex_tests::frameworks::axum::AxumFramework);
vortex_tests::metrics_suite!(
    actix_metrics,
    vortex_tests::frameworks::actix::ActixFramework
);
vortex_tests::metrics_suite!(
    rocket_metrics,
    vortex_tests::frameworks::rocket::RocketFramework
);
