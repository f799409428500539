//! Typed requests and answers of the Vortex API (camelCase on the wire).
//!
//! Answers are decoded leniently: a missing field, a `null`, a value of an unexpected type or
//! an unknown enum value never fails decoding (the field takes its default, enums keep the
//! text in `Unknown`), and fields this version does not know are kept in `extra`.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::webhook::open_enum;

/// Decodes a field, falling back to its default when it is `null` or of another type.
fn lenient<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned + Default,
{
    let value = Value::deserialize(deserializer)?;
    Ok(serde_json::from_value(value).unwrap_or_default())
}

open_enum! {
    /// Invitation status.
    pub enum InvitationStatus {
        /// `queued`
        Queued => "queued",
        /// `sending`
        Sending => "sending",
        /// `sent`
        Sent => "sent",
        /// `delivered`
        Delivered => "delivered",
        /// `accepted`
        Accepted => "accepted",
        /// `shared`
        Shared => "shared",
        /// `unfurled`
        Unfurled => "unfurled",
        /// `accepted_elsewhere`
        AcceptedElsewhere => "accepted_elsewhere",
    }
}

open_enum! {
    /// Invitation type.
    pub enum InvitationType {
        /// `single_use`
        SingleUse => "single_use",
        /// `multi_use`
        MultiUse => "multi_use",
        /// `autojoin`
        Autojoin => "autojoin",
    }
}

open_enum! {
    /// How an invitation is delivered, and the type of an invitation target.
    pub enum DeliveryType {
        /// `email`
        Email => "email",
        /// `phone`
        Phone => "phone",
        /// `share`
        Share => "share",
        /// `internal`
        Internal => "internal",
    }
}

open_enum! {
    /// The action reported by [`SyncInternalInvitationRequest`].
    pub enum SyncAction {
        /// `accepted`
        Accepted => "accepted",
        /// `declined`
        Declined => "declined",
    }
}

/// An invitation (`InvitationResult`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct Invitation {
    /// Invitation id.
    #[serde(deserialize_with = "lenient")]
    pub id: String,
    /// Vortex account id.
    #[serde(deserialize_with = "lenient")]
    pub account_id: String,
    /// Number of link clicks.
    #[serde(deserialize_with = "lenient")]
    pub click_throughs: u64,
    /// Submitted form data.
    #[serde(deserialize_with = "lenient")]
    pub form_submission_data: Option<Value>,
    /// Deprecated duplicate of `form_submission_data`.
    #[serde(deserialize_with = "lenient")]
    pub configuration_attributes: Option<Value>,
    /// Invitation attributes.
    #[serde(deserialize_with = "lenient")]
    pub attributes: Option<Value>,
    /// Creation time (ISO 8601).
    #[serde(deserialize_with = "lenient")]
    pub created_at: Option<String>,
    /// Whether it was revoked.
    #[serde(deserialize_with = "lenient")]
    pub deactivated: bool,
    /// Number of deliveries (reinvites add one).
    #[serde(deserialize_with = "lenient")]
    pub delivery_count: u64,
    /// Delivery channels.
    #[serde(deserialize_with = "lenient")]
    pub delivery_types: Vec<DeliveryType>,
    /// The app's id of the inviter.
    #[serde(deserialize_with = "lenient")]
    pub foreign_creator_id: Option<String>,
    /// Invitation type.
    #[serde(deserialize_with = "lenient")]
    pub invitation_type: Option<InvitationType>,
    /// Last change (ISO 8601).
    #[serde(deserialize_with = "lenient")]
    pub modified_at: Option<String>,
    /// Status.
    #[serde(deserialize_with = "lenient")]
    pub status: Option<InvitationStatus>,
    /// Number of views.
    #[serde(deserialize_with = "lenient")]
    pub views: u64,
    /// Widget (component) configuration id.
    #[serde(deserialize_with = "lenient")]
    pub widget_configuration_id: Option<String>,
    /// Scopes (called groups on the wire).
    #[serde(deserialize_with = "lenient")]
    pub groups: Vec<InvitationScope>,
    /// Acceptances.
    #[serde(deserialize_with = "lenient")]
    pub accepts: Vec<InvitationAcceptance>,
    /// Whether it expired.
    #[serde(deserialize_with = "lenient")]
    pub expired: bool,
    /// Expiry time (ISO 8601).
    #[serde(deserialize_with = "lenient")]
    pub expires: Option<String>,
    /// Source.
    #[serde(deserialize_with = "lenient")]
    pub source: Option<String>,
    /// Subtype.
    #[serde(deserialize_with = "lenient")]
    pub subtype: Option<String>,
    /// Inviter name.
    #[serde(deserialize_with = "lenient")]
    pub creator_name: Option<String>,
    /// Inviter avatar URL.
    #[serde(deserialize_with = "lenient")]
    pub creator_avatar_url: Option<String>,
    /// Targets (absent in list answers).
    #[serde(deserialize_with = "lenient")]
    pub target: Vec<InvitationTarget>,
    /// Metadata given at creation.
    #[serde(deserialize_with = "lenient")]
    pub metadata: Option<Value>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Invitation {
    /// The scopes of the invitation (the wire calls them `groups`).
    pub fn scopes(&self) -> &[InvitationScope] {
        &self.groups
    }
}

/// A scope of an invitation (`InvitationScope`, also called group).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct InvitationScope {
    /// Vortex id of the scope record.
    #[serde(deserialize_with = "lenient")]
    pub id: String,
    /// Vortex account id.
    #[serde(deserialize_with = "lenient")]
    pub account_id: String,
    /// The app's id of the scope (`groupId` on the wire, `scopeId` in the SDKs).
    #[serde(deserialize_with = "lenient")]
    pub group_id: String,
    /// Scope type, e.g. `team`.
    #[serde(rename = "type", deserialize_with = "lenient")]
    pub scope_type: String,
    /// Scope name.
    #[serde(deserialize_with = "lenient")]
    pub name: String,
    /// Creation time.
    #[serde(deserialize_with = "lenient")]
    pub created_at: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An invitation target.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct InvitationTarget {
    /// Target type.
    #[serde(rename = "type", deserialize_with = "lenient")]
    pub target_type: Option<DeliveryType>,
    /// Address or id.
    #[serde(deserialize_with = "lenient")]
    pub value: String,
    /// Name.
    #[serde(deserialize_with = "lenient")]
    pub name: Option<String>,
    /// Avatar URL.
    #[serde(deserialize_with = "lenient")]
    pub avatar_url: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An acceptance of an invitation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct InvitationAcceptance {
    /// Acceptance id.
    #[serde(deserialize_with = "lenient")]
    pub id: String,
    /// Vortex account id.
    #[serde(deserialize_with = "lenient")]
    pub account_id: String,
    /// Acceptance time.
    #[serde(deserialize_with = "lenient")]
    pub accepted_at: Option<String>,
    /// Who accepted.
    #[serde(deserialize_with = "lenient")]
    pub target: Option<InvitationTarget>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The user accepting invitations: at least an e-mail address or a phone number.
///
/// ```
/// use vortex_client::types::AcceptUser;
///
/// let user = AcceptUser::email("ada@example.com").name("Ada").is_existing(true);
/// assert_eq!(
///     serde_json::to_string(&user)?,
///     r#"{"email":"ada@example.com","name":"Ada","isExisting":true}"#
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AcceptUser {
    /// E-mail address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Whether the user already had an account (for Vortex analytics).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_existing: Option<bool>,
}

impl AcceptUser {
    /// A user identified by e-mail.
    pub fn email(email: impl Into<String>) -> Self {
        Self {
            email: Some(email.into()),
            ..Self::default()
        }
    }

    /// A user identified by phone number.
    pub fn phone(phone: impl Into<String>) -> Self {
        Self {
            phone: Some(phone.into()),
            ..Self::default()
        }
    }

    /// Sets the name.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets whether the user already had an account.
    #[must_use]
    pub fn is_existing(mut self, is_existing: bool) -> Self {
        self.is_existing = Some(is_existing);
        self
    }
}

/// The target of a new invitation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateInvitationTarget {
    /// `email`, `phone` or `internal`.
    #[serde(rename = "type")]
    pub target_type: DeliveryType,
    /// Address or internal user id.
    pub value: String,
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Avatar URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
}

impl CreateInvitationTarget {
    /// A target of type `target_type`.
    pub fn new(target_type: DeliveryType, value: impl Into<String>) -> Self {
        Self {
            target_type,
            value: value.into(),
            name: None,
            avatar_url: None,
        }
    }
}

/// Who sends a new invitation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Inviter {
    /// The app's user id.
    pub user_id: String,
    /// E-mail address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_email: Option<String>,
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Avatar URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
}

impl Inviter {
    /// An inviter with the app's user id.
    pub fn new(user_id: impl Into<String>) -> Self {
        Self {
            user_id: user_id.into(),
            user_email: None,
            name: None,
            avatar_url: None,
        }
    }
}

/// A scope of a new invitation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateInvitationScope {
    /// Scope type, e.g. `team`.
    #[serde(rename = "type")]
    pub scope_type: String,
    /// The app's id of the scope.
    pub group_id: String,
    /// Scope name.
    pub name: String,
}

impl CreateInvitationScope {
    /// A scope.
    pub fn new(
        scope_type: impl Into<String>,
        scope_id: impl Into<String>,
        name: impl Into<String>,
    ) -> Self {
        Self {
            scope_type: scope_type.into(),
            group_id: scope_id.into(),
            name: name.into(),
        }
    }
}

/// A server-side invitation (`POST /api/v1/invitations`).
///
/// ```
/// use vortex_client::types::{CreateInvitationRequest, CreateInvitationScope, CreateInvitationTarget, DeliveryType, Inviter};
///
/// let request = CreateInvitationRequest::new(
///     "widget-config-1",
///     CreateInvitationTarget::new(DeliveryType::Email, "new@example.com"),
///     Inviter::new("user-1"),
/// )
/// .scope(CreateInvitationScope::new("team", "team-1", "Team One"));
/// let json = serde_json::to_value(&request)?;
/// assert_eq!(json["groups"][0]["groupId"], "team-1");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateInvitationRequest {
    /// Widget (component) configuration id.
    pub widget_configuration_id: String,
    /// Who is invited.
    pub target: CreateInvitationTarget,
    /// Who invites.
    pub inviter: Inviter,
    /// Scopes.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub groups: Vec<CreateInvitationScope>,
    /// Source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Subtype.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subtype: Option<String>,
    /// Template variables.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_variables: Option<Map<String, Value>>,
    /// Metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    /// Link preview configuration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unfurl_config: Option<Value>,
}

impl CreateInvitationRequest {
    /// A request with the required fields.
    pub fn new(
        widget_configuration_id: impl Into<String>,
        target: CreateInvitationTarget,
        inviter: Inviter,
    ) -> Self {
        Self {
            widget_configuration_id: widget_configuration_id.into(),
            target,
            inviter,
            groups: Vec::new(),
            source: None,
            subtype: None,
            template_variables: None,
            metadata: None,
            unfurl_config: None,
        }
    }

    /// Adds a scope.
    #[must_use]
    pub fn scope(mut self, scope: CreateInvitationScope) -> Self {
        self.groups.push(scope);
        self
    }
}

/// The answer to [`CreateInvitationRequest`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct CreateInvitationResponse {
    /// Invitation id.
    #[serde(deserialize_with = "lenient")]
    pub id: String,
    /// Short link to share.
    #[serde(deserialize_with = "lenient")]
    pub short_link: Option<String>,
    /// Status.
    #[serde(deserialize_with = "lenient")]
    pub status: Option<InvitationStatus>,
    /// Creation time.
    #[serde(deserialize_with = "lenient")]
    pub created_at: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An autojoin domain.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct AutojoinDomain {
    /// Id.
    #[serde(deserialize_with = "lenient")]
    pub id: String,
    /// Domain, e.g. `example.com`.
    #[serde(deserialize_with = "lenient")]
    pub domain: String,
}

/// Autojoin configuration of a scope.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct AutojoinDomainsResponse {
    /// Domains whose users join automatically.
    #[serde(deserialize_with = "lenient")]
    pub autojoin_domains: Vec<AutojoinDomain>,
    /// The autojoin invitation, when configured.
    #[serde(deserialize_with = "lenient")]
    pub invitation: Option<Invitation>,
}

/// Configures autojoin domains for a scope (`POST /api/v1/invitations/autojoin`). An empty
/// domain list removes the configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ConfigureAutojoinRequest {
    /// The app's scope id.
    pub scope: String,
    /// Scope type.
    pub scope_type: String,
    /// Scope name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope_name: Option<String>,
    /// Domains.
    pub domains: Vec<String>,
    /// Widget (component) id.
    pub component_id: String,
    /// Metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
}

impl ConfigureAutojoinRequest {
    /// A configuration of `domains` for a scope.
    pub fn new<I, S>(
        scope_type: impl Into<String>,
        scope: impl Into<String>,
        component_id: impl Into<String>,
        domains: I,
    ) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            scope: scope.into(),
            scope_type: scope_type.into(),
            scope_name: None,
            domains: domains.into_iter().map(Into::into).collect(),
            component_id: component_id.into(),
            metadata: None,
        }
    }
}

/// Reports that an internal invitation was accepted or declined in the app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SyncInternalInvitationRequest {
    /// The inviter's app user id.
    pub creator_id: String,
    /// The invitee's app user id.
    pub target_value: String,
    /// What the invitee did.
    pub action: SyncAction,
    /// Widget (component) id.
    pub component_id: String,
}

impl SyncInternalInvitationRequest {
    /// A report.
    pub fn new(
        creator_id: impl Into<String>,
        target_value: impl Into<String>,
        action: SyncAction,
        component_id: impl Into<String>,
    ) -> Self {
        Self {
            creator_id: creator_id.into(),
            target_value: target_value.into(),
            action,
            component_id: component_id.into(),
        }
    }
}

/// The answer to [`SyncInternalInvitationRequest`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct SyncInternalInvitationResponse {
    /// Number of invitations updated.
    #[serde(deserialize_with = "lenient")]
    pub processed: u64,
    /// Their ids.
    #[serde(deserialize_with = "lenient")]
    pub invitation_ids: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn invitation_decoding_tolerates_nulls_wrong_types_and_new_values() {
        let inv: Invitation = serde_json::from_value(json!({
            "id": "i1", "status": "brand_new_status", "clickThroughs": null, "views": "many",
            "deliveryTypes": ["email", "carrier_pigeon"], "groups": [{"groupId": "t1", "type": "team"}],
            "newField": {"x": 1}
        }))
        .unwrap();
        assert_eq!(
            inv.status,
            Some(InvitationStatus::Unknown("brand_new_status".into()))
        );
        assert_eq!(inv.click_throughs, 0);
        assert_eq!(inv.views, 0);
        assert_eq!(
            inv.delivery_types[1],
            DeliveryType::Unknown("carrier_pigeon".into())
        );
        assert_eq!(inv.scopes()[0].group_id, "t1");
        assert_eq!(inv.extra["newField"], json!({"x": 1}));
    }
}
