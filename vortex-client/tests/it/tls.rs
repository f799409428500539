//! `https://` with the default client (rustls, the platform's certificate verifier): the
//! connection is TLS, and a certificate that no trusted authority signed is refused.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncReadExt as _;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::pem::PemObject as _;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use vortex_client::retry::RetryPolicy;
use vortex_client::{Error, VortexClient};

use crate::support::KEY;

/// A self-signed certificate for `localhost` and `127.0.0.1` (a test fixture, trusted by
/// nothing), and its key.
const CERT: &str = include_str!("tls/self-signed.cert.pem");
const CERT_KEY: &str = include_str!("tls/self-signed.key.pem");

fn client(url: String) -> VortexClient {
    VortexClient::builder(KEY)
        .base_url(url)
        .timeout(Duration::from_secs(5))
        // One attempt: each test's server takes one connection.
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn an_https_base_url_gets_a_tls_handshake() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let first_byte = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut byte = [0u8; 1];
        socket.read_exact(&mut byte).await.unwrap();
        byte[0] // the socket is dropped: the handshake fails
    });

    let error = client(format!("https://127.0.0.1:{port}"))
        .get_invitation("inv-1")
        .await
        .unwrap_err();

    // 0x16: the TLS record type of a handshake (the ClientHello).
    assert_eq!(first_byte.await.unwrap(), 0x16);
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
}

#[tokio::test]
async fn a_certificate_no_trusted_authority_signed_is_refused() {
    let certificate = CertificateDer::from_pem_slice(CERT.as_bytes()).unwrap();
    let key = PrivateKeyDer::from_pem_slice(CERT_KEY.as_bytes()).unwrap();
    let config = ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![certificate], key)
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        // The client aborts the handshake: no request is ever read.
        acceptor.accept(socket).await.is_ok()
    });

    let error = client(format!("https://127.0.0.1:{port}"))
        .get_invitation("inv-1")
        .await
        .unwrap_err();

    assert!(!server.await.unwrap(), "the handshake did not complete");
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    let chain = format!("{error:?}");
    assert!(chain.contains("certificate"), "{chain}");
}
