//! The user that tokens and signatures are made for.

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

/// A user, as `generate_jwt`, `generate_token` and `sign` receive it.
///
/// The common fields are typed; anything else goes in [`extra`](Self::extra), in order.
/// `generate_jwt` ignores `extra` (the official SDK does not copy custom user keys into the
/// legacy JWT); `sign` and `generate_token` include it.
///
/// ```
/// use vortex_client::User;
///
/// let user = User::new("user-1")
///     .email("ada@example.com")
///     .name("Ada")
///     .admin_scopes(["autojoin"])
///     .extra("department", "eng");
/// assert_eq!(
///     serde_json::to_string(&user.to_json())?,
///     r#"{"id":"user-1","email":"ada@example.com","name":"Ada","adminScopes":["autojoin"],"department":"eng"}"#
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct User {
    /// The app's id for the user.
    pub id: UserId,
    /// E-mail address. `Some("")` is kept as an empty string, like the official SDK does.
    pub email: Option<String>,
    /// Display name.
    pub name: Option<String>,
    /// Avatar URL.
    pub avatar_url: Option<String>,
    /// Admin scopes, e.g. `autojoin`. Empty means none.
    pub admin_scopes: Vec<String>,
    /// E-mail domains the user may invite. Empty means no restriction.
    pub allowed_email_domains: Vec<String>,
    /// Other user properties, in insertion order.
    pub extra: Map<String, Value>,
}

impl User {
    /// A user with only an id.
    pub fn new(id: impl Into<UserId>) -> Self {
        Self {
            id: id.into(),
            email: None,
            name: None,
            avatar_url: None,
            admin_scopes: Vec::new(),
            allowed_email_domains: Vec::new(),
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

impl Serialize for User {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

/// Reads the JSON object of [`User::to_json`] back. `userName` and `userAvatarUrl` (the
/// deprecated names) are kept in `extra`, where the signing functions read them as fallbacks.
impl<'de> Deserialize<'de> for User {
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
        Ok(Self {
            id,
            email,
            name,
            avatar_url,
            admin_scopes,
            allowed_email_domains,
            extra: map,
        })
    }
}
