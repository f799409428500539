//! Generating valid-looking Vortex API keys for the mock.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::api::ids::uuid_v4_bytes;

/// Generates a fresh, valid Vortex API key: `VRTX.<base64url of a random UUID v4>.<secret>`.
///
/// The key parses with [`vortex_client::ApiKey::parse`], so clients and token signers
/// accept it; only a mock knows it.
///
/// ```
/// let key = vortex_mock::generate_api_key();
/// assert!(key.starts_with("VRTX."));
/// assert!(vortex_client::ApiKey::parse(&key).is_ok());
/// assert_ne!(key, vortex_mock::generate_api_key());
/// ```
pub fn generate_api_key() -> String {
    key_from_rng(&mut fastrand::Rng::new())
}

/// A key drawn from `rng` (reproducible for a seeded generator).
pub(crate) fn key_from_rng(rng: &mut fastrand::Rng) -> String {
    let id = URL_SAFE_NO_PAD.encode(uuid_v4_bytes(rng));
    let secret: String = (0..32).map(|_| rng.alphanumeric()).collect();
    format!("VRTX.{id}.mock_{secret}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_parse() {
        for seed in 0..64 {
            let key = key_from_rng(&mut fastrand::Rng::with_seed(seed));
            assert!(vortex_client::ApiKey::parse(&key).is_ok(), "{key}");
        }
    }
}
