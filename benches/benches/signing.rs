//! Signing and webhook verification: `vortex-client` ("ours") against the official
//! `vortex-sdk` 1.19.0 crate ("official"), on the same inputs.
//!
//! Every group holds one pair (or triple) of lines named so the pair is obvious:
//!
//! - `generate_jwt/{ours,official}`: the legacy `POST /jwt` token. `generate_jwt/ours_new_second`
//!   runs ours on a clock that moves one second per call, so that the per-thread cache of the
//!   header (which holds `iat`) never hits: the cost of the first token of each second.
//! - `generate_token/{ours,official}`: the widget token.
//! - `sign/{ours,official}`: the widget `signature` prop.
//! - `webhook_verify/{1KiB,64KiB}/{ours,bare_hmac,official}`: webhook signature checks.
//!   `bare_hmac` is a plain `HMAC-SHA256(secret, body)` with no hex decoding or comparison,
//!   the floor any verifier pays. It builds the HMAC key schedule on every call, which
//!   `Webhooks` does once in `Webhooks::new`, so at 1 KiB the baseline carries about two
//!   extra SHA-256 block compressions that ours does not.
//!
//! Clients, signers, users and payloads are all built once, outside the timed closures, the
//! way a server holds them. Each closure only makes (or checks) one token or signature.
//!
//! The inputs are the same, but the outputs are not always byte-identical:
//!
//! - `generate_jwt`: ours writes the Node SDK payload (`identifiers`, `userIsAutojoinAdmin`,
//!   `role` included: 271 bytes of JSON, 482 signed bytes); vortex-sdk 1.19.0 omits those
//!   claims (169 bytes of JSON, 346 signed bytes), so ours hashes two more SHA-256 blocks.
//! - `sign`: the workspace turns on serde_json's `preserve_order`, and Cargo's feature
//!   unification turns it on for vortex-sdk too. Its `sign` then writes its "canonical" JSON
//!   in insertion order instead of sorted, so its signatures differ from ours (and from its
//!   own output in a standalone build, which matches ours). Built standalone (BTreeMap maps),
//!   vortex-sdk is about 5-8% faster on `generate_jwt`/`generate_token` than it is here.
//! - `generate_token`: vortex-sdk takes `vars` as a `HashMap`, so its key order is random;
//!   the lengths match.
//!
//! Run: `cargo bench -p vortex-benches --bench signing`
//! (`benches/ratios.sh` runs it and prints the ratios against the targets).

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::json;
use sha2::Sha256;
use vortex_client::token::{JwtParams, TokenOptions, TokenPayload};
use vortex_client::webhook::{Webhooks, sign_payload};
use vortex_client::{ApiKey, Signer, VortexUser};
use vortex_sdk::{GenerateTokenPayload, TokenUser, VortexClient, VortexWebhooks};

/// The test API key both SDKs sign with.
const KEY: &str = "VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing";
/// The webhook signing secret.
const WEBHOOK_SECRET: &str = "whsec_bench_secret";

const USER_ID: &str = "user-123";
const USER_EMAIL: &str = "user@example.com";
const USER_NAME: &str = "Jane Doe";
const USER_AVATAR: &str = "https://example.com/avatars/jane.jpg";

fn our_signer() -> Signer {
    Signer::new(ApiKey::parse(KEY).expect("the bench key is valid"))
}

fn official_client() -> VortexClient {
    VortexClient::new(KEY.to_owned())
}

/// The full user of `generate_jwt` and `sign`, in our types.
fn our_user() -> VortexUser {
    VortexUser::new(USER_ID)
        .email(USER_EMAIL)
        .name(USER_NAME)
        .avatar_url(USER_AVATAR)
        .admin_scopes(["autojoin"])
}

/// The same user in the official SDK's types.
fn official_user() -> vortex_sdk::User {
    vortex_sdk::User::new(USER_ID, USER_EMAIL)
        .with_name(USER_NAME)
        .with_avatar_url(USER_AVATAR)
        .with_admin_scopes(vec!["autojoin".to_owned()])
}

fn bench_generate_jwt(c: &mut Criterion) {
    let ours = our_signer();
    let official = official_client();
    let params = JwtParams::new(our_user());
    let user = official_user();

    let mut group = c.benchmark_group("generate_jwt");
    group.bench_function("ours", |b| {
        b.iter(|| {
            black_box(&ours)
                .generate_jwt(black_box(&params), TokenOptions::default())
                .expect("ours signs")
        });
    });
    group.bench_function("official", |b| {
        b.iter(|| {
            black_box(&official)
                .generate_jwt(black_box(&user), None)
                .expect("official signs")
        });
    });
    let seconds = AtomicU64::new(1_700_000_000);
    let ours_new_second = ours
        .clone()
        .with_clock(move || seconds.fetch_add(1, Ordering::Relaxed));
    group.bench_function("ours_new_second", |b| {
        b.iter(|| {
            black_box(&ours_new_second)
                .generate_jwt(black_box(&params), TokenOptions::default())
                .expect("ours signs")
        });
    });
    group.finish();
}

fn bench_generate_token(c: &mut Criterion) {
    let ours = our_signer();
    let official = official_client();

    let payload = TokenPayload::new()
        .user(&VortexUser::new(USER_ID).email(USER_EMAIL).name(USER_NAME))
        .component("cmp_1")
        .scope("workspace_1")
        .vars(json!({"company": "Acme", "seats": 25}));

    // The official type takes `vars` as a HashMap and has no builder for it.
    let mut official_payload = GenerateTokenPayload::new()
        .with_user(
            TokenUser::new(USER_ID)
                .with_email(USER_EMAIL)
                .with_name(USER_NAME),
        )
        .with_component("cmp_1")
        .with_scope("workspace_1");
    official_payload.vars = Some(HashMap::from([
        ("company".to_owned(), json!("Acme")),
        ("seats".to_owned(), json!(25)),
    ]));

    let mut group = c.benchmark_group("generate_token");
    group.bench_function("ours", |b| {
        b.iter(|| {
            black_box(&ours)
                .generate_token(black_box(&payload), TokenOptions::default())
                .expect("ours signs")
        });
    });
    group.bench_function("official", |b| {
        b.iter(|| {
            black_box(&official)
                .generate_token(black_box(&official_payload), None)
                .expect("official signs")
        });
    });
    group.finish();
}

fn bench_sign(c: &mut Criterion) {
    let ours = our_signer();
    let official = official_client();
    let our_user = our_user();
    let user = official_user();

    let mut group = c.benchmark_group("sign");
    group.bench_function("ours", |b| {
        b.iter(|| {
            black_box(&ours)
                .sign(black_box(&our_user))
                .expect("ours signs")
        });
    });
    group.bench_function("official", |b| {
        b.iter(|| {
            black_box(&official)
                .sign(black_box(&user))
                .expect("official signs")
        });
    });
    group.finish();
}

/// A webhook-like JSON body of exactly `len` bytes.
fn webhook_body(len: usize) -> Vec<u8> {
    let head = br#"{"id":"evt_1","type":"invitation.accepted","timestamp":"2026-02-25T12:00:00Z","data":{"pad":""#;
    let tail = br#""}}"#;
    assert!(len >= head.len() + tail.len(), "body too short");
    let mut body = Vec::with_capacity(len);
    body.extend_from_slice(head);
    body.extend((0..len - head.len() - tail.len()).map(|i| b'a' + (i % 26) as u8));
    body.extend_from_slice(tail);
    body
}

/// `HMAC-SHA256(secret, body)`, key schedule included: the floor of any verifier.
fn bare_hmac(secret: &[u8], body: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(body);
    mac.finalize().into_bytes().into()
}

fn bench_webhook_verify(c: &mut Criterion) {
    let ours = Webhooks::new(WEBHOOK_SECRET).expect("secret is not empty");
    let official = VortexWebhooks::new(WEBHOOK_SECRET).expect("secret is not empty");

    for (label, len) in [("1KiB", 1024), ("64KiB", 64 * 1024)] {
        let body = webhook_body(len);
        let signature = sign_payload(WEBHOOK_SECRET, &body);
        assert!(ours.verify(&body, &signature).is_ok());
        assert!(official.verify_signature(&body, &signature));

        let mut group = c.benchmark_group(format!("webhook_verify/{label}"));
        group.throughput(Throughput::Bytes(len as u64));
        group.bench_function("ours", |b| {
            b.iter(|| {
                black_box(&ours)
                    .verify(black_box(&body), black_box(&signature))
                    .expect("ours verifies");
            });
        });
        group.bench_function("bare_hmac", |b| {
            b.iter(|| bare_hmac(black_box(WEBHOOK_SECRET.as_bytes()), black_box(&body)));
        });
        group.bench_function("official", |b| {
            b.iter(|| {
                assert!(
                    black_box(&official).verify_signature(black_box(&body), black_box(&signature))
                );
            });
        });
        group.finish();
    }
}

/// Modest timings so the whole run takes a few minutes on two cores.
fn criterion_config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = signing;
    config = criterion_config();
    targets = bench_generate_jwt, bench_generate_token, bench_sign, bench_webhook_verify
}
criterion_main!(signing);
