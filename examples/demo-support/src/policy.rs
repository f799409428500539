//! The demo's authorization policy, written as an app would write it.

use vortex_routes::{Authorize, Decision, Operation, VortexUser};

/// The admin (admin scope `autojoin`) may do everything. The regular user may get a JWT or
/// token, get one invitation, accept invitations, and list invitations by target only for
/// their own e-mail address; everything else is refused.
#[derive(Clone, Copy, Debug, Default)]
pub struct DemoPolicy;

impl Authorize for DemoPolicy {
    async fn authorize(&self, operation: &Operation, user: &VortexUser) -> Decision {
        if user.is_admin_of("autojoin") {
            return Decision::Allow;
        }
        match operation {
            Operation::Jwt
            | Operation::Token { .. }
            | Operation::GetInvitation { .. }
            | Operation::AcceptInvitations { .. } => Decision::Allow,
            Operation::GetInvitations {
                target_type,
                target_value,
            } if target_type == "email" && Some(target_value) == user.email.as_ref() => {
                Decision::Allow
            }
            Operation::GetInvitations { .. } => Decision::deny_with(
                "You can only list the invitations sent to your own e-mail address",
            ),
            other => Decision::deny_with(format!("Only admins may do this ({})", other.name())),
        }
    }
}
