//! Reading a request body up to a limit.

use rocket::Request;
use rocket::data::{ByteUnit, Data};
use vortex_routes::adapter::BodyError;

/// The name of the Rocket limit of the Vortex routes' request bodies: `"vortex"`.
///
/// When configured, it is the limit, capped by [`VortexRoutes::limit`](crate::VortexRoutes::limit)
/// (64 KiB by default), which the routes enforce as well; otherwise the routes' limit applies.
/// In `Rocket.toml`: `[default.limits]` `vortex = "32 KiB"`; or in code:
///
/// ```
/// use rocket::data::{Limits, ToByteUnit};
///
/// let figment = rocket::Config::figment()
///     .merge(("limits", Limits::default().limit(vortex_rocket::ROUTES_LIMIT, 32.kibibytes())));
/// let rocket = rocket::custom(figment);
/// # let _ = rocket;
/// ```
pub const ROUTES_LIMIT: &str = "vortex";

/// The name of the Rocket limit of [`VerifiedWebhook`](crate::VerifiedWebhook) bodies:
/// `"vortex-webhook"`.
///
/// When configured, it is the limit, capped by
/// [`WebhookVerifier::limit`](crate::WebhookVerifier::limit) (1 MiB by default), which the
/// verifier enforces as well; otherwise the verifier's limit applies. In `Rocket.toml`:
/// `[default.limits]` `vortex-webhook = "256 KiB"`; or in code:
///
/// ```
/// let figment = rocket::Config::figment()
///     .merge(("limits.vortex-webhook", 256 * 1024));
/// let rocket = rocket::custom(figment);
/// # let _ = rocket;
/// ```
pub const WEBHOOK_LIMIT: &str = "vortex-webhook";

/// The limit for a body: Rocket's limit `name` when the app configured it, never more than
/// `own` (the limit the core enforces as well), else `own`.
pub(crate) fn limit(request: &Request<'_>, name: &str, own: usize) -> usize {
    request.limits().get(name).map_or(own, |configured| {
        usize::try_from(configured.as_u64()).map_or(own, |configured| configured.min(own))
    })
}

/// Reads `data` whole, refusing more than `limit` bytes (checked against `Content-Length`
/// first, then while reading).
pub(crate) async fn read_limited(
    request: &Request<'_>,
    data: Data<'_>,
    limit: usize,
) -> Result<Vec<u8>, BodyError> {
    let declared = request.headers().get_one("Content-Length");
    BodyError::check_header(declared.map(str::as_bytes), limit)?;
    match data.open(ByteUnit::from(limit)).into_bytes().await {
        Ok(body) if body.is_complete() => Ok(body.into_inner()),
        Ok(_) => Err(BodyError::TooLarge { limit }),
        Err(_) => Err(BodyError::Unreadable),
    }
}
