//! Webhook verification and typed events.
//!
//! Vortex signs each webhook body with `X-Vortex-Signature: hex(HMAC-SHA256(secret, body))`.
//! Verify the **raw** body bytes, before any parsing: re-serialised JSON does not verify.
//!
//! Verification and events need no feature (no HTTP client, no async runtime); the event store
//! `webhook::store`, which makes each event handled once, needs the `client` feature (default).
//!
//! ```
//! use vortex_client::webhook::{Webhooks, VortexEvent, WebhookEventType, sign_payload};
//!
//! let webhooks = Webhooks::new("whsec_test")?;
//! let body = br#"{"id":"evt_1","type":"invitation.accepted","timestamp":"2026-02-25T12:00:00Z","data":{}}"#;
//! let signature = sign_payload("whsec_test", body); // what Vortex sends
//! match webhooks.construct_event(body, &signature)? {
//!     VortexEvent::Webhook(event) => assert_eq!(event.event_type, WebhookEventType::InvitationAccepted),
//!     other => panic!("unexpected {other:?}"),
//! }
//! # Ok::<(), vortex_client::webhook::WebhookError>(())
//! ```

use std::fmt;

#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub mod store;

use hmac::{KeyInit, Mac};
use serde_json::{Map, Value};

use crate::api_key::{HmacSha256, to_hex};

/// The header that carries the signature.
pub const SIGNATURE_HEADER: &str = "X-Vortex-Signature";

/// Why a webhook was rejected.
///
/// `Debug` (what `main() -> Result` prints) names the variant, then the message:
///
/// ```
/// use vortex_client::webhook::Webhooks;
///
/// let error = Webhooks::new("").unwrap_err();
/// assert!(format!("{error:?}").starts_with("MissingSecret: WebhookVerifier::new / Webhooks::new got an empty webhook secret"));
/// // It names the constructors that refuse an empty secret (the route core's
/// // `WebhookVerifier::new` calls `Webhooks::new`) and the variable to set.
/// assert!(format!("{error:?}").contains("WebhookVerifier::new / Webhooks::new"));
/// assert!(format!("{error:?}").contains("VORTEX_WEBHOOK_SECRET"));
/// ```
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The webhook secret is empty.
    #[error(
        "WebhookVerifier::new / Webhooks::new got an empty webhook secret (in the official SDKs' \
         words, \"VortexWebhooks requires a secret\"): set the webhook signing secret from the \
         Vortex dashboard (conventionally in VORTEX_WEBHOOK_SECRET)"
    )]
    MissingSecret,
    /// The signature header is absent or empty (found by the framework extractors, which
    /// read the header; [`Webhooks::verify`] treats an empty signature as a mismatch, as the
    /// official SDKs do).
    #[error("Missing X-Vortex-Signature header")]
    MissingSignature,
    /// The signature does not match the body.
    #[error(
        "Webhook signature verification failed. Ensure you are using the raw request body and the correct signing secret."
    )]
    InvalidSignature,
    /// The body verified but is not valid JSON (or, for the framework extractors, not a JSON
    /// object).
    #[error(
        "Webhook body could not be read as an event ({0}): pass the raw request body, unchanged"
    )]
    Parse(String),
}

impl fmt::Debug for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Self::MissingSecret => "MissingSecret",
            Self::MissingSignature => "MissingSignature",
            Self::InvalidSignature => "InvalidSignature",
            Self::Parse(_) => "Parse",
        };
        write!(f, "{name}: {self}")
    }
}

/// Verifies webhook signatures with one secret.
///
/// `Debug` never shows the secret.
#[derive(Clone)]
pub struct Webhooks {
    mac: HmacSha256,
}

impl Webhooks {
    /// A verifier for `secret`, exactly as configured in Vortex (a `whsec_` prefix is part of
    /// the secret, not stripped). An empty secret is rejected.
    pub fn new(secret: impl AsRef<[u8]>) -> Result<Self, WebhookError> {
        let secret = secret.as_ref();
        if secret.is_empty() {
            return Err(WebhookError::MissingSecret);
        }
        let mac = HmacSha256::new_from_slice(secret).expect("HMAC accepts any key length");
        Ok(Self { mac })
    }

    /// Checks `signature` (the `X-Vortex-Signature` header value) against the raw `body`,
    /// in constant time. The signature must be the 64 lowercase hex digits Vortex sends.
    ///
    /// ```
    /// use vortex_client::webhook::{Webhooks, sign_payload};
    ///
    /// let webhooks = Webhooks::new("whsec_test")?;
    /// let body = br#"{"id":"evt_1","type":"invitation.accepted"}"#;
    /// assert!(webhooks.verify(body, "69be2fe4605b8898963eb8dcb86f9a59bb45e22bdb187e3538a0714f58827e20").is_ok());
    /// assert!(webhooks.verify(b"tampered", &sign_payload("whsec_test", body)).is_err());
    /// # Ok::<(), vortex_client::webhook::WebhookError>(())
    /// ```
    pub fn verify(&self, body: &[u8], signature: &str) -> Result<(), WebhookError> {
        let expected = decode_lower_hex(signature).ok_or(WebhookError::InvalidSignature)?;
        let mut mac = self.mac.clone();
        mac.update(body);
        // `verify_slice` compares in constant time.
        mac.verify_slice(&expected)
            .map_err(|_| WebhookError::InvalidSignature)
    }

    /// Verifies the signature, then parses the body into a [`VortexEvent`], as the official
    /// Node SDK does: any valid JSON is an event, and a value that is neither a webhook nor an
    /// analytics event (arrays and scalars included) is [`VortexEvent::Unknown`]. Only a body
    /// that is not JSON at all is a [`WebhookError::Parse`].
    ///
    /// ```
    /// use vortex_client::webhook::{Webhooks, VortexEvent, sign_payload};
    ///
    /// let webhooks = Webhooks::new("whsec_test")?;
    /// let event = webhooks.construct_event(b"[1,2]", &sign_payload("whsec_test", b"[1,2]"))?;
    /// assert_eq!(event.kind(), "unknown");
    /// assert_eq!(event.to_json(), serde_json::json!([1, 2]));
    /// assert!(!event.is_object());
    /// # Ok::<(), vortex_client::webhook::WebhookError>(())
    /// ```
    pub fn construct_event(
        &self,
        body: &[u8],
        signature: &str,
    ) -> Result<VortexEvent, WebhookError> {
        self.verify(body, signature)?;
        VortexEvent::parse(body)
    }
}

impl fmt::Debug for Webhooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhooks")
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// Signs `body` as Vortex does: lowercase hex `HMAC-SHA256(secret, body)`.
///
/// For testing your own webhook handlers (and for `vortex-mock`).
///
/// ```
/// use vortex_client::webhook::sign_payload;
///
/// assert_eq!(
///     sign_payload("whsec_test", br#"{"id":"evt_1","type":"invitation.accepted"}"#),
///     "69be2fe4605b8898963eb8dcb86f9a59bb45e22bdb187e3538a0714f58827e20"
/// );
/// ```
pub fn sign_payload(secret: impl AsRef<[u8]>, body: &[u8]) -> String {
    to_hex(&crate::api_key::hmac_sha256(secret.as_ref(), body))
}

/// Decodes exactly 64 lowercase hex digits (32 bytes); anything else is not a signature.
fn decode_lower_hex(text: &str) -> Option<[u8; 32]> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        }
    }
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in bytes.chunks_exact(2).enumerate() {
        out[i] = nibble(pair[0])? << 4 | nibble(pair[1])?;
    }
    Some(out)
}

macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $text:literal, )* }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this version does not know yet, kept as sent.
            Unknown(String),
        }

        impl $name {
            /// The wire text.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $text, )*
                    Self::Unknown(other) => other,
                }
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                match text {
                    $( $text => Self::$variant, )*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                Ok(Self::from(text.as_ref()))
            }
        }
    };
}
#[cfg(feature = "client")]
pub(crate) use open_enum;

open_enum! {
    /// The `type` of a webhook event.
    pub enum WebhookEventType {
        /// `invitation.created`
        InvitationCreated => "invitation.created",
        /// `invitation.accepted`
        InvitationAccepted => "invitation.accepted",
        /// `invitation.deactivated`
        InvitationDeactivated => "invitation.deactivated",
        /// `invitation.email.delivered`
        InvitationEmailDelivered => "invitation.email.delivered",
        /// `invitation.email.bounced`
        InvitationEmailBounced => "invitation.email.bounced",
        /// `invitation.email.opened`
        InvitationEmailOpened => "invitation.email.opened",
        /// `invitation.link.clicked`
        InvitationLinkClicked => "invitation.link.clicked",
        /// `invitation.reminder.sent`
        InvitationReminderSent => "invitation.reminder.sent",
        /// `deployment.created`
        DeploymentCreated => "deployment.created",
        /// `deployment.deactivated`
        DeploymentDeactivated => "deployment.deactivated",
        /// `abtest.started`
        AbtestStarted => "abtest.started",
        /// `abtest.winner_declared`
        AbtestWinnerDeclared => "abtest.winner_declared",
        /// `member.created`
        MemberCreated => "member.created",
        /// `group.member.added`
        GroupMemberAdded => "group.member.added",
        /// `email.complained`
        EmailComplained => "email.complained",
    }
}

open_enum! {
    /// The `name` of an analytics event.
    pub enum AnalyticsEventName {
        /// `widget_loaded`
        WidgetLoaded => "widget_loaded",
        /// `invitation_sent`
        InvitationSent => "invitation_sent",
        /// `invitation_clicked`
        InvitationClicked => "invitation_clicked",
        /// `invitation_accepted`
        InvitationAccepted => "invitation_accepted",
        /// `share_triggered`
        ShareTriggered => "share_triggered",
    }
}

/// A verified event, classified as the official SDKs do: an object with `name` is an
/// analytics event, one with `type` (and no `name`) a webhook event.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum VortexEvent {
    /// A change in Vortex (`invitation.accepted`, …).
    Webhook(WebhookEvent),
    /// A widget analytics event (`widget_loaded`, …).
    Analytics(AnalyticsEvent),
    /// Any other JSON value: an object with neither `type` nor `name`, an array or a scalar.
    Unknown(Value),
}

/// What [`VortexEvent::raw`] answers for an [`Unknown`](VortexEvent::Unknown) event that is
/// not an object.
static NO_FIELDS: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);

impl VortexEvent {
    /// Parses a body that was already verified. Invalid UTF-8 is replaced with U+FFFD,
    /// as JavaScript decodes it. Any valid JSON is an event (see [`from_json`](Self::from_json)).
    pub fn parse(body: &[u8]) -> Result<Self, WebhookError> {
        let text = String::from_utf8_lossy(body);
        let value: Value =
            serde_json::from_str(&text).map_err(|e| WebhookError::Parse(e.to_string()))?;
        Ok(Self::from_json(value))
    }

    /// Classifies any JSON value: objects as [`from_object`](Self::from_object) does, and
    /// arrays and scalars as [`Unknown`](Self::Unknown) (the official Node SDK's behaviour).
    pub fn from_json(value: Value) -> Self {
        match value {
            Value::Object(object) => Self::from_object(object),
            other => Self::Unknown(other),
        }
    }

    /// Classifies a JSON object.
    pub fn from_object(object: Map<String, Value>) -> Self {
        if object.contains_key("name") {
            Self::Analytics(AnalyticsEvent::from_object(object))
        } else if object.contains_key("type") {
            Self::Webhook(WebhookEvent::from_object(object))
        } else {
            Self::Unknown(Value::Object(object))
        }
    }

    /// Whether the event is a JSON object (webhook and analytics events always are; an
    /// [`Unknown`](Self::Unknown) one may be an array or a scalar). The framework extractors
    /// answer 400 for a body that is not an object.
    pub fn is_object(&self) -> bool {
        !matches!(self, Self::Unknown(value) if !value.is_object())
    }

    /// The event as received, as a JSON value (arrays and scalars included).
    pub fn to_json(&self) -> Value {
        match self {
            Self::Unknown(value) => value.clone(),
            other => Value::Object(other.raw().clone()),
        }
    }

    /// `"webhook"`, `"analytics"` or `"unknown"`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Webhook(_) => "webhook",
            Self::Analytics(_) => "analytics",
            Self::Unknown(_) => "unknown",
        }
    }

    /// The event's fields as received. An [`Unknown`](Self::Unknown) event that is not an
    /// object (an array or a scalar) has no fields: this is an empty map, and
    /// [`to_json`](Self::to_json) gives the value itself.
    pub fn raw(&self) -> &Map<String, Value> {
        match self {
            Self::Webhook(e) => &e.raw,
            Self::Analytics(e) => &e.raw,
            Self::Unknown(Value::Object(raw)) => raw,
            Self::Unknown(_) => &NO_FIELDS,
        }
    }

    /// The event `id`, when it has a string one (for idempotency).
    pub fn id(&self) -> Option<&str> {
        self.raw().get("id").and_then(Value::as_str)
    }

    /// The event `timestamp`, when it has a string one.
    pub fn timestamp(&self) -> Option<&str> {
        self.raw().get("timestamp").and_then(Value::as_str)
    }

    /// The event `timestamp` in Unix seconds, when it is an RFC 3339 time such as
    /// `2026-02-25T12:00:00Z` (the signature covers it, so a freshness check can trust it).
    ///
    /// ```
    /// use vortex_client::webhook::VortexEvent;
    ///
    /// let event = VortexEvent::parse(br#"{"id":"e","type":"x","timestamp":"1970-01-01T00:01:00+00:00"}"#)?;
    /// assert_eq!(event.timestamp_unix(), Some(60));
    /// assert_eq!(VortexEvent::parse(br#"{"timestamp":"yesterday"}"#)?.timestamp_unix(), None);
    /// # Ok::<(), vortex_client::webhook::WebhookError>(())
    /// ```
    pub fn timestamp_unix(&self) -> Option<i64> {
        self.timestamp().and_then(crate::time::parse_rfc3339)
    }

    /// What kind of JSON value the event is, for messages: `"an object"`, `"an array"`,
    /// `"a string"`, `"a number"`, `"a boolean"` or `"null"`.
    ///
    /// ```
    /// use vortex_client::webhook::VortexEvent;
    ///
    /// assert_eq!(VortexEvent::parse(b"[1]")?.json_kind(), "an array");
    /// # Ok::<(), vortex_client::webhook::WebhookError>(())
    /// ```
    pub fn json_kind(&self) -> &'static str {
        match self {
            Self::Unknown(value) => json_kind(value),
            _ => "an object",
        }
    }
}

pub(crate) fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn string_field(object: &Map<String, Value>, key: &str) -> Option<String> {
    object.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// A webhook event (`VortexWebhookEvent`). Fields that are missing or of another type are
/// `None`; the whole event stays available in [`raw`](Self::raw).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct WebhookEvent {
    /// Event id, usable for idempotency.
    pub id: Option<String>,
    /// Event type.
    pub event_type: WebhookEventType,
    /// ISO-8601 time of the event.
    pub timestamp: Option<String>,
    /// Vortex account id.
    pub account_id: Option<String>,
    /// Vortex environment id.
    pub environment_id: Option<String>,
    /// Table the change came from.
    pub source_table: Option<String>,
    /// `insert`, `update` or `delete`.
    pub operation: Option<String>,
    /// The event data.
    pub data: Value,
    /// The event as received.
    pub raw: Map<String, Value>,
}

impl WebhookEvent {
    fn from_object(raw: Map<String, Value>) -> Self {
        let event_type = match raw.get("type") {
            Some(Value::String(t)) => WebhookEventType::from(t.as_str()),
            Some(other) => WebhookEventType::Unknown(crate::json::to_js_string(other)),
            None => WebhookEventType::Unknown(String::new()),
        };
        Self {
            id: string_field(&raw, "id"),
            event_type,
            timestamp: string_field(&raw, "timestamp"),
            account_id: string_field(&raw, "accountId"),
            environment_id: string_field(&raw, "environmentId"),
            source_table: string_field(&raw, "sourceTable"),
            operation: string_field(&raw, "operation"),
            data: raw.get("data").cloned().unwrap_or(Value::Null),
            raw,
        }
    }
}

/// An analytics event (`VortexAnalyticsEvent`). Fields that are missing or of another type
/// are `None`; the whole event stays available in [`raw`](Self::raw).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct AnalyticsEvent {
    /// Event id.
    pub id: Option<String>,
    /// Event name.
    pub name: AnalyticsEventName,
    /// Vortex account id.
    pub account_id: Option<String>,
    /// Vortex organization id.
    pub organization_id: Option<String>,
    /// Vortex project id.
    pub project_id: Option<String>,
    /// Vortex environment id.
    pub environment_id: Option<String>,
    /// Deployment id.
    pub deployment_id: Option<String>,
    /// Widget configuration (component) id.
    pub widget_configuration_id: Option<String>,
    /// The app's user id.
    pub foreign_user_id: Option<String>,
    /// Widget session id.
    pub session_id: Option<String>,
    /// Event payload.
    pub payload: Value,
    /// Platform (`web`, …).
    pub platform: Option<String>,
    /// Segmentation data.
    pub segmentation: Value,
    /// ISO-8601 time of the event.
    pub timestamp: Option<String>,
    /// The event as received.
    pub raw: Map<String, Value>,
}

impl AnalyticsEvent {
    fn from_object(raw: Map<String, Value>) -> Self {
        let name = match raw.get("name") {
            Some(Value::String(n)) => AnalyticsEventName::from(n.as_str()),
            Some(other) => AnalyticsEventName::Unknown(crate::json::to_js_string(other)),
            None => AnalyticsEventName::Unknown(String::new()),
        };
        let s = |key: &str| string_field(&raw, key);
        Self {
            id: s("id"),
            name,
            account_id: s("accountId"),
            organization_id: s("organizationId"),
            project_id: s("projectId"),
            environment_id: s("environmentId"),
            deployment_id: s("deploymentId"),
            widget_configuration_id: s("widgetConfigurationId"),
            foreign_user_id: s("foreignUserId"),
            session_id: s("sessionId"),
            payload: raw.get("payload").cloned().unwrap_or(Value::Null),
            platform: s("platform"),
            segmentation: raw.get("segmentation").cloned().unwrap_or(Value::Null),
            timestamp: s("timestamp"),
            raw,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test";
    const BODY: &[u8] = br#"{"id":"evt_1","type":"invitation.accepted"}"#;

    #[test]
    fn rejects_empty_secret() {
        assert!(matches!(
            Webhooks::new(""),
            Err(WebhookError::MissingSecret)
        ));
    }

    #[test]
    fn rejects_uppercase_prefixed_and_truncated_signatures() {
        let webhooks = Webhooks::new(SECRET).unwrap();
        let good = sign_payload(SECRET, BODY);
        assert!(webhooks.verify(BODY, &good).is_ok());
        for bad in [
            good.to_uppercase(),
            format!("sha256={good}"),
            good[..63].to_owned(),
            format!("{good}\n"),
        ] {
            assert!(matches!(
                webhooks.verify(BODY, &bad),
                Err(WebhookError::InvalidSignature)
            ));
        }
        assert!(matches!(
            webhooks.verify(BODY, ""),
            Err(WebhookError::InvalidSignature)
        ));
    }

    #[test]
    fn classifies_events() {
        let analytics = VortexEvent::parse(br#"{"type":"x","name":"widget_loaded"}"#).unwrap();
        assert_eq!(analytics.kind(), "analytics");
        let unknown_type = VortexEvent::parse(br#"{"type":"brand.new"}"#).unwrap();
        match unknown_type {
            VortexEvent::Webhook(e) => {
                assert_eq!(e.event_type, WebhookEventType::Unknown("brand.new".into()));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            VortexEvent::parse(br#"{"hello":1}"#).unwrap().kind(),
            "unknown"
        );
        assert!(matches!(
            VortexEvent::parse(b""),
            Err(WebhookError::Parse(_))
        ));
        assert!(matches!(
            VortexEvent::parse(b"{\"id\":"),
            Err(WebhookError::Parse(_))
        ));
    }

    #[test]
    fn arrays_and_scalars_are_unknown_events_as_in_node() {
        let webhooks = Webhooks::new(SECRET).unwrap();
        for body in [&b"[1,2]"[..], b"[]", b"null", b"true", b"42", br#""text""#] {
            let event = webhooks
                .construct_event(body, &sign_payload(SECRET, body))
                .unwrap_or_else(|e| panic!("{}: {e}", String::from_utf8_lossy(body)));
            assert_eq!(event.kind(), "unknown");
            assert!(!event.is_object());
            assert_eq!(
                event.to_json(),
                serde_json::from_slice::<Value>(body).unwrap()
            );
            assert!(event.raw().is_empty() && event.id().is_none());
        }
        let object = webhooks
            .construct_event(br#"{"id":"e"}"#, &sign_payload(SECRET, br#"{"id":"e"}"#))
            .unwrap();
        assert!(object.is_object() && object.kind() == "unknown");
        assert_eq!(object.id(), Some("e"));
        // A bad signature is still refused before parsing.
        assert!(matches!(
            webhooks.construct_event(b"[1]", &sign_payload("other", b"[1]")),
            Err(WebhookError::InvalidSignature)
        ));
    }

    #[test]
    fn debug_hides_the_secret() {
        assert!(!format!("{:?}", Webhooks::new("whsec_super_secret").unwrap()).contains("super"));
    }
}
