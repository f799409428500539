//! API key checks and JSON answers for unknown paths and methods.

use crate::support::Api;

#[tokio::test]
async fn missing_or_wrong_key_is_401_json() {
    let api = Api::start().await;
    let url = api.url("/invitations/x");

    let reply = api.send(api.http.get(&url)).await;
    reply.assert_error(401, "Unauthorized");
    assert_eq!(reply.json["message"], "Invalid or missing x-api-key");

    let other_key = vortex_mock::generate_api_key();
    let reply = api
        .send(api.http.get(&url).header("x-api-key", other_key))
        .await;
    reply.assert_error(401, "Unauthorized");

    let reply = api
        .send(
            api.http
                .get(&url)
                .header("x-api-key", api.mock.api_key())
                .header("x-api-key", api.mock.api_key()),
        )
        .await;
    reply.assert_error(401, "Unauthorized");

    // The right key reaches the handler.
    api.get("/invitations/x")
        .await
        .assert_error(404, "Not found");
}

#[tokio::test]
async fn unknown_paths_and_methods_answer_json() {
    let api = Api::start().await;
    api.get("/nope").await.assert_error(404, "Not found");
    let reply = api
        .send(
            api.http
                .get(format!("{}/other", api.mock.base_url()))
                .header("x-api-key", api.mock.api_key()),
        )
        .await;
    reply.assert_error(404, "Not found");

    let reply = api
        .send(
            api.http
                .put(api.url("/invitations/x"))
                .header("x-api-key", api.mock.api_key()),
        )
        .await;
    reply.assert_error(405, "Method not allowed");
    assert_eq!(
        reply.json["message"],
        "PUT is not allowed on /api/v1/invitations/x"
    );

    api.get("/invitations/accept")
        .await
        .assert_error(405, "Method not allowed");
    api.send(api.http.get(api.control_url("/nope")))
        .await
        .assert_error(404, "Not found");
}

#[tokio::test]
async fn api_key_from_builder_is_validated() {
    let err = vortex_mock::MockServer::builder()
        .api_key("VRTX.not-a-key")
        .start()
        .await
        .unwrap_err();
    assert!(matches!(err, vortex_mock::MockError::ApiKey(_)), "{err}");

    let key = "VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing";
    let api = Api::with(vortex_mock::MockServer::builder().api_key(key)).await;
    assert_eq!(api.mock.api_key(), key);
    api.get("/invitations/x")
        .await
        .assert_error(404, "Not found");
}

#[tokio::test]
async fn debug_output_redacts_secrets() {
    let key = "VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing";
    let builder = vortex_mock::MockServer::builder()
        .api_key(key)
        .webhook("http://127.0.0.1:9/hook", "whsec_topsecret");
    let shown = format!("{builder:?}");
    assert!(
        !shown.contains("test-secret") && !shown.contains("topsecret"),
        "{shown}"
    );
    let mock = builder.start().await.unwrap();
    let shown = format!("{mock:?}");
    assert!(
        !shown.contains("test-secret") && !shown.contains("topsecret"),
        "{shown}"
    );
    assert!(
        shown.contains("00000000-0000-4000-8000-000000000001"),
        "{shown}"
    );
}

#[tokio::test]
async fn generated_keys_are_valid_and_distinct() {
    let a = Api::start().await;
    let b = Api::start().await;
    assert!(vortex_client::ApiKey::parse(a.mock.api_key()).is_ok());
    assert_ne!(a.mock.api_key(), b.mock.api_key());
    assert!(a.mock.base_url().starts_with("http://127.0.0.1:"));
    assert!(!a.mock.base_url().ends_with('/'));
}
