//! Tokens and signatures, byte-identical with the official Node SDK.
//!
//! - [`Signer::generate_jwt`]: the legacy token that `POST /jwt` returns to the React provider.
//! - [`Signer::generate_token`]: the widget token.
//! - [`Signer::sign`]: the widget `signature` prop (`kid:hex`).

use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::Mac;
use serde_json::{Map, Value};

use crate::api_key::{ApiKey, HmacSha256};
use crate::expires::ExpiresIn;
use crate::js_object::{
    Js, JsObject, KnownMembers, known_key, known_key_name, write_known_members,
};
use crate::json;
use crate::time::{Clock, SystemClock};
use crate::user::{UserId, VortexUser};

/// The warning the official SDK logs when a widget token has no `user.id`.
pub const MISSING_USER_ID_WARNING: &str = "[Vortex SDK] Warning: signing payload without user.id means invitations won't be securely attributed to a user.";

/// Why a token or signature could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// `sign` needs a user id (`id`, or `userId` among the extra properties).
    #[error("userId (or id) is required for signing: give the user a non-empty id")]
    MissingUserId,
    /// The expiry time would not fit in a JavaScript number (2^53 - 1 seconds).
    #[error("the token expiry time is too large: use a shorter expiresIn")]
    ExpiryTooLarge,
    /// The `params` given to the JSON form of `generate_jwt` have no `user` object.
    #[error("params.user must be a JSON object with the user's id")]
    MissingUser,
}

/// Options for [`Signer::generate_jwt`] and [`Signer::generate_token`].
///
/// ```
/// use vortex_client::ExpiresIn;
/// use vortex_client::token::TokenOptions;
///
/// let options = TokenOptions::default().expires_in("1h".parse::<ExpiresIn>()?);
/// assert_eq!(options.expires_in.as_secs(), 3600);
/// # Ok::<(), vortex_client::ExpiresInError>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenOptions {
    /// Token lifetime; 30 days by default.
    pub expires_in: ExpiresIn,
}

impl TokenOptions {
    /// Sets the token lifetime.
    #[must_use]
    pub fn expires_in(mut self, expires_in: ExpiresIn) -> Self {
        self.expires_in = expires_in;
        self
    }
}

/// The input of [`Signer::generate_jwt`]: the user plus extra top-level claims (for example
/// `attributes`), in order.
///
/// ```
/// use serde_json::json;
/// use vortex_client::VortexUser;
/// use vortex_client::token::JwtParams;
///
/// let params = JwtParams::new(VortexUser::new("user-1").email("a@example.com"))
///     .claim("attributes", json!({"plan": "pro"}));
/// assert_eq!(params.claims["attributes"]["plan"], "pro");
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct JwtParams {
    /// The user the token is for.
    pub user: VortexUser,
    /// Other top-level claims, appended after the user claims. A claim named like a user
    /// claim (`userId`, `role`, …) replaces it in place, as in the official SDK.
    pub claims: Map<String, Value>,
}

impl JwtParams {
    /// Params for `user` with no extra claims.
    pub fn new(user: VortexUser) -> Self {
        Self {
            user,
            claims: Map::new(),
        }
    }

    /// Adds a top-level claim.
    #[must_use]
    pub fn claim(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.claims.insert(key.into(), value.into());
        self
    }
}

/// The payload of a widget token: an ordered JSON object, written in the order built.
///
/// ```
/// use serde_json::json;
/// use vortex_client::VortexUser;
/// use vortex_client::token::TokenPayload;
///
/// let payload = TokenPayload::new()
///     .user(&VortexUser::new("user-1").email("a@example.com"))
///     .component("c1")
///     .scope("s1")
///     .vars(json!({"a": 1}));
/// assert_eq!(
///     serde_json::to_string(payload.as_map())?,
///     r#"{"user":{"id":"user-1","email":"a@example.com"},"component":"c1","scope":"s1","vars":{"a":1}}"#
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TokenPayload(Map<String, Value>);

impl TokenPayload {
    /// An empty payload.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `user`.
    #[must_use]
    pub fn user(self, user: &VortexUser) -> Self {
        self.set("user", Value::Object(user.to_json()))
    }

    /// Sets `component` (the widget id).
    #[must_use]
    pub fn component(self, component: impl Into<String>) -> Self {
        self.set("component", Value::String(component.into()))
    }

    /// Sets `scope`.
    #[must_use]
    pub fn scope(self, scope: impl Into<String>) -> Self {
        self.set("scope", Value::String(scope.into()))
    }

    /// Sets `vars` (template variables).
    #[must_use]
    pub fn vars(self, vars: impl Into<Value>) -> Self {
        self.set("vars", vars.into())
    }

    /// Sets any other key.
    #[must_use]
    pub fn set(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.0.insert(key.into(), value.into());
        self
    }

    /// The payload as a JSON map.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.0
    }

    /// Whether the payload lacks `user.id`, for which the official SDK logs
    /// [`MISSING_USER_ID_WARNING`] (an empty string id counts as present).
    pub fn lacks_user_id(&self) -> bool {
        self.0
            .get("user")
            .and_then(|u| u.get("id"))
            .is_none_or(Value::is_null)
    }
}

impl From<Map<String, Value>> for TokenPayload {
    fn from(map: Map<String, Value>) -> Self {
        Self(map)
    }
}

impl From<TokenPayload> for Map<String, Value> {
    fn from(payload: TokenPayload) -> Self {
        payload.0
    }
}

/// Makes tokens and signatures with one API key.
///
/// Cheap to clone. The key is parsed and its signing key derived once, in
/// [`Signer::new`]; the clock is the system clock unless [`Signer::with_clock`] pins it.
///
/// The widget-token header never changes, so it is encoded and hashed once, here. The legacy
/// JWT header changes once a second (it holds `iat`): each thread keeps the last one it
/// encoded, so only the first JWT of each second on a thread pays for it.
///
/// ```
/// use vortex_client::{ApiKey, Signer, VortexUser};
/// use vortex_client::time::FixedClock;
/// use vortex_client::token::{JwtParams, TokenOptions};
///
/// let key: ApiKey = "VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing".parse()?;
/// let signer = Signer::new(key).with_clock(FixedClock(1_700_000_000));
/// let user = VortexUser::new("u1").email("u1@example.com").name("U One").admin_scopes(["autojoin"]);
/// let jwt = signer.generate_jwt(&JwtParams::new(user), TokenOptions::default())?;
/// assert!(jwt.ends_with(".6AH6IisW4IpvAz28dPL55qHhY6wt0WH9TvtO3KHNZ-k"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Signer {
    /// Tells this signer's cached JWT header from other signers' (clones share the key, and so
    /// the id).
    id: u64,
    key: Arc<ApiKey>,
    /// `base64url({"alg":"HS256","typ":"JWT","kid":…}).`: the widget-token header never
    /// changes, so it is encoded, and absorbed into an HMAC state, once.
    token_header: Arc<str>,
    token_header_mac: HmacSha256,
    clock: Arc<dyn Clock>,
}

impl Signer {
    /// A signer for `key`, on the system clock.
    pub fn new(key: ApiKey) -> Self {
        let mut header = String::with_capacity(64);
        header.push_str(r#"{"alg":"HS256","typ":"JWT","kid":"#);
        json::write_str(&mut header, key.kid());
        header.push('}');
        let mut token_header = URL_SAFE_NO_PAD.encode(header);
        token_header.push('.');
        let mut token_header_mac = key.mac();
        token_header_mac.update(token_header.as_bytes());
        static NEXT_ID: AtomicU64 = AtomicU64::new(0);
        Self {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            token_header: token_header.into(),
            token_header_mac,
            key: Arc::new(key),
            clock: Arc::new(SystemClock),
        }
    }

    /// Uses `clock` for "now" (tests, vectors).
    #[must_use]
    pub fn with_clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    #[cfg(feature = "client")]
    pub(crate) fn with_arc_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The API key.
    pub fn api_key(&self) -> &ApiKey {
        &self.key
    }

    /// The legacy JWT that `POST /jwt` returns (Node `generateJwt`).
    ///
    /// Header `{"iat","alg","typ","kid"}`; payload `userId`, `userEmail` (when set),
    /// `expires`, `identifiers`, `name`, `avatarUrl`, `adminScopes` (non-empty; with
    /// `userIsAutojoinAdmin` and `role` when it includes `autojoin`), `allowedEmailDomains`
    /// (non-empty), then the extra claims.
    ///
    /// ```
    /// use vortex_client::{ApiKey, Signer, VortexUser};
    /// use vortex_client::time::FixedClock;
    /// use vortex_client::token::{JwtParams, TokenOptions};
    ///
    /// let signer = Signer::new("VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing".parse()?)
    ///     .with_clock(FixedClock(1_700_000_000));
    /// let jwt = signer.generate_jwt(&JwtParams::new(VortexUser::new("user-1")), TokenOptions::default())?;
    /// assert!(jwt.ends_with(".szANluyzTU82Nu6UECkgjsth8cw-PiVR8RUBIjxJE_o"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn generate_jwt(
        &self,
        params: &JwtParams,
        options: TokenOptions,
    ) -> Result<String, TokenError> {
        let user = UserView::typed(&params.user);
        let claims = params.claims.iter().map(|(k, v)| (k.as_str(), v));
        let jwt = self.jwt(&user, claims, options)?;
        crate::metrics::token_issued("jwt");
        Ok(jwt)
    }

    /// [`generate_jwt`](Self::generate_jwt) from JSON params as the Node SDK takes them:
    /// `{"user":{…}, …extra claims}`, keys in order.
    ///
    /// ```
    /// use serde_json::json;
    /// use vortex_client::Signer;
    /// use vortex_client::time::FixedClock;
    /// use vortex_client::token::TokenOptions;
    ///
    /// let signer = Signer::new("VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing".parse()?)
    ///     .with_clock(FixedClock(1_700_000_000));
    /// let params = json!({"user": {"id": "user-1", "email": "test@example.com"}});
    /// let jwt = signer.generate_jwt_json(params.as_object().unwrap(), TokenOptions::default())?;
    /// assert!(jwt.ends_with(".TdnZfc7GsS2tov2mlh4ZQ0rrXlYgidWoZJbwk3L-rNw"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn generate_jwt_json(
        &self,
        params: &Map<String, Value>,
        options: TokenOptions,
    ) -> Result<String, TokenError> {
        let user = params
            .get("user")
            .and_then(Value::as_object)
            .ok_or(TokenError::MissingUser)?;
        let user = UserView::json(user);
        let claims = params
            .iter()
            .filter(|(k, _)| *k != "user")
            .map(|(k, v)| (k.as_str(), v));
        let jwt = self.jwt(&user, claims, options)?;
        crate::metrics::token_issued("jwt");
        Ok(jwt)
    }

    fn jwt<'a>(
        &self,
        user: &'a UserView<'a>,
        claims: impl Iterator<Item = (&'a str, &'a Value)>,
        options: TokenOptions,
    ) -> Result<String, TokenError> {
        let now = self.clock.now_unix_seconds();
        let expires = expiry(now, options)?;
        let identifiers = if user.email.is_truthy() {
            Js::EmailIdentifier(&user.email)
        } else {
            Js::Strs(&[])
        };

        // The Node SDK's object literal, then its conditional assignments, in order.
        let mut known = KnownMembers::<10>::new();
        known.push(known_key!("userId"), user.id);
        known.push(known_key!("userEmail"), user.email);
        known.push(known_key!("expires"), Js::Int(expires));
        known.push(known_key!("identifiers"), identifiers);
        if user.name.is_truthy() {
            known.push(known_key!("name"), user.name);
        }
        if user.avatar_url.is_truthy() {
            known.push(known_key!("avatarUrl"), user.avatar_url);
        }
        if user.admin_scopes.has_length() {
            known.push(known_key!("adminScopes"), user.admin_scopes);
            if user.admin_scopes.includes("autojoin") {
                known.push(known_key!("userIsAutojoinAdmin"), Js::Bool(true));
                known.push(known_key!("role"), Js::Str("admin"));
            }
        }
        if user.allowed_email_domains.has_length() {
            known.push(
                known_key!("allowedEmailDomains"),
                user.allowed_email_domains,
            );
        }

        let mut payload_json = String::with_capacity(512);
        let mut claims = claims.peekable();
        if claims.peek().is_none() {
            write_known_members(&mut payload_json, known.as_slice(), false);
        } else {
            // A claim may replace a known one in place: assign them all as JavaScript does.
            let mut payload = JsObject::with_capacity(16);
            for (quoted_key, value) in known.as_slice() {
                payload.set(known_key_name(quoted_key), *value);
            }
            for (key, value) in claims {
                payload.set(key, Js::Json(value));
            }
            payload.write(&mut payload_json);
        }

        let (token, mac) = LAST_JWT_HEADER.with_borrow_mut(|last| {
            let hit = last
                .as_ref()
                .is_some_and(|header| header.signer == self.id && header.iat == now);
            if !hit {
                *last = None;
            }
            let header = last.get_or_insert_with(|| self.jwt_header(now));
            debug_assert!(
                !hit || header.is_same_as(&self.jwt_header(now)),
                "the cached JWT header differs from a freshly written one"
            );
            let mut token =
                Vec::with_capacity(header.encoded.len() + 48 + payload_json.len() * 4 / 3);
            token.extend_from_slice(header.encoded.as_bytes());
            (token, header.mac.clone())
        });
        let signed_from = token.len();
        Ok(finish_token(token, signed_from, mac, &payload_json))
    }

    /// The legacy JWT's header for `iat`, encoded and absorbed into an HMAC state.
    fn jwt_header(&self, iat: u64) -> JwtHeader {
        let mut header = String::with_capacity(96);
        header.push_str(r#"{"iat":"#);
        json::write_u64(&mut header, iat);
        header.push_str(r#","alg":"HS256","typ":"JWT","kid":"#);
        json::write_str(&mut header, self.key.kid());
        header.push('}');
        let mut encoded = URL_SAFE_NO_PAD.encode(header);
        encoded.push('.');
        let mut mac = self.key.mac();
        mac.update(encoded.as_bytes());
        JwtHeader {
            signer: self.id,
            iat,
            encoded,
            mac,
        }
    }

    /// A widget token (Node `generateToken`): header `{"alg","typ","kid"}`; payload = the
    /// caller's keys in the caller's order, then `iat` and `exp` (replacing existing ones in
    /// place).
    ///
    /// A payload without `user.id` is signed, with a warning in the logs, as the official
    /// SDK does.
    ///
    /// ```
    /// use serde_json::json;
    /// use vortex_client::{Signer, VortexUser};
    /// use vortex_client::time::FixedClock;
    /// use vortex_client::token::{TokenOptions, TokenPayload};
    ///
    /// let signer = Signer::new("VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing".parse()?)
    ///     .with_clock(FixedClock(1_700_000_000));
    /// let payload = TokenPayload::new()
    ///     .user(&VortexUser::new("user-1").email("test@example.com"))
    ///     .component("c1")
    ///     .scope("s1")
    ///     .vars(json!({"a": 1}));
    /// let token = signer.generate_token(&payload, TokenOptions::default())?;
    /// assert!(token.ends_with(".9Is5Ji_Lz-TvsLAKfbF-ZrZJ9UnXUwfTnlrsHNoDk3I"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn generate_token(
        &self,
        payload: &TokenPayload,
        options: TokenOptions,
    ) -> Result<String, TokenError> {
        let now = self.clock.now_unix_seconds();
        let exp = expiry(now, options)?;
        let mut has_user_id = false;
        let mut sets_iat_or_exp = false;
        for (key, value) in &payload.0 {
            match key.as_str() {
                "user" => has_user_id = value.get("id").is_some_and(|id| !id.is_null()),
                "iat" | "exp" => sets_iat_or_exp = true,
                _ => {}
            }
        }
        if !has_user_id {
            tracing::warn!("{MISSING_USER_ID_WARNING}");
        }
        let mut payload_json = String::with_capacity(512);
        if sets_iat_or_exp {
            // `iat` and `exp` replace the caller's values in place, as JavaScript assigns.
            let mut object = JsObject::with_capacity(payload.0.len() + 2);
            for (key, value) in &payload.0 {
                object.set(key, Js::Json(value));
            }
            object.set("iat", Js::Int(now));
            object.set("exp", Js::Int(exp));
            object.write(&mut payload_json);
        } else {
            // New non-index keys go last: write the caller's object, then the two claims.
            payload_json.push('{');
            let wrote_any = json::write_object_members(&mut payload_json, &payload.0);
            payload_json.push_str(&known_key!("iat")[usize::from(!wrote_any)..]);
            json::write_u64(&mut payload_json, now);
            payload_json.push_str(known_key!("exp"));
            json::write_u64(&mut payload_json, exp);
            payload_json.push('}');
        }

        let mut token =
            Vec::with_capacity(64 + self.token_header.len() + payload_json.len() * 4 / 3);
        token.extend_from_slice(self.token_header.as_bytes());
        // The header and its dot are already in this HMAC state.
        let signed_from = token.len();
        let token = finish_token(
            token,
            signed_from,
            self.token_header_mac.clone(),
            &payload_json,
        );
        crate::metrics::token_issued("token");
        Ok(token)
    }

    /// The widget signature for `user` (Node `sign`): `kid:hex(HMAC(signing key, canonical
    /// JSON))`, where the canonical JSON has its keys sorted at every level.
    ///
    /// ```
    /// use vortex_client::{Signer, VortexUser};
    ///
    /// let signer = Signer::new("VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing".parse()?);
    /// let signature = signer.sign(&VortexUser::new("user-1").email("test@example.com"))?;
    /// assert_eq!(
    ///     signature,
    ///     "00000000-0000-4000-8000-000000000001:3b5797c15f24621ab98eab466945cc5cdee15e04cb3e0bd27ea233bd187ef696"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sign(&self, user: &VortexUser) -> Result<String, TokenError> {
        self.sign_view(&UserView::typed(user))
    }

    /// [`sign`](Self::sign) for a user given as a JSON object, as the Node SDK takes it.
    pub fn sign_json(&self, user: &Map<String, Value>) -> Result<String, TokenError> {
        self.sign_view(&UserView::json(user))
    }

    fn sign_view(&self, user: &UserView<'_>) -> Result<String, TokenError> {
        let mut mac = self.key.mac();
        CANONICAL_JSON.with_borrow_mut(|canonical| {
            canonical.clear();
            let written = user.write_canonical_json(canonical);
            if written.is_ok() {
                mac.update(canonical.as_bytes());
            }
            if canonical.capacity() > MAX_KEPT_CANONICAL_JSON {
                // Do not hold on to the memory of one unusually large user.
                *canonical = String::new();
            }
            written
        })?;
        let digest = mac.finalize().into_bytes();
        let mut hex = [0u8; 64];
        for (pair, byte) in hex.chunks_exact_mut(2).zip(digest.iter()) {
            pair.copy_from_slice(&HEX_PAIRS[usize::from(*byte)]);
        }
        let kid = self.key.kid();
        let mut out = String::with_capacity(kid.len() + 1 + 64);
        out.push_str(kid);
        out.push(':');
        out.push_str(std::str::from_utf8(&hex).expect("HEX_PAIRS holds ASCII hex digits only"));
        Ok(out)
    }
}

/// The encoded header of [`Signer::generate_jwt`] for one signer and one second.
struct JwtHeader {
    signer: u64,
    iat: u64,
    /// `base64url(header).`
    encoded: String,
    /// The signer's HMAC state after absorbing `encoded`.
    mac: HmacSha256,
}

impl JwtHeader {
    /// Same signer, second, encoding and HMAC state (compared through the MAC of nothing
    /// more).
    fn is_same_as(&self, other: &Self) -> bool {
        self.signer == other.signer
            && self.iat == other.iat
            && self.encoded == other.encoded
            && self.mac.clone().finalize() == other.mac.clone().finalize()
    }
}

thread_local! {
    /// The canonical JSON of [`Signer::sign`] is hashed and dropped: each thread reuses one
    /// buffer for it instead of allocating one per signature.
    static CANONICAL_JSON: RefCell<String> = const { RefCell::new(String::new()) };
    /// The legacy JWT header changes only once a second (`iat`). Each thread keeps the last one
    /// it made, which saves encoding the header and hashing its first SHA-256 block on most
    /// calls.
    static LAST_JWT_HEADER: RefCell<Option<JwtHeader>> = const { RefCell::new(None) };
}

/// The largest canonical JSON buffer a thread keeps for the next signature.
const MAX_KEPT_CANONICAL_JSON: usize = 16 * 1024;

/// Lower-case hex of every byte value.
static HEX_PAIRS: [[u8; 2]; 256] = {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut table = [[0u8; 2]; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = [DIGITS[byte >> 4], DIGITS[byte & 0xf]];
        byte += 1;
    }
    table
};

/// Appends base64url (no padding) of `input` to `out`.
fn push_base64(out: &mut Vec<u8>, input: &[u8]) {
    let start = out.len();
    let len = base64::encoded_len(input.len(), false)
        .expect("the base64 length of a token part fits in usize");
    out.resize(start + len, 0);
    let written = URL_SAFE_NO_PAD
        .encode_slice(input, &mut out[start..])
        .expect("the buffer was sized with encoded_len");
    out.truncate(start + written);
}

/// Appends `payload.signature` to `token` (which holds `header.`) and signs it; `mac` has
/// already absorbed `token[..signed_from]`.
fn finish_token(
    mut token: Vec<u8>,
    signed_from: usize,
    mut mac: HmacSha256,
    payload_json: &str,
) -> String {
    push_base64(&mut token, payload_json.as_bytes());
    mac.update(&token[signed_from..]);
    let signature = mac.finalize().into_bytes();
    token.push(b'.');
    push_base64(&mut token, &signature);
    String::from_utf8(token).expect("a token is base64url parts and dots: ASCII")
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

/// The canonical JSON that [`Signer::sign`] signs, for debugging signature mismatches.
///
/// ```
/// use vortex_client::VortexUser;
/// use vortex_client::token::canonical_user_json;
///
/// let json = canonical_user_json(&VortexUser::new("u1").email("e@x.com").extra("a", 1))?;
/// assert_eq!(json, r#"{"a":1,"userEmail":"e@x.com","userId":"u1"}"#);
/// # Ok::<(), vortex_client::TokenError>(())
/// ```
pub fn canonical_user_json(user: &VortexUser) -> Result<String, TokenError> {
    UserView::typed(user).canonical_json()
}

/// [`canonical_user_json`] for a user given as a JSON object.
pub fn canonical_user_json_from_map(user: &Map<String, Value>) -> Result<String, TokenError> {
    UserView::json(user).canonical_json()
}

fn expiry(now: u64, options: TokenOptions) -> Result<u64, TokenError> {
    const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;
    now.checked_add(options.expires_in.as_secs())
        .filter(|t| *t <= MAX_SAFE_INTEGER)
        .ok_or(TokenError::ExpiryTooLarge)
}

/// The user fields the official SDK reads, borrowed from a typed [`VortexUser`] or a JSON object.
struct UserView<'a> {
    id: Js<'a>,
    /// `user.userId`, which `sign` accepts in place of `id`.
    user_id_alias: Js<'a>,
    email: Js<'a>,
    /// `name ?? userName`
    name: Js<'a>,
    /// `avatarUrl ?? userAvatarUrl`
    avatar_url: Js<'a>,
    admin_scopes: Js<'a>,
    allowed_email_domains: Js<'a>,
    /// Other properties; the known keys among them are skipped.
    others: &'a Map<String, Value>,
}

/// User keys that `sign` reads itself and does not copy as extra properties.
const KNOWN_USER_KEYS: [&str; 8] = [
    "id",
    "email",
    "name",
    "avatarUrl",
    "userName",
    "userAvatarUrl",
    "adminScopes",
    "allowedEmailDomains",
];

impl<'a> UserView<'a> {
    fn typed(user: &'a VortexUser) -> Self {
        let optional = |s: &'a Option<String>| s.as_deref().map_or(Js::Undefined, Js::Str);
        let extra = |key: &str| Js::from(user.extra.get(key));
        Self {
            id: match &user.id {
                UserId::String(s) => Js::Str(s),
                UserId::Number(n) => Js::Num(n),
            },
            user_id_alias: extra("userId"),
            email: optional(&user.email),
            name: optional(&user.name).or_else_nullish(extra("userName")),
            avatar_url: optional(&user.avatar_url).or_else_nullish(extra("userAvatarUrl")),
            admin_scopes: Js::Strs(&user.admin_scopes),
            allowed_email_domains: Js::Strs(&user.allowed_email_domains),
            others: &user.extra,
        }
    }

    fn json(user: &'a Map<String, Value>) -> Self {
        let field = |key: &str| Js::from(user.get(key));
        Self {
            id: field("id"),
            user_id_alias: field("userId"),
            email: field("email"),
            name: field("name").or_else_nullish(field("userName")),
            avatar_url: field("avatarUrl").or_else_nullish(field("userAvatarUrl")),
            admin_scopes: field("adminScopes"),
            allowed_email_domains: field("allowedEmailDomains"),
            others: user,
        }
    }

    fn canonical_json(&self) -> Result<String, TokenError> {
        let mut out = String::with_capacity(256);
        self.write_canonical_json(&mut out)?;
        Ok(out)
    }

    fn write_canonical_json(&self, out: &mut String) -> Result<(), TokenError> {
        if !self.id.is_truthy() && !self.user_id_alias.is_truthy() {
            return Err(TokenError::MissingUserId);
        }
        let when = |present: bool, value: Js<'a>| if present { value } else { Js::Undefined };
        // The claims `sign` reads itself, in their sorted order; absent ones are undefined.
        let known = [
            (
                known_key!("adminScopes"),
                when(self.admin_scopes.has_length(), self.admin_scopes),
            ),
            (
                known_key!("allowedEmailDomains"),
                when(
                    self.allowed_email_domains.has_length(),
                    self.allowed_email_domains,
                ),
            ),
            (
                known_key!("avatarUrl"),
                when(self.avatar_url.is_truthy(), self.avatar_url),
            ),
            (known_key!("name"), when(self.name.is_truthy(), self.name)),
            (
                known_key!("userEmail"),
                when(self.email.is_truthy(), self.email),
            ),
            (known_key!("userId"), self.id),
        ];
        let mut extra = self
            .others
            .iter()
            .filter(|(key, _)| !KNOWN_USER_KEYS.contains(&key.as_str()))
            .peekable();
        if extra.peek().is_none() {
            // Nothing to merge or sort: write the known claims as they are.
            write_known_members(out, &known, true);
            return Ok(());
        }
        let mut object = JsObject::with_capacity(known.len() + self.others.len());
        for (quoted_key, value) in known {
            object.set(known_key_name(quoted_key), value);
        }
        for (key, value) in extra {
            object.set(key, Js::Json(value));
        }
        object.write_canonical(out);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::FixedClock;
    use serde_json::json;

    const KEY: &str = "VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing";

    fn signer() -> Signer {
        Signer::new(KEY.parse().unwrap()).with_clock(FixedClock(1_700_000_000))
    }

    fn payload_of(token: &str) -> String {
        let part = token.split('.').nth(1).unwrap();
        String::from_utf8(URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    }

    #[test]
    fn jwt_full_user_with_attributes() {
        let user = VortexUser::new("u1")
            .email("u1@example.com")
            .name("U One")
            .avatar_url("https://example.com/a.png")
            .admin_scopes(["autojoin"])
            .allowed_email_domains(["example.com"]);
        let params = JwtParams::new(user).claim("attributes", json!({"role": "x"}));
        let jwt = signer()
            .generate_jwt(&params, TokenOptions::default())
            .unwrap();
        assert_eq!(
            payload_of(&jwt),
            concat!(
                r#"{"userId":"u1","userEmail":"u1@example.com","expires":1702592000,"#,
                r#""identifiers":[{"type":"email","value":"u1@example.com"}],"name":"U One","#,
                r#""avatarUrl":"https://example.com/a.png","adminScopes":["autojoin"],"#,
                r#""userIsAutojoinAdmin":true,"role":"admin","allowedEmailDomains":["example.com"],"#,
                r#""attributes":{"role":"x"}}"#
            )
        );
    }

    #[test]
    fn typed_and_json_forms_agree() {
        let user = VortexUser::new("u1")
            .email("")
            .name("")
            .admin_scopes(["a"])
            .extra("userName", "x");
        let params = JwtParams::new(user.clone()).claim("userId", "spoofed");
        let mut json_params = Map::new();
        json_params.insert("user".into(), Value::Object(user.to_json()));
        json_params.insert("userId".into(), json!("spoofed"));
        let s = signer();
        assert_eq!(
            s.generate_jwt(&params, TokenOptions::default()).unwrap(),
            s.generate_jwt_json(&json_params, TokenOptions::default())
                .unwrap()
        );
        assert_eq!(
            s.sign(&user).unwrap(),
            s.sign_json(&user.to_json()).unwrap()
        );
    }

    #[test]
    fn sign_requires_an_id() {
        let user = json!({"email": "x@example.com"});
        assert_eq!(
            signer().sign_json(user.as_object().unwrap()),
            Err(TokenError::MissingUserId)
        );
        let aliased = json!({"userId": "via-alias"});
        assert!(signer().sign_json(aliased.as_object().unwrap()).is_ok());
    }

    #[test]
    fn token_overrides_iat_and_exp_in_place() {
        let payload = TokenPayload::new()
            .set("exp", 1)
            .user(&VortexUser::new("o"))
            .set("iat", 2);
        let token = signer()
            .generate_token(&payload, TokenOptions::default())
            .unwrap();
        assert_eq!(
            payload_of(&token),
            r#"{"exp":1702592000,"user":{"id":"o"},"iat":1700000000}"#
        );
    }

    #[test]
    fn the_cached_jwt_header_follows_the_signer_and_the_second() {
        let a = signer();
        let a_later = a.clone().with_clock(FixedClock(1_700_000_001));
        let b = Signer::new(
            "VRTX.AAAAAAAAAAAAAAAAAAAAAA.another-secret"
                .parse()
                .unwrap(),
        )
        .with_clock(FixedClock(1_700_000_000));
        let params = JwtParams::new(VortexUser::new("u1").email("u1@example.com"));
        let make = |s: &Signer| s.generate_jwt(&params, TokenOptions::default()).unwrap();
        // A new thread starts with no cached header: its tokens are the reference.
        let fresh = |s: &Signer| {
            let (s, params) = (s.clone(), params.clone());
            std::thread::spawn(move || s.generate_jwt(&params, TokenOptions::default()).unwrap())
                .join()
                .unwrap()
        };
        for s in [&a, &a_later, &a, &b, &a, &b, &a_later] {
            assert_eq!(make(s), fresh(s));
        }
        let header_of = |token: &str| token.split('.').next().unwrap().to_owned();
        assert_ne!(header_of(&make(&a)), header_of(&make(&a_later)));
        assert_ne!(header_of(&make(&a)), header_of(&make(&b)));
    }

    /// The debug assertion on cache hits catches a cached header that no longer matches
    /// what the signer would write (here: one encoded for another second).
    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "the cached JWT header differs from a freshly written one")]
    fn a_corrupted_cached_jwt_header_fails_the_debug_assertion() {
        let s = signer();
        let mut corrupted = s.jwt_header(1_700_000_000);
        corrupted.encoded = s.jwt_header(1_700_000_001).encoded;
        LAST_JWT_HEADER.with_borrow_mut(|last| *last = Some(corrupted));
        let _ = s.generate_jwt(
            &JwtParams::new(VortexUser::new("u1")),
            TokenOptions::default(),
        );
    }

    #[test]
    fn expiry_overflow_is_an_error() {
        let s = Signer::new(KEY.parse().unwrap()).with_clock(FixedClock(u64::MAX - 10));
        let params = JwtParams::new(VortexUser::new("u"));
        assert_eq!(
            s.generate_jwt(&params, TokenOptions::default()),
            Err(TokenError::ExpiryTooLarge)
        );
    }
}
