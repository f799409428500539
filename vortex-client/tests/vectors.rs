//! Runs every case of a reference-vector file produced by the official Node SDK.
//!
//! The file is `$VORTEX_VECTORS` (a relative path is looked up from the shell's working
//! directory, then from the repository root), by default `tests/vectors/public.json` of this
//! crate: the official Node SDK 0.20.0's vectors, kept in the repository so that a clone runs
//! them. The rules are those of `tests/vectors/README.md`: every expected
//! value must match byte for byte, except that the listed Node quirks may be rejected with the
//! error kind of that input; such cases are reported as skipped.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Map, Value, json};
use vortex_client::time::FixedClock;
use vortex_client::token::{
    JwtParams, MISSING_USER_ID_WARNING, TokenOptions, TokenPayload, canonical_user_json_from_map,
};
use vortex_client::webhook::{VortexEvent, WebhookError, Webhooks, sign_payload};
use vortex_client::{
    ApiKey, ApiKeyError, ExpiresIn, ExpiresInError, Signer, TokenError, VortexUser,
};

const SECTIONS: [&str; 6] = [
    "generate_token",
    "generate_jwt",
    "sign",
    "webhook",
    "expires_in",
    "api_key",
];

/// The result of one case.
enum Outcome {
    Pass,
    /// A Node quirk that we reject, as the vectors README allows.
    Skip(String),
    Fail(String),
}

type CaseResult = Result<Outcome, String>;

fn vectors_path() -> PathBuf {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let repo_root = crate_dir.join("..");
    let Some(given) = std::env::var_os("VORTEX_VECTORS") else {
        return crate_dir.join("tests/vectors/public.json");
    };
    let given = PathBuf::from(given);
    if given.is_absolute() {
        return given;
    }
    let from_shell = std::env::var_os("PWD").map(|pwd| Path::new(&pwd).join(&given));
    [
        from_shell,
        Some(repo_root.join(&given)),
        Some(given.clone()),
    ]
    .into_iter()
    .flatten()
    .find(|p| p.exists())
    .unwrap_or(given)
}

#[test]
fn every_vector_case() {
    let path = vectors_path();
    let path = path.canonicalize().unwrap_or(path);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read vectors file {}: {e}", path.display()));
    let file: Value = serde_json::from_str(&text).expect("vectors file is JSON");
    assert_eq!(file["schema_version"], 1, "unsupported schema_version");

    let mut report = String::new();
    let mut failures = Vec::new();
    let mut totals = BTreeMap::new();
    for section in SECTIONS {
        let cases = file[section]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        if let Some(count) = file["counts"].get(section)
            && count != &json!(cases.len())
        {
            failures.push(format!(
                "counts.{section} is {count} but the file has {} cases",
                cases.len()
            ));
        }
        let (mut passed, mut skipped) = (0, 0);
        for case in cases {
            let name = case["name"].as_str().unwrap_or("<unnamed>");
            let outcome = run_case(section, case).unwrap_or_else(Outcome::Fail);
            match outcome {
                Outcome::Pass => passed += 1,
                Outcome::Skip(why) => {
                    skipped += 1;
                    let _ = writeln!(report, "  skipped {section}/{name}: {why}");
                }
                Outcome::Fail(why) => failures.push(format!("{section}/{name}: {why}")),
            }
        }
        totals.insert(section, (passed, skipped, cases.len()));
    }
    let (passed, skipped): (usize, usize) = totals
        .values()
        .fold((0, 0), |(p, s), (pp, ss, _)| (p + pp, s + ss));
    let mut summary = format!("vectors {}: ", path.display());
    for (section, (p, s, n)) in &totals {
        let _ = write!(summary, "{section} {p}/{n} passed ({s} skipped); ");
    }
    let _ = writeln!(
        summary,
        "\n{passed} passed, {} failed, {skipped} skipped",
        failures.len()
    );
    // Written straight to stderr so that the report shows even when output is captured.
    let _ = write!(std::io::stderr(), "{summary}{report}");
    assert!(
        failures.is_empty(),
        "{} vector case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(passed > 0, "the vectors file has no cases");
}

fn run_case(section: &str, case: &Value) -> CaseResult {
    let inputs = case["inputs"].as_object().ok_or("case has no inputs")?;
    let expected = case["expected"].as_object().ok_or("case has no expected")?;
    match section {
        "generate_token" => generate_token(inputs, expected),
        "generate_jwt" => generate_jwt(inputs, expected),
        "sign" => sign(inputs, expected),
        "webhook" => webhook(inputs, expected),
        "expires_in" => expires_in(inputs, expected),
        "api_key" => api_key(inputs, expected),
        other => Err(format!("unknown section {other}")),
    }
}

// ---------------------------------------------------------------------------------------------
// Expected errors

/// The `error_kind` our error corresponds to.
trait ErrorKind: std::fmt::Display {
    fn kind(&self) -> &'static str;
    /// Whether our message is the official SDK's text exactly.
    fn is_node_text(&self) -> bool {
        false
    }
}

impl ErrorKind for ApiKeyError {
    fn kind(&self) -> &'static str {
        "invalid_api_key"
    }
}

impl ErrorKind for ExpiresInError {
    fn kind(&self) -> &'static str {
        "invalid_expires_in"
    }
    fn is_node_text(&self) -> bool {
        matches!(
            self,
            Self::Format(_) | Self::ZeroDuration(_) | Self::NotPositiveInteger(_)
        )
    }
}

impl ErrorKind for TokenError {
    fn kind(&self) -> &'static str {
        match self {
            Self::MissingUserId => "missing_user_id",
            _ => "token_error",
        }
    }
}

impl ErrorKind for WebhookError {
    fn kind(&self) -> &'static str {
        match self {
            Self::MissingSecret => "webhook_secret_missing",
            Self::MissingSignature | Self::InvalidSignature => "webhook_signature",
            _ => "webhook_parse",
        }
    }
}

/// The classes of the errors the official SDK throws.
const KNOWN_ERROR_CLASSES: [&str; 4] = [
    "Error",
    "TypeError",
    "SyntaxError",
    "VortexWebhookSignatureError",
];

fn is_error(expected: &Map<String, Value>) -> bool {
    expected.get("error") == Some(&Value::Bool(true))
}

/// Checks our error against an expected rejection.
fn expect_error(expected: &Map<String, Value>, ours: &dyn ErrorKind) -> CaseResult {
    if !is_error(expected) {
        return Ok(Outcome::Fail(format!(
            "expected success, got {} error: {ours}",
            ours.kind()
        )));
    }
    let kind = expected.get("error_kind").and_then(Value::as_str);
    if kind != Some(ours.kind()) {
        return Ok(Outcome::Fail(format!(
            "expected error_kind {kind:?}, got {} ({ours})",
            ours.kind()
        )));
    }
    // Messages are Node's wording; we keep it where the SDK's own `Error` text is meaningful
    // (not for JavaScript runtime errors such as TypeError or SyntaxError).
    let class = expected.get("error_class").and_then(Value::as_str);
    if let Some(class) = class
        && !KNOWN_ERROR_CLASSES.contains(&class)
    {
        return Ok(Outcome::Fail(format!("unknown error_class {class:?}")));
    }
    if let (Some(message), Some(needle)) = (
        expected.get("message").and_then(Value::as_str),
        expected.get("message_contains").and_then(Value::as_str),
    ) && !message.contains(needle)
    {
        return Ok(Outcome::Fail(format!(
            "the file's message {message:?} lacks its message_contains {needle:?}"
        )));
    }
    if !matches!(class, Some("TypeError" | "SyntaxError")) {
        let ours_text = ours.to_string();
        if let Some(needle) = expected.get("message_contains").and_then(Value::as_str)
            && !ours_text.contains(needle)
        {
            return Ok(Outcome::Fail(format!(
                "message {ours_text:?} lacks {needle:?}"
            )));
        }
        if ours.is_node_text()
            && let Some(message) = expected.get("message").and_then(Value::as_str)
            && message != ours_text
        {
            return Ok(Outcome::Fail(format!(
                "message {ours_text:?}, expected {message:?}"
            )));
        }
    }
    Ok(Outcome::Pass)
}

/// Compares one expected field.
fn check(failures: &mut Vec<String>, field: &str, ours: &Value, expected: Option<&Value>) {
    match expected {
        Some(e) if e == ours => {}
        Some(e) => failures.push(format!("{field}: got {ours}, expected {e}")),
        None => failures.push(format!("{field}: missing from expected")),
    }
}

fn verdict(failures: &[String]) -> CaseResult {
    Ok(if failures.is_empty() {
        Outcome::Pass
    } else {
        Outcome::Fail(failures.join("; "))
    })
}

// ---------------------------------------------------------------------------------------------
// Node quirks

/// Whether a key is canonical: exactly three parts and an id that decodes strictly to
/// 16 bytes. Node accepts some keys that are not; we may reject those.
fn is_canonical_key(key: &str) -> bool {
    let parts: Vec<&str> = key.split('.').collect();
    parts.len() == 3
        && URL_SAFE_NO_PAD
            .decode(parts[1])
            .is_ok_and(|bytes| bytes.len() == 16)
}

/// Parses the case's API key; `Err` is the finished outcome when it does not parse.
fn case_key(
    inputs: &Map<String, Value>,
    expected: &Map<String, Value>,
) -> Result<ApiKey, CaseResult> {
    let text = inputs["api_key"]
        .as_str()
        .ok_or(Err("api_key is not a string".into()))?;
    ApiKey::parse(text).map_err(|e| {
        if !is_error(expected) && !is_canonical_key(text) {
            Ok(Outcome::Skip(format!(
                "Node accepts the non-canonical key {text:?}; we reject it ({e})"
            )))
        } else {
            expect_error(expected, &e)
        }
    })
}

/// Whether an `expiresIn` input is one of the Node quirks: not a string or number, or a
/// result Node computes inexactly (beyond 2^53 - 1).
fn is_expires_quirk(value: &Value, expected: &Map<String, Value>) -> bool {
    let exact = |v: &Value| v.as_u64().is_some_and(|s| s < 1 << 53);
    !(value.is_string() || value.is_number()) || expected.get("seconds").is_some_and(|s| !exact(s))
}

fn case_options(
    inputs: &Map<String, Value>,
    expected: &Map<String, Value>,
) -> Result<TokenOptions, CaseResult> {
    let Some(options) = inputs.get("options") else {
        return Ok(TokenOptions::default());
    };
    let Some(value) = options.get("expiresIn") else {
        return Ok(TokenOptions::default());
    };
    match ExpiresIn::from_json(value) {
        Ok(e) => Ok(TokenOptions::default().expires_in(e)),
        Err(e) if !(is_error(expected) || value.is_string() || value.as_u64().is_some()) => {
            Err(Ok(Outcome::Skip(format!(
                "Node quirk expiresIn {value}: rejected ({e})"
            ))))
        }
        Err(e) => Err(expect_error(expected, &e)),
    }
}

fn case_signer(
    inputs: &Map<String, Value>,
    expected: &Map<String, Value>,
) -> Result<(Signer, TokenOptions), CaseResult> {
    let key = case_key(inputs, expected)?;
    let options = case_options(inputs, expected)?;
    let now = inputs
        .get("now_unix_seconds")
        .and_then(Value::as_u64)
        .ok_or(Err("now_unix_seconds is not an integer".into()))?;
    Ok((Signer::new(key).with_clock(FixedClock(now)), options))
}

// ---------------------------------------------------------------------------------------------
// Sections

fn check_token(token: &str, signer: &Signer, expected: &Map<String, Value>) -> Vec<String> {
    let mut failures = Vec::new();
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return vec![format!("token {token:?} does not have three parts")];
    }
    let decode = |part: &str| -> Value {
        URL_SAFE_NO_PAD
            .decode(part)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .map_or(Value::Null, Value::String)
    };
    let (header_json, payload_json) = (decode(parts[0]), decode(parts[1]));
    let parsed = |v: &Value| -> Value {
        v.as_str()
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or(Value::Null)
    };
    check(&mut failures, "token", &json!(token), expected.get("token"));
    check(
        &mut failures,
        "header_json",
        &header_json,
        expected.get("header_json"),
    );
    check(
        &mut failures,
        "payload_json",
        &payload_json,
        expected.get("payload_json"),
    );
    check(
        &mut failures,
        "header",
        &parsed(&header_json),
        expected.get("header"),
    );
    check(
        &mut failures,
        "payload",
        &parsed(&payload_json),
        expected.get("payload"),
    );
    check(
        &mut failures,
        "signature_b64url",
        &json!(parts[2]),
        expected.get("signature_b64url"),
    );
    check(
        &mut failures,
        "kid",
        &json!(signer.api_key().kid()),
        expected.get("kid"),
    );
    failures
}

fn generate_token(inputs: &Map<String, Value>, expected: &Map<String, Value>) -> CaseResult {
    let (signer, options) = match case_signer(inputs, expected) {
        Ok(ready) => ready,
        Err(outcome) => return outcome,
    };
    let payload = inputs["payload"]
        .as_object()
        .ok_or("payload is not an object")?;
    let payload = TokenPayload::from(payload.clone());
    match signer.generate_token(&payload, options) {
        Err(e) => expect_error(expected, &e),
        Ok(_) if is_error(expected) => Ok(Outcome::Fail("expected an error, got a token".into())),
        Ok(token) => {
            let mut failures = check_token(&token, &signer, expected);
            if let Some(warnings) = expected.get("warnings") {
                let ours: Vec<&str> = if payload.lacks_user_id() {
                    vec![MISSING_USER_ID_WARNING]
                } else {
                    vec![]
                };
                check(&mut failures, "warnings", &json!(ours), Some(warnings));
            }
            verdict(&failures)
        }
    }
}

fn generate_jwt(inputs: &Map<String, Value>, expected: &Map<String, Value>) -> CaseResult {
    let (signer, options) = match case_signer(inputs, expected) {
        Ok(ready) => ready,
        Err(outcome) => return outcome,
    };
    let params = inputs["params"]
        .as_object()
        .ok_or("params is not an object")?;
    match signer.generate_jwt_json(params, options) {
        Err(e) => expect_error(expected, &e),
        Ok(_) if is_error(expected) => Ok(Outcome::Fail("expected an error, got a token".into())),
        Ok(token) => {
            let mut failures = check_token(&token, &signer, expected);
            // The typed API must give the same bytes wherever the user fits it.
            if let Some(typed) = typed_jwt_params(params) {
                match signer.generate_jwt(&typed, options) {
                    Ok(t) if t == token => {}
                    other => failures.push(format!("typed generate_jwt differs: {other:?}")),
                }
            }
            verdict(&failures)
        }
    }
}

fn typed_jwt_params(params: &Map<String, Value>) -> Option<JwtParams> {
    let user: VortexUser = serde_json::from_value(params.get("user")?.clone()).ok()?;
    let mut typed = JwtParams::new(user);
    for (k, v) in params.iter().filter(|(k, _)| *k != "user") {
        typed = typed.claim(k.clone(), v.clone());
    }
    Some(typed)
}

fn sign(inputs: &Map<String, Value>, expected: &Map<String, Value>) -> CaseResult {
    let key = match case_key(inputs, expected) {
        Ok(key) => key,
        Err(outcome) => return outcome,
    };
    let signer = Signer::new(key);
    let user = inputs["user"].as_object().ok_or("user is not an object")?;
    match signer.sign_json(user) {
        Err(e) => expect_error(expected, &e),
        Ok(_) if is_error(expected) => {
            Ok(Outcome::Fail("expected an error, got a signature".into()))
        }
        Ok(signature) => {
            let mut failures = Vec::new();
            let (kid, hex) = signature.split_once(':').unwrap_or_default();
            check(
                &mut failures,
                "signature",
                &json!(signature),
                expected.get("signature"),
            );
            check(&mut failures, "kid", &json!(kid), expected.get("kid"));
            check(
                &mut failures,
                "hmac_hex",
                &json!(hex),
                expected.get("hmac_hex"),
            );
            let canonical = canonical_user_json_from_map(user).map_err(|e| e.to_string())?;
            check(
                &mut failures,
                "canonical_json",
                &json!(canonical),
                expected.get("canonical_json"),
            );
            if let Ok(typed) = serde_json::from_value::<VortexUser>(Value::Object(user.clone())) {
                match signer.sign(&typed) {
                    Ok(s) if s == signature => {}
                    other => failures.push(format!("typed sign differs: {other:?}")),
                }
            }
            verdict(&failures)
        }
    }
}

fn webhook(inputs: &Map<String, Value>, expected: &Map<String, Value>) -> CaseResult {
    let secret = inputs["secret"].as_str().ok_or("secret is not a string")?;
    let body = match (inputs.get("body"), inputs.get("body_base64")) {
        (Some(Value::String(text)), _) => text.as_bytes().to_vec(),
        (_, Some(Value::String(b64))) => STANDARD.decode(b64).map_err(|e| e.to_string())?,
        _ => return Err("case has neither body nor body_base64".into()),
    };
    let signature = inputs
        .get("signature")
        .and_then(Value::as_str)
        .unwrap_or("");

    let mut failures = Vec::new();
    let webhooks = match Webhooks::new(secret) {
        Ok(w) => w,
        Err(e) => {
            let constructor = expected.get("constructor").and_then(Value::as_object);
            return match constructor {
                Some(constructor) => expect_error(constructor, &e),
                None => Ok(Outcome::Fail(format!("constructor failed: {e}"))),
            };
        }
    };
    if expected.contains_key("constructor") {
        failures.push("expected the constructor to reject the secret".into());
    }
    check(
        &mut failures,
        "expected_signature_hex",
        &json!(sign_payload(secret, &body)),
        expected.get("expected_signature_hex"),
    );
    check(
        &mut failures,
        "signature_valid",
        &json!(webhooks.verify(&body, signature).is_ok()),
        expected.get("signature_valid"),
    );
    let construct = expected
        .get("construct_event")
        .and_then(Value::as_object)
        .ok_or("expected has no construct_event")?;
    match webhooks.construct_event(&body, signature) {
        Err(e) => match expect_error(construct, &e)? {
            Outcome::Fail(why) => failures.push(format!("construct_event: {why}")),
            Outcome::Skip(why) => return Ok(Outcome::Skip(why)),
            Outcome::Pass => {}
        },
        Ok(_) if is_error(construct) => failures.push("construct_event: expected an error".into()),
        Ok(event) => {
            check(
                &mut failures,
                "construct_event.ok",
                &json!(true),
                construct.get("ok"),
            );
            check(
                &mut failures,
                "construct_event.kind",
                &json!(event.kind()),
                construct.get("kind"),
            );
            let raw = event.to_json();
            check(
                &mut failures,
                "construct_event.event",
                &raw,
                construct.get("event"),
            );
            check_typed_event(&mut failures, &event);
        }
    }
    verdict(&failures)
}

/// The typed fields must agree with the raw event.
fn check_typed_event(failures: &mut Vec<String>, event: &VortexEvent) {
    let raw = event.raw();
    let text = |key: &str| raw.get(key).and_then(Value::as_str);
    match event {
        VortexEvent::Webhook(e) => {
            if Some(e.event_type.as_str()) != text("type") {
                failures.push(format!("typed event type {} differs", e.event_type));
            }
            if e.id.as_deref() != text("id") || e.timestamp.as_deref() != text("timestamp") {
                failures.push("typed webhook id/timestamp differ".into());
            }
        }
        VortexEvent::Analytics(e)
            if Some(e.name.as_str()) != text("name") || e.id.as_deref() != text("id") =>
        {
            failures.push("typed analytics name/id differ".into());
        }
        _ => {}
    }
}

fn expires_in(inputs: &Map<String, Value>, expected: &Map<String, Value>) -> CaseResult {
    let value = inputs.get("expires_in").ok_or("case has no expires_in")?;
    match ExpiresIn::from_json(value) {
        Ok(e) => {
            let mut failures = Vec::new();
            check(
                &mut failures,
                "seconds",
                &json!(e.as_secs()),
                expected.get("seconds"),
            );
            verdict(&failures)
        }
        Err(e) if !is_error(expected) && is_expires_quirk(value, expected) => Ok(Outcome::Skip(
            format!("Node quirk expiresIn {value}: rejected ({e})"),
        )),
        Err(e) => expect_error(expected, &e),
    }
}

fn api_key(inputs: &Map<String, Value>, expected: &Map<String, Value>) -> CaseResult {
    let key = match case_key(inputs, expected) {
        Ok(key) => key,
        Err(outcome) => return outcome,
    };
    if is_error(expected) {
        return Ok(Outcome::Fail("expected the key to be rejected".into()));
    }
    let mut failures = Vec::new();
    let signing_key_hex: String = key
        .expose_signing_key()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    check(&mut failures, "kid", &json!(key.kid()), expected.get("kid"));
    check(
        &mut failures,
        "key",
        &json!(key.expose_secret_part()),
        expected.get("key"),
    );
    check(
        &mut failures,
        "signing_key_hex",
        &json!(signing_key_hex),
        expected.get("signing_key_hex"),
    );
    if let Some(probe) = expected.get("probe_sign") {
        let user = probe["user"]
            .as_object()
            .ok_or("probe_sign.user is not an object")?;
        let signature = Signer::new(key)
            .sign_json(user)
            .map_err(|e| e.to_string())?;
        check(
            &mut failures,
            "probe_sign.signature",
            &json!(signature),
            probe.get("signature"),
        );
    }
    verdict(&failures)
}
