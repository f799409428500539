//! The invitation transform of the official Node SDK: every scope gets `scopeId` (a copy of
//! `groupId`) and the invitation gets `scopes`, a copy of `groups`. Key order is kept.

use serde_json::Value;

/// Applies the Node transform to one invitation, in place.
///
/// `groups` keeps its position; each group gets `scopeId` (last, or replaced in place) and
/// `scopes` is appended (or replaced in place). Anything that is not an object with a
/// `groups` array is left as it is.
///
/// ```
/// use serde_json::json;
/// use vortex_routes::transform_invitation;
///
/// let mut invitation = json!({"id": "i1", "groups": [{"groupId": "team-1", "type": "team"}], "status": "queued"});
/// transform_invitation(&mut invitation);
/// assert_eq!(
///     serde_json::to_string(&invitation)?,
///     r#"{"id":"i1","groups":[{"groupId":"team-1","type":"team","scopeId":"team-1"}],"status":"queued","scopes":[{"groupId":"team-1","type":"team","scopeId":"team-1"}]}"#
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn transform_invitation(invitation: &mut Value) {
    let Some(object) = invitation.as_object_mut() else {
        return;
    };
    let Some(Value::Array(groups)) = object.get_mut("groups") else {
        return;
    };
    groups.iter_mut().for_each(add_scope_id);
    let scopes = Value::Array(groups.clone());
    object.insert("scopes".into(), scopes);
}

/// Applies [`transform_invitation`] to each element of an array.
pub fn transform_invitations(invitations: &mut Value) {
    if let Value::Array(items) = invitations {
        items.iter_mut().for_each(transform_invitation);
    }
}

fn add_scope_id(group: &mut Value) {
    let Value::Object(group) = group else {
        return;
    };
    match group.get("groupId").cloned() {
        Some(id) => {
            group.insert("scopeId".into(), id);
        }
        // `{...g, scopeId: g.groupId}` with no groupId writes `scopeId: undefined`, which
        // JSON drops.
        None => {
            group.shift_remove("scopeId");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn existing_keys_keep_their_position() {
        let mut inv =
            json!({"scopes": [], "groups": [{"scopeId": "old", "groupId": "g"}], "id": "i"});
        transform_invitation(&mut inv);
        assert_eq!(
            serde_json::to_string(&inv).unwrap(),
            r#"{"scopes":[{"scopeId":"g","groupId":"g"}],"groups":[{"scopeId":"g","groupId":"g"}],"id":"i"}"#
        );
    }

    #[test]
    fn leaves_other_shapes_alone() {
        for mut value in [
            json!({"id": "i"}),
            json!({"groups": null}),
            json!([1]),
            json!("x"),
        ] {
            let before = value.clone();
            transform_invitation(&mut value);
            assert_eq!(value, before);
        }
        let mut missing_group_id = json!({"groups": [{"type": "team"}, 3]});
        transform_invitation(&mut missing_group_id);
        assert_eq!(missing_group_id["scopes"], json!([{"type": "team"}, 3]));
    }
}
