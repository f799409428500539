//! Ids reach the upstream as exactly one percent-encoded path segment; ids that would be a
//! dot-segment or empty are refused before anything is sent.

use serde_json::json;
use vortex_client::{Error, VortexClient};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer};

use crate::support::{
    assert_request_count, assert_target, client, describe, json_answer, mount, received,
    single_request, start_server,
};

/// Ids and the one segment each must become.
const TRICKY_IDS: [(&str, &str); 8] = [
    ("a/b?c", "a%2Fb%3Fc"),
    ("../x", "..%2Fx"),
    ("é t", "%C3%A9%20t"),
    ("50%", "50%25"),
    ("#frag", "%23frag"),
    ("a/b?c=1#frag", "a%2Fb%3Fc%3D1%23frag"),
    ("...", "..."),
    ("A-z.0_9~", "A-z.0_9~"),
];

/// Ids that must be refused.
const REFUSED_IDS: [&str; 3] = ["", ".", ".."];

/// A server answering every request with a JSON object every typed method can decode.
async fn permissive_server() -> MockServer {
    let server = start_server().await;
    Mock::given(any())
        .respond_with(json_answer(&json!({"invitations": []})))
        .named("any request: 200 {\"invitations\":[]}")
        .mount(&server)
        .await;
    server
}

/// Calls every typed endpoint that takes an invitation id, in order: GET, DELETE, reinvite.
async fn call_invitation_id_endpoints(client: &VortexClient, id: &str) -> Vec<Error> {
    let mut errors = Vec::new();
    errors.extend(client.get_invitation(id).await.err());
    errors.extend(client.revoke_invitation(id).await.err());
    errors.extend(client.reinvite(id).await.err());
    errors.extend(client.raw().get_invitation(id).await.err());
    errors.extend(client.raw().revoke_invitation(id).await.err());
    errors.extend(client.raw().reinvite(id).await.err());
    errors
}

/// Calls every typed and raw endpoint that takes two path parameters, in order.
async fn call_two_segment_endpoints(
    client: &VortexClient,
    first: &str,
    second: &str,
) -> Vec<Error> {
    let raw = client.raw();
    let mut errors = Vec::new();
    errors.extend(client.get_invitations_by_scope(first, second).await.err());
    errors.extend(
        client
            .delete_invitations_by_scope(first, second)
            .await
            .err(),
    );
    errors.extend(client.get_invitations_by_group(first, second).await.err());
    errors.extend(
        client
            .delete_invitations_by_group(first, second)
            .await
            .err(),
    );
    errors.extend(client.get_autojoin_domains(first, second).await.err());
    errors.extend(raw.get_invitations_by_scope(first, second).await.err());
    errors.extend(raw.delete_invitations_by_scope(first, second).await.err());
    errors.extend(raw.get_invitations_by_group(first, second).await.err());
    errors.extend(raw.delete_invitations_by_group(first, second).await.err());
    errors.extend(raw.get_autojoin_domains(first, second).await.err());
    errors
}

#[tokio::test]
async fn invitation_ids_are_sent_as_one_encoded_segment() {
    for (id, segment) in TRICKY_IDS {
        let server = permissive_server().await;
        let client = client(&server);

        let errors = call_invitation_id_endpoints(&client, id).await;
        assert!(errors.is_empty(), "id {id:?}: {errors:?}");

        let requests = received(&server).await;
        let expected = [
            ("GET", format!("/api/v1/invitations/{segment}")),
            ("DELETE", format!("/api/v1/invitations/{segment}")),
            ("POST", format!("/api/v1/invitations/{segment}/reinvite")),
        ];
        assert_eq!(requests.len(), 6, "id {id:?}: [{}]", describe(&requests));
        for (request, (verb, raw_path)) in requests.iter().zip(expected.iter().cycle()) {
            assert_target(request, verb, raw_path, None);
        }
    }
}

#[tokio::test]
async fn scope_and_group_parameters_are_each_sent_as_one_encoded_segment() {
    for (id, segment) in TRICKY_IDS {
        let server = permissive_server().await;
        let client = client(&server);

        // The tricky value as the type, then as the id.
        let mut errors = call_two_segment_endpoints(&client, id, "team-1").await;
        errors.extend(call_two_segment_endpoints(&client, "team", id).await);
        assert!(errors.is_empty(), "id {id:?}: {errors:?}");

        let expected_for = |first: &str, second: &str| {
            [
                (
                    "GET",
                    format!("/api/v1/invitations/by-scope/{first}/{second}"),
                ),
                (
                    "DELETE",
                    format!("/api/v1/invitations/by-scope/{first}/{second}"),
                ),
                (
                    "GET",
                    format!("/api/v1/invitations/by-group/{first}/{second}"),
                ),
                (
                    "DELETE",
                    format!("/api/v1/invitations/by-group/{first}/{second}"),
                ),
                (
                    "GET",
                    format!("/api/v1/invitations/by-scope/{first}/{second}/autojoin"),
                ),
            ]
        };
        let as_type = expected_for(segment, "team-1");
        let as_id = expected_for("team", segment);
        let expected: Vec<&(&str, String)> = as_type
            .iter()
            .chain(as_type.iter())
            .chain(as_id.iter())
            .chain(as_id.iter())
            .collect();

        let requests = received(&server).await;
        assert_eq!(
            requests.len(),
            expected.len(),
            "id {id:?}: [{}]",
            describe(&requests)
        );
        for (request, (verb, raw_path)) in requests.iter().zip(expected) {
            assert_target(request, verb, raw_path, None);
        }
    }
}

#[tokio::test]
async fn an_id_with_slash_and_query_matches_only_its_own_encoded_path() {
    let server = start_server().await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations/a%2Fb%3Fc",
        json_answer(&crate::support::invitation_json("a/b?c")),
    )
    .await;

    let invitation = client(&server).get_invitation("a/b?c").await.unwrap();
    assert_eq!(invitation.id, "a/b?c");
    let request = single_request(&server).await;
    assert_target(&request, "GET", "/api/v1/invitations/a%2Fb%3Fc", None);
}

#[tokio::test]
async fn empty_dot_and_dot_dot_invitation_ids_are_refused_without_a_request() {
    let server = permissive_server().await;
    let client = client(&server);

    for id in REFUSED_IDS {
        let errors = call_invitation_id_endpoints(&client, id).await;
        assert_eq!(errors.len(), 6, "id {id:?}: every call fails");
        for error in errors {
            assert!(
                matches!(error, Error::InvalidInput(_)),
                "id {id:?}: {error:?}"
            );
        }
    }
    assert_request_count(&server, 0).await;
}

#[tokio::test]
async fn empty_dot_and_dot_dot_scope_and_group_parameters_are_refused_without_a_request() {
    let server = permissive_server().await;
    let client = client(&server);

    for id in REFUSED_IDS {
        let mut errors = call_two_segment_endpoints(&client, id, "team-1").await;
        errors.extend(call_two_segment_endpoints(&client, "team", id).await);
        assert_eq!(errors.len(), 20, "id {id:?}: every call fails");
        for error in errors {
            assert!(
                matches!(error, Error::InvalidInput(_)),
                "id {id:?}: {error:?}"
            );
        }
    }
    assert_request_count(&server, 0).await;
}

#[tokio::test]
async fn the_invalid_input_error_names_the_refused_id() {
    let server = permissive_server().await;

    let error = client(&server).get_invitation("..").await.unwrap_err();
    let text = error.to_string();
    assert!(text.starts_with("invalid input: "), "{text}");
    assert!(text.contains("\"..\""), "{text}");
    assert_request_count(&server, 0).await;
}
