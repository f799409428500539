//! Configuration from the environment.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

/// The demo's settings.
#[derive(Clone)]
pub struct DemoConfig {
    /// Bind address (`HOST`, default `127.0.0.1`).
    pub host: IpAddr,
    /// Port (`PORT`, default 3000; 0 picks a free one).
    pub port: u16,
    /// `VORTEX_API_KEY`: when unset, an embedded vortex-mock is used.
    pub api_key: Option<String>,
    /// `VORTEX_API_BASE_URL`, used with a key.
    pub base_url: Option<String>,
    /// `VORTEX_WEBHOOK_SECRET`, or a generated one.
    pub webhook_secret: String,
    /// Whether the webhook secret was generated (and should be printed).
    pub webhook_secret_generated: bool,
    /// `SESSION_SECRET`: the key of the session cookie, or a generated one.
    pub session_secret: SessionSecret,
    /// `REDIS_URL`: where instances keep what they share, when set.
    pub redis_url: Option<String>,
}

/// The key of the session cookie (`SESSION_SECRET`, 64 bytes or more); never printed.
#[derive(Clone)]
pub struct SessionSecret {
    bytes: Vec<u8>,
    generated: bool,
}

impl SessionSecret {
    /// The smallest key, in bytes, that the cookie crates accept (signing + encryption).
    pub const MIN_BYTES: usize = 64;

    /// Reads a key written as hex (`SESSION_SECRET`).
    ///
    /// # Errors
    ///
    /// A message (without the value) when it is not hex or shorter than 64 bytes.
    pub fn from_hex(hex: &str) -> Result<Self, String> {
        let bytes = decode_hex(hex)
            .ok_or("SESSION_SECRET is not hex (generate one with `openssl rand -hex 64`)")?;
        if bytes.len() < Self::MIN_BYTES {
            return Err(format!(
                "SESSION_SECRET has {} bytes; it needs at least {} (128 hex digits, e.g. `openssl rand -hex 64`)",
                bytes.len(),
                Self::MIN_BYTES
            ));
        }
        Ok(Self {
            bytes,
            generated: false,
        })
    }

    /// A random key, for an instance that shares its sessions with no other.
    pub fn generate() -> Self {
        Self {
            bytes: random_bytes(Self::MIN_BYTES),
            generated: true,
        }
    }

    /// The key's bytes (at least 64).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Whether the key was generated at start (sessions then end with the process).
    pub fn is_generated(&self) -> bool {
        self.generated
    }
}

impl fmt::Debug for SessionSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionSecret(<redacted>)")
    }
}

impl fmt::Debug for DemoConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DemoConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("base_url", &self.base_url)
            .field("webhook_secret", &"<redacted>")
            .field("session_secret", &self.session_secret)
            .field("redis_url", &self.redis_url.as_ref().map(|_| "<set>"))
            .finish()
    }
}

impl DemoConfig {
    /// Reads `HOST`, `PORT`, `VORTEX_API_KEY`, `VORTEX_API_BASE_URL`,
    /// `VORTEX_WEBHOOK_SECRET`, `SESSION_SECRET` and `REDIS_URL`.
    ///
    /// # Errors
    ///
    /// A message naming the variable when `HOST`, `PORT` or `SESSION_SECRET` is not valid.
    pub fn from_env() -> Result<Self, String> {
        let var = |name: &str| {
            std::env::var(name)
                .ok()
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let host = match var("HOST") {
            Some(h) => h
                .parse()
                .map_err(|_| format!("HOST={h:?} is not an IP address (try 127.0.0.1)"))?,
            None => IpAddr::V4(Ipv4Addr::LOCALHOST),
        };
        let port = match var("PORT") {
            Some(p) => p
                .parse()
                .map_err(|_| format!("PORT={p:?} is not a port number"))?,
            None => 3000,
        };
        let (webhook_secret, webhook_secret_generated) = match var("VORTEX_WEBHOOK_SECRET") {
            Some(secret) => (secret, false),
            None => (format!("whsec_{}", random_hex(24)), true),
        };
        let session_secret = match var("SESSION_SECRET") {
            Some(hex) => SessionSecret::from_hex(&hex)?,
            None => SessionSecret::generate(),
        };
        Ok(Self {
            host,
            port,
            api_key: var("VORTEX_API_KEY"),
            base_url: var("VORTEX_API_BASE_URL"),
            webhook_secret,
            webhook_secret_generated,
            session_secret,
            redis_url: var("REDIS_URL"),
        })
    }
}

/// `n` random bytes from the operating system, as lowercase hex.
///
/// # Panics
///
/// If the operating system has no random source.
pub fn random_hex(n: usize) -> String {
    random_bytes(n).iter().map(|b| format!("{b:02x}")).collect()
}

fn random_bytes(n: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).expect("the operating system provides random bytes");
    bytes
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) || !hex.is_ascii() {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_secrets_need_64_hex_bytes_and_never_show() {
        let key = SessionSecret::from_hex(&"ab".repeat(64)).unwrap();
        assert_eq!(key.bytes(), [0xab; 64]);
        assert!(!format!("{key:?}").contains("ab"));
        let short = SessionSecret::from_hex(&"ab".repeat(63)).unwrap_err();
        assert!(
            short.contains("at least 64") && !short.contains("abab"),
            "{short}"
        );
        let not_hex = SessionSecret::from_hex(&"zz".repeat(64)).unwrap_err();
        assert!(
            not_hex.contains("not hex") && !not_hex.contains("zz"),
            "{not_hex}"
        );
        assert_eq!(SessionSecret::generate().bytes().len(), 64);
    }
}
