//! [`Mock`]: a mock's state and controls, independent of where (or whether) it is served.

use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::net::TcpListener;

use crate::api::webhooks::WebhookDelivery;
use crate::builder::MockBuilder;
use crate::control::faults::Fault;
use crate::control::request_log::RecordedRequest;
use crate::error::MockError;
use crate::server::listener::serve;
use crate::server::mock_service::MockService;
use crate::shared::Shared;

/// A mock Vortex API: its state, its HTTP service and its test controls.
///
/// Cheap to clone (all clones share one state). Most tests use [`MockServer`](crate::MockServer),
/// which serves a `Mock` on an ephemeral port and dereferences to it; use `Mock` directly to
/// embed the mock in your own server with [`Mock::service`] or [`Mock::serve`].
///
/// `Debug` shows the key id, never the key or the webhook secret.
///
/// ```
/// use serde_json::json;
///
/// let mock = vortex_mock::Mock::builder().deterministic(7).build()?;
/// let stored = mock.seed_invitation(json!({"id": "inv-1", "status": "delivered"}))?;
/// assert_eq!(stored["id"], "inv-1");
/// assert_eq!(stored["deactivated"], false); // fields a seed lacks get neutral values
/// assert_eq!(mock.invitations().len(), 1);
/// mock.reset();
/// assert!(mock.invitations().is_empty());
/// # Ok::<(), vortex_mock::MockError>(())
/// ```
#[derive(Clone)]
pub struct Mock {
    shared: Arc<Shared>,
}

impl Mock {
    pub(crate) fn from_shared(shared: Shared) -> Self {
        Self {
            shared: Arc::new(shared),
        }
    }

    /// A builder for a mock (same as [`MockServer::builder`](crate::MockServer::builder)).
    pub fn builder() -> MockBuilder {
        MockBuilder::default()
    }

    /// The API key the mock accepts in `x-api-key`. Secret in spirit: don't log it.
    pub fn api_key(&self) -> &str {
        self.shared.api_key.expose_secret()
    }

    /// The `accountId` of every invitation the mock creates.
    pub fn account_id(&self) -> &str {
        &self.shared.identity.account_id
    }

    /// The whole mock (`/api/v1/…` and `/__mock/…`) as an HTTP service, to serve or nest in
    /// your own app (see [`MockService`]).
    ///
    /// ```
    /// let mock = vortex_mock::Mock::builder().build()?;
    /// let service: vortex_mock::MockService = mock.service();
    /// # let _ = service;
    /// # Ok::<(), vortex_mock::MockError>(())
    /// ```
    pub fn service(&self) -> MockService {
        MockService::new(Arc::clone(&self.shared))
    }

    /// Serves the mock on `listener` until the future is dropped or fails.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// let mock = vortex_mock::Mock::builder().build()?;
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:4010").await?;
    /// tokio::spawn(mock.clone().serve(listener));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// None today (a failed `accept` is logged and retried); the `Result` leaves room for
    /// errors that end serving.
    pub async fn serve(self, listener: TcpListener) -> io::Result<()> {
        serve(listener, self.service(), std::future::pending()).await;
        Ok(())
    }

    /// Arms a fault for the next matching requests (see [`Fault`]).
    ///
    /// # Errors
    ///
    /// [`MockError::Fault`] if the status, method, a header or the count is invalid.
    pub fn inject_fault(&self, fault: Fault) -> Result<(), MockError> {
        self.shared.inject_fault(fault)
    }

    /// Disarms every fault.
    pub fn clear_faults(&self) {
        self.shared.clear_faults();
    }

    /// The API requests received so far, in arrival order (control requests excluded): the
    /// newest [`MockBuilder::request_log_capacity`] of them (default 10,000).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.requests()
    }

    /// How many API requests were received since the start or the last clear, including
    /// those the bounded log no longer holds (count upstream calls in long load tests with
    /// it).
    ///
    /// ```
    /// let mock = vortex_mock::Mock::builder().build()?;
    /// assert_eq!(mock.request_count(), 0);
    /// # Ok::<(), vortex_mock::MockError>(())
    /// ```
    pub fn request_count(&self) -> u64 {
        self.shared.request_count()
    }

    /// Clears the request log and its count.
    pub fn clear_requests(&self) {
        self.shared.clear_requests();
    }

    /// Back to the state right after start: the builder's seeds only, ids and timestamps
    /// restarted (deterministic mode), no faults, empty request and webhook logs. The key,
    /// account id and webhook target stay.
    pub fn reset(&self) {
        self.shared.reset();
    }

    /// Stores an invitation as given (an object in the shape of `GET /invitations/{id}`).
    /// Fields it lacks get neutral values (a queued single-use invitation); extra fields are
    /// kept; an existing invitation with the same `id` is replaced; without an `id` one is
    /// generated. No webhook is sent. Returns the stored invitation.
    ///
    /// # Errors
    ///
    /// [`MockError::Seed`] if it is not an object or its `id` is not a non-empty string.
    pub fn seed_invitation(&self, invitation: Value) -> Result<Value, MockError> {
        self.shared.seed_invitation(invitation)
    }

    /// Configures autojoin domains as `POST /invitations/autojoin` would (same body:
    /// `{"scope","scopeType","scopeName"?,"domains":[…],"componentId","metadata"?}`), without
    /// sending webhooks. Returns the `{"autojoinDomains","invitation"}` answer.
    ///
    /// # Errors
    ///
    /// [`MockError::Seed`] if the body is invalid.
    pub fn seed_autojoin(&self, config: &Value) -> Result<Value, MockError> {
        self.shared.seed_autojoin(config)
    }

    /// Every stored invitation, in creation order.
    pub fn invitations(&self) -> Vec<Value> {
        self.shared.read(crate::api::store::Store::all)
    }

    /// One stored invitation.
    pub fn invitation(&self, id: &str) -> Option<Value> {
        self.shared.read(|store| store.get(id))
    }

    /// Webhook deliveries finished so far (delivered or given up), in event order.
    pub fn webhook_deliveries(&self) -> Vec<WebhookDelivery> {
        self.shared.deliveries()
    }

    /// Waits until at least `count` webhook deliveries have finished, or `timeout` passed;
    /// returns the deliveries finished by then.
    pub async fn wait_for_webhook_deliveries(
        &self,
        count: usize,
        timeout: Duration,
    ) -> Vec<WebhookDelivery> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let deliveries = self.webhook_deliveries();
            if deliveries.len() >= count || tokio::time::Instant::now() >= deadline {
                return deliveries;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

impl fmt::Debug for Mock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mock")
            .field("api_key", &self.shared.api_key)
            .field("account_id", &self.shared.identity.account_id)
            .field("webhooks", &self.shared.has_webhooks())
            .finish_non_exhaustive()
    }
}
