//! Vortex API keys: parsed and turned into a signing key once, when a client is built.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

pub(crate) type HmacSha256 = Hmac<Sha256>;

/// Why an API key was rejected. The message never contains the key itself.
///
/// `Debug` (what `main() -> Result` prints) names the variant, then the message.
///
/// ```
/// use vortex_client::ApiKey;
///
/// let error = ApiKey::parse("").unwrap_err();
/// assert_eq!(
///     format!("{error:?}"),
///     "Empty: Invalid API key format: the Vortex API key is empty; set it (VORTEX_API_KEY) \
///      to the key from the Vortex dashboard, of the form `VRTX.<key id>.<secret>`"
/// );
/// ```
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApiKeyError {
    /// Empty, or only whitespace.
    #[error(
        "Invalid API key format: the Vortex API key is empty; set it (VORTEX_API_KEY) to the key \
         from the Vortex dashboard, of the form `VRTX.<key id>.<secret>`"
    )]
    Empty,
    /// Not three non-empty dot-separated parts.
    #[error(
        "Invalid API key format: expected `VRTX.<key id>.<secret>` (three non-empty parts separated by dots); \
         copy the whole key from the Vortex dashboard (VORTEX_API_KEY)"
    )]
    Format,
    /// The first part is not `VRTX`.
    #[error(
        "Invalid API key prefix: a Vortex API key starts with `VRTX.`; \
         copy the whole key from the Vortex dashboard (VORTEX_API_KEY)"
    )]
    Prefix,
    /// The key id is not the unpadded base64url encoding of 16 bytes.
    #[error(
        "Invalid API key id: the middle part must be 16 bytes in unpadded base64url (22 characters); \
         the key was cut or changed: copy the whole key from the Vortex dashboard (VORTEX_API_KEY)"
    )]
    KeyId,
    /// The key id is not an RFC 4122 UUID (version 1-8, variant 10xx), nil or max.
    #[error(
        "Invalid API key id: it does not decode to a valid UUID (Stringified UUID is invalid); \
         copy the whole key from the Vortex dashboard (VORTEX_API_KEY)"
    )]
    NotUuid,
}

impl ApiKeyError {
    /// The variant's name, for `Debug`.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::Empty => "Empty",
            Self::Format => "Format",
            Self::Prefix => "Prefix",
            Self::KeyId => "KeyId",
            Self::NotUuid => "NotUuid",
        }
    }
}

impl fmt::Debug for ApiKeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {self}", self.name())
    }
}

/// A parsed Vortex API key (`VRTX.<base64url key id>.<secret>`).
///
/// Parsing checks the key strictly and derives the signing key
/// (`HMAC-SHA256(secret, kid)`) once, so signing never re-parses or re-derives.
/// `Debug` shows the key id only: the secret never appears in logs.
///
/// ```
/// use vortex_client::ApiKey;
///
/// let key: ApiKey = "VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing".parse()?;
/// assert_eq!(key.kid(), "00000000-0000-4000-8000-000000000001");
/// assert!(!format!("{key:?}").contains("test-secret"));
/// # Ok::<(), vortex_client::ApiKeyError>(())
/// ```
#[derive(Clone)]
pub struct ApiKey {
    full: Box<str>,
    secret_start: usize,
    kid: Box<str>,
    signing_key: [u8; 32],
    /// HMAC keyed with the signing key, cloned for each signature (saves the key schedule).
    mac: HmacSha256,
}

impl ApiKey {
    /// Parses and validates an API key.
    ///
    /// ```
    /// use vortex_client::{ApiKey, ApiKeyError};
    ///
    /// assert!(ApiKey::parse("VRTX.AAAAAAAAQACAAAAAAAAAAQ.secret").is_ok());
    /// assert_eq!(ApiKey::parse("VRTX.AAAAAAAAQACAAAAAAAAAAQ").unwrap_err(), ApiKeyError::Format);
    /// assert_eq!(ApiKey::parse("vrtx.AAAAAAAAQACAAAAAAAAAAQ.secret").unwrap_err(), ApiKeyError::Prefix);
    /// ```
    pub fn parse(key: &str) -> Result<Self, ApiKeyError> {
        if key.trim().is_empty() {
            return Err(ApiKeyError::Empty);
        }
        let mut parts = key.split('.');
        let (prefix, id, secret) = match (parts.next(), parts.next(), parts.next()) {
            (Some(p), Some(i), Some(s)) if !p.is_empty() && !i.is_empty() && !s.is_empty() => {
                (p, i, s)
            }
            _ => return Err(ApiKeyError::Format),
        };
        if prefix != "VRTX" {
            return Err(ApiKeyError::Prefix);
        }
        if parts.next().is_some() {
            return Err(ApiKeyError::Format);
        }
        let id_bytes: [u8; 16] = URL_SAFE_NO_PAD
            .decode(id)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or(ApiKeyError::KeyId)?;
        if !is_valid_uuid(&id_bytes) {
            return Err(ApiKeyError::NotUuid);
        }
        let kid = format_uuid(&id_bytes);
        let signing_key: [u8; 32] = hmac_sha256(secret.as_bytes(), kid.as_bytes());
        let mac = HmacSha256::new_from_slice(&signing_key).expect("HMAC accepts any key length");
        Ok(Self {
            full: key.into(),
            secret_start: prefix.len() + id.len() + 2,
            kid: kid.into(),
            signing_key,
            mac,
        })
    }

    /// The key id: the UUID in the middle part, lowercase and hyphenated. Not secret: it is
    /// the `kid` of every token.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The whole key, as sent in the `x-api-key` header. Secret.
    pub fn expose_secret(&self) -> &str {
        &self.full
    }

    /// The secret part (after the second dot). Secret.
    pub fn expose_secret_part(&self) -> &str {
        &self.full[self.secret_start..]
    }

    /// The derived signing key, `HMAC-SHA256(secret, kid)`. Secret: it signs tokens.
    pub fn expose_signing_key(&self) -> &[u8; 32] {
        &self.signing_key
    }

    /// A fresh HMAC keyed with the signing key.
    pub(crate) fn mac(&self) -> HmacSha256 {
        self.mac.clone()
    }
}

impl FromStr for ApiKey {
    type Err = ApiKeyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKey")
            .field("kid", &self.kid)
            .field("secret", &"<redacted>")
            .finish()
    }
}

impl PartialEq for ApiKey {
    fn eq(&self, other: &Self) -> bool {
        self.full == other.full
    }
}

impl Eq for ApiKey {}

/// The rule of the `uuid` npm package that Node uses to format the kid: RFC 4122 version 1-8
/// with variant `10xx`, or the nil or max UUID.
fn is_valid_uuid(bytes: &[u8; 16]) -> bool {
    let version = bytes[6] >> 4;
    let variant = bytes[8] >> 6;
    (1..=8).contains(&version) && variant == 0b10
        || bytes.iter().all(|b| *b == 0)
        || bytes.iter().all(|b| *b == 0xff)
}

fn format_uuid(bytes: &[u8; 16]) -> String {
    let mut out = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        push_hex_byte(&mut out, *b);
    }
    out
}

pub(crate) fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

pub(crate) fn push_hex_byte(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(HEX[usize::from(b >> 4)] as char);
    out.push(HEX[usize::from(b & 0xf)] as char);
}

pub(crate) fn to_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    bytes.iter().for_each(|b| push_hex_byte(&mut out, *b));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing";

    #[test]
    fn derives_kid_and_signing_key() {
        let key = ApiKey::parse(KEY).unwrap();
        assert_eq!(key.kid(), "00000000-0000-4000-8000-000000000001");
        assert_eq!(
            to_hex(key.expose_signing_key()),
            "25b11cd8982a3681c95094a333fe994c3be733eda461c0a998fc1f8cd26d4442"
        );
        assert_eq!(key.expose_secret_part(), "test-secret-key-for-signing");
    }

    #[test]
    fn rejects_non_canonical_ids() {
        for id in [
            "bx0sO0pZSHeGlaSzwtHg_w==",
            "bx0sO0pZSHeGlaSzwtHg/w",
            "bx0sO0pZSHeGlaSzwtHg_x",
        ] {
            let key = format!("VRTX.{id}.secret");
            assert_eq!(ApiKey::parse(&key).unwrap_err(), ApiKeyError::KeyId, "{id}");
        }
        assert_eq!(
            ApiKey::parse("VRTX.EREREREREREREREREREREQ.secret").unwrap_err(),
            ApiKeyError::NotUuid
        );
        assert_eq!(
            ApiKey::parse("VRTX.bx0sO0pZSHeGlaSzwtHg_w.s.extra").unwrap_err(),
            ApiKeyError::Format
        );
        assert_eq!(ApiKey::parse("VRTX..s").unwrap_err(), ApiKeyError::Format);
    }

    #[test]
    fn nil_and_max_uuids_are_accepted() {
        assert!(ApiKey::parse("VRTX.AAAAAAAAAAAAAAAAAAAAAA.k").is_ok());
        assert!(ApiKey::parse("VRTX._____________________w.k").is_ok());
    }

    #[test]
    fn errors_and_debug_never_show_the_secret() {
        let key = ApiKey::parse(KEY).unwrap();
        assert!(!format!("{key:?}").contains("test-secret"));
        let err = ApiKey::parse("VRTX.bad.test-secret-key").unwrap_err();
        assert!(!err.to_string().contains("test-secret"));
    }
}
