//! `/jwt` and `/token` answers, byte for byte.
//!
//! The clock cannot be pinned through HTTP, but the issue time is inside the token (`iat`
//! in the JWT header, `iat` in the widget token payload): each token is decoded, its header
//! and payload compared as exact JSON text (key order included) with the time fields
//! substituted, its signature verified independently with HMAC-SHA256 under the signing key
//! derived from the mock's API key, and the whole token compared with
//! `vortex_client::Signer` output for the same input at that `iat`.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{KeyInit as _, Mac as _};
use serde_json::{Map, Value, json};
use vortex_client::time::FixedClock;
use vortex_client::token::{TokenOptions, TokenPayload};
use vortex_client::{ApiKey, ExpiresIn, Signer};
use vortex_routes::VortexUser;

use super::{Failures, request, send, with_body};
use crate::app::{Framework, MOUNT};
use crate::env::{Env, EnvOptions, admin, regular};

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

const THIRTY_DAYS: u64 = 30 * 24 * 3600;

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A user with every field: avatar, a non-autojoin admin scope, domains and attributes.
pub fn full_user() -> VortexUser {
    VortexUser::new("user-3")
        .email("eve@example.com")
        .name("Eve")
        .avatar_url("https://example.com/eve.png")
        .admin_scopes(["billing"])
        .allowed_email_domains(["example.com"])
        .attribute("plan", "pro")
        .attribute("seats", 3)
}

/// A user with no e-mail.
pub fn no_email_user() -> VortexUser {
    VortexUser::new("user-no-email")
}

/// A user whose name needs JSON escapes and non-ASCII output.
pub fn unicode_user() -> VortexUser {
    VortexUser::new("user-ü")
        .email("zoe@example.com")
        .name("Zoë \"Z\" </script> \u{1F600}")
}

/// A decoded token.
#[derive(Debug)]
struct Decoded {
    header: String,
    payload: String,
    signature: Vec<u8>,
    signed: String,
}

fn decode(token: &str) -> Result<Decoded, String> {
    let parts: Vec<&str> = token.split('.').collect();
    let [header, payload, signature] = parts.as_slice() else {
        return Err(format!("not a three-part token: {token}"));
    };
    let text = |part: &str| -> Result<String, String> {
        let bytes = URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|e| format!("not unpadded base64url: {e}"))?;
        String::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))
    };
    Ok(Decoded {
        header: text(header)?,
        payload: text(payload)?,
        signature: URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|e| format!("signature not base64url: {e}"))?,
        signed: format!("{header}.{payload}"),
    })
}

fn verify(decoded: &Decoded, key: &ApiKey) -> Result<(), String> {
    let mut mac = HmacSha256::new_from_slice(key.expose_signing_key())
        .map_err(|e| format!("HMAC key: {e}"))?;
    mac.update(decoded.signed.as_bytes());
    mac.verify_slice(&decoded.signature)
        .map_err(|_| "the signature does not verify with the signing key".to_owned())
}

fn number_at(text: &str, key: &str) -> Option<u64> {
    serde_json::from_str::<Value>(text).ok()?.get(key)?.as_u64()
}

/// The Node `generateJwt` params for a user (`{"user":{…}, "attributes"?}`), written from
/// the user's fields independently of the router.
fn jwt_params(user: &VortexUser, extra_attributes: Option<&Value>) -> Map<String, Value> {
    let mut node_user = Map::new();
    node_user.insert("id".into(), json!(user.id));
    if let Some(email) = &user.email {
        node_user.insert("email".into(), json!(email));
    }
    if let Some(name) = &user.name {
        node_user.insert("name".into(), json!(name));
    }
    if let Some(avatar) = &user.avatar_url {
        node_user.insert("avatarUrl".into(), json!(avatar));
    }
    if !user.admin_scopes.is_empty() {
        node_user.insert("adminScopes".into(), json!(user.admin_scopes));
    }
    if !user.allowed_email_domains.is_empty() {
        node_user.insert(
            "allowedEmailDomains".into(),
            json!(user.allowed_email_domains),
        );
    }
    let mut params = Map::new();
    params.insert("user".into(), Value::Object(node_user));
    let mut attributes = user.attributes.clone();
    if let Some(Value::Object(extra)) = extra_attributes {
        attributes
            .get_or_insert_with(Map::new)
            .extend(extra.clone());
    }
    if let Some(attributes) = attributes {
        params.insert("attributes".into(), Value::Object(attributes));
    }
    params
}

/// A `/jwt` case: user, body, expected payload text for an `expires` value.
struct JwtCase {
    name: &'static str,
    user: VortexUser,
    body: Option<Value>,
    payload: fn(u64) -> String,
    extra_attributes: Option<Value>,
}

fn jwt_cases() -> Vec<JwtCase> {
    vec![
        JwtCase {
            name: "jwt: admin with name and adminScopes [autojoin]",
            user: admin(),
            body: None,
            payload: |exp| {
                format!(
                    r#"{{"userId":"admin-1","userEmail":"admin@example.com","expires":{exp},"identifiers":[{{"type":"email","value":"admin@example.com"}}],"name":"Admin User","adminScopes":["autojoin"],"userIsAutojoinAdmin":true,"role":"admin"}}"#
                )
            },
            extra_attributes: None,
        },
        JwtCase {
            name: "jwt: regular user",
            user: regular(),
            body: None,
            payload: |exp| {
                format!(
                    r#"{{"userId":"user-1","userEmail":"ada@example.com","expires":{exp},"identifiers":[{{"type":"email","value":"ada@example.com"}}],"name":"Ada Lovelace"}}"#
                )
            },
            extra_attributes: None,
        },
        JwtCase {
            name: "jwt: user without e-mail",
            user: no_email_user(),
            body: None,
            payload: |exp| {
                format!(r#"{{"userId":"user-no-email","expires":{exp},"identifiers":[]}}"#)
            },
            extra_attributes: None,
        },
        JwtCase {
            name: "jwt: every field, attributes nested",
            user: full_user(),
            body: None,
            payload: |exp| {
                format!(
                    r#"{{"userId":"user-3","userEmail":"eve@example.com","expires":{exp},"identifiers":[{{"type":"email","value":"eve@example.com"}}],"name":"Eve","avatarUrl":"https://example.com/eve.png","adminScopes":["billing"],"allowedEmailDomains":["example.com"],"attributes":{{"plan":"pro","seats":3}}}}"#
                )
            },
            extra_attributes: None,
        },
        JwtCase {
            name: "jwt: empty e-mail is emitted, no identifiers; empty name and avatar omitted",
            user: VortexUser::new("user-5").email("").name("").avatar_url(""),
            body: None,
            payload: |exp| {
                format!(r#"{{"userId":"user-5","userEmail":"","expires":{exp},"identifiers":[]}}"#)
            },
            extra_attributes: None,
        },
        JwtCase {
            name: "jwt: empty attributes are still nested",
            user: {
                let mut user = VortexUser::new("user-4").email("bo@example.com");
                user.attributes = Some(Map::new());
                user
            },
            body: None,
            payload: |exp| {
                format!(
                    r#"{{"userId":"user-4","userEmail":"bo@example.com","expires":{exp},"identifiers":[{{"type":"email","value":"bo@example.com"}}],"attributes":{{}}}}"#
                )
            },
            extra_attributes: None,
        },
        JwtCase {
            name: "jwt: escapes and non-ASCII as JSON.stringify writes them",
            user: unicode_user(),
            body: None,
            payload: |exp| {
                format!(
                    "{{\"userId\":\"user-\u{fc}\",\"userEmail\":\"zoe@example.com\",\"expires\":{exp},\"identifiers\":[{{\"type\":\"email\",\"value\":\"zoe@example.com\"}}],\"name\":\"Zo\u{eb} \\\"Z\\\" </script> \u{1F600}\"}}"
                )
            },
            extra_attributes: None,
        },
        JwtCase {
            name: "jwt: React context through the attributes hook",
            user: admin(),
            body: Some(
                json!({"context": {"componentId": "c-1", "scope": "team-1", "scopeType": "team"}}),
            ),
            payload: |exp| {
                format!(
                    r#"{{"userId":"admin-1","userEmail":"admin@example.com","expires":{exp},"identifiers":[{{"type":"email","value":"admin@example.com"}}],"name":"Admin User","adminScopes":["autojoin"],"userIsAutojoinAdmin":true,"role":"admin","attributes":{{"componentId":"c-1"}}}}"#
                )
            },
            extra_attributes: Some(json!({"componentId": "c-1"})),
        },
        JwtCase {
            name: "jwt: hook attributes merged over the user's",
            user: full_user(),
            body: Some(json!({"context": {"componentId": "c-9"}})),
            payload: |exp| {
                format!(
                    r#"{{"userId":"user-3","userEmail":"eve@example.com","expires":{exp},"identifiers":[{{"type":"email","value":"eve@example.com"}}],"name":"Eve","avatarUrl":"https://example.com/eve.png","adminScopes":["billing"],"allowedEmailDomains":["example.com"],"attributes":{{"plan":"pro","seats":3,"componentId":"c-9"}}}}"#
                )
            },
            extra_attributes: Some(json!({"componentId": "c-9"})),
        },
        JwtCase {
            name: "jwt: context without componentId adds nothing",
            user: regular(),
            body: Some(json!({"context": {"scope": "team-1"}})),
            payload: |exp| {
                format!(
                    r#"{{"userId":"user-1","userEmail":"ada@example.com","expires":{exp},"identifiers":[{{"type":"email","value":"ada@example.com"}}],"name":"Ada Lovelace"}}"#
                )
            },
            extra_attributes: None,
        },
    ]
}

/// Checks `/jwt` tokens byte for byte.
///
/// # Panics
///
/// On any failure, naming the framework and the case.
pub async fn jwt_bytes<F: Framework>() {
    let env = Env::<F>::start(EnvOptions::default()).await;
    let key = ApiKey::parse(&env.key).expect("valid key");
    let mut failures = Failures::default();
    for case in jwt_cases() {
        let mut req = request("POST", &format!("{MOUNT}/jwt"), Some(&case.user));
        if let Some(body) = &case.body {
            req = with_body(req, body.to_string());
        }
        let before = now();
        let Some(answer) = send(&env, &mut failures, case.name, &req).await else {
            continue;
        };
        let after = now();
        if answer.status != 200 {
            failures.add::<F>(
                case.name,
                format!("status {} {}", answer.status, answer.text()),
            );
            continue;
        }
        failures.ensure::<F>(
            answer.header("cache-control") == Some("no-store"),
            case.name,
            || "no Cache-Control: no-store".into(),
        );
        let body = answer.json().unwrap_or(Value::Null);
        let Some(token) = body.get("jwt").and_then(Value::as_str) else {
            failures.add::<F>(case.name, format!("no jwt in {body}"));
            continue;
        };
        failures.ensure::<F>(
            answer.text() == format!(r#"{{"jwt":"{token}"}}"#),
            case.name,
            || format!("body must be exactly {{\"jwt\":…}}, got {}", answer.text()),
        );
        let decoded = match decode(token) {
            Ok(decoded) => decoded,
            Err(why) => {
                failures.add::<F>(case.name, why);
                continue;
            }
        };
        let iat = number_at(&decoded.header, "iat").unwrap_or_default();
        failures.ensure::<F>(
            (before.saturating_sub(2)..=after + 2).contains(&iat),
            case.name,
            || format!("iat {iat} is not the time of the request ({before}..{after})"),
        );
        let header = format!(
            r#"{{"iat":{iat},"alg":"HS256","typ":"JWT","kid":"{}"}}"#,
            key.kid()
        );
        failures.ensure::<F>(decoded.header == header, case.name, || {
            format!("header: expected {header}, got {}", decoded.header)
        });
        let payload = (case.payload)(iat + THIRTY_DAYS);
        failures.ensure::<F>(decoded.payload == payload, case.name, || {
            format!("payload: expected {payload}, got {}", decoded.payload)
        });
        if let Err(why) = verify(&decoded, &key) {
            failures.add::<F>(case.name, why);
        }
        let signer = Signer::new(key.clone()).with_clock(FixedClock(iat));
        let params = jwt_params(&case.user, case.extra_attributes.as_ref());
        match signer.generate_jwt_json(&params, TokenOptions::default()) {
            Ok(expected) => failures.ensure::<F>(expected == token, case.name, || {
                format!(
                    "token differs from vortex_client::Signer: expected {expected}, got {token}"
                )
            }),
            Err(e) => failures.add::<F>(case.name, format!("Signer failed: {e}")),
        }
    }
    failures.finish("jwt_bytes");
}

/// A `/token` case.
struct TokenCase {
    name: &'static str,
    user: VortexUser,
    body: Option<Value>,
    /// The payload without `iat`/`exp`, keys in the expected order.
    payload: Value,
    lifetime: u64,
}

fn token_cases() -> Vec<TokenCase> {
    vec![
        TokenCase {
            name: "token: regular user, no body",
            user: regular(),
            body: None,
            payload: json!({"user": {"id": "user-1", "email": "ada@example.com", "name": "Ada Lovelace"}}),
            lifetime: THIRTY_DAYS,
        },
        TokenCase {
            name: "token: admin with component, scope, vars and expiresIn 1h",
            user: admin(),
            body: Some(
                json!({"expiresIn": "1h", "vars": {"a": 1, "b": [true]}, "scope": "team-1", "component": "c-1"}),
            ),
            payload: json!({
                "user": {"id": "admin-1", "email": "admin@example.com", "name": "Admin User", "adminScopes": ["autojoin"]},
                "component": "c-1",
                "scope": "team-1",
                "vars": {"a": 1, "b": [true]}
            }),
            lifetime: 3600,
        },
        TokenCase {
            name: "token: every user field, numeric expiresIn, no attributes",
            user: full_user(),
            body: Some(json!({"expiresIn": 600})),
            payload: json!({"user": {
                "id": "user-3", "email": "eve@example.com", "name": "Eve",
                "avatarUrl": "https://example.com/eve.png", "adminScopes": ["billing"],
                "allowedEmailDomains": ["example.com"]
            }}),
            lifetime: 600,
        },
        TokenCase {
            name: "token: user without e-mail",
            user: no_email_user(),
            body: Some(json!({"component": "c-2"})),
            payload: json!({"user": {"id": "user-no-email"}, "component": "c-2"}),
            lifetime: THIRTY_DAYS,
        },
    ]
}

/// Checks `/token` tokens byte for byte.
///
/// # Panics
///
/// On any failure, naming the framework and the case.
pub async fn token_bytes<F: Framework>() {
    let env = Env::<F>::start(EnvOptions::default()).await;
    let key = ApiKey::parse(&env.key).expect("valid key");
    let mut failures = Failures::default();
    for case in token_cases() {
        let mut req = request("POST", &format!("{MOUNT}/token"), Some(&case.user));
        if let Some(body) = &case.body {
            req = with_body(req, body.to_string());
        }
        let Some(answer) = send(&env, &mut failures, case.name, &req).await else {
            continue;
        };
        if answer.status != 200 {
            failures.add::<F>(
                case.name,
                format!("status {} {}", answer.status, answer.text()),
            );
            continue;
        }
        failures.ensure::<F>(
            answer.header("cache-control") == Some("no-store"),
            case.name,
            || "no Cache-Control: no-store".into(),
        );
        let body = answer.json().unwrap_or(Value::Null);
        let Some(token) = body.get("token").and_then(Value::as_str) else {
            failures.add::<F>(case.name, format!("no token in {body}"));
            continue;
        };
        let decoded = match decode(token) {
            Ok(decoded) => decoded,
            Err(why) => {
                failures.add::<F>(case.name, why);
                continue;
            }
        };
        let header = format!(r#"{{"alg":"HS256","typ":"JWT","kid":"{}"}}"#, key.kid());
        failures.ensure::<F>(decoded.header == header, case.name, || {
            format!("header: expected {header}, got {}", decoded.header)
        });
        let iat = number_at(&decoded.payload, "iat").unwrap_or_default();
        let mut payload = case.payload.as_object().cloned().unwrap_or_default();
        payload.insert("iat".into(), json!(iat));
        payload.insert("exp".into(), json!(iat + case.lifetime));
        let expected_payload = Value::Object(payload.clone()).to_string();
        failures.ensure::<F>(decoded.payload == expected_payload, case.name, || {
            format!(
                "payload: expected {expected_payload}, got {}",
                decoded.payload
            )
        });
        if let Err(why) = verify(&decoded, &key) {
            failures.add::<F>(case.name, why);
        }
        let mut input = case.payload.as_object().cloned().unwrap_or_default();
        input.shift_remove("iat");
        let options = TokenOptions::default()
            .expires_in(ExpiresIn::from_secs(case.lifetime).expect("positive lifetime"));
        let signer = Signer::new(key.clone()).with_clock(FixedClock(iat));
        match signer.generate_token(&TokenPayload::from(input), options) {
            Ok(expected) => failures.ensure::<F>(expected == token, case.name, || {
                format!(
                    "token differs from vortex_client::Signer: expected {expected}, got {token}"
                )
            }),
            Err(e) => failures.add::<F>(case.name, format!("Signer failed: {e}")),
        }
    }
    failures.finish("token_bytes");
}
