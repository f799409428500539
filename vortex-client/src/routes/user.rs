//! The signed-in user, as the integration routers see it.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::token::JwtParams;
use crate::user::User;

/// The signed-in user of the app, as the app's authentication tells the router.
///
/// It becomes the `/jwt` and `/token` claims, and policies decide with it. Serializable
/// (camelCase), so an app can keep it in its session.
///
/// ```
/// use serde_json::json;
/// use vortex_client::routes::VortexUser;
///
/// let user = VortexUser::new("user-1")
///     .email("admin@example.com")
///     .name("Admin User")
///     .admin_scopes(["autojoin"])
///     .attribute("plan", json!("pro"));
/// assert!(user.is_admin_of("autojoin"));
/// assert_eq!(serde_json::to_value(&user)?["adminScopes"], json!(["autojoin"]));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct VortexUser {
    /// The app's user id.
    pub id: String,
    /// E-mail address (optional: phone-only users get tokens too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Avatar URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    /// Admin scopes (`autojoin` makes the user an autojoin admin in the widgets).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub admin_scopes: Vec<String>,
    /// E-mail domains the user may invite.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_email_domains: Vec<String>,
    /// Attributes nested in the `/jwt` token as `attributes` (when set, even if empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Map<String, Value>>,
}

impl VortexUser {
    /// A user with only an id.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            ..Self::default()
        }
    }

    /// Sets the e-mail address.
    #[must_use]
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Sets the display name.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the avatar URL.
    #[must_use]
    pub fn avatar_url(mut self, url: impl Into<String>) -> Self {
        self.avatar_url = Some(url.into());
        self
    }

    /// Sets the admin scopes.
    #[must_use]
    pub fn admin_scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.admin_scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the e-mail domains the user may invite.
    #[must_use]
    pub fn allowed_email_domains<I, S>(mut self, domains: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.allowed_email_domains = domains.into_iter().map(Into::into).collect();
        self
    }

    /// Adds an attribute (nested under `attributes` in the `/jwt` token).
    #[must_use]
    pub fn attribute(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.attributes
            .get_or_insert_with(Map::new)
            .insert(key.into(), value.into());
        self
    }

    /// Whether the user has admin scope `scope`.
    pub fn is_admin_of(&self, scope: &str) -> bool {
        self.admin_scopes.iter().any(|s| s == scope)
    }

    /// The token user: `id`, `email`, `name`, `avatarUrl`, `adminScopes`,
    /// `allowedEmailDomains` (attributes are not part of it).
    pub fn to_token_user(&self) -> User {
        User {
            id: self.id.clone().into(),
            email: self.email.clone(),
            name: self.name.clone(),
            avatar_url: self.avatar_url.clone(),
            admin_scopes: self.admin_scopes.clone(),
            allowed_email_domains: self.allowed_email_domains.clone(),
            extra: Map::new(),
        }
    }

    /// The `/jwt` params for this user, as the official Express router builds them:
    /// the user claims, then `attributes` when set.
    pub fn to_jwt_params(&self) -> JwtParams {
        let mut params = JwtParams::new(self.to_token_user());
        if let Some(attributes) = &self.attributes {
            params = params.claim("attributes", Value::Object(attributes.clone()));
        }
        params
    }
}
