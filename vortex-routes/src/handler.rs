//! The request sequence of every route, once, for all frameworks: match, authenticate,
//! limit, validate, authorize, call, shape.

use std::fmt;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt as _;
use futures_util::future::try_join_all;
use serde_json::{Map, Value};
use tracing::Instrument as _;

use super::adapter::{BodyError, RouteRequest, RouteResponse};
use super::error::{ErrorRenderer, RouteError};
use super::input::{self, Action};
use super::metrics;
use super::operation::Operation;
use super::policy::{BoxFuture, Decision, Policy, is_own_invitation};
use super::route::{RouteKind, match_route};
use super::shape::{AnswerError, Shape};
use vortex_client::Error;
use vortex_client::ExpiresIn;
use vortex_client::RawApi;
use vortex_client::TokenError;
use vortex_client::VortexClient;
use vortex_client::VortexUser;
use vortex_client::token::TokenOptions;

/// The default limit of request bodies of the router: 64 KiB.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

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
}

impl fmt::Debug for VortexRoutes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VortexRoutes")
            .field("client", &self.inner.client)
            .field("token_options", &self.inner.token_options)
            .field("body_limit", &self.inner.body_limit)
            .field("error_renderer", &self.inner.render_error.is_some())
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
    /// inside becomes 500 `Internal error`.
    //
    // A plain fn returning an `async move` block, not an `async fn`: an `async fn` keeps its
    // arguments and their rebound copies both in its future (the request twice), and that
    // future is copied whenever it moves (axum boxes it once per request).
    #[allow(clippy::manual_async_fn)] // see above
    pub fn serve<R: RouteRequest>(&self, mut request: R) -> impl Future<Output = RouteResponse> {
        async move {
            let span = tracing::info_span!(
                "vortex.route",
                route = tracing::field::Empty,
                operation = tracing::field::Empty,
                user.id = tracing::field::Empty,
                status = tracing::field::Empty,
                error.kind = tracing::field::Empty,
            );
            let started = metrics::Started::now();
            let mut route = None;
            // Boxed: the steps' future (user, action, body) stays out of this one, which the
            // framework copies and boxes; both stay small allocations.
            let outcome = AssertUnwindSafe(Box::pin(self.respond(&mut request, &mut route)))
                .catch_unwind()
                .instrument(span.clone())
                .await;
            let _entered = span.enter();
            let (answer, error) = match outcome {
                Ok(Ok(answer)) => (answer, None),
                Ok(Err(error)) => (self.refuse(&error), Some(error.kind())),
                Err(_) => {
                    tracing::error!("a Vortex route panicked");
                    let error = RouteError::internal();
                    (self.refuse(&error), Some(error.kind()))
                }
            };
            span.record("status", answer.status());
            started.finish(request.method(), route, answer.status(), error);
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
        route: &'a mut Option<RouteKind>,
    ) -> impl Future<Output = Result<RouteResponse, RouteError>> {
        async move {
            let mut matched = match_route(request.method(), request.path())?;
            *route = Some(matched.kind);
            record_if_enabled("route", matched.kind.pattern());
            let mut user = request.user().await.into_user()?;
            record_if_enabled("user.id", tracing::field::display(&user.id));
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
            record_if_enabled("operation", operation.name());
            let own_only = match self.inner.policy.decide(operation, &user).await {
                Decision::Allow => false,
                Decision::AllowOwnInvitations => true,
                Decision::Deny(message) => return Err(RouteError::forbidden(message)),
            };
            match action {
                Action::Jwt { context } => {
                    if let (Some(hook), Some(context)) = (&self.inner.jwt_attributes, context) {
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
