//! Arbitrary JSON values, and an independent model of what `JSON.stringify` does with them:
//! JavaScript enumerates array-index keys first (in numeric order), then the other keys in
//! insertion order; numbers are IEEE doubles.

use arbitrary::{Result, Unstructured};
use serde_json::{Map, Number, Value};

/// Keys that exercise the interesting cases: array indices (and near misses), the token
/// claims that the signer sets itself, and JavaScript prototype keys.
pub const KEYS: &[&str] = &[
    "0",
    "1",
    "2",
    "10",
    "01",
    "-1",
    "1.5",
    " 1",
    "4294967294",
    "4294967295",
    "99999999999",
    "",
    "id",
    "user",
    "iat",
    "exp",
    "userId",
    "userEmail",
    "expires",
    "identifiers",
    "name",
    "avatarUrl",
    "adminScopes",
    "userIsAutojoinAdmin",
    "role",
    "allowedEmailDomains",
    "attributes",
    "userName",
    "userAvatarUrl",
    "groups",
    "groupId",
    "scopeId",
    "scopes",
    "invitations",
    "__proto__",
    "constructor",
    "é",
    "\u{1F600}",
    "\u{FFFF}",
    "a\"b\\c\n",
];

/// A key: usually one of [`KEYS`], sometimes any string.
pub fn key(u: &mut Unstructured<'_>) -> Result<String> {
    if u.ratio(3, 4)? {
        Ok((*u.choose(KEYS)?).to_owned())
    } else {
        u.arbitrary()
    }
}

/// A finite double (JSON has no NaN or infinities).
pub fn finite_f64(u: &mut Unstructured<'_>) -> Result<f64> {
    let special = [
        0.0,
        -0.0,
        0.1,
        1.5,
        -1e-7,
        1e21,
        1e-6,
        123456789012345680000.0,
        9007199254740993.0,
        f64::MAX,
        f64::MIN_POSITIVE,
        5e-324,
    ];
    if u.ratio(1, 2)? {
        return Ok(*u.choose(&special)?);
    }
    let f = f64::from_bits(u.arbitrary()?);
    Ok(if f.is_finite() { f } else { 0.5 })
}

/// A JSON number of any of serde_json's three kinds.
pub fn number(u: &mut Unstructured<'_>) -> Result<Number> {
    Ok(match u.int_in_range(0..=3)? {
        0 => Number::from(u.int_in_range(0u64..=20)?),
        1 => Number::from(u.arbitrary::<u64>()?),
        2 => Number::from(u.arbitrary::<i64>()?),
        _ => Number::from_f64(finite_f64(u)?).expect("finite"),
    })
}

/// Any JSON value, at most `depth` levels deep.
pub fn value(u: &mut Unstructured<'_>, depth: u32) -> Result<Value> {
    let top = if depth == 0 { 3 } else { 5 };
    Ok(match u.int_in_range(0..=top)? {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => Value::Number(number(u)?),
        3 => Value::String(u.arbitrary()?),
        4 => {
            let len = u.int_in_range(0..=4)?;
            let mut items = Vec::with_capacity(len);
            for _ in 0..len {
                items.push(value(u, depth - 1)?);
            }
            Value::Array(items)
        }
        _ => Value::Object(object(u, depth - 1)?),
    })
}

/// A JSON object with up to 5 members, at most `depth` levels deep below it.
pub fn object(u: &mut Unstructured<'_>, depth: u32) -> Result<Map<String, Value>> {
    let len = u.int_in_range(0..=5)?;
    let mut map = Map::new();
    for _ in 0..len {
        map.insert(key(u)?, value(u, depth)?);
    }
    Ok(map)
}

/// Whether JavaScript treats `key` as an array index (a canonical decimal below 2^32 - 1),
/// written independently of the crate's own check.
pub fn is_array_index(key: &str) -> bool {
    if key.is_empty() || key.len() > 10 || !key.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    if key.len() > 1 && key.starts_with('0') {
        return false;
    }
    key.parse::<u64>().is_ok_and(|n| n <= 4_294_967_294)
}

/// The order in which JavaScript enumerates keys given in insertion order.
pub fn js_order<'a>(keys: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let keys: Vec<&str> = keys.into_iter().collect();
    let mut indices: Vec<&str> = keys.iter().copied().filter(|k| is_array_index(k)).collect();
    indices.sort_by_key(|k| k.parse::<u64>().unwrap_or(0));
    indices.extend(keys.iter().copied().filter(|k| !is_array_index(k)));
    indices
}

/// JavaScript truthiness of a JSON value.
pub fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// Whether two numbers are the same JavaScript number. `JSON.stringify` prints doubles:
/// integers beyond 2^53 are rounded, `-0` prints as `0`, `1.0` as `1`; so numbers are equal
/// when their doubles are (and -0 == 0, as in JavaScript).
pub fn same_js_number(a: &Number, b: &Number) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// Checks that `actual` (parsed from what the crate wrote) is what `JSON.stringify(expected)`
/// gives: same values (numbers as JavaScript numbers), and object keys in JavaScript's
/// enumeration order of `expected`'s insertion order.
pub fn check_js_equal(
    path: &str,
    expected: &Value,
    actual: &Value,
) -> std::result::Result<(), String> {
    match (expected, actual) {
        (Value::Number(a), Value::Number(b)) if same_js_number(a, b) => Ok(()),
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .try_for_each(|(i, (a, b))| check_js_equal(&format!("{path}[{i}]"), a, b)),
        (Value::Object(a), Value::Object(b)) => {
            let want = js_order(a.keys().map(String::as_str));
            let got: Vec<&str> = b.keys().map(String::as_str).collect();
            if want != got {
                return Err(format!("{path}: keys {got:?}, expected {want:?}"));
            }
            a.iter()
                .try_for_each(|(k, v)| check_js_equal(&format!("{path}.{k}"), v, &b[k]))
        }
        (a, b) if a == b && !a.is_number() => Ok(()),
        (a, b) => Err(format!("{path}: {b} written for {a}")),
    }
}

/// Checks that `actual` equals `expected` with key order kept as it is (no reordering), and
/// numbers compared as doubles (a byte-level pass may keep the upstream's number text,
/// serde_json may rewrite it: `1.0` vs `1`, `1e2` vs `100.0`).
pub fn check_same_order(
    path: &str,
    expected: &Value,
    actual: &Value,
) -> std::result::Result<(), String> {
    match (expected, actual) {
        (Value::Number(a), Value::Number(b)) if same_js_number(a, b) => Ok(()),
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .try_for_each(|(i, (a, b))| check_same_order(&format!("{path}[{i}]"), a, b)),
        (Value::Object(a), Value::Object(b)) => {
            let want: Vec<&str> = a.keys().map(String::as_str).collect();
            let got: Vec<&str> = b.keys().map(String::as_str).collect();
            if want != got {
                return Err(format!("{path}: keys {got:?}, expected {want:?}"));
            }
            a.iter()
                .try_for_each(|(k, v)| check_same_order(&format!("{path}.{k}"), v, &b[k]))
        }
        (a, b) if a == b && !a.is_number() => Ok(()),
        (a, b) => Err(format!("{path}: {b} answered for {a}")),
    }
}
