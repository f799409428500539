//! Webhook delivery: each change is signed with the configured secret and POSTed to the
//! configured URL by a background task, in order, with retries.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, USER_AGENT};
use serde::Serialize;
use serde_json::Value;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use vortex_client::webhook::{SIGNATURE_HEADER, sign_payload};

use crate::error::MockError;
use crate::shared::lock;

/// Attempts per event: the first try and two retries.
pub(crate) const MAX_ATTEMPTS: u32 = 3;
/// The wait before the first retry; it triples for each further retry (100 ms, 300 ms).
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
/// How long one attempt may take.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);

/// One webhook event the mock delivered, or gave up on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct WebhookDelivery {
    /// The event's `id`.
    pub event_id: String,
    /// The event's `type`, e.g. `invitation.created`.
    pub event_type: String,
    /// Where it was sent.
    pub url: String,
    /// The exact body that was sent (and signed).
    pub body: String,
    /// The `X-Vortex-Signature` header that was sent.
    pub signature: String,
    /// How many attempts were made (at most 3).
    pub attempts: u32,
    /// The status of the last answer, if the receiver answered at all.
    pub status: Option<u16>,
    /// Whether an attempt got a 2xx answer.
    pub delivered: bool,
    /// Why the last attempt failed, if it did.
    pub error: Option<String>,
}

/// Where webhooks go. `Debug` never shows the secret.
#[derive(Clone)]
pub(crate) struct WebhookTarget {
    url: reqwest::Url,
    secret: String,
}

impl WebhookTarget {
    pub(crate) fn new(url: &str, secret: String) -> Result<Self, MockError> {
        let parsed =
            reqwest::Url::parse(url).map_err(|err| MockError::WebhookUrl(err.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") || !parsed.has_host() {
            return Err(MockError::WebhookUrl(
                "expected an absolute http:// or https:// URL".into(),
            ));
        }
        if secret.is_empty() {
            return Err(MockError::WebhookSecret);
        }
        Ok(Self {
            url: parsed,
            secret,
        })
    }
}

impl fmt::Debug for WebhookTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookTarget")
            .field("url", &self.url.as_str())
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// One event waiting to be delivered.
#[derive(Debug)]
struct Job {
    generation: u64,
    event_id: String,
    event_type: String,
    body: Vec<u8>,
}

/// Deliveries so far; `generation` changes on reset so in-flight events of the old state
/// are dropped.
#[derive(Debug, Default)]
struct Log {
    generation: u64,
    deliveries: Vec<WebhookDelivery>,
}

#[derive(Debug)]
struct Worker {
    target: WebhookTarget,
    client: reqwest::Client,
    log: Mutex<Log>,
}

/// Queues events for the background sender (spawned on the first event).
#[derive(Debug)]
pub(crate) struct Dispatcher {
    worker: Arc<Worker>,
    tx: UnboundedSender<Job>,
    rx: Mutex<Option<UnboundedReceiver<Job>>>,
}

impl Dispatcher {
    pub(crate) fn new(target: WebhookTarget) -> Result<Self, MockError> {
        let client = reqwest::Client::builder()
            .timeout(ATTEMPT_TIMEOUT)
            .build()
            .map_err(|err| MockError::HttpClient(err.to_string()))?;
        let (tx, rx) = unbounded_channel();
        Ok(Self {
            worker: Arc::new(Worker {
                target,
                client,
                log: Mutex::new(Log::default()),
            }),
            tx,
            rx: Mutex::new(Some(rx)),
        })
    }

    /// Queues events for delivery, in order.
    pub(crate) fn dispatch(&self, events: Vec<Value>) {
        if events.is_empty() {
            return;
        }
        self.ensure_worker();
        let generation = lock(&self.worker.log).generation;
        for event in events {
            let field = |key: &str| {
                event
                    .get(key)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            let job = Job {
                generation,
                event_id: field("id"),
                event_type: field("type"),
                body: serde_json::to_vec(&event).unwrap_or_default(),
            };
            if self.tx.send(job).is_err() {
                tracing::warn!("webhook sender has stopped; event not delivered");
            }
        }
    }

    fn ensure_worker(&self) {
        let mut rx = lock(&self.rx);
        if rx.is_none() {
            return;
        }
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                if let Some(rx) = rx.take() {
                    runtime.spawn(run(Arc::clone(&self.worker), rx));
                }
            }
            Err(_) => tracing::warn!("no Tokio runtime: webhooks stay queued"),
        }
    }

    /// Deliveries finished so far, in order.
    pub(crate) fn deliveries(&self) -> Vec<WebhookDelivery> {
        lock(&self.worker.log).deliveries.clone()
    }

    /// Forgets the deliveries and drops events still queued.
    pub(crate) fn clear(&self) {
        let mut log = lock(&self.worker.log);
        log.generation += 1;
        log.deliveries.clear();
    }
}

async fn run(worker: Arc<Worker>, mut rx: UnboundedReceiver<Job>) {
    while let Some(job) = rx.recv().await {
        if lock(&worker.log).generation != job.generation {
            continue;
        }
        let delivery = deliver(&worker, job.event_id, job.event_type, job.body).await;
        let mut log = lock(&worker.log);
        if log.generation == job.generation {
            log.deliveries.push(delivery);
        }
    }
}

async fn deliver(
    worker: &Worker,
    event_id: String,
    event_type: String,
    body: Vec<u8>,
) -> WebhookDelivery {
    let signature = sign_payload(&worker.target.secret, &body);
    let mut delivery = WebhookDelivery {
        event_id,
        event_type,
        url: worker.target.url.to_string(),
        body: String::from_utf8_lossy(&body).into_owned(),
        signature,
        attempts: 0,
        status: None,
        delivered: false,
        error: None,
    };
    for attempt in 1..=MAX_ATTEMPTS {
        delivery.attempts = attempt;
        let sent = worker
            .client
            .post(worker.target.url.clone())
            .header(CONTENT_TYPE, "application/json")
            .header(
                USER_AGENT,
                concat!("vortex-mock/", env!("CARGO_PKG_VERSION")),
            )
            .header(SIGNATURE_HEADER, &delivery.signature)
            .body(body.clone())
            .send()
            .await;
        match sent {
            Ok(response) => {
                let status = response.status();
                delivery.status = Some(status.as_u16());
                if status.is_success() {
                    delivery.delivered = true;
                    delivery.error = None;
                    tracing::debug!(event_type = %delivery.event_type, attempt, "webhook delivered");
                    break;
                }
                delivery.error = Some(format!("the receiver answered {status}"));
            }
            Err(err) => {
                delivery.status = None;
                delivery.error = Some(err.without_url().to_string());
            }
        }
        tracing::debug!(
            event_type = %delivery.event_type,
            attempt,
            error = delivery.error.as_deref().unwrap_or_default(),
            "webhook attempt failed"
        );
        if attempt < MAX_ATTEMPTS {
            tokio::time::sleep(FIRST_BACKOFF * 3u32.pow(attempt - 1)).await;
        }
    }
    if !delivery.delivered {
        tracing::warn!(
            event_type = %delivery.event_type,
            attempts = delivery.attempts,
            "webhook not delivered"
        );
    }
    delivery
}
