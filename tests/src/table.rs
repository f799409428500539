//! The conformance table: every rule of the integration routers (route, answer, error) as
//! [`Case`]s.
//!
//! Paths are relative to the mount point and written exactly as sent (percent-encoding
//! kept). Every case also passes the generic checks of [`crate::env::generic_failures`]
//! (JSON content type and body, `{"error":"…"}` errors, no secret anywhere) and the
//! upstream checks of [`Case::run`] (the caller's user header never forwarded, the API key
//! always sent).

use std::time::Duration;

use serde_json::{Value, json};
use vortex_mock::{Fault, FaultBody};

use crate::app::{DENY_DEFAULT_ID, PANIC_ID, REGULAR_DENIED};
use crate::case::{Case, Group, Who, up};
use crate::env::UpstreamMode;

/// Known bug: axum 0.8 `Router::nest` does not route `{mount}/` to the nested router.
const AXUM_MOUNT_SLASH: &str = "BUG: vortex-axum: `GET /api/vortex/` never reaches the Vortex router: \
axum 0.8 `nest` routes `/api/vortex` to the nested `/` route but `/api/vortex/` to the app's \
fallback, which answers 404 with an empty, non-JSON body (vortex-axum/src/router.rs, `router()`; \
`nest_service` does route it)";

/// The default router body limit (64 KiB).
const LIMIT: usize = 64 * 1024;

/// The id of the standard seeded invitation.
const INV: &str = "inv-1";

/// A scope (group) record as the upstream stores it.
pub fn group(kind: &str, id: &str) -> Value {
    json!({
        "id": format!("g-{id}"),
        "accountId": "acc-1",
        "groupId": id,
        "type": kind,
        "name": format!("Group {id}"),
        "createdAt": "2026-01-01T00:00:00.000Z"
    })
}

/// An invitation for `ada@example.com` in scope `team/team-1`.
pub fn invitation(id: &str) -> Value {
    json!({
        "id": id,
        "target": [{"type": "email", "value": "ada@example.com"}],
        "groups": [group("team", "team-1")]
    })
}

/// An internal invitation from `admin-1` to `user-2` (for sync-internal-invitation).
fn internal_invitation(id: &str) -> Value {
    json!({
        "id": id,
        "deliveryTypes": ["internal"],
        "foreignCreatorId": "admin-1",
        "status": "delivered",
        "target": [{"type": "internal", "value": "user-2"}]
    })
}

fn legacy_accept(kind: &str, value: &str) -> Value {
    json!({"invitationIds": [INV], "target": {"type": kind, "value": value}})
}

fn sync_body() -> Value {
    json!({"creatorId": "admin-1", "targetValue": "user-2", "action": "accepted", "componentId": "c-1"})
}

/// A JSON accept body padded with spaces to exactly `size` bytes.
fn padded_accept(size: usize) -> Vec<u8> {
    let mut body = legacy_accept("email", "ada@example.com")
        .to_string()
        .into_bytes();
    body.resize(size, b' ');
    body
}

fn check_jwt(body: &Value) -> Result<(), String> {
    let jwt = body
        .get("jwt")
        .and_then(Value::as_str)
        .ok_or("no `jwt` string")?;
    if body.as_object().map(serde_json::Map::len) != Some(1) || jwt.split('.').count() != 3 {
        return Err("expected exactly {\"jwt\":\"h.p.s\"}".into());
    }
    Ok(())
}

fn check_token(body: &Value) -> Result<(), String> {
    let token = body
        .get("token")
        .and_then(Value::as_str)
        .ok_or("no `token` string")?;
    if body.as_object().map(serde_json::Map::len) != Some(1) || token.split('.').count() != 3 {
        return Err("expected exactly {\"token\":\"h.p.s\"}".into());
    }
    Ok(())
}

/// An invitation object with this id, transformed (`scopes` present, each with `scopeId`).
fn invitation_with_id(id: &str) -> impl Fn(&Value) -> Result<(), String> + Send + Sync + use<> {
    let id = id.to_owned();
    move |body| {
        if body.get("id").and_then(Value::as_str) != Some(id.as_str()) {
            return Err(format!("expected invitation {id:?}"));
        }
        let transformed = body.get("scopes") == body.get("groups")
            && body["scopes"]
                .as_array()
                .is_some_and(|s| s.iter().all(|g| g.get("scopeId") == g.get("groupId")));
        if !transformed {
            return Err("expected the Node transform (scopes = groups, scopeId)".into());
        }
        Ok(())
    }
}

fn accepted_inv1(body: &Value) -> Result<(), String> {
    invitation_with_id(INV)(body)?;
    if body.get("status").and_then(Value::as_str) != Some("accepted") {
        return Err("expected status accepted".into());
    }
    Ok(())
}

/// `{"invitations":[…]}` with exactly these ids, each transformed.
fn list_of(ids: &'static [&'static str]) -> impl Fn(&Value) -> Result<(), String> + Send + Sync {
    move |body| {
        let list = body
            .get("invitations")
            .and_then(Value::as_array)
            .ok_or("no `invitations` array")?;
        if body.as_object().map(serde_json::Map::len) != Some(1) {
            return Err("expected only `invitations`".into());
        }
        let got: Vec<&str> = list
            .iter()
            .map(|i| i.get("id").and_then(Value::as_str).unwrap_or_default())
            .collect();
        if got != ids {
            return Err(format!("expected ids {ids:?}"));
        }
        for item in list {
            if item.get("scopes") != item.get("groups") {
                return Err("expected the Node transform on each invitation".into());
            }
        }
        Ok(())
    }
}

fn success() -> &'static str {
    r#"{"success":true}"#
}

fn list_query(kind: &str, value: &str) -> String {
    format!("targetType={kind}&targetValue={value}")
}

/// The whole table.
#[allow(clippy::too_many_lines)]
pub fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    cases.extend(route_cases());
    cases.extend(auth_cases());
    cases.extend(validation_cases());
    cases.extend(framework_cases());
    cases.extend(upstream_cases());
    cases.extend(path_cases());
    cases
}

/// The cases of `group` that are not known bugs of `framework`.
pub fn group_cases(group: Group, framework: &str) -> Vec<Case> {
    cases()
        .into_iter()
        .filter(|c| c.group == group && c.known_bug_on(framework).is_none())
        .collect()
}

/// The cases that are known bugs of `framework`.
pub fn known_bug_cases(framework: &str) -> Vec<Case> {
    cases()
        .into_iter()
        .filter(|c| c.known_bug_on(framework).is_some())
        .collect()
}

#[allow(clippy::too_many_lines)]
fn route_cases() -> Vec<Case> {
    use Group::Routes as G;
    let accept = "/invitations/accept";
    vec![
        // POST /jwt (React refreshJwt): no body at all, still with the JSON content type.
        Case::new(G, "jwt: no body (React refreshJwt)", "POST", "/jwt").check(check_jwt),
        Case::new(G, "jwt: no body, regular user", "POST", "/jwt")
            .regular()
            .check(check_jwt),
        Case::new(G, "jwt: no body, no content type", "POST", "/jwt")
            .no_content_type()
            .check(check_jwt),
        Case::new(G, "jwt: empty body", "POST", "/jwt")
            .empty_body()
            .check(check_jwt),
        Case::new(G, "jwt: React context body", "POST", "/jwt")
            .json_body(&json!({"context": {"componentId": "c-1", "scope": "team-1", "scopeType": "team"}}))
            .check(check_jwt),
        Case::new(G, "jwt: empty object body", "POST", "/jwt")
            .json_body(&json!({}))
            .check(check_jwt),
        Case::new(G, "jwt: null context", "POST", "/jwt")
            .json_body(&json!({"context": null}))
            .check(check_jwt),
        // POST /token
        Case::new(G, "token: no body", "POST", "/token").check(check_token),
        Case::new(G, "token: empty body", "POST", "/token")
            .empty_body()
            .check(check_token),
        Case::new(G, "token: component, scope, vars, expiresIn", "POST", "/token")
            .regular()
            .json_body(&json!({"component": "c-1", "scope": "team-1", "vars": {"a": 1}, "expiresIn": "1h"}))
            .check(check_token),
        // GET /invitations?targetType=&targetValue= (React getInvitationsByTarget)
        Case::new(
            G,
            "list by target: email (React)",
            "GET",
            format!("/invitations?{}", list_query("email", "ada%40example.com")),
        )
        .seed(invitation(INV))
        .check(list_of(&[INV]))
        .upstream(vec![
            up("GET", "/api/v1/invitations").query(&list_query("email", "ada%40example.com")),
        ]),
        Case::new(
            G,
            "list by target: regular user, own e-mail",
            "GET",
            format!("/invitations?{}", list_query("email", "ada%40example.com")),
        )
        .regular()
        .seed(invitation(INV))
        .check(list_of(&[INV]))
        .upstream(vec![
            up("GET", "/api/v1/invitations").query(&list_query("email", "ada%40example.com")),
        ]),
        Case::new(
            G,
            "list by target: username forwarded unchanged",
            "GET",
            format!("/invitations?{}", list_query("username", "ada")),
        )
        .json(json!({"invitations": []}))
        .upstream(vec![up("GET", "/api/v1/invitations").query(&list_query("username", "ada"))]),
        Case::new(
            G,
            "list by target: phoneNumber forwarded unchanged",
            "GET",
            format!("/invitations?{}", list_query("phoneNumber", "%2B15551234567")),
        )
        .json(json!({"invitations": []}))
        .upstream(vec![
            up("GET", "/api/v1/invitations").query(&list_query("phoneNumber", "%2B15551234567")),
        ]),
        Case::new(
            G,
            "list by target: phone forwarded unchanged",
            "GET",
            format!("/invitations?{}", list_query("phone", "%2B15551234567")),
        )
        .json(json!({"invitations": []}))
        .upstream(vec![
            up("GET", "/api/v1/invitations").query(&list_query("phone", "%2B15551234567")),
        ]),
        Case::new(
            G,
            "list by target: internal forwarded unchanged",
            "GET",
            format!("/invitations?{}", list_query("internal", "user-2")),
        )
        .json(json!({"invitations": []}))
        .upstream(vec![up("GET", "/api/v1/invitations").query(&list_query("internal", "user-2"))]),
        Case::new(
            G,
            "list by target: form-encoded space and reserved characters",
            "GET",
            "/invitations?targetValue=a+b%2Fc%3Fd%23e%26f%3Dg&targetType=email",
        )
        .json(json!({"invitations": []}))
        .upstream(vec![
            up("GET", "/api/v1/invitations").query(&list_query("email", "a%20b%2Fc%3Fd%23e%26f%3Dg")),
        ]),
        // GET /invitations/{id} (React getInvitation)
        Case::new(G, "get invitation (React)", "GET", "/invitations/inv-1")
            .seed(invitation(INV))
            .check(invitation_with_id(INV))
            .upstream(vec![up("GET", "/api/v1/invitations/inv-1")]),
        Case::new(G, "get invitation: a query string is ignored, not forwarded", "GET", "/invitations/inv-1?x=1&targetType=email")
            .seed(invitation(INV))
            .check(invitation_with_id(INV))
            .upstream(vec![up("GET", "/api/v1/invitations/inv-1")]),
        Case::new(G, "jwt: a query string is ignored", "POST", "/jwt?context=x").check(check_jwt),
        Case::new(G, "get invitation: regular user", "GET", "/invitations/inv-1")
            .regular()
            .seed(invitation(INV))
            .check(invitation_with_id(INV))
            .upstream(vec![up("GET", "/api/v1/invitations/inv-1")]),
        // DELETE /invitations/{id} (React revokeInvitation)
        Case::new(G, "revoke invitation (React)", "DELETE", "/invitations/inv-1")
            .seed(invitation(INV))
            .text(success())
            .upstream(vec![up("DELETE", "/api/v1/invitations/inv-1")]),
        // POST /invitations/accept
        Case::new(G, "accept: legacy email target (React)", "POST", accept)
            .seed(invitation(INV))
            .json_body(&legacy_accept("email", "ada@example.com"))
            .check(accepted_inv1)
            .upstream(vec![
                up("POST", "/api/v1/invitations/accept")
                    .body(&json!({"invitationIds": [INV], "user": {"email": "ada@example.com"}})),
            ]),
        Case::new(G, "accept: legacy phoneNumber target maps to phone", "POST", accept)
            .seed(invitation(INV))
            .json_body(&legacy_accept("phoneNumber", "+15551234567"))
            .check(accepted_inv1)
            .upstream(vec![
                up("POST", "/api/v1/invitations/accept")
                    .body(&json!({"invitationIds": [INV], "user": {"phone": "+15551234567"}})),
            ]),
        Case::new(G, "accept: legacy phone target", "POST", accept)
            .seed(invitation(INV))
            .json_body(&legacy_accept("phone", "+15551234567"))
            .check(accepted_inv1)
            .upstream(vec![
                up("POST", "/api/v1/invitations/accept")
                    .body(&json!({"invitationIds": [INV], "user": {"phone": "+15551234567"}})),
            ]),
        Case::new(G, "accept: legacy username target is refused", "POST", accept)
            .seed(invitation(INV))
            .json_body(&legacy_accept("username", "ada"))
            .error_contains(400, &["username", "only", "email or phone"]),
        Case::new(G, "accept: user form, isExisting forwarded", "POST", accept)
            .seed(invitation(INV))
            .json_body(&json!({"invitationIds": [INV], "user": {"email": "ada@example.com", "name": "Ada", "isExisting": true}}))
            .check(accepted_inv1)
            .upstream(vec![up("POST", "/api/v1/invitations/accept").body(
                &json!({"invitationIds": [INV], "user": {"email": "ada@example.com", "name": "Ada", "isExisting": true}}),
            )]),
        Case::new(G, "accept: user form, phone and isExisting false", "POST", accept)
            .seed(invitation(INV))
            .json_body(&json!({"invitationIds": [INV], "user": {"isExisting": false, "phone": "+15551234567"}}))
            .check(accepted_inv1)
            .upstream(vec![up("POST", "/api/v1/invitations/accept").body(
                &json!({"invitationIds": [INV], "user": {"phone": "+15551234567", "isExisting": false}}),
            )]),
        Case::new(G, "accept: user wins over target", "POST", accept)
            .seed(invitation(INV))
            .json_body(&json!({"invitationIds": [INV], "target": {"type": "phone", "value": "+1"}, "user": {"email": "ada@example.com"}}))
            .check(accepted_inv1)
            .upstream(vec![
                up("POST", "/api/v1/invitations/accept")
                    .body(&json!({"invitationIds": [INV], "user": {"email": "ada@example.com"}})),
            ]),
        Case::new(G, "accept: several ids keep their order", "POST", accept)
            .seed(invitation("inv-2"))
            .seed(invitation(INV))
            .json_body(&json!({"invitationIds": ["inv-2", INV], "target": {"type": "email", "value": "ada@example.com"}}))
            .check(accepted_inv1)
            .upstream(vec![up("POST", "/api/v1/invitations/accept").body(
                &json!({"invitationIds": ["inv-2", INV], "user": {"email": "ada@example.com"}}),
            )]),
        Case::new(G, "accept: regular user", "POST", accept)
            .regular()
            .seed(invitation(INV))
            .json_body(&legacy_accept("email", "ada@example.com"))
            .check(accepted_inv1)
            .upstream_count(1),
        // by-group (React) and by-scope
        Case::new(G, "by-group GET (React) calls by-scope upstream", "GET", "/invitations/by-group/team/team-1")
            .seed(invitation(INV))
            .seed(invitation("inv-other").as_object().cloned().map(|mut o| {
                o.insert("groups".into(), json!([group("team", "team-2")]));
                Value::Object(o)
            }).unwrap_or_default())
            .check(list_of(&[INV]))
            .upstream(vec![up("GET", "/api/v1/invitations/by-scope/team/team-1")]),
        Case::new(G, "by-group DELETE (React) calls by-scope upstream", "DELETE", "/invitations/by-group/team/team-1")
            .seed(invitation(INV))
            .text(success())
            .upstream(vec![up("DELETE", "/api/v1/invitations/by-scope/team/team-1")]),
        Case::new(G, "by-scope GET", "GET", "/invitations/by-scope/team/team-1")
            .seed(invitation(INV))
            .check(list_of(&[INV]))
            .upstream(vec![up("GET", "/api/v1/invitations/by-scope/team/team-1")]),
        Case::new(G, "by-scope GET: empty scope", "GET", "/invitations/by-scope/team/nobody")
            .json(json!({"invitations": []}))
            .upstream(vec![up("GET", "/api/v1/invitations/by-scope/team/nobody")]),
        Case::new(G, "by-scope DELETE", "DELETE", "/invitations/by-scope/team/team-1")
            .seed(invitation(INV))
            .text(success())
            .upstream(vec![up("DELETE", "/api/v1/invitations/by-scope/team/team-1")]),
        // POST /invitations/{id}/reinvite (React: no body)
        Case::new(G, "reinvite: no body (React)", "POST", "/invitations/inv-1/reinvite")
            .seed(invitation(INV))
            .check(invitation_with_id(INV))
            .upstream(vec![up("POST", "/api/v1/invitations/inv-1/reinvite")]),
        Case::new(G, "reinvite: empty body", "POST", "/invitations/inv-1/reinvite")
            .seed(invitation(INV))
            .empty_body()
            .check(invitation_with_id(INV))
            .upstream(vec![up("POST", "/api/v1/invitations/inv-1/reinvite")]),
        Case::new(G, "reinvite: empty body, no content type", "POST", "/invitations/inv-1/reinvite")
            .seed(invitation(INV))
            .no_content_type()
            .empty_body()
            .check(invitation_with_id(INV))
            .upstream(vec![up("POST", "/api/v1/invitations/inv-1/reinvite")]),
        // POST /invitations/sync-internal-invitation
        Case::new(G, "sync internal invitation: accepted", "POST", "/invitations/sync-internal-invitation")
            .seed(internal_invitation("int-1"))
            .json_body(&sync_body())
            .text(r#"{"processed":1,"invitationIds":["int-1"]}"#)
            .upstream(vec![
                up("POST", "/api/v1/invitations/sync-internal-invitation").body(&sync_body()),
            ]),
        Case::new(G, "sync internal invitation: declined", "POST", "/invitations/sync-internal-invitation")
            .seed(internal_invitation("int-1"))
            .json_body(&json!({"componentId": "c-1", "action": "declined", "targetValue": "user-2", "creatorId": "admin-1"}))
            .text(r#"{"processed":1,"invitationIds":["int-1"]}"#)
            .upstream(vec![up("POST", "/api/v1/invitations/sync-internal-invitation").body(
                &json!({"creatorId": "admin-1", "targetValue": "user-2", "action": "declined", "componentId": "c-1"}),
            )]),
    ]
}

/// Each route, with a valid request: `(name, method, path, body)`.
fn every_route() -> Vec<(&'static str, &'static str, &'static str, Option<Value>)> {
    vec![
        ("POST /jwt", "POST", "/jwt", None),
        ("POST /token", "POST", "/token", None),
        (
            "GET /invitations",
            "GET",
            "/invitations?targetType=email&targetValue=ada%40example.com",
            None,
        ),
        ("GET /invitations/{id}", "GET", "/invitations/inv-1", None),
        (
            "DELETE /invitations/{id}",
            "DELETE",
            "/invitations/inv-1",
            None,
        ),
        (
            "POST /invitations/accept",
            "POST",
            "/invitations/accept",
            Some(legacy_accept("email", "ada@example.com")),
        ),
        (
            "GET by-scope",
            "GET",
            "/invitations/by-scope/team/team-1",
            None,
        ),
        (
            "DELETE by-scope",
            "DELETE",
            "/invitations/by-scope/team/team-1",
            None,
        ),
        (
            "GET by-group",
            "GET",
            "/invitations/by-group/team/team-1",
            None,
        ),
        (
            "DELETE by-group",
            "DELETE",
            "/invitations/by-group/team/team-1",
            None,
        ),
        ("POST reinvite", "POST", "/invitations/inv-1/reinvite", None),
        (
            "POST sync-internal-invitation",
            "POST",
            "/invitations/sync-internal-invitation",
            Some(sync_body()),
        ),
    ]
}

#[allow(clippy::too_many_lines)]
fn auth_cases() -> Vec<Case> {
    use Group::Auth as G;
    let mut cases = Vec::new();
    for (name, method, path, body) in every_route() {
        let mut case = Case::new(G, format!("401 anonymous: {name}"), method, path)
            .anonymous()
            .seed(invitation(INV))
            .error(401, "Unauthorized");
        if let Some(body) = &body {
            case = case.json_body(body);
        }
        cases.push(case);
        let mut case = Case::new(G, format!("401 invalid user header: {name}"), method, path)
            .by(Who::RawHeader("{not json".into()))
            .error(401, "Unauthorized");
        if let Some(body) = &body {
            case = case.json_body(body);
        }
        cases.push(case);
    }
    let regular_denied = [
        (
            "GET /invitations, another e-mail",
            "GET",
            "/invitations?targetType=email&targetValue=eve%40example.com",
            None,
        ),
        (
            "GET /invitations, own e-mail as username",
            "GET",
            "/invitations?targetType=username&targetValue=ada%40example.com",
            None,
        ),
        (
            "GET /invitations, phone",
            "GET",
            "/invitations?targetType=phone&targetValue=%2B15551234567",
            None,
        ),
        (
            "DELETE /invitations/{id}",
            "DELETE",
            "/invitations/inv-1",
            None,
        ),
        (
            "GET by-scope",
            "GET",
            "/invitations/by-scope/team/team-1",
            None,
        ),
        (
            "DELETE by-scope",
            "DELETE",
            "/invitations/by-scope/team/team-1",
            None,
        ),
        (
            "GET by-group",
            "GET",
            "/invitations/by-group/team/team-1",
            None,
        ),
        (
            "DELETE by-group",
            "DELETE",
            "/invitations/by-group/team/team-1",
            None,
        ),
        ("POST reinvite", "POST", "/invitations/inv-1/reinvite", None),
        (
            "POST sync-internal-invitation",
            "POST",
            "/invitations/sync-internal-invitation",
            Some(sync_body()),
        ),
    ];
    for (name, method, path, body) in regular_denied {
        let mut case = Case::new(G, format!("403 policy message: {name}"), method, path)
            .regular()
            .seed(invitation(INV))
            .error(403, REGULAR_DENIED);
        if let Some(body) = &body {
            case = case.json_body(body);
        }
        cases.push(case);
    }
    cases.extend([
        Case::new(G, "401 user header without an id", "POST", "/jwt")
            .by(Who::RawHeader(r#"{"email":"ada@example.com"}"#.into()))
            .error(401, "Unauthorized"),
        Case::new(
            G,
            "403 default message: policy denies with no message",
            "DELETE",
            format!("/invitations/{DENY_DEFAULT_ID}"),
        )
        .regular()
        .seed(invitation(DENY_DEFAULT_ID))
        .error(403, "Forbidden"),
        Case::new(
            G,
            "policy sees the resource: admin may revoke deny-default",
            "DELETE",
            format!("/invitations/{DENY_DEFAULT_ID}"),
        )
        .seed(invitation(DENY_DEFAULT_ID))
        .text(success())
        .upstream(vec![up("DELETE", "/api/v1/invitations/deny-default")]),
        // Order of checks: authenticate → validate → authorize → upstream.
        Case::new(
            G,
            "order: anonymous with an invalid id gets 401",
            "DELETE",
            "/invitations/%2E%2E",
        )
        .anonymous()
        .error(401, "Unauthorized"),
        Case::new(
            G,
            "order: anonymous with malformed JSON gets 401",
            "POST",
            "/invitations/accept",
        )
        .anonymous()
        .raw_body("{nope")
        .error(401, "Unauthorized"),
        Case::new(
            G,
            "order: anonymous with a body over the limit gets 401",
            "POST",
            "/invitations/accept",
        )
        .anonymous()
        .raw_body(padded_accept(LIMIT + 1))
        .error(401, "Unauthorized"),
        Case::new(
            G,
            "order: validation before the policy (invalid id, denied route)",
            "DELETE",
            "/invitations/%2E%2E",
        )
        .regular()
        .error_contains(400, &["invitationId"]),
        Case::new(
            G,
            "order: validation before the policy (bad targetType)",
            "GET",
            "/invitations?targetType=sms&targetValue=x",
        )
        .regular()
        .error_contains(400, &["targetType"]),
        Case::new(
            G,
            "order: validation before the policy (sync fields)",
            "POST",
            "/invitations/sync-internal-invitation",
        )
        .regular()
        .json_body(&json!({"creatorId": "admin-1"}))
        .error_contains(400, &["targetValue"]),
    ]);
    cases
}

#[allow(clippy::too_many_lines)]
fn validation_cases() -> Vec<Case> {
    use Group::Validation as G;
    let long = "a".repeat(1001);
    let max = "a".repeat(1000);
    let max_multibyte = "%C3%A9".repeat(1000);
    let accept = "/invitations/accept";
    let sync = "/invitations/sync-internal-invitation";
    vec![
        // GET /invitations query
        Case::new(G, "list: no query", "GET", "/invitations").error_contains(400, &["targetType", "targetValue"]),
        Case::new(G, "list: targetValue missing", "GET", "/invitations?targetType=email")
            .error_contains(400, &["targetValue"]),
        Case::new(G, "list: targetType missing", "GET", "/invitations?targetValue=a%40b.c")
            .error_contains(400, &["targetType"]),
        Case::new(G, "list: bad targetType", "GET", "/invitations?targetType=sms&targetValue=x")
            .error_contains(400, &["targetType"]),
        Case::new(G, "list: empty targetValue", "GET", "/invitations?targetType=email&targetValue=")
            .error_contains(400, &["targetValue"]),
        Case::new(G, "list: targetValue over 1000 characters", "GET", format!("/invitations?targetType=email&targetValue={long}"))
            .error_contains(400, &["targetValue", "1000"]),
        Case::new(G, "list: targetValue with a control character", "GET", "/invitations?targetType=email&targetValue=a%0Ab")
            .error_contains(400, &["targetValue", "control"]),
        // ids
        Case::new(G, "id: empty", "GET", "/invitations/").error_contains(400, &["invitationId", "empty"]),
        Case::new(G, "id: over 1000 characters", "GET", format!("/invitations/{long}"))
            .error_contains(400, &["invitationId", "1000"]),
        Case::new(G, "id: 1000 characters is valid", "GET", format!("/invitations/{max}"))
            .error(404, "Not found")
            .upstream(vec![up("GET", &format!("/api/v1/invitations/{max}"))]),
        Case::new(G, "id: 1000 two-byte characters is valid", "GET", format!("/invitations/{max_multibyte}"))
            .error(404, "Not found")
            .upstream(vec![up("GET", &format!("/api/v1/invitations/{max_multibyte}"))]),
        Case::new(G, "id: newline", "GET", "/invitations/a%0Ab").error_contains(400, &["invitationId", "control"]),
        Case::new(G, "id: NUL", "DELETE", "/invitations/a%00b").error_contains(400, &["invitationId", "control"]),
        Case::new(G, "id: DEL", "GET", "/invitations/a%7Fb").error_contains(400, &["invitationId", "control"]),
        Case::new(G, "id: `..` percent-encoded", "GET", "/invitations/%2E%2E").error_contains(400, &["invitationId", "`.` or `..`"]),
        Case::new(G, "id: `..` percent-encoded, lowercase", "DELETE", "/invitations/%2e%2e").error_contains(400, &["invitationId", "`.` or `..`"]),
        Case::new(G, "id: `.` percent-encoded", "GET", "/invitations/%2E").error_contains(400, &["invitationId", "`.` or `..`"]),
        Case::new(G, "id: `..` mixed", "GET", "/invitations/.%2E").error_contains(400, &["invitationId", "`.` or `..`"]),
        Case::new(G, "id: `..` raw", "GET", "/invitations/..").error_contains(400, &["invitationId", "`.` or `..`"]),
        Case::new(G, "id: empty on reinvite", "POST", "/invitations//reinvite")
            .error_contains(400, &["invitationId", "empty"]),
        Case::new(G, "id: `..` on reinvite", "POST", "/invitations/%2E%2E/reinvite").error_contains(400, &["invitationId", "`.` or `..`"]),
        Case::new(G, "id: not UTF-8", "GET", "/invitations/%FF").error_contains(400, &["invitationId", "UTF-8"]),
        Case::new(G, "list: targetValue not UTF-8", "GET", "/invitations?targetType=email&targetValue=%FF")
            .error_contains(400, &["targetValue"]),
        Case::new(G, "scope: empty scope", "GET", "/invitations/by-scope/team/").error_contains(400, &["scope"]),
        Case::new(G, "scope: empty scopeType", "DELETE", "/invitations/by-scope//team-1").error_contains(400, &["scopeType"]),
        Case::new(G, "scope: `..` scopeType", "GET", "/invitations/by-scope/%2E%2E/team-1").error_contains(400, &["scopeType", "`.` or `..`"]),
        Case::new(G, "scope: `.` scope", "DELETE", "/invitations/by-scope/team/%2E").error_contains(400, &["scope", "`.` or `..`"]),
        Case::new(G, "group: empty groupId", "GET", "/invitations/by-group/team/").error_contains(400, &["groupId"]),
        Case::new(G, "group: `..` groupType", "DELETE", "/invitations/by-group/%2E%2E/team-1").error_contains(400, &["groupType", "`.` or `..`"]),
        Case::new(G, "group: control character", "GET", "/invitations/by-group/team/a%09b").error_contains(400, &["groupId", "control"]),
        Case::new(G, "scope: over 1000 characters", "GET", format!("/invitations/by-scope/team/{long}")).error_contains(400, &["scope", "1000"]),
        // accept bodies
        Case::new(G, "accept: malformed JSON", "POST", accept).raw_body(r#"{"invitationIds":"#).error_contains(400, &["JSON"]),
        Case::new(G, "accept: not an object", "POST", accept).json_body(&json!([INV])).error_contains(400, &["object"]),
        Case::new(G, "accept: no body", "POST", accept).status(400),
        Case::new(G, "accept: empty body", "POST", accept).empty_body().status(400),
        Case::new(G, "accept: invitationIds missing", "POST", accept)
            .json_body(&json!({"target": {"type": "email", "value": "a@b.c"}}))
            .error_contains(400, &["invitationIds"]),
        Case::new(G, "accept: invitationIds empty", "POST", accept)
            .json_body(&json!({"invitationIds": [], "target": {"type": "email", "value": "a@b.c"}}))
            .error_contains(400, &["invitationIds"]),
        Case::new(G, "accept: invitationIds not an array", "POST", accept)
            .json_body(&json!({"invitationIds": INV, "target": {"type": "email", "value": "a@b.c"}}))
            .error_contains(400, &["invitationIds"]),
        Case::new(G, "accept: more than 100 invitationIds", "POST", accept)
            .json_body(&json!({"invitationIds": (0..101).map(|i| format!("i{i}")).collect::<Vec<_>>(), "target": {"type": "email", "value": "a@b.c"}}))
            .error_contains(400, &["invitationIds", "100"]),
        Case::new(G, "accept: 100 invitationIds is valid", "POST", accept)
            .json_body(&json!({"invitationIds": (0..100).map(|i| format!("i{i}")).collect::<Vec<_>>(), "target": {"type": "email", "value": "a@b.c"}}))
            .error(404, "Not found")
            .upstream_count(1),
        Case::new(G, "accept: non-string id", "POST", accept)
            .json_body(&json!({"invitationIds": [INV, 7], "target": {"type": "email", "value": "a@b.c"}}))
            .error_contains(400, &["invitationIds[1]"]),
        Case::new(G, "accept: empty id", "POST", accept)
            .json_body(&json!({"invitationIds": [""], "target": {"type": "email", "value": "a@b.c"}}))
            .error_contains(400, &["invitationIds[0]"]),
        Case::new(G, "accept: `..` id", "POST", accept)
            .json_body(&json!({"invitationIds": [".."], "target": {"type": "email", "value": "a@b.c"}}))
            .error_contains(400, &["invitationIds[0]"]),
        Case::new(G, "accept: id over 1000 characters", "POST", accept)
            .json_body(&json!({"invitationIds": [long], "target": {"type": "email", "value": "a@b.c"}}))
            .error_contains(400, &["invitationIds[0]", "1000"]),
        Case::new(G, "accept: neither user nor target", "POST", accept)
            .json_body(&json!({"invitationIds": [INV]}))
            .error_contains(400, &["user", "target"]),
        Case::new(G, "accept: user without email or phone", "POST", accept)
            .json_body(&json!({"invitationIds": [INV], "user": {"name": "Ada"}}))
            .error_contains(400, &["email", "phone"]),
        Case::new(G, "accept: user not an object", "POST", accept)
            .json_body(&json!({"invitationIds": [INV], "user": "ada@example.com"}))
            .error_contains(400, &["user"]),
        Case::new(G, "accept: isExisting not a boolean", "POST", accept)
            .json_body(&json!({"invitationIds": [INV], "user": {"email": "a@b.c", "isExisting": "yes"}}))
            .error_contains(400, &["isExisting"]),
        Case::new(G, "accept: user.email with a control character", "POST", accept)
            .json_body(&json!({"invitationIds": [INV], "user": {"email": "a@b.c\n"}}))
            .error_contains(400, &["email"]),
        Case::new(G, "accept: target.value over 1000 characters", "POST", accept)
            .json_body(&legacy_accept("email", &long))
            .error_contains(400, &["target.value", "1000"]),
        Case::new(G, "accept: target without value", "POST", accept)
            .json_body(&json!({"invitationIds": [INV], "target": {"type": "email"}}))
            .error_contains(400, &["target"]),
        Case::new(G, "accept: unknown target type", "POST", accept)
            .json_body(&legacy_accept("sms", "+1555"))
            .error_contains(400, &["target.type"]),
        // sync-internal-invitation fields
        Case::new(G, "sync: creatorId missing", "POST", sync)
            .json_body(&json!({"targetValue": "user-2", "action": "accepted", "componentId": "c-1"}))
            .error_contains(400, &["creatorId"]),
        Case::new(G, "sync: creatorId not a string", "POST", sync)
            .json_body(&json!({"creatorId": 5, "targetValue": "user-2", "action": "accepted", "componentId": "c-1"}))
            .error_contains(400, &["creatorId"]),
        Case::new(G, "sync: targetValue empty", "POST", sync)
            .json_body(&json!({"creatorId": "admin-1", "targetValue": "", "action": "accepted", "componentId": "c-1"}))
            .error_contains(400, &["targetValue"]),
        Case::new(G, "sync: bad action", "POST", sync)
            .json_body(&json!({"creatorId": "admin-1", "targetValue": "user-2", "action": "maybe", "componentId": "c-1"}))
            .error_contains(400, &["action", "accepted", "declined"]),
        Case::new(G, "sync: componentId missing", "POST", sync)
            .json_body(&json!({"creatorId": "admin-1", "targetValue": "user-2", "action": "declined"}))
            .error_contains(400, &["componentId"]),
        Case::new(G, "sync: empty body", "POST", sync).empty_body().status(400),
        Case::new(G, "sync: malformed JSON", "POST", sync).raw_body("{").error_contains(400, &["JSON"]),
        // /jwt and /token bodies
        Case::new(G, "jwt: malformed JSON", "POST", "/jwt").raw_body("{").error_contains(400, &["JSON"]),
        Case::new(G, "jwt: body not an object", "POST", "/jwt").json_body(&json!([1])).error_contains(400, &["object"]),
        Case::new(G, "jwt: context not an object", "POST", "/jwt")
            .json_body(&json!({"context": "team-1"}))
            .error_contains(400, &["context"]),
        Case::new(G, "token: user in the body", "POST", "/token")
            .json_body(&json!({"user": {"id": "someone-else"}}))
            .error_contains(400, &["user"]),
        Case::new(G, "token: user in the body, regular user", "POST", "/token")
            .regular()
            .json_body(&json!({"component": "c-1", "user": {"id": "admin-1"}}))
            .error_contains(400, &["user"]),
        Case::new(G, "token: expiresIn longer than the configured lifetime", "POST", "/token")
            .json_body(&json!({"expiresIn": "31d"}))
            .error_contains(400, &["expiresIn"]),
        Case::new(G, "token: malformed expiresIn", "POST", "/token")
            .json_body(&json!({"expiresIn": "10x"}))
            .status(400),
        Case::new(G, "token: zero expiresIn", "POST", "/token")
            .json_body(&json!({"expiresIn": 0}))
            .status(400),
        Case::new(G, "token: vars not an object", "POST", "/token")
            .json_body(&json!({"vars": [1]}))
            .error_contains(400, &["vars"]),
        Case::new(G, "token: component not a string", "POST", "/token")
            .json_body(&json!({"component": 5}))
            .error_contains(400, &["component"]),
        Case::new(G, "token: malformed JSON", "POST", "/token").raw_body("{\"a\"").error_contains(400, &["JSON"]),
    ]
}

#[allow(clippy::too_many_lines)]
fn framework_cases() -> Vec<Case> {
    use Group::Framework as G;
    let accept = "/invitations/accept";
    let not_allowed = |name: &str, method: &str, path: &str, allow: &str| {
        Case::new(G, format!("405: {name}"), method, path)
            .error(405, "Method not allowed")
            .expect_header("allow", allow)
    };
    vec![
        Case::new(G, "404: unknown path", "GET", "/nope").error(404, "Not found"),
        Case::new(G, "404: the mount point itself", "GET", "").error(404, "Not found"),
        Case::new(G, "404: the mount point with a slash", "GET", "/")
            .error(404, "Not found")
            .known_bug("axum", AXUM_MOUNT_SLASH),
        Case::new(G, "404: trailing slash", "POST", "/jwt/").error(404, "Not found"),
        Case::new(
            G,
            "404: double slash (React base URL ending in /)",
            "POST",
            "//jwt",
        )
        .error(404, "Not found"),
        Case::new(G, "404: extra segment", "GET", "/invitations/inv-1/extra")
            .error(404, "Not found"),
        Case::new(
            G,
            "404: by-scope with one segment",
            "GET",
            "/invitations/by-scope/team",
        )
        .error(404, "Not found"),
        Case::new(
            G,
            "404: by-scope autojoin is not a route",
            "GET",
            "/invitations/by-scope/team/t/autojoin",
        )
        .error(404, "Not found"),
        Case::new(G, "404: anonymous, unknown path", "GET", "/nope")
            .anonymous()
            .error(404, "Not found"),
        Case::new(G, "404: paths are case-sensitive", "POST", "/JWT").error(404, "Not found"),
        Case::new(
            G,
            "500: a panic inside the router (policy) is JSON `Internal error`",
            "GET",
            format!("/invitations/{PANIC_ID}"),
        )
        .error(500, "Internal error"),
        not_allowed("GET /jwt", "GET", "/jwt", "POST"),
        not_allowed("DELETE /token", "DELETE", "/token", "POST"),
        not_allowed("POST /invitations", "POST", "/invitations", "GET"),
        not_allowed(
            "PUT /invitations/{id}",
            "PUT",
            "/invitations/inv-1",
            "GET, DELETE",
        ),
        not_allowed(
            "PATCH /invitations/{id}",
            "PATCH",
            "/invitations/inv-1",
            "GET, DELETE",
        ),
        not_allowed("GET /invitations/accept", "GET", accept, "POST"),
        not_allowed("DELETE /invitations/accept", "DELETE", accept, "POST"),
        not_allowed(
            "GET sync-internal-invitation",
            "GET",
            "/invitations/sync-internal-invitation",
            "POST",
        ),
        not_allowed("GET reinvite", "GET", "/invitations/inv-1/reinvite", "POST"),
        not_allowed(
            "POST by-scope",
            "POST",
            "/invitations/by-scope/team/team-1",
            "GET, DELETE",
        ),
        not_allowed(
            "PUT by-group",
            "PUT",
            "/invitations/by-group/team/team-1",
            "GET, DELETE",
        ),
        not_allowed("GET /jwt, anonymous", "GET", "/jwt", "POST").anonymous(),
        // 413 over the body limit (64 KiB by default), exactly the limit passes.
        Case::new(G, "413: accept over 64 KiB", "POST", accept)
            .raw_body(padded_accept(LIMIT + 1))
            .status(413),
        Case::new(G, "413: jwt over 64 KiB", "POST", "/jwt")
            .raw_body(vec![b' '; LIMIT + 1])
            .status(413),
        Case::new(G, "413: chunked accept over 64 KiB", "POST", accept)
            .chunked_body(padded_accept(LIMIT + 1))
            .status(413),
        Case::new(
            G,
            "413: body on a GET over 64 KiB",
            "GET",
            "/invitations/inv-1",
        )
        .raw_body(vec![b' '; LIMIT + 1])
        .status(413),
        Case::new(G, "64 KiB exactly is accepted", "POST", accept)
            .seed(invitation(INV))
            .raw_body(padded_accept(LIMIT))
            .check(accepted_inv1)
            .upstream_count(1),
        Case::new(G, "64 KiB exactly, chunked, is accepted", "POST", accept)
            .seed(invitation(INV))
            .chunked_body(padded_accept(LIMIT))
            .check(accepted_inv1)
            .upstream_count(1),
        Case::new(G, "413: configured limit of 1 KiB", "POST", accept)
            .body_limit(1024)
            .raw_body(padded_accept(1025))
            .status(413),
        Case::new(G, "configured limit of 1 KiB, exactly", "POST", accept)
            .body_limit(1024)
            .seed(invitation(INV))
            .raw_body(padded_accept(1024))
            .check(accepted_inv1)
            .upstream_count(1),
    ]
}

fn status_fault(status: u16) -> Fault {
    Fault::new().status(status)
}

#[allow(clippy::too_many_lines)]
fn upstream_cases() -> Vec<Case> {
    use Group::Upstream as G;
    let get = "/invitations/inv-1";
    let accept = "/invitations/accept";
    let accept_body = legacy_accept("email", "ada@example.com");
    let unavailable = "Vortex API unavailable";
    let rejected = "Vortex API rejected the server credentials";
    vec![
        // upstream 404
        Case::new(G, "upstream 404 on get", "GET", "/invitations/missing")
            .error(404, "Not found")
            .upstream(vec![up("GET", "/api/v1/invitations/missing")]),
        Case::new(
            G,
            "upstream 404 on revoke",
            "DELETE",
            "/invitations/missing",
        )
        .error(404, "Not found")
        .upstream_count(1),
        Case::new(
            G,
            "upstream 404 on reinvite",
            "POST",
            "/invitations/missing/reinvite",
        )
        .error(404, "Not found")
        .upstream_count(1),
        Case::new(G, "upstream 404 on accept", "POST", accept)
            .json_body(&accept_body)
            .error(404, "Not found")
            .upstream_count(1),
        // upstream 401/403: our key is rejected
        Case::new(G, "upstream 401 (wrong key) on get", "GET", get)
            .seed(invitation(INV))
            .upstream_mode(UpstreamMode::WrongKey)
            .error(502, rejected)
            .upstream_count(1),
        Case::new(G, "upstream 401 (fault) on accept", "POST", accept)
            .fault(status_fault(401))
            .json_body(&accept_body)
            .error(502, rejected)
            .upstream_count(1),
        Case::new(
            G,
            "upstream 403 on list",
            "GET",
            "/invitations/by-scope/team/team-1",
        )
        .fault(status_fault(403))
        .error(502, rejected)
        .upstream_count(1),
        // upstream 429
        Case::new(
            G,
            "upstream 429 with Retry-After on POST",
            "POST",
            "/invitations/inv-1/reinvite",
        )
        .seed(invitation(INV))
        .fault(status_fault(429).header("Retry-After", "7"))
        .status(503)
        .expect_header("retry-after", "7")
        .upstream_count(1),
        Case::new(G, "upstream 429 with a long Retry-After on GET", "GET", get)
            .seed(invitation(INV))
            .fault(status_fault(429).header("Retry-After", "30").count(3))
            .status(503)
            .expect_header("retry-after", "30")
            .upstream_count(1),
        // A wait longer than the call's deadline fails the call at once; the caller is told
        // when to come back.
        Case::new(G, "upstream 503 with a long Retry-After on GET", "GET", get)
            .seed(invitation(INV))
            .fault(status_fault(503).header("Retry-After", "30").count(3))
            .status(503)
            .expect_header("retry-after", "30")
            .upstream_count(1),
        Case::new(
            G,
            "upstream 429 with an HTTP-date Retry-After on POST",
            "POST",
            "/invitations/inv-1/reinvite",
        )
        .fault(status_fault(429).header("Retry-After", "Fri, 01 Jan 2100 00:00:00 GMT"))
        .status(503)
        .expect_header_present("retry-after")
        .upstream_count(1),
        Case::new(
            G,
            "upstream 429 without Retry-After on POST",
            "POST",
            accept,
        )
        .fault(status_fault(429))
        .json_body(&accept_body)
        .status(503)
        .expect_no_header("retry-after")
        .upstream_count(1),
        Case::new(G, "upstream 429 on GET retried, then 503", "GET", get)
            .fault(status_fault(429).count(5))
            .status(503)
            .expect_no_header("retry-after")
            .upstream_count(2),
        // upstream 5xx
        Case::new(G, "upstream 500 on get", "GET", get)
            .fault(status_fault(500).count(5))
            .error(502, unavailable)
            .upstream_count(1),
        Case::new(G, "upstream 500 on accept", "POST", accept)
            .fault(status_fault(500))
            .json_body(&accept_body)
            .error(502, unavailable)
            .upstream_count(1),
        Case::new(
            G,
            "upstream 503 on GET retried, then 502",
            "GET",
            "/invitations/by-group/team/team-1",
        )
        .fault(status_fault(503).count(5))
        .error(502, unavailable)
        .upstream_count(2),
        Case::new(G, "upstream 502 once on GET, retried, then 200", "GET", get)
            .seed(invitation(INV))
            .fault(status_fault(502))
            .check(invitation_with_id(INV))
            .upstream_count(2),
        Case::new(G, "upstream 504 on DELETE retried, then 502", "DELETE", get)
            .fault(status_fault(504).count(5))
            .error(502, unavailable)
            .upstream_count(2),
        Case::new(
            G,
            "upstream 502 on POST is not retried",
            "POST",
            "/invitations/sync-internal-invitation",
        )
        .fault(status_fault(502).count(5))
        .json_body(&sync_body())
        .error(502, unavailable)
        .upstream_count(1),
        Case::new(G, "upstream 500 with a text body", "GET", get)
            .fault(
                Fault::new()
                    .status(500)
                    .body(FaultBody::Json(json!("<html>Internal Server Error</html>"))),
            )
            .error(502, unavailable)
            .upstream_count(1),
        // undecodable answers
        Case::new(G, "upstream malformed JSON on get", "GET", get)
            .fault(Fault::new().body(FaultBody::Malformed))
            .error(502, unavailable)
            .upstream_count(1),
        Case::new(
            G,
            "upstream malformed JSON on list",
            "GET",
            "/invitations?targetType=email&targetValue=a%40b.c",
        )
        .fault(Fault::new().body(FaultBody::Malformed))
        .error(502, unavailable)
        .upstream_count(1),
        Case::new(G, "upstream empty 200 on get", "GET", get)
            .fault(Fault::new().status(200).body(FaultBody::Empty))
            .error(502, unavailable)
            .upstream_count(1),
        Case::new(G, "upstream array instead of an invitation", "GET", get)
            .fault(Fault::new().body(FaultBody::Json(json!([1, 2]))))
            .error(502, unavailable)
            .upstream_count(1),
        // Answers of the wrong shape are 502 on every route, never passed on as 200.
        Case::new(G, "upstream invitation without id on get", "GET", get)
            .fault(Fault::new().body(FaultBody::Json(json!({"status": "pending"}))))
            .error(502, unavailable)
            .upstream_count(1),
        Case::new(
            G,
            "upstream invitation without id on reinvite",
            "POST",
            "/invitations/inv-1/reinvite",
        )
        .fault(Fault::new().body(FaultBody::Json(json!({"status": "pending"}))))
        .error(502, unavailable)
        .upstream_count(1),
        Case::new(G, "upstream accept result not an object", "POST", accept)
            .fault(Fault::new().body(FaultBody::Json(json!([1]))))
            .json_body(&accept_body)
            .error(502, unavailable)
            .upstream_count(1),
        Case::new(
            G,
            "upstream object without invitations on list",
            "GET",
            "/invitations/by-scope/team/team-1",
        )
        .fault(Fault::new().body(FaultBody::Json(json!({}))))
        .error(502, unavailable)
        .upstream_count(1),
        Case::new(
            G,
            "upstream invitations not an array",
            "GET",
            "/invitations?targetType=email&targetValue=a%40b.c",
        )
        .fault(Fault::new().body(FaultBody::Json(json!({"invitations": "none"}))))
        .error(502, unavailable)
        .upstream_count(1),
        Case::new(
            G,
            "upstream empty 200 on reinvite",
            "POST",
            "/invitations/inv-1/reinvite",
        )
        .fault(Fault::new().status(200).body(FaultBody::Empty))
        .error(502, unavailable)
        .upstream_count(1),
        Case::new(
            G,
            "upstream string on sync",
            "POST",
            "/invitations/sync-internal-invitation",
        )
        .fault(Fault::new().body(FaultBody::Json(json!("ok"))))
        .json_body(&sync_body())
        .error(502, unavailable)
        .upstream_count(1),
        Case::new(G, "upstream empty 200 on DELETE is success", "DELETE", get)
            .fault(Fault::new().status(200).body(FaultBody::Empty))
            .text(success())
            .upstream_count(1),
        Case::new(
            G,
            "upstream empty 204 on DELETE by scope is success",
            "DELETE",
            "/invitations/by-scope/team/team-1",
        )
        .fault(Fault::new().status(204))
        .text(success())
        .upstream_count(1),
        // timeouts and connection failures
        // Generous margins: on a loaded 2-core machine a 300 ms budget can run out before the
        // request even reaches the mock.
        Case::new(G, "upstream timeout on GET", "GET", get)
            .client_timeout(Duration::from_millis(1000))
            .fault(Fault::new().delay(Duration::from_millis(3000)).count(3))
            .error(504, "Vortex API timed out")
            .upstream_count(1),
        Case::new(G, "upstream timeout on accept", "POST", accept)
            .client_timeout(Duration::from_millis(1000))
            .fault(Fault::new().delay(Duration::from_millis(3000)))
            .json_body(&accept_body)
            .error(504, "Vortex API timed out")
            .upstream_count(1),
        Case::new(G, "upstream unreachable", "GET", get)
            .upstream_mode(UpstreamMode::Unreachable)
            .error(502, unavailable),
        // 400/409/422 pass through with the upstream's message
        Case::new(
            G,
            "upstream 400 with a message",
            "GET",
            "/invitations?targetType=email&targetValue=x",
        )
        .fault(Fault::new().status(400).body(FaultBody::Json(
            json!({"error": "Bad request", "message": "targetValue is not a valid email"}),
        )))
        .error(400, "targetValue is not a valid email")
        .upstream_count(1),
        Case::new(G, "upstream 409 with an error", "POST", accept)
            .fault(Fault::new().status(409).body(FaultBody::Json(
                json!({"error": "Invitation already accepted"}),
            )))
            .json_body(&accept_body)
            .error(409, "Invitation already accepted")
            .upstream_count(1),
        Case::new(
            G,
            "upstream 422 with a message",
            "POST",
            "/invitations/sync-internal-invitation",
        )
        .fault(Fault::new().status(422).body(FaultBody::Json(
            json!({"message": "componentId does not exist"}),
        )))
        .json_body(&sync_body())
        .error(422, "componentId does not exist")
        .upstream_count(1),
        Case::new(G, "upstream 422 without a body", "POST", accept)
            .fault(Fault::new().status(422).body(FaultBody::Empty))
            .json_body(&accept_body)
            .status(422)
            .upstream_count(1),
        Case::new(G, "upstream 409 with a long message", "POST", accept)
            .fault(
                Fault::new()
                    .status(409)
                    .body(FaultBody::Json(json!({"message": "x".repeat(2000)}))),
            )
            .json_body(&accept_body)
            .status(409)
            .check(|body| {
                let error = body["error"].as_str().unwrap_or_default();
                if error.len() > 300 {
                    return Err("a long upstream message must not be passed through".into());
                }
                Ok(())
            })
            .upstream_count(1),
        Case::new(
            G,
            "upstream error echoing the API key is redacted",
            "POST",
            accept,
        )
        .fault_with_key(|key| {
            Fault::new().status(400).body(FaultBody::Json(
                json!({"message": format!("key {key} is not allowed here")}),
            ))
        })
        .json_body(&accept_body)
        .error_contains(400, &["redacted"])
        .upstream_count(1),
        Case::new(G, "upstream 500 echoing the API key", "GET", get)
            .fault_with_key(|key| {
                Fault::new()
                    .status(500)
                    .body(FaultBody::Json(json!({"error": format!("bad key {key}")})))
            })
            .error(502, unavailable)
            .upstream_count(1),
    ]
}

/// Ids with reserved characters: (as sent by the React provider, the decoded id).
const ODD_IDS: [(&str, &str); 12] = [
    ("a%2Fb", "a/b"),
    ("a%3Fb", "a?b"),
    ("a%23b", "a#b"),
    ("a%25b", "a%b"),
    ("..%2Fx", "../x"),
    ("a%20b", "a b"),
    ("%C3%A9", "é"),
    ("a%2Bb%40c", "a+b@c"),
    (
        "..%2F..%2Fv1%2Finvitations%3FtargetType%3Demail",
        "../../v1/invitations?targetType=email",
    ),
    ("%2E%2E%2Fx", "../x"),
    ("a.b", "a.b"),
    ("...", "..."),
];

#[allow(clippy::too_many_lines)]
fn path_cases() -> Vec<Case> {
    use Group::Paths as G;
    let mut cases = Vec::new();
    for (sent, id) in ODD_IDS {
        let upstream = format!("/api/v1/invitations/{}", encode_segment(id));
        cases.push(
            Case::new(
                G,
                format!("GET id {sent}"),
                "GET",
                format!("/invitations/{sent}"),
            )
            .seed(invitation(id))
            .check(invitation_with_id(id))
            .upstream(vec![up("GET", &upstream)]),
        );
    }
    cases.extend([
        Case::new(G, "GET id: lowercase escapes are normalised, still one segment", "GET", "/invitations/a%2fb")
            .seed(invitation("a/b"))
            .check(invitation_with_id("a/b"))
            .upstream(vec![up("GET", "/api/v1/invitations/a%2Fb")]),
        Case::new(G, "GET id: `+` in a path is not a space", "GET", "/invitations/a+b")
            .seed(invitation("a+b"))
            .check(invitation_with_id("a+b"))
            .upstream(vec![up("GET", "/api/v1/invitations/a%2Bb")]),
        Case::new(G, "GET id: characters encodeURIComponent leaves raw", "GET", "/invitations/it's(1)*!")
            .seed(invitation("it's(1)*!"))
            .check(invitation_with_id("it's(1)*!"))
            .upstream(vec![up("GET", "/api/v1/invitations/it%27s%281%29%2A%21")]),
        Case::new(G, "DELETE id a%2Fb", "DELETE", "/invitations/a%2Fb")
            .seed(invitation("a/b"))
            .text(success())
            .upstream(vec![up("DELETE", "/api/v1/invitations/a%2Fb")]),
        Case::new(G, "reinvite id a%3Fb", "POST", "/invitations/a%3Fb/reinvite")
            .seed(invitation("a?b"))
            .check(invitation_with_id("a?b"))
            .upstream(vec![up("POST", "/api/v1/invitations/a%3Fb/reinvite")]),
        Case::new(G, "reinvite id ..%2Fx", "POST", "/invitations/..%2Fx/reinvite")
            .seed(invitation("../x"))
            .check(invitation_with_id("../x"))
            .upstream(vec![up("POST", "/api/v1/invitations/..%2Fx/reinvite")]),
        Case::new(G, "by-scope GET team%20x / a%2Fb", "GET", "/invitations/by-scope/team%20x/a%2Fb")
            .seed(json!({"id": "scoped", "groups": [group("team x", "a/b")]}))
            .check(list_of(&["scoped"]))
            .upstream(vec![up("GET", "/api/v1/invitations/by-scope/team%20x/a%2Fb")]),
        Case::new(G, "by-group GET team / ..%2Fx", "GET", "/invitations/by-group/team/..%2Fx")
            .seed(json!({"id": "scoped", "groups": [group("team", "../x")]}))
            .check(list_of(&["scoped"]))
            .upstream(vec![up("GET", "/api/v1/invitations/by-scope/team/..%2Fx")]),
        Case::new(G, "by-scope DELETE a%23b / %C3%A9%25", "DELETE", "/invitations/by-scope/a%23b/%C3%A9%25")
            .text(success())
            .upstream(vec![up("DELETE", "/api/v1/invitations/by-scope/a%23b/%C3%A9%25")]),
        Case::new(G, "by-group DELETE a%3Fb / a%2F..", "DELETE", "/invitations/by-group/a%3Fb/a%2F..")
            .text(success())
            .upstream(vec![up("DELETE", "/api/v1/invitations/by-scope/a%3Fb/a%2F..")]),
        Case::new(G, "accept ids with reserved characters stay in the JSON body", "POST", "/invitations/accept")
            .seed(invitation("a/b?c"))
            .json_body(&json!({"invitationIds": ["a/b?c"], "target": {"type": "email", "value": "ada@example.com"}}))
            .check(invitation_with_id("a/b?c"))
            .upstream(vec![up("POST", "/api/v1/invitations/accept")
                .body(&json!({"invitationIds": ["a/b?c"], "user": {"email": "ada@example.com"}}))]),
    ]);
    cases
}

/// Percent-encodes a path segment: everything but RFC 3986 unreserved characters,
/// uppercase hex (written independently of the client's encoder).
pub fn encode_segment(segment: &str) -> String {
    let mut out = String::new();
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
