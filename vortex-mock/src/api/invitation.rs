//! The stored shape of an invitation: a JSON object with the upstream's fields in the
//! upstream's order, kept as JSON so seeded extra fields survive.

use serde_json::{Map, Value, json};

use crate::api::clock::{DAY_MS, format_iso};

/// An invitation as stored and served.
pub(crate) type Invitation = Map<String, Value>;

/// How long a new invitation is valid.
const VALIDITY_DAYS: i64 = 30;

/// Every field of an invitation, in the upstream's order, with neutral values: a queued,
/// single-use invitation with no target, group or acceptance, expiring 30 days after
/// `created_ms`.
pub(crate) fn template(id: &str, account_id: &str, created_ms: i64) -> Invitation {
    let json = json!({
        "id": id,
        "accountId": account_id,
        "clickThroughs": 0,
        "formSubmissionData": null,
        "configurationAttributes": null,
        "attributes": null,
        "createdAt": format_iso(created_ms),
        "deactivated": false,
        "deliveryCount": 0,
        "deliveryTypes": [],
        "foreignCreatorId": "",
        "invitationType": "single_use",
        "modifiedAt": null,
        "status": "queued",
        "views": 0,
        "widgetConfigurationId": "",
        "groups": [],
        "accepts": [],
        "expired": false,
        "expires": format_iso(created_ms + VALIDITY_DAYS * DAY_MS),
        "source": null,
        "subtype": null,
        "creatorName": null,
        "creatorAvatarUrl": null,
        "target": [],
        "metadata": null,
    });
    match json {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// A group (scope) record as the upstream stores it.
pub(crate) fn group(
    id: &str,
    account_id: &str,
    group_type: &str,
    group_id: &str,
    name: Option<&str>,
    created_at: &str,
) -> Value {
    json!({
        "id": id,
        "accountId": account_id,
        "groupId": group_id,
        "type": group_type,
        // The upstream types `name` as a string (the official Rust SDK fails on `null`): a
        // scope created without a name is named after its id.
        "name": name.unwrap_or(group_id),
        "createdAt": created_at,
    })
}

/// A string field of an invitation.
pub(crate) fn str_field<'a>(invitation: &'a Invitation, key: &str) -> Option<&'a str> {
    invitation.get(key).and_then(Value::as_str)
}

/// The id of an invitation (`""` for a malformed seed, which cannot happen after seeding).
pub(crate) fn id(invitation: &Invitation) -> &str {
    str_field(invitation, "id").unwrap_or_default()
}

fn array<'a>(invitation: &'a Invitation, key: &str) -> &'a [Value] {
    invitation
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The `(type, value)` of each target of the invitation (those with both as strings).
pub(crate) fn targets(invitation: &Invitation) -> impl Iterator<Item = (&str, &str)> {
    pairs(invitation, "target", "value")
}

/// The `(type, groupId)` of each scope (group) of the invitation (those with both as
/// strings).
pub(crate) fn scopes(invitation: &Invitation) -> impl Iterator<Item = (&str, &str)> {
    pairs(invitation, "groups", "groupId")
}

/// `(type, <id_key>)` of each object of the array field `key` that has both as strings.
fn pairs<'a>(
    invitation: &'a Invitation,
    key: &str,
    id_key: &'a str,
) -> impl Iterator<Item = (&'a str, &'a str)> {
    array(invitation, key).iter().filter_map(move |item| {
        let kind = item.get("type").and_then(Value::as_str)?;
        item.get(id_key)
            .and_then(Value::as_str)
            .map(|id| (kind, id))
    })
}

/// Whether any target of the invitation has `value`, whatever its type.
pub(crate) fn has_target_value(invitation: &Invitation, value: &str) -> bool {
    array(invitation, "target")
        .iter()
        .any(|target| target.get("value").and_then(Value::as_str) == Some(value))
}

/// Whether `deliveryTypes` contains `delivery_type`.
pub(crate) fn has_delivery_type(invitation: &Invitation, delivery_type: &str) -> bool {
    array(invitation, "deliveryTypes")
        .iter()
        .any(|t| t.as_str() == Some(delivery_type))
}

/// Whether the invitation was revoked.
pub(crate) fn is_deactivated(invitation: &Invitation) -> bool {
    invitation.get("deactivated").and_then(Value::as_bool) == Some(true)
}

/// Appends `value` to the array field `key` (making it an array if a seed left it
/// something else).
pub(crate) fn push(invitation: &mut Invitation, key: &str, value: Value) {
    match invitation.get_mut(key) {
        Some(Value::Array(items)) => items.push(value),
        _ => {
            invitation.insert(key.to_owned(), Value::Array(vec![value]));
        }
    }
}

/// Marks a change made at `now`.
pub(crate) fn touch(invitation: &mut Invitation, now: &str) {
    invitation.insert("modifiedAt".to_owned(), Value::from(now));
}
