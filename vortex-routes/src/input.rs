//! Reading and validating the inputs of every route, in one place: a request becomes an
//! [`Action`]. Inputs are checked, never rewritten: a bad value is a 400 that names the field
//! and says why.

use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};

use super::error::RouteError;
use super::operation::Operation;
use super::route::{MatchedRoute, Param, RouteKind};
use vortex_client::ExpiresIn;
use vortex_client::VortexUser;
use vortex_client::token::{TokenOptions, TokenPayload};
use vortex_client::types::{AcceptUser, SyncAction};

/// The longest id or scope value accepted.
const MAX_ID_CHARS: usize = 1000;
/// The most invitations accepted at once.
const MAX_ACCEPT_IDS: usize = 100;

type Invalid = RouteError;

/// A validated request, ready to be authorized and performed.
pub(crate) enum Action {
    /// `POST /jwt`, with the `context` the React provider sent.
    Jwt { context: Option<Map<String, Value>> },
    /// `POST /token`: what the policy sees, and what is signed.
    Token {
        operation: Operation,
        payload: TokenPayload,
        options: TokenOptions,
    },
    /// A call of the Vortex API.
    Api(Operation),
}

/// The operation of `POST /jwt`, for policies.
static JWT: Operation = Operation::Jwt;

impl Action {
    /// What the policy decides on.
    pub(crate) fn operation(&self) -> &Operation {
        match self {
            Self::Jwt { .. } => &JWT,
            Self::Token { operation, .. } | Self::Api(operation) => operation,
        }
    }
}

/// The inputs of a request to the route `matched` by `user`: its path parameters (moved out
/// of `matched`, not copied), `query` and `body`. `token_options` are the routes' own, which
/// a `/token` request may shorten.
pub(crate) fn parse(
    matched: &mut MatchedRoute,
    user: &VortexUser,
    query: Option<&str>,
    body: &[u8],
    token_options: TokenOptions,
) -> Result<Action, Invalid> {
    use RouteKind as K;
    let mut param = |i: usize, field: &str| {
        path_param(
            field,
            std::mem::replace(&mut matched.params[i], Ok(String::new())),
        )
    };
    let operation = match matched.kind {
        K::Jwt => return jwt(body),
        K::Token => return token(user, body, token_options),
        K::ListByTarget => list_by_target(query)?,
        K::GetInvitation => Operation::GetInvitation {
            invitation_id: param(0, "invitationId")?,
        },
        K::RevokeInvitation => Operation::RevokeInvitation {
            invitation_id: param(0, "invitationId")?,
        },
        K::Reinvite => Operation::Reinvite {
            invitation_id: param(0, "invitationId")?,
        },
        K::Accept => accept(body)?,
        K::GetByScope => Operation::GetScopeInvitations {
            scope_type: param(0, "scopeType")?,
            scope: param(1, "scope")?,
        },
        K::DeleteByScope => Operation::DeleteScopeInvitations {
            scope_type: param(0, "scopeType")?,
            scope: param(1, "scope")?,
        },
        K::GetByGroup => Operation::GetScopeInvitations {
            scope_type: param(0, "groupType")?,
            scope: param(1, "groupId")?,
        },
        K::DeleteByGroup => Operation::DeleteScopeInvitations {
            scope_type: param(0, "groupType")?,
            scope: param(1, "groupId")?,
        },
        K::SyncInternalInvitation => sync_internal(body)?,
    };
    Ok(Action::Api(operation))
}

/// `POST /jwt`: an optional `{"context": {…}}`.
fn jwt(body: &[u8]) -> Result<Action, Invalid> {
    let context = match optional_object(body)? {
        None => None,
        Some(mut body) => match body.shift_remove("context") {
            None | Some(Value::Null) => None,
            Some(Value::Object(context)) => Some(context),
            Some(_) => return Err(RouteError::bad_request("context must be an object")),
        },
    };
    Ok(Action::Jwt { context })
}

/// `POST /token`: `component`, `scope`, `vars` and `expiresIn` (at most the routes' own).
fn token(user: &VortexUser, body: &[u8], own: TokenOptions) -> Result<Action, Invalid> {
    let mut body = optional_object(body)?.unwrap_or_default();
    if body.contains_key("user") {
        return Err(RouteError::bad_request(
            "user cannot be set: tokens are always for the signed-in user",
        ));
    }
    let component = optional_string(&body, "component", "component")?;
    let scope = optional_string(&body, "scope", "scope")?;
    let vars = match body.shift_remove("vars") {
        None | Some(Value::Null) => None,
        Some(vars @ Value::Object(_)) => Some(vars),
        Some(_) => return Err(RouteError::bad_request("vars must be an object")),
    };
    let mut options = own;
    if let Some(requested) = body.get("expiresIn").filter(|v| !v.is_null()) {
        let requested =
            ExpiresIn::from_json(requested).map_err(|e| RouteError::bad_request(e.to_string()))?;
        if requested > own.expires_in {
            return Err(RouteError::bad_request(format!(
                "expiresIn may be at most {} seconds",
                own.expires_in.as_secs()
            )));
        }
        options = options.expires_in(requested);
    }
    let mut payload = TokenPayload::new().user(user);
    if let Some(component) = &component {
        payload = payload.component(component.clone());
    }
    if let Some(scope) = &scope {
        payload = payload.scope(scope.clone());
    }
    if let Some(vars) = vars {
        payload = payload.vars(vars);
    }
    Ok(Action::Token {
        operation: Operation::Token { component, scope },
        payload,
        options,
    })
}

const TARGET_TYPES: [&str; 5] = ["email", "username", "phoneNumber", "phone", "internal"];

/// `GET /invitations?targetType=…&targetValue=…`.
fn list_by_target(query: Option<&str>) -> Result<Operation, Invalid> {
    let target_type = query_param(query, "targetType")?;
    let target_value = query_param(query, "targetValue")?;
    let (Some(target_type), Some(target_value)) = (target_type, target_value) else {
        return Err(RouteError::bad_request(
            "targetType and targetValue query parameters are required",
        ));
    };
    if !TARGET_TYPES.contains(&target_type.as_str()) {
        return Err(RouteError::bad_request(
            "targetType must be one of email, username, phoneNumber, phone, internal",
        ));
    }
    check_id("targetValue", &target_value)?;
    Ok(Operation::GetInvitations {
        target_type,
        target_value,
    })
}

/// `POST /invitations/accept`: `invitationIds` and the accepting user.
fn accept(body: &[u8]) -> Result<Operation, Invalid> {
    let body = required_object(body)?;
    Ok(Operation::AcceptInvitations {
        invitation_ids: invitation_ids(&body)?,
        user: accept_user(&body)?,
    })
}

/// `POST /invitations/sync-internal-invitation`.
fn sync_internal(body: &[u8]) -> Result<Operation, Invalid> {
    let body = required_object(body)?;
    let creator_id = required_string(&body, "creatorId")?;
    let target_value = required_string(&body, "targetValue")?;
    let action = match body.get("action").and_then(Value::as_str) {
        Some("accepted") => SyncAction::Accepted,
        Some("declined") => SyncAction::Declined,
        _ => {
            return Err(RouteError::bad_request(
                "action is required and must be \"accepted\" or \"declined\"",
            ));
        }
    };
    let component_id = required_string(&body, "componentId")?;
    Ok(Operation::SyncInternalInvitation {
        creator_id,
        target_value,
        action,
        component_id,
    })
}

/// Checks an id-like value: 1..=1000 characters, no control characters, not `.` or `..`.
fn check_id(field: &str, value: &str) -> Result<(), Invalid> {
    let bad = |why: &str| Err(RouteError::bad_request(format!("{field} {why}")));
    if value.is_empty() {
        return bad("must not be empty");
    }
    if value.chars().count() > MAX_ID_CHARS {
        return bad(&format!("must be at most {MAX_ID_CHARS} characters"));
    }
    if value.chars().any(char::is_control) {
        return bad("must not contain control characters");
    }
    if matches!(value, "." | "..") {
        return bad("must not be `.` or `..`");
    }
    Ok(())
}

/// A path parameter, decoded and checked.
fn path_param(field: &str, param: Param) -> Result<String, Invalid> {
    let value = param.map_err(|_| {
        RouteError::bad_request(format!("{field} is not valid percent-encoded UTF-8"))
    })?;
    check_id(field, &value)?;
    Ok(value)
}

/// The first value of `key` in a query string (`application/x-www-form-urlencoded`).
fn query_param(query: Option<&str>, key: &str) -> Result<Option<String>, Invalid> {
    let Some(query) = query else {
        return Ok(None);
    };
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        if decode_form(name).as_deref() == Some(key) {
            return decode_form(value).map(Some).ok_or_else(|| {
                RouteError::bad_request(format!("{key} is not valid percent-encoded UTF-8"))
            });
        }
    }
    Ok(None)
}

fn decode_form(text: &str) -> Option<String> {
    let spaced = text.replace('+', " ");
    percent_decode_str(&spaced)
        .decode_utf8()
        .ok()
        .map(|c| c.into_owned())
}

/// The body as a JSON object; an empty body is `None`.
fn optional_object(body: &[u8]) -> Result<Option<Map<String, Value>>, Invalid> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(Some(map)),
        Ok(_) => Err(RouteError::bad_request(
            "Request body must be a JSON object",
        )),
        Err(e) => Err(RouteError::bad_request(format!(
            "Request body is not valid JSON: {e}"
        ))),
    }
}

/// The body as a JSON object; an empty body is an error.
fn required_object(body: &[u8]) -> Result<Map<String, Value>, Invalid> {
    optional_object(body)?
        .ok_or_else(|| RouteError::bad_request("Request body must be a JSON object"))
}

/// An optional string field (`null` counts as absent).
fn optional_string(
    object: &Map<String, Value>,
    field: &str,
    label: &str,
) -> Result<Option<String>, Invalid> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            check_id(label, s)?;
            Ok(Some(s.clone()))
        }
        Some(_) => Err(RouteError::bad_request(format!("{label} must be a string"))),
    }
}

/// A required string field, with the message the official routers use.
fn required_string(object: &Map<String, Value>, field: &str) -> Result<String, Invalid> {
    match object.get(field) {
        Some(Value::String(s)) if !s.is_empty() => {
            check_id(field, s)?;
            Ok(s.clone())
        }
        _ => Err(RouteError::bad_request(format!(
            "{field} is required and must be a string"
        ))),
    }
}

/// `invitationIds`: 1..=100 valid ids.
fn invitation_ids(object: &Map<String, Value>) -> Result<Vec<String>, Invalid> {
    let items = match object.get("invitationIds") {
        Some(Value::Array(items)) if !items.is_empty() => items,
        _ => {
            return Err(RouteError::bad_request(
                "invitationIds must be a non-empty array",
            ));
        }
    };
    if items.len() > MAX_ACCEPT_IDS {
        return Err(RouteError::bad_request(format!(
            "invitationIds must have at most {MAX_ACCEPT_IDS} entries"
        )));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let label = format!("invitationIds[{i}]");
            match item {
                Value::String(id) => check_id(&label, id).map(|()| id.clone()),
                _ => Err(RouteError::bad_request(format!("{label} must be a string"))),
            }
        })
        .collect()
}

/// The accepting user: `user` (preferred) or the legacy `target`.
fn accept_user(object: &Map<String, Value>) -> Result<AcceptUser, Invalid> {
    match (object.get("user"), object.get("target")) {
        (Some(user), _) if !user.is_null() => user_form(user),
        (_, Some(target)) if !target.is_null() => target_form(target),
        _ => Err(RouteError::bad_request(
            "Either user or target must be provided",
        )),
    }
}

fn user_form(user: &Value) -> Result<AcceptUser, Invalid> {
    let user = user
        .as_object()
        .ok_or_else(|| RouteError::bad_request("user must be an object"))?;
    let email = optional_string(user, "email", "user.email")?;
    let phone = optional_string(user, "phone", "user.phone")?;
    let name = optional_string(user, "name", "user.name")?;
    let is_existing = match user.get("isExisting") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => {
            return Err(RouteError::bad_request("user.isExisting must be a boolean"));
        }
    };
    if email.is_none() && phone.is_none() {
        return Err(RouteError::bad_request(
            "user must have either email or phone",
        ));
    }
    let mut accepting = AcceptUser::default();
    accepting.email = email;
    accepting.phone = phone;
    accepting.name = name;
    accepting.is_existing = is_existing;
    Ok(accepting)
}

/// The legacy `{"type","value"}` target of the React provider.
fn target_form(target: &Value) -> Result<AcceptUser, Invalid> {
    let invalid = || RouteError::bad_request("target must have type and value properties");
    let target = target.as_object().ok_or_else(invalid)?;
    let (Some(Value::String(kind)), Some(Value::String(value))) =
        (target.get("type"), target.get("value"))
    else {
        return Err(invalid());
    };
    check_id("target.value", value)?;
    match kind.as_str() {
        "email" => Ok(AcceptUser::email(value.clone())),
        "phone" | "phoneNumber" => Ok(AcceptUser::phone(value.clone())),
        "username" => Err(RouteError::bad_request(
            "target.type username cannot accept invitations: only an email or phone target can \
             (send user.email or user.phone instead)",
        )),
        _ => Err(RouteError::bad_request(
            "target.type must be email, phone or phoneNumber",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[allow(clippy::needless_pass_by_value)] // called with the `Err` of results
    fn message(error: Invalid) -> String {
        error.message().to_owned()
    }

    #[test]
    fn ids_are_checked_not_rewritten() {
        assert!(check_id("invitationId", "o'brien <x>").is_ok());
        assert_eq!(
            message(check_id("invitationId", "").unwrap_err()),
            "invitationId must not be empty"
        );
        assert!(message(check_id("scope", "..").unwrap_err()).contains("`.` or `..`"));
        assert!(message(check_id("scope", "a\nb").unwrap_err()).contains("control"));
        assert!(check_id("scope", &"é".repeat(1000)).is_ok());
        assert!(check_id("scope", &"é".repeat(1001)).is_err());
    }

    #[test]
    fn query_params_decode_form_encoding() {
        let q = Some("targetType=email&targetValue=a%2Bb+c%40x.com&targetValue=second");
        assert_eq!(
            query_param(q, "targetValue").unwrap().as_deref(),
            Some("a+b c@x.com")
        );
        assert_eq!(query_param(q, "missing").unwrap(), None);
    }

    #[test]
    fn legacy_targets_map_to_email_or_phone() {
        let body =
            json!({"invitationIds": ["i"], "target": {"type": "phoneNumber", "value": "+1555"}});
        let user = accept_user(body.as_object().unwrap()).unwrap();
        assert_eq!(user.phone.as_deref(), Some("+1555"));
        let body = json!({"invitationIds": ["i"], "target": {"type": "username", "value": "bob"}});
        assert!(
            message(accept_user(body.as_object().unwrap()).unwrap_err())
                .contains("only an email or phone")
        );
    }

    #[test]
    fn invitation_ids_are_validated() {
        let check = |v: Value| invitation_ids(v.as_object().unwrap()).map_err(message);
        assert_eq!(
            check(json!({"invitationIds": []})).unwrap_err(),
            "invitationIds must be a non-empty array"
        );
        assert_eq!(
            check(json!({"invitationIds": ["a", 1]})).unwrap_err(),
            "invitationIds[1] must be a string"
        );
        assert!(check(json!({"invitationIds": vec!["x"; 101]})).is_err());
        assert_eq!(
            check(json!({"invitationIds": ["a", "b"]})).unwrap(),
            vec!["a", "b"]
        );
    }
}
