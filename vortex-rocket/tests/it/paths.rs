//! Percent-encoded path segments reach the core, then the upstream, exactly as sent.

use serde_json::json;
use vortex_mock::MockServer;

use crate::support::{Answer, app, as_user, client};

/// (as sent, decoded id)
/// `%25…` ids would differ if anything decoded the path twice.
const IDS: [(&str, &str); 9] = [
    ("a%2Fb", "a/b"),
    ("a%3Fb", "a?b"),
    ("a%23b", "a#b"),
    ("a%25b", "a%b"),
    ("a%2541", "a%41"),
    ("a%252Fb", "a%2Fb"),
    ("a%20b", "a b"),
    ("%C3%A9", "é"),
    ("..%2Fx", "../x"),
];

#[rocket::async_test]
async fn encoded_ids_are_one_segment_end_to_end() {
    let mock = MockServer::start().await;
    let client = client(app(&mock)).await;
    for (sent, id) in IDS {
        mock.seed_invitation(json!({ "id": id })).unwrap();
        mock.clear_requests();
        let answer = Answer::of(
            client
                .get(format!("/api/vortex/invitations/{sent}"))
                .header(as_user("ada"))
                .dispatch()
                .await,
        )
        .await;
        assert_eq!(answer.status, 200, "{sent}: {:?}", answer.body);
        assert_eq!(answer.body["id"], id, "{sent}");
        let requests = mock.requests();
        assert_eq!(requests.len(), 1, "{sent}");
        assert_eq!(requests[0].path, format!("/api/v1/invitations/{sent}"));
    }
}

#[rocket::async_test]
async fn encoded_scope_segments_stay_in_place() {
    let mock = MockServer::start().await;
    let client = client(app(&mock)).await;
    let answer = Answer::of(
        client
            .get("/api/vortex/invitations/by-group/team%20x/a%2Fb%3Fc%23d%25")
            .header(as_user("ada"))
            .dispatch()
            .await,
    )
    .await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    let requests = mock.requests();
    assert_eq!(
        requests[0].path,
        "/api/v1/invitations/by-scope/team%20x/a%2Fb%3Fc%23d%25"
    );
}

#[rocket::async_test]
async fn dot_segments_are_refused_not_resolved() {
    let mock = MockServer::start().await;
    let client = client(app(&mock)).await;
    for sent in ["%2E%2E", "%2e", ".."] {
        let answer = Answer::of(
            client
                .delete(format!("/api/vortex/invitations/{sent}"))
                .header(as_user("admin"))
                .dispatch()
                .await,
        )
        .await;
        answer.assert_error(400, "invitationId must not be `.` or `..`");
    }
    // `..` between segments is not resolved by Rocket either: it is a 404 under the mount.
    let climbing = Answer::of(
        client
            .get("/api/vortex/invitations/../jwt")
            .header(as_user("ada"))
            .dispatch()
            .await,
    )
    .await;
    climbing.assert_error(404, "Not found");
    // Empty segments are not squeezed out, though Rocket's router ignores them.
    let doubled = Answer::of(
        client
            .post("/api/vortex//jwt")
            .header(as_user("ada"))
            .dispatch()
            .await,
    )
    .await;
    doubled.assert_error(404, "Not found");
    let squeezed_base = Answer::of(
        client
            .post("/api//vortex/jwt")
            .header(as_user("ada"))
            .dispatch()
            .await,
    )
    .await;
    assert_eq!(squeezed_base.status, 200, "{:?}", squeezed_base.body);
    assert!(mock.requests().is_empty());
}
