//! [`MockServer`]: a [`Mock`] served over HTTP on a background task, stopped on drop.

use std::net::SocketAddr;
use std::ops::Deref;

use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::builder::MockBuilder;
use crate::error::MockError;
use crate::mock::Mock;
use crate::server::listener::serve;

/// A running mock Vortex API. Dereferences to [`Mock`] for the test controls; stops
/// serving when dropped.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let mock = vortex_mock::MockServer::start().await;
/// let answer = reqwest::Client::new()
///     .get(format!("{}/api/v1/invitations/nope", mock.base_url()))
///     .header("x-api-key", mock.api_key())
///     .send()
///     .await?;
/// assert_eq!(answer.status(), 404);
/// assert_eq!(mock.requests().len(), 1);
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct MockServer {
    mock: Mock,
    addr: SocketAddr,
    base_url: String,
    shutdown: Option<oneshot::Sender<()>>,
}

impl MockServer {
    /// Starts a mock with a generated key on an ephemeral `127.0.0.1` port.
    ///
    /// # Panics
    ///
    /// If no port can be bound (this is a test helper; use
    /// [`MockServer::builder`] and [`MockBuilder::start`] to handle the error).
    pub async fn start() -> Self {
        match Self::builder().start().await {
            Ok(server) => server,
            Err(err) => panic!("vortex-mock could not start: {err}"),
        }
    }

    /// A builder for a mock server.
    pub fn builder() -> MockBuilder {
        MockBuilder::default()
    }

    pub(crate) async fn launch(mock: Mock, addr: SocketAddr) -> Result<Self, MockError> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| MockError::Bind { addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| MockError::Bind { addr, source })?;
        let (shutdown, stopped) = oneshot::channel::<()>();
        let service = mock.service();
        tokio::spawn(serve(listener, service, async {
            // Either a message or the sender's drop means stop.
            let _ = stopped.await;
        }));
        tracing::debug!(%addr, "vortex-mock started");
        Ok(Self {
            mock,
            addr,
            base_url: format!("http://{addr}"),
            shutdown: Some(shutdown),
        })
    }

    /// `http://127.0.0.1:PORT` (no trailing slash); the API is under `/api/v1`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The address the server listens on.
    pub fn address(&self) -> SocketAddr {
        self.addr
    }

    /// The served mock (also reachable through `Deref`).
    pub fn mock(&self) -> &Mock {
        &self.mock
    }
}

impl Deref for MockServer {
    type Target = Mock;

    fn deref(&self) -> &Mock {
        &self.mock
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}
