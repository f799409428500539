//! The user: the one type that tokens and signatures are made for, and that the integration
//! routers authenticate and authorize.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};

/// A user id: a string, or a number for apps whose ids are numeric.
///
/// ```
/// use vortex_client::UserId;
///
/// assert_eq!(UserId::from("user-1").to_string(), "user-1");
/// assert_eq!(UserId::from(42u64).to_string(), "42");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum UserId {
    /// A string id (the common case).
    String(String),
    /// A numeric id, written as a JSON number.
    Number(Number),
}

impl UserId {
    /// The id as JSON.
    pub fn to_json(&self) -> Value {
        match self {
            Self::String(s) => Value::String(s.clone()),
            Self::Number(n) => Value::Number(n.clone()),
        }
    }
}

impl std::fmt::Display for UserId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::String(s) => f.write_str(s),
            Self::Number(n) => write!(f, "{n}"),
        }
    }
}

impl UserId {
    /// The id when it is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            Self::Number(_) => None,
        }
    }
}

impl PartialEq<str> for UserId {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == Some(other)
    }
}

impl PartialEq<&str> for UserId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

impl From<&str> for UserId {
    fn from(s: &str) -> Self {
        Self::String(s.to_owned())
    }
}

impl From<String> for UserId {
    fn from(s: String) -> Self {
        Self::String(s)
    }
}

impl From<&String> for UserId {
    fn from(s: &String) -> Self {
        Self::String(s.clone())
    }
}

impl From<u64> for UserId {
    fn from(n: u64) -> Self {
        Self::Number(n.into())
    }
}

impl From<i64> for UserId {
    fn from(n: i64) -> Self {
        Self::Number(n.into())
    }
}

/// The signed-in user of the app: what `generate_jwt`, `generate_token` and `sign` receive,
/// and what the integration routers (`vortex-axum`, `vortex-actix`, `vortex-rocket`) get
/// from the app's authentication, turn into `/jwt` and `/token` claims, and hand to policies.
///
/// The common fields are typed; [`attributes`](Self::attributes) are nested in the `/jwt`
/// token by the routers; anything else goes in [`extra`](Self::extra), in order.
/// `generate_jwt` ignores `extra` (the official SDK does not copy custom user keys into the
/// legacy JWT); `sign` and `generate_token` include it.
///
/// Serializable (camelCase, as the official SDKs take it), so an app can keep it in its
/// session.
///
/// ```
/// use serde_json::json;
/// use vortex_client::VortexUser;
///
/// let user = VortexUser::new("user-1")
///     .email("ada@example.com")
///     .name("Ada")
///     .admin_scopes(["autojoin"])
///     .extra("department", "eng");
/// assert!(user.is_admin_of("autojoin"));
/// assert_eq!(
///     serde_json::to_string(&user.to_json())?,
///     r#"{"id":"user-1","email":"ada@example.com","name":"Ada","adminScopes":["autojoin"],"department":"eng"}"#
/// );
///
/// // Attributes go into the `/jwt` token of the routers, and into the session with the user.
/// let user = user.attribute("plan", "pro");
/// let stored = serde_json::to_value(&user)?;
/// assert_eq!(stored["attributes"], json!({ "plan": "pro" }));
/// assert_eq!(serde_json::from_value::<VortexUser>(stored)?, user);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct VortexUser {
    /// The app's id for the user.
    pub id: UserId,
    /// E-mail address (optional: phone-only users get tokens too). `Some("")` is kept as an
    /// empty string, like the official SDK does.
    pub email: Option<String>,
    /// Display name.
    pub name: Option<String>,
    /// Avatar URL.
    pub avatar_url: Option<String>,
    /// Admin scopes, e.g. `autojoin` (an autojoin admin in the widgets). Empty means none.
    pub admin_scopes: Vec<String>,
    /// E-mail domains the user may invite. Empty means no restriction.
    pub allowed_email_domains: Vec<String>,
    /// Attributes that the routers nest in the `/jwt` token as `attributes` (when set, even
    /// if empty). Not part of [`to_json`](Self::to_json), so not signed by `sign`.
    pub attributes: Option<Map<String, Value>>,
    /// Other user properties, in insertion order.
    pub extra: Map<String, Value>,
}

impl VortexUser {
    /// A user with only an id.
    pub fn new(id: impl Into<UserId>) -> Self {
        Self {
            id: id.into(),
            email: None,
            name: None,
            avatar_url: None,
            admin_scopes: Vec::new(),
            allowed_email_domains: Vec::new(),
            attributes: None,
            extra: Map::new(),
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

    /// Adds an attribute (nested under `attributes` in the `/jwt` token of the routers).
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

    /// The `/jwt` params for this user, as the official Express router builds them: the
    /// user claims, then `attributes` when set.
    pub fn to_jwt_params(&self) -> crate::token::JwtParams {
        self.clone().into_jwt_params()
    }

    /// [`to_jwt_params`](Self::to_jwt_params), consuming the user (no copy of it).
    ///
    /// ```
    /// use vortex_client::VortexUser;
    ///
    /// let user = VortexUser::new("user-1").attribute("plan", "pro");
    /// let params = user.clone().into_jwt_params();
    /// assert_eq!(params.claims["attributes"]["plan"], "pro");
    /// assert_eq!(params.user.id, user.id);
    /// ```
    pub fn into_jwt_params(mut self) -> crate::token::JwtParams {
        // The signer never reads `user.attributes`: they are signed as the claim.
        let attributes = self.attributes.take();
        let params = crate::token::JwtParams::new(self);
        match attributes {
            Some(attributes) => params.claim("attributes", Value::Object(attributes)),
            None => params,
        }
    }

    /// Adds another user property (kept in insertion order).
    #[must_use]
    pub fn extra(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.extra.insert(key.into(), value.into());
        self
    }

    /// The user as the JSON object the official SDKs take: `id`, `email`, `name`,
    /// `avatarUrl`, `adminScopes`, `allowedEmailDomains` (each only when set), then `extra`.
    pub fn to_json(&self) -> Map<String, Value> {
        let mut map = Map::new();
        map.insert("id".into(), self.id.to_json());
        let strings = [
            ("email", &self.email),
            ("name", &self.name),
            ("avatarUrl", &self.avatar_url),
        ];
        for (key, value) in strings {
            if let Some(v) = value {
                map.insert(key.into(), Value::String(v.clone()));
            }
        }
        let lists = [
            ("adminScopes", &self.admin_scopes),
            ("allowedEmailDomains", &self.allowed_email_domains),
        ];
        for (key, list) in lists {
            if !list.is_empty() {
                map.insert(
                    key.into(),
                    list.iter().cloned().map(Value::String).collect(),
                );
            }
        }
        for (k, v) in &self.extra {
            map.insert(k.clone(), v.clone());
        }
        map
    }
}

/// Writes [`VortexUser::to_json`], then `attributes` when set.
impl Serialize for VortexUser {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = self.to_json();
        if let Some(attributes) = &self.attributes {
            map.insert("attributes".into(), Value::Object(attributes.clone()));
        }
        map.serialize(serializer)
    }
}

/// Reads the JSON object of [`VortexUser`]'s `Serialize` back (`attributes`, when an object,
/// becomes [`VortexUser::attributes`]). `userName` and `userAvatarUrl` (the
/// deprecated names) are kept in `extra`, where the signing functions read them as fallbacks.
impl<'de> Deserialize<'de> for VortexUser {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let mut map = Map::<String, Value>::deserialize(deserializer)?;
        let id = match map.shift_remove("id") {
            Some(Value::String(s)) => UserId::String(s),
            Some(Value::Number(n)) => UserId::Number(n),
            Some(_) => return Err(D::Error::custom("user id must be a string or a number")),
            None => return Err(D::Error::missing_field("id")),
        };
        let mut string = |key: &str| match map.shift_remove(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(D::Error::custom(format!("user {key} must be a string"))),
        };
        let email = string("email")?;
        let name = string("name")?;
        let avatar_url = string("avatarUrl")?;
        let mut list = |key: &str| match map.shift_remove(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|item| match item {
                    Value::String(s) => Ok(s),
                    _ => Err(D::Error::custom(format!("user {key} must hold strings"))),
                })
                .collect(),
            Some(_) => Err(D::Error::custom(format!(
                "user {key} must be an array of strings"
            ))),
        };
        let admin_scopes = list("adminScopes")?;
        let allowed_email_domains = list("allowedEmailDomains")?;
        let attributes = match map.shift_remove("attributes") {
            None | Some(Value::Null) => None,
            Some(Value::Object(attributes)) => Some(attributes),
            Some(_) => return Err(D::Error::custom("user attributes must be an object")),
        };
        Ok(Self {
            id,
            email,
            name,
            avatar_url,
            admin_scopes,
            allowed_email_domains,
            attributes,
            extra: map,
        })
    }
}
