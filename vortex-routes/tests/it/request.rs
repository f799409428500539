//! A request as an adapter hands it to the routes, with a user and a body that answer or
//! never answer.

use std::future::pending;

use vortex_routes::VortexUser;
use vortex_routes::adapter::{BodyError, RouteRequest, UserLookup};

/// The API key of the tests' clients (no call reaches a server unless a test sets one).
pub(crate) const KEY: &str = "VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing";

/// The id of the user a request is signed in as, unless a test says otherwise.
pub(crate) const USER_ID: &str = "user-7";

/// What the request's user extractor does.
#[derive(Clone, Copy)]
pub(crate) enum User {
    SignedIn,
    Anonymous,
    Stalls,
}

/// What reading the request's body does.
#[derive(Clone, Copy)]
pub(crate) enum Body {
    Empty,
    Stalls,
}

pub(crate) struct Request {
    pub(crate) method: &'static str,
    pub(crate) path: &'static str,
    pub(crate) user: User,
    pub(crate) body: Body,
}

impl Request {
    /// A request signed in as [`USER_ID`], with an empty body.
    pub(crate) fn new(method: &'static str, path: &'static str) -> Self {
        Self {
            method,
            path,
            user: User::SignedIn,
            body: Body::Empty,
        }
    }
}

impl RouteRequest for Request {
    type Body = Vec<u8>;
    fn method(&self) -> &str {
        self.method
    }
    fn path(&self) -> &str {
        self.path
    }
    fn query(&self) -> Option<&str> {
        None
    }
    async fn user(&mut self) -> UserLookup {
        match self.user {
            User::SignedIn => UserLookup::SignedIn(VortexUser::new(USER_ID)),
            User::Anonymous => UserLookup::Anonymous,
            User::Stalls => pending().await,
        }
    }
    async fn body(&mut self, _limit: usize) -> Result<Vec<u8>, BodyError> {
        match self.body {
            Body::Empty => Ok(Vec::new()),
            Body::Stalls => pending().await,
        }
    }
}
