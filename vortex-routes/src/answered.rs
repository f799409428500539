//! What one answered request was, for the app's [`on_answer`](super::VortexRoutes::on_answer)
//! hook: an access log, an audit trail, counters of its own.

use std::sync::Arc;
use std::time::Duration;

use super::error::RouteErrorKind;
use super::operation::OperationKind;
use super::route::RouteKind;
use vortex_client::UserId;

/// One request the Vortex routes answered, given to the
/// [`on_answer`](super::VortexRoutes::on_answer) hook once the answer is made (before it is
/// sent).
///
/// ```
/// use vortex_routes::{Answered, RouteKind};
///
/// fn access_line(answered: &Answered<'_>) -> String {
///     format!(
///         "{} {} {} user={} {:.3} ms",
///         answered.method,
///         answered.route.map_or("-", RouteKind::pattern),
///         answered.status,
///         answered.user_id.map_or_else(|| "-".to_owned(), ToString::to_string),
///         answered.elapsed.as_secs_f64() * 1000.0,
///     )
/// }
/// # let _ = access_line;
/// ```
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct Answered<'a> {
    /// The request method, as received.
    pub method: &'a str,
    /// The route, `None` when no route matched the path (404).
    pub route: Option<RouteKind>,
    /// The operation, once the input was read (`None` for a request refused before: 404,
    /// 405, 401, 413, 400).
    pub operation: Option<OperationKind>,
    /// The signed-in user's id, once the app's extractor or guard answered with a user.
    pub user_id: Option<&'a UserId>,
    /// The status of the answer.
    pub status: u16,
    /// Why the request failed, for an answer that is an error.
    pub error: Option<RouteErrorKind>,
    /// From the start of the request to its answer.
    pub elapsed: Duration,
}

/// The app's hook.
pub(crate) type AnswerHook = Arc<dyn Fn(&Answered<'_>) + Send + Sync>;
