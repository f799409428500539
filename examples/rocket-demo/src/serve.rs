//! Serving a Rocket app for production. Copy this module: it is the whole serving set-up of
//! the demo.
//!
//! - on SIGTERM or SIGINT (Ctrl-C): stop accepting, let in-flight requests finish during the
//!   `grace` period, close connections gracefully during `mercy`, then close them by force:
//!   25 s + 5 s, the 30 s drain (the Vortex client's deadline is 10 s);
//! - HTTP/1.1 keep-alive on; Rocket 0.5 has no idle timer for it (`keep_alive` only turns
//!   it on and off for HTTP/1.1);
//! - the session key is `SESSION_SECRET` (`secret_key`), so every instance with the same
//!   secret reads the others' private cookies.
//!
//! - no request waits for good on a dependency: the Vortex routes bound the session guard
//!   (5 s), the whole request (20 s) and the webhook event store (5 s) themselves, and the
//!   demo's own handlers wait on nothing but the private cookie. Rocket 0.5 has no timeout
//!   for a whole request (a fairing cannot end one), so a handler of your own that calls a
//!   database or a service bounds that call itself (`tokio::time::timeout`).
//!
//! Not possible in Rocket 0.5.2: a request-head timeout. Its server sets hyper's
//! `header_read_timeout(None)` and gives the HTTP/1.1 connection no timer (rocket 0.5.2
//! `src/server.rs`, `serve`), and a custom listener cannot be passed in (`http_server` is
//! `pub(crate)`, "TODO.async: Solidify the Listener APIs"); rwf2/Rocket#1405 is open. Run it
//! behind a reverse proxy that enforces one (see the crate README, "Running in production").

use std::net::IpAddr;

use rocket::config::{LogLevel, SecretKey, Shutdown};
use vortex_demo::SessionSecret;
use vortex_demo::serving::{DRAIN_TIMEOUT, IDLE_TIMEOUT};

/// The part of the drain in which in-flight requests finish; the rest is `mercy`.
const MERCY_SECONDS: u32 = 5;

/// The demo's Rocket configuration: address, session key, shutdown and keep-alive.
pub(crate) fn config(host: IpAddr, port: u16, secret: &SessionSecret) -> rocket::Config {
    let drain = u32::try_from(DRAIN_TIMEOUT.as_secs()).unwrap_or(30);
    let shutdown = Shutdown {
        ctrlc: true,
        #[cfg(unix)]
        signals: [rocket::config::Sig::Term, rocket::config::Sig::Int].into(),
        grace: drain - MERCY_SECONDS,
        mercy: MERCY_SECONDS,
        ..Shutdown::default()
    };
    rocket::Config {
        address: host,
        port,
        secret_key: SecretKey::from(secret.bytes()),
        shutdown,
        keep_alive: u32::try_from(IDLE_TIMEOUT.as_secs()).unwrap_or(60),
        log_level: LogLevel::Critical,
        ..rocket::Config::release_default()
    }
}

/// Launches `rocket` and waits for its end; a drain cut short by the deadline is logged,
/// not an error (the process then exits 0, as after a complete drain).
///
/// # Errors
///
/// When Rocket cannot start (address in use, a bad configuration, a failed fairing).
pub(crate) async fn launch(rocket: rocket::Rocket<rocket::Build>) -> Result<(), String> {
    match rocket.launch().await {
        Ok(_) => Ok(()),
        Err(error) => match error.kind() {
            rocket::error::ErrorKind::Shutdown(..) => {
                tracing::warn!("connections still open after {DRAIN_TIMEOUT:?}; closed them");
                Ok(())
            }
            _ => Err(error.to_string()),
        },
    }
}
