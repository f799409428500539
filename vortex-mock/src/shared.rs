//! Everything one mock holds (key, store, faults, request log, webhook dispatcher), shared by
//! its HTTP service and its library handle.

use std::sync::{Mutex, MutexGuard, PoisonError};

use http::{HeaderMap, Method};
use serde_json::Value;
use vortex_client::ApiKey;

use crate::api::error::ApiError;
use crate::api::input::{self, AutojoinInput};
use crate::api::invitation::Invitation;
use crate::api::store::{Changed, Identity, Store};
use crate::api::webhooks::{Dispatcher, WebhookDelivery};
use crate::control::faults::{self, ArmedFault, Fault, FaultAction};
use crate::control::request_log::{API_KEY_HEADER, RecordedRequest, RequestLog};
use crate::error::MockError;

/// Locks a mutex, carrying on if a panicking thread poisoned it (the data stays usable).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What the builder seeded; re-applied on every reset.
#[derive(Debug, Clone, Default)]
pub(crate) struct Seeds {
    pub(crate) invitations: Vec<Invitation>,
    pub(crate) autojoin: Vec<AutojoinInput>,
}

/// Everything a mock knows. `Debug` shows no secret (the key shows its id only).
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) api_key: ApiKey,
    seed: Option<u64>,
    pub(crate) identity: Identity,
    seeds: Seeds,
    store: Mutex<Store>,
    faults: Mutex<Vec<ArmedFault>>,
    requests: Mutex<RequestLog>,
    webhooks: Option<Dispatcher>,
}

impl Shared {
    pub(crate) fn new(
        api_key: ApiKey,
        seed: Option<u64>,
        identity: Identity,
        seeds: Seeds,
        webhooks: Option<Dispatcher>,
        request_log_capacity: usize,
    ) -> Self {
        let store = fresh_store(&identity, seed, &seeds);
        Self {
            api_key,
            seed,
            identity,
            seeds,
            store: Mutex::new(store),
            faults: Mutex::new(Vec::new()),
            requests: Mutex::new(RequestLog::new(request_log_capacity)),
            webhooks,
        }
    }

    /// Whether the request carries exactly one `x-api-key` equal to the mock's key.
    pub(crate) fn key_matches(&self, headers: &HeaderMap) -> bool {
        let mut values = headers.get_all(API_KEY_HEADER).iter();
        match (values.next(), values.next()) {
            (Some(value), None) => value.as_bytes() == self.api_key.expose_secret().as_bytes(),
            _ => false,
        }
    }

    pub(crate) fn record(&self, request: RecordedRequest) {
        lock(&self.requests).push(request);
    }

    pub(crate) fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.requests).entries().cloned().collect()
    }

    pub(crate) fn request_count(&self) -> u64 {
        lock(&self.requests).total()
    }

    pub(crate) fn clear_requests(&self) {
        lock(&self.requests).clear();
    }

    pub(crate) fn inject_fault(&self, fault: Fault) -> Result<(), MockError> {
        let armed = fault.arm()?;
        lock(&self.faults).push(armed);
        Ok(())
    }

    pub(crate) fn take_fault(&self, method: &Method, path: &str) -> Option<FaultAction> {
        faults::take(&mut lock(&self.faults), method, path)
    }

    pub(crate) fn faults(&self) -> Vec<Value> {
        lock(&self.faults).iter().map(ArmedFault::to_json).collect()
    }

    pub(crate) fn clear_faults(&self) {
        lock(&self.faults).clear();
    }

    /// Reads the store.
    pub(crate) fn read<R>(&self, f: impl FnOnce(&Store) -> R) -> R {
        f(&lock(&self.store))
    }

    /// Changes the store, then queues the change's webhook events (outside the lock).
    pub(crate) fn change<R>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<Changed<R>, ApiError>,
    ) -> Result<R, ApiError> {
        let (result, events) = f(&mut lock(&self.store))?;
        if let Some(webhooks) = &self.webhooks {
            webhooks.dispatch(events);
        }
        Ok(result)
    }

    pub(crate) fn seed_invitation(&self, invitation: Value) -> Result<Value, MockError> {
        let invitation = input::seed_invitation(invitation).map_err(MockError::Seed)?;
        Ok(lock(&self.store).seed_invitation(invitation))
    }

    pub(crate) fn seed_autojoin(&self, config: &Value) -> Result<Value, MockError> {
        let config = parse_autojoin_seed(config)?;
        Ok(lock(&self.store).configure_autojoin(&config).0)
    }

    pub(crate) fn deliveries(&self) -> Vec<WebhookDelivery> {
        self.webhooks
            .as_ref()
            .map(Dispatcher::deliveries)
            .unwrap_or_default()
    }

    pub(crate) fn has_webhooks(&self) -> bool {
        self.webhooks.is_some()
    }

    /// Back to the state right after start: builder seeds only, no faults, empty logs.
    pub(crate) fn reset(&self) {
        *lock(&self.store) = fresh_store(&self.identity, self.seed, &self.seeds);
        self.clear_faults();
        self.clear_requests();
        if let Some(webhooks) = &self.webhooks {
            webhooks.clear();
        }
    }
}

/// Checks an autojoin seed (the body of `POST /invitations/autojoin`).
pub(crate) fn parse_autojoin_seed(config: &Value) -> Result<AutojoinInput, MockError> {
    let Value::Object(map) = config else {
        return Err(MockError::Seed(
            "an autojoin seed must be a JSON object".into(),
        ));
    };
    AutojoinInput::parse(map).map_err(|err| MockError::Seed(err.message().to_owned()))
}

fn fresh_store(identity: &Identity, seed: Option<u64>, seeds: &Seeds) -> Store {
    let mut store = Store::new(identity.clone(), seed);
    for invitation in &seeds.invitations {
        store.seed_invitation(invitation.clone());
    }
    for config in &seeds.autojoin {
        store.configure_autojoin(config);
    }
    store
}
