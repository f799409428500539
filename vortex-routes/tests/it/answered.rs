//! The app's `on_answer` hook sees each request once, with what the routes learnt of it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use vortex_client::{UserId, VortexClient};
use vortex_routes::{
    AllowAllAuthenticated, Answered, DenyAll, OperationKind, Policy, RouteErrorKind, RouteKind,
    VortexRoutes,
};

use crate::request::{KEY, Request, USER_ID, User};

/// What the hook saw, owned.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    method: String,
    route: Option<RouteKind>,
    operation: Option<OperationKind>,
    user_id: Option<UserId>,
    status: u16,
    error: Option<RouteErrorKind>,
    elapsed: Duration,
}

/// Serves `request` with `policy` and answers what the hook saw, once per request.
async fn answered(policy: impl Into<Policy>, request: Request) -> Seen {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let hook_seen = Arc::clone(&seen);
    let routes = VortexRoutes::new(VortexClient::new(KEY).unwrap(), policy).on_answer(
        move |answered: &Answered<'_>| {
            hook_seen.lock().unwrap().push(Seen {
                method: answered.method.to_owned(),
                route: answered.route,
                operation: answered.operation,
                user_id: answered.user_id.cloned(),
                status: answered.status,
                error: answered.error,
                elapsed: answered.elapsed,
            });
        },
    );
    let status = routes.serve(request).await.status();
    let mut seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "one call per request: {seen:?}");
    let seen = seen.remove(0);
    assert_eq!(seen.status, status, "the hook sees the status answered");
    seen
}

#[tokio::test]
async fn a_served_request_is_seen_whole() {
    let seen = answered(AllowAllAuthenticated, Request::new("POST", "/jwt")).await;
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.route, Some(RouteKind::Jwt));
    assert_eq!(seen.operation, Some(OperationKind::Jwt));
    assert_eq!(seen.user_id, Some(UserId::from(USER_ID)));
    assert_eq!((seen.status, seen.error), (200, None));
    assert!(seen.elapsed > Duration::ZERO && seen.elapsed < Duration::from_secs(5));
}

#[tokio::test]
async fn a_refusal_is_seen_with_its_kind_and_what_was_known() {
    let forbidden = answered(DenyAll, Request::new("POST", "/jwt")).await;
    assert_eq!(forbidden.operation, Some(OperationKind::Jwt));
    assert_eq!(forbidden.user_id, Some(UserId::from(USER_ID)));
    assert_eq!(
        (forbidden.status, forbidden.error),
        (403, Some(RouteErrorKind::Forbidden))
    );

    let anonymous = answered(
        AllowAllAuthenticated,
        Request {
            user: User::Anonymous,
            ..Request::new("POST", "/jwt")
        },
    )
    .await;
    assert_eq!(anonymous.route, Some(RouteKind::Jwt));
    assert_eq!((anonymous.operation, anonymous.user_id), (None, None));
    assert_eq!(
        (anonymous.status, anonymous.error),
        (401, Some(RouteErrorKind::Unauthorized))
    );

    let unmatched = answered(AllowAllAuthenticated, Request::new("GET", "/nowhere")).await;
    assert_eq!(unmatched.method, "GET");
    assert_eq!((unmatched.route, unmatched.operation), (None, None));
    assert_eq!(
        (unmatched.status, unmatched.error),
        (404, Some(RouteErrorKind::NotFound))
    );
}
