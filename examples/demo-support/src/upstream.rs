//! The Vortex API the demo talks to: the real one when `VORTEX_API_KEY` is set, otherwise an
//! embedded `vortex-mock` that delivers its webhooks to the demo itself.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
#[cfg(feature = "embedded-mock")]
use std::time::Duration;

use serde_json::{Value, json};
use vortex_client::VortexClient;
#[cfg(feature = "embedded-mock")]
use vortex_mock::MockServer;

use crate::config::DemoConfig;

/// The upstream in use; keep it alive as long as the demo runs (the embedded mock stops when
/// it is dropped).
#[derive(Debug)]
pub struct Upstream {
    /// The client for the upstream.
    pub client: VortexClient,
    /// The embedded mock, when one is used.
    #[cfg(feature = "embedded-mock")]
    pub mock: Option<MockServer>,
}

impl Upstream {
    /// Connects to the configured upstream. `listening` is the demo's own address, where the
    /// embedded mock sends webhooks.
    ///
    /// # Errors
    ///
    /// A message when the API key or base URL is invalid, or the mock cannot start.
    pub async fn start(config: &DemoConfig, listening: SocketAddr) -> Result<Self, String> {
        if let Some(key) = &config.api_key {
            let mut builder = VortexClient::builder(key.clone());
            if let Some(url) = &config.base_url {
                builder = builder.base_url(url.clone());
            }
            let client = builder.build().map_err(|e| e.to_string())?;
            return Ok(Self {
                client,
                #[cfg(feature = "embedded-mock")]
                mock: None,
            });
        }
        Self::start_mock(config, listening).await
    }

    #[cfg(not(feature = "embedded-mock"))]
    async fn start_mock(_: &DemoConfig, _: SocketAddr) -> Result<Self, String> {
        Err(
            "VORTEX_API_KEY is not set, and this build has no embedded vortex-mock \
             (feature `embedded-mock`): set VORTEX_API_KEY, or build with the default features"
                .to_owned(),
        )
    }

    #[cfg(feature = "embedded-mock")]
    async fn start_mock(config: &DemoConfig, listening: SocketAddr) -> Result<Self, String> {
        let webhook_url = format!("http://{}/webhooks/vortex", reachable(listening));
        let mut builder = MockServer::builder().webhook(webhook_url, config.webhook_secret.clone());
        for invitation in seed_invitations() {
            builder = builder.seed_invitation(invitation);
        }
        let mock = builder.start().await.map_err(|e| e.to_string())?;
        let client = VortexClient::builder(mock.api_key())
            .base_url(mock.base_url())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self {
            client,
            mock: Some(mock),
        })
    }

    /// A line describing the upstream, for the start-up banner.
    pub fn describe(&self) -> String {
        #[cfg(feature = "embedded-mock")]
        if let Some(mock) = &self.mock {
            return format!(
                "using an embedded vortex-mock at {} (no VORTEX_API_KEY set)",
                mock.base_url()
            );
        }
        format!("using the Vortex API at {}", self.client.base_url())
    }
}

/// An address the mock can reach the demo at (`0.0.0.0` is not one).
#[cfg_attr(not(feature = "embedded-mock"), allow(dead_code))]
fn reachable(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        ip if ip.is_unspecified() && ip.is_ipv4() => {
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), addr.port())
        }
        ip if ip.is_unspecified() => SocketAddr::new("::1".parse().unwrap_or(ip), addr.port()),
        _ => addr,
    }
}

/// A few invitations for both demo users, so the page has something to show.
pub fn seed_invitations() -> Vec<Value> {
    let team = json!([{"id": "grp-acme", "groupId": "team-acme", "type": "team", "name": "Acme Team", "createdAt": "2026-01-01T00:00:00.000Z"}]);
    vec![
        json!({
            "id": "inv-user-1", "status": "delivered", "deliveryTypes": ["email"],
            "foreignCreatorId": "user-1", "creatorName": "Admin User",
            "target": [{"type": "email", "value": "user@example.com", "name": "Regular User"}],
            "groups": team,
        }),
        json!({
            "id": "inv-user-2", "status": "queued", "deliveryTypes": ["email"],
            "foreignCreatorId": "user-1", "creatorName": "Admin User",
            "target": [{"type": "email", "value": "user@example.com"}],
            "groups": [{"id": "grp-beta", "groupId": "team-beta", "type": "team", "name": "Beta Team", "createdAt": "2026-01-01T00:00:00.000Z"}],
        }),
        json!({
            "id": "inv-admin-1", "status": "delivered", "deliveryTypes": ["email"],
            "foreignCreatorId": "user-2", "creatorName": "Regular User",
            "target": [{"type": "email", "value": "admin@example.com", "name": "Admin User"}],
            "groups": team,
        }),
        json!({
            "id": "inv-internal-1", "status": "delivered", "deliveryTypes": ["internal"],
            "foreignCreatorId": "user-1", "creatorName": "Admin User",
            "target": [{"type": "internal", "value": "user-2"}],
            "groups": team,
        }),
    ]
}
