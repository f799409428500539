//! Shaping proxied answers: the checks of each route's upstream answer and the Node transform
//! (see [`transform`](super::transform)), applied in one pass over the upstream body.
//!
//! The pass never builds a `serde_json::Value`. It reads the body once, checks its syntax and
//! copies it to the answer in runs, borrowing from the body; it writes only where the output
//! differs from the input: whitespace is dropped, the transform's `scopeId` and `scopes` are
//! added (copies of what the pass has just written), and the few tokens that `serde_json`
//! writes differently from how they were sent are rewritten (numbers such as `1.0e2`, `-0` or
//! integers beyond 64 bits; strings with `\/` or `\u` escapes), each through `serde_json`
//! itself. The answer is byte for byte what parsing the body into a `Value` (keys in upstream
//! order), transforming it and writing it compactly gives.
//!
//! Where the pass cannot be sure of that, it hands the answer to that `Value` path, which then
//! decides: a body that is not JSON or has the wrong shape (the 502 and its log), a key with
//! an escape, a duplicate key (a `Value` keeps the first position and the last value), more
//! than [`MAX_DEPTH`] levels of nesting or an object of more than [`MAX_KEYS`] keys. Real answers have none of these.

use std::ops::Range;

use serde_json::{Value, json};
use vortex_client::{Error, RawApi};

use super::error::RouteError;
use super::route::RouteKind;
use super::transform::{transform_invitation, transform_invitations};

/// The shape a route's upstream answer must have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// An object with an `invitations` array (of invitation objects).
    List,
    /// An invitation: an object with an `id`.
    Invitation,
    /// The accept result: a JSON object (transformed as an invitation).
    Accepted,
    /// Any JSON object, as it is (sync).
    Object,
    /// Anything: answered `{"success":true}`.
    Success,
}

/// The longest excerpt of a wrong-shaped upstream answer in the logs, in characters.
const EXCERPT_CHARS: usize = 200;

/// The deepest nesting the one-pass shaping handles (`serde_json` refuses more than 127).
const MAX_DEPTH: usize = 100;

/// The most keys of one object that the one-pass shaping checks for duplicates.
const MAX_KEYS: usize = 256;

impl Shape {
    /// The answer to send for the upstream body `body`: checked and transformed in one pass,
    /// or, when the pass cannot be sure to write what the `Value` path writes, by
    /// [`Shape::apply`]. A body that is not JSON is the client's decode error, and an answer
    /// of the wrong shape is 502 `Vortex API unavailable`, logged with the route and an
    /// excerpt.
    pub(crate) fn answer(self, route: RouteKind, body: &[u8]) -> Result<String, AnswerError> {
        if self == Self::Success {
            return Ok(r#"{"success":true}"#.to_owned());
        }
        if let Some(answer) = shape(self, body) {
            return Ok(answer);
        }
        let value = RawApi::parse_body(body).map_err(AnswerError::Upstream)?;
        let shaped = self.apply(route, value).map_err(AnswerError::Shape)?;
        Ok(serde_json::to_string(&shaped)
            .unwrap_or_else(|_| r#"{"error":"Internal error"}"#.into()))
    }

    /// Checks and transforms `answer`; an answer of the wrong shape is 502 `Vortex API
    /// unavailable`, logged with the route and an excerpt.
    pub(crate) fn apply(self, route: RouteKind, mut answer: Value) -> Result<Value, RouteError> {
        let fits = match self {
            Self::List => answer.get("invitations").is_some_and(Value::is_array),
            Self::Invitation => answer.get("id").is_some_and(|id| !id.is_null()),
            Self::Accepted | Self::Object => answer.is_object(),
            Self::Success => return Ok(json!({ "success": true })),
        };
        if !fits {
            return Err(wrong_shape(route, self, &answer));
        }
        match self {
            Self::List => {
                let mut list = answer
                    .as_object_mut()
                    .and_then(|map| map.shift_remove("invitations"))
                    .unwrap_or_default();
                transform_invitations(&mut list);
                Ok(json!({ "invitations": list }))
            }
            Self::Invitation | Self::Accepted => {
                transform_invitation(&mut answer);
                Ok(answer)
            }
            Self::Object | Self::Success => Ok(answer),
        }
    }

    fn expected(self) -> &'static str {
        match self {
            Self::List => "an object with an `invitations` array",
            Self::Invitation => "an invitation object with an `id`",
            Self::Accepted | Self::Object => "a JSON object",
            Self::Success => "anything",
        }
    }
}

/// Why an upstream body gave no answer.
#[derive(Debug)]
pub(crate) enum AnswerError {
    /// The body is not JSON (the client's decode error).
    Upstream(Error),
    /// The JSON has the wrong shape (already logged).
    Shape(RouteError),
}

fn wrong_shape(route: RouteKind, shape: Shape, answer: &Value) -> RouteError {
    let text = answer.to_string();
    let excerpt: String = text.chars().take(EXCERPT_CHARS).collect();
    tracing::warn!(
        route = route.pattern(),
        expected = shape.expected(),
        excerpt,
        error.kind = "upstream_unavailable",
        "Vortex API answered with the wrong shape"
    );
    RouteError::upstream_unavailable()
}

/// The answer of `shape` for `body` in one pass, or `None` to take the `Value` path.
pub(crate) fn shape(shape: Shape, body: &[u8]) -> Option<String> {
    let src = std::str::from_utf8(body).ok()?;
    let mut scanner = Scanner {
        src,
        bytes: body,
        pos: 0,
        run: 0,
        // The answer is about the size of the body, plus `scopeId`s and `scopes`.
        out: String::with_capacity(body.len() + body.len() / 2 + 32),
        keys: Vec::with_capacity(64),
        depth: 0,
        id_ok: false,
    };
    scanner.top(shape).ok()?;
    Some(scanner.out)
}

/// The pass cannot answer as the `Value` path would: take that path.
#[derive(Debug)]
struct Bail;

type Step<T = ()> = Result<T, Bail>;

/// What an object is to the transform.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Copied as it is.
    Plain,
    /// An invitation: `scopes` becomes a copy of a `groups` array.
    Invitation,
    /// An element of an invitation's `groups`: `scopeId` becomes a copy of `groupId`.
    Group,
}

struct Scanner<'a> {
    src: &'a str,
    bytes: &'a [u8],
    /// The next byte to read.
    pos: usize,
    /// Where the bytes still to copy as they are begin: `src[run..pos]` is pending output.
    run: usize,
    out: String,
    /// The keys of the objects being read, innermost last (duplicate checks).
    keys: Vec<&'a [u8]>,
    depth: usize,
    /// Whether the top object has an `id` that is not `null`.
    id_ok: bool,
}

/// Bytes that end a run of plain string content: `"`, `\` and control characters.
static STRING_STOP: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// The high bit of each byte of `word` (little-endian) that is `"`, `\\` or below 0x20; exact up
/// to the first such byte (a borrow can only mark bytes after it).
#[inline]
fn string_stops(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let quote = zero(word ^ (ONES * u64::from(b'"')));
    let backslash = zero(word ^ (ONES * u64::from(b'\\')));
    let control = word.wrapping_sub(ONES * 0x20) & !word & HIGH;
    quote | backslash | control
}

/// A 7-bit hash of a key, for the duplicate checks' filter.
#[inline]
fn key_bit(key: &[u8]) -> u128 {
    let (first, last) = match (key.first(), key.last()) {
        (Some(first), Some(last)) => (*first, *last),
        _ => (0, 0),
    };
    let middle = key.get(key.len() / 2).copied().unwrap_or(0);
    let mixed = (key.len() as u64)
        ^ (u64::from(first) << 8)
        ^ (u64::from(last) << 16)
        ^ (u64::from(middle) << 24);
    1u128 << (mixed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 57)
}

impl<'a> Scanner<'a> {
    fn top(&mut self, shape: Shape) -> Step {
        self.skip_ws();
        if self.peek() != Some(b'{') {
            return Err(Bail);
        }
        match shape {
            Shape::List => self.list()?,
            Shape::Invitation | Shape::Accepted => self.object(Role::Invitation, true)?,
            Shape::Object => self.object(Role::Plain, false)?,
            Shape::Success => return Err(Bail),
        }
        self.flush();
        self.skip_ws();
        if self.pos != self.bytes.len() || (shape == Shape::Invitation && !self.id_ok) {
            return Err(Bail);
        }
        Ok(())
    }

    /// `{"invitations":[…]}` of a list answer: only the `invitations` array is written
    /// (transformed); the other members are read (they must be JSON) and dropped.
    fn list(&mut self) -> Step {
        self.out.push_str("{\"invitations\":");
        // The output to keep: the head, then the `invitations` array once written. Keys,
        // separators and the other members are written by the run machinery and cut off.
        let mut keep = self.out.len();
        self.enter()?;
        self.pos += 1;
        let base = self.keys.len();
        let mut seen = 0u128;
        let mut found = false;
        loop {
            self.run = self.pos;
            self.skip_ws();
            let (key, _) = self.key(base, &mut seen)?;
            self.flush();
            self.out.truncate(keep);
            if key == b"invitations" {
                if self.peek() != Some(b'[') {
                    return Err(Bail);
                }
                self.array(Role::Invitation)?;
                self.flush();
                keep = self.out.len();
                found = true;
            } else {
                self.value(Role::Plain)?;
                self.flush();
                self.out.truncate(keep);
            }
            self.skip_ws();
            match self.next() {
                Some(b',') => {}
                Some(b'}') => break,
                _ => return Err(Bail),
            }
        }
        self.run = self.pos;
        self.out.truncate(keep);
        self.keys.truncate(base);
        self.depth -= 1;
        if !found {
            return Err(Bail);
        }
        self.out.push('}');
        Ok(())
    }

    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    #[inline(always)]
    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.pos += 1;
        Some(byte)
    }

    /// Writes the pending run.
    #[inline]
    fn flush(&mut self) {
        if self.run < self.pos {
            self.out.push_str(&self.src[self.run..self.pos]);
        }
        self.run = self.pos;
    }

    /// Where the byte at `pos` lands in the output (it must be in the pending run or just
    /// after it).
    #[inline]
    fn out_pos(&self, pos: usize) -> usize {
        self.out.len() + (pos - self.run)
    }

    /// Skips whitespace, which the output drops.
    #[inline(always)]
    fn skip_ws(&mut self) {
        if matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.flush();
            while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
                self.pos += 1;
            }
            self.run = self.pos;
        }
    }

    fn enter(&mut self) -> Step {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Bail);
        }
        Ok(())
    }

    fn value(&mut self, role: Role) -> Step {
        match self.peek() {
            Some(b'{') => self.object(role, false),
            Some(b'[') => self.array(Role::Plain),
            Some(b'"') => self.string_value(),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            _ => Err(Bail),
        }
    }

    fn literal(&mut self, word: &[u8]) -> Step {
        if !self.bytes[self.pos..].starts_with(word) {
            return Err(Bail);
        }
        self.pos += word.len();
        Ok(())
    }

    /// An array whose object elements have `role`.
    fn array(&mut self, role: Role) -> Step {
        self.enter()?;
        self.pos += 1;
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(());
        }
        loop {
            self.value(role)?;
            self.skip_ws();
            match self.next() {
                Some(b',') => self.skip_ws(),
                Some(b']') => break,
                _ => return Err(Bail),
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// A key and its `:`, checked against the keys of its object (from `keys[base..]`), with
    /// where the key lands in the output.
    fn key(&mut self, base: usize, seen: &mut u128) -> Step<(&'a [u8], usize)> {
        if self.peek() != Some(b'"') {
            return Err(Bail);
        }
        let out = self.out_pos(self.pos);
        let start = self.pos + 1;
        let (end, escapes) = self.string_end()?;
        // Keys with escapes that `serde_json` rewrites are compared decoded by it.
        if escapes == Escapes::Rewrite {
            return Err(Bail);
        }
        let key = &self.bytes[start..end];
        // Objects are small: a filter of the keys' hashes, then a linear check (raw texts
        // without rewritten escapes are equal exactly when the keys are). Huge objects take
        // the `Value` path.
        let earlier = &self.keys[base..];
        if earlier.len() >= MAX_KEYS {
            return Err(Bail);
        }
        let bit = key_bit(key);
        if *seen & bit != 0 && earlier.contains(&key) {
            return Err(Bail);
        }
        *seen |= bit;
        self.keys.push(key);
        self.pos = end + 1;
        self.skip_ws();
        if self.next() != Some(b':') {
            return Err(Bail);
        }
        self.skip_ws();
        Ok((key, out))
    }

    /// An object; `top` marks the answer's own object (whose `id` is checked).
    fn object(&mut self, role: Role, top: bool) -> Step {
        self.enter()?;
        self.pos += 1;
        let base = self.keys.len();
        // Output ranges: the `groups` array as written (Invitation), the value of `scopes`
        // (Invitation) or of `groupId` (Group), and the `scopeId` member with its value.
        let mut groups: Option<Range<usize>> = None;
        let mut replace: Option<Range<usize>> = None;
        let mut group_id: Option<Range<usize>> = None;
        let mut scope_id: Option<(Range<usize>, Range<usize>, bool)> = None;
        let mut members = 0usize;
        let mut seen = 0u128;
        self.skip_ws();
        if self.peek() != Some(b'}') {
            loop {
                let (key, member_start) = self.key(base, &mut seen)?;
                let special = match role {
                    Role::Plain => false,
                    Role::Invitation => key == b"groups" || key == b"scopes",
                    Role::Group => key == b"groupId" || key == b"scopeId",
                } || (top && key == b"id");
                if special {
                    let value_start = self.out_pos(self.pos);
                    let first_byte = self.peek();
                    if key == b"groups" && role == Role::Invitation && first_byte == Some(b'[') {
                        self.array(Role::Group)?;
                    } else {
                        self.value(Role::Plain)?;
                    }
                    let value = value_start..self.out_pos(self.pos);
                    match key {
                        b"groups" if first_byte == Some(b'[') => groups = Some(value),
                        b"scopes" => replace = Some(value),
                        b"groupId" => group_id = Some(value),
                        b"scopeId" => {
                            scope_id = Some((member_start..value.end, value, members == 0));
                        }
                        b"id" if top => self.id_ok = first_byte != Some(b'n'),
                        _ => {}
                    }
                } else {
                    self.value(Role::Plain)?;
                }
                members += 1;
                self.skip_ws();
                match self.peek() {
                    Some(b',') => {
                        self.pos += 1;
                        self.skip_ws();
                    }
                    Some(b'}') => break,
                    _ => return Err(Bail),
                }
            }
        }
        // At the closing `}`: the transform's additions go before it.
        match role {
            Role::Plain => {}
            Role::Invitation => {
                if let Some(groups) = groups {
                    self.flush();
                    match replace {
                        Some(scopes) => {
                            let copy = self.out[groups].to_owned();
                            self.out.replace_range(scopes, &copy);
                        }
                        None => {
                            self.out.push_str(",\"scopes\":");
                            self.out.extend_from_within(groups);
                        }
                    }
                }
            }
            Role::Group => match (group_id, scope_id) {
                (Some(id), None) => {
                    self.flush();
                    self.out.push_str(",\"scopeId\":");
                    self.out.extend_from_within(id);
                }
                (Some(id), Some((_, value, _))) => {
                    self.flush();
                    let copy = self.out[id].to_owned();
                    self.out.replace_range(value, &copy);
                }
                (None, Some((member, _, first))) => {
                    // `{...g, scopeId: undefined}`: the member goes, with one comma.
                    self.flush();
                    let range = if !first {
                        member.start - 1..member.end
                    } else if members > 1 {
                        member.start..member.end + 1
                    } else {
                        member
                    };
                    self.out.replace_range(range, "");
                }
                (None, None) => {}
            },
        }
        self.pos += 1;
        self.keys.truncate(base);
        self.depth -= 1;
        Ok(())
    }

    /// The end (index of the closing quote) of the string starting at `pos`, and which
    /// escapes it has.
    #[inline(always)]
    fn string_end(&self) -> Step<(usize, Escapes)> {
        let bytes = self.bytes;
        let mut i = self.pos + 1;
        let mut escapes = Escapes::None;
        loop {
            // Eight bytes at a time to the first `"`, `\` or control character; the body's
            // last few bytes one at a time.
            loop {
                if let Some(chunk) = bytes.get(i..i + 8) {
                    let stops =
                        string_stops(u64::from_le_bytes(chunk.try_into().unwrap_or_default()));
                    if stops != 0 {
                        i += (stops.trailing_zeros() / 8) as usize;
                        break;
                    }
                    i += 8;
                } else {
                    while i < bytes.len() && !STRING_STOP[bytes[i] as usize] {
                        i += 1;
                    }
                    break;
                }
            }
            match bytes.get(i) {
                Some(b'"') => return Ok((i, escapes)),
                Some(b'\\') => {
                    match bytes.get(i + 1) {
                        // Written back the same by `serde_json`.
                        Some(b'"' | b'\\' | b'b' | b'f' | b'n' | b'r' | b't') => {
                            escapes = escapes.max(Escapes::Same);
                            i += 2;
                        }
                        Some(b'/') => {
                            escapes = Escapes::Rewrite;
                            i += 2;
                        }
                        Some(b'u') => {
                            escapes = Escapes::Rewrite;
                            i += 6;
                        }
                        _ => return Err(Bail),
                    }
                }
                // A control character (refused by `serde_json`), or the end of the body.
                _ => return Err(Bail),
            }
        }
    }

    fn string_value(&mut self) -> Step {
        let start = self.pos;
        let (end, escapes) = self.string_end()?;
        self.pos = end + 1;
        if escapes == Escapes::Rewrite {
            // Decoded and written again by `serde_json` itself.
            let token = &self.src[start..self.pos];
            let text: String = serde_json::from_str(token).map_err(|_| Bail)?;
            self.rewrite(start, &serde_json::to_string(&text).map_err(|_| Bail)?);
        }
        Ok(())
    }

    /// Replaces the token from `start` to `pos` with `text`.
    fn rewrite(&mut self, start: usize, text: &str) {
        self.out.push_str(&self.src[self.run..start]);
        self.out.push_str(text);
        self.run = self.pos;
    }

    fn number(&mut self) -> Step {
        let start = self.pos;
        let bytes = self.bytes;
        let mut i = start;
        while i < bytes.len() && matches!(bytes[i], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
        {
            i += 1;
        }
        self.pos = i;
        let token = &self.src[start..i];
        if !is_canonical_integer(token.as_bytes()) {
            // Parsed and written again by `serde_json` itself: floats, `-0`, integers beyond
            // 64 bits (floats to serde_json), and anything it refuses.
            let value: Value = serde_json::from_str(token).map_err(|_| Bail)?;
            if !value.is_number() {
                return Err(Bail);
            }
            self.rewrite(start, &value.to_string());
        }
        Ok(())
    }
}

/// The escapes of a string.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Escapes {
    None,
    /// Only escapes that `serde_json` writes the same way.
    Same,
    /// Escapes that `serde_json` writes otherwise (`\/`, `\u…`).
    Rewrite,
}

/// Whether `token` is an integer that `serde_json` reads as a `u64` or `i64` and writes back
/// unchanged: no leading zero, no `-0`, within range.
fn is_canonical_integer(token: &[u8]) -> bool {
    const U64_MAX: &[u8] = b"18446744073709551615";
    const I64_MIN_ABS: &[u8] = b"9223372036854775808";
    let (negative, digits) = match token.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, token),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    if digits[0] == b'0' {
        return digits.len() == 1 && !negative;
    }
    let limit = if negative { I64_MIN_ABS } else { U64_MAX };
    // Same length: digit strings compare as numbers.
    digits.len() < limit.len() || (digits.len() == limit.len() && digits <= limit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SHAPES: [Shape; 4] = [
        Shape::List,
        Shape::Invitation,
        Shape::Accepted,
        Shape::Object,
    ];

    /// The `Value` path: what the routes answered before the one-pass shaping (parse, check,
    /// transform with `transform_invitation`, write), `None` for an error.
    fn by_value(shape: Shape, body: &[u8]) -> Option<String> {
        let value = RawApi::parse_body(body).ok()?;
        let shaped = shape.apply(RouteKind::GetByScope, value).ok()?;
        Some(serde_json::to_string(&shaped).expect("a Value writes"))
    }

    /// Checks the one pass against the `Value` path for every shape; answers whether the
    /// pass answered (rather than handing over to the `Value` path) for each shape.
    fn check(body: &str) -> [bool; 4] {
        SHAPES.map(|shape| {
            let fast = super::shape(shape, body.as_bytes());
            let slow = by_value(shape, body.as_bytes());
            if let Some(fast) = &fast {
                assert_eq!(Some(fast), slow.as_ref(), "{shape:?} of {body}");
            }
            // The whole answer (with its hand-over) is the `Value` path's.
            let answer = shape.answer(RouteKind::GetByScope, body.as_bytes()).ok();
            assert_eq!(answer, slow, "{shape:?} of {body}");
            fast.is_some()
        })
    }

    fn fast(shape: Shape, body: &str) -> String {
        let index = SHAPES.iter().position(|s| *s == shape).unwrap();
        assert!(check(body)[index], "{shape:?} took the Value path: {body}");
        super::shape(shape, body.as_bytes()).unwrap()
    }

    #[test]
    fn the_eight_byte_scan_finds_the_first_stop() {
        for at in 0..8 {
            for byte in 0..=255u8 {
                let mut word = [b'a'; 8];
                word[at] = byte;
                // A later stop must not hide this one.
                if at < 7 {
                    word[7] = b'"';
                }
                let stops = string_stops(u64::from_le_bytes(word));
                let first = word.iter().position(|b| STRING_STOP[*b as usize]);
                let found = (stops != 0).then(|| (stops.trailing_zeros() / 8) as usize);
                assert_eq!(found, first, "{word:?}");
            }
        }
    }

    #[test]
    fn the_node_transform() {
        assert_eq!(
            fast(
                Shape::List,
                r#"{"invitations":[{"id":"i1","groups":[{"groupId":"team-1","type":"team"}],"status":"queued"}]}"#
            ),
            r#"{"invitations":[{"id":"i1","groups":[{"groupId":"team-1","type":"team","scopeId":"team-1"}],"status":"queued","scopes":[{"groupId":"team-1","type":"team","scopeId":"team-1"}]}]}"#
        );
        // Existing keys keep their position; `scopeId` without `groupId` goes.
        assert_eq!(
            fast(
                Shape::Invitation,
                r#"{"scopes":[],"groups":[{"scopeId":"old","groupId":"g"},{"scopeId":1,"x":2},{"x":2,"scopeId":1},{"scopeId":1},3],"id":"i"}"#
            ),
            r#"{"scopes":[{"scopeId":"g","groupId":"g"},{"x":2},{"x":2},{},3],"groups":[{"scopeId":"g","groupId":"g"},{"x":2},{"x":2},{},3],"id":"i"}"#
        );
    }

    #[test]
    fn hand_cases_agree_with_the_value_path() {
        let fast_cases = [
            // whitespace, unicode, escapes written back the same, nested objects
            " {\n \"invitations\" : [ { \"id\" : \"i\\\"1\" , \"groups\" : [ { \"groupId\" : { \"a\" : [ 1 , -2 ] } } ] , \"n\" : \"é😀\\n\\t\\\\\" } ] } \n",
            // numbers rewritten by serde_json
            r#"{"invitations":[{"id":1.0e2,"a":[-0,1E+2,0.1,18446744073709551616,-9223372036854775809,-9223372036854775808,18446744073709551615,1.50]}]}"#,
            // strings rewritten by serde_json
            r#"{"invitations":[{"id":"\u00e9\/\ud83d\ude00\u001F\u0008","groups":[{"groupId":"\u0041"}]}]}"#,
            // groups absent, null, empty, not an array, elements not objects
            r#"{"invitations":[{"id":"a"},{"id":"b","groups":null},{"id":"c","groups":[]},{"id":"d","groups":{"groupId":"x"}},{"id":"e","groups":[1,"x",null,[{"groupId":"y"}]]},3,[],null]}"#,
            // other members before and after, dropped
            r#"{"total":2,"x":{"invitations":[]},"invitations":[],"next":[1,{"a":null}]}"#,
            // extra fields and key orders
            r#"{"invitations":[{"groups":[{"type":"t","groupId":"g","scopeId":"s","extra":{"deep":[true,false]}}],"id":"i","scopes":"old","metadata":{"k":"v"}}]}"#,
        ];
        for body in fast_cases {
            assert!(check(body)[0], "List took the Value path: {body}");
        }
        let value_path_cases = [
            // duplicate keys: first position, last value (even in dropped members)
            r#"{"meta":{"a":1,"a":2},"invitations":[]}"#,
            r#"{"invitations":[{"id":"i","groups":[{"groupId":"a","groupId":"b"}]}]}"#,
            r#"{"invitations":[],"invitations":[{"id":"i"}]}"#,
            r#"{"invitations":[{"id":null,"id":"i","groups":[],"groups":[{"groupId":"g"}]}]}"#,
            // keys with escapes that serde_json decodes
            r#"{"invitations":[{"id":"i","group\u0073":[{"groupId":"g"}]}]}"#,
            // not JSON, or the wrong shape
            "",
            "  ",
            "{",
            r#"{"invitations":{}}"#,
            r#"{"invitations":[1,]}"#,
            r#"{"invitations":[]} x"#,
            r#"{"invitations":[01]}"#,
            r#"{"invitations":[1e400]}"#,
            r#"{"invitations":["\ud800"]}"#,
            "{\"invitations\":[\"a\u{1}\"]}",
            r#"{"invitations":[tru]}"#,
            r#"[{"invitations":[]}]"#,
            r#""x""#,
            "\u{feff}{\"invitations\":[]}",
        ];
        for body in value_path_cases {
            assert!(!check(body)[0], "List did not take the Value path: {body}");
        }
        // Single invitations: the `id` must be there and not null.
        for (body, fits) in [
            (r#"{"id":"i"}"#, true),
            (r#"{"id":0}"#, true),
            (r#"{"id":null}"#, false),
            (r#"{"x":{"id":"i"}}"#, false),
            (r#"{"a":[],"id":{}}"#, true),
        ] {
            let [_, invitation, accepted, object] = check(body);
            assert_eq!(invitation, fits, "{body}");
            assert!(accepted && object, "{body}");
        }
        let deep = format!("{}{}", "[".repeat(150), "]".repeat(150));
        check(&format!(r#"{{"invitations":{deep}}}"#));
        let wide: Vec<String> = (0..300).map(|i| format!(r#""k{i}":{i}"#)).collect();
        check(&format!(r#"{{"id":"i",{}}}"#, wide.join(",")));
    }

    #[test]
    fn answers_as_the_mock_writes_them() {
        let group = r#"{"id":"0b5c","accountId":"acc","groupId":"team-1","type":"team","name":"Team 1","createdAt":"2025-01-01T00:00:00.000Z"}"#;
        let invitation = format!(
            r#"{{"id":"inv-1","accountId":"acc","clickThroughs":0,"formSubmissionData":null,"createdAt":"2025-01-01T00:00:00.000Z","deactivated":false,"deliveryTypes":["email"],"groups":[{group},{group}],"accepts":[],"target":[{{"type":"email","value":"a@example.com"}}],"metadata":{{"k":[1,2.5]}}}}"#
        );
        let list = format!(r#"{{"invitations":[{invitation},{invitation}]}}"#);
        assert_eq!(check(&list), [true, false, true, true]);
        assert_eq!(check(&invitation), [false, true, true, true]);
    }

    /// A JSON text with the choices of its tokens: how each is written, and the whitespace.
    #[derive(Clone, Debug)]
    enum Json {
        Token(String),
        Array(Vec<Self>),
        Object(Vec<(String, Self)>),
    }

    fn write(json: &Json, ws: &[&str], at: &mut usize, out: &mut String) {
        fn space(ws: &[&str], at: &mut usize, out: &mut String) {
            if !ws.is_empty() {
                out.push_str(ws[*at % ws.len()]);
                *at += 1;
            }
        }
        match json {
            Json::Token(token) => out.push_str(token),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    space(ws, at, out);
                    write(item, ws, at, out);
                    space(ws, at, out);
                }
                out.push(']');
            }
            Json::Object(members) => {
                out.push('{');
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    space(ws, at, out);
                    out.push_str(key);
                    space(ws, at, out);
                    out.push(':');
                    space(ws, at, out);
                    write(value, ws, at, out);
                    space(ws, at, out);
                }
                out.push('}');
            }
        }
    }

    fn token() -> impl Strategy<Value = Json> {
        let pool = prop::sample::select(vec![
            "null",
            "true",
            "false",
            "0",
            "-0",
            "7",
            "-1",
            "1.0",
            "1.5",
            "1e2",
            "1E+2",
            "-0.0",
            "0.1",
            "123.456e-7",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "12345678901234567890123",
            r#""""#,
            r#""team-1""#,
            r#""é ü 😀""#,
            r#""a\"b\\c""#,
            r#""\/""#,
            r#""\u00e9""#,
            r#""\ud83d\ude00""#,
            r#""\n\t\r\b\f""#,
            r#""\u0001""#,
            r#""\u001F""#,
            r#""\u2028""#,
        ]);
        prop_oneof![
            4 => pool.prop_map(|t| Json::Token(t.to_owned())),
            1 => any::<i64>().prop_map(|n| Json::Token(n.to_string())),
            1 => any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| Json::Token(format!("{f:e}"))),
            2 => any::<String>().prop_map(|s| Json::Token(serde_json::to_string(&s).unwrap())),
        ]
    }

    fn key() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "id",
            "groups",
            "scopes",
            "groupId",
            "scopeId",
            "type",
            "name",
            "invitations",
            "status",
            "a",
            "é",
            "a\\\"b",
        ])
        .prop_map(|k| format!("\"{k}\""))
    }

    /// Objects whose keys come from `key`, unique four times in five.
    fn object(
        members: impl Strategy<Value = (String, Json)>,
        max: usize,
    ) -> impl Strategy<Value = Json> {
        (prop::collection::vec(members, 0..max), 0..5u8).prop_map(|(mut members, unique)| {
            if unique > 0 {
                let mut seen = std::collections::HashSet::new();
                members.retain(|(k, _)| seen.insert(k.clone()));
            }
            Json::Object(members)
        })
    }

    fn any_json() -> impl Strategy<Value = Json> {
        token().prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Json::Array),
                object((key(), inner), 6),
            ]
        })
    }

    fn group() -> impl Strategy<Value = Json> {
        prop_oneof![
            4 => object((key(), any_json()), 6),
            1 => any_json(),
        ]
    }

    fn groups() -> impl Strategy<Value = Json> {
        prop_oneof![
            4 => prop::collection::vec(group(), 0..4).prop_map(Json::Array),
            1 => any_json(),
        ]
    }

    fn invitation() -> impl Strategy<Value = Json> {
        let member = prop_oneof![
            2 => (Just("\"groups\"".to_owned()), groups()),
            3 => (key(), any_json()),
        ];
        prop_oneof![
            4 => object(member, 8),
            1 => any_json(),
        ]
    }

    fn list() -> impl Strategy<Value = Json> {
        let member = prop_oneof![
            3 => (Just("\"invitations\"".to_owned()), prop::collection::vec(invitation(), 0..4).prop_map(Json::Array)),
            1 => (key(), any_json()),
        ];
        object(member, 4)
    }

    fn whitespace() -> impl Strategy<Value = Vec<&'static str>> {
        prop_oneof![
            Just(vec![]),
            prop::collection::vec(
                prop::sample::select(vec!["", "", " ", "\n  ", "\t\r\n"]),
                1..8
            ),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Whatever the pass answers is what the `Value` path answers.
        #[test]
        fn the_pass_agrees_with_the_value_path(
            json in prop_oneof![list(), invitation(), any_json()],
            ws in whitespace(),
        ) {
            let mut text = String::new();
            write(&json, &ws, &mut 0, &mut text);
            check(&text);
        }

        /// JSON as `serde_json` writes it (no duplicates, canonical tokens) never takes the
        /// `Value` path when it has the right shape.
        #[test]
        fn canonical_answers_take_the_pass(json in list(), ws in whitespace()) {
            let mut text = String::new();
            write(&json, &ws, &mut 0, &mut text);
            if let Ok(value) = serde_json::from_str::<Value>(&text) {
                let canonical = serde_json::to_string(&value).unwrap();
                let fits = by_value(Shape::List, canonical.as_bytes()).is_some();
                prop_assert_eq!(check(&canonical)[0], fits, "{}", canonical);
            }
        }
    }
}

/// The shaping of a list answer, for the benches (`vortex-benches`): not part of the API.
pub mod bench {
    use super::{RawApi, RouteKind, Shape};

    /// The one pass, or `None` where the routes take the `Value` path.
    pub fn shape_list(body: &[u8]) -> Option<String> {
        super::shape(Shape::List, body)
    }

    /// The `Value` path: parse, check, transform, write.
    pub fn shape_list_by_value(body: &[u8]) -> Option<String> {
        let value = RawApi::parse_body(body).ok()?;
        let shaped = Shape::List.apply(RouteKind::GetByScope, value).ok()?;
        serde_json::to_string(&shaped).ok()
    }
}
