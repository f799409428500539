//! Webhook verification and event parsing.
//! - our signature over any body verifies: `Webhooks::verify(body, &sign_payload(secret,
//!   body))` is Ok for any body and non-empty secret, and the signature is 64 lowercase hex
//!   digits; a changed hex digit (or upper case) in it fails with `InvalidSignature`;
//! - `construct_event` never panics on arbitrary bodies and signatures; it accepts an
//!   arbitrary signature only when it is the right one; with the right one it is Ok exactly
//!   when the body (decoded as JavaScript does, invalid UTF-8 replaced) is JSON, and the event
//!   holds that JSON and is classified as the SDKs do (`name` → analytics, else `type` →
//!   webhook, else unknown);
//! - `WebhookVerifier::verify` (vortex-routes) with arbitrary signature header values and
//!   bodies: every rejection's `to_response()` is JSON with a non-empty `error` and a 4xx
//!   status (or the duplicate answer), and what it accepts is a JSON object signed with the
//!   secret, sent in exactly one header.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use vortex_client::webhook::{VortexEvent, WebhookError, Webhooks, sign_payload};
use vortex_routes::{WebhookRejection, WebhookVerifier};

/// The input: `[secret length L][secret: L bytes][flip at][flip by][headers][limit][body…]`
/// (short inputs are padded with zeros). `headers`: bits 0-1 the number of signature header
/// values (0-3), then 2 bits per value: 0 the right signature, 1 it with a digit changed, 2
/// the first 64 bytes of the body (anything), 3 empty. `limit`: 0 the default body limit,
/// else `limit × 16` bytes. The arbitrary signature given to `construct_event` is the first
/// 64 bytes of the body, as text.
struct Input<'a> {
    secret: &'a [u8],
    flip_at: u8,
    flip_by: u8,
    headers: u8,
    body_limit: Option<usize>,
    body: &'a [u8],
}

impl<'a> Input<'a> {
    fn read(data: &'a [u8]) -> Self {
        let (&len, rest) = data.split_first().unwrap_or((&0, &[]));
        let (secret, rest) = rest.split_at(usize::from(len).min(rest.len()));
        let byte = |i: usize| rest.get(i).copied().unwrap_or(0);
        Self {
            secret,
            flip_at: byte(0),
            flip_by: byte(1),
            headers: byte(2),
            body_limit: (byte(3) != 0).then(|| usize::from(byte(3)) * 16),
            body: rest.get(4..).unwrap_or_default(),
        }
    }
}

fn flip(signature: &str, at: u8, by: u8) -> String {
    let mut bytes = signature.as_bytes().to_vec();
    let i = usize::from(at) % bytes.len();
    let digit = u8::try_from((bytes[i] as char).to_digit(16).unwrap()).unwrap();
    let changed = (digit + 1 + by % 15) % 16;
    bytes[i] = b"0123456789abcdef"[usize::from(changed)];
    String::from_utf8(bytes).unwrap()
}

fuzz_target!(|data: &[u8]| {
    let Input {
        secret,
        flip_at,
        flip_by,
        headers,
        body_limit,
        body,
    } = Input::read(data);
    let signature = String::from_utf8_lossy(&body[..body.len().min(64)]).into_owned();
    assert_eq!(Webhooks::new(secret).is_err(), secret.is_empty());
    let Ok(webhooks) = Webhooks::new(secret) else {
        assert!(WebhookVerifier::new(secret).is_err());
        return;
    };
    let good = sign_payload(secret, body);
    assert_eq!(good.len(), 64);
    assert!(
        good.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{good}"
    );
    assert_eq!(webhooks.verify(body, &good), Ok(()));
    let flipped = flip(&good, flip_at, flip_by);
    assert_eq!(
        webhooks.verify(body, &flipped),
        Err(WebhookError::InvalidSignature)
    );
    let upper = good.to_ascii_uppercase();
    if upper != good {
        assert_eq!(
            webhooks.verify(body, &upper),
            Err(WebhookError::InvalidSignature)
        );
    }

    // Parsing, as a verified body.
    let text = String::from_utf8_lossy(body);
    let json = serde_json::from_str::<Value>(&text);
    let event = webhooks.construct_event(body, &good);
    assert_eq!(event, VortexEvent::parse(body));
    match (&event, &json) {
        (Ok(event), Ok(json)) => {
            assert_eq!(&event.to_json(), json);
            let kind = match json {
                Value::Object(map) if map.contains_key("name") => "analytics",
                Value::Object(map) if map.contains_key("type") => "webhook",
                _ => "unknown",
            };
            assert_eq!(event.kind(), kind);
            assert_eq!(event.is_object(), json.is_object());
            assert_eq!(event.id(), json.get("id").and_then(Value::as_str));
            assert_eq!(
                event.timestamp(),
                json.get("timestamp").and_then(Value::as_str)
            );
            let _ = event.timestamp_unix();
            let _ = event.json_kind();
            let _ = format!("{event:?}");
        }
        (Err(WebhookError::Parse(why)), Err(_)) => assert!(!why.is_empty()),
        (event, json) => panic!("construct_event: {event:?}, serde_json: {json:?}"),
    }
    // Any signature: accepted only when it is the right one.
    if let Ok(event) = webhooks.construct_event(body, &signature) {
        assert_eq!(signature, good, "accepted a wrong signature: {event:?}");
    }

    // The extractors' checks.
    let Ok(mut verifier) = WebhookVerifier::new(secret) else {
        panic!("a non-empty secret is refused by WebhookVerifier");
    };
    if let Some(limit) = body_limit {
        verifier = verifier.body_limit(limit);
    }
    let values: Vec<Vec<u8>> = (0..headers & 3)
        .map(|i| match (headers >> (2 + 2 * i)) & 3 {
            0 => good.clone().into_bytes(),
            1 => flip(&good, flip_at.wrapping_add(i), flip_by).into_bytes(),
            2 => body[..body.len().min(64)].to_vec(),
            _ => Vec::new(),
        })
        .collect();
    let outcome = vortex_fuzz::block_on(verifier.verify(values.iter().map(Vec::as_slice), body));
    match outcome {
        Ok(event) => {
            assert_eq!(values.len(), 1);
            assert_eq!(values[0], good.as_bytes());
            assert!(body.len() <= verifier.limit());
            assert!(event.is_object());
            assert_eq!(Ok(event.to_json()), json.map_err(|_| ()));
        }
        Err(rejection) => {
            let answer = rejection.to_response();
            assert_eq!(answer.status(), rejection.status());
            let parsed: Value = serde_json::from_str(answer.body())
                .unwrap_or_else(|e| panic!("{rejection:?}: answer is not JSON ({e})"));
            if let WebhookRejection::Duplicate { .. } = rejection {
                assert_eq!(answer.body(), r#"{"received":true,"duplicate":true}"#);
            } else {
                let error = parsed.get("error").and_then(Value::as_str);
                assert!(
                    error.is_some_and(|e| !e.is_empty()),
                    "{rejection:?}: {}",
                    answer.body()
                );
                assert!(
                    (400..500).contains(&answer.status()),
                    "{rejection:?}: {}",
                    answer.status()
                );
            }
        }
    }
});
