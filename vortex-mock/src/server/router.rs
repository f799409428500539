//! Routing with [`matchit`]: the path chooses a route (static segments win over parameters),
//! the method one of the route's handlers (`GET` also serves `HEAD`; a served path with
//! another method is a 405 with `Allow`). Path parameters are percent-decoded here.

use http::Method;
use percent_encoding::percent_decode_str;

/// A path pattern such as `/api/v1/invitations/{id}` and the handlers of its methods.
#[derive(Debug)]
pub(crate) struct Route<H> {
    pattern: &'static str,
    methods: Methods<H>,
}

/// The handlers of one path, by method, in the order they were added.
#[derive(Debug)]
struct Methods<H>(Vec<(Method, H)>);

impl<H: Copy> Route<H> {
    /// A route for `pattern` (matchit's syntax: `{name}` for a parameter).
    pub(crate) fn new(pattern: &'static str) -> Self {
        Self {
            pattern,
            methods: Methods(Vec::new()),
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
        self.methods.0.push((method, handler));
        self
    }
}

impl<H> Methods<H> {
    /// The value of the `Allow` header for this path.
    fn allow(&self) -> String {
        let names: Vec<&str> = self.0.iter().map(|(m, _)| m.as_str()).collect();
        names.join(",")
    }
}

/// What the router found for a request.
#[derive(Debug)]
pub(crate) enum Lookup<'a, H> {
    /// The handler of the path and method, and the path's raw parameters.
    Handler(H, PathParams<'a>),
    /// The path is served, but not with this method: the `Allow` header value.
    MethodNotAllowed(String),
    /// No route has this path.
    NotFound,
}

/// The routes, by path.
#[derive(Debug)]
pub(crate) struct Router<H> {
    paths: matchit::Router<Methods<H>>,
}

impl<H: Copy> Router<H> {
    /// A router over `routes`.
    ///
    /// # Panics
    ///
    /// If two routes conflict (a bug of the route table, which a unit test catches).
    pub(crate) fn new(routes: Vec<Route<H>>) -> Self {
        let mut paths = matchit::Router::new();
        for route in routes {
            if let Err(err) = paths.insert(route.pattern, route.methods) {
                panic!("route {}: {err}", route.pattern);
            }
        }
        Self { paths }
    }

    /// The handler for `method` on `path` (the raw, still percent-encoded path).
    pub(crate) fn find<'a>(&'a self, method: &Method, path: &'a str) -> Lookup<'a, H> {
        let Ok(found) = self.paths.at(path) else {
            return Lookup::NotFound;
        };
        match found.value.0.iter().find(|(m, _)| m == method) {
            Some((_, handler)) => Lookup::Handler(
                *handler,
                PathParams {
                    raw: found.params.iter().collect(),
                },
            ),
            None => Lookup::MethodNotAllowed(found.value.allow()),
        }
    }
}

/// The parameters of a matched path, still percent-encoded.
#[derive(Debug, Default)]
pub(crate) struct PathParams<'a> {
    raw: Vec<(&'a str, &'a str)>,
}

/// A path parameter that is not UTF-8 once percent-decoded: the parameter's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InvalidParam<'a>(pub(crate) &'a str);

impl<'a> PathParams<'a> {
    /// Every parameter, percent-decoded, by name; the first one that is not UTF-8 fails.
    pub(crate) fn decode(&self) -> Result<Vec<(&'a str, String)>, InvalidParam<'a>> {
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

    fn handler(found: Lookup<'_, u8>) -> Option<(u8, Vec<(&str, String)>)> {
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
        let r = router();
        let found = handler(r.find(&Method::GET, "/v1/items/a%2Fb%20c+d"));
        assert_eq!(found, Some((4, vec![("id", "a/b c+d".to_owned())])));
        let Lookup::Handler(_, params) = r.find(&Method::GET, "/v1/items/%FF") else {
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
