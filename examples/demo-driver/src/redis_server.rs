//! A private `redis-server` for one test, started on a free loopback port and stopped by its
//! process id when dropped: the one helper of the store tests (vortex-client), the conformance
//! suite (vortex-tests) and the demos' two-instance test.
//!
//! Required under CI (`CI` set: a missing binary fails the test); elsewhere a missing binary
//! skips the test with a message.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BINARY: &str = "redis-server";
const READY_WITHIN: Duration = Duration::from_secs(10);

/// A running `redis-server`, killed on drop.
#[derive(Debug)]
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
}

impl RedisServer {
    /// Starts a server on a free port. `None` (with a message) when the binary is missing
    /// and `CI` is unset; panics when it is missing under CI.
    pub fn start() -> Option<Self> {
        for _attempt in 0..5 {
            let port = free_port();
            match spawn(port) {
                Ok(child) => {
                    let mut server = Self {
                        child: Some(child),
                        port,
                    };
                    if server.wait_ready() {
                        return Some(server);
                    }
                    // Lost the port to another process: try another one.
                    server.stop();
                }
                Err(error) if error.kind() == ErrorKind::NotFound => {
                    assert!(
                        std::env::var_os("CI").is_none(),
                        "{BINARY} is required under CI (install the Debian package redis-server)"
                    );
                    eprintln!("skipped: {BINARY} is not installed (apt-get install redis-server)");
                    return None;
                }
                Err(error) => panic!("cannot start {BINARY}: {error}"),
            }
        }
        panic!("{BINARY} did not start on any of 5 free ports");
    }

    /// `redis://127.0.0.1:PORT/0`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// Stops the server (kills it by pid and reaps it).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port (after [`stop`](Self::stop)).
    pub fn restart(&mut self) {
        self.stop();
        self.child = Some(spawn(self.port).expect("restart redis-server"));
        assert!(
            self.wait_ready(),
            "redis-server did not restart on port {}",
            self.port
        );
    }

    /// Polls with `PING` until the server answers `+PONG` (bounded), or it exited.
    fn wait_ready(&mut self) -> bool {
        let deadline = Instant::now() + READY_WITHIN;
        while Instant::now() < deadline {
            if let Some(child) = &mut self.child
                && matches!(child.try_wait(), Ok(Some(_)))
            {
                return false;
            }
            if ping(self.port) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn spawn(port: u16) -> std::io::Result<Child> {
    Command::new(BINARY)
        .args(["--port", &port.to_string()])
        .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
}

fn ping(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let mut answer = [0u8; 7];
    stream.write_all(b"PING\r\n").is_ok()
        && stream.read_exact(&mut answer).is_ok()
        && &answer == b"+PONG\r\n"
}
