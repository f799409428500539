//! The retry budget: shared by all clones, it keeps upstream calls during an
//! outage within about 1.2× the calls made, and refills as its window slides.
//!
//! Figures: `cargo test -p vortex-client --test it budget -- --nocapture` prints the calls
//! made and the upstream requests counted at the mock.

use std::time::{Duration, Instant};

use serde_json::json;
use vortex_client::VortexClient;
use vortex_client::retry::{RetryBudget, RetryPolicy};
use wiremock::{MockServer, ResponseTemplate};

use crate::support::{builder, json_answer, mount, received, start_server};

const DOWN: &str = "/api/v1/invitations/down";
const UP: &str = "/api/v1/invitations/up";

/// An upstream answering 503 on [`DOWN`] and 200 on [`UP`], always.
async fn upstream() -> MockServer {
    let server = start_server().await;
    mount(&server, "GET", DOWN, ResponseTemplate::new(503)).await;
    mount(&server, "GET", UP, json_answer(&json!({"id": "up"}))).await;
    server
}

/// Fast retries (up to `max_retries`) within `budget`.
fn client(server: &MockServer, max_retries: u32, budget: RetryBudget) -> VortexClient {
    builder(server)
        .retry_policy(
            RetryPolicy::default()
                .max_retries(max_retries)
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(2)),
        )
        .retry_budget(budget)
        .build()
        .unwrap()
}

async fn upstream_requests(server: &MockServer) -> usize {
    received(server).await.len()
}

/// Makes `calls` failing calls, spread over `tasks` concurrent clones of `client`.
async fn outage_calls(client: &VortexClient, tasks: usize, calls: usize) {
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let clone = client.clone();
            tokio::spawn(async move {
                for _ in 0..calls / tasks {
                    let error = clone.get_invitation("down").await.unwrap_err();
                    assert_eq!(error.status(), Some(503), "{error:?}");
                }
            })
        })
        .collect();
    for handle in handles {
        handle.await.unwrap();
    }
}

#[tokio::test]
async fn during_an_outage_clones_make_at_most_1_2_upstream_calls_per_call() {
    let server = upstream().await;
    let budget = RetryBudget::default();
    let client = client(&server, 2, budget);
    let floor = budget.min_retries as usize;
    const CALLS: usize = 400;
    const TASKS: usize = 8;

    let started = Instant::now();
    outage_calls(&client, TASKS, CALLS / 2).await;
    let warm_up = upstream_requests(&server).await;
    outage_calls(&client, TASKS, CALLS / 2).await;
    let total = upstream_requests(&server).await;
    let after_warm_up = total - warm_up;

    let ratio = total as f64 / CALLS as f64;
    let steady = after_warm_up as f64 / (CALLS / 2) as f64;
    println!(
        "outage (always 503), {TASKS} concurrent clones, {budget:?}: {CALLS} calls made \
         {total} upstream requests in {:?} (ratio {ratio:.3}; after warm-up {} calls made \
         {after_warm_up}, ratio {steady:.3}; without a budget: 3.0)",
        started.elapsed(),
        CALLS / 2
    );
    assert!(total >= CALLS, "every call reaches the upstream once");
    assert!(
        total as f64 <= 1.2 * CALLS as f64 + floor as f64,
        "{total} upstream requests for {CALLS} calls"
    );
    assert!(
        steady <= 1.2,
        "after warm-up: {steady:.3} upstream requests per call"
    );
}

#[tokio::test]
async fn sequential_calls_through_clones_stay_within_the_ratio_and_floor() {
    let server = upstream().await;
    let budget = RetryBudget::default().retry_ratio(0.2).min_retries(5);
    let client = client(&server, 3, budget);
    const CALLS: usize = 200;

    for i in 0..CALLS {
        // A fresh clone for every call: the budget lives in the shared state.
        let clone = client.clone();
        let path = if i % 2 == 0 { "down" } else { "up" };
        let _ = clone.get_invitation(path).await;
    }
    let total = upstream_requests(&server).await;
    println!(
        "half the calls failing, {budget:?}: {CALLS} calls made {total} upstream requests \
         (ratio {:.3})",
        total as f64 / CALLS as f64
    );
    // Successful calls fund retries of failing ones: 5 + 0.2 × 200 retries at most.
    assert!(total <= CALLS + 5 + 40, "{total}");
    assert!(total >= CALLS + 5 + 39, "the budget was used: {total}");
}

#[tokio::test]
async fn clones_share_one_budget_and_other_clients_have_their_own() {
    let server = upstream().await;
    let budget = RetryBudget::default().retry_ratio(0.0).min_retries(2);
    let client = client(&server, 2, budget);

    client.get_invitation("down").await.unwrap_err();
    assert_eq!(upstream_requests(&server).await, 3, "the floor: 2 retries");
    client.clone().get_invitation("down").await.unwrap_err();
    assert_eq!(
        upstream_requests(&server).await,
        4,
        "a clone finds it spent"
    );

    let other = self::client(&server, 2, budget);
    other.get_invitation("down").await.unwrap_err();
    assert_eq!(
        upstream_requests(&server).await,
        7,
        "another client has its own"
    );
}

#[tokio::test]
async fn the_budget_refills_when_its_window_has_passed() {
    let server = upstream().await;
    let window = Duration::from_millis(500);
    let budget = RetryBudget::default()
        .window(window)
        .retry_ratio(0.0)
        .min_retries(2);
    let client = client(&server, 2, budget);

    client.get_invitation("down").await.unwrap_err();
    client.get_invitation("down").await.unwrap_err();
    assert_eq!(
        upstream_requests(&server).await,
        3 + 1,
        "spent after the first call"
    );

    tokio::time::sleep(window + Duration::from_millis(100)).await;
    client.get_invitation("down").await.unwrap_err();
    assert_eq!(
        upstream_requests(&server).await,
        4 + 3,
        "refilled after the window"
    );
}

#[tokio::test]
async fn calls_to_a_healthy_upstream_fund_later_retries() {
    let server = upstream().await;
    let budget = RetryBudget::default().retry_ratio(0.1).min_retries(0);
    let client = client(&server, 5, budget);

    client.get_invitation("down").await.unwrap_err();
    assert_eq!(
        upstream_requests(&server).await,
        1,
        "no floor, no calls: no retry"
    );
    for _ in 0..29 {
        client.get_invitation("up").await.unwrap();
    }
    // 30 calls so far (and the one below): 0.1 × 31 = 3 retries.
    client.get_invitation("down").await.unwrap_err();
    assert_eq!(upstream_requests(&server).await, 1 + 29 + 4);
}

#[tokio::test]
async fn an_unlimited_budget_leaves_the_policy_alone() {
    let server = upstream().await;
    let client = client(&server, 2, RetryBudget::unlimited());
    for _ in 0..20 {
        client.get_invitation("down").await.unwrap_err();
    }
    assert_eq!(upstream_requests(&server).await, 60);
}
