//! The request sequence of every route, once, for all frameworks: match, authenticate,
//! limit, validate, authorize, call, shape.

use std::fmt;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use futures_util::FutureExt as _;
use futures_util::future::try_join_all;
use serde_json::{Map, Value};
use tracing::Instrument as _;

use super::adapter::{BodyError, RouteRequest, RouteResponse};
use super::answered::{AnswerHook, Answered};
use super::error::{ErrorRenderer, RouteError, Seconds};
use super::input::{self, Action};
use super::metrics;
use super::operation::{Operation, OperationKind};
use super::policy::{BoxFuture, Decision, Policy, is_own_invitation};
use super::route::{RouteKind, match_route};
use super::shape::{AnswerError, Shape};
use vortex_client::Error;
use vortex_client::ExpiresIn;
use vortex_client::RawApi;
use vortex_client::TokenError;
use vortex_client::UserId;
use vortex_client::VortexClient;
use vortex_client::VortexUser;
use vortex_client::token::TokenOptions;

/// The default limit of request bodies of the router: 64 KiB.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// How long the routes wait for the app's user extractor or guard by default: 5 s. Past it
/// the route answers 503 (its session store stalls, e.g. a Redis that restarted).
pub const DEFAULT_USER_TIMEOUT: Duration = Duration::from_secs(5);

/// What the default deadline of a whole request adds to the user timeout and the client's
/// deadline, for the body, the policy and the answer: 5 s.
pub const DEFAULT_DEADLINE_MARGIN: Duration = Duration::from_secs(5);

type AttributesHook = dyn Fn(VortexUser, Map<String, Value>) -> BoxFuture<'static, Option<Map<String, Value>>>
    + Send
    + Sync;

/// The integration router's behaviour, framework-neutral: validate, authorize, call Vortex,
/// shape the answer. The `vortex-axum`, `vortex-actix` and `vortex-rocket` crates adapt it.
///
/// Cheap to clone.
///
/// ```
/// use vortex_client::VortexClient;
/// use vortex_routes::{AdminScopeOr, OwnInvitations, VortexRoutes};
///
/// # fn main() -> Result<(), vortex_client::Error> {
/// let client = VortexClient::new("VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing")?;
/// // Admins may do everything; others view and accept only invitations sent to them (or share links).
/// let routes = VortexRoutes::new(client, AdminScopeOr::new("autojoin", OwnInvitations))
///     .body_limit(16 * 1024);
/// assert_eq!(routes.limit(), 16 * 1024);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct VortexRoutes {
    inner: Arc<Inner>,
}

#[derive(Clone)]
struct Inner {
    client: VortexClient,
    policy: Policy,
    token_options: TokenOptions,
    body_limit: usize,
    jwt_attributes: Option<Arc<AttributesHook>>,
    render_error: Option<ErrorRenderer>,
    on_answer: Option<AnswerHook>,
    user_timeout: Duration,
    deadline: Option<Duration>,
}

impl fmt::Debug for VortexRoutes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VortexRoutes")
            .field("client", &self.inner.client)
            .field("token_options", &self.inner.token_options)
            .field("body_limit", &self.inner.body_limit)
            .field("user_timeout", &self.inner.user_timeout)
            .field("deadline", &self.deadline_duration())
            .field("error_renderer", &self.inner.render_error.is_some())
            .field("on_answer", &self.inner.on_answer.is_some())
            .finish_non_exhaustive()
    }
}

impl VortexRoutes {
    /// Routes calling Vortex through `client`, authorized by `policy`.
    pub fn new(client: VortexClient, policy: impl Into<Policy>) -> Self {
        Self {
            inner: Arc::new(Inner {
                client,
                policy: policy.into(),
                token_options: TokenOptions::default(),
                body_limit: DEFAULT_BODY_LIMIT,
                jwt_attributes: None,
                render_error: None,
                on_answer: None,
                user_timeout: DEFAULT_USER_TIMEOUT,
                deadline: None,
            }),
        }
    }

    fn inner_mut(&mut self) -> &mut Inner {
        Arc::make_mut(&mut self.inner)
    }

    /// Sets the lifetime of `/jwt` and `/token` tokens (default 30 days). A `/token`
    /// request may ask for a shorter one, never a longer one.
    #[must_use]
    pub fn token_lifetime(mut self, expires_in: ExpiresIn) -> Self {
        self.inner_mut().token_options = TokenOptions::default().expires_in(expires_in);
        self
    }

    /// Sets the body limit (default 64 KiB); larger bodies get 413.
    #[must_use]
    pub fn body_limit(mut self, limit: usize) -> Self {
        self.inner_mut().body_limit = limit;
        self
    }

    /// Sets a hook that receives the `context` of `POST /jwt` (`{"componentId","scope",
    /// "scopeType"}` from the React provider) and may return attributes for the token; they
    /// are merged over the user's own attributes.
    #[must_use]
    pub fn jwt_attributes<F, Fut>(mut self, hook: F) -> Self
    where
        F: Fn(VortexUser, Map<String, Value>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Option<Map<String, Value>>> + Send + 'static,
    {
        self.inner_mut().jwt_attributes =
            Some(Arc::new(move |user, context| Box::pin(hook(user, context))));
        self
    }

    /// Sets how error bodies are written: `render` turns each [`RouteError`] of these routes
    /// (404, 405, 401, 413, 400, 403, upstream failures, 500) into the JSON body to send,
    /// instead of `{"error": message}`. The status and the `Retry-After` and `Allow` headers
    /// stay. The same renderer serves axum, actix-web and Rocket.
    ///
    /// ```
    /// use serde_json::json;
    /// use vortex_client::VortexClient;
    /// use vortex_routes::{AllowAllAuthenticated, RouteError, VortexRoutes};
    ///
    /// # fn main() -> Result<(), vortex_client::Error> {
    /// let client = VortexClient::new("VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing")?;
    /// let routes = VortexRoutes::new(client, AllowAllAuthenticated).error_renderer(|error: &RouteError| {
    ///     json!({ "error": { "code": error.kind().as_str(), "message": error.message() } })
    /// });
    /// # let _ = routes;
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn error_renderer<F>(mut self, render: F) -> Self
    where
        F: Fn(&RouteError) -> Value + Send + Sync + 'static,
    {
        self.inner_mut().render_error = Some(Arc::new(render));
        self
    }

    /// Sets a hook called once per request with what was [`Answered`]: route, operation,
    /// user id, status, error kind and time taken. For an access log, an audit trail or
    /// counters of the app's own; it runs on the request's path, after the answer is made and
    /// before it is sent, so it should only record (no I/O that can wait).
    ///
    /// The routes' own `vortex.route` span (at `DEBUG`, with the same fields) serves
    /// `tracing` tools; this hook costs nothing when not set and needs no span.
    ///
    /// ```
    /// use vortex_client::VortexClient;
    /// use vortex_routes::{AllowAllAuthenticated, Answered, VortexRoutes};
    ///
    /// # fn main() -> Result<(), vortex_client::Error> {
    /// let client = VortexClient::new("VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing")?;
    /// let routes = VortexRoutes::new(client, AllowAllAuthenticated).on_answer(|answered: &Answered<'_>| {
    ///     tracing::info!(
    ///         route = answered.route.map(|route| route.pattern()),
    ///         status = answered.status,
    ///         user.id = answered.user_id.map(tracing::field::display),
    ///         latency_ms = answered.elapsed.as_secs_f64() * 1000.0,
    ///         "vortex request"
    ///     );
    /// });
    /// # let _ = routes;
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn on_answer<F>(mut self, hook: F) -> Self
    where
        F: Fn(&Answered<'_>) + Send + Sync + 'static,
    {
        self.inner_mut().on_answer = Some(Arc::new(hook));
        self
    }

    /// Sets how long a request waits for the app's user extractor or guard (default
    /// [`DEFAULT_USER_TIMEOUT`], 5 s). Past it the route answers 503 `Service unavailable;
    /// retry later` with `Retry-After`, and logs that the extractor did not answer: a session
    /// store that stalls never holds a request for good.
    #[must_use]
    pub fn user_timeout(mut self, timeout: Duration) -> Self {
        self.inner_mut().user_timeout = timeout;
        self
    }

    /// Sets the deadline of a whole request: user, body, policy, JWT attributes hook and the
    /// Vortex call. By default the user timeout plus the client's deadline
    /// ([`VortexClient::timeout`], 10 s by default) plus [`DEFAULT_DEADLINE_MARGIN`]: 20 s with
    /// the defaults. Past it the route answers 503 with `Retry-After` (408 when the client was
    /// still sending the body), logging what it was waiting for.
    #[must_use]
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.inner_mut().deadline = Some(deadline);
        self
    }

    /// The user timeout.
    pub fn user_timeout_duration(&self) -> Duration {
        self.inner.user_timeout
    }

    /// The deadline of a whole request (see [`deadline`](Self::deadline)).
    pub fn deadline_duration(&self) -> Duration {
        self.inner.deadline.unwrap_or_else(|| {
            self.inner
                .user_timeout
                .saturating_add(self.inner.client.timeout())
                .saturating_add(DEFAULT_DEADLINE_MARGIN)
        })
    }

    /// The body limit in bytes.
    pub fn limit(&self) -> usize {
        self.inner.body_limit
    }

    /// The API client.
    pub fn client(&self) -> &VortexClient {
        &self.inner.client
    }

    /// The answer for `error`, with the app's renderer when it set one.
    pub fn render(&self, error: &RouteError) -> RouteResponse {
        RouteResponse::from_error(error, self.inner.render_error.as_ref())
    }

    /// Serves one request, **for integration authors** (see [`adapter`](super::adapter)):
    /// route (404/405, from the request's [`method`](RouteRequest::method) and
    /// [`path`](RouteRequest::path)), user (401, or 500 when the app's extractor failed
    /// server-side), body limit (413), input (400), policy (403), Vortex, answer. A panic
    /// inside becomes 500 `Internal error`; a user lookup past the
    /// [user timeout](Self::user_timeout), or a request past the [deadline](Self::deadline),
    /// 503. Needs a Tokio runtime with its timer (as axum, actix-web and Rocket run on).
    //
    // A plain fn returning an `async move` block, not an `async fn`: an `async fn` keeps its
    // arguments and their rebound copies both in its future (the request twice), and that
    // future is copied whenever it moves (axum boxes it once per request).
    #[allow(clippy::manual_async_fn)] // see above
    pub fn serve<R: RouteRequest>(&self, mut request: R) -> impl Future<Output = RouteResponse> {
        async move {
            // At `DEBUG`, as tower-http's request spans: an app logging at `INFO` pays nothing
            // for it (its access log takes `on_answer`).
            let span = tracing::debug_span!(
                "vortex.route",
                route = tracing::field::Empty,
                operation = tracing::field::Empty,
                user.id = tracing::field::Empty,
                status = tracing::field::Empty,
                error.kind = tracing::field::Empty,
            );
            // Boxed: the steps' future (user, action, body) stays out of this one, which the
            // framework copies and boxes; both stay small allocations.
            let started = metrics::Started::now();
            let hook_started = self.inner.on_answer.as_ref().map(|_| Instant::now());
            let mut seen = Seen {
                keep_user_id: hook_started.is_some(),
                ..Seen::default()
            };
            let stage = Progress::default();
            let deadline = self.deadline_duration();
            let steps = self.respond(&mut request, &stage, &mut seen);
            let outcome =
                tokio::time::timeout(deadline, AssertUnwindSafe(Box::pin(steps)).catch_unwind())
                    .instrument(span.clone())
                    .await;
            let _entered = span.enter();
            let error = match outcome {
                Ok(Ok(Ok(answer))) => Ok(answer),
                Ok(Ok(Err(error))) => Err(error),
                Ok(Err(_)) => {
                    tracing::error!("a Vortex route panicked");
                    Err(RouteError::internal())
                }
                Err(_) => Err(stage.past_deadline(deadline)),
            };
            let (answer, error) = match error {
                Ok(answer) => (answer, None),
                Err(error) => (self.refuse(&error), Some(error.kind())),
            };
            span.record("status", answer.status());
            started.finish(request.method(), seen.route, answer.status(), error);
            if let (Some(hook), Some(hook_started)) = (&self.inner.on_answer, hook_started) {
                hook(&Answered {
                    method: request.method(),
                    route: seen.route,
                    operation: seen.operation,
                    user_id: seen.user_id.as_ref(),
                    status: answer.status(),
                    error,
                    elapsed: hook_started.elapsed(),
                });
            }
            answer
        }
    }

    /// The answer for `error`, noted in the logs with its kind.
    fn refuse(&self, error: &RouteError) -> RouteResponse {
        tracing::Span::current().record("error.kind", error.kind().as_str());
        tracing::debug!(
            error.kind = error.kind().as_str(),
            status = error.status(),
            "Vortex route refused: {error}"
        );
        self.render(error)
    }

    /// The steps of a request: route, user, body limit, input, policy, then the token or the
    /// call. One future, so that the user and the action are stored once.
    #[allow(clippy::manual_async_fn)] // as `serve`: arguments stored once
    fn respond<'a, R: RouteRequest>(
        &'a self,
        request: &'a mut R,
        stage: &'a Progress,
        seen: &'a mut Seen,
    ) -> impl Future<Output = Result<RouteResponse, RouteError>> {
        async move {
            let mut matched = match_route(request.method(), request.path())?;
            seen.route = Some(matched.kind);
            record_if_enabled("route", matched.kind.pattern());
            stage.set(Stage::User);
            let user_timeout = self.inner.user_timeout;
            let mut user = tokio::time::timeout(user_timeout, request.user())
                .await
                .map_err(|_| RouteError::dependency_timeout(Stage::User.what(), user_timeout))?
                .into_user()?;
            record_if_enabled("user.id", tracing::field::display(&user.id));
            if seen.keep_user_id {
                seen.user_id = Some(user.id.clone());
            }
            stage.set(Stage::Body);
            let body = request
                .body(self.inner.body_limit)
                .await
                .map_err(|e| match e {
                    BodyError::TooLarge { limit } => RouteError::payload_too_large(limit),
                    BodyError::Unreadable => RouteError::unreadable_body(),
                })?;
            let action = input::parse(
                &mut matched,
                &user,
                request.query(),
                body.as_ref(),
                self.inner.token_options,
            )?;
            drop(body);
            let operation = action.operation();
            seen.operation = Some(operation.kind());
            record_if_enabled("operation", operation.name());
            stage.set(Stage::Policy);
            let own_only = match self.inner.policy.decide(operation, &user).await {
                Decision::Allow => false,
                Decision::AllowOwnInvitations => true,
                Decision::Deny(message) => return Err(RouteError::forbidden(message)),
            };
            match action {
                Action::Jwt { context } => {
                    if let (Some(hook), Some(context)) = (&self.inner.jwt_attributes, context) {
                        stage.set(Stage::JwtHook);
                        let extra = hook(user.clone(), context).await;
                        if let Some(extra) = extra.filter(|extra| !extra.is_empty()) {
                            user.attributes.get_or_insert_with(Map::new).extend(extra);
                        }
                    }
                    let jwt = self
                        .inner
                        .client
                        .generate_jwt(&user.into_jwt_params(), self.inner.token_options)
                        .map_err(token_failure)?;
                    Ok(RouteResponse::token("jwt", &jwt))
                }
                Action::Token {
                    payload, options, ..
                } => {
                    let token = self
                        .inner
                        .client
                        .generate_token(&payload, options)
                        .map_err(token_failure)?;
                    Ok(RouteResponse::token("token", &token))
                }
                // Boxed: the upstream call's future is large (the HTTP client's), and the token
                // routes would otherwise carry (and move) its space in theirs.
                Action::Api(operation) => {
                    stage.set(Stage::Vortex);
                    let owner = own_only.then_some(&user);
                    Box::pin(self.call(matched.kind, operation, owner))
                        .await
                        .map(RouteResponse::ok_text)
                }
            }
        }
    }

    /// Calls Vortex and shapes its answer, straight from the upstream body to the JSON text.
    /// With an `owner` ([`Decision::AllowOwnInvitations`]), the invitations the operation
    /// acts on must be theirs: the one fetched is checked before it is answered, and those to
    /// accept are fetched and checked before the accept is sent.
    async fn call(
        &self,
        route: RouteKind,
        operation: Operation,
        owner: Option<&VortexUser>,
    ) -> Result<String, RouteError> {
        let raw = self.inner.client.raw();
        let check_answer_owner = matches!(operation, Operation::GetInvitation { .. });
        // DELETEs answer `{"success":true}`: their bodies are only checked, by the client.
        let (answer, shape): (Result<_, Error>, Shape) = match operation {
            // Signed locally; `authorize_and_perform` handles them.
            Operation::Jwt | Operation::Token { .. } => return Err(RouteError::internal()),
            Operation::GetInvitations {
                target_type,
                target_value,
            } => (
                raw.get_invitations_by_target_bytes(&target_type, &target_value)
                    .await,
                Shape::List,
            ),
            Operation::GetInvitation { invitation_id } => (
                raw.get_invitation_bytes(&invitation_id).await,
                Shape::Invitation,
            ),
            Operation::RevokeInvitation { invitation_id } => (
                raw.revoke_invitation(&invitation_id)
                    .await
                    .map(|_| Default::default()),
                Shape::Success,
            ),
            Operation::AcceptInvitations {
                invitation_ids,
                user,
            } => {
                if let Some(owner) = owner {
                    self.require_own(&invitation_ids, owner).await?;
                }
                (
                    raw.accept_invitations_bytes(&invitation_ids, &user).await,
                    Shape::Accepted,
                )
            }
            Operation::GetScopeInvitations { scope_type, scope } => (
                raw.get_invitations_by_scope_bytes(&scope_type, &scope)
                    .await,
                Shape::List,
            ),
            Operation::DeleteScopeInvitations { scope_type, scope } => (
                raw.delete_invitations_by_scope(&scope_type, &scope)
                    .await
                    .map(|_| Default::default()),
                Shape::Success,
            ),
            Operation::Reinvite { invitation_id } => {
                (raw.reinvite_bytes(&invitation_id).await, Shape::Invitation)
            }
            Operation::SyncInternalInvitation {
                creator_id,
                target_value,
                action,
                component_id,
            } => {
                let request = vortex_client::types::SyncInternalInvitationRequest::new(
                    creator_id,
                    target_value,
                    action,
                    component_id,
                );
                (
                    raw.sync_internal_invitation_bytes(&request).await,
                    Shape::Object,
                )
            }
        };
        let body = answer.map_err(|error| upstream_failure(&error))?;
        let text = shape.answer(route, &body).map_err(|error| match error {
            AnswerError::Upstream(error) => upstream_failure(&error),
            AnswerError::Shape(error) => error,
        })?;
        // The check reads `target` and `deliveryTypes`, which the transform leaves alone:
        // the upstream body (JSON, since it was shaped) tells the same.
        if let Some(owner) = owner.filter(|_| check_answer_owner)
            && !RawApi::parse_body(&body).is_ok_and(|answer| is_own_invitation(&answer, owner))
        {
            return Err(RouteError::forbidden(Some(NOT_YOURS_TO_VIEW.to_owned())));
        }
        Ok(text)
    }

    /// Fetches the invitations to accept (concurrently) and refuses unless all are `owner`'s.
    async fn require_own(&self, ids: &[String], owner: &VortexUser) -> Result<(), RouteError> {
        let raw = self.inner.client.raw();
        let invitations = try_join_all(ids.iter().map(|id| raw.get_invitation(id)))
            .await
            .map_err(|error| upstream_failure(&error))?;
        if invitations
            .iter()
            .all(|invitation| is_own_invitation(invitation, owner))
        {
            Ok(())
        } else {
            Err(RouteError::forbidden(Some(NOT_YOURS_TO_ACCEPT.to_owned())))
        }
    }
}

/// What a request is waiting for, as far as the deadline can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum Stage {
    Route,
    User,
    Body,
    Policy,
    JwtHook,
    Vortex,
}

impl Stage {
    const ALL: [Self; 6] = [
        Self::Route,
        Self::User,
        Self::Body,
        Self::Policy,
        Self::JwtHook,
        Self::Vortex,
    ];

    /// What stalled, for the log.
    fn what(self) -> &'static str {
        match self {
            Self::Route => "the route",
            Self::User => "the app's user extractor",
            Self::Body => "the client sending the request body",
            Self::Policy => "the app's authorization policy",
            Self::JwtHook => "the app's JWT attributes hook",
            Self::Vortex => "the Vortex API",
        }
    }
}

/// What the steps of a request learnt, for its metrics and the app's `on_answer` hook.
#[derive(Debug, Default)]
struct Seen {
    route: Option<RouteKind>,
    operation: Option<OperationKind>,
    /// Kept only for the hook (a copy of the id).
    user_id: Option<UserId>,
    keep_user_id: bool,
}

/// The stage a request reached; shared with the deadline, which reads it when it fires.
#[derive(Debug, Default)]
struct Progress(AtomicU8);

impl Progress {
    fn set(&self, stage: Stage) {
        self.0.store(stage as u8, Ordering::Relaxed);
    }

    fn get(&self) -> Stage {
        let at = self.0.load(Ordering::Relaxed);
        Stage::ALL
            .into_iter()
            .find(|stage| *stage as u8 == at)
            .unwrap_or(Stage::Route)
    }

    /// The error of a request past its `deadline`: 408 while the client was sending the
    /// body, 503 naming what stalled otherwise.
    fn past_deadline(&self, deadline: Duration) -> RouteError {
        match self.get() {
            Stage::Body => {
                tracing::info!(
                    "the client did not send the request body within the Vortex route's deadline of {}",
                    Seconds(deadline)
                );
                RouteError::body_timeout()
            }
            stage => RouteError::dependency_timeout(stage.what(), deadline),
        }
    }
}

const NOT_YOURS_TO_VIEW: &str = "You can view only invitations sent to you or shared with anyone";
const NOT_YOURS_TO_ACCEPT: &str =
    "You can accept only invitations sent to you or shared with anyone";

/// Records `value` as the field `name` of the current span, when a subscriber listens.
fn record_if_enabled(name: &str, value: impl tracing::Value) {
    let span = tracing::Span::current();
    if !span.is_disabled() {
        span.record(name, value);
    }
}

#[allow(clippy::needless_pass_by_value)] // the `Err` of `map_err`
fn token_failure(error: TokenError) -> RouteError {
    tracing::error!(error = %error, "could not sign a token");
    RouteError::internal()
}

fn upstream_failure(error: &Error) -> RouteError {
    let route_error = RouteError::from_upstream(error);
    if route_error.status() >= 500 {
        tracing::warn!(error = %error, error.kind = route_error.kind().as_str(), "Vortex API call failed");
    } else {
        tracing::debug!(error = %error, error.kind = route_error.kind().as_str(), "Vortex API refused the call");
    }
    route_error
}
