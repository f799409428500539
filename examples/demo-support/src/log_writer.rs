//! The demos' log output: stderr, in batches.
//!
//! A server that logs a line per request and writes each line with its own `write` system call
//! spends a good part of each request in the kernel. Here lines at `INFO` and below are
//! appended to a buffer that a flusher thread writes out every [`FLUSH_EVERY`], or at once when
//! it passes [`FLUSH_AT`] bytes; a `WARN` or `ERROR` line is written out at once, with
//! everything before it, so order is kept and problems are never delayed. A request never
//! wakes another thread to log. The cost: a crash loses at most the last
//! [`FLUSH_EVERY`] of `INFO` lines; a normal exit loses nothing (see [`FlushGuard`]).

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use tracing::{Level, Metadata};
use tracing_subscriber::fmt::MakeWriter;

/// How often the flusher writes out the buffered lines.
pub const FLUSH_EVERY: Duration = Duration::from_millis(100);

/// A buffer this large is written out at once, without waiting for the flusher.
pub const FLUSH_AT: usize = 64 * 1024;

/// Stderr in batches: a [`MakeWriter`] for `tracing_subscriber::fmt`.
#[derive(Debug, Clone)]
pub struct BatchedStderr {
    shared: Arc<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    buffer: Mutex<Vec<u8>>,
    stopping: AtomicBool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Vec<u8>> {
        self.buffer.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Writes out the buffer, holding the lock so that lines keep their order.
    fn flush(&self) {
        let mut buffer = self.lock();
        write_out(&mut buffer);
    }
}

/// Writes `buffer` to stderr and empties it. A failed write is dropped: there is nowhere
/// else to report it.
fn write_out(buffer: &mut Vec<u8>) {
    if buffer.is_empty() {
        return;
    }
    let _ = io::stderr().lock().write_all(buffer);
    buffer.clear();
}

impl BatchedStderr {
    /// The writer and the guard of its flusher thread.
    ///
    /// # Panics
    ///
    /// If the flusher thread cannot be started.
    pub fn start() -> (Self, FlushGuard) {
        let shared = Arc::new(Shared::default());
        let flusher = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("log-flusher".to_owned())
            .spawn(move || {
                while !flusher.stopping.load(Ordering::Acquire) {
                    std::thread::park_timeout(FLUSH_EVERY);
                    flusher.flush();
                }
            })
            .expect("the log flusher thread starts");
        let guard = FlushGuard {
            shared: Arc::clone(&shared),
            thread: Some(thread),
        };
        (Self { shared }, guard)
    }

    /// Adds `bytes` (whole lines) to the batch, as an `INFO` line is written.
    pub fn write_batched(&self, bytes: &[u8]) {
        let _ = LineWriter {
            shared: &self.shared,
            urgent: false,
        }
        .write_all(bytes);
    }
}

/// Stops the flusher and writes out what is buffered, when dropped: keep it until `main`
/// returns.
#[must_use = "dropping the guard stops the log flusher: keep it until main returns"]
#[derive(Debug)]
pub struct FlushGuard {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for FlushGuard {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
        self.shared.flush();
    }
}

/// One log line's writer: appends to the shared buffer.
#[derive(Debug)]
pub struct LineWriter<'a> {
    shared: &'a Shared,
    urgent: bool,
}

impl Write for LineWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let mut buffer = self.shared.lock();
        buffer.extend_from_slice(bytes);
        if self.urgent || buffer.len() >= FLUSH_AT {
            write_out(&mut buffer);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for BatchedStderr {
    type Writer = LineWriter<'a>;

    fn make_writer(&'a self) -> LineWriter<'a> {
        LineWriter {
            shared: &self.shared,
            urgent: true,
        }
    }

    fn make_writer_for(&'a self, metadata: &Metadata<'_>) -> LineWriter<'a> {
        LineWriter {
            shared: &self.shared,
            // ERROR < WARN < INFO in tracing's order: WARN and ERROR go out at once.
            urgent: *metadata.level() <= Level::WARN,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writer_for(batched: &BatchedStderr, level: Level) -> LineWriter<'_> {
        LineWriter {
            shared: &batched.shared,
            urgent: level <= Level::WARN,
        }
    }

    #[test]
    fn a_warning_writes_out_the_lines_before_it() {
        let (batched, guard) = BatchedStderr::start();
        writer_for(&batched, Level::INFO)
            .write_all(b"an info line\n")
            .unwrap();
        writer_for(&batched, Level::WARN)
            .write_all(b"a warning\n")
            .unwrap();
        assert!(
            batched.shared.lock().is_empty(),
            "a warning writes out the buffer"
        );
        drop(guard);
    }

    #[test]
    fn a_full_buffer_is_written_out_at_once() {
        let (batched, guard) = BatchedStderr::start();
        let line = vec![b'x'; FLUSH_AT];
        writer_for(&batched, Level::INFO).write_all(&line).unwrap();
        assert!(batched.shared.lock().is_empty());
        drop(guard);
    }

    #[test]
    fn the_flusher_writes_out_info_lines_and_the_guard_the_rest() {
        let (batched, guard) = BatchedStderr::start();
        writer_for(&batched, Level::INFO)
            .write_all(b"flushed by the thread\n")
            .unwrap();
        std::thread::sleep(FLUSH_EVERY * 3);
        assert!(batched.shared.lock().is_empty(), "the flusher ran");
        writer_for(&batched, Level::INFO)
            .write_all(b"flushed by the guard\n")
            .unwrap();
        drop(guard);
        assert!(batched.shared.lock().is_empty(), "the guard flushed");
    }
}
