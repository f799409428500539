//! What `main() -> Result` prints: the `Debug` of each start-up error names the variant, says
//! what is wrong and what to do, and never shows the key. (The `VORTEX_API_KEY` errors of
//! `from_env` are checked in `config.rs`, in a child process.)

use std::time::Duration;

use vortex_client::{ApiKey, Error, ExpiresIn, VortexClient};

use crate::support::{KEY, SECRET};

const SECRET_MARK: &str = "s3cr3t-part";

fn debug_of_key_error(key: &str) -> String {
    let error = VortexClient::new(key).unwrap_err();
    assert!(matches!(error, Error::InvalidApiKey(_)), "{error:?}");
    let text = format!("{error:?}");
    assert!(!text.contains(SECRET_MARK), "the key leaked: {text}");
    text
}

fn debug_of_url_error(url: &str) -> String {
    let error = VortexClient::builder(KEY)
        .base_url(url)
        .build()
        .unwrap_err();
    let text = format!("{error:?}");
    assert!(!text.contains(SECRET), "the key leaked: {text}");
    text
}

#[test]
fn a_malformed_key_says_the_expected_form_and_where_to_get_it() {
    assert_eq!(
        debug_of_key_error("VRTX.s3cr3t-part"),
        "InvalidApiKey(Format): Invalid API key format: expected `VRTX.<key id>.<secret>` \
         (three non-empty parts separated by dots); copy the whole key from the Vortex \
         dashboard (VORTEX_API_KEY)"
    );
    assert_eq!(
        debug_of_key_error("sk_live.AAAAAAAAQACAAAAAAAAAAQ.s3cr3t-part"),
        "InvalidApiKey(Prefix): Invalid API key prefix: a Vortex API key starts with `VRTX.`; \
         copy the whole key from the Vortex dashboard (VORTEX_API_KEY)"
    );
    assert_eq!(
        debug_of_key_error("VRTX.AAAAAAAAQACAAAAAAA.s3cr3t-part"),
        "InvalidApiKey(KeyId): Invalid API key id: the middle part must be 16 bytes in \
         unpadded base64url (22 characters); the key was cut or changed: copy the whole key \
         from the Vortex dashboard (VORTEX_API_KEY)"
    );
    assert_eq!(
        debug_of_key_error("VRTX.EREREREREREREREREREREQ.s3cr3t-part"),
        "InvalidApiKey(NotUuid): Invalid API key id: it does not decode to a valid UUID \
         (Stringified UUID is invalid); copy the whole key from the Vortex dashboard \
         (VORTEX_API_KEY)"
    );
}

#[test]
fn an_empty_key_says_to_set_it() {
    let expected = "InvalidApiKey(Empty): Invalid API key format: the Vortex API key is empty; set it \
                    (VORTEX_API_KEY) to the key from the Vortex dashboard, of the form `VRTX.<key id>.<secret>`";
    assert_eq!(debug_of_key_error(""), expected);
    assert_eq!(debug_of_key_error("  \n"), expected);
    // The same text without the client's variant, from `ApiKey` itself.
    let error = ApiKey::parse("").unwrap_err();
    assert_eq!(
        format!("{error:?}"),
        expected.replace("InvalidApiKey(Empty)", "Empty")
    );
}

#[test]
fn a_key_with_a_line_break_says_to_remove_it() {
    let error = VortexClient::new(format!("{KEY}\n")).unwrap_err();
    let text = format!("{error:?}");
    assert_eq!(
        text,
        "Config: Vortex client configuration: the API key contains a line break, a control \
         character or a non-ASCII character, which an HTTP header cannot carry: copy the key \
         again without them (check VORTEX_API_KEY for a trailing newline)"
    );
    assert!(!text.contains(SECRET), "{text}");
}

#[test]
fn a_bad_base_url_says_what_url_to_use() {
    const FIX: &str = "use the http:// or https:// URL of the Vortex API, such as \
                       https://api.vortexsoftware.com (the default when VORTEX_API_BASE_URL is unset)";
    assert_eq!(
        debug_of_url_error("api.vortexsoftware.com"),
        format!(
            "Config: Vortex client configuration: invalid base URL \"api.vortexsoftware.com\": \
             relative URL without a base; {FIX}"
        )
    );
    assert_eq!(
        debug_of_url_error("ftp://api.vortexsoftware.com"),
        format!(
            "Config: Vortex client configuration: invalid base URL \
             \"ftp://api.vortexsoftware.com\": it is not an http:// or https:// URL; {FIX}"
        )
    );
    assert_eq!(
        debug_of_url_error("https://api.vortexsoftware.com/?env=x"),
        format!(
            "Config: Vortex client configuration: invalid base URL \
             \"https://api.vortexsoftware.com/?env=x\": it must not have a query or fragment; {FIX}"
        )
    );
}

#[test]
fn upstream_errors_keep_their_details_in_debug() {
    let status = Error::Status {
        status: 429,
        message: Some("Slow down".into()),
        retry_after: Some(Duration::from_secs(2)),
    };
    assert_eq!(
        format!("{status:?}"),
        "Status(429): the Vortex API answered 429: Slow down (Retry-After: 2s)"
    );
    assert_eq!(
        format!("{:?}", Error::Timeout(Duration::from_secs(10))),
        "Timeout: the Vortex API did not answer within the 10s deadline of the call; raise \
         the client timeout if this is expected"
    );
    assert_eq!(
        format!(
            "{:?}",
            Error::InvalidInput("\"..\" is not a valid id".into())
        ),
        "InvalidInput: invalid input: \"..\" is not a valid id"
    );
}

#[tokio::test]
async fn a_transport_error_lists_its_causes_in_debug() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = VortexClient::builder(KEY)
        .base_url(url)
        .retry_policy(vortex_client::retry::RetryPolicy::none())
        .build()
        .unwrap();

    let error = client.get_invitation("inv-1").await.unwrap_err();
    let (display, debug) = (error.to_string(), format!("{error:?}"));
    assert!(
        debug.starts_with(&format!("Transport: {display}")),
        "{debug}"
    );
    assert!(
        debug.len() > "Transport: ".len() + display.len(),
        "the causes follow: {debug}"
    );
    assert!(!debug.contains(SECRET), "{debug}");
}

#[test]
fn an_expires_in_error_names_its_variant_and_the_accepted_forms() {
    let error = "0m".parse::<ExpiresIn>().unwrap_err();
    assert_eq!(
        format!("{error:?}"),
        "ZeroDuration: Invalid expiresIn value: \"0m\". Duration must be positive (e.g., \
         \"5m\", \"1h\", \"7d\")."
    );
}
