//! The binary's command line: serving (no subcommand) or `send`, one signed test event to a
//! webhook URL, in the spirit of `stripe trigger`. (A module of the binary, not the library.)

use std::time::Duration;

use serde_json::Value;
use vortex_client::webhook::{SIGNATURE_HEADER, sign_payload};

/// How long `send` waits for the receiver's answer.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// At most this much of the answer is printed.
const ANSWER_PRINT_LIMIT: usize = 64 * 1024;

pub(crate) const USAGE: &str = "\
vortex-mock: a local stand-in for the Vortex API

Usage:
  vortex-mock                 serve the mock API until Ctrl-C (settings from the environment:
                              PORT, HOST, VORTEX_API_KEY, VORTEX_MOCK_WEBHOOK_URL,
                              VORTEX_WEBHOOK_SECRET, RUST_LOG)
  vortex-mock send <event-type> --to <url> [--secret <secret>] [--data <json>] [--id <id>]
                              send one signed test webhook event and print the answer
  vortex-mock --help          this help

send:
  <event-type>      e.g. invitation.created, invitation.accepted, invitation.deactivated,
                    invitation.reminder.sent (realistic invitation data), or any other type
  --to <url>        the webhook endpoint, e.g. http://127.0.0.1:3000/webhooks/vortex
  --secret <secret> the signing secret (default: $VORTEX_WEBHOOK_SECRET; prefer the variable,
                    command lines are visible to other users of the machine)
  --data <json>     replaces the event's `data`
  --id <id>         the event id (default: a new random one); send twice to test duplicates
  Exit status: 0 for a 2xx answer, 1 for another answer or no answer, 2 for a usage error.
";

/// What the command line asks for.
#[derive(Debug, PartialEq)]
pub(crate) enum Command {
    /// Serve the mock (no subcommand).
    Serve,
    /// Print [`USAGE`].
    Help,
    /// Send one test event.
    Send(Box<SendArgs>),
}

/// `send`'s arguments. `Debug` never shows the secret.
#[derive(PartialEq)]
pub(crate) struct SendArgs {
    pub(crate) event_type: String,
    pub(crate) url: reqwest::Url,
    pub(crate) secret: String,
    pub(crate) data: Option<Value>,
    pub(crate) id: Option<String>,
}

impl std::fmt::Debug for SendArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendArgs")
            .field("event_type", &self.event_type)
            .field("url", &self.url.as_str())
            .field("secret", &"<redacted>")
            .field("data", &self.data)
            .field("id", &self.id)
            .finish()
    }
}

/// Parses the arguments after the program name; `env_secret` is `$VORTEX_WEBHOOK_SECRET`.
pub(crate) fn parse(
    args: impl IntoIterator<Item = String>,
    env_secret: Option<String>,
) -> Result<Command, String> {
    let mut args = args.into_iter();
    match args.next().as_deref() {
        None => Ok(Command::Serve),
        Some("-h" | "--help" | "help") => Ok(Command::Help),
        Some("send") => parse_send(args, env_secret),
        Some(other) => Err(format!(
            "unknown command `{other}`: run `vortex-mock --help`"
        )),
    }
}

fn parse_send(
    mut args: impl Iterator<Item = String>,
    env_secret: Option<String>,
) -> Result<Command, String> {
    let (mut event_type, mut url, mut secret, mut data, mut id) = (None, None, None, None, None);
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_owned(), Some(value.to_owned()))
            }
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value: run `vortex-mock --help`"))
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--to" => url = Some(value("--to")?),
            "--secret" => secret = Some(value("--secret")?),
            "--data" => data = Some(value("--data")?),
            "--id" => id = Some(value("--id")?),
            flag if flag.starts_with('-') => {
                return Err(format!("unknown option `{flag}`: run `vortex-mock --help`"));
            }
            _ if event_type.is_none() => event_type = Some(arg),
            _ => return Err(format!("unexpected argument `{arg}`: give one event type")),
        }
    }
    let event_type = event_type
        .filter(|t| !t.trim().is_empty())
        .ok_or("send needs an event type, e.g. `vortex-mock send invitation.accepted --to …`")?;
    let url = url.ok_or("send needs --to <url>, the webhook endpoint")?;
    let url = reqwest::Url::parse(&url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
        .ok_or_else(|| format!("--to `{url}` is not an absolute http:// or https:// URL"))?;
    let secret = secret
        .or(env_secret)
        .filter(|s| !s.is_empty())
        .ok_or("send needs the signing secret: set VORTEX_WEBHOOK_SECRET or pass --secret")?;
    let data = data
        .map(|text| {
            serde_json::from_str(&text).map_err(|e| format!("--data is not valid JSON: {e}"))
        })
        .transpose()?;
    Ok(Command::Send(Box::new(SendArgs {
        event_type,
        url,
        secret,
        data,
        id,
    })))
}

impl SendArgs {
    /// The exact body to send: the mock's sample event of that type, with `--data` and
    /// `--id` applied.
    pub(crate) fn body(&self) -> Vec<u8> {
        let mut event = vortex_mock::sample_event(&self.event_type);
        if let Some(data) = &self.data {
            event["data"] = data.clone();
        }
        if let Some(id) = &self.id {
            event["id"] = id.as_str().into();
        }
        serde_json::to_vec(&event).unwrap_or_default()
    }
}

/// The receiver's answer.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: reqwest::StatusCode,
    pub(crate) body: String,
}

/// Sends `body`, signed, as Vortex does (`POST`, JSON, `X-Vortex-Signature`).
pub(crate) async fn send(args: &SendArgs, body: Vec<u8>) -> Result<Answer, String> {
    let client = reqwest::Client::builder()
        .timeout(SEND_TIMEOUT)
        .build()
        .map_err(|e| format!("could not build the HTTP client: {e}"))?;
    let signature = sign_payload(&args.secret, &body);
    let response = client
        .post(args.url.clone())
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(
            reqwest::header::USER_AGENT,
            concat!("vortex-mock/", env!("CARGO_PKG_VERSION")),
        )
        .header(SIGNATURE_HEADER, signature)
        .body(body)
        .send()
        .await
        .map_err(|e| format!("no answer from {}: {}", args.url, e.without_url()))?;
    let status = response.status();
    let bytes = response.bytes().await.map_err(|e| {
        format!(
            "the answer from {} broke off: {}",
            args.url,
            e.without_url()
        )
    })?;
    let shown = &bytes[..bytes.len().min(ANSWER_PRINT_LIMIT)];
    Ok(Answer {
        status,
        body: String::from_utf8_lossy(shown).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    fn send_args(list: &[&str], env: Option<&str>) -> Result<SendArgs, String> {
        match parse(args(list), env.map(str::to_owned))? {
            Command::Send(args) => Ok(*args),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn no_subcommand_serves_and_help_is_help() {
        assert_eq!(parse(args(&[]), None).unwrap(), Command::Serve);
        assert_eq!(parse(args(&["--help"]), None).unwrap(), Command::Help);
        assert_eq!(
            parse(args(&["send", "--help"]), None).unwrap(),
            Command::Help
        );
        assert!(
            parse(args(&["serve-please"]), None)
                .unwrap_err()
                .contains("--help")
        );
    }

    #[test]
    fn send_arguments() {
        let parsed = send_args(
            &[
                "send",
                "invitation.accepted",
                "--to",
                "http://127.0.0.1:3000/webhooks/vortex",
                "--secret=whsec_x",
                "--data",
                r#"{"a":1}"#,
                "--id",
                "evt_1",
            ],
            None,
        )
        .unwrap();
        assert_eq!(parsed.event_type, "invitation.accepted");
        assert_eq!(parsed.url.as_str(), "http://127.0.0.1:3000/webhooks/vortex");
        assert_eq!(parsed.secret, "whsec_x");
        let body: Value = serde_json::from_slice(&parsed.body()).unwrap();
        assert_eq!(body["data"], serde_json::json!({"a": 1}));
        assert_eq!(body["id"], "evt_1");
        assert_eq!(body["type"], "invitation.accepted");
        assert!(!format!("{parsed:?}").contains("whsec_x"));

        let from_env =
            send_args(&["send", "x.y", "--to", "https://h/p"], Some("whsec_env")).unwrap();
        assert_eq!(from_env.secret, "whsec_env");
    }

    #[test]
    fn send_errors_name_what_is_missing() {
        let error = |list: &[&str]| send_args(list, None).unwrap_err();
        assert!(error(&["send", "--to", "http://h"]).contains("event type"));
        assert!(error(&["send", "t"]).contains("--to"));
        assert!(error(&["send", "t", "--to", "ftp://h"]).contains("http://"));
        assert!(error(&["send", "t", "--to", "http://h"]).contains("VORTEX_WEBHOOK_SECRET"));
        assert!(
            error(&[
                "send", "t", "--to", "http://h", "--secret", "s", "--data", "{"
            ])
            .contains("--data")
        );
        assert!(error(&["send", "t", "--to"]).contains("--to needs a value"));
        assert!(error(&["send", "t", "--bogus"]).contains("--bogus"));
        assert!(error(&["send", "t", "u"]).contains("`u`"));
    }
}
