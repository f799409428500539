//! The operations of the integration router, each with the resource it acts on.

use serde::Serialize;

use vortex_client::types::{AcceptUser, SyncAction};

/// What a request to the integration router wants to do, with the validated resource.
///
/// Policies receive this (with the signed-in user) before any upstream call. Each operation
/// also has the name the Ruby and Java SDKs use ([`Operation::name`]), for apps ported from
/// `authorize_vortex_operation`.
///
/// ```
/// use vortex_routes::{Operation, OperationKind};
///
/// let op = Operation::RevokeInvitation { invitation_id: "inv-1".into() };
/// assert_eq!(op.name(), "REVOKE_INVITATION");
/// assert_eq!(op.kind(), OperationKind::RevokeInvitation);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "operation", rename_all = "camelCase")]
#[non_exhaustive]
pub enum Operation {
    /// `POST /jwt`: a JWT for the signed-in user.
    Jwt,
    /// `POST /token`: a widget token for the signed-in user.
    #[serde(rename_all = "camelCase")]
    Token {
        /// The widget (component) id, when given.
        component: Option<String>,
        /// The scope, when given.
        scope: Option<String>,
    },
    /// `GET /invitations?targetType=&targetValue=`.
    #[serde(rename_all = "camelCase")]
    GetInvitations {
        /// `email`, `username`, `phoneNumber`, `phone` or `internal`.
        target_type: String,
        /// The address or id.
        target_value: String,
    },
    /// `GET /invitations/{id}`.
    #[serde(rename_all = "camelCase")]
    GetInvitation {
        /// The invitation id.
        invitation_id: String,
    },
    /// `DELETE /invitations/{id}`.
    #[serde(rename_all = "camelCase")]
    RevokeInvitation {
        /// The invitation id.
        invitation_id: String,
    },
    /// `POST /invitations/accept`.
    #[serde(rename_all = "camelCase")]
    AcceptInvitations {
        /// The invitations to accept (1 to 100).
        invitation_ids: Vec<String>,
        /// Who accepts (from `user`, or converted from the legacy `target`).
        user: AcceptUser,
    },
    /// `GET /invitations/by-scope/{scopeType}/{scope}` (and the legacy by-group path).
    #[serde(rename_all = "camelCase")]
    GetScopeInvitations {
        /// The scope type (group type).
        scope_type: String,
        /// The scope id (group id).
        scope: String,
    },
    /// `DELETE /invitations/by-scope/{scopeType}/{scope}` (and the legacy by-group path).
    #[serde(rename_all = "camelCase")]
    DeleteScopeInvitations {
        /// The scope type (group type).
        scope_type: String,
        /// The scope id (group id).
        scope: String,
    },
    /// `POST /invitations/{id}/reinvite`.
    #[serde(rename_all = "camelCase")]
    Reinvite {
        /// The invitation id.
        invitation_id: String,
    },
    /// `POST /invitations/sync-internal-invitation`.
    #[serde(rename_all = "camelCase")]
    SyncInternalInvitation {
        /// The inviter's user id.
        creator_id: String,
        /// The invitee's user id.
        target_value: String,
        /// Accepted or declined.
        action: SyncAction,
        /// The widget (component) id.
        component_id: String,
    },
}

/// The kind of an [`Operation`], without its resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum OperationKind {
    /// [`Operation::Jwt`]
    Jwt,
    /// [`Operation::Token`]
    Token,
    /// [`Operation::GetInvitations`]
    GetInvitations,
    /// [`Operation::GetInvitation`]
    GetInvitation,
    /// [`Operation::RevokeInvitation`]
    RevokeInvitation,
    /// [`Operation::AcceptInvitations`]
    AcceptInvitations,
    /// [`Operation::GetScopeInvitations`]
    GetScopeInvitations,
    /// [`Operation::DeleteScopeInvitations`]
    DeleteScopeInvitations,
    /// [`Operation::Reinvite`]
    Reinvite,
    /// [`Operation::SyncInternalInvitation`]
    SyncInternalInvitation,
}

impl OperationKind {
    /// Every kind.
    pub const ALL: [Self; 10] = [
        Self::Jwt,
        Self::Token,
        Self::GetInvitations,
        Self::GetInvitation,
        Self::RevokeInvitation,
        Self::AcceptInvitations,
        Self::GetScopeInvitations,
        Self::DeleteScopeInvitations,
        Self::Reinvite,
        Self::SyncInternalInvitation,
    ];

    /// The Ruby/Java operation name (`JWT`, `GET_INVITATIONS`, …; `TOKEN` and
    /// `SYNC_INTERNAL_INVITATION` for the routes those SDKs lack).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Jwt => "JWT",
            Self::Token => "TOKEN",
            Self::GetInvitations => "GET_INVITATIONS",
            Self::GetInvitation => "GET_INVITATION",
            Self::RevokeInvitation => "REVOKE_INVITATION",
            Self::AcceptInvitations => "ACCEPT_INVITATIONS",
            Self::GetScopeInvitations => "GET_GROUP_INVITATIONS",
            Self::DeleteScopeInvitations => "DELETE_GROUP_INVITATIONS",
            Self::Reinvite => "REINVITE",
            Self::SyncInternalInvitation => "SYNC_INTERNAL_INVITATION",
        }
    }

    /// Whether the operation only reads (or signs a token for the caller).
    pub const fn is_read_only(self) -> bool {
        matches!(
            self,
            Self::Jwt
                | Self::Token
                | Self::GetInvitations
                | Self::GetInvitation
                | Self::GetScopeInvitations
        )
    }

    /// The kind with Ruby/Java name `name`.
    ///
    /// ```
    /// use vortex_routes::OperationKind;
    ///
    /// assert_eq!(OperationKind::from_name("REINVITE"), Some(OperationKind::Reinvite));
    /// assert_eq!(OperationKind::from_name("nope"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

impl std::fmt::Display for OperationKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Operation {
    /// The kind of the operation.
    pub const fn kind(&self) -> OperationKind {
        match self {
            Self::Jwt => OperationKind::Jwt,
            Self::Token { .. } => OperationKind::Token,
            Self::GetInvitations { .. } => OperationKind::GetInvitations,
            Self::GetInvitation { .. } => OperationKind::GetInvitation,
            Self::RevokeInvitation { .. } => OperationKind::RevokeInvitation,
            Self::AcceptInvitations { .. } => OperationKind::AcceptInvitations,
            Self::GetScopeInvitations { .. } => OperationKind::GetScopeInvitations,
            Self::DeleteScopeInvitations { .. } => OperationKind::DeleteScopeInvitations,
            Self::Reinvite { .. } => OperationKind::Reinvite,
            Self::SyncInternalInvitation { .. } => OperationKind::SyncInternalInvitation,
        }
    }

    /// The Ruby/Java operation name, e.g. `GET_INVITATIONS`.
    pub const fn name(&self) -> &'static str {
        self.kind().name()
    }
}
