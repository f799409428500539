//! The interface between the route core and a web framework: **for integration authors**.
//!
//! An app never needs this module: it uses `vortex-axum`, `vortex-actix` or `vortex-rocket`.
//! Those crates implement [`RouteRequest`] over their framework's request, hand it to
//! [`VortexRoutes::serve`](super::VortexRoutes::serve) (webhooks: [`verify_webhook`]), and
//! turn the [`RouteResponse`] into their framework's response. The
//! order of the checks (route, user, body limit, input, policy, upstream; for webhooks the
//! signature header, body limit, signature, event) is the core's, so every framework answers
//! the same request the same way.
//!
//! ```
//! use vortex_client::VortexClient;
//! use vortex_routes::adapter::{BodyError, RouteRequest, UserLookup};
//! use vortex_routes::{AllowAllAuthenticated, VortexRoutes, VortexUser};
//!
//! /// A request of a made-up framework.
//! struct Plain {
//!     method: &'static str,
//!     user: Option<VortexUser>,
//!     body: Vec<u8>,
//! }
//!
//! impl RouteRequest for Plain {
//!     type Body = Vec<u8>;
//!     fn method(&self) -> &str {
//!         self.method
//!     }
//!     fn path(&self) -> &str {
//!         "/jwt"
//!     }
//!     fn query(&self) -> Option<&str> {
//!         None
//!     }
//!     async fn user(&mut self) -> UserLookup {
//!         self.user.take().map_or(UserLookup::Anonymous, UserLookup::SignedIn)
//!     }
//!     async fn body(&mut self, limit: usize) -> Result<Vec<u8>, BodyError> {
//!         BodyError::check_length(Some(self.body.len() as u64), limit)?;
//!         Ok(std::mem::take(&mut self.body))
//!     }
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
//! let client = VortexClient::new("VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing")?;
//! let routes = VortexRoutes::new(client, AllowAllAuthenticated);
//! let request = |method, user| Plain { method, user, body: Vec::new() };
//!
//! let answer = routes.serve(request("POST", Some(VortexUser::new("u1")))).await;
//! assert_eq!(answer.status(), 200);
//! assert_eq!(routes.serve(request("POST", None)).await.status(), 401);
//! let wrong_method = routes.serve(request("PUT", None)).await;
//! assert_eq!(wrong_method.status(), 405);
//! assert_eq!(wrong_method.body(), r#"{"error":"Method not allowed"}"#);
//! # Ok::<(), vortex_client::Error>(())
//! # }).unwrap();
//! ```

use std::future::Future;

use super::error::RouteError;
use super::metrics;
pub use super::response::RouteResponse;
use super::webhook::{ClaimSlot, WebhookRejection, WebhookVerifier};
use vortex_client::VortexUser;
use vortex_client::webhook::VortexEvent;

/// Who sent a request, as the app's user extractor or guard tells it.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
#[allow(clippy::large_enum_variant)] // made once per request and consumed at once
pub enum UserLookup {
    /// A signed-in user.
    SignedIn(VortexUser),
    /// Nobody is signed in: the extractor rejected with a client error (4xx) or forwarded.
    /// The routes answer 401.
    Anonymous,
    /// The extractor failed with a server error (5xx), such as a missing session layer: a
    /// configuration mistake of the app. The routes answer 500 JSON and log `cause` at error
    /// level, rather than treat the caller as anonymous.
    Failed {
        /// What the extractor said, for the log.
        cause: String,
    },
    /// The extractor answered 503: what it reads the user from (a session store) is down
    /// for now. The routes answer 503 with `Retry-After` and log `cause` at warn level.
    Unavailable {
        /// What the extractor said, for the log.
        cause: String,
    },
}

impl UserLookup {
    /// The lookup of the app's extractor or guard `U` that rejected with HTTP `status` and
    /// said `detail`: [`Failed`](Self::Failed) for a 5xx, with the cause worded the same in
    /// every framework (`<U> failed with status <status>: <detail>`);
    /// [`Anonymous`](Self::Anonymous) otherwise.
    ///
    /// ```
    /// use vortex_routes::adapter::UserLookup;
    ///
    /// struct AppUser;
    ///
    /// assert_eq!(UserLookup::rejected::<AppUser>(401, || "not signed in".into()), UserLookup::Anonymous);
    /// let UserLookup::Failed { cause } = UserLookup::rejected::<AppUser>(500, || "no session layer".into()) else {
    ///     panic!("a 5xx is a configuration mistake");
    /// };
    /// assert!(cause.ends_with("AppUser failed with status 500: no session layer"), "{cause}");
    /// ```
    /// A 503 is [`Unavailable`](Self::Unavailable) (the extractor's store is down, not
    /// misconfigured).
    pub fn rejected<U>(status: u16, detail: impl FnOnce() -> String) -> Self {
        if (500..600).contains(&status) {
            let name = std::any::type_name::<U>();
            let detail = detail();
            let cause = format!("{name} failed with status {status}: {detail}");
            if status == 503 {
                Self::Unavailable { cause }
            } else {
                Self::Failed { cause }
            }
        } else {
            Self::Anonymous
        }
    }

    /// The signed-in user, or the error to answer: 401 when anonymous, 500 (logged with the
    /// cause) when the extractor failed, 503 when it is unavailable. What the `CurrentUser`
    /// extractors answer.
    pub fn into_user(self) -> Result<VortexUser, RouteError> {
        match self {
            Self::SignedIn(user) => Ok(user),
            Self::Anonymous => Err(RouteError::unauthorized()),
            Self::Failed { cause } => Err(RouteError::misconfigured(&cause)),
            Self::Unavailable { cause } => Err(RouteError::dependency_unavailable(&cause)),
        }
    }
}

/// Why a body could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BodyError {
    /// Larger than `limit` bytes (the limit that applied, which the answer names).
    #[error("the body is larger than {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The client stopped sending or sent a broken body.
    #[error("the body could not be read")]
    Unreadable,
}

impl BodyError {
    /// Refuses a body whose declared `Content-Length` is over `limit`, before reading it.
    ///
    /// ```
    /// use vortex_routes::adapter::BodyError;
    ///
    /// assert_eq!(BodyError::check_length(Some(11), 10), Err(BodyError::TooLarge { limit: 10 }));
    /// assert_eq!(BodyError::check_length(None, 10), Ok(()));
    /// ```
    pub fn check_length(declared: Option<u64>, limit: usize) -> Result<(), Self> {
        match declared {
            Some(length) if length > limit as u64 => Err(Self::TooLarge { limit }),
            _ => Ok(()),
        }
    }

    /// [`check_length`](Self::check_length) with the raw `Content-Length` header value (an
    /// invalid one is ignored: the limit is enforced while reading anyway).
    pub fn check_header(content_length: Option<&[u8]>, limit: usize) -> Result<(), Self> {
        let declared = content_length
            .and_then(|value| std::str::from_utf8(value).ok())
            .and_then(|value| value.trim().parse().ok());
        Self::check_length(declared, limit)
    }
}

/// What the core asks of a request to the Vortex routes: its method and path (for 404/405),
/// once it matched a route the user (for 401), then the body (for 413), then the query. It
/// never reads the body of a request it refused.
pub trait RouteRequest {
    /// The body once read.
    type Body: AsRef<[u8]>;

    /// The method, such as `"POST"`.
    fn method(&self) -> &str;

    /// The raw path under the mount point, still percent-encoded, with or without the
    /// leading `/` (`""` for the mount point itself).
    fn path(&self) -> &str;

    /// The raw query string, without `?`.
    fn query(&self) -> Option<&str>;

    /// Runs the app's user extractor or guard.
    fn user(&mut self) -> impl Future<Output = UserLookup>;

    /// Reads the whole body, refusing more than `limit` bytes (or a lower limit that the
    /// framework's configuration sets, reported in [`BodyError::TooLarge`]).
    fn body(&mut self, limit: usize) -> impl Future<Output = Result<Self::Body, BodyError>>;
}

/// A webhook that [`verify_webhook`] accepted.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct VerifiedEvent<B> {
    /// The verified event.
    pub event: VortexEvent,
    /// The raw body, as signed.
    pub body: B,
}

/// Where a webhook extractor found the request's [`ClaimSlot`] (put there by its
/// framework's layer, middleware or fairing), or what to add when there is none.
#[derive(Clone, Copy, Debug)]
pub enum SlotLookup<'a> {
    /// The request's slot.
    Found(&'a ClaimSlot),
    /// No slot: `fix` names the layer, middleware or fairing to add.
    Missing {
        /// What to add, as the app writes it.
        fix: &'a str,
    },
}

impl<'a> SlotLookup<'a> {
    /// [`Found`](Self::Found) with `slot`, [`Missing`](Self::Missing) with `fix` otherwise.
    pub fn new(slot: Option<&'a ClaimSlot>, fix: &'a str) -> Self {
        slot.map_or(Self::Missing { fix }, Self::Found)
    }
}

/// Verifies a webhook request with `verifier`: the `X-Vortex-Signature` header values as
/// received (400/401) before the body is read, the body with `read_body(limit)` (413), then
/// the signature, the event and its freshness; then, with an event store, claims the event
/// id (duplicate 200 `{"received":true,"duplicate":true}`, in progress 409, store error 503)
/// and puts the claim in the request's slot, for the framework's layer to finish with the
/// response status. A refusal is the JSON answer to send.
///
/// With an event store and no slot (the app forgot the layer), the answer is 500 JSON naming
/// the fix, logged at error level: a claim that nothing would complete must not be taken.
///
/// `read_body` reads the whole body, as [`RouteRequest::body`].
pub async fn verify_webhook<B, F>(
    verifier: &WebhookVerifier,
    signatures: &[&[u8]],
    read_body: F,
    slot: SlotLookup<'_>,
) -> Result<VerifiedEvent<B>, RouteResponse>
where
    B: AsRef<[u8]>,
    F: AsyncFnOnce(usize) -> Result<B, BodyError>,
{
    let reject = |rejection: WebhookRejection| {
        metrics::webhook_rejected(&rejection, None);
        rejection.to_response()
    };
    verifier
        .check_headers(signatures.iter().copied())
        .map_err(reject)?;
    let body = read_body(verifier.limit())
        .await
        .map_err(|error| match error {
            BodyError::TooLarge { limit } => reject(WebhookRejection::PayloadTooLarge { limit }),
            BodyError::Unreadable => reject(WebhookRejection::UnreadableBody),
        })?;
    let event = verifier
        .verify(signatures.iter().copied(), body.as_ref())
        .await
        .map_err(reject)?;
    if verifier.event_claims().is_some() && event.id().is_some() {
        let slot = match slot {
            SlotLookup::Found(slot) => slot,
            SlotLookup::Missing { fix } => return Err(missing_verifier(fix)),
        };
        let claimed = verifier.claim(&event).await.map_err(|rejection| {
            metrics::webhook_rejected(&rejection, Some(&event));
            rejection.to_response()
        })?;
        if let Some(claim) = claimed {
            slot.put_bounded(claim, verifier.store_timeout_duration());
        }
    }
    if let SlotLookup::Found(slot) = slot {
        slot.deliver(&event);
    }
    Ok(VerifiedEvent { event, body })
}

/// The message of a webhook extractor or guard that finds no [`WebhookVerifier`]: what
/// `add` names is framework-specific, the wording is the same in every framework.
///
/// ```
/// const MISSING_VERIFIER: &str = vortex_routes::missing_verifier_message!(".manage(verifier)");
/// assert_eq!(MISSING_VERIFIER, "VerifiedWebhook needs a WebhookVerifier: add .manage(verifier)");
/// ```
#[macro_export]
macro_rules! missing_verifier_message {
    ($add:literal) => {
        concat!("VerifiedWebhook needs a WebhookVerifier: add ", $add)
    };
}

/// The message of a webhook extractor or guard whose verifier has an event store while the
/// route lacks the framework's `WebhookClaims` (`kind`: layer, middleware or fairing).
///
/// ```
/// const MISSING_CLAIMS: &str = vortex_routes::missing_claims_message!("fairing", ".attach(WebhookClaims::new())");
/// assert_eq!(
///     MISSING_CLAIMS,
///     "VerifiedWebhook with an event store needs the WebhookClaims fairing: add .attach(WebhookClaims::new())"
/// );
/// ```
#[macro_export]
macro_rules! missing_claims_message {
    ($kind:literal, $add:literal) => {
        concat!(
            "VerifiedWebhook with an event store needs the WebhookClaims ",
            $kind,
            ": add ",
            $add
        )
    };
}

/// The 500 JSON answer of a webhook extractor that finds no [`WebhookVerifier`] (or, with an
/// event store, no [`ClaimSlot`]): `fix` says what to add (it is logged at error level and
/// sent, as a configuration mistake of the app).
pub fn missing_verifier(fix: &str) -> RouteResponse {
    tracing::error!(error.kind = "misconfigured", "{fix}");
    RouteResponse::error(500, fix)
}

/// A core header value (`Cow<'static, str>`) as the framework's `HeaderValue` type (`http`
/// 0.2 or 1.x, hence a macro): a static value needs no copy or check; `None` for an owned
/// value that is not a valid header value.
#[doc(hidden)]
#[macro_export]
macro_rules! __header_value {
    ($header_value:ty, $value:expr) => {
        match $value {
            ::std::borrow::Cow::Borrowed(value) => Some(<$header_value>::from_static(value)),
            ::std::borrow::Cow::Owned(value) => <$header_value>::try_from(value).ok(),
        }
    };
}

/// Whether `value` may be sent as an HTTP header value (RFC 9110 field value: visible ASCII,
/// spaces, tabs and obs-text; no control character). The core's headers always are; an
/// adapter whose framework does not check (Rocket) checks with this, as the others do with
/// their `HeaderValue`.
///
/// ```
/// use vortex_routes::adapter::is_valid_header_value;
///
/// assert!(is_valid_header_value("GET, POST"));
/// assert!(!is_valid_header_value("a\r\nSet-Cookie: x"));
/// ```
pub fn is_valid_header_value(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b == b'\t' || (b >= 0x20 && b != 0x7f))
}

/// Defines an adapter's `VortexResponse`: a core answer as the framework's response type,
/// convertible from [`RouteResponse`] and [`RouteError`](super::RouteError). The adapter
/// implements its framework's response traits for it. Attributes (docs) go first.
#[doc(hidden)]
#[macro_export]
macro_rules! __vortex_response {
    ($(#[$meta:meta])*) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct VortexResponse(pub $crate::adapter::RouteResponse);

        impl ::core::convert::From<$crate::adapter::RouteResponse> for VortexResponse {
            fn from(answer: $crate::adapter::RouteResponse) -> Self {
                Self(answer)
            }
        }

        impl ::core::convert::From<$crate::RouteError> for VortexResponse {
            fn from(error: $crate::RouteError) -> Self {
                Self(error.into())
            }
        }
    };
}

/// Defines an adapter's `CurrentUser<U>`: the signed-in [`VortexUser`] found by the app's
/// extractor or guard `U`, with `into_inner`, `Deref` and a private `new`. The adapter
/// implements its framework's extractor trait for it. Attributes (docs) go first.
#[doc(hidden)]
#[macro_export]
macro_rules! __current_user {
    ($(#[$meta:meta])*) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct CurrentUser<U> {
            user: $crate::VortexUser,
            app_user: ::core::marker::PhantomData<fn() -> U>,
        }

        impl<U> CurrentUser<U> {
            fn new(user: $crate::VortexUser) -> Self {
                Self {
                    user,
                    app_user: ::core::marker::PhantomData,
                }
            }

            /// The user.
            pub fn into_inner(self) -> $crate::VortexUser {
                self.user
            }
        }

        impl<U> ::core::ops::Deref for CurrentUser<U> {
            type Target = $crate::VortexUser;

            fn deref(&self) -> &$crate::VortexUser {
                &self.user
            }
        }
    };
}
