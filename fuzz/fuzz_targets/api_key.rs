//! `ApiKey::parse` on arbitrary strings: never panics; it accepts exactly the keys of the
//! form `VRTX.<22 base64url characters, 16 bytes, an RFC 4122 / nil / max UUID>.<secret>`
//! (checked against a model written here); a key that parses re-displays and derives
//! consistently (kid, secret part, signing key = HMAC-SHA256(secret, kid), re-parse, `Debug`
//! without the secret).
#![no_main]

use hmac::{KeyInit, Mac};
use libfuzzer_sys::fuzz_target;
use vortex_client::{ApiKey, ApiKeyError};

/// The 16 bytes of an unpadded, canonical base64url text of 22 characters (132 bits: the
/// last 4 must be zero), decoded here rather than with the `base64` crate the library uses.
fn decode_key_id(text: &str) -> Option<[u8; 16]> {
    if text.len() != 22 {
        return None;
    }
    let mut out = [0u8; 16];
    let mut acc: u32 = 0;
    let mut nbits = 0;
    let mut filled = 0;
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        nbits += 6;
        if nbits >= 8 && filled < 16 {
            nbits -= 8;
            out[filled] = (acc >> nbits) as u8;
            acc &= (1 << nbits) - 1;
            filled += 1;
        }
    }
    // What is left after 16 bytes are the 4 padding bits.
    (acc == 0).then_some(out)
}

fn is_uuid(b: &[u8; 16]) -> bool {
    let version = b[6] >> 4;
    let variant = b[8] >> 6;
    ((1..=8).contains(&version) && variant == 0b10)
        || b.iter().all(|x| *x == 0)
        || b.iter().all(|x| *x == 0xff)
}

fn uuid_text(b: &[u8; 16]) -> String {
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// The model: `Some((kid bytes, secret))` for a valid key.
fn model(key: &str) -> Option<([u8; 16], &str)> {
    let parts: Vec<&str> = key.split('.').collect();
    let [prefix, id, secret] = parts.as_slice() else {
        return None;
    };
    if *prefix != "VRTX" || secret.is_empty() {
        return None;
    }
    let bytes = decode_key_id(id)?;
    is_uuid(&bytes).then_some((bytes, *secret))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = ApiKey::parse(text);
    let via_from_str = text.parse::<ApiKey>();
    assert_eq!(parsed.as_ref().err(), via_from_str.as_ref().err());
    match (parsed, model(text)) {
        (Ok(key), Some((id, secret))) => {
            let kid = uuid_text(&id);
            assert_eq!(key.kid(), kid);
            assert_eq!(key.expose_secret(), text);
            assert_eq!(key.expose_secret_part(), secret);
            let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
            mac.update(kid.as_bytes());
            let signing: [u8; 32] = mac.finalize().into_bytes().into();
            assert_eq!(key.expose_signing_key(), &signing);
            assert_eq!(
                format!("{key:?}"),
                format!("ApiKey {{ kid: {kid:?}, secret: \"<redacted>\" }}")
            );
            let again = ApiKey::parse(key.expose_secret()).expect("a parsed key parses again");
            assert_eq!(again, key);
            assert_eq!(again.expose_signing_key(), key.expose_signing_key());
        }
        (Err(error), None) => {
            // The messages are fixed texts: the key (and so its secret) never appears.
            let message = error.to_string();
            assert!(message.starts_with("Invalid API key"), "{message}");
            assert!(format!("{error:?}").ends_with(&message));
            if text.trim().is_empty() {
                assert_eq!(error, ApiKeyError::Empty);
            }
        }
        (Ok(key), None) => panic!("accepted an invalid key {text:?}: {key:?}"),
        (Err(error), Some(_)) => panic!("refused a valid key {text:?}: {error:?}"),
    }
});
