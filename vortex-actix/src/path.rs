//! The raw path under the mount point.
//!
//! actix-web routes on a "requoted" copy of the path, in which every escape but `%25`, `%2F`
//! and `%2B` is already decoded (`%3F` is `?`, `%C3%A9` is `é`, `%2E%2E` is `..`), and its
//! match info holds slices of that copy. The core must see the path exactly as sent, so that
//! it decodes each segment once. Requoting never decodes `%2F`, so the requoted path and the
//! raw path have their `/` at the same places: the part under the mount point is the raw
//! path's suffix with as many `/` as the requoted part matched by the catch-all resource.

use actix_web::HttpRequest;

/// The name of the catch-all parameter of the Vortex resource (unlikely to clash with an
/// app's own scope parameters; the last one of that name is used anyway).
pub(crate) const TAIL: &str = "__vortex_path";

/// The path of `request` under the mount point, still percent-encoded: `/invitations/a%2Fb`,
/// or `""` for the mount point itself.
pub(crate) fn raw_path_under_mount(request: &HttpRequest) -> &str {
    let slashes = request
        .match_info()
        .iter()
        .filter(|(name, _)| *name == TAIL)
        .last()
        // The resource pattern is `/{TAIL:.*}`: one `/`, then the tail's own.
        .map_or(0, |(_, tail)| 1 + tail.matches('/').count());
    raw_suffix(request.uri().path(), slashes)
}

/// The suffix of `raw` that starts at its `slashes`-th `/` from the end (`""` for 0).
fn raw_suffix(raw: &str, slashes: usize) -> &str {
    let Some(nth) = slashes.checked_sub(1) else {
        return "";
    };
    match raw.rmatch_indices('/').nth(nth) {
        Some((at, _)) => &raw[at..],
        None => raw,
    }
}

#[cfg(test)]
mod tests {
    use super::raw_suffix;

    #[test]
    fn suffix_by_slash_count() {
        let raw = "/api/vortex/invitations/a%2Fb%3F%C3%A9";
        assert_eq!(raw_suffix(raw, 0), "");
        assert_eq!(raw_suffix(raw, 1), "/a%2Fb%3F%C3%A9");
        assert_eq!(raw_suffix(raw, 2), "/invitations/a%2Fb%3F%C3%A9");
        assert_eq!(raw_suffix("/api/vortex/", 1), "/");
        assert_eq!(raw_suffix("/x", 5), "/x");
    }
}
