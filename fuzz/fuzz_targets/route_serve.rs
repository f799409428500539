//! The route core through `VortexRoutes::serve`: route matching and input parsing on an
//! arbitrary method, path (segments raw or percent-encoded), query, body, body outcome, user
//! presence and policy, with a client whose upstream is a recording server on 127.0.0.1
//! (see `vortex_fuzz::upstream`) that answers every call with a valid invitation/list.
//!
//! Properties:
//! - never a panic: the core turns one into 500 `Internal error`, which counts as a failure
//!   here; a 500 is expected only when the app's user lookup failed (misconfiguration);
//! - every answer is JSON, every error answer has a non-empty `error` string (405: `Allow`);
//!   with an upstream that answers well, no 5xx at all;
//! - a refused request (400, 401, 404, 405, 413) sends nothing upstream;
//! - every upstream request is `/api/v1/` then segments that are each one percent-encoded
//!   RFC 3986 segment decoding to exactly the request's path parameter (an id can never
//!   reach another upstream path), on a path and method of the route matched;
//!   `GET /invitations` forwards `targetType`/`targetValue` unchanged.
#![no_main]

use std::sync::OnceLock;

use arbitrary::{Arbitrary, Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde_json::{Value, json};
use vortex_client::VortexUser;
use vortex_fuzz::js;
use vortex_fuzz::request::{FuzzRequest, check_answer, decode};
use vortex_fuzz::upstream::{self, Recorded};
use vortex_routes::adapter::UserLookup;
use vortex_routes::{AdminScopeOr, AllowAllAuthenticated, DenyAll, OwnInvitations, VortexRoutes};

/// What the upstream answers every call with: fits every route's expected shape.
const UPSTREAM_ANSWER: &str = r#"{"id":"inv-1","invitations":[{"id":"inv-1","groups":[{"groupId":"g1","type":"team"}],"target":[{"type":"email","value":"a@example.com"}]}],"groups":[{"groupId":"g1"}],"target":[{"type":"email","value":"a@example.com"}],"deliveryTypes":["share"]}"#;

/// The characters a segment written by a client of the routes may have encoded.
const SOME: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'/')
    .add(b'?')
    .add(b'#')
    .add(b'%')
    .add(b'"');

const WORDS: &[&str] = &[
    "invitations",
    "jwt",
    "token",
    "accept",
    "reinvite",
    "by-scope",
    "by-group",
    "sync-internal-invitation",
    "inv-1",
    "team",
    "t1",
    ".",
    "..",
    "%2e%2e",
    "%2E",
    "%2F",
    "a%2Fb",
    "%",
    "%zz",
    "%ff",
    "%c3%a9",
    "",
    " ",
    "a b",
    "a?b",
    "x#y",
    "..%2F",
    "é",
    "%00",
];

fn segment(u: &mut Unstructured<'_>) -> Result<String> {
    Ok(match u.int_in_range(0..=3)? {
        0 | 1 => (*u.choose(WORDS)?).to_owned(),
        2 => u.arbitrary()?,
        _ => {
            let raw: String = u.arbitrary()?;
            utf8_percent_encode(&raw, SOME).to_string()
        }
    })
}

fn path(u: &mut Unstructured<'_>) -> Result<String> {
    let shapes: &[&[&str]] = &[
        &["jwt"],
        &["token"],
        &["invitations"],
        &["invitations", "*"],
        &["invitations", "accept"],
        &["invitations", "sync-internal-invitation"],
        &["invitations", "*", "reinvite"],
        &["invitations", "by-scope", "*", "*"],
        &["invitations", "by-group", "*", "*"],
    ];
    let mut segments: Vec<String> = if u.ratio(3, 4)? {
        let shape = u.choose(shapes)?;
        shape
            .iter()
            .map(|s| {
                if *s == "*" {
                    segment(u)
                } else {
                    Ok((*s).to_owned())
                }
            })
            .collect::<Result<_>>()?
    } else {
        let len = u.int_in_range(0..=5)?;
        (0..len).map(|_| segment(u)).collect::<Result<_>>()?
    };
    if u.ratio(1, 8)? {
        segments.push(String::new()); // a trailing slash
    }
    let path = segments.join("/");
    Ok(if u.ratio(7, 8)? {
        format!("/{path}")
    } else {
        path
    })
}

fn form(text: &str, plus: bool) -> String {
    const FORM: &AsciiSet = &SOME.add(b'&').add(b'=').add(b'+');
    let encoded = utf8_percent_encode(text, FORM).to_string();
    if plus {
        encoded.replace("%20", "+")
    } else {
        encoded
    }
}

fn query(u: &mut Unstructured<'_>) -> Result<Option<String>> {
    Ok(match u.int_in_range(0..=3)? {
        0 => None,
        1 => Some(u.arbitrary()?),
        _ => {
            let types = [
                "email",
                "username",
                "phoneNumber",
                "phone",
                "internal",
                "Email",
                "",
            ];
            let target_type = if u.ratio(4, 5)? {
                (*u.choose(&types)?).to_owned()
            } else {
                u.arbitrary()?
            };
            let value = if u.arbitrary()? {
                "a@example.com".to_owned()
            } else {
                u.arbitrary()?
            };
            let plus = u.arbitrary()?;
            let mut pairs = vec![
                format!("targetType={}", form(&target_type, plus)),
                format!("targetValue={}", form(&value, plus)),
            ];
            if u.arbitrary()? {
                pairs.push(u.arbitrary()?);
            }
            if u.arbitrary()? {
                pairs.reverse();
            }
            Some(pairs.join("&"))
        }
    })
}

fn id(u: &mut Unstructured<'_>) -> Result<Value> {
    Ok(if u.ratio(3, 4)? {
        json!(if u.arbitrary()? {
            "inv-1".to_owned()
        } else {
            u.arbitrary::<String>()?
        })
    } else {
        js::value(u, 1)?
    })
}

fn body(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    let value = match u.int_in_range(0..=6)? {
        0 => return Ok(Vec::new()),
        1 => return u.arbitrary(),
        2 => Value::Object(js::object(u, 3)?),
        3 => {
            let len = u.int_in_range(0..=3)?;
            let ids: Vec<Value> = (0..len).map(|_| id(u)).collect::<Result<_>>()?;
            let mut body = json!({ "invitationIds": ids });
            if u.arbitrary()? {
                body["target"] = json!({"type": *u.choose(&["email", "phone", "phoneNumber", "username", "x"])?, "value": id(u)?});
            } else {
                let mut user = json!({});
                if u.arbitrary()? {
                    user["email"] = id(u)?;
                }
                if u.arbitrary()? {
                    user["phone"] = id(u)?;
                }
                if u.arbitrary()? {
                    user["name"] = id(u)?;
                }
                if u.arbitrary()? {
                    user["isExisting"] = js::value(u, 0)?;
                }
                body["user"] = user;
            }
            body
        }
        4 => {
            let mut body = json!({});
            for field in ["creatorId", "targetValue", "componentId"] {
                if u.ratio(7, 8)? {
                    body[field] = id(u)?;
                }
            }
            if u.ratio(7, 8)? {
                body["action"] = json!(*u.choose(&["accepted", "declined", "ACCEPTED", ""])?);
            }
            body
        }
        5 => {
            let mut body = json!({});
            for field in ["component", "scope"] {
                if u.arbitrary()? {
                    body[field] = id(u)?;
                }
            }
            if u.arbitrary()? {
                body["vars"] = js::value(u, 2)?;
            }
            if u.arbitrary()? {
                body["expiresIn"] = if u.arbitrary()? {
                    json!(*u.choose(&["1h", "5m", "31d", "0m", "x"])?)
                } else {
                    js::value(u, 0)?
                };
            }
            if u.ratio(1, 8)? {
                body["user"] = json!({"id": "someone-else"});
            }
            body
        }
        _ => json!({ "context": js::value(u, 2)? }),
    };
    Ok(value.to_string().into_bytes())
}

fn user(u: &mut Unstructured<'_>) -> Result<UserLookup> {
    Ok(match u.int_in_range(0..=5)? {
        0 => UserLookup::Anonymous,
        1 => UserLookup::rejected::<()>(500, || "no session layer".into()),
        _ => {
            let id: String = if u.arbitrary()? {
                "user-1".into()
            } else {
                u.arbitrary()?
            };
            let mut user = VortexUser::new(id);
            if u.arbitrary()? {
                user.email = Some(if u.arbitrary()? {
                    "a@example.com".into()
                } else {
                    u.arbitrary()?
                });
            }
            if u.arbitrary()? {
                user.admin_scopes = vec!["autojoin".into()];
            }
            if u.arbitrary()? {
                user.attributes = Some(js::object(u, 2)?);
            }
            UserLookup::SignedIn(user)
        }
    })
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum PolicyChoice {
    AllowAll,
    Deny,
    Own,
    AdminOrOwn,
}

fn routes(choice: PolicyChoice, small_limit: bool) -> VortexRoutes {
    static ROUTES: OnceLock<Vec<VortexRoutes>> = OnceLock::new();
    let all = ROUTES.get_or_init(|| {
        vec![
            upstream::routes(AllowAllAuthenticated),
            upstream::routes(DenyAll),
            upstream::routes(OwnInvitations),
            upstream::routes(AdminScopeOr::new("autojoin", OwnInvitations)),
        ]
    });
    let routes = all[choice as usize].clone();
    if small_limit {
        routes.body_limit(16)
    } else {
        routes
    }
}

/// The (method, decoded upstream segments under `/api/v1`) that a request may cause.
fn allowed_calls(raw_segments: &[&str], body: &[u8]) -> Vec<(&'static str, Vec<String>)> {
    let d = |s: &str| decode(s).unwrap_or_else(|| "\u{0}not UTF-8".into());
    let inv = "invitations".to_owned();
    let mut calls = Vec::new();
    match raw_segments {
        ["invitations"] => calls.push(("GET", vec![inv.clone()])),
        ["invitations", "accept"] => {
            calls.push(("POST", vec![inv.clone(), "accept".into()]));
            // Owner checks fetch each invitation first.
            let ids = serde_json::from_slice::<Value>(body)
                .ok()
                .and_then(|b| b.get("invitationIds").cloned());
            for id in ids.as_ref().and_then(Value::as_array).into_iter().flatten() {
                if let Some(id) = id.as_str() {
                    calls.push(("GET", vec![inv.clone(), id.to_owned()]));
                }
            }
        }
        ["invitations", "sync-internal-invitation"] => {
            calls.push(("POST", vec![inv.clone(), "sync-internal-invitation".into()]));
        }
        _ => {}
    }
    match raw_segments {
        ["invitations", id] if !["accept", "sync-internal-invitation"].contains(id) => {
            calls.push(("GET", vec![inv.clone(), d(id)]));
            calls.push(("DELETE", vec![inv.clone(), d(id)]));
        }
        ["invitations", id, "reinvite"] => {
            calls.push(("POST", vec![inv.clone(), d(id), "reinvite".into()]));
        }
        _ => {}
    }
    if let ["invitations", "by-scope" | "by-group", kind, scope] = raw_segments {
        let path = vec![inv.clone(), "by-scope".into(), d(kind), d(scope)];
        calls.push(("GET", path.clone()));
        calls.push(("DELETE", path));
    }
    calls
}

/// The first value of `key` in a form-encoded query, as the routes read it.
fn form_value(query: &str, key: &str) -> Option<String> {
    let form_decode = |s: &str| decode(&s.replace('+', " "));
    query.split('&').filter(|p| !p.is_empty()).find_map(|pair| {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        (form_decode(name).as_deref() == Some(key))
            .then(|| form_decode(value))
            .flatten()
    })
}

fn check_upstream_call(call: &Recorded, raw_segments: &[&str], request: &FuzzRequest, body: &[u8]) {
    let (path, query) = call.target.split_once('?').unwrap_or((&call.target, ""));
    let rest = path
        .strip_prefix("/api/v1/")
        .unwrap_or_else(|| panic!("upstream path outside /api/v1: {}", call.target));
    let mut decoded = Vec::new();
    for segment in rest.split('/') {
        let mut chars = segment.bytes();
        while let Some(b) = chars.next() {
            if b == b'%' {
                let hex: Vec<u8> = chars.by_ref().take(2).collect();
                assert!(
                    hex.len() == 2 && hex.iter().all(u8::is_ascii_hexdigit),
                    "bad escape in upstream segment {segment:?} of {}",
                    call.target
                );
            } else {
                assert!(
                    b.is_ascii_alphanumeric() || b"-._~".contains(&b),
                    "unencoded {:?} in upstream segment {segment:?} of {}",
                    b as char,
                    call.target
                );
            }
        }
        decoded.push(decode(segment).expect("upstream segments decode to UTF-8"));
    }
    assert!(
        decoded
            .iter()
            .all(|s| !s.is_empty() && s != "." && s != ".."),
        "an empty or dot segment reached the upstream: {}",
        call.target
    );
    let allowed = allowed_calls(raw_segments, body);
    assert!(
        allowed
            .iter()
            .any(|(m, p)| *m == call.method && *p == decoded),
        "{} {} (segments {decoded:?}) is not a call of {} {:?}; allowed: {allowed:?}",
        call.method,
        call.target,
        request.method,
        request.path
    );
    if decoded == ["invitations"] {
        let query_in = request.query.as_deref().unwrap_or_default();
        for key in ["targetType", "targetValue"] {
            assert_eq!(
                form_value(query, key),
                form_value(query_in, key),
                "{key} changed on the way upstream: {query_in:?} -> {query:?}"
            );
        }
    } else {
        assert!(
            query.is_empty(),
            "unexpected upstream query: {}",
            call.target
        );
    }
}

/// A request written as text (the seeds): `>METHOD target` on the first line (`?` starts
/// the query), then `user: -` (anonymous), `user: !` (the lookup failed) or
/// `user: <id> [<email>] [admin]`, then `policy: <0-3>`, an empty line and the body.
fn parse_text(data: &[u8]) -> Option<(FuzzRequest, PolicyChoice)> {
    let text = std::str::from_utf8(data.strip_prefix(b">")?).ok()?;
    let (head, body) = text.split_once("\n\n").unwrap_or((text, ""));
    let mut lines = head.lines();
    let (method, target) = lines.next()?.split_once(' ')?;
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path, Some(query.to_owned())),
        None => (target, None),
    };
    let mut user = UserLookup::Anonymous;
    let mut policy = PolicyChoice::AllowAll;
    for line in lines {
        if let Some(spec) = line.strip_prefix("user: ") {
            let mut words = spec.split(' ');
            user = match words.next()? {
                "-" => UserLookup::Anonymous,
                "!" => UserLookup::rejected::<()>(500, || "no session layer".into()),
                id => {
                    let mut user = VortexUser::new(id);
                    for word in words {
                        if word == "admin" {
                            user.admin_scopes = vec!["autojoin".into()];
                        } else {
                            user.email = Some(word.into());
                        }
                    }
                    UserLookup::SignedIn(user)
                }
            };
        } else if let Some(n) = line.strip_prefix("policy: ") {
            policy = match n.trim() {
                "1" => PolicyChoice::Deny,
                "2" => PolicyChoice::Own,
                "3" => PolicyChoice::AdminOrOwn,
                _ => PolicyChoice::AllowAll,
            };
        }
    }
    let request = FuzzRequest {
        method: method.into(),
        path: path.into(),
        query,
        user,
        body: body.as_bytes().to_vec(),
        unreadable: false,
    };
    Some((request, policy))
}

fn generate(u: &mut Unstructured<'_>) -> Result<(FuzzRequest, PolicyChoice, bool)> {
    let method = if u.ratio(7, 8)? {
        (*u.choose(&[
            "GET", "POST", "DELETE", "PUT", "HEAD", "OPTIONS", "PATCH", "get",
        ])?)
        .to_owned()
    } else {
        u.arbitrary()?
    };
    let request = FuzzRequest {
        method,
        path: path(u)?,
        query: query(u)?,
        user: user(u)?,
        body: body(u)?,
        unreadable: u.ratio(1, 16)?,
    };
    Ok((request, u.arbitrary()?, u.ratio(1, 8)?))
}

fn run(data: &[u8]) -> Result<()> {
    let (request, policy, small_limit) = match parse_text(data) {
        Some((request, policy)) => (request, policy, false),
        None => generate(&mut Unstructured::new(data))?,
    };
    let routes = routes(policy, small_limit);
    let failed_lookup = matches!(request.user, UserLookup::Failed { .. });
    let snapshot = FuzzRequest {
        method: request.method.clone(),
        path: request.path.clone(),
        query: request.query.clone(),
        user: UserLookup::Anonymous,
        body: Vec::new(),
        unreadable: request.unreadable,
    };
    let sent_body = request.body.clone();

    upstream::answer_with(200, UPSTREAM_ANSWER.as_bytes());
    let answer = vortex_fuzz::block_on(routes.serve(request));
    let calls = upstream::received();

    check_answer(&answer);
    let status = answer.status();
    if status == 500 {
        assert!(
            failed_lookup,
            "500 (a panic or bug) for {snapshot:?}: {}",
            answer.body()
        );
        assert_eq!(answer.body(), r#"{"error":"Internal error"}"#);
    } else {
        assert!(
            status < 500,
            "{status} with an upstream that answers well: {}",
            answer.body()
        );
    }
    if [400, 401, 404, 405, 413].contains(&status) {
        assert!(
            calls.is_empty(),
            "refused with {status} after calling upstream: {calls:?}"
        );
    }
    let raw = snapshot.path.strip_prefix('/').unwrap_or(&snapshot.path);
    let raw_segments: Vec<&str> = raw.split('/').collect();
    if status == 200 && !matches!(raw_segments.as_slice(), ["jwt"] | ["token"]) {
        assert!(
            !calls.is_empty(),
            "200 without calling upstream for {snapshot:?}"
        );
    }
    for call in &calls {
        check_upstream_call(call, &raw_segments, &snapshot, &sent_body);
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(data);
});
