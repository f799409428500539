//! Configuration from the environment (see `shared/spec/DEMO.md`).

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
}

impl fmt::Debug for DemoConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DemoConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl DemoConfig {
    /// Reads `HOST`, `PORT`, `VORTEX_API_KEY`, `VORTEX_API_BASE_URL` and
    /// `VORTEX_WEBHOOK_SECRET`.
    ///
    /// # Errors
    ///
    /// A message naming the variable when `HOST` or `PORT` is not valid.
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
        Ok(Self {
            host,
            port,
            api_key: var("VORTEX_API_KEY"),
            base_url: var("VORTEX_API_BASE_URL"),
            webhook_secret,
            webhook_secret_generated,
        })
    }
}

/// `n` random bytes from the operating system, as lowercase hex.
///
/// # Panics
///
/// If the operating system has no random source.
pub fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).expect("the operating system provides random bytes");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
