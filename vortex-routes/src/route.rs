//! Matching a request (method and path under the mount point) to a route.
//!
//! The routers match here, on the raw path, rather than with each framework's own router:
//! the three frameworks decode path parameters differently (`%2F`, `%25`, dot segments), and
//! here every segment is percent-decoded exactly once, so `a%2Fb%3Fc` is one id, `a/b?c`,
//! in every framework.

use percent_encoding::percent_decode_str;

use super::error::RouteError;

/// A route of the integration router.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RouteKind {
    /// `POST /jwt`
    Jwt,
    /// `POST /token`
    Token,
    /// `GET /invitations`
    ListByTarget,
    /// `GET /invitations/{invitationId}`
    GetInvitation,
    /// `DELETE /invitations/{invitationId}`
    RevokeInvitation,
    /// `POST /invitations/accept`
    Accept,
    /// `GET /invitations/by-scope/{scopeType}/{scope}`
    GetByScope,
    /// `DELETE /invitations/by-scope/{scopeType}/{scope}`
    DeleteByScope,
    /// `GET /invitations/by-group/{groupType}/{groupId}`
    GetByGroup,
    /// `DELETE /invitations/by-group/{groupType}/{groupId}`
    DeleteByGroup,
    /// `POST /invitations/{invitationId}/reinvite`
    Reinvite,
    /// `POST /invitations/sync-internal-invitation`
    SyncInternalInvitation,
}

impl RouteKind {
    /// Every route.
    pub const ALL: [Self; 12] = [
        Self::Jwt,
        Self::Token,
        Self::ListByTarget,
        Self::GetInvitation,
        Self::RevokeInvitation,
        Self::Accept,
        Self::GetByScope,
        Self::DeleteByScope,
        Self::GetByGroup,
        Self::DeleteByGroup,
        Self::Reinvite,
        Self::SyncInternalInvitation,
    ];

    /// The route's HTTP method.
    pub const fn method(self) -> &'static str {
        match self {
            Self::Jwt
            | Self::Token
            | Self::Accept
            | Self::Reinvite
            | Self::SyncInternalInvitation => "POST",
            Self::ListByTarget | Self::GetInvitation | Self::GetByScope | Self::GetByGroup => "GET",
            Self::RevokeInvitation | Self::DeleteByScope | Self::DeleteByGroup => "DELETE",
        }
    }

    /// The route pattern, relative to the mount point.
    pub const fn pattern(self) -> &'static str {
        match self {
            Self::Jwt => "/jwt",
            Self::Token => "/token",
            Self::ListByTarget => "/invitations",
            Self::GetInvitation | Self::RevokeInvitation => "/invitations/{invitationId}",
            Self::Accept => "/invitations/accept",
            Self::GetByScope | Self::DeleteByScope => "/invitations/by-scope/{scopeType}/{scope}",
            Self::GetByGroup | Self::DeleteByGroup => "/invitations/by-group/{groupType}/{groupId}",
            Self::Reinvite => "/invitations/{invitationId}/reinvite",
            Self::SyncInternalInvitation => "/invitations/sync-internal-invitation",
        }
    }
}

/// A path parameter, percent-decoded; `Err` holds the raw text when it does not decode to
/// UTF-8.
pub(crate) type Param = Result<String, String>;

/// A request matched to a route, with its decoded path parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct MatchedRoute {
    pub(crate) kind: RouteKind,
    pub(crate) params: Vec<Param>,
}

/// Matches `method` and `path` (relative to the mount point, still percent-encoded, with or
/// without the leading `/`). Unknown paths are 404 and known paths with another method 405.
pub(crate) fn match_route(method: &str, path: &str) -> Result<MatchedRoute, RouteError> {
    use RouteKind as K;
    let path = path.strip_prefix('/').unwrap_or(path);
    let mut split = path.split('/');
    // No route has more than four segments: a fixed array, no allocation per request.
    let mut buffer = [""; 4];
    let mut count = 0;
    for segment in split.by_ref().take(buffer.len()) {
        buffer[count] = segment;
        count += 1;
    }
    if split.next().is_some() {
        return Err(RouteError::not_found());
    }
    let segments = &buffer[..count];
    let decode = |s: &str| -> Param {
        percent_decode_str(s)
            .decode_utf8()
            .map(|c| c.into_owned())
            .map_err(|_| s.to_owned())
    };
    // (route for GET, route for POST, route for DELETE, allowed methods)
    let (get, post, delete, allow, params): (Option<K>, Option<K>, Option<K>, _, Vec<&str>) =
        match segments {
            ["jwt"] => (None, Some(K::Jwt), None, "POST", vec![]),
            ["token"] => (None, Some(K::Token), None, "POST", vec![]),
            ["invitations"] => (Some(K::ListByTarget), None, None, "GET", vec![]),
            ["invitations", "accept"] => (None, Some(K::Accept), None, "POST", vec![]),
            ["invitations", "sync-internal-invitation"] => {
                (None, Some(K::SyncInternalInvitation), None, "POST", vec![])
            }
            ["invitations", id] => (
                Some(K::GetInvitation),
                None,
                Some(K::RevokeInvitation),
                "GET, DELETE",
                vec![*id],
            ),
            ["invitations", id, "reinvite"] => (None, Some(K::Reinvite), None, "POST", vec![*id]),
            ["invitations", "by-scope", scope_type, scope] => (
                Some(K::GetByScope),
                None,
                Some(K::DeleteByScope),
                "GET, DELETE",
                vec![*scope_type, *scope],
            ),
            ["invitations", "by-group", group_type, group_id] => (
                Some(K::GetByGroup),
                None,
                Some(K::DeleteByGroup),
                "GET, DELETE",
                vec![*group_type, *group_id],
            ),
            _ => return Err(RouteError::not_found()),
        };
    let kind = match method {
        "GET" => get,
        "POST" => post,
        "DELETE" => delete,
        _ => None,
    }
    .ok_or_else(|| RouteError::method_not_allowed(allow))?;
    Ok(MatchedRoute {
        kind,
        params: params.into_iter().map(decode).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_matched_by_its_method_and_pattern() {
        for route in RouteKind::ALL {
            let path = route
                .pattern()
                .split('/')
                .map(|segment| {
                    if segment.starts_with('{') {
                        "x"
                    } else {
                        segment
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            let matched = match_route(route.method(), &path).expect("a route");
            assert_eq!(matched.kind, route, "{} {path}", route.method());
        }
    }

    #[test]
    fn static_segments_win_over_ids() {
        assert_eq!(
            match_route("POST", "/invitations/accept").unwrap().kind,
            RouteKind::Accept
        );
        assert_eq!(
            match_route("GET", "/invitations/accept")
                .unwrap_err()
                .status(),
            405
        );
        assert_eq!(
            match_route("GET", "/invitations/sync-internal-invitation")
                .unwrap_err()
                .status(),
            405
        );
        assert_eq!(
            match_route("POST", "/invitations/accept/reinvite")
                .unwrap()
                .kind,
            RouteKind::Reinvite
        );
    }

    #[test]
    fn params_are_decoded_once() {
        let m = match_route("GET", "/invitations/by-group/team%20x/a%2Fb%3Fc%23d%2525").unwrap();
        assert_eq!(m.kind, RouteKind::GetByGroup);
        assert_eq!(m.params, vec![Ok("team x".into()), Ok("a/b?c#d%25".into())]);
        let bad = match_route("GET", "/invitations/%FF").unwrap();
        assert_eq!(bad.params, vec![Err("%FF".into())]);
    }

    #[test]
    fn unknown_paths_and_methods() {
        for path in [
            "/",
            "",
            "/jwt/",
            "/invitations/a/b",
            "/invitations/by-scope/x",
            "/other",
        ] {
            assert_eq!(
                match_route("GET", path).unwrap_err().status(),
                404,
                "{path}"
            );
        }
        let answer = match_route("PATCH", "/invitations/x").unwrap_err();
        assert_eq!(answer.status(), 405);
        assert_eq!(answer.allow(), Some("GET, DELETE"));
    }
}
