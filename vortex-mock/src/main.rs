//! The `vortex-mock` binary: serves a mock Vortex API until Ctrl-C, or, with `send`, sends
//! one signed test webhook event to a URL (`vortex-mock --help`).
//!
//! Environment when serving: `PORT` (default 4010), `HOST` (default 127.0.0.1), `VORTEX_API_KEY` (the key
//! to accept; generated and printed when unset), `VORTEX_MOCK_WEBHOOK_URL` and
//! `VORTEX_WEBHOOK_SECRET` (both or neither), `VORTEX_MOCK_REQUEST_LOG` (how many requests
//! the request log keeps, default 10,000), `RUST_LOG` (default `vortex_mock=info`).

use std::env::VarError;
use std::net::SocketAddr;
use std::process::ExitCode;

use tracing_subscriber::EnvFilter;
use vortex_mock::{DEFAULT_REQUEST_LOG_CAPACITY, MockServer};

mod send;

use send::{Command, SendArgs};

const DEFAULT_PORT: u16 = 4010;
const DEFAULT_HOST: &str = "127.0.0.1";

/// The settings read from the environment.
#[derive(PartialEq, Eq)]
struct Settings {
    host: String,
    port: u16,
    api_key: Option<String>,
    webhook: Option<(String, String)>,
    request_log_capacity: usize,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field(
                "webhook",
                &self.webhook.as_ref().map(|(url, _)| (url, "<redacted>")),
            )
            .field("request_log_capacity", &self.request_log_capacity)
            .finish()
    }
}

impl Settings {
    /// Reads the settings through `var` (`std::env::var` in the binary). Empty values count
    /// as unset.
    fn from_env(var: impl Fn(&str) -> Result<String, VarError>) -> Result<Self, String> {
        let get = |name: &str| match var(name) {
            Ok(value) if value.trim().is_empty() => Ok(None),
            Ok(value) => Ok(Some(value.trim().to_owned())),
            Err(VarError::NotPresent) => Ok(None),
            Err(VarError::NotUnicode(_)) => Err(format!("{name} is not valid UTF-8")),
        };
        let port = match get("PORT")? {
            None => DEFAULT_PORT,
            Some(port) => port.parse().map_err(|_| {
                format!("PORT must be a port number between 0 and 65535 (got `{port}`)")
            })?,
        };
        let host = get("HOST")?.unwrap_or_else(|| DEFAULT_HOST.to_owned());
        let request_log_capacity = match get("VORTEX_MOCK_REQUEST_LOG")? {
            None => DEFAULT_REQUEST_LOG_CAPACITY,
            Some(size) => size.parse().map_err(|_| {
                format!(
                    "VORTEX_MOCK_REQUEST_LOG must be the number of requests to keep, such as \
                     {DEFAULT_REQUEST_LOG_CAPACITY} (got `{size}`)"
                )
            })?,
        };
        let webhook = match (
            get("VORTEX_MOCK_WEBHOOK_URL")?,
            get("VORTEX_WEBHOOK_SECRET")?,
        ) {
            (Some(url), Some(secret)) => Some((url, secret)),
            (None, None) => None,
            (Some(_), None) => {
                return Err(
                    "VORTEX_MOCK_WEBHOOK_URL is set but VORTEX_WEBHOOK_SECRET is not: set both to deliver webhooks"
                        .to_owned(),
                );
            }
            (None, Some(_)) => {
                return Err(
                    "VORTEX_WEBHOOK_SECRET is set but VORTEX_MOCK_WEBHOOK_URL is not: set both to deliver webhooks"
                        .to_owned(),
                );
            }
        };
        Ok(Self {
            host,
            port,
            api_key: get("VORTEX_API_KEY")?,
            webhook,
            request_log_capacity,
        })
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("vortex_mock=info"));
    tracing_subscriber::fmt().with_env_filter(filter).init();
    let env_secret = std::env::var("VORTEX_WEBHOOK_SECRET").ok();
    let command = match send::parse(std::env::args().skip(1), env_secret) {
        Ok(command) => command,
        Err(message) => {
            eprintln!("vortex-mock: {message}");
            return ExitCode::from(2);
        }
    };
    match command {
        Command::Help => {
            print!("{}", send::USAGE);
            ExitCode::SUCCESS
        }
        Command::Send(args) => send_event(&args).await,
        Command::Serve => match run().await {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("vortex-mock: {message}");
                ExitCode::from(2)
            }
        },
    }
}

/// `vortex-mock send`: prints the answer's status and body; 0 only for a 2xx answer.
async fn send_event(args: &SendArgs) -> ExitCode {
    let body = args.body();
    println!(
        "POST {} ({}, {} bytes)",
        args.url,
        args.event_type,
        body.len()
    );
    match send::send(args, body).await {
        Ok(answer) => {
            println!("HTTP {}", answer.status);
            println!("{}", answer.body);
            if answer.status.is_success() {
                ExitCode::SUCCESS
            } else {
                eprintln!("vortex-mock: the receiver answered {}", answer.status);
                ExitCode::from(1)
            }
        }
        Err(message) => {
            eprintln!("vortex-mock: {message}");
            ExitCode::from(1)
        }
    }
}

async fn run() -> Result<(), String> {
    let settings = Settings::from_env(|name| std::env::var(name))?;
    let addr = resolve(&settings.host, settings.port).await?;

    let mut builder = MockServer::builder()
        .bind(addr)
        .request_log_capacity(settings.request_log_capacity);
    let generated = settings.api_key.is_none();
    if let Some(key) = &settings.api_key {
        builder = builder.api_key(key);
    }
    if let Some((url, secret)) = &settings.webhook {
        builder = builder.webhook(url, secret);
    }
    let server = builder.start().await.map_err(|err| match err {
        vortex_mock::MockError::ApiKey(err) => format!("VORTEX_API_KEY: {err}"),
        vortex_mock::MockError::WebhookUrl(err) => format!("VORTEX_MOCK_WEBHOOK_URL: {err}"),
        other => other.to_string(),
    })?;

    let host = if settings.host.contains(':') {
        format!("[{}]", settings.host)
    } else {
        settings.host.clone()
    };
    println!(
        "vortex-mock listening on http://{host}:{}",
        server.address().port()
    );
    if generated {
        println!("API key: {}", server.api_key());
        println!("(generated; set VORTEX_API_KEY to choose the key)");
    } else {
        let kid = vortex_client::ApiKey::parse(server.api_key())
            .map(|key| key.kid().to_owned())
            .unwrap_or_default();
        println!("API key: the one in VORTEX_API_KEY (key id {kid})");
    }
    if let Some((url, _)) = &settings.webhook {
        println!("webhooks: {url}");
    }

    shutdown_signal().await;
    println!("vortex-mock stopped");
    Ok(())
}

async fn resolve(host: &str, port: u16) -> Result<SocketAddr, String> {
    let mut addrs = tokio::net::lookup_host((host, port))
        .await
        .map_err(|err| format!("HOST `{host}` is not an address or resolvable name: {err}"))?;
    addrs
        .next()
        .ok_or_else(|| format!("HOST `{host}` resolves to no address"))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, String> {
        Settings::from_env(|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
                .ok_or(VarError::NotPresent)
        })
    }

    #[test]
    fn defaults() {
        let s = settings(&[]).unwrap();
        assert_eq!((s.host.as_str(), s.port), ("127.0.0.1", 4010));
        assert!(s.api_key.is_none() && s.webhook.is_none());
        assert_eq!(s.request_log_capacity, 10_000);
    }

    #[test]
    fn the_request_log_size_comes_from_vortex_mock_request_log() {
        let s = settings(&[("VORTEX_MOCK_REQUEST_LOG", "250")]).unwrap();
        assert_eq!(s.request_log_capacity, 250);
        let err = settings(&[("VORTEX_MOCK_REQUEST_LOG", "lots")]).unwrap_err();
        assert_eq!(
            err,
            "VORTEX_MOCK_REQUEST_LOG must be the number of requests to keep, such as 10000 (got `lots`)"
        );
    }

    #[test]
    fn bad_values_are_clear_errors() {
        let err = settings(&[("PORT", "eighty")]).unwrap_err();
        assert!(err.contains("PORT"), "{err}");
        assert!(settings(&[("PORT", "70000")]).is_err());
        let err = settings(&[("VORTEX_MOCK_WEBHOOK_URL", "http://x")]).unwrap_err();
        assert!(err.contains("VORTEX_WEBHOOK_SECRET"), "{err}");
    }

    #[test]
    fn debug_redacts() {
        let s = settings(&[
            ("VORTEX_API_KEY", "VRTX.a.topsecret"),
            ("VORTEX_MOCK_WEBHOOK_URL", "http://x"),
            ("VORTEX_WEBHOOK_SECRET", "whsec_topsecret"),
        ])
        .unwrap();
        assert!(!format!("{s:?}").contains("topsecret"));
    }
}
