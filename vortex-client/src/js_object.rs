//! A borrowed, write-only model of the JavaScript objects the official SDK builds before
//! `JSON.stringify`. Tokens and signatures are written straight from it, without building
//! `serde_json` values, and with JavaScript's rules for key order and `undefined`.

use serde_json::{Number, Value};

use crate::json;

/// One JavaScript value, borrowed from typed or JSON input.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Js<'a> {
    /// `undefined`: the key keeps its position but is not written.
    Undefined,
    Str(&'a str),
    Num(&'a Number),
    Int(u64),
    Bool(bool),
    Json(&'a Value),
    Strs(&'a [String]),
    /// `[{"type":"email","value":<v>}]`, the legacy `identifiers` claim.
    EmailIdentifier(&'a Self),
}

impl Js<'_> {
    pub(crate) fn is_truthy(&self) -> bool {
        match self {
            Js::Undefined => false,
            Js::Str(s) => !s.is_empty(),
            Js::Num(n) => n.as_f64().is_some_and(|f| f != 0.0),
            Js::Int(n) => *n != 0,
            Js::Bool(b) => *b,
            Js::Json(v) => json::is_truthy(v),
            Js::Strs(_) | Js::EmailIdentifier(_) => true,
        }
    }

    /// `value && value.length > 0`: a non-empty array (or, as in JavaScript, string).
    pub(crate) fn has_length(&self) -> bool {
        match self {
            Js::Str(s) => !s.is_empty(),
            Js::Strs(list) => !list.is_empty(),
            Js::Json(Value::Array(a)) => !a.is_empty(),
            Js::Json(Value::String(s)) => !s.is_empty(),
            _ => false,
        }
    }

    /// `value.includes(needle)` for arrays (element) and strings (substring).
    pub(crate) fn includes(&self, needle: &str) -> bool {
        match self {
            Js::Str(s) => s.contains(needle),
            Js::Json(Value::String(s)) => s.contains(needle),
            Js::Strs(list) => list.iter().any(|s| s == needle),
            Js::Json(Value::Array(a)) => a.iter().any(|v| v.as_str() == Some(needle)),
            _ => false,
        }
    }

    /// `a ?? b`: `a` unless it is undefined or null.
    pub(crate) fn or_else_nullish(self, other: Self) -> Self {
        match self {
            Js::Undefined | Js::Json(Value::Null) => other,
            _ => self,
        }
    }

    fn write(&self, out: &mut String, canonical: bool) {
        match self {
            Js::Undefined => out.push_str("null"), // only reachable inside arrays, as in JS
            Js::Str(s) => json::write_str(out, s),
            Js::Num(n) => json::write_number(out, n),
            Js::Int(n) => json::write_u64(out, *n),
            Js::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Js::Json(v) if canonical => write_canonical(out, v),
            Js::Json(v) => json::write_value(out, v),
            Js::Strs(list) => {
                out.push('[');
                for (i, s) in list.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    json::write_str(out, s);
                }
                out.push(']');
            }
            Js::EmailIdentifier(value) => {
                out.push_str(r#"[{"type":"email","value":"#);
                value.write(out, canonical);
                out.push_str("}]");
            }
        }
    }
}

impl<'a> From<Option<&'a Value>> for Js<'a> {
    fn from(value: Option<&'a Value>) -> Self {
        value.map_or(Js::Undefined, Js::Json)
    }
}

/// An object under construction, with JavaScript assignment semantics: assigning an existing
/// key replaces its value in place; a new key goes last.
#[derive(Debug, Default)]
pub(crate) struct JsObject<'a> {
    entries: Vec<(&'a str, Js<'a>)>,
}

impl<'a> JsObject<'a> {
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self {
            entries: Vec::with_capacity(capacity),
        }
    }

    pub(crate) fn set(&mut self, key: &'a str, value: Js<'a>) {
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = value,
            None => self.entries.push((key, value)),
        }
    }

    /// `JSON.stringify(this)`.
    pub(crate) fn write(&self, out: &mut String) {
        write_members(out, &self.entries, false);
    }

    /// The `canonicalJson` of the official SDK: keys sorted by UTF-16 code units at every
    /// level, prototype keys dropped, then `JSON.stringify`.
    pub(crate) fn write_canonical(mut self, out: &mut String) {
        self.entries
            .retain(|(k, v)| !matches!(v, Js::Undefined) && !is_prototype_key(k));
        sort_keys(&mut self.entries);
        write_members(out, &self.entries, true);
    }
}

/// A member whose key is a constant that needs no escaping and is not an array index, given
/// pre-quoted with a leading comma (`,"userId":`) so that it costs one copy; see
/// [`known_key!`].
pub(crate) type KnownMember<'a> = (&'static str, Js<'a>);

/// `,"key":` for a constant key: the form [`KnownMember`] takes.
macro_rules! known_key {
    ($key:literal) => {
        concat!(",\"", $key, "\":")
    };
}
pub(crate) use known_key;

/// The key of a [`KnownMember`]: `userId` for `,"userId":`.
pub(crate) fn known_key_name(quoted_key: &'static str) -> &'static str {
    quoted_key
        .strip_prefix(",\"")
        .and_then(|k| k.strip_suffix("\":"))
        .unwrap_or(quoted_key)
}

/// Up to `N` known members on the stack, in the order pushed.
pub(crate) struct KnownMembers<'a, const N: usize> {
    members: [KnownMember<'a>; N],
    len: usize,
}

impl<'a, const N: usize> KnownMembers<'a, N> {
    pub(crate) const fn new() -> Self {
        Self {
            members: [("", Js::Undefined); N],
            len: 0,
        }
    }

    /// Adds a member; `N` is sized for every caller, so a push past it is a bug, caught in
    /// debug builds and ignored otherwise.
    pub(crate) fn push(&mut self, quoted_key: &'static str, value: Js<'a>) {
        debug_assert!(self.len < N, "KnownMembers<{N}> is full");
        if let Some(slot) = self.members.get_mut(self.len) {
            *slot = (quoted_key, value);
            self.len += 1;
        }
    }

    pub(crate) fn as_slice(&self) -> &[KnownMember<'a>] {
        &self.members[..self.len]
    }
}

/// Writes an object of known members in the order given (already the JavaScript order, or
/// sorted when `canonical`); undefined ones are skipped.
pub(crate) fn write_known_members(out: &mut String, members: &[KnownMember<'_>], canonical: bool) {
    out.push('{');
    let mut separator = 1; // the first member written drops its comma
    for (quoted_key, value) in members {
        if matches!(value, Js::Undefined) {
            continue;
        }
        out.push_str(&quoted_key[separator..]);
        separator = 0;
        value.write(out, canonical);
    }
    out.push('}');
}

fn write_members(out: &mut String, entries: &[(&str, Js<'_>)], canonical: bool) {
    out.push('{');
    let mut first = true;
    let mut member = |out: &mut String, (key, value): &(&str, Js<'_>)| {
        if matches!(value, Js::Undefined) {
            return;
        }
        if !std::mem::take(&mut first) {
            out.push(',');
        }
        json::write_str(out, key);
        out.push(':');
        value.write(out, canonical);
    };
    match json::js_key_order(entries.iter().map(|(k, _)| *k)) {
        None => entries.iter().for_each(|e| member(out, e)),
        Some(order) => order.into_iter().for_each(|i| member(out, &entries[i])),
    }
    out.push('}');
}

/// Sorts members by key in UTF-16 code unit order (keys are unique: an unstable sort is
/// exact). For ASCII keys that is byte order, without re-checking each key per comparison.
fn sort_keys(entries: &mut [(&str, Js<'_>)]) {
    if entries.iter().all(|(k, _)| k.is_ascii()) {
        entries.sort_unstable_by_key(|(key, _)| *key);
    } else {
        entries.sort_unstable_by(|(a, _), (b, _)| json::cmp_utf16(a, b));
    }
}

fn is_prototype_key(key: &str) -> bool {
    matches!(key, "__proto__" | "constructor" | "prototype")
}

/// Writes a JSON value with object keys sorted at every level (see [`JsObject::write_canonical`]).
fn write_canonical(out: &mut String, value: &Value) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&str, Js<'_>)> = map
                .iter()
                .filter(|(k, _)| !is_prototype_key(k))
                .map(|(k, v)| (k.as_str(), Js::Json(v)))
                .collect();
            sort_keys(&mut entries);
            write_members(out, &entries, true);
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(out, item);
            }
            out.push(']');
        }
        scalar => json::write_value(out, scalar),
    }
}

/// Sorting helper exposed for tests of the canonical order.
#[cfg(test)]
pub(crate) fn canonical_string(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(&mut out, value);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn assignment_keeps_the_first_position() {
        let mut obj = JsObject::default();
        obj.set("userId", Js::Str("a"));
        obj.set("expires", Js::Int(1));
        obj.set("userId", Js::Str("b"));
        let mut out = String::new();
        obj.write(&mut out);
        assert_eq!(out, r#"{"userId":"b","expires":1}"#);
    }

    #[test]
    fn undefined_keeps_its_slot_but_is_not_written() {
        let mut obj = JsObject::default();
        obj.set("userId", Js::Undefined);
        obj.set("b", Js::Int(1));
        obj.set("userId", Js::Str("late"));
        let mut out = String::new();
        obj.write(&mut out);
        assert_eq!(out, r#"{"userId":"late","b":1}"#);
    }

    #[test]
    fn known_members_skip_undefined_and_place_commas() {
        let mut out = String::new();
        let members = [
            (known_key!("a"), Js::Undefined),
            (known_key!("b"), Js::Int(1)),
            (known_key!("c"), Js::Undefined),
            (known_key!("d"), Js::Str("x")),
        ];
        write_known_members(&mut out, &members, false);
        assert_eq!(out, r#"{"b":1,"d":"x"}"#);
        out.clear();
        write_known_members(&mut out, &members[..1], false);
        assert_eq!(out, "{}");
    }

    #[test]
    fn canonical_sorts_every_level_and_puts_index_keys_first() {
        let v = json!({"b": {"z": 1, "a": [{"d": 1, "c": 2}]}, "10": 1, "9": 2, "A": 3, "__proto__": 4});
        assert_eq!(
            canonical_string(&v),
            r#"{"9":2,"10":1,"A":3,"b":{"a":[{"c":2,"d":1}],"z":1}}"#
        );
    }
}
