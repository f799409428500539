//! Logs on stderr for production: plain text (coloured only on a terminal), or one JSON
//! object per line with `LOG_FORMAT=json`; one line per Vortex request, with its route,
//! operation, status, user id and latency.

use std::fmt::Write as _;
use std::io::IsTerminal as _;
use std::sync::OnceLock;

use tracing::Level;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::{FormatTime as _, SystemTime};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use vortex_routes::{Answered, OperationKind, RouteKind};

use crate::log_writer::{BatchedStderr, FlushGuard};

/// The filter without `RUST_LOG`: `info`, except tower-sessions' per-request spans.
const DEFAULT_FILTER: &str = "info,tower_sessions=warn,tower_sessions_core=warn";

/// Keeps the log flusher running. Dropping it writes out every buffered line and stops the
/// flusher: hold it until `main` returns.
#[must_use = "dropping the guard stops the log flusher: keep it until main returns"]
#[derive(Debug)]
pub struct LogGuard {
    _flusher: FlushGuard,
}

/// Logs to stderr, filtered by `RUST_LOG` (default `info`, with tower-sessions' per-request
/// spans left out); `LOG_FORMAT=json` for JSON lines. Answers the guard of the log writer.
///
/// Why it is built this way (the logging is on every request's path):
/// - `INFO` lines are written out in batches (see [`BatchedStderr`]): a busy server writes
///   many lines per system call, and a request never waits for a `write` to stderr; `WARN`
///   and `ERROR` lines go out at once;
/// - the access line of each Vortex request comes from the routes' `on_answer` hook
///   ([`log_answer`]), formatted directly, not from their `vortex.route` span (at `DEBUG`,
///   so the default `info` pays nothing for it).
pub fn init_tracing() -> LogGuard {
    let json = std::env::var("LOG_FORMAT").is_ok_and(|v| v.eq_ignore_ascii_case("json"));
    let ansi = !json && std::io::stderr().is_terminal();
    let (writer, flusher) = BatchedStderr::start();
    let _ = ACCESS_LOG.set(AccessLog {
        writer: writer.clone(),
        json,
        ansi,
    });
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| DEFAULT_FILTER.into());
    let fmt = tracing_subscriber::fmt::layer().with_writer(writer);
    let registry = tracing_subscriber::registry().with(filter);
    let result = if json {
        registry.with(fmt.json().flatten_event(true)).try_init()
    } else {
        registry.with(fmt.with_ansi(ansi)).try_init()
    };
    if result.is_err() {
        eprintln!("a tracing subscriber was already installed; keeping it");
    }
    LogGuard { _flusher: flusher }
}

/// Where [`log_answer`] writes, set by [`init_tracing`].
static ACCESS_LOG: OnceLock<AccessLog> = OnceLock::new();

#[derive(Debug)]
struct AccessLog {
    writer: BatchedStderr,
    json: bool,
    ansi: bool,
}

/// The target of the access lines, for `RUST_LOG` (`vortex_demo::access=off` turns them
/// off) and as the lines show it.
pub const ACCESS_TARGET: &str = "vortex_demo::access";

/// The demo's [`on_answer`](vortex_routes::VortexRoutes::on_answer) hook: one `vortex
/// request` line per Vortex request, with its route, operation, status, user id and
/// latency, in the format of the other lines (text, or JSON with `LOG_FORMAT=json`).
///
/// The line is formatted here and added to the log batch, not sent as an event through the
/// `fmt` layer: it is on every request's path, and writing it directly costs a fraction of
/// an event's dispatch and field visits. It is filtered as an `INFO` event of
/// [`ACCESS_TARGET`] would be.
pub fn log_answer(answered: &Answered<'_>) {
    let Some(log) = ACCESS_LOG.get() else {
        return;
    };
    if !tracing::enabled!(target: ACCESS_TARGET, Level::INFO) {
        return;
    }
    let line = AccessLine {
        route: answered.route.map_or("", RouteKind::pattern),
        operation: answered.operation.map_or("", OperationKind::name),
        status: answered.status,
        user_id: answered
            .user_id
            .map(ToString::to_string)
            .unwrap_or_default(),
        latency_ms: (answered.elapsed.as_secs_f64() * 1e6).round() / 1000.0,
    };
    let text = if log.json {
        line.json()
    } else {
        line.text(log.ansi)
    };
    log.writer.write_batched(text.as_bytes());
}

/// The fields of an access line.
struct AccessLine<'a> {
    route: &'a str,
    operation: &'a str,
    status: u16,
    user_id: String,
    latency_ms: f64,
}

impl AccessLine<'_> {
    /// `2026-01-01T00:00:00.000000Z  INFO vortex_demo::access: vortex request route="…" …`,
    /// as the `fmt` layer writes an event.
    fn text(&self, ansi: bool) -> String {
        let mut line = String::with_capacity(256);
        let _ = SystemTime.format_time(&mut Writer::new(&mut line));
        let level = if ansi {
            "\x1b[32m INFO\x1b[0m"
        } else {
            " INFO"
        };
        let _ = writeln!(
            line,
            " {level} {ACCESS_TARGET}: vortex request route={:?} operation={:?} status={} \
             user.id={:?} latency_ms={}",
            self.route, self.operation, self.status, self.user_id, self.latency_ms
        );
        line
    }

    /// The line as the `fmt` layer's JSON output writes an event (`flatten_event`).
    fn json(&self) -> String {
        let mut timestamp = String::with_capacity(32);
        let _ = SystemTime.format_time(&mut Writer::new(&mut timestamp));
        let mut line = serde_json::json!({
            "timestamp": timestamp,
            "level": "INFO",
            "message": "vortex request",
            "route": self.route,
            "operation": self.operation,
            "status": self.status,
            "user.id": self.user_id,
            "latency_ms": self.latency_ms,
            "target": ACCESS_TARGET,
        })
        .to_string();
        line.push('\n');
        line
    }
}
