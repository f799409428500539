//! The client follows no redirect: the API key header would go along to wherever the
//! `Location` points. A redirect is an [`Error::Status`] with its 3xx status.

use vortex_client::Error;
use wiremock::ResponseTemplate;

use crate::support::{assert_request_count, client, mount, start_server};

#[tokio::test]
async fn a_redirect_is_an_error_and_the_key_does_not_follow_it() {
    let upstream = start_server().await;
    let elsewhere = start_server().await;
    let location = format!("{}/api/v1/invitations/inv-1", elsewhere.uri());
    mount(
        &upstream,
        "GET",
        "/api/v1/invitations/inv-1",
        ResponseTemplate::new(302).insert_header("location", location.as_str()),
    )
    .await;

    let error = client(&upstream)
        .get_invitation("inv-1")
        .await
        .expect_err("a redirect is not followed");

    assert!(
        matches!(error, Error::Status { status: 302, .. }),
        "{error:?}"
    );
    assert_request_count(&elsewhere, 0).await;
}
