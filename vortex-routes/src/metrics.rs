//! Metrics through the [`metrics`](https://docs.rs/metrics) facade (feature `metrics`):
//! names, label values and [`describe`].
//!
//! With the feature, the routes record, into whatever recorder the app installed (none:
//! nothing is kept):
//!
//! | metric | kind | labels |
//! |---|---|---|
//! | `http.server.request.duration` | histogram, seconds | `http.request.method` (`GET`, `POST`, `DELETE`, …, else `_OTHER`), `http.route` (the route template relative to the mount, such as `/invitations/{invitationId}`; `unmatched` for a path or method no route takes), `http.response.status_code`, `vortex.operation` (when a route matched: `jwt`, `get_invitation`, …), and `error.type` (a [`RouteErrorKind`], such as `upstream_rejected`) on errors |
//! | `vortex.webhook.deliveries` | counter | `outcome` (`handled`, `duplicate`, `in_progress`, `rejected_signature`, `rejected_stale`, `rejected_body`, `handler_failed`, `store_unavailable`), `event.type` (a known webhook event type or analytics event name, else `other`; `other` too when the event was not verified) |
//!
//! `handled` and `handler_failed` come from the framework's `WebhookClaims` layer, middleware
//! or fairing (the handler's status: 2xx or not), so a webhook route without it counts its
//! rejections, duplicates and store errors but not its handler runs.
//!
//! The client's metrics (`http.client.request.duration`, `vortex.client.retries`,
//! `vortex.client.retry_budget.exhausted`, `vortex.tokens.issued`) are
//! [`vortex_client::metrics`]; this feature enables them. No label carries a user id, an
//! e-mail, an invitation id, a scope or any other value that a caller chooses.
//!
//! Without the feature every function here is empty and the `metrics` crate is not compiled.

use vortex_client::webhook::{VortexEvent, WebhookError};

use super::error::RouteErrorKind;
use super::operation::OperationKind;
use super::route::RouteKind;
use super::webhook::WebhookRejection;

/// `http.server.request.duration`: each request the Vortex routes answer, in seconds.
pub const SERVER_REQUEST_DURATION: &str = "http.server.request.duration";
/// `vortex.webhook.deliveries`: each webhook delivery, by outcome and event type.
pub const WEBHOOK_DELIVERIES: &str = "vortex.webhook.deliveries";
/// The `http.route` of a request no route takes (unknown path, or a method the path does
/// not take).
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// Describes the routes' and the client's metrics (unit and help text) to the installed
/// recorder. Call it once, after installing the recorder; it is optional.
pub fn describe() {
    vortex_client::metrics::describe();
    #[cfg(feature = "metrics")]
    {
        metrics::describe_histogram!(
            SERVER_REQUEST_DURATION,
            metrics::Unit::Seconds,
            "Duration of each request answered by the Vortex routes"
        );
        metrics::describe_counter!(
            WEBHOOK_DELIVERIES,
            "Vortex webhook deliveries, by outcome and event type"
        );
    }
}

/// The `vortex.operation` label of an operation kind: its snake_case name.
pub const fn operation_label(kind: OperationKind) -> &'static str {
    match kind {
        OperationKind::Jwt => "jwt",
        OperationKind::Token => "token",
        OperationKind::GetInvitations => "get_invitations",
        OperationKind::GetInvitation => "get_invitation",
        OperationKind::RevokeInvitation => "revoke_invitation",
        OperationKind::AcceptInvitations => "accept_invitations",
        OperationKind::GetScopeInvitations => "get_scope_invitations",
        OperationKind::DeleteScopeInvitations => "delete_scope_invitations",
        OperationKind::Reinvite => "reinvite",
        OperationKind::SyncInternalInvitation => "sync_internal_invitation",
    }
}

/// The operation kind of requests to `route`.
pub const fn route_operation(route: RouteKind) -> OperationKind {
    match route {
        RouteKind::Jwt => OperationKind::Jwt,
        RouteKind::Token => OperationKind::Token,
        RouteKind::ListByTarget => OperationKind::GetInvitations,
        RouteKind::GetInvitation => OperationKind::GetInvitation,
        RouteKind::RevokeInvitation => OperationKind::RevokeInvitation,
        RouteKind::Accept => OperationKind::AcceptInvitations,
        RouteKind::GetByScope | RouteKind::GetByGroup => OperationKind::GetScopeInvitations,
        RouteKind::DeleteByScope | RouteKind::DeleteByGroup => {
            OperationKind::DeleteScopeInvitations
        }
        RouteKind::Reinvite => OperationKind::Reinvite,
        RouteKind::SyncInternalInvitation => OperationKind::SyncInternalInvitation,
    }
}

/// The start of a request, for its duration (nothing without the feature).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Started(#[cfg(feature = "metrics")] std::time::Instant);

impl Started {
    pub(crate) fn now() -> Self {
        Self(
            #[cfg(feature = "metrics")]
            std::time::Instant::now(),
        )
    }

    /// Records the request: `route` when one matched, the answer's status, the error kind
    /// when it was refused.
    pub(crate) fn finish(
        self,
        method: &str,
        route: Option<RouteKind>,
        status: u16,
        error: Option<RouteErrorKind>,
    ) {
        #[cfg(feature = "metrics")]
        {
            use metrics::Label;
            let elapsed = self.0.elapsed();
            let method = match method {
                "GET" => "GET",
                "POST" => "POST",
                "DELETE" => "DELETE",
                "PUT" => "PUT",
                "PATCH" => "PATCH",
                "HEAD" => "HEAD",
                "OPTIONS" => "OPTIONS",
                "CONNECT" => "CONNECT",
                "TRACE" => "TRACE",
                _ => "_OTHER",
            };
            let template = route.map_or(UNMATCHED_ROUTE, RouteKind::pattern);
            let mut labels = Vec::with_capacity(5);
            labels.push(Label::from_static_parts("http.request.method", method));
            labels.push(Label::from_static_parts("http.route", template));
            labels.push(Label::new(
                "http.response.status_code",
                vortex_client::metrics::status_text(status),
            ));
            if let Some(route) = route {
                let operation = operation_label(route_operation(route));
                labels.push(Label::from_static_parts("vortex.operation", operation));
            }
            if let Some(error) = error {
                labels.push(Label::from_static_parts("error.type", error.as_str()));
            }
            let key = metrics::Key::from_parts(SERVER_REQUEST_DURATION, labels);
            metrics::with_recorder(|recorder| {
                recorder
                    .register_histogram(&key, &METADATA)
                    .record(elapsed.as_secs_f64());
            });
        }
        #[cfg(not(feature = "metrics"))]
        let _ = (self, method, route, status, error);
    }
}

#[cfg(feature = "metrics")]
static METADATA: metrics::Metadata<'static> =
    metrics::Metadata::new(module_path!(), metrics::Level::INFO, Some(module_path!()));

/// Counts a webhook delivery.
pub(crate) fn webhook_delivery(outcome: &'static str, event_type: &'static str) {
    #[cfg(feature = "metrics")]
    {
        let labels = vec![
            metrics::Label::from_static_parts("outcome", outcome),
            metrics::Label::from_static_parts("event.type", event_type),
        ];
        let key = metrics::Key::from_parts(WEBHOOK_DELIVERIES, labels);
        metrics::with_recorder(|recorder| recorder.register_counter(&key, &METADATA).increment(1));
    }
    #[cfg(not(feature = "metrics"))]
    let _ = (outcome, event_type);
}

/// Counts a webhook delivery answered with `rejection` (`event`: the verified event, when the
/// rejection came after verification).
pub(crate) fn webhook_rejected(rejection: &WebhookRejection, event: Option<&VortexEvent>) {
    let outcome = match rejection {
        WebhookRejection::Verification(WebhookError::Parse(_))
        | WebhookRejection::PayloadTooLarge { .. }
        | WebhookRejection::UnreadableBody => "rejected_body",
        WebhookRejection::MultipleSignatures | WebhookRejection::Verification(_) => {
            "rejected_signature"
        }
        WebhookRejection::Stale { .. } => "rejected_stale",
        WebhookRejection::Duplicate { .. } => "duplicate",
        WebhookRejection::InProgress { .. } => "in_progress",
        WebhookRejection::StoreUnavailable => "store_unavailable",
    };
    webhook_delivery(outcome, event.map_or(OTHER_EVENT, event_type));
}

/// The `event.type` of events this version does not know, and of unverified deliveries.
pub const OTHER_EVENT: &str = "other";

/// The known webhook event types and analytics event names.
const KNOWN_EVENTS: [&str; 20] = [
    "invitation.created",
    "invitation.accepted",
    "invitation.deactivated",
    "invitation.email.delivered",
    "invitation.email.bounced",
    "invitation.email.opened",
    "invitation.link.clicked",
    "invitation.reminder.sent",
    "deployment.created",
    "deployment.deactivated",
    "abtest.started",
    "abtest.winner_declared",
    "member.created",
    "group.member.added",
    "email.complained",
    "widget_loaded",
    "invitation_sent",
    "invitation_clicked",
    "invitation_accepted",
    "share_triggered",
];

/// The `event.type` label of a verified event: its type (webhook) or name (analytics) when
/// known, else `other`.
pub fn event_type(event: &VortexEvent) -> &'static str {
    let text = match event {
        VortexEvent::Webhook(event) => event.event_type.as_str(),
        VortexEvent::Analytics(event) => event.name.as_str(),
        _ => return OTHER_EVENT,
    };
    KNOWN_EVENTS
        .iter()
        .find(|known| **known == text)
        .copied()
        .unwrap_or(OTHER_EVENT)
}

/// The webhook delivery a [`ClaimSlot`](crate::ClaimSlot) carries to the framework's layer,
/// which ends it with the handler's status (`handled` or `handler_failed`).
#[derive(Clone, Debug, Default)]
pub(crate) struct Delivery(
    #[cfg(feature = "metrics")] std::sync::Arc<std::sync::Mutex<Option<&'static str>>>,
);

impl Delivery {
    /// The verified event reaches the handler.
    pub(crate) fn start(&self, event: &VortexEvent) {
        #[cfg(feature = "metrics")]
        {
            *self.lock() = Some(event_type(event));
        }
        #[cfg(not(feature = "metrics"))]
        let _ = event;
    }

    /// The handler answered `status`: counted once.
    pub(crate) fn finish(&self, status: u16) {
        #[cfg(feature = "metrics")]
        if let Some(event_type) = self.lock().take() {
            let outcome = if (200..300).contains(&status) {
                "handled"
            } else {
                "handler_failed"
            };
            webhook_delivery(outcome, event_type);
        }
        #[cfg(not(feature = "metrics"))]
        let _ = status;
    }

    #[cfg(feature = "metrics")]
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<&'static str>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_types_are_bounded() {
        let event = |body: &str| VortexEvent::parse(body.as_bytes()).unwrap();
        assert_eq!(
            event_type(&event(r#"{"type":"invitation.accepted"}"#)),
            "invitation.accepted"
        );
        assert_eq!(
            event_type(&event(r#"{"name":"widget_loaded"}"#)),
            "widget_loaded"
        );
        assert_eq!(event_type(&event(r#"{"type":"user-chosen-123"}"#)), "other");
        assert_eq!(event_type(&event(r#"{"hello":1}"#)), "other");
    }

    #[test]
    fn every_route_has_an_operation() {
        assert_eq!(
            operation_label(route_operation(RouteKind::GetByGroup)),
            "get_scope_invitations"
        );
    }
}
