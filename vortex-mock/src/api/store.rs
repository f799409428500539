//! The imitated API's data: invitations and autojoin configurations, and every change the
//! API can make to them. Each change returns the webhook events the upstream
//! would send for it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

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

/// The creation rank of a stored invitation: lists are in this order.
type Rank = u64;

/// A stored invitation and its JSON text, written again on every change so that answers
/// copy bytes instead of serializing the invitation on each request.
#[derive(Debug)]
struct Stored {
    invitation: Invitation,
    json: Box<[u8]>,
}

impl Stored {
    fn new(invitation: Invitation) -> Self {
        let json = serde_json::to_vec(&invitation).unwrap_or_default();
        Self {
            invitation,
            json: json.into_boxed_slice(),
        }
    }
}

/// The ranks of the invitations by id, by scope (`groups[].type`, `groups[].groupId`) and by
/// target (`target[].type`, `target[].value`), kept in step with every change.
#[derive(Debug, Default)]
struct Index {
    by_id: HashMap<String, Rank>,
    by_scope: HashMap<(String, String), BTreeSet<Rank>>,
    by_target: HashMap<(String, String), BTreeSet<Rank>>,
}

impl Index {
    fn add(&mut self, rank: Rank, inv: &Invitation) {
        self.by_id.insert(invitation::id(inv).to_owned(), rank);
        for key in invitation::scopes(inv) {
            self.by_scope.entry(owned(key)).or_default().insert(rank);
        }
        for key in invitation::targets(inv) {
            self.by_target.entry(owned(key)).or_default().insert(rank);
        }
    }

    fn remove(&mut self, rank: Rank, inv: &Invitation) {
        self.by_id.remove(invitation::id(inv));
        for key in invitation::scopes(inv) {
            forget(&mut self.by_scope, key, rank);
        }
        for key in invitation::targets(inv) {
            forget(&mut self.by_target, key, rank);
        }
    }
}

fn owned((a, b): (&str, &str)) -> (String, String) {
    (a.to_owned(), b.to_owned())
}

/// Removes `rank` from the set of `key`, and the set once empty.
fn forget(map: &mut HashMap<(String, String), BTreeSet<Rank>>, key: (&str, &str), rank: Rank) {
    let key = owned(key);
    if let Some(ranks) = map.get_mut(&key) {
        ranks.remove(&rank);
        if ranks.is_empty() {
            map.remove(&key);
        }
    }
}

/// `{"invitations":[…]}` from the stored JSON texts, as `serde_json` would write it.
fn list_answer<'a>(items: impl Iterator<Item = &'a Stored> + Clone) -> Vec<u8> {
    const HEAD: &[u8] = b"{\"invitations\":[";
    const TAIL: &[u8] = b"]}";
    let size = items.clone().map(|s| s.json.len() + 1).sum::<usize>();
    let mut answer = Vec::with_capacity(HEAD.len() + size + TAIL.len());
    answer.extend_from_slice(HEAD);
    for (i, stored) in items.enumerate() {
        if i > 0 {
            answer.push(b',');
        }
        answer.extend_from_slice(&stored.json);
    }
    answer.extend_from_slice(TAIL);
    answer
}

/// Invitations (by creation rank, indexed) and autojoin configurations.
#[derive(Debug)]
pub(crate) struct Store {
    identity: Identity,
    ids: Ids,
    event_ids: Ids,
    clock: Clock,
    invitations: BTreeMap<Rank, Stored>,
    next_rank: Rank,
    index: Index,
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
            invitations: BTreeMap::new(),
            next_rank: 0,
            index: Index::default(),
            autojoin: Vec::new(),
        }
    }

    /// The instant of a new change, as ms and as ISO text.
    fn tick(&mut self) -> (i64, String) {
        let ms = self.clock.tick();
        (ms, format_iso(ms))
    }

    fn find(&self, id: &str) -> Option<&Invitation> {
        let rank = self.index.by_id.get(id)?;
        self.invitations.get(rank).map(|s| &s.invitation)
    }

    /// Stores a new invitation after the others, or replaces the one with its id in place.
    fn insert(&mut self, inv: Invitation) {
        let rank = match self.index.by_id.get(invitation::id(&inv)) {
            Some(&rank) => rank,
            None => {
                self.next_rank += 1;
                self.next_rank
            }
        };
        if let Some(old) = self.invitations.remove(&rank) {
            self.index.remove(rank, &old.invitation);
        }
        self.index.add(rank, &inv);
        self.invitations.insert(rank, Stored::new(inv));
    }

    /// Changes the invitation of `rank` (its JSON text and index entries follow); returns it
    /// as changed.
    fn modify_at(&mut self, rank: Rank, change: impl FnOnce(&mut Invitation)) -> Invitation {
        let mut inv = match self.invitations.remove(&rank) {
            Some(stored) => stored.invitation,
            None => return Invitation::new(),
        };
        self.index.remove(rank, &inv);
        change(&mut inv);
        self.index.add(rank, &inv);
        let changed = inv.clone();
        self.invitations.insert(rank, Stored::new(inv));
        changed
    }

    /// Changes the invitation `id` (see [`Store::modify_at`]); 404 if there is none.
    fn modify(
        &mut self,
        id: &str,
        change: impl FnOnce(&mut Invitation),
    ) -> Result<Invitation, ApiError> {
        match self.index.by_id.get(id) {
            Some(&rank) => Ok(self.modify_at(rank, change)),
            None => Err(ApiError::invitation_not_found(id)),
        }
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
            .values()
            .map(|s| Value::Object(s.invitation.clone()))
            .collect()
    }

    /// `{"invitations":[…]}` of every invitation, as JSON text.
    pub(crate) fn all_json(&self) -> Vec<u8> {
        list_answer(self.invitations.values())
    }

    /// One invitation.
    pub(crate) fn get(&self, id: &str) -> Option<Value> {
        self.find(id).cloned().map(Value::Object)
    }

    /// One invitation, as JSON text.
    pub(crate) fn get_json(&self, id: &str) -> Option<Vec<u8>> {
        let rank = self.index.by_id.get(id)?;
        self.invitations.get(rank).map(|s| s.json.to_vec())
    }

    /// `{"invitations":[…]}` of the invitations of these ranks, as JSON text.
    fn list(&self, ranks: Option<&BTreeSet<Rank>>) -> Vec<u8> {
        list_answer(
            ranks
                .into_iter()
                .flatten()
                .filter_map(|rank| self.invitations.get(rank)),
        )
    }

    /// `{"invitations":[…]}` of the invitations with a target of that type and value.
    pub(crate) fn list_by_target(&self, target_type: &str, value: &str) -> Vec<u8> {
        self.list(self.index.by_target.get(&owned((target_type, value))))
    }

    /// `{"invitations":[…]}` of the invitations in the scope.
    pub(crate) fn list_by_scope(&self, scope_type: &str, scope: &str) -> Vec<u8> {
        self.list(self.index.by_scope.get(&owned((scope_type, scope))))
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
        self.insert(inv);
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
        let inv = self
            .find(id)
            .ok_or_else(|| ApiError::invitation_not_found(id))?;
        if invitation::is_deactivated(inv) {
            return Ok(Vec::new());
        }
        let (_, now) = self.tick();
        let inv = self.modify(id, |inv| {
            inv.insert("deactivated".to_owned(), Value::Bool(true));
            invitation::touch(inv, &now);
        })?;
        Ok(vec![self.event(
            "invitation.deactivated",
            "update",
            &now,
            &inv,
        )])
    }

    /// Deletes every invitation of the scope (they are gone afterwards: GET answers 404).
    pub(crate) fn delete_by_scope(&mut self, scope_type: &str, scope: &str) -> Vec<Value> {
        let Some(ranks) = self
            .index
            .by_scope
            .get(&owned((scope_type, scope)))
            .cloned()
        else {
            return Vec::new();
        };
        let mut gone = Vec::with_capacity(ranks.len());
        for rank in ranks {
            if let Some(stored) = self.invitations.remove(&rank) {
                self.index.remove(rank, &stored.invitation);
                gone.push(stored.invitation);
            }
        }
        let (_, now) = self.tick();
        gone.iter()
            .map(|inv| self.event("invitation.deactivated", "delete", &now, inv))
            .collect()
    }

    /// Sends an invitation again: `deliveryCount` + 1.
    pub(crate) fn reinvite(&mut self, id: &str) -> Result<Changed<Value>, ApiError> {
        if self.find(id).is_none() {
            return Err(ApiError::invitation_not_found(id));
        }
        let (_, now) = self.tick();
        let inv = self.modify(id, |inv| {
            let count = inv
                .get("deliveryCount")
                .and_then(Value::as_u64)
                .unwrap_or(0);
            inv.insert("deliveryCount".to_owned(), json!(count.saturating_add(1)));
            invitation::touch(inv, &now);
        })?;
        let event = self.event("invitation.reminder.sent", "update", &now, &inv);
        Ok((Value::Object(inv), vec![event]))
    }

    /// Accepts invitations (all ids must exist); answers the last accepted invitation.
    pub(crate) fn accept(&mut self, input: &AcceptInput) -> Result<Changed<Value>, ApiError> {
        if let Some(unknown) = input
            .invitation_ids
            .iter()
            .find(|id| self.find(id).is_none())
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
            let inv = self.modify(id, |inv| {
                inv.insert("status".to_owned(), "accepted".into());
                invitation::push(inv, "accepts", Value::Object(acceptance));
                invitation::touch(inv, &now);
            })?;
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
        // The scope's autojoin invitation, if it still exists and is not deactivated.
        let live = config.invitation_id.clone().filter(|id| {
            self.find(id)
                .is_some_and(|inv| !invitation::is_deactivated(inv))
        });

        if input.domains.is_empty() {
            let changed = live.map(|id| {
                self.modify(&id, |inv| {
                    inv.insert("deactivated".to_owned(), Value::Bool(true));
                    invitation::touch(inv, &now);
                })
            });
            if let Some(Ok(inv)) = changed {
                events.push(self.event("invitation.deactivated", "update", &now, &inv));
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

        if let Some(id) = live {
            let changed = self.modify(&id, |inv| {
                inv.insert(
                    "widgetConfigurationId".to_owned(),
                    input.component_id.as_str().into(),
                );
                if let Some(metadata) = &input.metadata {
                    inv.insert("metadata".to_owned(), metadata.clone());
                }
                invitation::touch(inv, &now);
            });
            debug_assert!(changed.is_ok(), "the live invitation exists");
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
            self.insert(inv);
            config.invitation_id = Some(id);
        }
        let answer = self.autojoin_answer(Some(&config));
        self.autojoin.push(config);
        (answer, events)
    }

    /// Accepts or declines the open internal invitations of a creator to a target value.
    pub(crate) fn sync_internal(&mut self, input: &SyncInput) -> Changed<Value> {
        let matching: Vec<Rank> = self
            .invitations
            .iter()
            .map(|(rank, stored)| (*rank, &stored.invitation))
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
            for rank in matching {
                let acceptance_id = self.ids.uuid();
                let account_id = self.identity.account_id.clone();
                let event_type = match input.action {
                    SyncAction::Accepted => "invitation.accepted",
                    SyncAction::Declined => "invitation.deactivated",
                };
                let inv = self.modify_at(rank, |inv| {
                    match input.action {
                        SyncAction::Accepted => {
                            inv.insert("status".to_owned(), "accepted".into());
                            let acceptance = json!({
                                "id": acceptance_id,
                                "accountId": account_id,
                                "acceptedAt": now,
                                "target": { "type": "internal", "value": input.target_value },
                            });
                            invitation::push(inv, "accepts", acceptance);
                        }
                        SyncAction::Declined => {
                            inv.insert("deactivated".to_owned(), Value::Bool(true));
                        }
                    }
                    invitation::touch(inv, &now);
                });
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
        self.insert(inv);
        stored
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(value: &Value) -> &Map<String, Value> {
        value.as_object().expect("an object literal")
    }

    fn create(store: &mut Store, target: (&str, &str), scopes: &[(&str, &str)]) -> String {
        let groups: Vec<Value> = scopes
            .iter()
            .map(|(t, id)| json!({"type": t, "groupId": id, "name": id}))
            .collect();
        let body = json!({
            "widgetConfigurationId": "component-1",
            "target": {"type": target.0, "value": target.1},
            "inviter": {"userId": "user-1"},
            "groups": groups,
        });
        let input = CreateInput::parse(object(&body)).unwrap();
        store.create(&input).0["id"].as_str().unwrap().to_owned()
    }

    /// `{"invitations":[…]}` of the invitations `keep` chooses, by scanning them all.
    fn scan(store: &Store, keep: impl Fn(&Value) -> bool) -> Vec<u8> {
        let items: Vec<Value> = store.all().into_iter().filter(|inv| keep(inv)).collect();
        serde_json::to_vec(&json!({ "invitations": items })).unwrap()
    }

    fn has(inv: &Value, field: &str, id_key: &str, key: (&str, &str)) -> bool {
        inv[field].as_array().into_iter().flatten().any(|item| {
            item["type"].as_str() == Some(key.0) && item[id_key].as_str() == Some(key.1)
        })
    }

    /// Every list the index answers equals the full scan, byte for byte.
    fn check(store: &Store) {
        let all = store.all();
        let mut scopes = vec![("team".to_owned(), "none".to_owned())];
        let mut targets = vec![("email".to_owned(), "none@example.com".to_owned())];
        for inv in &all {
            let inv = inv.as_object().unwrap();
            scopes.extend(invitation::scopes(inv).map(owned));
            targets.extend(invitation::targets(inv).map(owned));
        }
        for (t, id) in &scopes {
            let scanned = scan(store, |inv| has(inv, "groups", "groupId", (t, id)));
            assert_eq!(store.list_by_scope(t, id), scanned, "scope {t}/{id}");
        }
        for (t, value) in &targets {
            let scanned = scan(store, |inv| has(inv, "target", "value", (t, value)));
            assert_eq!(
                store.list_by_target(t, value),
                scanned,
                "target {t}/{value}"
            );
        }
        assert_eq!(store.all_json(), scan(store, |_| true));
        for inv in &all {
            let id = inv["id"].as_str().unwrap();
            assert_eq!(store.get_json(id), Some(serde_json::to_vec(inv).unwrap()));
        }
        assert_eq!(store.get_json("gone"), None);
    }

    #[test]
    fn the_index_answers_what_a_full_scan_gives() {
        let identity = Identity {
            account_id: "account-1".into(),
            environment_id: "environment-1".into(),
        };
        let mut store = Store::new(identity, Some(7));
        let a = create(&mut store, ("email", "a@example.com"), &[("team", "a")]);
        let b = create(
            &mut store,
            ("email", "b@example.com"),
            &[("team", "a"), ("org", "x")],
        );
        let c = create(&mut store, ("email", "a@example.com"), &[("team", "b")]);
        let internal = create(&mut store, ("internal", "user-9"), &[("team", "b")]);
        create(&mut store, ("phone", "+15550100"), &[]);
        check(&store);

        let accept = json!({"invitationIds": [a, c], "user": {"email": "a@example.com"}});
        store
            .accept(&AcceptInput::parse(object(&accept)).unwrap())
            .unwrap();
        check(&store);
        store.revoke(&b).unwrap();
        store.reinvite(&c).unwrap();
        check(&store);

        // A seed that replaces an invitation moves it to other scopes and targets, in place.
        store.seed_invitation(
            object(&json!({
                "id": a,
                "groups": [{"type": "team", "groupId": "b"}],
                "target": [{"type": "phone", "value": "+15550100"}],
            }))
            .clone(),
        );
        store.seed_invitation(object(&json!({"id": "odd", "groups": "none"})).clone());
        check(&store);

        let autojoin = json!({
            "scope": "a", "scopeType": "team", "domains": ["example.com"],
            "componentId": "component-1",
        });
        store.configure_autojoin(&AutojoinInput::parse(object(&autojoin)).unwrap());
        check(&store);
        let sync = json!({
            "creatorId": "user-1", "targetValue": "user-9", "action": "accepted",
            "componentId": "component-1",
        });
        let (answer, _) = store.sync_internal(&SyncInput::parse(object(&sync)).unwrap());
        assert_eq!(answer["invitationIds"], json!([internal]));
        check(&store);

        let events = store.delete_by_scope("team", "b");
        assert_eq!(events.len(), 3);
        check(&store);
        assert_eq!(store.list_by_scope("team", "b"), br#"{"invitations":[]}"#);
        store.delete_by_scope("team", "a");
        create(&mut store, ("email", "a@example.com"), &[("team", "a")]);
        check(&store);
        assert_eq!(store.all().len(), 3);
    }
}
