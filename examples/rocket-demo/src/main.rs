//! The Vortex demo on Rocket.
//!
//! Run with `cargo run -p examples --bin rocket-demo`, then open <http://127.0.0.1:3000>.
//! Without `VORTEX_API_KEY` it runs on an embedded vortex-mock; see `shared/spec/DEMO.md`.

use std::io::Cursor;
use std::net::SocketAddr;

use examples::{DemoApp, DemoConfig, DemoResponse, app::print_banner, page, upstream::Upstream};
use rocket::data::{Data, ToByteUnit};
use rocket::fairing::AdHoc;
use rocket::http::{ContentType, Header, Method, Status};
use rocket::request::{self, FromRequest, Request};
use rocket::response::{self, Responder, Response, content::RawHtml};
use rocket::{Route, State, get, post, route, routes};
use vortex_client::routes::VortexUser;
use vortex_rocket::VerifiedWebhook;

/// The `Cookie` header of a request.
struct Cookies(Option<String>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Cookies {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> request::Outcome<Self, Self::Error> {
        request::Outcome::Success(Self(request.headers().get_one("cookie").map(str::to_owned)))
    }
}

/// The signed-in user, from the session cookie: the app's own authentication.
struct SessionUser(VortexUser);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for SessionUser {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> request::Outcome<Self, ()> {
        let user = request
            .rocket()
            .state::<DemoApp>()
            .and_then(|demo| demo.user(request.headers().get_one("cookie")));
        match user {
            Some(user) => request::Outcome::Success(Self(user)),
            None => request::Outcome::Forward(Status::Unauthorized),
        }
    }
}

impl From<SessionUser> for VortexUser {
    fn from(user: SessionUser) -> Self {
        user.0
    }
}

/// A demo answer as a Rocket response.
struct Reply(DemoResponse);

impl<'r> Responder<'r, 'static> for Reply {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        let body = self.0.body.to_string();
        let mut response = Response::build();
        response
            .status(Status::new(self.0.status))
            .header(ContentType::JSON)
            .sized_body(body.len(), Cursor::new(body));
        if let Some(cookie) = self.0.set_cookie {
            response.header(Header::new("Set-Cookie", cookie));
        }
        Ok(response.finalize())
    }
}

#[get("/")]
#[allow(clippy::needless_pass_by_value)] // Rocket passes guards by value
fn index() -> RawHtml<&'static str> {
    RawHtml(page::INDEX_HTML)
}

#[post("/api/auth/login", data = "<body>")]
#[allow(clippy::needless_pass_by_value)] // Rocket passes guards by value
async fn login(demo: &State<DemoApp>, body: Data<'_>) -> Reply {
    match body.open(64.kibibytes()).into_bytes().await {
        Ok(bytes) if bytes.is_complete() => Reply(demo.login(&bytes)),
        _ => Reply(DemoResponse::error(
            400,
            "The request body could not be read",
        )),
    }
}

#[post("/api/auth/logout")]
#[allow(clippy::needless_pass_by_value)] // Rocket passes guards by value
fn logout(demo: &State<DemoApp>, cookies: Cookies) -> Reply {
    Reply(demo.logout(cookies.0.as_deref()))
}

#[get("/api/auth/me")]
#[allow(clippy::needless_pass_by_value)] // Rocket passes guards by value
fn me(demo: &State<DemoApp>, cookies: Cookies) -> Reply {
    Reply(demo.me(cookies.0.as_deref()))
}

#[get("/api/demo/events")]
#[allow(clippy::needless_pass_by_value)] // Rocket passes guards by value
fn events(demo: &State<DemoApp>, cookies: Cookies) -> Reply {
    Reply(demo.events(cookies.0.as_deref()))
}

#[post("/webhooks/vortex", data = "<webhook>")]
#[allow(clippy::needless_pass_by_value)] // Rocket passes guards by value
fn webhook(demo: &State<DemoApp>, webhook: VerifiedWebhook) -> Reply {
    Reply(demo.received(&webhook.event))
}

/// The demo's own routes, for the JSON 405 of their other methods.
const OWN_ROUTES: [(Method, &str); 6] = [
    (Method::Get, "/"),
    (Method::Post, "/api/auth/login"),
    (Method::Post, "/api/auth/logout"),
    (Method::Get, "/api/auth/me"),
    (Method::Get, "/api/demo/events"),
    (Method::Post, "/webhooks/vortex"),
];

fn method_not_allowed<'r>(request: &'r Request<'_>, _: Data<'r>) -> route::BoxFuture<'r> {
    route::Outcome::from(
        request,
        Reply(DemoResponse::error(405, "Method not allowed")),
    )
    .pin()
}

/// Rocket answers a known path with another method 404; the other demos answer 405, and so
/// does this one, with these low-priority routes.
fn method_not_allowed_routes() -> Vec<Route> {
    const METHODS: [Method; 7] = [
        Method::Get,
        Method::Put,
        Method::Post,
        Method::Delete,
        Method::Patch,
        Method::Head,
        Method::Options,
    ];
    let mut routes = Vec::new();
    for (_, path) in OWN_ROUTES {
        let has_get = OWN_ROUTES.contains(&(Method::Get, path));
        for method in METHODS {
            // Rocket answers HEAD for GET routes itself.
            let served =
                OWN_ROUTES.contains(&(method, path)) || (method == Method::Head && has_get);
            if !served {
                routes.push(Route::ranked(100, method, path, method_not_allowed));
            }
        }
    }
    routes
}

#[rocket::main]
async fn main() {
    if let Err(message) = run().await {
        eprintln!("rocket-demo: {message}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), String> {
    examples::app::init_tracing();
    let mut config = DemoConfig::from_env()?;
    if config.port == 0 {
        // Rocket needs the port up front; the embedded mock needs it for its webhooks.
        config.port = std::net::TcpListener::bind((config.host, 0))
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("cannot find a free port: {e}"))?
            .port();
    }
    let listening = SocketAddr::new(config.host, config.port);
    let upstream = Upstream::start(&config, listening).await?;
    let demo = DemoApp::new(&config, &upstream)?;
    let figment = rocket::Config::figment()
        .merge(("address", config.host))
        .merge(("port", config.port))
        .merge(("log_level", rocket::config::LogLevel::Critical));
    let banner_config = config.clone();
    let description = upstream.describe();
    let _rocket = rocket::custom(figment)
        .manage(demo.webhooks.clone())
        .manage(demo.clone())
        .attach(vortex_rocket::fairing::<SessionUser>(
            "/api/vortex",
            demo.routes.clone(),
        ))
        .mount("/", routes![index, login, logout, me, events, webhook])
        .mount("/", method_not_allowed_routes())
        .register("/", vortex_rocket::catchers())
        .attach(AdHoc::on_liftoff("banner", move |_| {
            Box::pin(async move { print_banner(&banner_config, listening, &description) })
        }))
        .launch()
        .await
        .map_err(|e| e.to_string())?;
    drop(upstream); // the embedded mock lives as long as the server
    Ok(())
}
