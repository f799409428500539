//! The raw path of a request under the mount point of the nested router.

use axum::extract::{NestedPath, OriginalUri};
use axum::http::request::Parts;

/// The path of the request under the mount point, still percent-encoded, exactly as sent:
/// `/invitations/a%2Fb` for `/api/vortex/invitations/a%2Fb` nested at `/api/vortex`, and `""`
/// for the mount point itself.
///
/// Under `nest`, `parts.uri` lost the prefix and the slash after it (`/api/vortex//jwt` would
/// read `/jwt`), so the original path minus the nest prefix is used; outside `nest` (the
/// router served as it is) the path is the request's own.
pub(crate) fn under_mount(parts: &Parts) -> &str {
    let original = parts.extensions.get::<OriginalUri>().map(|uri| uri.path());
    let nested = parts.extensions.get::<NestedPath>().map(NestedPath::as_str);
    strip_mount(original, nested).unwrap_or(parts.uri.path())
}

/// `original` without the `nested` prefix, when both are known and it starts with it.
fn strip_mount<'a>(original: Option<&'a str>, nested: Option<&str>) -> Option<&'a str> {
    original?.strip_prefix(nested?)
}

#[cfg(test)]
mod tests {
    use super::strip_mount;

    #[test]
    fn strips_the_nest_prefix_only() {
        let cases = [
            (Some("/api/vortex/jwt"), Some("/api/vortex"), Some("/jwt")),
            (Some("/api/vortex"), Some("/api/vortex"), Some("")),
            (Some("/api/vortex//jwt"), Some("/api/vortex"), Some("//jwt")),
            (
                Some("/api/vortex/invitations/a%2Fb%3F"),
                Some("/api/vortex"),
                Some("/invitations/a%2Fb%3F"),
            ),
            // Not nested, or a prefix the path does not start with: the request's own path.
            (Some("/jwt"), None, None),
            (None, Some("/api/vortex"), None),
            (Some("/other/jwt"), Some("/api/vortex"), None),
        ];
        for (original, nested, expected) in cases {
            assert_eq!(
                strip_mount(original, nested),
                expected,
                "{original:?} {nested:?}"
            );
        }
    }
}
