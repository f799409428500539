//! JSON text exactly as JavaScript's `JSON.stringify` writes it.
//!
//! Vortex tokens and signatures are HMACs over JSON text produced by the official Node SDK, so
//! "equivalent JSON" is not enough: the bytes must be the same. This writer reproduces the three
//! places where `serde_json`'s own writer differs from `JSON.stringify`:
//!
//! - **Key order**: a JavaScript object enumerates array-index keys (`"0"`, `"10"`, …) first, in
//!   numeric order, then every other key in insertion order.
//! - **Numbers**: JavaScript numbers are IEEE doubles printed by `Number.prototype.toString`
//!   (`1` not `1.0`, `1e+21` not `1e21`, integers beyond 2^53 rounded).
//! - **Strings**: only `"`, `\` and U+0000–U+001F are escaped (this part matches `serde_json`).

use serde_json::{Map, Number, Value};

/// Appends `s` as a JSON string literal (with quotes).
pub(crate) fn write_str(out: &mut String, s: &str) {
    out.push('"');
    let bytes = s.as_bytes();
    // Most strings need no escape: check eight bytes at a time and copy once.
    if !needs_escape(bytes) {
        out.push_str(s);
        out.push('"');
        return;
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            0x08 => "\\b",
            0x0c => "\\f",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x00..=0x1f => "",
            _ => continue,
        };
        // Only ASCII bytes are matched above, so `i` is always a char boundary.
        out.push_str(&s[start..i]);
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 0xf)] as char);
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// Whether `bytes` holds `"`, `\` or a control character (U+0000..U+001F), checked eight
/// bytes at a time ("SWAR": a zero byte in `x ^ pattern` is a match; `x - 0x20` borrows into
/// the top bit of bytes below 0x20).
fn needs_escape(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH != 0;
    let has_below_0x20 = |v: u64| v.wrapping_sub(ONES * 0x20) & !v & HIGH != 0;
    let word_needs_escape = |chunk: &[u8]| {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let v = u64::from_le_bytes(word);
        has_below_0x20(v)
            || has_zero(v ^ (ONES * u64::from(b'"')))
            || has_zero(v ^ (ONES * u64::from(b'\\')))
    };
    if bytes.len() < 8 {
        return bytes.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\');
    }
    let mut chunks = bytes.chunks_exact(8);
    if chunks.any(word_needs_escape) {
        return true;
    }
    // The last, partial word: check the final eight bytes, overlapping checked ones.
    !chunks.remainder().is_empty() && word_needs_escape(&bytes[bytes.len() - 8..])
}

/// `"00" "01" … "99"`: two digits per lookup halve the divisions of [`write_u64`].
const DIGIT_PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Appends the decimal digits of `n`.
pub(crate) fn write_u64(out: &mut String, mut n: u64) {
    // Formatting machinery costs more than the digits of a timestamp.
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    while n >= 100 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        start -= 2;
        digits[start..start + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    }
    if n >= 10 {
        let pair = n as usize * 2;
        start -= 2;
        digits[start..start + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    } else {
        start -= 1;
        digits[start] = b'0' + n as u8;
    }
    // Only ASCII digits were written.
    out.push_str(std::str::from_utf8(&digits[start..]).unwrap_or("0"));
}

/// Appends a JSON number the way JavaScript prints the same number.
pub(crate) fn write_number(out: &mut String, n: &Number) {
    use std::fmt::Write;
    const MAX_SAFE: u64 = (1 << 53) - 1;
    if let Some(u) = n.as_u64().filter(|u| *u <= MAX_SAFE) {
        write_u64(out, u);
    } else if let Some(i) = n.as_i64().filter(|i| i.unsigned_abs() <= MAX_SAFE) {
        // Non-negative values took the branch above.
        out.push('-');
        write_u64(out, i.unsigned_abs());
    } else if let Some(f) = n.as_f64() {
        write_f64(out, f);
    } else {
        // Unreachable without serde_json's `arbitrary_precision`; keep the text as given.
        let _ = write!(out, "{n}");
    }
}

/// `Number.prototype.toString()` for a finite double (ECMA-262 `Number::toString`, radix 10).
pub(crate) fn write_f64(out: &mut String, f: f64) {
    if !f.is_finite() {
        // JSON.stringify writes NaN and ±Infinity as null.
        out.push_str("null");
        return;
    }
    if f == 0.0 {
        out.push('0'); // also for -0
        return;
    }
    if f < 0.0 {
        out.push('-');
    }
    // Rust's `{:e}` gives the shortest round-trip digits, like JavaScript: "d.ddde±x".
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    let k = digits.len() as i32;
    let n = exp + 1; // the value is 0.d1d2…dk × 10^n
    if k <= n && n <= 21 {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', (n - k) as usize));
    } else if 0 < n && n <= 21 {
        out.push_str(&digits[..n as usize]);
        out.push('.');
        out.push_str(&digits[n as usize..]);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-n) as usize));
        out.push_str(&digits);
    } else {
        out.push_str(&digits[..1]);
        if k > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if n - 1 < 0 { '-' } else { '+' });
        use std::fmt::Write;
        let _ = write!(out, "{}", (n - 1).abs());
    }
}

/// Whether `key` is an array index, which JavaScript enumerates before all other keys.
pub(crate) fn is_array_index(key: &str) -> bool {
    let bytes = key.as_bytes();
    match bytes {
        [] => false,
        [b'0'] => true,
        [b'0', ..] => false,
        _ if bytes.len() > 10 || !bytes.iter().all(u8::is_ascii_digit) => false,
        _ => key.parse::<u64>().is_ok_and(|n| n < u64::from(u32::MAX)),
    }
}

/// The order in which JavaScript enumerates the given keys (insertion order given).
///
/// Returns `None` when it is the insertion order itself (no array-index keys), which is the
/// common case and costs no allocation.
pub(crate) fn js_key_order<'a, I>(keys: I) -> Option<Vec<usize>>
where
    I: Iterator<Item = &'a str> + Clone,
{
    if !keys.clone().any(is_array_index) {
        return None;
    }
    let mut index_keys: Vec<(u64, usize)> = Vec::new();
    let mut other_keys: Vec<usize> = Vec::new();
    for (position, key) in keys.enumerate() {
        if is_array_index(key) {
            index_keys.push((key.parse().unwrap_or(0), position));
        } else {
            other_keys.push(position);
        }
    }
    index_keys.sort_unstable();
    Some(
        index_keys
            .into_iter()
            .map(|(_, p)| p)
            .chain(other_keys)
            .collect(),
    )
}

/// Appends any JSON value as `JSON.stringify` would.
pub(crate) fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => write_object(out, map),
    }
}

fn write_object(out: &mut String, map: &Map<String, Value>) {
    out.push('{');
    write_object_members(out, map);
    out.push('}');
}

/// Writes the members of `map` without the braces, in JavaScript's order, so a caller can
/// append more; returns whether any member was written.
pub(crate) fn write_object_members(out: &mut String, map: &Map<String, Value>) -> bool {
    let mut first = true;
    let mut member = |out: &mut String, key: &str, value: &Value| {
        if !std::mem::take(&mut first) {
            out.push(',');
        }
        write_str(out, key);
        out.push(':');
        write_value(out, value);
    };
    match js_key_order(map.keys().map(String::as_str)) {
        None => map.iter().for_each(|(k, v)| member(out, k, v)),
        Some(order) => {
            let entries: Vec<(&String, &Value)> = map.iter().collect();
            for position in order {
                let (k, v) = entries[position];
                member(out, k, v);
            }
        }
    }
    !first
}

/// `JSON.stringify(value)` as a new string.
pub(crate) fn to_js_string(value: &Value) -> String {
    let mut out = String::with_capacity(128);
    write_value(&mut out, value);
    out
}

/// JavaScript truthiness of a JSON value (`""`, `0`, `false` and `null` are falsy).
pub(crate) fn is_truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// Compares two strings by UTF-16 code units, the order of JavaScript's default `sort()`.
pub(crate) fn cmp_utf16(a: &str, b: &str) -> std::cmp::Ordering {
    // UTF-8 byte order equals code point order, which differs from UTF-16 order only when a
    // supplementary-plane character meets one in U+E000..=U+FFFF.
    if a.is_ascii() || b.is_ascii() {
        return a.cmp(b);
    }
    a.encode_utf16().cmp(b.encode_utf16())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn js(v: impl Into<Value>) -> String {
        to_js_string(&v.into())
    }

    #[test]
    fn numbers_print_like_javascript() {
        assert_eq!(js(json!(1.0)), "1");
        assert_eq!(js(json!(1.5)), "1.5");
        assert_eq!(js(json!(0.25)), "0.25");
        assert_eq!(js(json!(-7)), "-7");
        assert_eq!(js(json!(1e21)), "1e+21");
        assert_eq!(js(json!(1.5e-7)), "1.5e-7");
        assert_eq!(js(json!(0.000001)), "0.000001");
        assert_eq!(js(json!(123456789012345680000.0)), "123456789012345680000");
        assert_eq!(js(json!(9007199254740991u64)), "9007199254740991");
        assert_eq!(js(json!(9007199254740993u64)), "9007199254740992");
        assert_eq!(js(json!(-0.0)), "0");
        assert_eq!(js(json!(8.64e24)), "8.64e+24");
    }

    #[test]
    fn integers_print_every_digit_count() {
        let mut n: u64 = 0;
        for _ in 0..20 {
            for candidate in [n, n.saturating_sub(1), n + 1] {
                let mut out = String::new();
                write_u64(&mut out, candidate);
                assert_eq!(out, candidate.to_string());
            }
            n = if n == 0 { 1 } else { n.saturating_mul(10) };
        }
        let mut out = String::new();
        write_u64(&mut out, u64::MAX);
        assert_eq!(out, u64::MAX.to_string());
        assert_eq!(js(json!(-9007199254740991i64)), "-9007199254740991");
        assert_eq!(js(json!(-1)), "-1");
    }

    #[test]
    fn escape_detection_finds_every_position() {
        for len in 0..20 {
            let clean = "aé".repeat(len);
            assert!(!needs_escape(clean.as_bytes()), "{clean}");
            for special in ["\"", "\\", "\n", "\u{1f}", "\u{0}"] {
                for at in 0..=clean.len() {
                    if clean.is_char_boundary(at) {
                        let text = format!("{}{special}{}", &clean[..at], &clean[at..]);
                        assert!(needs_escape(text.as_bytes()), "{text:?}");
                    }
                }
            }
        }
        assert!(!needs_escape("\u{7f}\u{80}😀 /<>".as_bytes()));
    }

    #[test]
    fn strings_escape_like_javascript() {
        assert_eq!(
            js(json!("a\"b\\c\n\t\u{1}\u{7f}</é😀")),
            "\"a\\\"b\\\\c\\n\\t\\u0001\u{7f}</é😀\""
        );
        assert_eq!(js(json!("\u{8}\u{c}\r\u{1f}")), "\"\\b\\f\\r\\u001f\"");
    }

    #[test]
    fn array_index_keys_come_first_in_numeric_order() {
        let v: Value =
            serde_json::from_str(r#"{"b":1,"10":2,"a":3,"2":4,"01":5,"4294967295":6}"#).unwrap();
        assert_eq!(js(v), r#"{"2":4,"10":2,"b":1,"a":3,"01":5,"4294967295":6}"#);
    }

    #[test]
    fn utf16_order_differs_from_code_point_order() {
        use std::cmp::Ordering;
        assert_eq!(cmp_utf16("\u{ff5a}", "\u{1f600}"), Ordering::Greater);
        assert_eq!("\u{ff5a}".cmp("\u{1f600}"), Ordering::Less);
        assert_eq!(cmp_utf16("Zed", "alpha"), Ordering::Less);
    }

    #[test]
    fn truthiness() {
        for falsy in [json!(null), json!(false), json!(0), json!(0.0), json!("")] {
            assert!(!is_truthy(&falsy), "{falsy}");
        }
        for truthy in [json!([]), json!({}), json!("0"), json!(-1), json!(true)] {
            assert!(is_truthy(&truthy), "{truthy}");
        }
    }
}
