//! Logs on stderr for production: plain text (coloured only on a terminal), or one JSON
//! object per line with `LOG_FORMAT=json`; one line per Vortex request, with its route,
//! operation, status, user id and latency.

use std::io::IsTerminal as _;
use std::time::Instant;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Metadata, Subscriber};
use tracing_subscriber::filter::{FilterExt as _, filter_fn};
use tracing_subscriber::layer::{Context, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{EnvFilter, Layer};

use crate::log_writer::{BatchedStderr, FlushGuard};

/// The name of the span the Vortex route core opens for each request.
const ROUTE_SPAN: &str = "vortex.route";

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
/// - the access log sees only the `vortex.route` spans, and the text or JSON output never
///   formats their fields, since the access line repeats them.
pub fn init_tracing() -> LogGuard {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| DEFAULT_FILTER.into());
    let access_log = filter
        .max_level_hint()
        .is_none_or(|max| max >= tracing::level_filters::LevelFilter::INFO);
    let json = std::env::var("LOG_FORMAT").is_ok_and(|v| v.eq_ignore_ascii_case("json"));
    let (writer, flusher) = BatchedStderr::start();
    let output_filter = filter.and(filter_fn(|metadata| !is_route_span(metadata)));
    let access = VortexRequestLog.with_filter(filter_fn(move |metadata| {
        access_log && is_route_span(metadata)
    }));
    let fmt = tracing_subscriber::fmt::layer().with_writer(writer);
    let registry = tracing_subscriber::registry().with(access);
    let result = if json {
        registry
            .with(fmt.json().flatten_event(true).with_filter(output_filter))
            .try_init()
    } else {
        let ansi = std::io::stderr().is_terminal();
        registry
            .with(fmt.with_ansi(ansi).with_filter(output_filter))
            .try_init()
    };
    if result.is_err() {
        eprintln!("a tracing subscriber was already installed; keeping it");
    }
    LogGuard { _flusher: flusher }
}

fn is_route_span(metadata: &Metadata<'_>) -> bool {
    metadata.is_span() && metadata.name() == ROUTE_SPAN
}

/// Writes one `vortex request` line when a `vortex.route` span closes.
#[derive(Debug, Clone, Copy)]
pub struct VortexRequestLog;

/// What a `vortex.route` span recorded, kept in its extensions.
#[derive(Debug)]
struct RouteFields {
    started: Instant,
    route: String,
    operation: String,
    user_id: String,
    status: u64,
}

impl Visit for RouteFields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.record(field, value.to_owned());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == "status" {
            self.status = value;
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.record_u64(field, u64::try_from(value).unwrap_or_default());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.record(field, format!("{value:?}"));
    }
}

impl RouteFields {
    fn record(&mut self, field: &Field, value: String) {
        match field.name() {
            "route" => self.route = value,
            "operation" => self.operation = value,
            "user.id" => self.user_id = value,
            _ => {}
        }
    }
}

impl<S> Layer<S> for VortexRequestLog
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if attrs.metadata().name() != ROUTE_SPAN {
            return;
        }
        let mut fields = RouteFields {
            started: Instant::now(),
            route: String::new(),
            operation: String::new(),
            user_id: String::new(),
            status: 0,
        };
        attrs.record(&mut fields);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(fields);
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id)
            && let Some(fields) = span.extensions_mut().get_mut::<RouteFields>()
        {
            values.record(fields);
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(fields) = ctx
            .span(&id)
            .and_then(|span| span.extensions_mut().remove::<RouteFields>())
        else {
            return;
        };
        let latency_ms = fields.started.elapsed().as_secs_f64() * 1000.0;
        tracing::info!(
            target: "vortex_demo::access",
            route = fields.route,
            operation = fields.operation,
            status = fields.status,
            user.id = fields.user_id,
            latency_ms = (latency_ms * 1000.0).round() / 1000.0,
            "vortex request"
        );
    }
}
