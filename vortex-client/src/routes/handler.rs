//! The request handling of every route, once, for all frameworks.

use std::fmt;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt as _;
use serde_json::{Map, Value, json};
use tracing::Instrument as _;

use super::input::{self, Invalid};
use super::operation::Operation;
use super::policy::{BoxFuture, Decision, Policy};
use super::response::RouteResponse;
use super::route::{MatchedRoute, RouteKind, match_route};
use super::transform::{is_object, transform_invitation, transform_invitations};
use super::user::VortexUser;
use crate::client::VortexClient;
use crate::error::Error;
use crate::expires::ExpiresIn;
use crate::token::{TokenOptions, TokenPayload};
use crate::types::SyncAction;

/// The default limit of request bodies of the router: 64 KiB.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

type AttributesHook = dyn Fn(VortexUser, Map<String, Value>) -> BoxFuture<'static, Option<Map<String, Value>>>
    + Send
    + Sync;

/// One request, in plain types: what an adapter hands to [`VortexRoutes::handle`].
#[derive(Clone, Copy, Debug, Default)]
#[non_exhaustive]
pub struct RouteRequest<'a> {
    /// The signed-in user, if any.
    pub user: Option<&'a VortexUser>,
    /// The raw query string (without `?`).
    pub query: Option<&'a str>,
    /// The raw body.
    pub body: &'a [u8],
}

impl<'a> RouteRequest<'a> {
    /// A request by `user` (or anonymous).
    pub fn new(user: Option<&'a VortexUser>) -> Self {
        Self {
            user,
            query: None,
            body: &[],
        }
    }

    /// Sets the raw query string.
    #[must_use]
    pub fn query(mut self, query: Option<&'a str>) -> Self {
        self.query = query;
        self
    }

    /// Sets the raw body.
    #[must_use]
    pub fn body(mut self, body: &'a [u8]) -> Self {
        self.body = body;
        self
    }
}

/// The integration router's behaviour, framework-neutral: validate, authorize, call Vortex,
/// shape the answer. The `vortex-axum`, `vortex-actix` and `vortex-rocket` crates adapt it.
///
/// Cheap to clone.
///
/// ```
/// use vortex_client::VortexClient;
/// use vortex_client::routes::{AllowAllAuthenticated, RouteRequest, VortexRoutes, VortexUser};
///
/// # tokio_test_block(async {
/// let client = VortexClient::new("VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing")?;
/// let routes = VortexRoutes::new(client, AllowAllAuthenticated);
///
/// let user = VortexUser::new("user-1").email("ada@example.com");
/// let matched = routes.match_route("POST", "/jwt").unwrap();
/// let answer = routes.handle(matched, RouteRequest::new(Some(&user))).await;
/// assert_eq!(answer.status(), 200);
/// assert!(answer.body().starts_with(r#"{"jwt":"eyJ"#));
///
/// let anonymous = routes.handle(routes.match_route("POST", "/jwt").unwrap(), RouteRequest::new(None)).await;
/// assert_eq!(anonymous.status(), 401);
/// # Ok::<(), vortex_client::Error>(())
/// # });
/// # fn tokio_test_block<F: std::future::Future<Output = Result<(), vortex_client::Error>>>(f: F) {
/// #     tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f).unwrap();
/// # }
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
}

impl fmt::Debug for VortexRoutes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VortexRoutes")
            .field("client", &self.inner.client)
            .field("token_options", &self.inner.token_options)
            .field("body_limit", &self.inner.body_limit)
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

    /// The body limit in bytes.
    pub fn limit(&self) -> usize {
        self.inner.body_limit
    }

    /// The API client.
    pub fn client(&self) -> &VortexClient {
        &self.inner.client
    }

    /// Matches a request to a route; see [`match_route`].
    pub fn match_route(&self, method: &str, path: &str) -> Result<MatchedRoute, RouteResponse> {
        match_route(method, path)
    }

    /// Matches and handles a request in one step.
    pub async fn respond(
        &self,
        method: &str,
        path: &str,
        request: RouteRequest<'_>,
    ) -> RouteResponse {
        match self.match_route(method, path) {
            Ok(matched) => self.handle(matched, request).await,
            Err(answer) => answer,
        }
    }

    /// Handles a matched request: authenticate (401), validate (400), authorize (403), call
    /// Vortex, shape the answer. A panic inside becomes 500 `Internal error`.
    pub async fn handle(&self, matched: MatchedRoute, request: RouteRequest<'_>) -> RouteResponse {
        let Some(user) = request.user else {
            return RouteResponse::unauthorized();
        };
        if request.body.len() > self.inner.body_limit {
            return RouteResponse::payload_too_large(self.inner.body_limit);
        }
        let span = tracing::info_span!(
            "vortex.route",
            route = matched.kind.pattern(),
            operation = tracing::field::Empty,
            user.id = %user.id,
            status = tracing::field::Empty,
        );
        let work = AssertUnwindSafe(self.dispatch(&matched, user, request)).catch_unwind();
        let answer = async {
            match work.await {
                Ok(answer) => answer,
                Err(_) => {
                    tracing::error!("a Vortex route panicked");
                    RouteResponse::internal_error()
                }
            }
        }
        .instrument(span.clone())
        .await;
        span.record("status", answer.status());
        answer
    }

    async fn dispatch(
        &self,
        matched: &MatchedRoute,
        user: &VortexUser,
        request: RouteRequest<'_>,
    ) -> RouteResponse {
        let action = match self.validate(matched, user, request) {
            Ok(action) => action,
            Err(answer) => return answer,
        };
        tracing::Span::current().record("operation", action.operation.name());
        if let Decision::Deny(message) = self.inner.policy.decide(&action.operation, user).await {
            tracing::debug!("denied by policy");
            return RouteResponse::forbidden(message);
        }
        self.perform(action, user).await
    }

    /// Reads and checks the inputs of a route.
    fn validate(
        &self,
        matched: &MatchedRoute,
        user: &VortexUser,
        request: RouteRequest<'_>,
    ) -> Result<Action, Invalid> {
        use RouteKind as K;
        let param = |i: usize, field: &str| input::path_param(field, &matched.params[i]);
        let operation = match matched.kind {
            K::Jwt => {
                let context = jwt_context(request.body)?;
                return Ok(Action::jwt(context));
            }
            K::Token => return self.token_action(user, request.body),
            K::ListByTarget => list_by_target(request.query)?,
            K::GetInvitation => Operation::GetInvitation {
                invitation_id: param(0, "invitationId")?,
            },
            K::RevokeInvitation => Operation::RevokeInvitation {
                invitation_id: param(0, "invitationId")?,
            },
            K::Reinvite => Operation::Reinvite {
                invitation_id: param(0, "invitationId")?,
            },
            K::Accept => {
                let body = input::required_object(request.body)?;
                Operation::AcceptInvitations {
                    invitation_ids: input::invitation_ids(&body)?,
                    user: input::accept_user(&body)?,
                }
            }
            K::GetByScope => Operation::GetScopeInvitations {
                scope_type: param(0, "scopeType")?,
                scope: param(1, "scope")?,
            },
            K::DeleteByScope => Operation::DeleteScopeInvitations {
                scope_type: param(0, "scopeType")?,
                scope: param(1, "scope")?,
            },
            K::GetByGroup => Operation::GetScopeInvitations {
                scope_type: param(0, "groupType")?,
                scope: param(1, "groupId")?,
            },
            K::DeleteByGroup => Operation::DeleteScopeInvitations {
                scope_type: param(0, "groupType")?,
                scope: param(1, "groupId")?,
            },
            K::SyncInternalInvitation => sync_internal(request.body)?,
        };
        Ok(Action::new(operation))
    }

    fn token_action(&self, user: &VortexUser, body: &[u8]) -> Result<Action, Invalid> {
        let body = input::optional_object(body)?.unwrap_or_default();
        if body.contains_key("user") {
            return Err(RouteResponse::bad_request(
                "user cannot be set: tokens are always for the signed-in user",
            ));
        }
        let component = input::optional_string(&body, "component", "component")?;
        let scope = input::optional_string(&body, "scope", "scope")?;
        let vars = match body.get("vars") {
            None | Some(Value::Null) => None,
            Some(vars @ Value::Object(_)) => Some(vars.clone()),
            Some(_) => return Err(RouteResponse::bad_request("vars must be an object")),
        };
        let mut options = self.inner.token_options;
        if let Some(requested) = body.get("expiresIn").filter(|v| !v.is_null()) {
            let requested = ExpiresIn::from_json(requested)
                .map_err(|e| RouteResponse::bad_request(e.to_string()))?;
            if requested > options.expires_in {
                return Err(RouteResponse::bad_request(format!(
                    "expiresIn may be at most {} seconds",
                    options.expires_in.as_secs()
                )));
            }
            options = options.expires_in(requested);
        }
        let mut payload = TokenPayload::new().user(&user.to_token_user());
        if let Some(component) = &component {
            payload = payload.component(component.clone());
        }
        if let Some(scope) = &scope {
            payload = payload.scope(scope.clone());
        }
        if let Some(vars) = vars {
            payload = payload.vars(vars);
        }
        Ok(Action {
            operation: Operation::Token { component, scope },
            token: Some((payload, options)),
            context: None,
        })
    }

    /// Calls Vortex (or signs) and shapes the answer.
    async fn perform(&self, action: Action, user: &VortexUser) -> RouteResponse {
        let client = &self.inner.client;
        let raw = client.raw();
        let result = match action.operation {
            Operation::Jwt => return self.jwt(user, action.context).await,
            Operation::Token { .. } => {
                let (payload, options) = action.token.unwrap_or_default();
                return match client.generate_token(&payload, options) {
                    Ok(token) => RouteResponse::ok(&json!({ "token": token })).no_store(),
                    Err(e) => token_failure(&e),
                };
            }
            Operation::GetInvitations {
                target_type,
                target_value,
            } => raw
                .get_invitations_by_target(&target_type, &target_value)
                .await
                .and_then(invitation_list),
            Operation::GetInvitation { invitation_id } => raw
                .get_invitation(&invitation_id)
                .await
                .and_then(invitation),
            Operation::RevokeInvitation { invitation_id } => {
                raw.revoke_invitation(&invitation_id).await.map(success)
            }
            Operation::AcceptInvitations {
                invitation_ids,
                user,
            } => raw
                .accept_invitations(&invitation_ids, &user)
                .await
                .and_then(invitation),
            Operation::GetScopeInvitations { scope_type, scope } => raw
                .get_invitations_by_scope(&scope_type, &scope)
                .await
                .and_then(invitation_list),
            Operation::DeleteScopeInvitations { scope_type, scope } => raw
                .delete_invitations_by_scope(&scope_type, &scope)
                .await
                .map(success),
            Operation::Reinvite { invitation_id } => {
                raw.reinvite(&invitation_id).await.and_then(invitation)
            }
            Operation::SyncInternalInvitation {
                creator_id,
                target_value,
                action,
                component_id,
            } => {
                let request = crate::types::SyncInternalInvitationRequest::new(
                    creator_id,
                    target_value,
                    action,
                    component_id,
                );
                raw.sync_internal_invitation(&request)
                    .await
                    .and_then(object)
            }
        };
        match result {
            Ok(body) => RouteResponse::ok(&body),
            Err(error) => {
                let answer = RouteResponse::from_upstream(&error);
                if answer.status() >= 500 {
                    tracing::warn!(error = %error, "Vortex API call failed");
                } else {
                    tracing::debug!(error = %error, "Vortex API refused the call");
                }
                answer
            }
        }
    }

    async fn jwt(&self, user: &VortexUser, context: Option<Map<String, Value>>) -> RouteResponse {
        let mut params = user.to_jwt_params();
        if let (Some(hook), Some(context)) = (&self.inner.jwt_attributes, context)
            && let Some(extra) = hook(user.clone(), context).await.filter(|a| !a.is_empty())
        {
            let mut attributes = user.attributes.clone().unwrap_or_default();
            attributes.extend(extra);
            params = params.claim("attributes", Value::Object(attributes));
        }
        match self
            .inner
            .client
            .generate_jwt(&params, self.inner.token_options)
        {
            Ok(jwt) => RouteResponse::ok(&json!({ "jwt": jwt })).no_store(),
            Err(e) => token_failure(&e),
        }
    }
}

/// A validated request, ready to be authorized and performed.
struct Action {
    operation: Operation,
    /// The `/token` payload and options.
    token: Option<(TokenPayload, TokenOptions)>,
    /// The `/jwt` context.
    context: Option<Map<String, Value>>,
}

impl Action {
    fn new(operation: Operation) -> Self {
        Self {
            operation,
            token: None,
            context: None,
        }
    }

    fn jwt(context: Option<Map<String, Value>>) -> Self {
        Self {
            context,
            ..Self::new(Operation::Jwt)
        }
    }
}

fn jwt_context(body: &[u8]) -> Result<Option<Map<String, Value>>, Invalid> {
    let Some(body) = input::optional_object(body)? else {
        return Ok(None);
    };
    match body.get("context") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(context)) => Ok(Some(context.clone())),
        Some(_) => Err(RouteResponse::bad_request("context must be an object")),
    }
}

const TARGET_TYPES: [&str; 5] = ["email", "username", "phoneNumber", "phone", "internal"];

fn list_by_target(query: Option<&str>) -> Result<Operation, Invalid> {
    let target_type = input::query_param(query, "targetType")?;
    let target_value = input::query_param(query, "targetValue")?;
    let (Some(target_type), Some(target_value)) = (target_type, target_value) else {
        return Err(RouteResponse::bad_request(
            "targetType and targetValue query parameters are required",
        ));
    };
    if !TARGET_TYPES.contains(&target_type.as_str()) {
        return Err(RouteResponse::bad_request(
            "targetType must be one of email, username, phoneNumber, phone, internal",
        ));
    }
    input::check_id("targetValue", &target_value)?;
    Ok(Operation::GetInvitations {
        target_type,
        target_value,
    })
}

fn sync_internal(body: &[u8]) -> Result<Operation, Invalid> {
    let body = input::required_object(body)?;
    let creator_id = input::required_string(&body, "creatorId")?;
    let target_value = input::required_string(&body, "targetValue")?;
    let action = match body.get("action").and_then(Value::as_str) {
        Some("accepted") => SyncAction::Accepted,
        Some("declined") => SyncAction::Declined,
        _ => {
            return Err(RouteResponse::bad_request(
                "action is required and must be \"accepted\" or \"declined\"",
            ));
        }
    };
    let component_id = input::required_string(&body, "componentId")?;
    Ok(Operation::SyncInternalInvitation {
        creator_id,
        target_value,
        action,
        component_id,
    })
}

fn token_failure(error: &crate::token::TokenError) -> RouteResponse {
    tracing::error!(error = %error, "could not sign a token");
    RouteResponse::internal_error()
}

/// `{"invitations":[…]}` with each invitation transformed.
fn invitation_list(answer: Value) -> Result<Value, Error> {
    let mut list = match answer {
        Value::Object(mut map) => match map.shift_remove("invitations") {
            Some(list @ Value::Array(_)) => list,
            _ => return Err(unexpected("an object with an `invitations` array")),
        },
        _ => return Err(unexpected("an object with an `invitations` array")),
    };
    transform_invitations(&mut list);
    Ok(json!({ "invitations": list }))
}

fn invitation(mut answer: Value) -> Result<Value, Error> {
    if !is_object(&answer) {
        return Err(unexpected("an invitation object"));
    }
    transform_invitation(&mut answer);
    Ok(answer)
}

fn object(answer: Value) -> Result<Value, Error> {
    if is_object(&answer) {
        Ok(answer)
    } else {
        Err(unexpected("a JSON object"))
    }
}

fn success(_: Value) -> Value {
    json!({ "success": true })
}

fn unexpected(expected: &str) -> Error {
    Error::Decode(format!("expected {expected}"))
}
