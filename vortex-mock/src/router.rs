//! A small router: a method and the path's segments choose a handler, as axum's did for the
//! mock (static segments win over parameters, `GET` also serves `HEAD`, path parameters are
//! percent-decoded, a served path with another method is a 405 with `Allow`).

use http::Method;
use percent_encoding::percent_decode_str;

/// One segment of a route pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// Matches exactly this text (still percent-encoded, as received).
    Static(&'static str),
    /// Matches any segment and captures it under this name.
    Param(&'static str),
}

/// A path pattern such as `/api/v1/invitations/{id}` and the handlers of its methods.
#[derive(Debug)]
pub(crate) struct Route<H> {
    segments: Vec<Segment>,
    methods: Vec<(Method, H)>,
}

impl<H: Copy> Route<H> {
    /// A route for `pattern`: `/`-separated segments, `{name}` for a parameter.
    pub(crate) fn new(pattern: &'static str) -> Self {
        let segments = pattern
            .split('/')
            .skip(1)
            .map(|segment| match segment.strip_prefix('{') {
                Some(name) => Segment::Param(name.trim_end_matches('}')),
                None => Segment::Static(segment),
            })
            .collect();
        Self {
            segments,
            methods: Vec::new(),
        }
    }

    /// Serves `GET` (and `HEAD`) with `handler`.
    pub(crate) fn get(self, handler: H) -> Self {
        self.on(Method::GET, handler).on(Method::HEAD, handler)
    }

    /// Serves `POST` with `handler`.
    pub(crate) fn post(self, handler: H) -> Self {
        self.on(Method::POST, handler)
    }

    /// Serves `DELETE` with `handler`.
    pub(crate) fn delete(self, handler: H) -> Self {
        self.on(Method::DELETE, handler)
    }

    fn on(mut self, method: Method, handler: H) -> Self {
        self.methods.push((method, handler));
        self
    }

    /// The value of the `Allow` header for this route, methods in the order they were added.
    fn allow(&self) -> String {
        let names: Vec<&str> = self.methods.iter().map(|(m, _)| m.as_str()).collect();
        names.join(",")
    }

    /// The captured raw segments if `path` matches, with how specific the match is (a static
    /// segment counts more than a parameter, earlier segments more than later ones).
    fn matches<'p>(&self, path: &[&'p str]) -> Option<(Vec<bool>, RawParams<'p>)> {
        if path.len() != self.segments.len() {
            return None;
        }
        let mut rank = Vec::with_capacity(path.len());
        let mut params = Vec::new();
        for (index, (segment, actual)) in self.segments.iter().zip(path).enumerate() {
            match segment {
                Segment::Static(text) if text == actual => rank.push(true),
                // A parameter may be empty, but not at the end of the path.
                Segment::Param(name) if !actual.is_empty() || index + 1 < path.len() => {
                    rank.push(false);
                    params.push((*name, *actual));
                }
                _ => return None,
            }
        }
        Some((rank, params))
    }
}

type RawParams<'p> = Vec<(&'static str, &'p str)>;

/// What the router found for a request.
#[derive(Debug)]
pub(crate) enum Lookup<'p, H> {
    /// The handler of the path and method, and the path's raw parameters.
    Handler(H, PathParams<'p>),
    /// The path is served, but not with this method: the `Allow` header value.
    MethodNotAllowed(String),
    /// No route has this path.
    NotFound,
}

/// A list of routes.
#[derive(Debug)]
pub(crate) struct Router<H> {
    routes: Vec<Route<H>>,
}

impl<H: Copy> Router<H> {
    /// A router over `routes`.
    pub(crate) fn new(routes: Vec<Route<H>>) -> Self {
        Self { routes }
    }

    /// The handler for `method` on `path` (the raw, still percent-encoded path).
    pub(crate) fn find<'p>(&self, method: &Method, path: &'p str) -> Lookup<'p, H> {
        let Some(segments) = path
            .strip_prefix('/')
            .map(|p| p.split('/').collect::<Vec<_>>())
        else {
            return Lookup::NotFound;
        };
        let best = self
            .routes
            .iter()
            .filter_map(|route| {
                route
                    .matches(&segments)
                    .map(|(rank, raw)| (rank, raw, route))
            })
            .max_by(|a, b| a.0.cmp(&b.0));
        let Some((_, raw, route)) = best else {
            return Lookup::NotFound;
        };
        match route.methods.iter().find(|(m, _)| m == method) {
            Some((_, handler)) => Lookup::Handler(*handler, PathParams { raw }),
            None => Lookup::MethodNotAllowed(route.allow()),
        }
    }
}

/// The parameters of a matched path, still percent-encoded.
#[derive(Debug, Default)]
pub(crate) struct PathParams<'p> {
    raw: RawParams<'p>,
}

/// A path parameter that is not UTF-8 once percent-decoded: the parameter's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InvalidParam(pub(crate) &'static str);

impl PathParams<'_> {
    /// Every parameter, percent-decoded, by name; the first one that is not UTF-8 fails.
    pub(crate) fn decode(&self) -> Result<Vec<(&'static str, String)>, InvalidParam> {
        self.raw
            .iter()
            .map(|(name, raw)| {
                percent_decode_str(raw)
                    .decode_utf8()
                    .map(|value| (*name, value.into_owned()))
                    .map_err(|_| InvalidParam(name))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn router() -> Router<u8> {
        Router::new(vec![
            Route::new("/v1/items").get(1).post(2),
            Route::new("/v1/items/accept").post(3),
            Route::new("/v1/items/{id}").get(4).delete(5),
            Route::new("/v1/items/{id}/again").post(6),
        ])
    }

    fn handler(found: Lookup<'_, u8>) -> Option<(u8, Vec<(&'static str, String)>)> {
        match found {
            Lookup::Handler(h, params) => Some((h, params.decode().ok()?)),
            _ => None,
        }
    }

    #[test]
    fn static_segments_win_over_parameters() {
        let r = router();
        assert_eq!(
            handler(r.find(&Method::POST, "/v1/items/accept")),
            Some((3, vec![]))
        );
        assert!(matches!(
            r.find(&Method::GET, "/v1/items/accept"),
            Lookup::MethodNotAllowed(allow) if allow == "POST"
        ));
        let again = handler(r.find(&Method::POST, "/v1/items/accept/again"));
        assert_eq!(again, Some((6, vec![("id", "accept".to_owned())])));
    }

    #[test]
    fn get_serves_head_and_405_lists_the_methods() {
        let r = router();
        assert_eq!(
            handler(r.find(&Method::HEAD, "/v1/items")),
            Some((1, vec![]))
        );
        assert!(matches!(
            r.find(&Method::PUT, "/v1/items"),
            Lookup::MethodNotAllowed(allow) if allow == "GET,HEAD,POST"
        ));
    }

    #[test]
    fn parameters_are_percent_decoded() {
        let found = handler(router().find(&Method::GET, "/v1/items/a%2Fb%20c+d"));
        assert_eq!(found, Some((4, vec![("id", "a/b c+d".to_owned())])));
        let Lookup::Handler(_, params) = router().find(&Method::GET, "/v1/items/%FF") else {
            panic!("the route matches");
        };
        assert_eq!(params.decode(), Err(InvalidParam("id")));
    }

    #[test]
    fn unknown_paths_and_empty_last_parameters_are_not_found() {
        let r = router();
        for path in [
            "/v1/items/",
            "/v1/items/x/",
            "//v1/items",
            "/v1",
            "",
            "v1/items",
        ] {
            assert!(
                matches!(r.find(&Method::GET, path), Lookup::NotFound),
                "{path}"
            );
        }
        let empty_middle = handler(r.find(&Method::POST, "/v1/items//again"));
        assert_eq!(empty_middle, Some((6, vec![("id", String::new())])));
    }
}
