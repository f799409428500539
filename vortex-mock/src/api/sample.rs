//! Sample webhook events, for exercising a webhook handler without the whole mock
//! (`vortex-mock send`).

use serde_json::{Map, Value, json};

use crate::api::ids::Ids;
use crate::api::input::{AcceptInput, CreateInput};
use crate::api::store::{Identity, Store};

/// The invitation every sample event is about: an e-mail invitation to a team.
fn create_input() -> CreateInput {
    let body = json!({
        "widgetConfigurationId": "component-1",
        "target": {"type": "email", "value": "ada@example.com"},
        "inviter": {"userId": "user-1", "name": "Grace", "userEmail": "grace@example.com"},
        "groups": [{"type": "team", "groupId": "team-1", "name": "Team 1"}],
    });
    CreateInput::parse(object(&body)).expect("the sample invitation is valid")
}

fn object(value: &Value) -> &Map<String, Value> {
    value.as_object().expect("a JSON object literal")
}

/// A webhook event of `event_type`, as the mock delivers it: the official envelope
/// `{"id","type","timestamp","accountId","environmentId","sourceTable","operation","data"}`,
/// with a fresh random `id` and the current time as `timestamp`.
///
/// The `invitation.*` types carry a realistic invitation in `data`, produced by the mock's
/// own store: `invitation.created` a new e-mail invitation to a team, `invitation.accepted`
/// the same invitation accepted by its invitee, `invitation.deactivated` revoked,
/// `invitation.reminder.sent` sent again, and the other `invitation.*` types (e-mail and
/// link events) the new invitation. Any other type gets the envelope with `data: {}` (and
/// `sourceTable` named after the type's first part, a guess: the mock does not model them).
///
/// ```
/// let event = vortex_mock::sample_event("invitation.accepted");
/// assert_eq!(event["type"], "invitation.accepted");
/// assert_eq!(event["data"]["status"], "accepted");
/// assert_eq!(event["data"]["accepts"][0]["target"]["value"], "ada@example.com");
/// assert_eq!(vortex_mock::sample_event("member.created")["data"], serde_json::json!({}));
/// ```
pub fn sample_event(event_type: &str) -> Value {
    let mut ids = Ids::new(None);
    let identity = Identity {
        account_id: ids.uuid(),
        environment_id: ids.uuid(),
    };
    let mut store = Store::new(identity, None);
    let (created, mut events) = store.create(&create_input());
    let id = created["id"].as_str().unwrap_or_default().to_owned();
    let changed = match event_type {
        "invitation.created" => Ok(Vec::new()),
        "invitation.accepted" => {
            let body =
                json!({"invitationIds": [id], "user": {"email": "ada@example.com", "name": "Ada"}});
            let accept = AcceptInput::parse(object(&body)).expect("the sample acceptance is valid");
            store.accept(&accept).map(|(_, events)| events)
        }
        "invitation.deactivated" => store.revoke(&id),
        "invitation.reminder.sent" => store.reinvite(&id).map(|(_, events)| events),
        _ => Ok(Vec::new()),
    };
    events.extend(changed.unwrap_or_default());
    let mut event = events.pop().unwrap_or(Value::Null);
    event["type"] = event_type.into();
    if !event_type.starts_with("invitation.") {
        let table = event_type.split('.').next().unwrap_or_default();
        event["sourceTable"] = format!("{table}s").into();
        event["data"] = json!({});
    } else if !matches!(
        event_type,
        "invitation.created"
            | "invitation.accepted"
            | "invitation.deactivated"
            | "invitation.reminder.sent"
    ) {
        event["operation"] = "update".into();
    }
    event
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_invitation_event_carries_the_invitation() {
        for (event_type, operation, status, deactivated) in [
            ("invitation.created", "insert", "queued", false),
            ("invitation.accepted", "update", "accepted", false),
            ("invitation.deactivated", "update", "queued", true),
            ("invitation.reminder.sent", "update", "queued", false),
            ("invitation.email.opened", "update", "queued", false),
        ] {
            let event = sample_event(event_type);
            assert_eq!(event["type"], event_type);
            assert_eq!(event["operation"], operation, "{event_type}");
            assert_eq!(event["sourceTable"], "invitations");
            assert_eq!(event["data"]["status"], status, "{event_type}");
            assert_eq!(event["data"]["deactivated"], deactivated, "{event_type}");
            assert_eq!(event["data"]["groups"][0]["groupId"], "team-1");
            assert_eq!(event["data"]["target"][0]["value"], "ada@example.com");
            assert_eq!(event["id"].as_str().map(str::len), Some(36));
        }
        assert_eq!(
            sample_event("invitation.reminder.sent")["data"]["deliveryCount"],
            2
        );
    }

    #[test]
    fn ids_are_fresh_and_timestamps_current() {
        let (a, b) = (
            sample_event("invitation.created"),
            sample_event("invitation.created"),
        );
        assert_ne!(a["id"], b["id"]);
        let timestamp = a["timestamp"].as_str().unwrap();
        assert!(
            timestamp.starts_with("20") && timestamp.ends_with('Z'),
            "{timestamp}"
        );
        assert_eq!(
            sample_event("deployment.created")["sourceTable"],
            "deployments"
        );
    }
}
