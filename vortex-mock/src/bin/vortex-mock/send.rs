//! `vortex-mock send`: one signed test event to a webhook URL, in the spirit of `stripe
//! trigger`.

use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use clap::builder::NonEmptyStringValueParser;
use clap::error::ErrorKind;
use serde_json::Value;
use vortex_client::webhook::{SIGNATURE_HEADER, sign_payload};

/// How long `send` waits for the receiver's answer.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// At most this much of the answer is printed.
const ANSWER_PRINT_LIMIT: usize = 64 * 1024;

/// Shown after `vortex-mock send --help`.
pub(crate) const AFTER_HELP: &str = "\
Example:
  VORTEX_WEBHOOK_SECRET=whsec_... vortex-mock send invitation.accepted --to http://127.0.0.1:3000/webhooks/vortex

Exit status: 0 for a 2xx answer, 1 for another answer or no answer, 2 for a usage error.";

/// `send`'s arguments. No `Debug`: it holds the secret.
#[derive(Args)]
pub(crate) struct SendArgs {
    /// The event type: invitation.created, invitation.accepted, invitation.deactivated and
    /// invitation.reminder.sent carry realistic invitation data; any other type is sent too.
    #[arg(value_name = "EVENT_TYPE", value_parser = NonEmptyStringValueParser::new())]
    pub(crate) event_type: String,
    /// The webhook endpoint, e.g. http://127.0.0.1:3000/webhooks/vortex.
    #[arg(long = "to", value_name = "URL", value_parser = endpoint)]
    pub(crate) url: reqwest::Url,
    /// The signing secret (prefer the variable: command lines are visible to other users of
    /// the machine).
    #[arg(long, env = "VORTEX_WEBHOOK_SECRET", hide_env_values = true)]
    pub(crate) secret: Option<String>,
    /// Replaces the event's `data`.
    #[arg(long, value_name = "JSON", value_parser = json)]
    pub(crate) data: Option<Value>,
    /// The event id [default: a new random one]; send twice with one id to test duplicates.
    #[arg(long)]
    pub(crate) id: Option<String>,
}

/// `--to`: an absolute `http://` or `https://` URL.
fn endpoint(value: &str) -> Result<reqwest::Url, String> {
    reqwest::Url::parse(value)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
        .ok_or_else(|| "not an absolute http:// or https:// URL".to_owned())
}

/// `--data`: any JSON value.
fn json(value: &str) -> Result<Value, String> {
    serde_json::from_str(value).map_err(|e| format!("not valid JSON: {e}"))
}

/// `vortex-mock send`: prints the answer's status and body; 0 only for a 2xx answer.
pub(crate) async fn run(args: SendArgs) -> ExitCode {
    let Some(secret) = args.secret.as_deref().filter(|s| !s.is_empty()) else {
        crate::usage_error(
            Some("send"),
            ErrorKind::MissingRequiredArgument,
            "send needs the signing secret: set VORTEX_WEBHOOK_SECRET or pass --secret".to_owned(),
        )
    };
    let body = args.body();
    println!(
        "POST {} ({}, {} bytes)",
        args.url,
        args.event_type,
        body.len()
    );
    match send(&args.url, secret, body).await {
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
struct Answer {
    status: reqwest::StatusCode,
    body: String,
}

/// Sends `body`, signed with `secret`, as Vortex does (`POST`, JSON, `X-Vortex-Signature`).
async fn send(url: &reqwest::Url, secret: &str, body: Vec<u8>) -> Result<Answer, String> {
    let client = reqwest::Client::builder()
        .timeout(SEND_TIMEOUT)
        .build()
        .map_err(|e| format!("could not build the HTTP client: {e}"))?;
    let signature = sign_payload(secret, &body);
    let response = client
        .post(url.clone())
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(
            reqwest::header::USER_AGENT,
            concat!("vortex-mock/", env!("CARGO_PKG_VERSION")),
        )
        .header(SIGNATURE_HEADER, signature)
        .body(body)
        .send()
        .await
        .map_err(|e| format!("no answer from {url}: {}", e.without_url()))?;
    let status = response.status();
    let bytes = response
        .bytes()
        .await
        .map_err(|e| format!("the answer from {url} broke off: {}", e.without_url()))?;
    let shown = &bytes[..bytes.len().min(ANSWER_PRINT_LIMIT)];
    Ok(Answer {
        status,
        body: String::from_utf8_lossy(shown).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::{Cli, Command};

    /// Parses `vortex-mock send …` (the secret always given, so the environment does not
    /// matter).
    fn send_args(list: &[&str]) -> Result<SendArgs, clap::Error> {
        let cli = Cli::try_parse_from(
            ["vortex-mock", "send", "--secret", "whsec_x"]
                .iter()
                .chain(list),
        )?;
        match cli.command {
            Some(Command::Send(args)) => Ok(args),
            None => panic!("not send"),
        }
    }

    #[test]
    fn send_arguments() {
        let parsed = send_args(&[
            "invitation.accepted",
            "--to",
            "http://127.0.0.1:3000/webhooks/vortex",
            "--data",
            r#"{"a":1}"#,
            "--id=evt_1",
        ])
        .unwrap();
        assert_eq!(parsed.event_type, "invitation.accepted");
        assert_eq!(parsed.url.as_str(), "http://127.0.0.1:3000/webhooks/vortex");
        assert_eq!(parsed.secret.as_deref(), Some("whsec_x"));
        let body: Value = serde_json::from_slice(&parsed.body()).unwrap();
        assert_eq!(body["data"], serde_json::json!({"a": 1}));
        assert_eq!(body["id"], "evt_1");
        assert_eq!(body["type"], "invitation.accepted");
    }

    #[test]
    fn send_errors_name_what_is_wrong() {
        let error = |list: &[&str]| {
            let err = send_args(list).err().unwrap();
            assert_eq!(err.exit_code(), 2, "{err}");
            err.to_string()
        };
        assert!(error(&["--to", "http://h"]).contains("<EVENT_TYPE>"));
        assert!(error(&["t"]).contains("--to <URL>"));
        assert!(error(&["t", "--to", "ftp://h"]).contains("http://"));
        assert!(error(&["t", "--to", "http://h", "--data", "{"]).contains("--data"));
        assert!(error(&["t", "--to"]).contains("--to <URL>"));
        assert!(error(&["t", "--to", "http://h", "--bogus"]).contains("--bogus"));
        assert!(error(&["t", "u", "--to", "http://h"]).contains("'u'"));
        assert!(error(&["", "--to", "http://h"]).contains("EVENT_TYPE"));
    }
}
