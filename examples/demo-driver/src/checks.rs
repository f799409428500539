//! The whole list of checks, as test functions for one demo binary: each demo package's
//! `tests/demo.rs` is one call of [`demo_checks!`](crate::demo_checks), since Cargo gives a
//! test the path of its own package's binaries only (`CARGO_BIN_EXE_<name>`).

/// Defines every shared check as a `#[tokio::test]` of the demo binary `binary` (named
/// `name` in screenshots and messages). `sessions_across_instances` says whether a second
/// instance with the same `SESSION_SECRET` must accept the session cookie (true where the
/// session lives in the cookie). Attributes given before `head_timeout` go on the slow-client
/// check (a framework without a request-head timeout marks it `#[ignore = "why"]`).
#[macro_export]
macro_rules! demo_checks {
    (
        name: $name:literal,
        binary: $binary:expr,
        sessions_across_instances: $across:literal,
        $(#[$head_timeout:meta])* head_timeout
    ) => {
        fn binary() -> &'static ::std::path::Path {
            ::std::path::Path::new($binary)
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn page_in_chromium() {
            $crate::browser::drive_page($name, binary()).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn sigterm_lets_in_flight_requests_finish_and_exits_0() {
            $crate::serving::shutdown_drains_in_flight(binary(), "TERM").await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn sigint_lets_in_flight_requests_finish_and_exits_0() {
            $crate::serving::shutdown_drains_in_flight(binary(), "INT").await;
        }

        $(#[$head_timeout])*
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_one_byte_per_second_client_is_disconnected_within_15_s() {
            $crate::serving::slow_client_disconnected(binary(), ::std::time::Duration::from_secs(15))
                .await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn an_unsigned_100_mb_webhook_body_is_not_read_past_8_mb() {
            $crate::serving::rejected_body_bounded(binary(), false, 8 << 20).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn an_oversized_100_mb_webhook_body_is_not_read_past_8_mb() {
            $crate::serving::rejected_body_bounded(binary(), true, 8 << 20).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn logs_are_json_lines_with_each_vortex_request_and_no_secret() {
            $crate::serving::logs_are_json_lines_without_secrets(binary()).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn webhook_failures_are_simulated_for_the_admin_only() {
            $crate::serving::webhook_failures_are_simulated(binary()).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn the_openapi_document_and_its_page_are_served() {
            $crate::serving::api_docs_are_served(binary()).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn the_session_cookie_is_http_only_lax_and_opaque() {
            $crate::serving::session_cookie_is_protected(binary(), $across).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_stalled_upstream_is_answered_504_within_the_deadline() {
            $crate::upstream::upstream_stall_answered_within_the_deadline(binary()).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn an_upstream_outage_makes_at_most_1_2_upstream_calls_per_request() {
            $crate::upstream::outage_upstream_calls_per_request(binary()).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_redis_restart_under_load_is_bounded_and_recovers_within_10_s() {
            if let Some(report) = $crate::outage::redis_restart_under_load(binary()).await {
                eprintln!("{}: Redis restart under load: {report:?}", $name);
            }
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn metrics_count_a_scripted_session_without_personal_labels() {
            $crate::metrics::scripted_session_is_counted(binary()).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn two_instances_on_one_redis_handle_a_failed_event_on_the_retry_once() {
            $crate::instances::two_instances_share_webhook_claims(binary()).await;
        }
    };
}
