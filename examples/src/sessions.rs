//! Server-side cookie sessions: the cookie holds only a random id.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use vortex_client::routes::VortexUser;

use crate::config::random_hex;
use crate::users;

/// The session cookie's name.
pub const COOKIE_NAME: &str = "vortex_demo_session";

/// The sessions of signed-in users (id → user id). Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct Sessions {
    by_id: Arc<Mutex<HashMap<String, String>>>,
}

impl Sessions {
    /// Starts a session for `user`; returns the `Set-Cookie` value.
    pub fn start(&self, user: &VortexUser) -> String {
        let id = random_hex(32);
        self.lock().insert(id.clone(), user.id.to_string());
        format!("{COOKIE_NAME}={id}; Path=/; HttpOnly; SameSite=Lax")
    }

    /// Ends the session named in the `Cookie` header, if any; returns the `Set-Cookie` value
    /// that clears the cookie.
    pub fn end(&self, cookie_header: Option<&str>) -> String {
        if let Some(id) = session_id(cookie_header) {
            self.lock().remove(id);
        }
        format!("{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
    }

    /// The user of the session named in the `Cookie` header.
    pub fn user(&self, cookie_header: Option<&str>) -> Option<VortexUser> {
        let id = session_id(cookie_header)?;
        let user_id = self.lock().get(id).cloned()?;
        users::by_id(&user_id)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        self.by_id.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The session id in a `Cookie` header.
fn session_id(cookie_header: Option<&str>) -> Option<&str> {
    cookie_header?
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value)
        .filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_round_trip_and_cannot_be_forged() {
        let sessions = Sessions::default();
        let admin = users::authenticate("admin@example.com", "password123").unwrap();
        let set_cookie = sessions.start(&admin);
        let cookie = set_cookie.split(';').next().unwrap().to_owned();
        assert_eq!(
            sessions.user(Some(&format!("a=b; {cookie}"))).unwrap().id,
            "user-1"
        );
        assert!(sessions.user(Some("vortex_demo_session=user-1")).is_none());
        sessions.end(Some(&cookie));
        assert!(sessions.user(Some(&cookie)).is_none());
    }
}
