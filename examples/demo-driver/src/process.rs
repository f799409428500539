//! A demo binary run as a child process.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running demo, killed on drop.
#[derive(Debug)]
pub struct Demo {
    child: Child,
    /// The demo's URL (`http://127.0.0.1:PORT`).
    pub url: String,
    /// The embedded vortex-mock's base URL (its controls are under `/__mock`).
    pub mock_url: String,
    stderr: Arc<Mutex<String>>,
}

/// How long a demo may take to print its address.
const START_TIMEOUT: Duration = Duration::from_secs(30);

impl Demo {
    /// Starts `binary` on a free loopback port with its embedded mock, logging at `warn`.
    ///
    /// # Panics
    ///
    /// When it does not start or print its address within 30 s.
    pub fn start(binary: &Path) -> Self {
        Self::start_with(binary, &[("RUST_LOG", "warn")])
    }

    /// Starts `binary` as [`Demo::start`] does, with extra environment variables.
    ///
    /// # Panics
    ///
    /// When it does not start or print its address within 30 s.
    pub fn start_with(binary: &Path, env: &[(&str, &str)]) -> Self {
        let mut command = Command::new(binary);
        command
            .env("PORT", "0")
            .env("HOST", "127.0.0.1")
            .env_remove("VORTEX_API_KEY")
            .env_remove("VORTEX_API_BASE_URL")
            .env_remove("REDIS_URL")
            .env_remove("LOG_FORMAT")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let stderr = Arc::new(Mutex::new(String::new()));
        collect(child.stderr.take().expect("piped stderr"), stderr.clone());
        let stdout = child.stdout.take().expect("piped stdout");
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut url = None;
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(found) = line.strip_prefix("listening on ") {
                    url = Some(found.trim().to_owned());
                }
                if let (Some(url), Some(mock)) =
                    (&url, line.split("embedded vortex-mock at ").nth(1))
                {
                    let mock = mock.split_whitespace().next().unwrap_or_default();
                    let _ = sender.send((url.clone(), mock.to_owned()));
                }
            }
        });
        let Ok((url, mock_url)) = receiver.recv_timeout(START_TIMEOUT) else {
            let _ = child.kill();
            panic!(
                "{} did not print its address; stderr: {}",
                binary.display(),
                stderr.lock().unwrap_or_else(|e| e.into_inner())
            );
        };
        Self {
            child,
            url,
            mock_url,
            stderr,
        }
    }

    /// The demo's `host:port`.
    pub fn address(&self) -> &str {
        self.url.trim_start_matches("http://")
    }

    /// Sends a signal (`"TERM"`, `"INT"`) to the process, with the system's `kill`.
    ///
    /// # Panics
    ///
    /// When `kill` cannot be run.
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("the `kill` command runs");
        assert!(status.success(), "kill -{name} failed");
    }

    /// Waits up to `timeout` for the process to exit; its status, or `None` if it still runs.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// What the process wrote on stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn collect(mut from: impl Read + Send + 'static, into: Arc<Mutex<String>>) {
    std::thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        while let Ok(n) = from.read(&mut buffer) {
            if n == 0 {
                break;
            }
            let text = String::from_utf8_lossy(&buffer[..n]);
            into.lock()
                .unwrap_or_else(|e| e.into_inner())
                .push_str(&text);
        }
    });
}

/// An HTTP client that keeps cookies (the demo's session), giving up on a request after
/// `timeout`.
pub(crate) fn cookie_client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .timeout(timeout)
        .build()
        .expect("a reqwest client")
}

/// `GET url` with `client`, read as JSON; panics naming `what` when either fails.
pub async fn get_json(client: &reqwest::Client, url: &str, what: &str) -> serde_json::Value {
    let answer = client.get(url).send().await;
    let answer = answer.unwrap_or_else(|e| panic!("{what}: {e}"));
    answer
        .json()
        .await
        .unwrap_or_else(|e| panic!("{what}: not JSON: {e}"))
}
