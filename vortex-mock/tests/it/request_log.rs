//! The request log is a ring: it keeps the newest requests (a configurable number, 10,000 by
//! default) and drops the oldest, while the count covers every request.

use vortex_mock::MockServer;

use crate::support::Api;

/// Sends `GET /invitations/inv-{i}` for each `i` in `ids`.
async fn get_invitations(api: &Api, ids: std::ops::Range<usize>) {
    for i in ids {
        api.get(&format!("/invitations/inv-{i}")).await;
    }
}

fn logged_paths(api: &Api) -> Vec<String> {
    api.mock.requests().into_iter().map(|r| r.path).collect()
}

#[tokio::test]
async fn the_log_keeps_the_newest_requests_and_drops_the_oldest() {
    let api = Api::with(MockServer::builder().request_log_capacity(5)).await;
    get_invitations(&api, 0..12).await;

    let expected: Vec<String> = (7..12)
        .map(|i| format!("/api/v1/invitations/inv-{i}"))
        .collect();
    assert_eq!(logged_paths(&api), expected, "the newest 5, oldest first");
    assert_eq!(
        api.mock.request_count(),
        12,
        "the count includes dropped requests"
    );

    let log = api.send(api.http.get(api.control_url("/requests"))).await;
    assert_eq!(log.status, 200);
    let paths: Vec<&str> = log.json["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, expected);
    assert_eq!(log.json["total"], 12);
}

#[tokio::test]
async fn clearing_empties_the_ring_and_its_count() {
    let api = Api::with(MockServer::builder().request_log_capacity(3)).await;
    get_invitations(&api, 0..4).await;
    api.send(api.http.delete(api.control_url("/requests")))
        .await;
    assert!(api.mock.requests().is_empty());
    assert_eq!(api.mock.request_count(), 0);

    get_invitations(&api, 4..6).await;
    assert_eq!(logged_paths(&api).len(), 2);
    api.mock.reset();
    assert_eq!(
        (api.mock.requests().len(), api.mock.request_count()),
        (0, 0)
    );
}

#[tokio::test]
async fn a_capacity_of_zero_keeps_nothing_but_counts() {
    let api = Api::with(MockServer::builder().request_log_capacity(0)).await;
    get_invitations(&api, 0..3).await;
    assert!(api.mock.requests().is_empty());
    assert_eq!(api.mock.request_count(), 3);
}

#[tokio::test]
async fn the_default_capacity_is_ten_thousand() {
    assert_eq!(vortex_mock::DEFAULT_REQUEST_LOG_CAPACITY, 10_000);
    let api = Api::start().await;
    get_invitations(&api, 0..3).await;
    assert_eq!(logged_paths(&api).len(), 3);
    assert!(format!("{:?}", MockServer::builder()).contains("request_log_capacity: 10000"));
}
