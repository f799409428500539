//! `ExpiresIn` parsing: strings (`parse`, `FromStr`), JSON values (`from_json`) and numbers
//! (`from_secs`, `TryFrom<u64>`, `TryFrom<Duration>`). Never panics; whatever is accepted is
//! within the documented bounds (1 ..= 2^53 - 1 seconds) and is exactly what a model written
//! here computes (`^[0-9]+(m|h|d)$` with a value > 0, or a positive integer number).
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use vortex_client::{ExpiresIn, ExpiresInError};

const MAX: u128 = (1 << 53) - 1;

/// The seconds of a duration string, or why not.
fn model_text(text: &str) -> Result<u128, &'static str> {
    let Some(unit) = text.chars().last() else {
        return Err("format");
    };
    let multiplier: u128 = match unit {
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => return Err("format"),
    };
    let digits = &text[..text.len() - 1];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("format");
    }
    // Leading zeros may make the text long while the value is small.
    let significant = digits.trim_start_matches('0');
    if significant.len() > 30 {
        return Err("too large");
    }
    let value = significant.parse::<u128>().unwrap_or(0) * multiplier;
    match value {
        0 => Err("zero"),
        v if v > MAX => Err("too large"),
        v => Ok(v),
    }
}

fn check(
    accepted: Result<ExpiresIn, ExpiresInError>,
    model: Result<u128, &'static str>,
    what: &str,
) {
    match (&accepted, model) {
        (Ok(e), Ok(secs)) => {
            assert_eq!(u128::from(e.as_secs()), secs, "{what}");
            assert!((1..=MAX).contains(&u128::from(e.as_secs())), "{what}");
            assert_eq!(format!("{e:?}"), format!("ExpiresIn({secs}s)"));
        }
        (Err(error), Err(why)) => {
            let expected = match error {
                ExpiresInError::Format(_) => "format",
                ExpiresInError::ZeroDuration(_) | ExpiresInError::NotPositiveInteger(_) => "zero",
                ExpiresInError::TooLarge(_) => "too large",
                ExpiresInError::WrongType(_) => "type",
                _ => "other",
            };
            assert_eq!(expected, why, "{what}: {error:?}");
            let message = error.to_string();
            assert!(message.starts_with("Invalid expiresIn"), "{message}");
            assert!(format!("{error:?}").ends_with(&message));
        }
        _ => panic!("{what}: got {accepted:?}, the model says {model:?}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 4 {
        0 => {
            let Ok(text) = std::str::from_utf8(rest) else {
                return;
            };
            let model = model_text(text);
            check(ExpiresIn::parse(text), model, text);
            check(text.parse::<ExpiresIn>(), model, text);
            check(
                ExpiresIn::from_json(&Value::String(text.to_owned())),
                model,
                text,
            );
        }
        1 => {
            // A JSON `expiresIn` as a `/token` request sends it.
            let Ok(value) = serde_json::from_slice::<Value>(rest) else {
                return;
            };
            let model = match &value {
                Value::String(s) => model_text(s),
                Value::Number(n) => match (n.as_u64(), n.as_f64()) {
                    (Some(0), _) => Err("zero"),
                    (Some(u), _) if u128::from(u) > MAX => Err("too large"),
                    (Some(u), _) => Ok(u128::from(u)),
                    // Negative integers and fractions are not positive integers.
                    (None, Some(f)) if f > 0.0 && f.fract() == 0.0 => {
                        if f <= MAX as f64 {
                            Ok(f as u128)
                        } else {
                            Err("too large")
                        }
                    }
                    _ => Err("zero"),
                },
                _ => Err("type"),
            };
            check(ExpiresIn::from_json(&value), model, &value.to_string());
        }
        _ => {
            let mut bytes = [0u8; 8];
            let n = rest.len().min(8);
            bytes[..n].copy_from_slice(&rest[..n]);
            let secs = u64::from_le_bytes(bytes) >> (rest.get(8).copied().unwrap_or(0) % 64);
            let model = match u128::from(secs) {
                0 => Err("zero"),
                s if s > MAX => Err("too large"),
                s => Ok(s),
            };
            check(ExpiresIn::from_secs(secs), model, &secs.to_string());
            check(ExpiresIn::try_from(secs), model, &secs.to_string());
            let nanos = u32::from(rest.get(9).copied().unwrap_or(0)) * 3_000_000;
            let duration = std::time::Duration::new(secs, nanos);
            check(
                ExpiresIn::try_from(duration),
                model,
                &format!("{duration:?}"),
            );
        }
    }
});
