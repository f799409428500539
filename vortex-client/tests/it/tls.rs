//! An `https://` base URL is spoken to in TLS by the default client (rustls): a server that
//! only listens receives a TLS handshake, and the call fails as a transport error.

use std::time::Duration;

use tokio::io::AsyncReadExt as _;
use vortex_client::{Error, VortexClient};

use crate::support::KEY;

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
    let client = VortexClient::builder(KEY)
        .base_url(format!("https://127.0.0.1:{port}"))
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();

    let error = client.get_invitation("inv-1").await.unwrap_err();

    // 0x16: the TLS record type of a handshake (the ClientHello).
    assert_eq!(first_byte.await.unwrap(), 0x16);
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
}
