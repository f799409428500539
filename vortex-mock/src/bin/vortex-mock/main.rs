//! The `vortex-mock` command line (feature `cli`): serves a mock Vortex API until Ctrl-C, or,
//! with `send`, sends one signed test webhook event to a URL (`vortex-mock --help`).

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{Args, CommandFactory, Parser, Subcommand};
use tracing_subscriber::EnvFilter;
use vortex_mock::{DEFAULT_REQUEST_LOG_CAPACITY, MockError, MockServer};

mod send;

const DEFAULT_PORT: u16 = 4010;
const DEFAULT_HOST: &str = "127.0.0.1";

/// vortex-mock: a local stand-in for the Vortex API.
///
/// Without a command, serves the mock API until Ctrl-C. Every option can be set with its
/// environment variable instead; an empty variable counts as unset. `RUST_LOG` sets the log
/// filter (default `vortex_mock=info`).
#[derive(Parser)]
#[command(name = "vortex-mock", version)]
struct Cli {
    #[command(flatten)]
    serve: ServeArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Send one signed test webhook event to an endpoint and print the answer.
    #[command(after_help = send::AFTER_HELP)]
    Send(send::SendArgs),
}

/// The settings of the server. No `Debug`: it holds the key and the webhook secret.
#[derive(Args)]
struct ServeArgs {
    /// The port to listen on (0 picks a free one).
    #[arg(long, env = "PORT", default_value_t = DEFAULT_PORT, value_parser = port)]
    port: u16,
    /// The address or name to bind.
    #[arg(long, env = "HOST", default_value = DEFAULT_HOST, value_parser = host)]
    host: String,
    /// The API key to accept, a valid `VRTX.` key [default: generated and printed].
    #[arg(
        long,
        env = "VORTEX_API_KEY",
        value_name = "KEY",
        hide_env_values = true
    )]
    api_key: Option<String>,
    /// Deliver signed webhooks to this URL (with the secret).
    #[arg(long, env = "VORTEX_MOCK_WEBHOOK_URL", value_name = "URL")]
    webhook_url: Option<String>,
    /// The secret that signs webhooks (prefer the variable: command lines are visible to
    /// other users of the machine).
    #[arg(
        long,
        env = "VORTEX_WEBHOOK_SECRET",
        value_name = "SECRET",
        hide_env_values = true
    )]
    webhook_secret: Option<String>,
    /// How many requests the request log keeps (the newest; 0 keeps none).
    #[arg(
        long,
        env = "VORTEX_MOCK_REQUEST_LOG",
        value_name = "COUNT",
        default_value_t = DEFAULT_REQUEST_LOG_CAPACITY,
        value_parser = request_log,
    )]
    request_log: usize,
}

/// `PORT` / `--port`; empty is the default.
fn port(value: &str) -> Result<u16, String> {
    match value.trim() {
        "" => Ok(DEFAULT_PORT),
        port => port
            .parse()
            .map_err(|_| "PORT (--port) must be a port number between 0 and 65535".to_owned()),
    }
}

/// `HOST` / `--host`; empty is the default.
fn host(value: &str) -> Result<String, String> {
    Ok(match value.trim() {
        "" => DEFAULT_HOST.to_owned(),
        host => host.to_owned(),
    })
}

/// `VORTEX_MOCK_REQUEST_LOG` / `--request-log`; empty is the default.
fn request_log(value: &str) -> Result<usize, String> {
    match value.trim() {
        "" => Ok(DEFAULT_REQUEST_LOG_CAPACITY),
        size => size.parse().map_err(|_| {
            format!(
                "VORTEX_MOCK_REQUEST_LOG (--request-log) must be the number of requests to \
                 keep, such as {DEFAULT_REQUEST_LOG_CAPACITY}"
            )
        }),
    }
}

/// A value that is not blank, trimmed.
fn given(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// A usage error of `vortex-mock` (or of its `send` subcommand): prints it with the usage,
/// exits with status 2.
fn usage_error(subcommand: Option<&str>, kind: ErrorKind, message: String) -> ! {
    let mut command = Cli::command();
    command.build();
    if let Some(sub) = subcommand.and_then(|name| command.find_subcommand_mut(name)) {
        sub.error(kind, message).exit()
    }
    command.error(kind, message).exit()
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("vortex_mock=info"));
    tracing_subscriber::fmt().with_env_filter(filter).init();
    match cli.command {
        Some(Command::Send(args)) => send::run(args).await,
        None => serve(cli.serve).await,
    }
}

/// Serves until Ctrl-C or SIGTERM.
async fn serve(settings: ServeArgs) -> ExitCode {
    let webhook = match (given(settings.webhook_url), given(settings.webhook_secret)) {
        (Some(url), Some(secret)) => Some((url, secret)),
        (None, None) => None,
        (Some(_), None) => usage_error(
            None,
            ErrorKind::MissingRequiredArgument,
            "VORTEX_MOCK_WEBHOOK_URL (--webhook-url) is set but VORTEX_WEBHOOK_SECRET \
             (--webhook-secret) is not: set both to deliver webhooks"
                .to_owned(),
        ),
        (None, Some(_)) => usage_error(
            None,
            ErrorKind::MissingRequiredArgument,
            "VORTEX_WEBHOOK_SECRET (--webhook-secret) is set but VORTEX_MOCK_WEBHOOK_URL \
             (--webhook-url) is not: set both to deliver webhooks"
                .to_owned(),
        ),
    };
    let api_key = given(settings.api_key);
    let addr = resolve(&settings.host, settings.port).await;

    let mut builder = MockServer::builder()
        .bind(addr)
        .request_log_capacity(settings.request_log);
    if let Some(key) = &api_key {
        builder = builder.api_key(key);
    }
    if let Some((url, secret)) = &webhook {
        builder = builder.webhook(url, secret);
    }
    let server = match builder.start().await {
        Ok(server) => server,
        Err(err) => {
            let (kind, message) = match err {
                MockError::ApiKey(err) => (
                    ErrorKind::ValueValidation,
                    format!("VORTEX_API_KEY (--api-key): {err}"),
                ),
                MockError::WebhookUrl(err) => (
                    ErrorKind::ValueValidation,
                    format!("VORTEX_MOCK_WEBHOOK_URL (--webhook-url): {err}"),
                ),
                other => (ErrorKind::Io, other.to_string()),
            };
            usage_error(None, kind, message)
        }
    };

    let host = if settings.host.contains(':') {
        format!("[{}]", settings.host)
    } else {
        settings.host.clone()
    };
    println!(
        "vortex-mock listening on http://{host}:{}",
        server.address().port()
    );
    if api_key.is_none() {
        println!("API key: {}", server.api_key());
        println!("(generated; set VORTEX_API_KEY to choose the key)");
    } else {
        let kid = vortex_client::ApiKey::parse(server.api_key())
            .map(|key| key.kid().to_owned())
            .unwrap_or_default();
        println!("API key: the one in VORTEX_API_KEY (key id {kid})");
    }
    if let Some((url, _)) = &webhook {
        println!("webhooks: {url}");
    }

    shutdown_signal().await;
    println!("vortex-mock stopped");
    ExitCode::SUCCESS
}

/// The first address of `host`, or a usage error naming `HOST`.
async fn resolve(host: &str, port: u16) -> SocketAddr {
    let found = tokio::net::lookup_host((host, port))
        .await
        .map_err(|err| {
            format!("HOST (--host) `{host}` is not an address or resolvable name: {err}")
        })
        .and_then(|mut addrs| {
            addrs
                .next()
                .ok_or_else(|| format!("HOST (--host) `{host}` resolves to no address"))
        });
    found.unwrap_or_else(|message| usage_error(None, ErrorKind::ValueValidation, message))
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

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn flags_set_the_server() {
        let cli = Cli::try_parse_from([
            "vortex-mock",
            "--port",
            "0",
            "--host",
            "::1",
            "--request-log",
            "250",
        ])
        .unwrap();
        assert!(cli.command.is_none());
        assert_eq!(cli.serve.port, 0);
        assert_eq!(cli.serve.host, "::1");
        assert_eq!(cli.serve.request_log, 250);
    }

    #[test]
    fn bad_values_name_the_variable_and_the_flag() {
        let err = Cli::try_parse_from(["vortex-mock", "--port", "70000"])
            .err()
            .unwrap();
        assert_eq!(err.exit_code(), 2);
        let text = err.to_string();
        assert!(text.contains("PORT (--port)"), "{text}");
        let err = Cli::try_parse_from(["vortex-mock", "--request-log", "lots"])
            .err()
            .unwrap();
        assert!(
            err.to_string()
                .contains("VORTEX_MOCK_REQUEST_LOG (--request-log) must be the number"),
            "{err}"
        );
    }

    #[test]
    fn blank_values_are_the_defaults() {
        assert_eq!(port(" "), Ok(DEFAULT_PORT));
        assert_eq!(port(" 80 "), Ok(80));
        assert_eq!(host(""), Ok(DEFAULT_HOST.to_owned()));
        assert_eq!(request_log(""), Ok(DEFAULT_REQUEST_LOG_CAPACITY));
        assert_eq!(given(Some("  ".to_owned())), None);
    }
}
