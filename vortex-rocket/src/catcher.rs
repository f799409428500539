//! JSON catchers, and the request-local stash that carries guard rejections to them.

use std::sync::Mutex;

use rocket::catcher::{self, Catcher};
use rocket::http::{Method, Status};
use rocket::{Ignite, Request, Rocket};
use vortex_routes::adapter::RouteResponse;

use crate::response::to_response;

/// The name of the catchers of [`catchers`], by which the launch check finds them.
const NAME: &str = "vortex_rocket::catchers";

/// The statuses with a dedicated catcher in [`catchers`] (a default catcher covers the others).
const CODES: [u16; 8] = [400, 401, 403, 404, 405, 413, 422, 500];

/// JSON catchers (`{"error":"…"}`) for 400, 401, 403, 404, 405, 413, 422 and 500, plus a
/// default catcher for every other status, to [`register`](rocket::Rocket::register) where
/// Rocket's own catchers would answer HTML: at the mount point of the Vortex routes (the
/// [`fairing`](crate::fairing) does it) and at the paths of routes using the
/// [`CurrentUser`](crate::CurrentUser) and [`VerifiedWebhook`](crate::VerifiedWebhook) guards.
///
/// Rocket hands a catcher only a failing guard's status (rwf2/Rocket#596), so these guards
/// leave their answer (the core's exact JSON) in the
/// request-local cache for these catchers to send. Any other error is answered
/// `{"error":"<reason>"}` with the status (`Not found`, `Unauthorized`, …). They are named
/// `vortex_rocket::catchers` in Rocket's log; a Rocket with a `VerifiedWebhook` route warns at
/// launch when none of them covers any `POST` route of the app.
///
/// ```
/// use rocket::{Build, Rocket};
///
/// fn app() -> Rocket<Build> {
///     rocket::build()
///         // .mount("/webhooks/vortex", rocket::routes![on_vortex_event])
///         .register("/webhooks/vortex", vortex_rocket::catchers())
/// }
///
/// # rocket::async_test(async {
/// let client = rocket::local::asynchronous::Client::tracked(app()).await.unwrap();
/// let answer = client.post("/webhooks/vortex").dispatch().await;
/// assert_eq!(answer.status().code, 404);
/// assert_eq!(answer.into_string().await.unwrap(), r#"{"error":"Not found"}"#);
/// # });
/// ```
pub fn catchers() -> Vec<Catcher> {
    let mut catchers: Vec<Catcher> = CODES
        .iter()
        .map(|&code| Catcher::new(code, json_catcher))
        .collect();
    catchers.push(Catcher::new(None, json_catcher));
    for catcher in &mut catchers {
        catcher.name = Some(NAME.into());
    }
    catchers
}

/// The app's own `POST` routes (not the Vortex routes), as `POST /path` joined by `, `, when
/// none of them is covered by [`catchers`]: the webhook route is then answered with
/// Rocket's HTML on a rejection. `None` when one is covered (the app registered the catchers
/// somewhere, presumably at its webhook) or there is no such route.
pub(crate) fn uncovered_post_routes(rocket: &Rocket<Ignite>) -> Option<String> {
    let bases: Vec<&str> = rocket
        .catchers()
        .filter(|catcher| catcher.name.as_deref() == Some(NAME))
        .map(|catcher| catcher.base.path().as_str())
        .collect();
    let covers = |path: &str| {
        bases.iter().any(|base| {
            let base = base.trim_end_matches('/');
            path.strip_prefix(base)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
    };
    let mut uncovered = Vec::new();
    for route in rocket.routes() {
        if route.method != Method::Post || route.name.as_deref() == Some("vortex") {
            continue;
        }
        let path = route.uri.path();
        if covers(path) {
            return None;
        }
        uncovered.push(format!("POST {path}"));
    }
    (!uncovered.is_empty()).then(|| uncovered.join(", "))
}

fn json_catcher<'r>(status: Status, request: &'r Request<'_>) -> catcher::BoxFuture<'r> {
    // A guard's stashed answer, else the JSON error for the status.
    let answer =
        take_stashed(request, status).unwrap_or_else(|| RouteResponse::for_status(status.code));
    Box::pin(async move { Ok(to_response(answer)) })
}

/// The answer a guard of this crate left for the catchers of this request.
#[derive(Default)]
struct Stash(Mutex<Option<RouteResponse>>);

/// Leaves `answer` for the catchers of `request`, and returns the status to fail with.
pub(crate) fn stash(request: &Request<'_>, answer: RouteResponse) -> Status {
    let status = Status::new(answer.status());
    let stash = request.local_cache(Stash::default);
    *stash.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(answer);
    status
}

/// The stashed answer, if it is for `status` (a guard's rejection, not a later error).
fn take_stashed(request: &Request<'_>, status: Status) -> Option<RouteResponse> {
    let stash = request.local_cache(Stash::default);
    let mut stashed = stash.0.lock().unwrap_or_else(|e| e.into_inner());
    if stashed.as_ref()?.status() == status.code {
        stashed.take()
    } else {
        None
    }
}
