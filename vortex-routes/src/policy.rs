//! Authorization: the app decides who may do what, with the resource in hand.

use std::collections::BTreeSet;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde_json::Value;

use super::operation::{Operation, OperationKind};
use vortex_client::VortexUser;

/// A policy's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Decision {
    /// Go ahead.
    Allow,
    /// Refuse with 403; the message (default `Forbidden`) is shown to the caller.
    Deny(Option<String>),
    /// Go ahead only if every invitation the operation acts on is **the user's own**: one of
    /// its targets is the user's e-mail address (compared without regard to ASCII case), or
    /// it is a shareable link meant for anyone (no e-mail, phone or internal target, and
    /// delivered as `share`). The route decides it on the invitation itself:
    ///
    /// - `GET_INVITATION`: the invitation the route fetched anyway, before answering it (no
    ///   extra upstream call); someone else's gets 403;
    /// - `ACCEPT_INVITATIONS`: each invitation is fetched first (one upstream `GET` per id,
    ///   concurrently), and the accept is sent only if all are the user's own; otherwise 403
    ///   and nothing is accepted;
    /// - any other operation: the same as [`Allow`](Self::Allow).
    AllowOwnInvitations,
}

impl Decision {
    /// A refusal with a message for the caller.
    pub fn deny_with(message: impl Into<String>) -> Self {
        Self::Deny(Some(message.into()))
    }

    /// Whether the decision allows the operation without looking at invitations.
    pub fn is_allowed(&self) -> bool {
        matches!(self, Self::Allow)
    }
}

impl From<bool> for Decision {
    fn from(allowed: bool) -> Self {
        if allowed {
            Self::Allow
        } else {
            Self::Deny(None)
        }
    }
}

/// Decides whether `user` may perform `operation`: the Rust counterpart of Ruby's
/// `authorize_vortex_operation(operation, user)`, with the resource (invitation id, scope,
/// accept ids and user, …) inside the operation.
///
/// Anonymous callers never reach a policy: they get 401 first. The router requires a policy;
/// there is no silent allow-all.
///
/// ```
/// use vortex_routes::{Authorize, Decision, Operation, VortexUser};
///
/// struct TeamPolicy;
///
/// impl Authorize for TeamPolicy {
///     async fn authorize(&self, operation: &Operation, user: &VortexUser) -> Decision {
///         match operation {
///             Operation::DeleteScopeInvitations { .. } if !user.is_admin_of("autojoin") => {
///                 Decision::deny_with("Only admins can delete a team's invitations")
///             }
///             _ => Decision::Allow,
///         }
///     }
/// }
/// ```
pub trait Authorize: Send + Sync + 'static {
    /// The decision for `operation` by `user`.
    fn authorize(
        &self,
        operation: &Operation,
        user: &VortexUser,
    ) -> impl Future<Output = Decision> + Send;
}

/// A boxed future, as `DynAuthorize` returns.
pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The object-safe form of [`Authorize`], implemented for every `Authorize`; the routers
/// store policies as `Arc<dyn DynAuthorize>`.
pub(crate) trait DynAuthorize: Send + Sync + 'static {
    /// [`Authorize::authorize`], boxed.
    fn authorize_dyn<'a>(
        &'a self,
        operation: &'a Operation,
        user: &'a VortexUser,
    ) -> BoxFuture<'a, Decision>;
}

impl<T: Authorize> DynAuthorize for T {
    fn authorize_dyn<'a>(
        &'a self,
        operation: &'a Operation,
        user: &'a VortexUser,
    ) -> BoxFuture<'a, Decision> {
        Box::pin(self.authorize(operation, user))
    }
}

/// A policy, shared and type-erased.
#[derive(Clone)]
pub struct Policy(Arc<dyn DynAuthorize>);

impl Policy {
    /// Wraps a policy.
    pub fn new(policy: impl Authorize) -> Self {
        Self(Arc::new(policy))
    }

    /// The decision for `operation` by `user`.
    pub async fn decide(&self, operation: &Operation, user: &VortexUser) -> Decision {
        self.0.authorize_dyn(operation, user).await
    }
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Policy(..)")
    }
}

impl<T: Authorize> From<T> for Policy {
    fn from(policy: T) -> Self {
        Self::new(policy)
    }
}

/// Every signed-in user may perform every operation (anonymous callers still get 401).
///
/// Name it only when that is what the app wants: it lets any user revoke any invitation.
#[derive(Clone, Copy, Debug, Default)]
pub struct AllowAllAuthenticated;

impl Authorize for AllowAllAuthenticated {
    async fn authorize(&self, _: &Operation, _: &VortexUser) -> Decision {
        Decision::Allow
    }
}

/// Every operation is refused with 403.
#[derive(Clone, Copy, Debug, Default)]
pub struct DenyAll;

impl Authorize for DenyAll {
    async fn authorize(&self, _: &Operation, _: &VortexUser) -> Decision {
        Decision::Deny(None)
    }
}

/// Signed-in users may perform the listed kinds of operation; others are refused.
///
/// ```
/// use vortex_routes::{AllowOperations, OperationKind};
///
/// let policy = AllowOperations::new([OperationKind::Jwt, OperationKind::AcceptInvitations]);
/// assert!(policy.allows(OperationKind::Jwt));
/// assert!(!policy.allows(OperationKind::RevokeInvitation));
/// ```
#[derive(Clone, Debug, Default)]
pub struct AllowOperations {
    kinds: BTreeSet<OperationKind>,
}

impl AllowOperations {
    /// Allows `kinds`.
    pub fn new(kinds: impl IntoIterator<Item = OperationKind>) -> Self {
        Self {
            kinds: kinds.into_iter().collect(),
        }
    }

    /// Tokens and every read, **of anyone's invitations**: `JWT`, `TOKEN`,
    /// `GET_INVITATIONS` (any e-mail address, phone number or id), `GET_INVITATION` and
    /// `GET_GROUP_INVITATIONS` (any scope). A signed-in user may list who was invited where;
    /// for invitees, who should see only their own invitations, use [`OwnInvitations`].
    pub fn all_reads() -> Self {
        Self::new(OperationKind::ALL.into_iter().filter(|k| k.is_read_only()))
    }

    /// Whether `kind` is allowed.
    pub fn allows(&self, kind: OperationKind) -> bool {
        self.kinds.contains(&kind)
    }
}

impl Authorize for AllowOperations {
    async fn authorize(&self, operation: &Operation, _: &VortexUser) -> Decision {
        self.allows(operation.kind()).into()
    }
}

/// What an invitee needs, and nothing about other people's invitations: a signed-in user may
///
/// - get a JWT or a widget token for themselves (`JWT`, `TOKEN`);
/// - list the invitations sent to **their own e-mail address** (`GET_INVITATIONS` with
///   `targetType=email` and the user's e-mail, compared without regard to ASCII case);
/// - view one invitation by its id (`GET_INVITATION`) **if it is their own**;
/// - accept invitations (`ACCEPT_INVITATIONS`) **as themselves** (the accepting user has the
///   user's own e-mail address) and **only their own**.
///
/// An invitation is the user's own when one of its targets is the user's e-mail address, or
/// when it is a shareable link meant for anyone (no e-mail, phone or internal target, and
/// delivered as `share`). The route checks that on the invitation itself
/// ([`Decision::AllowOwnInvitations`]): viewing costs no extra upstream call (the fetched
/// invitation is checked before it is answered); accepting fetches each invitation first,
/// one upstream `GET` per id.
///
/// Everything else is refused with 403: other addresses, phone numbers and ids, someone
/// else's invitation, any scope or group, revoke, reinvite, delete and sync. A user without
/// an e-mail address gets tokens and shareable links only. The policy to copy for regular
/// users, usually behind [`AdminScopeOr`].
///
/// ```
/// use vortex_client::types::AcceptUser;
/// use vortex_routes::{Authorize, Decision, Operation, OwnInvitations, VortexUser};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let ada = VortexUser::new("user-2").email("ada@example.com");
/// let own = Operation::GetInvitations { target_type: "email".into(), target_value: "Ada@Example.com".into() };
/// let other = Operation::GetInvitations { target_type: "email".into(), target_value: "bob@example.com".into() };
/// assert_eq!(OwnInvitations.authorize(&own, &ada).await, Decision::Allow);
/// assert!(!OwnInvitations.authorize(&other, &ada).await.is_allowed());
///
/// // One invitation by id: allowed only once the route has seen it is Ada's own.
/// let one = Operation::GetInvitation { invitation_id: "inv-1".into() };
/// assert_eq!(OwnInvitations.authorize(&one, &ada).await, Decision::AllowOwnInvitations);
///
/// let accept_as_bob = Operation::AcceptInvitations {
///     invitation_ids: vec!["inv-1".into()],
///     user: AcceptUser::email("bob@example.com"),
/// };
/// assert!(!OwnInvitations.authorize(&accept_as_bob, &ada).await.is_allowed());
/// # });
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct OwnInvitations;

impl OwnInvitations {
    fn decide(operation: &Operation, user: &VortexUser) -> Decision {
        let own_email = |address: &str| {
            user.email
                .as_deref()
                .is_some_and(|email| email.eq_ignore_ascii_case(address))
        };
        match operation {
            Operation::Jwt | Operation::Token { .. } => Decision::Allow,
            Operation::GetInvitation { .. } => Decision::AllowOwnInvitations,
            Operation::GetInvitations {
                target_type,
                target_value,
            } if target_type == "email" && own_email(target_value) => Decision::Allow,
            Operation::GetInvitations { .. } => Decision::deny_with(
                "You can list only the invitations sent to your own e-mail address",
            ),
            Operation::AcceptInvitations {
                user: accepting, ..
            } if accepting.email.as_deref().is_some_and(own_email) => Decision::AllowOwnInvitations,
            Operation::AcceptInvitations { .. } => {
                Decision::deny_with("You can accept invitations only with your own e-mail address")
            }
            _ => Decision::Deny(None),
        }
    }
}

impl Authorize for OwnInvitations {
    async fn authorize(&self, operation: &Operation, user: &VortexUser) -> Decision {
        Self::decide(operation, user)
    }
}

/// Whether `invitation` (an upstream invitation object) is `user`'s own, as
/// [`Decision::AllowOwnInvitations`] defines it.
pub(crate) fn is_own_invitation(invitation: &Value, user: &VortexUser) -> bool {
    let targets = invitation
        .get("target")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    fn target(t: &Value) -> (&str, &str) {
        let field = |name| t.get(name).and_then(Value::as_str).unwrap_or_default();
        (field("type"), field("value"))
    }
    let sent_to_user = user.email.as_deref().is_some_and(|email| {
        targets.iter().map(target).any(|(kind, value)| {
            kind.eq_ignore_ascii_case("email") && value.eq_ignore_ascii_case(email)
        })
    });
    sent_to_user || is_shareable_link(invitation, targets.iter().map(target))
}

/// A link meant for anyone: addressed to no person (no e-mail, phone or internal target) and
/// delivered as `share` (a `share` target or delivery type).
fn is_shareable_link<'a>(
    invitation: &Value,
    mut targets: impl Iterator<Item = (&'a str, &'a str)> + Clone,
) -> bool {
    const PERSONAL: [&str; 5] = ["email", "phone", "phoneNumber", "internal", "username"];
    let personal = targets
        .clone()
        .any(|(kind, _)| PERSONAL.iter().any(|p| kind.eq_ignore_ascii_case(p)));
    let shared_by_target = targets.any(|(kind, _)| kind.eq_ignore_ascii_case("share"));
    let shared_by_delivery = invitation
        .get("deliveryTypes")
        .and_then(Value::as_array)
        .is_some_and(|types| types.iter().any(|t| t.as_str() == Some("share")));
    !personal && (shared_by_target || shared_by_delivery)
}

/// Users with admin scope `scope` may do everything; other users get what `others` allows.
///
/// ```
/// use vortex_routes::{AdminScopeOr, AllowOperations, OwnInvitations};
///
/// // Admins do everything; everyone else sees and accepts only their own invitations.
/// let policy = AdminScopeOr::new("autojoin", OwnInvitations);
/// # let _ = policy;
///
/// let policy = AdminScopeOr::new("autojoin", AllowOperations::all_reads());
/// # let _ = policy;
/// ```
#[derive(Clone, Debug)]
pub struct AdminScopeOr<P> {
    scope: String,
    others: P,
}

impl<P> AdminScopeOr<P> {
    /// Admins of `scope` may do everything; the rest is decided by `others`.
    pub fn new(scope: impl Into<String>, others: P) -> Self {
        Self {
            scope: scope.into(),
            others,
        }
    }
}

impl<P: Authorize> Authorize for AdminScopeOr<P> {
    async fn authorize(&self, operation: &Operation, user: &VortexUser) -> Decision {
        if user.is_admin_of(&self.scope) {
            Decision::Allow
        } else {
            self.others.authorize(operation, user).await
        }
    }
}

/// A policy from an async closure.
///
/// ```
/// use vortex_routes::{Decision, Operation, OperationKind, policy_fn};
///
/// let policy = policy_fn(|operation: &Operation, _user| {
///     let allowed = operation.kind() != OperationKind::RevokeInvitation;
///     async move { Decision::from(allowed) }
/// });
/// # let _ = policy;
/// ```
pub fn policy_fn<F, Fut>(f: F) -> PolicyFn<F>
where
    F: Fn(&Operation, &VortexUser) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Decision> + Send,
{
    PolicyFn(f)
}

/// See [`policy_fn`].
#[derive(Clone, Copy)]
pub struct PolicyFn<F>(F);

impl<F> fmt::Debug for PolicyFn<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PolicyFn(..)")
    }
}

impl<F, Fut> Authorize for PolicyFn<F>
where
    F: Fn(&Operation, &VortexUser) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Decision> + Send,
{
    fn authorize(
        &self,
        operation: &Operation,
        user: &VortexUser,
    ) -> impl Future<Output = Decision> + Send {
        (self.0)(operation, user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use vortex_client::types::AcceptUser;

    fn ada() -> VortexUser {
        VortexUser::new("user-2").email("ada@example.com")
    }

    fn list(target_type: &str, target_value: &str) -> Operation {
        Operation::GetInvitations {
            target_type: target_type.into(),
            target_value: target_value.into(),
        }
    }

    #[test]
    fn own_invitations_lists_only_the_users_own_email() {
        let decide = |op: &Operation, user: &VortexUser| OwnInvitations::decide(op, user);
        assert!(decide(&list("email", "ada@example.com"), &ada()).is_allowed());
        assert!(decide(&list("email", "ADA@example.COM"), &ada()).is_allowed());
        assert!(!decide(&list("email", "bob@example.com"), &ada()).is_allowed());
        // The same address under another target type is someone else's id or handle.
        assert!(!decide(&list("username", "ada@example.com"), &ada()).is_allowed());
        // No e-mail: nothing to list.
        let anonymous_email = VortexUser::new("user-3");
        assert!(!decide(&list("email", ""), &anonymous_email).is_allowed());
    }

    #[test]
    fn own_invitations_accepts_only_as_the_user() {
        let accept = |user: AcceptUser| Operation::AcceptInvitations {
            invitation_ids: vec!["inv-1".into()],
            user,
        };
        let decide = |op: &Operation| OwnInvitations::decide(op, &ada());
        assert_eq!(
            decide(&accept(AcceptUser::email("Ada@Example.com"))),
            Decision::AllowOwnInvitations
        );
        assert!(matches!(
            decide(&accept(AcceptUser::email("bob@example.com"))),
            Decision::Deny(_)
        ));
        assert!(matches!(
            decide(&accept(AcceptUser::default())),
            Decision::Deny(_)
        ));
    }

    #[test]
    fn an_invitation_is_own_when_sent_to_the_users_email_or_shared_with_anyone() {
        let own = |invitation: Value| is_own_invitation(&invitation, &ada());
        assert!(own(
            json!({"id": "i", "target": [{"type": "email", "value": "ADA@example.com"}]})
        ));
        assert!(own(json!({"target": [
            {"type": "phone", "value": "+1555"},
            {"type": "email", "value": "ada@example.com"}
        ]})));
        assert!(!own(
            json!({"target": [{"type": "email", "value": "bob@example.com"}]})
        ));
        // The user's address under another target type is not an e-mail invitation.
        assert!(!own(
            json!({"target": [{"type": "internal", "value": "ada@example.com"}]})
        ));
        // Shareable links: no personal target, delivered as `share`.
        assert!(own(json!({"target": [{"type": "share", "value": "x"}]})));
        assert!(own(json!({"deliveryTypes": ["share"], "target": []})));
        assert!(own(json!({"deliveryTypes": ["share"]})));
        assert!(!own(json!({
            "deliveryTypes": ["share", "email"],
            "target": [{"type": "email", "value": "bob@example.com"}]
        })));
        // Nothing says who it is for, and it is not a share link: not the user's.
        assert!(!own(json!({"id": "i"})));
        assert!(!own(
            json!({"deliveryTypes": ["email"], "target": "ada@example.com"})
        ));
        // A user without an e-mail address owns shareable links only.
        let no_email = VortexUser::new("user-3");
        assert!(!is_own_invitation(
            &json!({"target": [{"type": "email", "value": ""}]}),
            &no_email
        ));
        assert!(is_own_invitation(
            &json!({"target": [{"type": "share", "value": "x"}]}),
            &no_email
        ));
    }

    #[test]
    fn own_invitations_refuses_scopes_and_changes() {
        let decide = |op: &Operation| OwnInvitations::decide(op, &ada());
        for op in [
            Operation::GetScopeInvitations {
                scope_type: "team".into(),
                scope: "t1".into(),
            },
            Operation::DeleteScopeInvitations {
                scope_type: "team".into(),
                scope: "t1".into(),
            },
            Operation::RevokeInvitation {
                invitation_id: "inv-1".into(),
            },
            Operation::Reinvite {
                invitation_id: "inv-1".into(),
            },
        ] {
            assert_eq!(decide(&op), Decision::Deny(None), "{op:?}");
        }
        assert!(decide(&Operation::Jwt).is_allowed());
        assert_eq!(
            decide(&Operation::GetInvitation {
                invitation_id: "inv-1".into()
            }),
            Decision::AllowOwnInvitations
        );
    }
}
