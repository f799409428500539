//! Validation of request bodies: typed inputs from JSON objects, with 400 messages that
//! name the offending field. Unknown fields are ignored, as the upstream does.

use serde_json::{Map, Value};

use crate::api::error::ApiError;

/// Parses a request body that must be a JSON object.
pub(crate) fn parse_object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(
            "The request body must be a JSON object",
        ));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::bad_request(
            "The request body must be a JSON object",
        )),
        Err(err) => Err(ApiError::bad_request(format!("Malformed JSON: {err}"))),
    }
}

/// A JSON object and where it sits in the request (for error messages).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Obj<'a> {
    map: &'a Map<String, Value>,
    path: Option<&'a str>,
}

impl<'a> Obj<'a> {
    /// The request body itself.
    pub(crate) fn root(map: &'a Map<String, Value>) -> Self {
        Self { map, path: None }
    }

    fn label(&self, key: &str) -> String {
        match self.path {
            Some(path) => format!("{path}.{key}"),
            None => key.to_owned(),
        }
    }

    /// A required, non-empty string.
    pub(crate) fn req_str(&self, key: &str) -> Result<&'a str, ApiError> {
        match self.opt_str(key)? {
            Some("") => Err(ApiError::bad_request(format!(
                "`{}` must not be empty",
                self.label(key)
            ))),
            Some(text) => Ok(text),
            None => Err(self.missing(key)),
        }
    }

    /// An optional string (absent or `null` is `None`).
    pub(crate) fn opt_str(&self, key: &str) -> Result<Option<&'a str>, ApiError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(_) => Err(self.wrong_type(key, "a string")),
        }
    }

    /// An optional boolean.
    pub(crate) fn opt_bool(&self, key: &str) -> Result<Option<bool>, ApiError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(self.wrong_type(key, "a boolean")),
        }
    }

    /// An optional JSON object, as a value.
    pub(crate) fn opt_object_value(&self, key: &str) -> Result<Option<&'a Value>, ApiError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(value @ Value::Object(_)) => Ok(Some(value)),
            Some(_) => Err(self.wrong_type(key, "an object")),
        }
    }

    /// A required nested object; its fields are reported as `key.field`.
    pub(crate) fn req_obj(&self, key: &'a str) -> Result<Self, ApiError> {
        self.opt_obj(key)?.ok_or_else(|| self.missing(key))
    }

    /// An optional nested object.
    pub(crate) fn opt_obj(&self, key: &'a str) -> Result<Option<Self>, ApiError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Self {
                map,
                path: Some(key),
            })),
            Some(_) => Err(self.wrong_type(key, "an object")),
        }
    }

    /// An optional array.
    pub(crate) fn opt_array(&self, key: &str) -> Result<Option<&'a Vec<Value>>, ApiError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => Ok(Some(items)),
            Some(_) => Err(self.wrong_type(key, "an array")),
        }
    }

    /// A required array.
    pub(crate) fn req_array(&self, key: &str) -> Result<&'a Vec<Value>, ApiError> {
        self.opt_array(key)?.ok_or_else(|| self.missing(key))
    }

    /// A required array of non-empty strings.
    pub(crate) fn req_string_array(&self, key: &str) -> Result<Vec<String>, ApiError> {
        self.req_array(key)?
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(text) if !text.is_empty() => Ok(text.clone()),
                _ => Err(ApiError::bad_request(format!(
                    "`{}[{i}]` must be a non-empty string",
                    self.label(key)
                ))),
            })
            .collect()
    }

    fn missing(&self, key: &str) -> ApiError {
        ApiError::bad_request(format!("Missing required field `{}`", self.label(key)))
    }

    fn wrong_type(&self, key: &str, expected: &str) -> ApiError {
        ApiError::bad_request(format!("`{}` must be {expected}", self.label(key)))
    }
}

/// A target of a new invitation.
#[derive(Debug, Clone)]
pub(crate) struct TargetInput {
    pub(crate) target_type: String,
    pub(crate) value: String,
    pub(crate) name: Option<String>,
    pub(crate) avatar_url: Option<String>,
}

/// The inviter of a new invitation.
#[derive(Debug, Clone)]
pub(crate) struct InviterInput {
    pub(crate) user_id: String,
    pub(crate) name: Option<String>,
    pub(crate) avatar_url: Option<String>,
}

/// A group (scope) of a new invitation.
#[derive(Debug, Clone)]
pub(crate) struct GroupInput {
    pub(crate) group_type: String,
    pub(crate) group_id: String,
    pub(crate) name: Option<String>,
}

/// `POST /invitations`.
#[derive(Debug, Clone)]
pub(crate) struct CreateInput {
    pub(crate) widget_configuration_id: String,
    pub(crate) target: TargetInput,
    pub(crate) inviter: InviterInput,
    pub(crate) groups: Vec<GroupInput>,
    pub(crate) source: Option<String>,
    pub(crate) subtype: Option<String>,
    pub(crate) metadata: Option<Value>,
}

impl CreateInput {
    pub(crate) fn parse(body: &Map<String, Value>) -> Result<Self, ApiError> {
        let root = Obj::root(body);
        let widget_configuration_id = root.req_str("widgetConfigurationId")?.to_owned();

        let target = root.req_obj("target")?;
        let target_type = target.req_str("type")?;
        if !matches!(target_type, "email" | "phone" | "internal") {
            return Err(ApiError::bad_request(format!(
                "`target.type` must be one of email, phone, internal (got `{target_type}`)"
            )));
        }
        let target = TargetInput {
            target_type: target_type.to_owned(),
            value: target.req_str("value")?.to_owned(),
            name: target.opt_str("name")?.map(str::to_owned),
            avatar_url: target.opt_str("avatarUrl")?.map(str::to_owned),
        };

        let inviter = root.req_obj("inviter")?;
        // Checked for shape only; the optional e-mail is not stored on the invitation.
        inviter.opt_str("userEmail")?;
        let inviter = InviterInput {
            user_id: inviter.req_str("userId")?.to_owned(),
            name: inviter
                .opt_str("name")?
                .or(inviter.opt_str("userName")?)
                .map(str::to_owned),
            avatar_url: inviter
                .opt_str("avatarUrl")?
                .or(inviter.opt_str("userAvatarUrl")?)
                .map(str::to_owned),
        };

        let groups = root
            .opt_array("groups")?
            .map(|items| {
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| parse_group(i, item))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?
            .unwrap_or_default();

        if let Some(vars) = root.opt_object_value("templateVariables")? {
            let all_strings = vars
                .as_object()
                .is_some_and(|vars| vars.values().all(Value::is_string));
            if !all_strings {
                return Err(ApiError::bad_request(
                    "`templateVariables` values must be strings",
                ));
            }
        }
        root.opt_object_value("unfurlConfig")?;

        Ok(Self {
            widget_configuration_id,
            target,
            inviter,
            groups,
            source: root.opt_str("source")?.map(str::to_owned),
            subtype: root.opt_str("subtype")?.map(str::to_owned),
            metadata: root.opt_object_value("metadata")?.cloned(),
        })
    }
}

fn parse_group(index: usize, item: &Value) -> Result<GroupInput, ApiError> {
    let Value::Object(map) = item else {
        return Err(ApiError::bad_request(format!(
            "`groups[{index}]` must be an object"
        )));
    };
    let label = format!("groups[{index}]");
    let group = Obj {
        map,
        path: Some(&label),
    };
    Ok(GroupInput {
        group_type: group.req_str("type")?.to_owned(),
        group_id: group.req_str("groupId")?.to_owned(),
        name: group.opt_str("name")?.map(str::to_owned),
    })
}

/// Who accepts, normalised from `user` or the legacy `target`.
#[derive(Debug, Clone)]
pub(crate) struct AcceptInput {
    pub(crate) invitation_ids: Vec<String>,
    /// `email` or `phone`.
    pub(crate) target_type: &'static str,
    pub(crate) value: String,
    pub(crate) name: Option<String>,
    pub(crate) is_existing: Option<bool>,
}

impl AcceptInput {
    pub(crate) fn parse(body: &Map<String, Value>) -> Result<Self, ApiError> {
        let root = Obj::root(body);
        let invitation_ids = root.req_string_array("invitationIds")?;
        if invitation_ids.is_empty() {
            return Err(ApiError::bad_request(
                "`invitationIds` must contain at least one id",
            ));
        }
        if let Some(user) = root.opt_obj("user")? {
            let email = user.opt_str("email")?.filter(|e| !e.is_empty());
            let phone = user.opt_str("phone")?.filter(|p| !p.is_empty());
            let (target_type, value) = match (email, phone) {
                (Some(email), _) => ("email", email),
                (None, Some(phone)) => ("phone", phone),
                (None, None) => {
                    return Err(ApiError::bad_request(
                        "`user` must have at least one of `email` or `phone`",
                    ));
                }
            };
            return Ok(Self {
                invitation_ids,
                target_type,
                value: value.to_owned(),
                name: user.opt_str("name")?.map(str::to_owned),
                is_existing: user.opt_bool("isExisting")?,
            });
        }
        let Some(target) = root.opt_obj("target")? else {
            return Err(ApiError::bad_request("Missing required field `user`"));
        };
        let target_type = match target.req_str("type")? {
            "email" => "email",
            "phone" | "phoneNumber" => "phone",
            other => {
                return Err(ApiError::bad_request(format!(
                    "`target.type` `{other}` cannot accept an invitation: only email or phone can"
                )));
            }
        };
        Ok(Self {
            invitation_ids,
            target_type,
            value: target.req_str("value")?.to_owned(),
            name: target.opt_str("name")?.map(str::to_owned),
            is_existing: None,
        })
    }
}

/// `POST /invitations/autojoin`.
#[derive(Debug, Clone)]
pub(crate) struct AutojoinInput {
    pub(crate) scope: String,
    pub(crate) scope_type: String,
    pub(crate) scope_name: Option<String>,
    pub(crate) domains: Vec<String>,
    pub(crate) component_id: String,
    pub(crate) metadata: Option<Value>,
}

impl AutojoinInput {
    pub(crate) fn parse(body: &Map<String, Value>) -> Result<Self, ApiError> {
        let root = Obj::root(body);
        let component_id = match (root.opt_str("componentId")?, root.opt_str("widgetId")?) {
            (Some(id), _) | (None, Some(id)) if !id.is_empty() => id.to_owned(),
            _ => {
                return Err(ApiError::bad_request(
                    "Missing required field `componentId` (or the legacy `widgetId`)",
                ));
            }
        };
        let mut domains: Vec<String> = Vec::new();
        for (i, item) in root.req_array("domains")?.iter().enumerate() {
            let domain = item.as_str().map(str::trim).unwrap_or_default();
            let valid = !domain.is_empty()
                && !domain.contains('@')
                && !domain.chars().any(|c| c.is_whitespace() || c.is_control());
            if !valid {
                return Err(ApiError::bad_request(format!(
                    "`domains[{i}]` must be a domain name such as `example.com`"
                )));
            }
            let domain = domain.to_ascii_lowercase();
            if !domains.contains(&domain) {
                domains.push(domain);
            }
        }
        Ok(Self {
            scope: root.req_str("scope")?.to_owned(),
            scope_type: root.req_str("scopeType")?.to_owned(),
            scope_name: root.opt_str("scopeName")?.map(str::to_owned),
            domains,
            component_id,
            metadata: root.opt_object_value("metadata")?.cloned(),
        })
    }
}

/// What `sync-internal-invitation` does to the matching invitations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SyncAction {
    Accepted,
    Declined,
}

/// `POST /invitations/sync-internal-invitation`.
#[derive(Debug, Clone)]
pub(crate) struct SyncInput {
    pub(crate) creator_id: String,
    pub(crate) target_value: String,
    pub(crate) action: SyncAction,
}

impl SyncInput {
    pub(crate) fn parse(body: &Map<String, Value>) -> Result<Self, ApiError> {
        let root = Obj::root(body);
        let creator_id = root.req_str("creatorId")?.to_owned();
        let target_value = root.req_str("targetValue")?.to_owned();
        let action = match root.req_str("action")? {
            "accepted" => SyncAction::Accepted,
            "declined" => SyncAction::Declined,
            other => {
                return Err(ApiError::bad_request(format!(
                    "`action` must be `accepted` or `declined` (got `{other}`)"
                )));
            }
        };
        // Required by the upstream; the mock does not filter on it.
        root.req_str("componentId")?;
        Ok(Self {
            creator_id,
            target_value,
            action,
        })
    }
}

/// Checks a seeded invitation: a JSON object whose `id`, if present, is a non-empty string.
pub(crate) fn seed_invitation(value: Value) -> Result<Map<String, Value>, String> {
    let Value::Object(map) = value else {
        return Err("a seeded invitation must be a JSON object".into());
    };
    match map.get("id") {
        None => Ok(map),
        Some(Value::String(id)) if !id.is_empty() => Ok(map),
        Some(_) => Err("the `id` of a seeded invitation must be a non-empty string".into()),
    }
}

/// A target type of `GET /invitations`, mapped to the stored target type.
pub(crate) fn stored_target_type(query_type: &str) -> Result<&'static str, ApiError> {
    match query_type {
        "email" => Ok("email"),
        "phone" | "phoneNumber" => Ok("phone"),
        "username" => Ok("username"),
        "internal" => Ok("internal"),
        other => Err(ApiError::bad_request(format!(
            "`targetType` must be one of email, username, phoneNumber, phone, internal (got `{other}`)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn reports_the_field_path() {
        let body = object(json!({"widgetConfigurationId": "w", "target": {"type": "email"}}));
        let err = CreateInput::parse(&body).unwrap_err();
        assert_eq!(err.message(), "Missing required field `target.value`");

        let body = object(json!({
            "widgetConfigurationId": "w",
            "target": {"type": "email", "value": "a@b.c"},
            "inviter": {"userId": "u"},
            "groups": [{"type": "team"}]
        }));
        let err = CreateInput::parse(&body).unwrap_err();
        assert_eq!(err.message(), "Missing required field `groups[0].groupId`");
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        assert!(parse_object(b"{").is_err());
        assert!(parse_object(b"[]").is_err());
        assert!(parse_object(b"").is_err());
        assert!(parse_object(br#"{"a":1}"#).is_ok());
    }

    #[test]
    fn accept_needs_email_or_phone() {
        let body = object(json!({"invitationIds": ["x"], "user": {"name": "Ada"}}));
        assert!(AcceptInput::parse(&body).is_err());
        let body = object(
            json!({"invitationIds": ["x"], "target": {"type": "phoneNumber", "value": "+1"}}),
        );
        assert_eq!(AcceptInput::parse(&body).unwrap().target_type, "phone");
        let body =
            object(json!({"invitationIds": ["x"], "target": {"type": "username", "value": "ada"}}));
        assert!(AcceptInput::parse(&body).is_err());
        let body = object(json!({"invitationIds": [], "user": {"email": "a@b.c"}}));
        assert!(AcceptInput::parse(&body).is_err());
    }
}
