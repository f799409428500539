//! Token payloads and the `JSON.stringify`-compatible writer, through the public signing API.
//!
//! Arbitrary users, attributes, extra claims and payloads (arbitrary JSON values, with keys
//! that are array indices, claim names and prototype keys) are signed with `generate_jwt`,
//! `generate_token` and `sign`; then:
//! - the header is the fixed text of the official SDK and the signature is the HMAC-SHA256 of
//!   `header.payload` with the key's signing key (computed here);
//! - the payload decodes (base64url, then JSON) to what a model of the official SDK written
//!   here says was signed: the claims, with JavaScript's assignment (a claim named like a user
//!   claim replaces it in place) and enumeration order (array-index keys first, in numeric
//!   order), and `undefined` members left out. That also checks the JSON writer on arbitrary
//!   values: it must parse back as JSON equal to the input.
//!   Numbers are compared as JavaScript numbers (doubles), not as serde_json numbers: the
//!   writer prints what `Number.prototype.toString` prints, so integers beyond 2^53 come back
//!   rounded, `-0` as `0` and `1.0` as `1`, as in `JSON.stringify`;
//! - `sign`'s canonical JSON is the model's claims with keys sorted by UTF-16 code units at
//!   every level, without `__proto__`/`constructor`/`prototype`, then written by
//!   `JSON.stringify` (which still puts array-index keys first).
#![no_main]

use arbitrary::{Result, Unstructured};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{KeyInit, Mac};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value, json};
use vortex_client::time::FixedClock;
use vortex_client::token::{TokenOptions, TokenPayload, canonical_user_json};
use vortex_client::{ApiKey, ExpiresIn, Signer, TokenError, UserId, VortexUser};
use vortex_fuzz::js;

const MAX_SAFE: u64 = (1 << 53) - 1;

fn text(u: &mut Unstructured<'_>, common: &[&str]) -> Result<String> {
    if u.ratio(2, 3)? {
        Ok((*u.choose(common)?).to_owned())
    } else {
        u.arbitrary()
    }
}

fn optional(u: &mut Unstructured<'_>, common: &[&str]) -> Result<Option<String>> {
    Ok(if u.arbitrary()? {
        Some(text(u, common)?)
    } else {
        None
    })
}

fn strings(u: &mut Unstructured<'_>, common: &[&str]) -> Result<Vec<String>> {
    let len = u.int_in_range(0..=3)?;
    (0..len).map(|_| text(u, common)).collect()
}

fn user(u: &mut Unstructured<'_>) -> Result<VortexUser> {
    let id = if u.ratio(1, 4)? {
        UserId::Number(js::number(u)?)
    } else {
        UserId::String(text(u, &["user-1", "", "0", "ü"])?)
    };
    let mut user = VortexUser::new(id);
    user.email = optional(u, &["a@example.com", "", "A@Example.COM"])?;
    user.name = optional(u, &["Ada", ""])?;
    user.avatar_url = optional(u, &["https://example.com/a.png", ""])?;
    user.admin_scopes = strings(u, &["autojoin", "", "admin", "autojoin "])?;
    user.allowed_email_domains = strings(u, &["example.com", ""])?;
    if u.arbitrary()? {
        user.attributes = Some(js::object(u, 3)?);
    }
    // Extra properties: the deprecated names the signer falls back on, and others.
    let len = u.int_in_range(0..=3)?;
    for _ in 0..len {
        let key = if u.arbitrary()? {
            (*u.choose(&["userName", "userAvatarUrl", "userId", "userEmail", "email"])?).to_owned()
        } else {
            js::key(u)?
        };
        user.extra.insert(key, js::value(u, 2)?);
    }
    Ok(user)
}

fn id_value(id: &UserId) -> Value {
    match id {
        UserId::String(s) => Value::String(s.clone()),
        UserId::Number(n) => Value::Number(n.clone()),
    }
}

/// A JavaScript object under construction: assigning an existing key replaces its value in
/// place, `None` is `undefined` (keeps its place, not written).
#[derive(Default)]
struct JsObject(Vec<(String, Option<Value>)>);

impl JsObject {
    fn set(&mut self, key: &str, value: Option<Value>) {
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some(entry) => entry.1 = value,
            None => self.0.push((key.to_owned(), value)),
        }
    }

    /// The defined members in insertion order (the JavaScript order is applied when
    /// comparing).
    fn into_value(self) -> Value {
        Value::Object(
            self.0
                .into_iter()
                .filter_map(|(k, v)| Some((k, v?)))
                .collect(),
        )
    }
}

/// `{header, payload}` of `token`, after checking the signature with `key`.
fn open(token: &str, key: &ApiKey) -> (String, Value) {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "{token}");
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key.expose_signing_key()).unwrap();
    mac.update(format!("{}.{}", parts[0], parts[1]).as_bytes());
    assert_eq!(
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()),
        parts[2],
        "signature"
    );
    let header = String::from_utf8(URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    let payload = URL_SAFE_NO_PAD.decode(parts[1]).expect("base64url payload");
    let payload = serde_json::from_slice(&payload).unwrap_or_else(|e| {
        panic!(
            "payload is not JSON ({e}): {}",
            String::from_utf8_lossy(&payload)
        )
    });
    (header, payload)
}

fn check_jwt(
    u: &mut Unstructured<'_>,
    signer: &Signer,
    now: u64,
    options: TokenOptions,
) -> Result<()> {
    let user = user(u)?;
    let mut params = user.clone().into_jwt_params();
    let len = u.int_in_range(0..=3)?;
    for _ in 0..len {
        params = params.claim(js::key(u)?, js::value(u, 3)?);
    }
    let expires = now + options.expires_in.as_secs();
    let token = signer.generate_jwt(&params, options);
    if expires > MAX_SAFE {
        assert_eq!(token, Err(TokenError::ExpiryTooLarge));
        return Ok(());
    }
    let token = token.expect("a JWT");
    let key = signer.api_key();
    let (header, payload) = open(&token, key);
    assert_eq!(
        header,
        format!(
            r#"{{"iat":{now},"alg":"HS256","typ":"JWT","kid":"{}"}}"#,
            key.kid()
        )
    );

    // The official SDK's object literal and conditional assignments.
    let extra = |k: &str| user.extra.get(k).cloned();
    let mut model = JsObject::default();
    model.set("userId", Some(id_value(&user.id)));
    model.set("userEmail", user.email.clone().map(Value::String));
    model.set("expires", Some(json!(expires)));
    let identifiers = match &user.email {
        Some(email) if !email.is_empty() => json!([{"type": "email", "value": email}]),
        _ => json!([]),
    };
    model.set("identifiers", Some(identifiers));
    // `name ?? userName`, `avatarUrl ?? userAvatarUrl`, then written when truthy.
    let name = user
        .name
        .clone()
        .map(Value::String)
        .or_else(|| extra("userName"));
    if name.as_ref().is_some_and(js::truthy) {
        model.set("name", name);
    }
    let avatar = user
        .avatar_url
        .clone()
        .map(Value::String)
        .or_else(|| extra("userAvatarUrl"));
    if avatar.as_ref().is_some_and(js::truthy) {
        model.set("avatarUrl", avatar);
    }
    if !user.admin_scopes.is_empty() {
        model.set("adminScopes", Some(json!(user.admin_scopes)));
        if user.admin_scopes.iter().any(|s| s == "autojoin") {
            model.set("userIsAutojoinAdmin", Some(json!(true)));
            model.set("role", Some(json!("admin")));
        }
    }
    if !user.allowed_email_domains.is_empty() {
        model.set(
            "allowedEmailDomains",
            Some(json!(user.allowed_email_domains)),
        );
    }
    for (k, v) in &params.claims {
        model.set(k, Some(v.clone()));
    }
    if let Err(why) = js::check_js_equal("payload", &model.into_value(), &payload) {
        panic!("generate_jwt: {why}\ntoken payload: {payload}");
    }
    Ok(())
}

fn check_token(
    u: &mut Unstructured<'_>,
    signer: &Signer,
    now: u64,
    options: TokenOptions,
) -> Result<()> {
    let mut map = js::object(u, 4)?;
    if u.arbitrary()? {
        map.insert("user".into(), Value::Object(user(u)?.to_json()));
    }
    if u.arbitrary()? {
        map.insert("vars".into(), js::value(u, 6)?);
    }
    let payload = TokenPayload::from(map.clone());
    let exp = now + options.expires_in.as_secs();
    let token = signer.generate_token(&payload, options);
    if exp > MAX_SAFE {
        assert_eq!(token, Err(TokenError::ExpiryTooLarge));
        return Ok(());
    }
    let token = token.expect("a token");
    let key = signer.api_key();
    let (header, decoded) = open(&token, key);
    assert_eq!(
        header,
        format!(r#"{{"alg":"HS256","typ":"JWT","kid":"{}"}}"#, key.kid())
    );
    // The caller's members, then `iat` and `exp` assigned (in place when present).
    let mut model = JsObject::default();
    for (k, v) in &map {
        model.set(k, Some(v.clone()));
    }
    model.set("iat", Some(json!(now)));
    model.set("exp", Some(json!(exp)));
    if let Err(why) = js::check_js_equal("payload", &model.into_value(), &decoded) {
        panic!("generate_token: {why}\ntoken payload: {decoded}");
    }
    Ok(())
}

fn cmp_utf16(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

fn is_prototype_key(k: &str) -> bool {
    matches!(k, "__proto__" | "constructor" | "prototype")
}

/// Keys sorted by UTF-16 code units at every level, prototype keys dropped.
fn canonical(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> =
                map.iter().filter(|(k, _)| !is_prototype_key(k)).collect();
            entries.sort_by(|a, b| cmp_utf16(a.0, b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), canonical(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

fn check_sign(u: &mut Unstructured<'_>, signer: &Signer) -> Result<()> {
    let user = user(u)?;
    let signature = signer.sign(&user);
    let id = id_value(&user.id);
    let alias = user.extra.get("userId");
    if !js::truthy(&id) && !alias.is_some_and(js::truthy) {
        assert_eq!(signature, Err(TokenError::MissingUserId));
        return Ok(());
    }
    let signature = signature.expect("a signature");
    let text = canonical_user_json(&user).expect("canonical JSON");
    let key = signer.api_key();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key.expose_signing_key()).unwrap();
    mac.update(text.as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(signature, format!("{}:{hex}", key.kid()));

    let parsed: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("canonical JSON does not parse ({e}): {text}"));
    let known_user_keys = [
        "id",
        "email",
        "name",
        "avatarUrl",
        "userName",
        "userAvatarUrl",
        "adminScopes",
        "allowedEmailDomains",
    ];
    let extra = |k: &str| user.extra.get(k).cloned();
    let mut model = JsObject::default();
    let when = |present: bool, v: Option<Value>| if present { v } else { None };
    model.set(
        "adminScopes",
        when(
            !user.admin_scopes.is_empty(),
            Some(json!(user.admin_scopes)),
        ),
    );
    model.set(
        "allowedEmailDomains",
        when(
            !user.allowed_email_domains.is_empty(),
            Some(json!(user.allowed_email_domains)),
        ),
    );
    let avatar = user
        .avatar_url
        .clone()
        .map(Value::String)
        .or_else(|| extra("userAvatarUrl"));
    model.set("avatarUrl", avatar.filter(js::truthy));
    let name = user
        .name
        .clone()
        .map(Value::String)
        .or_else(|| extra("userName"));
    model.set("name", name.filter(js::truthy));
    model.set(
        "userEmail",
        user.email.clone().map(Value::String).filter(js::truthy),
    );
    model.set("userId", Some(id));
    for (k, v) in user
        .extra
        .iter()
        .filter(|(k, _)| !known_user_keys.contains(&k.as_str()))
    {
        model.set(k, Some(v.clone()));
    }
    // Sorted, then written by `JSON.stringify`, which enumerates array-index keys first.
    if let Err(why) = js::check_js_equal("canonical", &canonical(&model.into_value()), &parsed) {
        panic!("sign: {why}\ncanonical JSON: {text}");
    }
    Ok(())
}

fn run(u: &mut Unstructured<'_>) -> Result<()> {
    let now = if u.ratio(3, 4)? {
        1_700_000_000
    } else {
        u.int_in_range(0..=MAX_SAFE)?
    };
    let secs = match u.int_in_range(0..=3)? {
        0 => 30 * 86_400,
        1 => 1,
        2 => MAX_SAFE,
        _ => u.int_in_range(1..=MAX_SAFE)?,
    };
    let options = TokenOptions::default().expires_in(ExpiresIn::from_secs(secs).unwrap());
    let key: ApiKey = vortex_fuzz::API_KEY.parse().unwrap();
    let signer = Signer::new(key).with_clock(FixedClock(now));
    match u.int_in_range(0..=2)? {
        0 => check_jwt(u, &signer, now, options),
        1 => check_token(u, &signer, now, options),
        _ => check_sign(u, &signer),
    }
}

/// An input that is a JSON object (the seeds: the vectors' payloads and params) is signed as
/// it is: `generate_token` with it as the payload (checked against the model), and
/// `generate_jwt_json` with it as the params, whose extra claims are assigned last and so
/// must all be in the payload as given.
fn run_json(params: &Map<String, Value>) {
    let now = 1_700_000_000;
    let key: ApiKey = vortex_fuzz::API_KEY.parse().unwrap();
    let signer = Signer::new(key).with_clock(FixedClock(now));
    let options = TokenOptions::default();
    let exp = now + options.expires_in.as_secs();
    let token = signer
        .generate_token(&TokenPayload::from(params.clone()), options)
        .expect("a token");
    let (_, decoded) = open(&token, signer.api_key());
    let mut model = JsObject::default();
    for (k, v) in params {
        model.set(k, Some(v.clone()));
    }
    model.set("iat", Some(json!(now)));
    model.set("exp", Some(json!(exp)));
    if let Err(why) = js::check_js_equal("payload", &model.into_value(), &decoded) {
        panic!("generate_token: {why}\ntoken payload: {decoded}");
    }
    match signer.generate_jwt_json(params, options) {
        Ok(jwt) => {
            let (_, payload) = open(&jwt, signer.api_key());
            for (k, v) in params.iter().filter(|(k, _)| *k != "user") {
                let got = payload.get(k).unwrap_or(&Value::Null);
                if let Err(why) = js::check_js_equal(k, v, got) {
                    panic!("generate_jwt_json: claim {why}\ntoken payload: {payload}");
                }
            }
        }
        Err(error) => {
            assert_eq!(error, TokenError::MissingUser);
            assert!(!params.get("user").is_some_and(Value::is_object));
        }
    }
    if let Some(Value::Object(user)) = params.get("user") {
        let _ = signer.sign_json(user);
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(Value::Object(params)) = serde_json::from_slice::<Value>(data) {
        run_json(&params);
        return;
    }
    let _ = run(&mut Unstructured::new(data));
});
