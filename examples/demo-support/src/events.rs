//! The webhook events the demo received (the last 50).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use vortex_client::webhook::VortexEvent;

const KEPT: usize = 50;

/// Received events, newest first. Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct Events {
    events: Arc<Mutex<VecDeque<Value>>>,
}

impl Events {
    /// Keeps `event`.
    pub fn record(&self, event: &VortexEvent) {
        let mut events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        events.push_front(Value::Object(event.raw().clone()));
        events.truncate(KEPT);
    }

    /// The events, newest first.
    pub fn list(&self) -> Vec<Value> {
        let events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        events.iter().cloned().collect()
    }
}
