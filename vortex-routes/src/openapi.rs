//! The OpenAPI 3.1 description of the Vortex routes, relative to their mount point (feature
//! `openapi`).
//!
//! Merge it into an app's own document under the mount point, with utoipa:
//!
//! ```
//! use utoipa::OpenApi;
//!
//! #[derive(OpenApi)]
//! #[openapi(info(title = "My app"))]
//! struct ApiDoc;
//!
//! let doc = ApiDoc::openapi().nest("/api/vortex", vortex_routes::openapi::openapi());
//! assert!(doc.paths.paths.contains_key("/api/vortex/jwt"));
//! ```
//!
//! or with the derive form, `#[openapi(nest((path = "/api/vortex", api = VortexApi)))]`.
//! Apps that use another generator take the document as JSON: [`openapi_json`]. Operation
//! ids start with `vortex_`, so that they never collide with the app's own after a merge.
//!
//! Every route lists its error statuses, each with the `{"error": "…"}` body
//! (the `ErrorBody` schema): 400 (invalid input), 401 (no signed-in user), 403 (the policy refused),
//! 404, 405, 409 and 422 (as the Vortex API answered), 413 (body over the limit), 415 (a body
//! that is not JSON, where a framework checks it), 500 (a bug or a configuration mistake of the
//! app), 502 (the Vortex API is unavailable or rejected the server's key), 503 (retry later,
//! with `Retry-After` when known) and 504 (the Vortex API timed out).

// The schemas and handlers below exist for their attributes: utoipa reads them, nothing
// builds or calls them.
#![allow(dead_code)]

use serde_json::Value;
use utoipa::{IntoResponses, OpenApi, ToSchema};

/// The Vortex routes' OpenAPI document, for utoipa's derive form
/// (`nest((path = "/api/vortex", api = VortexApi))`).
#[derive(OpenApi, Debug, Clone, Copy)]
#[openapi(
    info(
        title = "Vortex routes",
        description = "The routes the Vortex React provider calls, relative to where the app mounts them (by convention /api/vortex). Every error answer is JSON {\"error\": \"…\"}.",
    ),
    paths(
        jwt, token, invitations_by_target, invitation, revoke_invitation, accept_invitations,
        invitations_by_scope, delete_invitations_by_scope, invitations_by_group,
        delete_invitations_by_group, reinvite, sync_internal_invitation
    ),
    components(schemas(
        ErrorBody, JwtRequest, JwtAnswer, TokenRequest, TokenAnswer, Invitation, InvitationList,
        AcceptRequest, AcceptingUser, LegacyTarget, Success, SyncRequest, SyncAction, TargetType
    )),
    tags((name = "vortex", description = "Vortex invitations"))
)]
pub struct VortexApi;

/// The OpenAPI document of the Vortex routes, relative to their mount point: nest it at the
/// mount (`ApiDoc::openapi().nest("/api/vortex", openapi())`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    VortexApi::openapi()
}

/// [`openapi`] as JSON, for apps that build their document with another generator.
///
/// ```
/// let doc = vortex_routes::openapi::openapi_json();
/// assert_eq!(doc["openapi"], "3.1.0");
/// assert_eq!(doc["paths"]["/jwt"]["post"]["operationId"], "vortex_jwt");
/// ```
pub fn openapi_json() -> Value {
    serde_json::to_value(openapi()).expect("an OpenAPI document serializes")
}

/// Every error answer: `{"error": "…"}`, with a message for people.
#[derive(ToSchema)]
#[schema(example = json!({"error": "Unauthorized"}))]
struct ErrorBody {
    /// What went wrong; never empty.
    #[schema(min_length = 1)]
    error: String,
}

/// `POST /jwt`: no body, an empty one, or a `context` for the app's attributes hook.
#[derive(ToSchema)]
#[schema(example = json!({"context": {"componentId": "component-1", "scope": "team-1", "scopeType": "team"}}))]
struct JwtRequest {
    /// What the React provider sends (`componentId`, `scope`, `scopeType`), handed to the
    /// app's hook.
    #[schema(value_type = Option<Object>)]
    context: Option<Value>,
}

/// A JWT for the signed-in user.
#[derive(ToSchema)]
struct JwtAnswer {
    /// The token, for the React provider.
    jwt: String,
}

/// `POST /token`: no body, an empty one, or the widget's parameters. The user is always the
/// signed-in one.
#[derive(ToSchema)]
#[schema(example = json!({"component": "component-1", "scope": "team-1", "expiresIn": "1h"}))]
struct TokenRequest {
    /// The widget (component) id.
    component: Option<String>,
    /// The scope.
    scope: Option<String>,
    /// Variables for the widget.
    #[schema(value_type = Option<Object>)]
    vars: Option<Value>,
    /// A lifetime shorter than the app's (`"1h"`, `"30m"`, or seconds).
    #[schema(value_type = Option<String>)]
    #[schema(rename = "expiresIn")]
    expires_in: Option<Value>,
}

/// A widget token for the signed-in user.
#[derive(ToSchema)]
struct TokenAnswer {
    /// The token.
    token: String,
}

/// An invitation, as the Vortex API answers it (with upstream key order), plus `scopeId` in
/// each group and `scopes` mirroring `groups`. Fields the API adds later are passed through.
#[derive(ToSchema)]
struct Invitation {
    /// Invitation id.
    id: String,
    /// The scopes (groups) of the invitation, each with `scopeId`.
    #[schema(value_type = Option<Vec<Object>>)]
    groups: Option<Value>,
    /// The same as `groups`.
    #[schema(value_type = Option<Vec<Object>>)]
    scopes: Option<Value>,
}

/// A list of invitations.
#[derive(ToSchema)]
struct InvitationList {
    /// The invitations.
    invitations: Vec<Invitation>,
}

/// Who accepts: an e-mail address or a phone number is required.
#[derive(ToSchema)]
struct AcceptingUser {
    /// E-mail address.
    email: Option<String>,
    /// Phone number.
    phone: Option<String>,
    /// Name.
    name: Option<String>,
    /// Whether the user already had an account.
    #[schema(rename = "isExisting")]
    is_existing: Option<bool>,
}

/// The legacy form of the accepting user: `email`, `phone` or `phoneNumber`.
#[derive(ToSchema)]
struct LegacyTarget {
    /// `email`, `phone` or `phoneNumber`.
    #[schema(rename = "type")]
    target_type: String,
    /// The address or number.
    value: String,
}

/// `POST /invitations/accept`: the invitations (1 to 100 ids) and who accepts them (`user`,
/// or the legacy `target`).
#[derive(ToSchema)]
#[schema(example = json!({"invitationIds": ["inv-1"], "user": {"email": "ada@example.com"}}))]
struct AcceptRequest {
    /// The invitations to accept.
    #[schema(rename = "invitationIds", min_items = 1, max_items = 100)]
    invitation_ids: Vec<String>,
    /// Who accepts.
    user: Option<AcceptingUser>,
    /// Who accepts, in the legacy form (when `user` is absent).
    target: Option<LegacyTarget>,
}

/// The kind of target invitations are listed for.
#[derive(ToSchema)]
enum TargetType {
    #[schema(rename = "email")]
    Email,
    #[schema(rename = "username")]
    Username,
    #[schema(rename = "phoneNumber")]
    PhoneNumber,
    #[schema(rename = "phone")]
    Phone,
    #[schema(rename = "internal")]
    Internal,
}

/// What happened to an internal invitation.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
enum SyncAction {
    /// Accepted.
    Accepted,
    /// Declined.
    Declined,
}

/// `POST /invitations/sync-internal-invitation`.
#[derive(ToSchema)]
struct SyncRequest {
    /// The inviter's user id.
    #[schema(rename = "creatorId")]
    creator_id: String,
    /// The invitee's user id.
    #[schema(rename = "targetValue")]
    target_value: String,
    /// Accepted or declined.
    action: SyncAction,
    /// The widget (component) id.
    #[schema(rename = "componentId")]
    component_id: String,
}

/// `{"success": true}`.
#[derive(ToSchema)]
struct Success {
    /// Always `true`.
    success: bool,
}

/// The errors of the token routes, which call no upstream.
#[derive(IntoResponses)]
enum TokenErrors {
    #[response(
        status = 400,
        description = "The body is not valid JSON, or a field is invalid"
    )]
    BadRequest(ErrorBody),
    #[response(status = 401, description = "No signed-in user")]
    Unauthorized(ErrorBody),
    #[response(status = 403, description = "The app's policy refused")]
    Forbidden(ErrorBody),
    #[response(status = 405, description = "Another method than the route's")]
    MethodNotAllowed(ErrorBody),
    #[response(status = 413, description = "The body is over the limit")]
    PayloadTooLarge(ErrorBody),
    #[response(status = 415, description = "The body is not JSON")]
    UnsupportedMediaType(ErrorBody),
    #[response(
        status = 500,
        description = "A bug, or a configuration mistake of the app"
    )]
    Internal(ErrorBody),
    #[response(
        status = 503,
        description = "Something the route waits on is unavailable; retry later"
    )]
    Unavailable(ErrorBody),
}

/// The errors of the routes that call the Vortex API.
#[derive(IntoResponses)]
enum ApiErrors {
    #[response(
        status = 400,
        description = "Invalid input (says which field and why), or the Vortex API refused it"
    )]
    BadRequest(ErrorBody),
    #[response(status = 401, description = "No signed-in user")]
    Unauthorized(ErrorBody),
    #[response(status = 403, description = "The app's policy refused")]
    Forbidden(ErrorBody),
    #[response(status = 404, description = "Not found")]
    NotFound(ErrorBody),
    #[response(status = 405, description = "Another method than the route's")]
    MethodNotAllowed(ErrorBody),
    #[response(status = 409, description = "The Vortex API answered a conflict")]
    Conflict(ErrorBody),
    #[response(status = 413, description = "The body is over the limit")]
    PayloadTooLarge(ErrorBody),
    #[response(status = 415, description = "The body is not JSON")]
    UnsupportedMediaType(ErrorBody),
    #[response(
        status = 422,
        description = "The Vortex API could not process the request"
    )]
    Unprocessable(ErrorBody),
    #[response(
        status = 500,
        description = "A bug, or a configuration mistake of the app"
    )]
    Internal(ErrorBody),
    #[response(
        status = 502,
        description = "The Vortex API is unavailable, or rejected the server's credentials"
    )]
    BadGateway(ErrorBody),
    #[response(
        status = 503,
        description = "Rate-limited or unavailable: retry later",
        headers(("Retry-After" = Option<u64>, description = "Seconds to wait, when known"))
    )]
    Unavailable(ErrorBody),
    #[response(status = 504, description = "The Vortex API timed out")]
    Timeout(ErrorBody),
}

#[utoipa::path(
    post, path = "/jwt", operation_id = "vortex_jwt", tag = "vortex",
    summary = "A JWT for the signed-in user",
    request_body(content = Option<JwtRequest>, content_type = "application/json"),
    responses(
        (status = 200, description = "The token", body = JwtAnswer,
         headers(("Cache-Control" = String, description = "Always `no-store`"))),
        TokenErrors
    )
)]
fn jwt() {}

#[utoipa::path(
    post, path = "/token", operation_id = "vortex_token", tag = "vortex",
    summary = "A widget token for the signed-in user",
    request_body(content = Option<TokenRequest>, content_type = "application/json"),
    responses(
        (status = 200, description = "The token", body = TokenAnswer,
         headers(("Cache-Control" = String, description = "Always `no-store`"))),
        TokenErrors
    )
)]
fn token() {}

#[utoipa::path(
    get, path = "/invitations", operation_id = "vortex_get_invitations_by_target", tag = "vortex",
    summary = "Invitations sent to a target",
    params(
        ("targetType" = TargetType, Query, description = "The kind of target"),
        ("targetValue" = String, Query, description = "The address, number or id (1 to 1000 characters)", min_length = 1, max_length = 1000),
    ),
    responses((status = 200, description = "The invitations", body = InvitationList), ApiErrors)
)]
fn invitations_by_target() {}

#[utoipa::path(
    get, path = "/invitations/{invitationId}", operation_id = "vortex_get_invitation", tag = "vortex",
    summary = "One invitation",
    params(("invitationId" = String, Path, description = "The invitation id (1 to 1000 characters, no control character, not `.` or `..`)", min_length = 1, max_length = 1000)),
    responses((status = 200, description = "The invitation", body = Invitation), ApiErrors)
)]
fn invitation() {}

#[utoipa::path(
    delete, path = "/invitations/{invitationId}", operation_id = "vortex_revoke_invitation", tag = "vortex",
    summary = "Revokes an invitation",
    params(("invitationId" = String, Path, description = "The invitation id (1 to 1000 characters, no control character, not `.` or `..`)", min_length = 1, max_length = 1000)),
    responses((status = 200, description = "Revoked", body = Success), ApiErrors)
)]
fn revoke_invitation() {}

#[utoipa::path(
    post, path = "/invitations/accept", operation_id = "vortex_accept_invitations", tag = "vortex",
    summary = "Accepts invitations",
    request_body(content = AcceptRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The Vortex API's result", body = Object),
        ApiErrors
    )
)]
fn accept_invitations() {}

#[utoipa::path(
    get, path = "/invitations/by-scope/{scopeType}/{scope}", operation_id = "vortex_get_invitations_by_scope", tag = "vortex",
    summary = "Invitations of a scope",
    params(
        ("scopeType" = String, Path, description = "The scope type (1 to 1000 characters, no control character, not `.` or `..`)", min_length = 1, max_length = 1000),
        ("scope" = String, Path, description = "The scope id (1 to 1000 characters, no control character, not `.` or `..`)", min_length = 1, max_length = 1000),
    ),
    responses((status = 200, description = "The invitations", body = InvitationList), ApiErrors)
)]
fn invitations_by_scope() {}

#[utoipa::path(
    delete, path = "/invitations/by-scope/{scopeType}/{scope}", operation_id = "vortex_delete_invitations_by_scope", tag = "vortex",
    summary = "Deletes the invitations of a scope",
    params(
        ("scopeType" = String, Path, description = "The scope type (1 to 1000 characters, no control character, not `.` or `..`)", min_length = 1, max_length = 1000),
        ("scope" = String, Path, description = "The scope id (1 to 1000 characters, no control character, not `.` or `..`)", min_length = 1, max_length = 1000),
    ),
    responses((status = 200, description = "Deleted", body = Success), ApiErrors)
)]
fn delete_invitations_by_scope() {}

#[utoipa::path(
    get, path = "/invitations/by-group/{groupType}/{groupId}", operation_id = "vortex_get_invitations_by_group", tag = "vortex",
    summary = "Invitations of a group (the legacy name of a scope)",
    params(
        ("groupType" = String, Path, description = "The group (scope) type (1 to 1000 characters, no control character, not `.` or `..`)", min_length = 1, max_length = 1000),
        ("groupId" = String, Path, description = "The group (scope) id (1 to 1000 characters, no control character, not `.` or `..`)", min_length = 1, max_length = 1000),
    ),
    responses((status = 200, description = "The invitations", body = InvitationList), ApiErrors)
)]
fn invitations_by_group() {}

#[utoipa::path(
    delete, path = "/invitations/by-group/{groupType}/{groupId}", operation_id = "vortex_delete_invitations_by_group", tag = "vortex",
    summary = "Deletes the invitations of a group (the legacy name of a scope)",
    params(
        ("groupType" = String, Path, description = "The group (scope) type (1 to 1000 characters, no control character, not `.` or `..`)", min_length = 1, max_length = 1000),
        ("groupId" = String, Path, description = "The group (scope) id (1 to 1000 characters, no control character, not `.` or `..`)", min_length = 1, max_length = 1000),
    ),
    responses((status = 200, description = "Deleted", body = Success), ApiErrors)
)]
fn delete_invitations_by_group() {}

#[utoipa::path(
    post, path = "/invitations/{invitationId}/reinvite", operation_id = "vortex_reinvite", tag = "vortex",
    summary = "Sends an invitation again",
    params(("invitationId" = String, Path, description = "The invitation id (1 to 1000 characters, no control character, not `.` or `..`)", min_length = 1, max_length = 1000)),
    responses((status = 200, description = "The invitation", body = Invitation), ApiErrors)
)]
fn reinvite() {}

#[utoipa::path(
    post, path = "/invitations/sync-internal-invitation", operation_id = "vortex_sync_internal_invitation", tag = "vortex",
    summary = "Reports what happened to an internal invitation",
    request_body(content = SyncRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The Vortex API's result (`processed`, `invitationIds`)", body = Object),
        ApiErrors
    )
)]
fn sync_internal_invitation() {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RouteKind;

    #[test]
    fn every_route_is_documented_with_its_errors() {
        let doc = openapi_json();
        assert_eq!(doc["openapi"], "3.1.0");
        let paths = doc["paths"].as_object().unwrap();
        let mut operations = 0;
        for (path, item) in paths {
            for (method, operation) in item.as_object().unwrap() {
                operations += 1;
                let id = operation["operationId"].as_str().unwrap();
                assert!(id.starts_with("vortex_"), "{method} {path}: {id}");
                let responses = operation["responses"].as_object().unwrap();
                for status in ["200", "400", "401", "403", "405", "413", "500", "503"] {
                    assert!(responses.contains_key(status), "{method} {path}: {status}");
                }
                let error = &responses["401"]["content"]["application/json"]["schema"]["$ref"];
                assert_eq!(error, "#/components/schemas/ErrorBody", "{method} {path}");
            }
        }
        assert_eq!(operations, RouteKind::ALL.len());
        for route in RouteKind::ALL {
            let method = route.method().to_ascii_lowercase();
            assert!(
                doc["paths"][route.pattern()][&method].is_object(),
                "{route:?} ({method} {}) is served but not documented",
                route.pattern()
            );
        }
        let jwt = &doc["paths"]["/jwt"]["post"]["responses"]["200"];
        assert!(jwt["headers"]["Cache-Control"].is_object(), "{jwt}");
    }
}
