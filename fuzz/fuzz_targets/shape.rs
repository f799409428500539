//! The shaping of upstream answers, through `VortexRoutes::serve`: a valid request of each
//! upstream route, answered by the local upstream (`vortex_fuzz::upstream`) with the fuzz
//! bytes as body and a status from the contract's error table.
//!
//! Properties:
//! - never a 500 (a panic or a bug); always JSON, errors with a non-empty `error`;
//! - a 2xx upstream answer gives 200 JSON or 502 `Vortex API unavailable`: 200 exactly when
//!   the body is JSON of the route's shape (list: an object with an `invitations` array;
//!   invitation: an object with a non-null `id`; accept and sync: an object; revoke and
//!   delete: anything, or empty), and then the answer is what a model of the Node transform
//!   written here makes of it: every group object gets `scopeId` = its `groupId` (replaced
//!   in place, or last; removed when there is no `groupId`), and the invitation gets
//!   `scopes`, a copy of the transformed `groups` (in place, or last); key order kept,
//!   duplicate keys as JavaScript's `JSON.parse` keeps them (first position, last value).
//!   The answer's keys are compared in order and numbers as doubles (a pass over the bytes
//!   may keep the upstream's number text where serde_json rewrites it). An upstream body
//!   that serde_json refuses (invalid UTF-8, a lone surrogate escape, nesting deeper than
//!   128) must give 502;
//! - the shaped answer is a fixed point of the shaping (transforming it again changes
//!   nothing);
//! - other upstream statuses map as the contract's table says: 404 → 404, 400/409/422 → the
//!   same status, 401/403 → 502, 429 → 503, 5xx → 502.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value, json};
use vortex_client::VortexUser;
use vortex_fuzz::js::check_same_order;
use vortex_fuzz::request::{FuzzRequest, check_answer};
use vortex_fuzz::upstream;
use vortex_routes::adapter::UserLookup;
use vortex_routes::{AllowAllAuthenticated, VortexRoutes};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Shape {
    List,
    Invitation,
    Accepted,
    Object,
    Success,
}

/// (method, path, query, body, shape of the upstream answer)
const REQUESTS: &[(&str, &str, Option<&str>, &str, Shape)] = &[
    (
        "GET",
        "/invitations",
        Some("targetType=email&targetValue=a%40example.com"),
        "",
        Shape::List,
    ),
    (
        "GET",
        "/invitations/by-scope/team/t1",
        None,
        "",
        Shape::List,
    ),
    (
        "GET",
        "/invitations/by-group/team/t1",
        None,
        "",
        Shape::List,
    ),
    ("GET", "/invitations/inv-1", None, "", Shape::Invitation),
    (
        "POST",
        "/invitations/inv-1/reinvite",
        None,
        "",
        Shape::Invitation,
    ),
    (
        "POST",
        "/invitations/accept",
        None,
        r#"{"invitationIds":["inv-1"],"user":{"email":"a@example.com"}}"#,
        Shape::Accepted,
    ),
    (
        "POST",
        "/invitations/sync-internal-invitation",
        None,
        r#"{"creatorId":"c1","targetValue":"t1","action":"accepted","componentId":"w1"}"#,
        Shape::Object,
    ),
    ("DELETE", "/invitations/inv-1", None, "", Shape::Success),
    (
        "DELETE",
        "/invitations/by-scope/team/t1",
        None,
        "",
        Shape::Success,
    ),
];

const STATUSES: &[u16] = &[
    200, 200, 200, 200, 200, 201, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 504,
];

fn routes() -> &'static VortexRoutes {
    static ROUTES: OnceLock<VortexRoutes> = OnceLock::new();
    ROUTES.get_or_init(|| upstream::routes(AllowAllAuthenticated))
}

fn add_scope_id(group: &mut Value) {
    if let Value::Object(group) = group {
        match group.get("groupId").cloned() {
            Some(id) => {
                group.insert("scopeId".into(), id);
            }
            None => {
                group.shift_remove("scopeId");
            }
        }
    }
}

/// The Node SDK's transform of one invitation, written here as the model.
fn transform(invitation: &mut Value) {
    let Some(object) = invitation.as_object_mut() else {
        return;
    };
    let Some(Value::Array(groups)) = object.get_mut("groups") else {
        return;
    };
    groups.iter_mut().for_each(add_scope_id);
    let scopes = Value::Array(groups.clone());
    object.insert("scopes".into(), scopes);
}

/// What the route answers for an upstream JSON `answer`, or `None` for 502.
fn model(shape: Shape, method: &str, body: &[u8]) -> Option<Value> {
    let parsed = if body.iter().all(u8::is_ascii_whitespace) {
        // An empty answer is `{}` for DELETE, and undecodable otherwise.
        (method == "DELETE").then(|| Value::Object(Map::new()))
    } else {
        serde_json::from_slice::<Value>(body).ok()
    }?;
    match shape {
        Shape::Success => Some(json!({"success": true})),
        Shape::List => {
            let mut list = parsed.get("invitations").filter(|l| l.is_array())?.clone();
            if let Value::Array(items) = &mut list {
                items.iter_mut().for_each(transform);
            }
            Some(json!({ "invitations": list }))
        }
        Shape::Invitation => {
            parsed.get("id").filter(|id| !id.is_null())?;
            let mut answer = parsed;
            transform(&mut answer);
            Some(answer)
        }
        Shape::Accepted => {
            let mut answer = parsed.is_object().then_some(parsed)?;
            transform(&mut answer);
            Some(answer)
        }
        Shape::Object => parsed.is_object().then_some(parsed),
    }
}

fuzz_target!(|data: &[u8]| {
    let [which, status, body @ ..] = data else {
        return;
    };
    let (method, path, query, request_body, shape) = REQUESTS[usize::from(*which) % REQUESTS.len()];
    let upstream_status = STATUSES[usize::from(*status) % STATUSES.len()];
    let request = FuzzRequest {
        method: method.into(),
        path: path.into(),
        query: query.map(Into::into),
        user: UserLookup::SignedIn(VortexUser::new("user-1").email("a@example.com")),
        body: request_body.as_bytes().to_vec(),
        unreadable: false,
    };
    upstream::answer_with(upstream_status, body);
    let answer = vortex_fuzz::block_on(routes().serve(request));
    let calls = upstream::received();
    assert_eq!(calls.len(), 1, "{calls:?}");
    let parsed = check_answer(&answer);
    let status = answer.status();
    assert_ne!(
        status,
        500,
        "{method} {path}: 500 for upstream {upstream_status}: {}",
        answer.body()
    );

    match upstream_status {
        200 | 201 => match model(shape, method, body) {
            Some(expected) => {
                assert_eq!(
                    status,
                    200,
                    "{method} {path}: {} for a well-shaped answer",
                    answer.body()
                );
                if let Err(why) = check_same_order("answer", &expected, &parsed) {
                    panic!("{method} {path}: {why}\nanswer: {}", answer.body());
                }
                // A fixed point: shaping the shaped answer again changes nothing.
                let mut again = parsed.clone();
                match shape {
                    Shape::List => {
                        if let Some(Value::Array(items)) = again.get_mut("invitations") {
                            items.iter_mut().for_each(transform);
                        }
                    }
                    Shape::Invitation | Shape::Accepted => transform(&mut again),
                    Shape::Object | Shape::Success => {}
                }
                assert_eq!(again, parsed, "{method} {path}: shaping is not idempotent");
            }
            None => {
                assert_eq!(
                    status,
                    502,
                    "{method} {path}: {} for a wrong-shaped answer",
                    answer.body()
                );
                assert_eq!(answer.body(), r#"{"error":"Vortex API unavailable"}"#);
            }
        },
        404 => assert_eq!(status, 404),
        400 | 409 | 422 => assert_eq!(status, upstream_status),
        401 | 403 => assert_eq!(status, 502),
        429 => assert_eq!(status, 503),
        _ => assert_eq!(
            status,
            502,
            "{method} {path}: upstream {upstream_status}: {}",
            answer.body()
        ),
    }
});
