//! The two demo users.

use vortex_routes::VortexUser;

struct DemoUser {
    email: &'static str,
    password: &'static str,
    id: &'static str,
    name: &'static str,
    admin_scopes: &'static [&'static str],
}

const USERS: [DemoUser; 2] = [
    DemoUser {
        email: "admin@example.com",
        password: "password123",
        id: "user-1",
        name: "Admin User",
        admin_scopes: &["autojoin"],
    },
    DemoUser {
        email: "user@example.com",
        password: "userpass",
        id: "user-2",
        name: "Regular User",
        admin_scopes: &[],
    },
];

fn to_vortex(user: &DemoUser) -> VortexUser {
    VortexUser::new(user.id)
        .email(user.email)
        .name(user.name)
        .admin_scopes(user.admin_scopes.iter().copied())
}

/// The user with these credentials.
pub fn authenticate(email: &str, password: &str) -> Option<VortexUser> {
    USERS
        .iter()
        .find(|u| u.email == email && u.password == password)
        .map(to_vortex)
}

/// The user with this id.
pub fn by_id(id: &str) -> Option<VortexUser> {
    USERS.iter().find(|u| u.id == id).map(to_vortex)
}

/// Every demo user.
pub fn all() -> Vec<VortexUser> {
    USERS.iter().map(to_vortex).collect()
}
