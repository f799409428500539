//! The demo page in a real browser: headless Chromium, driven through ChromeDriver (the
//! Debian packages `chromium` and `chromium-driver`, which `.ci/run` installs), against a
//! demo binary on its embedded vortex-mock.
//!
//! For each demo: sign in as the admin, get a JWT, list, accept, revoke and see the webhook
//! event appear; then sign in as the regular user and see a revoke refused with the policy's
//! 403 message. A screenshot of the page after the admin's flow is saved as
//! `target/browser/<demo>.png`.
//!
//! Without Chromium the test is skipped with a message, except under CI (`CI` set), where a
//! missing browser is a failure.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

use crate::Demo;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A child process killed on drop.
#[derive(Debug)]
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A minimal WebDriver client (the W3C protocol, JSON over HTTP).
struct Browser {
    http: reqwest::Client,
    session: String,
    _driver: Process,
    _profile: TempDir,
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Browser {
    async fn start() -> Self {
        let port = free_port();
        let driver = Process(
            Command::new(CHROMEDRIVER)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("chromedriver starts"),
        );
        let profile = TempDir(
            std::env::temp_dir().join(format!("vortex-browser-{}-{port}", std::process::id())),
        );
        let http = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run",
                    "--window-size=1400,1000",
                    format!("--user-data-dir={}", profile.0.display()),
                ]
            }
        }}});
        let deadline = Instant::now() + Duration::from_secs(30);
        let session = loop {
            match http
                .post(format!("{base}/session"))
                .json(&capabilities)
                .send()
                .await
            {
                Ok(answer) => {
                    let body: Value = answer.json().await.expect("WebDriver answers JSON");
                    let id = body["value"]["sessionId"].as_str();
                    break id
                        .unwrap_or_else(|| panic!("no WebDriver session: {body}"))
                        .to_owned();
                }
                Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("chromedriver did not start: {e}"),
            }
        };
        Self {
            http,
            session: format!("{base}/session/{session}"),
            _driver: driver,
            _profile: profile,
        }
    }

    async fn command(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self.http.request(method, format!("{}{path}", self.session));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let answer: Value = request
            .send()
            .await
            .expect("WebDriver request")
            .json()
            .await
            .expect("WebDriver answers JSON");
        if answer["value"].get("error").is_some() {
            panic!("WebDriver {path}: {answer}");
        }
        answer["value"].clone()
    }

    async fn goto(&self, url: &str) {
        self.command(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    /// Runs a script in the page (`arguments` are available to it).
    async fn script(&self, script: &str, args: Value) -> Value {
        self.command(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
        .await
    }

    async fn click(&self, test_id: &str) {
        let found = self
            .script(
                "const el = document.querySelector(`[data-testid=\"${arguments[0]}\"]`); if (!el) return false; el.click(); return true;",
                json!([test_id]),
            )
            .await;
        assert_eq!(found, json!(true), "no element {test_id}");
    }

    async fn fill(&self, test_id: &str, value: &str) {
        self.script(
            "document.querySelector(`[data-testid=\"${arguments[0]}\"]`).value = arguments[1];",
            json!([test_id, value]),
        )
        .await;
    }

    async fn text(&self, test_id: &str) -> String {
        self.script(
            "const el = document.querySelector(`[data-testid=\"${arguments[0]}\"]`); return el ? el.innerText : '';",
            json!([test_id]),
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    /// Waits until the element's text contains `needle`.
    async fn wait_for_text(&self, test_id: &str, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let text = self.text(test_id).await;
            if text.contains(needle) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "the page never showed {needle:?} in {test_id}; it shows {text:?}\nlog: {}",
                self.text("log").await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn screenshot(&self, path: &Path) {
        let png = self
            .command(reqwest::Method::GET, "/screenshot", None)
            .await;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().expect("base64 screenshot"))
            .expect("valid base64");
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("screenshot folder");
        std::fs::write(path, bytes).expect("screenshot written");
    }

    async fn quit(self) {
        let _ = self.http.delete(&self.session).send().await;
    }
}

fn browser_available() -> bool {
    let available = Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    if !available {
        assert!(
            std::env::var_os("CI").is_none(),
            "Chromium and ChromeDriver are required in CI (apt-get install chromium chromium-driver)"
        );
        eprintln!("skipping the browser test: {CHROMIUM} or {CHROMEDRIVER} is not installed");
    }
    available
}

fn screenshot_path(demo: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/browser")
        .join(format!("{demo}.png"))
}

/// The admin's flow and the regular user's refused revoke, on the demo `binary` (named
/// `demo` for its screenshot). Skipped with a message without Chromium, except under CI.
///
/// # Panics
///
/// When the page does not behave as the flow expects.
pub async fn drive_page(demo: &str, binary: &Path) {
    if !browser_available() {
        return;
    }
    let demo_process = Demo::start(binary);
    let browser = Browser::start().await;
    browser.goto(&demo_process.url).await;

    // The admin signs in and gets a JWT, whose payload the page decodes.
    browser.click("login-admin").await;
    browser.wait_for_text("who", "Admin User").await;
    browser.click("get-jwt").await;
    browser
        .wait_for_text("jwt-for", "JWT for user-1 (admin@example.com)")
        .await;
    browser
        .wait_for_text("jwt-payload", "\"userIsAutojoinAdmin\": true")
        .await;

    // Lists the invitations sent to the regular user.
    browser.fill("target-value", "user@example.com").await;
    browser.click("list-target").await;
    browser.wait_for_text("invitations", "inv-user-1").await;
    browser.wait_for_text("invitations", "team/team-acme").await;

    // Accepts one.
    browser.fill("invitation-id", "inv-user-1").await;
    browser.click("accept").await;
    browser
        .wait_for_text("log", "POST /api/vortex/invitations/accept 200")
        .await;
    browser.wait_for_text("invitations", "accepted").await;

    // Revokes another, and the webhook event from Vortex shows up.
    browser.fill("invitation-id", "inv-user-2").await;
    browser.click("revoke").await;
    browser
        .wait_for_text("log", "DELETE /api/vortex/invitations/inv-user-2 200")
        .await;
    browser
        .wait_for_text("events", "invitation.deactivated")
        .await;
    browser.wait_for_text("events", "inv-user-2").await;
    browser.screenshot(&screenshot_path(demo)).await;

    // The regular user may not revoke: the page shows the 403 and the policy's message.
    browser.click("logout").await;
    browser.wait_for_text("who", "Not signed in").await;
    browser.click("login-user").await;
    browser.wait_for_text("who", "Regular User").await;
    browser.fill("invitation-id", "inv-admin-1").await;
    browser.click("revoke").await;
    let error = browser.wait_for_text("last-error", "403").await;
    assert!(error.contains("Only admins may do this"), "{error}");
    browser.quit().await;
}
