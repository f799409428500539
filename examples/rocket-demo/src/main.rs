//! The Vortex demo on Rocket: sessions in a private (encrypted) cookie, the Vortex routes
//! mounted by a fairing, verified webhooks, and the production settings of [`serve`].
//!
//! Run with `cargo run -p rocket-demo`, then open <http://127.0.0.1:3000>.
//! Without `VORTEX_API_KEY` it runs on an embedded vortex-mock; the environment variables
//! it reads are listed in `vortex_demo::config`.

mod serve;

use std::io::Cursor;
use std::net::SocketAddr;

use rocket::data::{Data, ToByteUnit};
use rocket::fairing::AdHoc;
use rocket::http::{ContentType, Cookie, CookieJar, Method, SameSite, Status};
use rocket::request::{self, FromRequest, Request};
use rocket::response::{self, Responder, Response, content::RawHtml};
use rocket::{Route, State, get, post, route, routes};
use vortex_demo::{DemoApp, DemoConfig, DemoResponse, Upstream, openapi, page, print_banner};
use vortex_rocket::VortexUser;
use vortex_rocket::{Duplicate, VerifiedWebhook};

/// The private (encrypted) cookie that holds the signed-in user's id.
const COOKIE_NAME: &str = "vortex_demo_session";

/// The signed-in user, from the private session cookie: the app's own authentication.
struct SessionUser(VortexUser);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for SessionUser {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> request::Outcome<Self, ()> {
        let user_id = request.cookies().get_private(COOKIE_NAME);
        let user = request
            .rocket()
            .state::<DemoApp>()
            .and_then(|demo| demo.user(user_id.as_ref().map(Cookie::value)));
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
        Ok(response.finalize())
    }
}

#[get("/")]
#[allow(clippy::needless_pass_by_value)] // Rocket passes guards by value
fn index() -> RawHtml<&'static str> {
    RawHtml(page::INDEX_HTML)
}

#[get("/api-docs")]
fn api_docs() -> RawHtml<&'static str> {
    RawHtml(openapi::DOCS_HTML)
}

#[get("/api-docs/openapi.json")]
fn api_document() -> (ContentType, &'static str) {
    (ContentType::JSON, openapi::document_json())
}

#[get("/healthz")]
fn healthz(demo: &State<DemoApp>) -> Reply {
    Reply(demo.health())
}

#[get("/readyz")]
async fn readyz(demo: &State<DemoApp>) -> Reply {
    // Sessions live in the cookie: the event store is the only dependency to check.
    let no_session_store: Option<std::future::Ready<Result<(), String>>> = None;
    Reply(demo.readiness(no_session_store).await)
}

/// Reads a small JSON body (64 KiB at most).
async fn small_body(body: Data<'_>) -> Result<Vec<u8>, Reply> {
    match body.open(64.kibibytes()).into_bytes().await {
        Ok(bytes) if bytes.is_complete() => Ok(bytes.into_inner()),
        _ => Err(Reply(DemoResponse::error(
            400,
            "The request body could not be read",
        ))),
    }
}

#[post("/api/auth/login", data = "<body>")]
async fn login(demo: &State<DemoApp>, jar: &CookieJar<'_>, body: Data<'_>) -> Reply {
    let body = match small_body(body).await {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    match demo.login(&body) {
        Ok(user) => {
            let cookie = Cookie::build((COOKIE_NAME, user.id.to_string()))
                .path("/")
                .http_only(true)
                .same_site(SameSite::Lax);
            jar.add_private(cookie);
            Reply(DemoResponse::user(&user))
        }
        Err(answer) => Reply(answer),
    }
}

#[post("/api/auth/logout")]
fn logout(demo: &State<DemoApp>, jar: &CookieJar<'_>) -> Reply {
    jar.remove_private(Cookie::build(COOKIE_NAME).path("/"));
    Reply(demo.logout())
}

#[get("/api/auth/me")]
#[allow(clippy::needless_pass_by_value)] // Rocket passes guards by value
fn me(demo: &State<DemoApp>, user: Option<SessionUser>) -> Reply {
    Reply(demo.me(user.map(|u| u.0).as_ref()))
}

#[get("/api/demo/events")]
#[allow(clippy::needless_pass_by_value)] // Rocket passes guards by value
fn events(demo: &State<DemoApp>, user: Option<SessionUser>) -> Reply {
    Reply(demo.events(user.map(|u| u.0).as_ref()))
}

#[post("/api/demo/webhook-failures", data = "<body>")]
async fn webhook_failures(
    demo: &State<DemoApp>,
    user: Option<SessionUser>,
    body: Data<'_>,
) -> Reply {
    let user = user.map(|u| u.0);
    if user.is_none() {
        return Reply(DemoResponse::unauthorized());
    }
    match small_body(body).await {
        Ok(body) => Reply(demo.arm_webhook_failures(user.as_ref(), &body)),
        Err(reply) => reply,
    }
}

#[post("/webhooks/vortex", data = "<webhook>")]
#[allow(clippy::needless_pass_by_value)] // Rocket passes guards by value
fn webhook(demo: &State<DemoApp>, webhook: VerifiedWebhook) -> Result<Reply, Duplicate> {
    // An event already handled: answered 200 JSON, without handling it again.
    Ok(Reply(demo.received(webhook.event()?)))
}

/// `GET /metrics`: the Vortex metrics for Prometheus.
#[get("/metrics")]
fn metrics(demo: &State<DemoApp>) -> (ContentType, String) {
    let content_type = ContentType::parse_flexible(vortex_demo::metrics::CONTENT_TYPE)
        .unwrap_or(ContentType::Plain);
    (content_type, demo.metrics.render())
}

/// The demo's own routes, for the JSON 405 of their other methods.
const OWN_ROUTES: [(Method, &str); 12] = [
    (Method::Get, "/"),
    (Method::Get, "/api-docs"),
    (Method::Get, "/api-docs/openapi.json"),
    (Method::Get, "/healthz"),
    (Method::Get, "/readyz"),
    (Method::Post, "/api/auth/login"),
    (Method::Post, "/api/auth/logout"),
    (Method::Get, "/api/auth/me"),
    (Method::Get, "/api/demo/events"),
    (Method::Post, "/api/demo/webhook-failures"),
    (Method::Post, "/webhooks/vortex"),
    (Method::Get, "/metrics"),
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
    // Held until run returns: dropping it writes out the queued log lines.
    let _logs = vortex_demo::logging::init_tracing();
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
    let demo = DemoApp::new(&config, &upstream).await?;
    let banner_config = config.clone();
    let description = upstream.describe();
    let rocket = rocket::custom(serve::config(
        config.host,
        config.port,
        &config.session_secret,
    ))
    .manage(demo.webhooks.clone())
    // The claim fairing: an event is done once the handler answered 2xx.
    .attach(vortex_rocket::WebhookClaims::new())
    .manage(demo.clone())
    .attach(vortex_rocket::fairing::<SessionUser>(
        "/api/vortex",
        demo.routes.clone(),
    ))
    .mount(
        "/",
        routes![
            index,
            api_docs,
            api_document,
            healthz,
            readyz,
            login,
            logout,
            me,
            events,
            webhook_failures,
            webhook,
            metrics
        ],
    )
    .mount("/", method_not_allowed_routes())
    .register("/", vortex_rocket::catchers())
    .attach(AdHoc::on_liftoff("banner", move |_| {
        Box::pin(async move { print_banner(&banner_config, listening, &description) })
    }));
    serve::launch(rocket).await?;
    drop(upstream); // the embedded mock lives as long as the server
    Ok(())
}
