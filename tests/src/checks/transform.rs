//! Invitations pass through with the upstream's key order plus the Node transform.
//!
//! The expected answer is computed here from the mock's stored JSON (which is what the mock
//! serves, keys in its order) with an independent implementation of the Node transform
//! (ref §1.9): each group gets `scopeId` (appended, or replaced in place; dropped when the
//! group has no `groupId`), `groups` keeps its position and `scopes` (a copy) is appended, or
//! replaced in place. Answers are compared as text, so key order counts.

use serde_json::{Map, Value, json};

use super::{Failures, request, send, with_body};
use crate::app::{Framework, MOUNT};
use crate::env::{Env, EnvOptions, admin};
use crate::table::group;

/// The Node transform of one invitation, written independently of `vortex-client`.
pub fn node_transform(invitation: &Value) -> Value {
    let Value::Object(object) = invitation else {
        return invitation.clone();
    };
    let mut object = object.clone();
    let Some(Value::Array(groups)) = object.get("groups") else {
        return Value::Object(object);
    };
    let mapped: Vec<Value> = groups
        .iter()
        .map(|item| match item {
            Value::Object(group) => {
                let mut group = group.clone();
                match group.get("groupId").cloned() {
                    Some(id) => {
                        group.insert("scopeId".into(), id);
                    }
                    None => {
                        group.shift_remove("scopeId");
                    }
                }
                Value::Object(group)
            }
            other => other.clone(),
        })
        .collect();
    object.insert("groups".into(), Value::Array(mapped.clone()));
    object.insert("scopes".into(), Value::Array(mapped));
    Value::Object(object)
}

fn seeds() -> Vec<Value> {
    vec![
        json!({
            "id": "inv-t1",
            "accountId": "acc-1",
            "status": "queued",
            "groups": [
                group("team", "team-1"),
                {"id": "g-2", "groupId": "org-9", "type": "org", "name": null, "scopeId": "stale", "extra": {"b": 1, "a": 2}}
            ],
            "target": [{"type": "email", "value": "ada@example.com", "name": null}],
            "futureField": {"z": [1, {"y": true, "x": null}], "a": "é \u{1F600} </script>"},
        }),
        json!({"id": "inv-t2", "target": [{"type": "email", "value": "ada@example.com"}]}),
        json!({
            "id": "inv-t3",
            "scopes": "old",
            "groups": [{"type": "team", "name": "no groupId", "scopeId": "dropped"}],
            "target": [{"type": "phone", "value": "+15551234567"}]
        }),
        json!({"id": "inv-t4", "groups": null, "zz": 1}),
    ]
}

/// The expected text of `invitation` after the transform.
fn expected_text(invitation: &Value) -> String {
    node_transform(invitation).to_string()
}

fn list_text(invitations: &[Value]) -> String {
    let list: Vec<Value> = invitations.iter().map(node_transform).collect();
    let mut object = Map::new();
    object.insert("invitations".into(), Value::Array(list));
    Value::Object(object).to_string()
}

/// Checks the transform and key order on every route that answers invitations.
///
/// # Panics
///
/// On any failure, naming the framework and the case.
pub async fn invitation_transform<F: Framework>() {
    let env = Env::<F>::start(EnvOptions {
        seeds: seeds(),
        ..EnvOptions::default()
    })
    .await;
    let user = admin();
    let mut failures = Failures::default();
    let stored = |id: &str| env.mock.invitation(id).unwrap_or(Value::Null);

    for id in ["inv-t1", "inv-t2", "inv-t3", "inv-t4"] {
        let case = format!("transform: GET /invitations/{id}");
        let req = request("GET", &format!("{MOUNT}/invitations/{id}"), Some(&user));
        if let Some(answer) = send(&env, &mut failures, &case, &req).await {
            let expected = expected_text(&stored(id));
            failures.ensure::<F>(
                answer.status == 200 && answer.text() == expected,
                &case,
                || {
                    format!(
                        "expected 200 {expected}\n      got {} {}",
                        answer.status,
                        answer.text()
                    )
                },
            );
        }
    }

    let case = "transform: GET /invitations by target (list)";
    let req = request(
        "GET",
        &format!("{MOUNT}/invitations?targetType=email&targetValue=ada%40example.com"),
        Some(&user),
    );
    if let Some(answer) = send(&env, &mut failures, case, &req).await {
        let expected = list_text(&[stored("inv-t1"), stored("inv-t2")]);
        failures.ensure::<F>(
            answer.status == 200 && answer.text() == expected,
            case,
            || {
                format!(
                    "expected 200 {expected}\n      got {} {}",
                    answer.status,
                    answer.text()
                )
            },
        );
    }

    let case = "transform: GET by-group (list)";
    let req = request(
        "GET",
        &format!("{MOUNT}/invitations/by-group/team/team-1"),
        Some(&user),
    );
    if let Some(answer) = send(&env, &mut failures, case, &req).await {
        let expected = list_text(&[stored("inv-t1")]);
        failures.ensure::<F>(
            answer.status == 200 && answer.text() == expected,
            case,
            || {
                format!(
                    "expected 200 {expected}\n      got {} {}",
                    answer.status,
                    answer.text()
                )
            },
        );
    }

    let case = "transform: POST reinvite";
    let req = request(
        "POST",
        &format!("{MOUNT}/invitations/inv-t1/reinvite"),
        Some(&user),
    );
    if let Some(answer) = send(&env, &mut failures, case, &req).await {
        let expected = expected_text(&stored("inv-t1"));
        failures.ensure::<F>(
            answer.status == 200 && answer.text() == expected,
            case,
            || {
                format!(
                    "expected 200 {expected}\n      got {} {}",
                    answer.status,
                    answer.text()
                )
            },
        );
    }

    let case = "transform: POST accept";
    let req = with_body(
        request("POST", &format!("{MOUNT}/invitations/accept"), Some(&user)),
        json!({"invitationIds": ["inv-t3"], "user": {"phone": "+15551234567"}}).to_string(),
    );
    if let Some(answer) = send(&env, &mut failures, case, &req).await {
        let expected = expected_text(&stored("inv-t3"));
        failures.ensure::<F>(
            answer.status == 200 && answer.text() == expected,
            case,
            || {
                format!(
                    "expected 200 {expected}\n      got {} {}",
                    answer.status,
                    answer.text()
                )
            },
        );
    }

    // The key order itself, spelled out for the richest invitation.
    let case = "transform: scopeId and scopes are the last keys";
    let req = request("GET", &format!("{MOUNT}/invitations/inv-t1"), Some(&user));
    if let Some(answer) = send(&env, &mut failures, case, &req).await {
        let body = answer.json().unwrap_or(Value::Null);
        let keys: Vec<&String> = body
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        failures.ensure::<F>(keys.last().is_some_and(|k| *k == "scopes"), case, || {
            format!("`scopes` must be the last key, keys are {keys:?}")
        });
        let first_group_keys: Vec<&String> = body["groups"][0]
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        failures.ensure::<F>(
            first_group_keys
                == [
                    "id",
                    "accountId",
                    "groupId",
                    "type",
                    "name",
                    "createdAt",
                    "scopeId",
                ],
            case,
            || format!("group keys out of order: {first_group_keys:?}"),
        );
        failures.ensure::<F>(body["groups"][1]["scopeId"] == "org-9", case, || {
            "an existing scopeId must be replaced in place".into()
        });
    }
    failures.finish("invitation_transform");
}
