//! A stand-in for the Vortex API on 127.0.0.1: an HTTP/1.1 server on plain threads that
//! records every request (method, request target as sent, body) and answers with the status
//! and body a target sets. Keep-alive, so the client's pooled connection is reused and a call
//! takes a loopback round trip.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use vortex_client::VortexClient;
use vortex_client::retry::RetryPolicy;
use vortex_routes::{Policy, VortexRoutes};

/// One request the upstream received.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// `GET`, `POST`, …
    pub method: String,
    /// The request target as sent: the path, still percent-encoded, then `?query`.
    pub target: String,
    /// The body.
    pub body: Vec<u8>,
}

struct State {
    log: Vec<Recorded>,
    status: u16,
    body: Vec<u8>,
}

static STATE: Mutex<State> = Mutex::new(State {
    log: Vec::new(),
    status: 200,
    body: Vec::new(),
});

fn state() -> std::sync::MutexGuard<'static, State> {
    STATE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The base URL of the upstream, started on first use.
pub fn url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let address = listener.local_addr().expect("local address");
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                std::thread::spawn(move || {
                    let _ = serve_connection(stream);
                });
            }
        });
        format!("http://{address}")
    })
}

/// Sets what the upstream answers from now on, and forgets the requests received so far.
pub fn answer_with(status: u16, body: &[u8]) {
    let mut state = state();
    state.log.clear();
    state.status = status;
    state.body.clear();
    state.body.extend_from_slice(body);
}

/// The requests received since the last [`answer_with`].
pub fn received() -> Vec<Recorded> {
    state().log.clone()
}

/// Routes whose client calls this upstream: no retries, a deadline long enough for a loaded
/// machine (the upstream answers at once; a timeout is a finding).
pub fn routes(policy: impl Into<Policy>) -> VortexRoutes {
    let _guard = crate::runtime().enter();
    let client = VortexClient::builder(crate::API_KEY)
        .base_url(url())
        .timeout(Duration::from_secs(20))
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("a client for the local upstream");
    VortexRoutes::new(client, policy)
}

fn serve_connection(stream: TcpStream) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    loop {
        let mut line = Vec::new();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        let line = String::from_utf8_lossy(&line);
        let mut parts = line.trim_end().splitn(3, ' ');
        let method = parts.next().unwrap_or_default().to_owned();
        let target = parts.next().unwrap_or_default().to_owned();
        let mut length = 0usize;
        loop {
            let mut header = Vec::new();
            if reader.read_until(b'\n', &mut header)? == 0 {
                return Ok(());
            }
            if header == b"\r\n" || header == b"\n" {
                break;
            }
            let header = String::from_utf8_lossy(&header);
            if let Some((name, value)) = header.split_once(':')
                && name.trim().eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        let (status, answer) = {
            let mut state = state();
            state.log.push(Recorded {
                method,
                target,
                body,
            });
            (state.status, state.body.clone())
        };
        let mut response = format!(
            "HTTP/1.1 {status} Fuzz\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            answer.len()
        )
        .into_bytes();
        response.extend_from_slice(&answer);
        writer.write_all(&response)?;
        writer.flush()?;
    }
}
