//! Building a client: key and base URL validation, `Debug` without secrets, `from_env`, and a
//! user-supplied `reqwest::Client`.

use std::process::Command;

use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::json;
use vortex_client::{ApiKeyError, Error, VortexClient};

use crate::support::{
    KEY, SECRET, assert_sdk_headers, assert_target, builder, json_answer, mount, single_request,
    start_server,
};

#[test]
fn a_malformed_key_is_an_invalid_api_key_error() {
    let error = VortexClient::new("bad").unwrap_err();
    assert!(
        matches!(error, Error::InvalidApiKey(ApiKeyError::Format)),
        "{error:?}"
    );
    let error = VortexClient::builder("vrtx.AAAAAAAAQACAAAAAAAAAAQ.secret")
        .build()
        .unwrap_err();
    assert!(
        matches!(error, Error::InvalidApiKey(ApiKeyError::Prefix)),
        "{error:?}"
    );
    let error = VortexClient::builder("VRTX.not-a-key-id.secret")
        .build()
        .unwrap_err();
    assert!(
        matches!(error, Error::InvalidApiKey(ApiKeyError::KeyId)),
        "{error:?}"
    );
}

#[test]
fn an_invalid_key_error_does_not_contain_the_key() {
    let key = "VRTX.AAAAAAAAQACAAAAAAAAAAQ.secret-part.extra";
    let error = VortexClient::new(key).unwrap_err();
    assert!(matches!(error, Error::InvalidApiKey(_)), "{error:?}");
    for text in [error.to_string(), format!("{error:?}")] {
        assert!(!text.contains("secret-part"), "{text}");
    }
}

#[test]
fn the_defaults_are_the_production_url_and_a_ten_second_timeout() {
    let client = VortexClient::new(KEY).unwrap();
    assert_eq!(client.base_url(), VortexClient::DEFAULT_BASE_URL);
    assert_eq!(
        VortexClient::DEFAULT_BASE_URL,
        "https://api.vortexsoftware.com"
    );
    assert_eq!(
        VortexClient::DEFAULT_TIMEOUT,
        std::time::Duration::from_secs(10)
    );
}

#[tokio::test]
async fn a_base_url_with_trailing_slashes_works() {
    let server = start_server().await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations/inv-1",
        json_answer(&json!({"id": "inv-1"})),
    )
    .await;
    let client = builder(&server)
        .base_url(format!("{}//", server.uri()))
        .build()
        .unwrap();

    assert_eq!(client.base_url(), server.uri());
    client.get_invitation("inv-1").await.unwrap();
    let request = single_request(&server).await;
    assert_target(&request, "GET", "/api/v1/invitations/inv-1", None);
}

#[tokio::test]
async fn a_base_url_with_a_path_prefix_keeps_the_prefix() {
    let server = start_server().await;
    mount(
        &server,
        "GET",
        "/vortex/api/v1/invitations/inv-1",
        json_answer(&json!({"id": "inv-1"})),
    )
    .await;
    let client = builder(&server)
        .base_url(format!("{}/vortex/", server.uri()))
        .build()
        .unwrap();

    client.get_invitation("inv-1").await.unwrap();
    let request = single_request(&server).await;
    assert_target(&request, "GET", "/vortex/api/v1/invitations/inv-1", None);
}

#[test]
fn a_base_url_that_is_not_http_or_https_is_a_config_error() {
    for url in [
        "ftp://api.vortexsoftware.com",
        "file:///tmp/vortex",
        "mailto:ops@example.com",
        "api.vortexsoftware.com",
        "not a url",
        "",
        "/",
    ] {
        let error = VortexClient::builder(KEY)
            .base_url(url)
            .build()
            .unwrap_err();
        assert!(matches!(error, Error::Config(_)), "{url:?}: {error:?}");
    }
    for url in ["http://localhost:4010", "https://api.vortexsoftware.com"] {
        VortexClient::builder(KEY)
            .base_url(url)
            .build()
            .unwrap_or_else(|e| panic!("{url:?}: {e:?}"));
    }
}

#[tokio::test]
async fn a_base_url_with_a_query_or_fragment_is_refused_or_keeps_the_api_path() {
    let server = start_server().await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations/inv-1",
        json_answer(&json!({"id": "inv-1"})),
    )
    .await;
    for url in [
        format!("{}/?env=staging", server.uri()),
        format!("{}/#section", server.uri()),
    ] {
        let client = match VortexClient::builder(KEY).base_url(&url).build() {
            Err(Error::Config(_)) => continue,
            Err(other) => panic!("{url:?}: {other:?}"),
            Ok(client) => client,
        };
        let result = client.get_invitation("inv-1").await;
        let requests = crate::support::received(&server).await;
        let last = requests.last().expect("a request was sent");
        assert_eq!(
            last.url.path(),
            "/api/v1/invitations/inv-1",
            "{url:?} sent {} ({result:?})",
            last.url
        );
    }
}

#[test]
fn debug_output_does_not_contain_the_secret() {
    let builder = VortexClient::builder(KEY).base_url("http://127.0.0.1:4010");
    let builder_debug = format!("{builder:?}");
    let client = builder.build().unwrap();
    let client_debug = format!("{client:?}");
    let raw_debug = format!("{:?}", client.raw());

    for text in [&builder_debug, &client_debug, &raw_debug] {
        assert!(!text.contains(SECRET), "secret in {text}");
        assert!(!text.contains(KEY), "key in {text}");
    }
    assert!(
        builder_debug.contains("VortexClientBuilder"),
        "{builder_debug}"
    );
    assert!(
        client_debug.contains("http://127.0.0.1:4010"),
        "{client_debug}"
    );
    assert!(
        client_debug.contains("00000000-0000-4000-8000-000000000001"),
        "the kid identifies the key: {client_debug}"
    );
}

#[tokio::test]
async fn a_user_supplied_http_client_is_used() {
    let server = start_server().await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations/inv-1",
        json_answer(&json!({"id": "inv-1"})),
    )
    .await;
    let mut headers = HeaderMap::new();
    headers.insert("x-proxy-tenant", HeaderValue::from_static("tenant-7"));
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap();
    let client = builder(&server).http_client(http).build().unwrap();

    client.get_invitation("inv-1").await.unwrap();
    let request = single_request(&server).await;
    assert_eq!(
        crate::support::header(&request, "x-proxy-tenant"),
        Some("tenant-7"),
        "the request went through the given reqwest::Client"
    );
    assert_sdk_headers(&request);
}

// `from_env`: the environment is process-global and `std::env::set_var` is `unsafe` in
// edition 2024 (the workspace forbids unsafe code). So each test re-runs itself in a child
// process of this test binary with the variables set there; the marker variable tells the
// copy that it is the child.

const CHILD_MARKER: &str = "VORTEX_CLIENT_IT_FROM_ENV_CHILD";

/// Whether this process is the child started by [`run_in_child`].
fn is_child() -> bool {
    std::env::var_os(CHILD_MARKER).is_some()
}

/// Runs the test `name` of this module in a child process of this test binary, with the
/// Vortex variables replaced by `vars`, and asserts that it passed.
fn run_in_child(name: &str, vars: &[(&str, &str)]) {
    let module = module_path!()
        .split_once("::")
        .map_or(module_path!(), |(_, m)| m);
    let test = format!("{module}::{name}");
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([test.as_str(), "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_MARKER, "1")
        .env_remove("VORTEX_API_KEY")
        .env_remove("VORTEX_API_BASE_URL");
    for (name, value) in vars {
        command.env(name, value);
    }
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "child run of {test} failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
}

#[tokio::test]
async fn from_env_reads_the_api_key_and_base_url() {
    if is_child() {
        let base_url = std::env::var("VORTEX_API_BASE_URL").unwrap();
        let client = VortexClient::from_env().unwrap();
        assert_eq!(client.base_url(), base_url.trim_end_matches('/'));
        assert_eq!(client.get_invitation("inv-1").await.unwrap().id, "inv-1");
        return;
    }
    let server = start_server().await;
    mount(
        &server,
        "GET",
        "/api/v1/invitations/inv-1",
        json_answer(&json!({"id": "inv-1"})),
    )
    .await;

    let base_url = format!("{}/", server.uri());
    run_in_child(
        "from_env_reads_the_api_key_and_base_url",
        &[("VORTEX_API_KEY", KEY), ("VORTEX_API_BASE_URL", &base_url)],
    );
    let request = single_request(&server).await;
    assert_target(&request, "GET", "/api/v1/invitations/inv-1", None);
    assert_sdk_headers(&request);
}

#[test]
fn from_env_without_a_base_url_uses_the_production_url() {
    if is_child() {
        let client = VortexClient::from_env().unwrap();
        assert_eq!(client.base_url(), VortexClient::DEFAULT_BASE_URL);
        let builder = VortexClient::builder_from_env().unwrap();
        assert_eq!(
            builder.build().unwrap().base_url(),
            VortexClient::DEFAULT_BASE_URL
        );
        return;
    }
    run_in_child(
        "from_env_without_a_base_url_uses_the_production_url",
        &[("VORTEX_API_KEY", KEY)],
    );
    run_in_child(
        "from_env_without_a_base_url_uses_the_production_url",
        &[("VORTEX_API_KEY", KEY), ("VORTEX_API_BASE_URL", "  ")],
    );
}

#[test]
fn from_env_without_an_api_key_is_a_config_error() {
    if is_child() {
        let error = VortexClient::from_env().unwrap_err();
        assert!(matches!(error, Error::Config(_)), "{error:?}");
        assert!(error.to_string().contains("VORTEX_API_KEY"), "{error}");
        assert_eq!(
            format!("{error:?}"),
            "Config: Vortex client configuration: VORTEX_API_KEY is not set: set it to your \
             Vortex API key (`VRTX.<key id>.<secret>`, from the Vortex dashboard)"
        );
        let error = VortexClient::builder_from_env().unwrap_err();
        assert!(matches!(error, Error::Config(_)), "{error:?}");
        return;
    }
    run_in_child(
        "from_env_without_an_api_key_is_a_config_error",
        &[("VORTEX_API_BASE_URL", "http://127.0.0.1:4010")],
    );
}

#[test]
fn from_env_with_an_empty_api_key_says_it_is_empty() {
    if is_child() {
        let error = VortexClient::from_env().unwrap_err();
        assert_eq!(
            format!("{error:?}"),
            "Config: Vortex client configuration: VORTEX_API_KEY is empty: set it to your \
             Vortex API key (`VRTX.<key id>.<secret>`, from the Vortex dashboard)"
        );
        return;
    }
    for empty in ["", " "] {
        run_in_child(
            "from_env_with_an_empty_api_key_says_it_is_empty",
            &[("VORTEX_API_KEY", empty)],
        );
    }
}

#[test]
fn from_env_with_a_bad_base_url_names_the_variable() {
    if is_child() {
        let error = VortexClient::from_env().unwrap_err();
        let text = format!("{error:?}");
        assert!(
            text.starts_with(
                "Config: Vortex client configuration: invalid base URL \"localhost:4010\""
            ),
            "{text}"
        );
        assert!(text.contains("VORTEX_API_BASE_URL"), "{text}");
        assert!(!text.contains(SECRET), "{text}");
        return;
    }
    run_in_child(
        "from_env_with_a_bad_base_url_names_the_variable",
        &[
            ("VORTEX_API_KEY", KEY),
            ("VORTEX_API_BASE_URL", "localhost:4010"),
        ],
    );
}

#[test]
fn from_env_with_a_malformed_api_key_is_an_invalid_api_key_error() {
    if is_child() {
        let error = VortexClient::from_env().unwrap_err();
        assert!(matches!(error, Error::InvalidApiKey(_)), "{error:?}");
        return;
    }
    run_in_child(
        "from_env_with_a_malformed_api_key_is_an_invalid_api_key_error",
        &[("VORTEX_API_KEY", "not-a-key")],
    );
}

/// With a proxy in the environment the client sends through it (reqwest's proxy handling
/// takes over from the direct transport): the proxy gets the request, in absolute form, with
/// the SDK's headers; the API's host is never resolved here.
#[tokio::test]
async fn a_proxy_in_the_environment_carries_the_requests() {
    if is_child() {
        let client = VortexClient::builder(KEY)
            .base_url("http://vortex-api.invalid")
            .build()
            .unwrap();
        assert_eq!(client.get_invitation("inv-1").await.unwrap().id, "inv-1");
        return;
    }
    let proxy = start_server().await;
    mount(
        &proxy,
        "GET",
        "/api/v1/invitations/inv-1",
        json_answer(&json!({"id": "inv-1"})),
    )
    .await;
    for variable in ["HTTP_PROXY", "ALL_PROXY"] {
        run_in_child(
            "a_proxy_in_the_environment_carries_the_requests",
            &[(variable, &proxy.uri()), ("NO_PROXY", ""), ("no_proxy", "")],
        );
    }
    let requests = proxy.received_requests().await.unwrap_or_default();
    assert_eq!(requests.len(), 2, "both requests went through the proxy");
    for request in &requests {
        assert_eq!(request.url.host_str(), Some("vortex-api.invalid"));
        assert_sdk_headers(request);
    }
}
