//! The raw path of a request under the mount point of its route.

use rocket::Request;

/// The path of `request` under the base its route is mounted at, still percent-encoded,
/// exactly as sent: `/invitations/a%2Fb` for `/api/vortex/invitations/a%2Fb` under
/// `/api/vortex`, and `""` for the mount point itself.
///
/// Rocket matched the base against the non-empty, percent-decoded segments of the path, so
/// the base is skipped as that many non-empty raw segments (not as a string prefix, which
/// `/api//vortex/…` or `/ap%69/vortex/…` would not start with); the rest is returned
/// untouched.
pub(crate) fn under_mount<'a>(request: &'a Request<'_>) -> &'a str {
    let base = request.route().map_or("/", |route| route.uri.base());
    let base_segments = base.split('/').filter(|s| !s.is_empty()).count();
    skip_segments(request.uri().path().as_str(), base_segments)
}

/// `path` without its first `count` non-empty segments (and the slashes before them).
fn skip_segments(path: &str, count: usize) -> &str {
    let mut rest = path;
    for _ in 0..count {
        rest = rest.trim_start_matches('/');
        rest = &rest[rest.find('/').unwrap_or(rest.len())..];
    }
    rest
}

#[cfg(test)]
mod tests {
    use super::skip_segments;

    #[test]
    fn skips_the_base_segments_only() {
        let cases = [
            ("/api/vortex/jwt", 2, "/jwt"),
            ("/api/vortex", 2, ""),
            ("/api/vortex/", 2, "/"),
            ("/api//vortex//jwt/", 2, "//jwt/"),
            ("/api/vortex/invitations/a%2Fb", 2, "/invitations/a%2Fb"),
            ("/ap%69/vortex/invitations/%2E%2E", 2, "/invitations/%2E%2E"),
            ("/jwt", 0, "/jwt"),
            ("/", 0, "/"),
        ];
        for (path, count, rest) in cases {
            assert_eq!(skip_segments(path, count), rest, "{path}");
        }
    }
}
