//! Shared fixtures: a wiremock upstream with a catch-all, fast clients, request assertions.

use std::time::Duration;

use serde_json::{Value, json};
use vortex_client::retry::RetryPolicy;
use vortex_client::types::{DeliveryType, Invitation, InvitationStatus, InvitationType};
use vortex_client::{VortexClient, VortexClientBuilder};
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// A syntactically valid test key (kid `00000000-0000-4000-8000-000000000001`).
pub(crate) const KEY: &str = "VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing";
/// The secret part of [`KEY`].
pub(crate) const SECRET: &str = "test-secret-key-for-signing";
/// What the catch-all answers to a request no mock expected (wiremock-rs#93: never let an
/// unexpected request be answered by wiremock's default 404, which a test could mistake for
/// an upstream 404).
pub(crate) const UNMATCHED: u16 = 599;

/// A mock server whose lowest-priority mock answers every unexpected request with 599.
pub(crate) async fn start_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(UNMATCHED)
                .set_body_json(json!({"message": "no mock matched this request"})),
        )
        .with_priority(u8::MAX)
        .named("catch-all for unexpected requests")
        .mount(&server)
        .await;
    server
}

/// The default policy (2 retries) with millisecond backoffs.
pub(crate) fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(5))
        .max_backoff(Duration::from_millis(20))
}

/// A builder pointed at `server`, with fast retries.
pub(crate) fn builder(server: &MockServer) -> VortexClientBuilder {
    VortexClient::builder(KEY)
        .base_url(server.uri())
        .timeout(Duration::from_secs(5))
        .retry_policy(fast_retries())
}

/// A client pointed at `server`, with fast retries.
pub(crate) fn client(server: &MockServer) -> VortexClient {
    builder(server).build().expect("the test client builds")
}

/// Mounts a named mock for `verb` on the exact raw (still percent-encoded) `raw_path`.
pub(crate) async fn mount(
    server: &MockServer,
    verb: &str,
    raw_path: &str,
    response: ResponseTemplate,
) {
    Mock::given(method(verb))
        .and(path(raw_path))
        .respond_with(response)
        .named(format!("{verb} {raw_path}"))
        .mount(server)
        .await;
}

/// Answers the first `times` matching requests with `answer`, ahead of any other mock.
pub(crate) async fn fail_first(
    server: &MockServer,
    verb: &str,
    raw_path: &str,
    times: u64,
    answer: ResponseTemplate,
) {
    Mock::given(method(verb))
        .and(path(raw_path))
        .respond_with(answer)
        .up_to_n_times(times)
        .with_priority(1)
        .named(format!("first {times} {verb} {raw_path}: failure"))
        .mount(server)
        .await;
}

/// A 200 answer with a JSON body.
pub(crate) fn json_answer(body: &Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

/// Every request the server received, in order.
pub(crate) async fn received(server: &MockServer) -> Vec<Request> {
    server
        .received_requests()
        .await
        .expect("request recording is enabled")
}

/// `METHOD url` of each request, for assertion messages.
pub(crate) fn describe(requests: &[Request]) -> String {
    requests
        .iter()
        .map(|r| format!("{} {}", r.method, r.url))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Asserts that the server received exactly `count` requests.
pub(crate) async fn assert_request_count(server: &MockServer, count: usize) {
    let requests = received(server).await;
    assert_eq!(
        requests.len(),
        count,
        "expected {count} request(s), got [{}]",
        describe(&requests)
    );
}

/// The one request the server received (fails if there were more or none).
pub(crate) async fn single_request(server: &MockServer) -> Request {
    let mut requests = received(server).await;
    assert_eq!(
        requests.len(),
        1,
        "expected exactly one request, got [{}]",
        describe(&requests)
    );
    requests.remove(0)
}

/// A request header as text.
pub(crate) fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request
        .headers
        .get(name)
        .map(|v| v.to_str().expect("header is visible ASCII"))
}

/// Asserts method, raw encoded path and raw query of a received request.
pub(crate) fn assert_target(request: &Request, verb: &str, raw_path: &str, query: Option<&str>) {
    assert_eq!(request.method.as_str(), verb, "method of {}", request.url);
    assert_eq!(request.url.path(), raw_path, "raw path of {}", request.url);
    assert_eq!(request.url.query(), query, "raw query of {}", request.url);
    assert_eq!(request.url.fragment(), None, "fragment of {}", request.url);
}

/// Asserts the headers every request carries.
pub(crate) fn assert_sdk_headers(request: &Request) {
    assert_eq!(header(request, "x-api-key"), Some(KEY), "x-api-key");
    let version = env!("CARGO_PKG_VERSION");
    let agent = header(request, "user-agent").expect("a user-agent is sent");
    assert!(
        agent.starts_with("vortex-client/"),
        "user-agent {agent:?} names the crate"
    );
    assert_eq!(agent, format!("vortex-client/{version}"));
    assert_eq!(
        header(request, "x-vortex-sdk-name"),
        Some("vortex-client"),
        "x-vortex-sdk-name"
    );
    assert_eq!(
        header(request, "x-vortex-sdk-version"),
        Some(version),
        "x-vortex-sdk-version"
    );
    assert!(
        request.headers.get("authorization").is_none(),
        "no bearer token is sent upstream"
    );
}

/// Asserts a JSON body, and the JSON content type that goes with it.
pub(crate) fn assert_json_body(request: &Request, expected: &Value) {
    assert_eq!(
        header(request, "content-type"),
        Some("application/json"),
        "content-type of a request with a body"
    );
    let body: Value = serde_json::from_slice(&request.body).unwrap_or_else(|e| {
        panic!(
            "body is not JSON ({e}): {:?}",
            String::from_utf8_lossy(&request.body)
        )
    });
    assert_eq!(&body, expected, "request body");
}

/// Asserts an empty body and no content type.
pub(crate) fn assert_no_body(request: &Request) {
    assert!(
        request.body.is_empty(),
        "expected no body, got {:?}",
        String::from_utf8_lossy(&request.body)
    );
    assert_eq!(
        header(request, "content-type"),
        None,
        "content-type without a body"
    );
}

/// A complete `InvitationResult` as the upstream sends it, plus one field this crate does not
/// know.
pub(crate) fn invitation_json(id: &str) -> Value {
    json!({
        "id": id,
        "accountId": "acc-1",
        "clickThroughs": 3,
        "formSubmissionData": {"company": "Acme"},
        "configurationAttributes": null,
        "attributes": {"plan": "pro"},
        "createdAt": "2026-01-02T03:04:05.000Z",
        "deactivated": false,
        "deliveryCount": 2,
        "deliveryTypes": ["email", "share"],
        "foreignCreatorId": "user-1",
        "invitationType": "single_use",
        "modifiedAt": null,
        "status": "delivered",
        "views": 7,
        "widgetConfigurationId": "wc-1",
        "groups": [{
            "id": "g-1", "accountId": "acc-1", "groupId": "team-1", "type": "team",
            "name": "Team One", "createdAt": "2026-01-01T00:00:00.000Z"
        }],
        "accepts": [{
            "id": "acc-x", "accountId": "acc-1", "acceptedAt": "2026-01-03T00:00:00.000Z",
            "target": {"type": "email", "value": "ada@example.com"}
        }],
        "expired": false,
        "expires": "2026-02-02T03:04:05.000Z",
        "source": "api",
        "subtype": null,
        "creatorName": "Grace",
        "creatorAvatarUrl": null,
        "target": [{"type": "email", "value": "ada@example.com", "name": "Ada", "avatarUrl": null}],
        "metadata": {"ref": 42},
        "futureField": {"nested": true}
    })
}

/// A list item (`InvitationResultBase`): an invitation without `target`.
pub(crate) fn list_item_json(id: &str) -> Value {
    let mut item = invitation_json(id);
    item.as_object_mut()
        .expect("object")
        .remove("target")
        .expect("fixture has a target");
    item
}

/// Asserts that `invitation` is [`invitation_json`] (or [`list_item_json`] when
/// `with_target` is false) decoded.
pub(crate) fn assert_fixture_invitation(invitation: &Invitation, id: &str, with_target: bool) {
    assert_eq!(invitation.id, id);
    assert_eq!(invitation.account_id, "acc-1");
    assert_eq!(invitation.click_throughs, 3);
    assert_eq!(
        invitation.form_submission_data,
        Some(json!({"company": "Acme"}))
    );
    assert_eq!(invitation.configuration_attributes, None);
    assert_eq!(invitation.attributes, Some(json!({"plan": "pro"})));
    assert_eq!(
        invitation.created_at.as_deref(),
        Some("2026-01-02T03:04:05.000Z")
    );
    assert!(!invitation.deactivated);
    assert_eq!(invitation.delivery_count, 2);
    assert_eq!(
        invitation.delivery_types,
        [DeliveryType::Email, DeliveryType::Share]
    );
    assert_eq!(invitation.foreign_creator_id.as_deref(), Some("user-1"));
    assert_eq!(invitation.invitation_type, Some(InvitationType::SingleUse));
    assert_eq!(invitation.modified_at, None);
    assert_eq!(invitation.status, Some(InvitationStatus::Delivered));
    assert_eq!(invitation.views, 7);
    assert_eq!(invitation.widget_configuration_id.as_deref(), Some("wc-1"));
    let scopes = invitation.scopes();
    assert_eq!(scopes.len(), 1);
    assert_eq!(scopes[0].id, "g-1");
    assert_eq!(scopes[0].account_id, "acc-1");
    assert_eq!(scopes[0].group_id, "team-1");
    assert_eq!(scopes[0].scope_type, "team");
    assert_eq!(scopes[0].name, "Team One");
    assert_eq!(invitation.accepts.len(), 1);
    assert_eq!(invitation.accepts[0].id, "acc-x");
    assert_eq!(
        invitation.accepts[0].accepted_at.as_deref(),
        Some("2026-01-03T00:00:00.000Z")
    );
    let accepted_by = invitation.accepts[0]
        .target
        .as_ref()
        .expect("acceptance target");
    assert_eq!(accepted_by.target_type, Some(DeliveryType::Email));
    assert_eq!(accepted_by.value, "ada@example.com");
    assert!(!invitation.expired);
    assert_eq!(
        invitation.expires.as_deref(),
        Some("2026-02-02T03:04:05.000Z")
    );
    assert_eq!(invitation.source.as_deref(), Some("api"));
    assert_eq!(invitation.subtype, None);
    assert_eq!(invitation.creator_name.as_deref(), Some("Grace"));
    assert_eq!(invitation.creator_avatar_url, None);
    if with_target {
        assert_eq!(invitation.target.len(), 1);
        let target = &invitation.target[0];
        assert_eq!(target.target_type, Some(DeliveryType::Email));
        assert_eq!(target.value, "ada@example.com");
        assert_eq!(target.name.as_deref(), Some("Ada"));
        assert_eq!(target.avatar_url, None);
    } else {
        assert!(invitation.target.is_empty());
    }
    assert_eq!(invitation.metadata, Some(json!({"ref": 42})));
    assert_eq!(
        invitation.extra.get("futureField"),
        Some(&json!({"nested": true})),
        "unknown fields are kept in `extra`"
    );
}
