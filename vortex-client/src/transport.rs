//! How a request reaches the Vortex API: hyper's pooled HTTP/1.1 client by default, reqwest
//! when the app gives its own client or the environment asks for a proxy.
//!
//! Why two: reqwest is the configurable client (proxies, native TLS, the app's settings), and
//! the client the app may already have; but each request through it costs several times what
//! hyper's own pooled client costs (it keeps a copy of the request for redirects, parses the
//! URL again, boxes its futures, clones its connector per call): measured through a socket, 43
//! against 31 us of CPU per proxied list of 10 invitations. The default client needs none of
//! what reqwest adds (no redirects, no cookies, the deadline is the caller's), so it goes
//! straight to hyper.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};

/// The environment variables through which reqwest takes a proxy: with any of them set, the
/// default client goes through reqwest, which applies them (and `NO_PROXY`).
const PROXY_VARIABLES: [&str; 6] = [
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// How long an idle pooled connection is kept (reqwest's default too).
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(90);

#[cfg(any(feature = "rustls", feature = "rustls-no-provider"))]
type Connector = hyper_rustls::HttpsConnector<HttpConnector>;
#[cfg(not(any(feature = "rustls", feature = "rustls-no-provider")))]
type Connector = HttpConnector;

/// The client requests go through.
#[derive(Clone)]
pub(crate) enum Transport {
    /// hyper's pooled HTTP/1.1 client: `http://`, and `https://` with rustls.
    Direct(Box<Client<Connector, Full<Bytes>>>),
    /// A reqwest client: the app's own, or the default one when the environment sets a proxy
    /// or the base URL needs TLS that only reqwest has here (`native-tls`).
    Reqwest(reqwest::Client),
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Direct(_) => "Direct",
            Self::Reqwest(_) => "Reqwest",
        })
    }
}

/// An answer: its status, headers and whole body.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Transport {
    /// The default transport for `https` (or not) base URLs: direct, unless a proxy is set in
    /// the environment or TLS is only available through reqwest.
    pub(crate) fn default_for(https: bool) -> Result<Self, String> {
        let proxy = PROXY_VARIABLES
            .iter()
            .any(|name| std::env::var_os(name).is_some_and(|value| !value.is_empty()));
        if proxy || (https && !DIRECT_TLS) {
            return default_reqwest().map(Self::Reqwest);
        }
        direct().map(|client| Self::Direct(Box::new(client)))
    }

    /// Sends one request and reads its whole answer.
    pub(crate) async fn send(
        &self,
        method: &Method,
        uri: http::Uri,
        headers: &HeaderMap,
        body: Option<Bytes>,
    ) -> Result<Answer, TransportError> {
        match self {
            Self::Direct(client) => {
                let mut request = http::Request::new(Full::new(body.unwrap_or_default()));
                *request.method_mut() = method.clone();
                *request.uri_mut() = uri;
                *request.headers_mut() = headers.clone();
                let answer = client
                    .request(request)
                    .await
                    .map_err(|e| TransportError::new(e.is_connect(), false, e))?;
                let (parts, body) = answer.into_parts();
                let body = body
                    .collect()
                    .await
                    .map_err(|e| TransportError::new(false, e.is_timeout(), e))?
                    .to_bytes();
                Ok(Answer {
                    status: parts.status,
                    headers: parts.headers,
                    body,
                })
            }
            Self::Reqwest(client) => {
                let url = reqwest::Url::parse(&uri.to_string())
                    .map_err(|e| TransportError::new(false, false, e))?;
                let mut request = reqwest::Request::new(method.clone(), url);
                *request.headers_mut() = headers.clone();
                *request.body_mut() = body.map(reqwest::Body::from);
                let answer = client.execute(request).await.map_err(reqwest_error)?;
                let status = answer.status();
                let headers = answer.headers().clone();
                let body = answer.bytes().await.map_err(reqwest_error)?;
                Ok(Answer {
                    status,
                    headers,
                    body,
                })
            }
        }
    }
}

fn reqwest_error(error: reqwest::Error) -> TransportError {
    TransportError::new(error.is_connect(), error.is_timeout(), error.without_url())
}

/// reqwest as vortex-client configures it: no redirects (the API key header would follow
/// one to another host).
pub(crate) fn default_reqwest() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| {
            format!("cannot build the HTTP client ({e}): check the TLS features of vortex-client")
        })
}

/// Whether the direct client speaks TLS in this build.
const DIRECT_TLS: bool = cfg!(any(feature = "rustls", feature = "rustls-no-provider"));

/// hyper's pooled client, as reqwest's default: TCP_NODELAY, idle connections kept 90 s.
fn direct() -> Result<Client<Connector, Full<Bytes>>, String> {
    let mut http = HttpConnector::new();
    http.set_nodelay(true);
    http.enforce_http(!DIRECT_TLS);
    let connector = tls(http)?;
    Ok(Client::builder(TokioExecutor::new())
        .pool_timer(TokioTimer::new())
        .timer(TokioTimer::new())
        .pool_idle_timeout(POOL_IDLE_TIMEOUT)
        .build(connector))
}

#[cfg(not(any(feature = "rustls", feature = "rustls-no-provider")))]
#[allow(clippy::unnecessary_wraps)] // the TLS builds can fail
fn tls(http: HttpConnector) -> Result<Connector, String> {
    Ok(http)
}

/// rustls with the platform's certificate verifier, as reqwest's `rustls` feature: the
/// crypto provider of the `rustls` feature (aws-lc-rs), or the one the app installed
/// (`rustls-no-provider`).
#[cfg(any(feature = "rustls", feature = "rustls-no-provider"))]
fn tls(http: HttpConnector) -> Result<Connector, String> {
    use rustls_platform_verifier::BuilderVerifierExt as _;

    #[cfg(feature = "rustls")]
    let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    #[cfg(not(feature = "rustls"))]
    let provider = rustls::crypto::CryptoProvider::get_default()
        .cloned()
        .ok_or_else(|| {
            "no rustls crypto provider is installed: with the `rustls-no-provider` feature, \
             install one (e.g. `rustls::crypto::ring::default_provider().install_default()`) \
             before building the client"
                .to_owned()
        })?;
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|builder| builder.with_platform_verifier())
        .map_err(|e| format!("cannot set up TLS: {e}"))?
        .with_no_client_auth();
    Ok(hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(config)
        .https_or_http()
        .enable_http1()
        .wrap_connector(http))
}

/// A request that could not be sent or whose answer could not be read (DNS, connection, TLS,
/// a connection closed mid-answer): the source of [`Error::Transport`](crate::Error::Transport).
///
/// ```
/// use vortex_client::{Error, VortexClient};
///
/// # async fn run() -> Result<(), Error> {
/// // Nothing listens on port 9 here: the connection is refused.
/// let client = VortexClient::builder("VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing")
///     .base_url("http://127.0.0.1:9")
///     .retry_policy(vortex_client::retry::RetryPolicy::none())
///     .build()?;
/// match client.get_invitation("inv-1").await {
///     Err(Error::Transport(error)) => assert!(error.is_connect(), "{error}"),
///     other => panic!("expected a transport error, got {other:?}"),
/// }
/// # Ok(()) }
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run()).unwrap();
/// ```
#[derive(Debug)]
pub struct TransportError {
    connect: bool,
    timeout: bool,
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl TransportError {
    fn new(
        connect: bool,
        timeout: bool,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self {
            connect,
            timeout,
            source: Box::new(source),
        }
    }

    /// Whether no connection could be made (nothing was sent, so retrying is safe).
    pub fn is_connect(&self) -> bool {
        self.connect
    }

    /// Whether the HTTP client's own timeout fired (an app's reqwest client may set one).
    pub fn is_timeout(&self) -> bool {
        self.timeout
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.source, f)
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.source()
    }
}
