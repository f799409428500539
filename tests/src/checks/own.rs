//! The ready-made `OwnInvitations` policy (behind `AdminScopeOr`), decided on the invitation
//! itself: a regular user views and accepts only invitations sent to their own e-mail
//! address or shared with anyone.

use serde_json::{Value, json};

use super::{Failures, request, send, with_body};
use crate::app::{Framework, MOUNT};
use crate::env::{Env, EnvOptions, admin, regular};
use vortex_routes::{AdminScopeOr, OwnInvitations, Policy};

/// Sent to the regular user (`ada@example.com`, in another case).
const ADAS: &str = "inv-ada";
/// Sent to someone else.
const BOBS: &str = "inv-bob";
/// A share link meant for anyone.
const SHARED: &str = "inv-shared";

fn seeds() -> Vec<Value> {
    vec![
        json!({"id": ADAS, "status": "delivered", "deliveryTypes": ["email"],
               "target": [{"type": "email", "value": "Ada@Example.com"}]}),
        json!({"id": BOBS, "status": "delivered", "deliveryTypes": ["email"],
               "target": [{"type": "email", "value": "bob@example.com"}]}),
        json!({"id": SHARED, "status": "delivered", "deliveryTypes": ["share"],
               "target": [{"type": "share", "value": "https://example.com/i/abc"}]}),
    ]
}

/// `GET /invitations/{id}` and `POST /invitations/accept` as a regular user: 403 for
/// someone else's invitation (and nothing accepted), 200 for their own and for a share link;
/// an admin may do both with anyone's.
///
/// # Panics
///
/// On any failure, naming the framework and the case.
pub async fn own_invitations<F: Framework>() {
    let env = Env::<F>::start(EnvOptions {
        seeds: seeds(),
        policy: Some(Policy::new(AdminScopeOr::new("autojoin", OwnInvitations))),
        ..EnvOptions::default()
    })
    .await;
    let mut failures = Failures::default();
    let ada = regular();
    let get = |id: &str, user| request("GET", &format!("{MOUNT}/invitations/{id}"), Some(user));
    let accept = |ids: &[&str], user| {
        let body = json!({"invitationIds": ids, "user": {"email": "ada@example.com"}});
        with_body(
            request("POST", &format!("{MOUNT}/invitations/accept"), Some(user)),
            body.to_string(),
        )
    };
    let admin = admin();
    let cases = [
        ("own: view someone else's", get(BOBS, &ada), 403),
        ("own: view one's own", get(ADAS, &ada), 200),
        ("own: view a share link", get(SHARED, &ada), 200),
        ("own: admin views anyone's", get(BOBS, &admin), 200),
        ("own: accept someone else's", accept(&[BOBS], &ada), 403),
        (
            "own: accept one's own and someone else's",
            accept(&[ADAS, BOBS], &ada),
            403,
        ),
        ("own: accept one's own", accept(&[ADAS], &ada), 200),
        ("own: accept a share link", accept(&[SHARED], &ada), 200),
    ];
    for (case, req, status) in cases {
        if let Some(answer) = send(&env, &mut failures, case, &req).await {
            let error = answer.json().and_then(|body| body.get("error").cloned());
            failures.ensure::<F>(
                answer.status == status && (status == 200 || error.is_some()),
                case,
                || format!("expected {status}, got {} {}", answer.status, answer.text()),
            );
        }
    }
    let status = |id: &str| {
        env.mock
            .invitation(id)
            .and_then(|invitation| invitation.get("status").cloned())
    };
    failures.ensure::<F>(
        status(BOBS) == Some(json!("delivered")),
        "own: a refused accept accepts nothing",
        || format!("{BOBS} has status {:?}", status(BOBS)),
    );
    failures.finish("own_invitations");
}
