//! The imitated API's data: invitations and autojoin configurations, and every change the
//! API can make to them. Each change returns the webhook events the upstream
//! would send for it.

use serde_json::{Map, Value, json};

use crate::api::clock::{Clock, format_iso};
use crate::api::error::ApiError;
use crate::api::ids::Ids;
use crate::api::input::{AcceptInput, AutojoinInput, CreateInput, SyncAction, SyncInput};
use crate::api::invitation::{self, Invitation};

/// Where the short links of new invitations point (a reserved, never-resolving domain).
const SHORT_LINK_BASE: &str = "https://vortex-mock.invalid/i/";

/// A result and the webhook events of the change that produced it.
pub(crate) type Changed<T> = (T, Vec<Value>);

/// Ids that do not change on reset: the mock's account and environment.
#[derive(Debug, Clone)]
pub(crate) struct Identity {
    pub(crate) account_id: String,
    pub(crate) environment_id: String,
}

#[derive(Debug, Clone)]
struct AutojoinDomain {
    id: String,
    domain: String,
}

#[derive(Debug, Clone)]
struct AutojoinConfig {
    scope_type: String,
    scope: String,
    domains: Vec<AutojoinDomain>,
    invitation_id: Option<String>,
}

/// Invitations (in creation order) and autojoin configurations.
#[derive(Debug)]
pub(crate) struct Store {
    identity: Identity,
    ids: Ids,
    event_ids: Ids,
    clock: Clock,
    invitations: Vec<Invitation>,
    autojoin: Vec<AutojoinConfig>,
}

impl Store {
    /// An empty store. With a seed, ids and timestamps are reproducible.
    pub(crate) fn new(identity: Identity, seed: Option<u64>) -> Self {
        Self {
            identity,
            ids: Ids::new(seed),
            event_ids: Ids::new(seed.map(|s| s ^ 0x6576_656e_7473_0000)),
            clock: seed.map_or(Clock::System, |_| Clock::stepped()),
            invitations: Vec::new(),
            autojoin: Vec::new(),
        }
    }

    /// The instant of a new change, as ms and as ISO text.
    fn tick(&mut self) -> (i64, String) {
        let ms = self.clock.tick();
        (ms, format_iso(ms))
    }

    fn position(&self, id: &str) -> Option<usize> {
        self.invitations
            .iter()
            .position(|inv| invitation::id(inv) == id)
    }

    fn find_mut(&mut self, id: &str) -> Result<&mut Invitation, ApiError> {
        self.invitations
            .iter_mut()
            .find(|inv| invitation::id(inv) == id)
            .ok_or_else(|| ApiError::invitation_not_found(id))
    }

    /// The webhook event for a change to `invitation`.
    fn event(
        &mut self,
        event_type: &str,
        operation: &str,
        timestamp: &str,
        invitation: &Invitation,
    ) -> Value {
        json!({
            "id": self.event_ids.uuid(),
            "type": event_type,
            "timestamp": timestamp,
            "accountId": self.identity.account_id,
            "environmentId": self.identity.environment_id,
            "sourceTable": "invitations",
            "operation": operation,
            "data": invitation,
        })
    }

    /// Every invitation, in creation order.
    pub(crate) fn all(&self) -> Vec<Value> {
        self.invitations
            .iter()
            .cloned()
            .map(Value::Object)
            .collect()
    }

    /// One invitation.
    pub(crate) fn get(&self, id: &str) -> Option<Value> {
        self.position(id)
            .map(|i| Value::Object(self.invitations[i].clone()))
    }

    fn list(&self, keep: impl Fn(&Invitation) -> bool) -> Value {
        let items: Vec<Value> = self
            .invitations
            .iter()
            .filter(|inv| keep(inv))
            .cloned()
            .map(Value::Object)
            .collect();
        json!({ "invitations": items })
    }

    /// `{"invitations":[…]}` of the invitations with a target of that type and value.
    pub(crate) fn list_by_target(&self, target_type: &str, value: &str) -> Value {
        self.list(|inv| invitation::has_target(inv, target_type, value))
    }

    /// `{"invitations":[…]}` of the invitations in the scope.
    pub(crate) fn list_by_scope(&self, scope_type: &str, scope: &str) -> Value {
        self.list(|inv| invitation::has_group(inv, scope_type, scope))
    }

    /// Creates an invitation; answers `{"id","shortLink","status","createdAt"}`.
    pub(crate) fn create(&mut self, input: &CreateInput) -> Changed<Value> {
        let (ms, now) = self.tick();
        let id = self.ids.uuid();
        let account_id = self.identity.account_id.clone();
        let mut inv = invitation::template(&id, &account_id, ms);
        let internal = input.target.target_type == "internal";
        let (status, delivery_count) = if internal {
            ("delivered", 0)
        } else {
            ("queued", 1)
        };
        let groups: Vec<Value> = input
            .groups
            .iter()
            .map(|g| {
                invitation::group(
                    &self.ids.uuid(),
                    &account_id,
                    &g.group_type,
                    &g.group_id,
                    g.name.as_deref(),
                    &now,
                )
            })
            .collect();
        let mut target = Map::new();
        target.insert("type".into(), input.target.target_type.as_str().into());
        target.insert("value".into(), input.target.value.as_str().into());
        if let Some(name) = &input.target.name {
            target.insert("name".into(), name.as_str().into());
        }
        if let Some(avatar) = &input.target.avatar_url {
            target.insert("avatarUrl".into(), avatar.as_str().into());
        }
        let fields = [
            ("deliveryCount", json!(delivery_count)),
            ("deliveryTypes", json!([input.target.target_type])),
            ("foreignCreatorId", json!(input.inviter.user_id)),
            ("status", json!(status)),
            (
                "widgetConfigurationId",
                json!(input.widget_configuration_id),
            ),
            ("groups", Value::Array(groups)),
            ("source", json!(input.source)),
            ("subtype", json!(input.subtype)),
            ("creatorName", json!(input.inviter.name)),
            ("creatorAvatarUrl", json!(input.inviter.avatar_url)),
            ("target", json!([target])),
            ("metadata", input.metadata.clone().unwrap_or(Value::Null)),
        ];
        for (key, value) in fields {
            inv.insert(key.to_owned(), value);
        }
        let short_link = format!("{SHORT_LINK_BASE}{}", self.ids.code(10));
        let event = self.event("invitation.created", "insert", &now, &inv);
        self.invitations.push(inv);
        let answer = json!({
            "id": id,
            "shortLink": short_link,
            "status": status,
            "createdAt": now,
        });
        (answer, vec![event])
    }

    /// Revokes (deactivates) an invitation. It stays retrievable, with `deactivated: true`.
    pub(crate) fn revoke(&mut self, id: &str) -> Result<Vec<Value>, ApiError> {
        if invitation::is_deactivated(self.find_mut(id)?) {
            return Ok(Vec::new());
        }
        let (_, now) = self.tick();
        let inv = self.find_mut(id)?;
        inv.insert("deactivated".to_owned(), Value::Bool(true));
        invitation::touch(inv, &now);
        let inv = inv.clone();
        Ok(vec![self.event(
            "invitation.deactivated",
            "update",
            &now,
            &inv,
        )])
    }

    /// Deletes every invitation of the scope (they are gone afterwards: GET answers 404).
    pub(crate) fn delete_by_scope(&mut self, scope_type: &str, scope: &str) -> Vec<Value> {
        let (gone, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut self.invitations)
            .into_iter()
            .partition(|inv| invitation::has_group(inv, scope_type, scope));
        self.invitations = kept;
        if gone.is_empty() {
            return Vec::new();
        }
        let (_, now) = self.tick();
        gone.iter()
            .map(|inv| self.event("invitation.deactivated", "delete", &now, inv))
            .collect()
    }

    /// Sends an invitation again: `deliveryCount` + 1.
    pub(crate) fn reinvite(&mut self, id: &str) -> Result<Changed<Value>, ApiError> {
        self.find_mut(id)?;
        let (_, now) = self.tick();
        let inv = self.find_mut(id)?;
        let count = inv
            .get("deliveryCount")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        inv.insert("deliveryCount".to_owned(), json!(count.saturating_add(1)));
        invitation::touch(inv, &now);
        let inv = inv.clone();
        let event = self.event("invitation.reminder.sent", "update", &now, &inv);
        Ok((Value::Object(inv), vec![event]))
    }

    /// Accepts invitations (all ids must exist); answers the last accepted invitation.
    pub(crate) fn accept(&mut self, input: &AcceptInput) -> Result<Changed<Value>, ApiError> {
        if let Some(unknown) = input
            .invitation_ids
            .iter()
            .find(|id| self.position(id).is_none())
        {
            return Err(ApiError::invitation_not_found(unknown));
        }
        let (_, now) = self.tick();
        let mut events = Vec::new();
        let mut last = Value::Null;
        for id in &input.invitation_ids {
            let mut target = Map::new();
            target.insert("type".into(), input.target_type.into());
            target.insert("value".into(), input.value.as_str().into());
            if let Some(name) = &input.name {
                target.insert("name".into(), name.as_str().into());
            }
            let mut acceptance = Map::new();
            acceptance.insert("id".into(), self.ids.uuid().into());
            acceptance.insert("accountId".into(), self.identity.account_id.as_str().into());
            acceptance.insert("acceptedAt".into(), now.as_str().into());
            acceptance.insert("target".into(), Value::Object(target));
            if let Some(is_existing) = input.is_existing {
                acceptance.insert("isExisting".into(), is_existing.into());
            }
            let inv = self.find_mut(id)?;
            inv.insert("status".to_owned(), "accepted".into());
            invitation::push(inv, "accepts", Value::Object(acceptance));
            invitation::touch(inv, &now);
            let inv = inv.clone();
            events.push(self.event("invitation.accepted", "update", &now, &inv));
            last = Value::Object(inv);
        }
        Ok((last, events))
    }

    fn autojoin_answer(&self, config: Option<&AutojoinConfig>) -> Value {
        let domains: Vec<Value> = config
            .map(|c| c.domains.as_slice())
            .unwrap_or_default()
            .iter()
            .map(|d| json!({ "id": d.id, "domain": d.domain }))
            .collect();
        let invitation = config
            .and_then(|c| c.invitation_id.as_deref())
            .and_then(|id| self.get(id))
            .unwrap_or(Value::Null);
        json!({ "autojoinDomains": domains, "invitation": invitation })
    }

    /// `{"autojoinDomains":[…],"invitation":…}` of a scope (empty and `null` if none).
    pub(crate) fn autojoin(&self, scope_type: &str, scope: &str) -> Value {
        let config = self
            .autojoin
            .iter()
            .find(|c| c.scope_type == scope_type && c.scope == scope);
        self.autojoin_answer(config)
    }

    /// Sets the autojoin domains of a scope. Non-empty domains keep one `autojoin`
    /// invitation for the scope; an empty list clears the configuration and deactivates it.
    pub(crate) fn configure_autojoin(&mut self, input: &AutojoinInput) -> Changed<Value> {
        let (ms, now) = self.tick();
        let position = self
            .autojoin
            .iter()
            .position(|c| c.scope_type == input.scope_type && c.scope == input.scope);
        let mut config = match position {
            Some(i) => self.autojoin.remove(i),
            None => AutojoinConfig {
                scope_type: input.scope_type.clone(),
                scope: input.scope.clone(),
                domains: Vec::new(),
                invitation_id: None,
            },
        };
        let mut events = Vec::new();
        let current = config
            .invitation_id
            .clone()
            .filter(|id| self.get(id).is_some());

        if input.domains.is_empty() {
            if let Some(id) = current {
                let inv = self
                    .find_mut(&id)
                    .ok()
                    .filter(|inv| !invitation::is_deactivated(inv));
                if let Some(inv) = inv {
                    inv.insert("deactivated".to_owned(), Value::Bool(true));
                    invitation::touch(inv, &now);
                    let inv = inv.clone();
                    events.push(self.event("invitation.deactivated", "update", &now, &inv));
                }
            }
            return (self.autojoin_answer(None), events);
        }

        config.domains = input
            .domains
            .iter()
            .map(|domain| {
                let id = config
                    .domains
                    .iter()
                    .find(|d| &d.domain == domain)
                    .map_or_else(|| self.ids.uuid(), |d| d.id.clone());
                AutojoinDomain {
                    id,
                    domain: domain.clone(),
                }
            })
            .collect();

        let live = current.filter(|id| {
            self.position(id)
                .is_some_and(|i| !invitation::is_deactivated(&self.invitations[i]))
        });
        if let Some(id) = live {
            if let Ok(inv) = self.find_mut(&id) {
                inv.insert(
                    "widgetConfigurationId".to_owned(),
                    input.component_id.as_str().into(),
                );
                if let Some(metadata) = &input.metadata {
                    inv.insert("metadata".to_owned(), metadata.clone());
                }
                invitation::touch(inv, &now);
            }
        } else {
            let id = self.ids.uuid();
            let account_id = self.identity.account_id.clone();
            let mut inv = invitation::template(&id, &account_id, ms);
            let group = invitation::group(
                &self.ids.uuid(),
                &account_id,
                &input.scope_type,
                &input.scope,
                input.scope_name.as_deref(),
                &now,
            );
            let fields = [
                ("invitationType", json!("autojoin")),
                ("status", json!("shared")),
                ("widgetConfigurationId", json!(input.component_id)),
                ("groups", json!([group])),
                ("metadata", input.metadata.clone().unwrap_or(Value::Null)),
            ];
            for (key, value) in fields {
                inv.insert(key.to_owned(), value);
            }
            events.push(self.event("invitation.created", "insert", &now, &inv));
            self.invitations.push(inv);
            config.invitation_id = Some(id);
        }
        let answer = self.autojoin_answer(Some(&config));
        self.autojoin.push(config);
        (answer, events)
    }

    /// Accepts or declines the open internal invitations of a creator to a target value.
    pub(crate) fn sync_internal(&mut self, input: &SyncInput) -> Changed<Value> {
        let matching: Vec<usize> = self
            .invitations
            .iter()
            .enumerate()
            .filter(|(_, inv)| {
                invitation::has_delivery_type(inv, "internal")
                    && invitation::str_field(inv, "foreignCreatorId")
                        == Some(input.creator_id.as_str())
                    && invitation::has_target_value(inv, &input.target_value)
                    && invitation::str_field(inv, "status") != Some("accepted")
                    && !invitation::is_deactivated(inv)
            })
            .map(|(i, _)| i)
            .collect();
        let mut events = Vec::new();
        let mut ids = Vec::new();
        if !matching.is_empty() {
            let (_, now) = self.tick();
            for i in matching {
                let acceptance_id = self.ids.uuid();
                let account_id = self.identity.account_id.clone();
                let inv = &mut self.invitations[i];
                let event_type = match input.action {
                    SyncAction::Accepted => {
                        inv.insert("status".to_owned(), "accepted".into());
                        let acceptance = json!({
                            "id": acceptance_id,
                            "accountId": account_id,
                            "acceptedAt": now,
                            "target": { "type": "internal", "value": input.target_value },
                        });
                        invitation::push(inv, "accepts", acceptance);
                        "invitation.accepted"
                    }
                    SyncAction::Declined => {
                        inv.insert("deactivated".to_owned(), Value::Bool(true));
                        "invitation.deactivated"
                    }
                };
                invitation::touch(inv, &now);
                let inv = inv.clone();
                ids.push(Value::from(invitation::id(&inv)));
                events.push(self.event(event_type, "update", &now, &inv));
            }
        }
        let answer = json!({ "processed": ids.len(), "invitationIds": ids });
        (answer, events)
    }

    /// Stores a seeded invitation over the neutral template (fields it lacks get neutral
    /// values; extra fields are kept). An existing invitation with the same id is replaced.
    pub(crate) fn seed_invitation(&mut self, seed: Invitation) -> Value {
        let (ms, _) = self.tick();
        let id = match seed.get("id").and_then(Value::as_str) {
            Some(id) => id.to_owned(),
            None => self.ids.uuid(),
        };
        let mut inv = invitation::template(&id, &self.identity.account_id, ms);
        for (key, value) in seed {
            inv.insert(key, value);
        }
        let stored = Value::Object(inv.clone());
        match self.position(&id) {
            Some(i) => self.invitations[i] = inv,
            None => self.invitations.push(inv),
        }
        stored
    }
}
