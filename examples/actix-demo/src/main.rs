//! The Vortex demo on actix-web.
//!
//! Run with `cargo run -p examples --bin actix-demo`, then open <http://127.0.0.1:3000>.
//! Without `VORTEX_API_KEY` it runs on an embedded vortex-mock; see `shared/spec/DEMO.md`.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType};
use actix_web::{App, FromRequest, HttpRequest, HttpResponse, HttpServer, web};
use examples::{DemoApp, DemoConfig, DemoResponse, app::print_banner, page, upstream::Upstream};
use vortex_actix::VerifiedWebhook;
use vortex_client::routes::VortexUser;

/// The signed-in user, from the session cookie: the app's own authentication.
struct SessionUser(VortexUser);

impl FromRequest for SessionUser {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let user = request
            .app_data::<web::Data<DemoApp>>()
            .and_then(|demo| demo.user(cookie(request)));
        ready(
            user.map(SessionUser)
                .ok_or_else(|| actix_web::error::ErrorUnauthorized("not signed in")),
        )
    }
}

impl From<SessionUser> for VortexUser {
    fn from(user: SessionUser) -> Self {
        user.0
    }
}

fn cookie(request: &HttpRequest) -> Option<&str> {
    request
        .headers()
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
}

fn reply(answer: DemoResponse) -> HttpResponse {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = HttpResponse::build(status);
    if let Some(cookie) = answer.set_cookie {
        response.insert_header((header::SET_COOKIE, cookie));
    }
    response
        .content_type(ContentType::json())
        .body(answer.body.to_string())
}

async fn index() -> HttpResponse {
    HttpResponse::Ok()
        .content_type(ContentType::html())
        .body(page::INDEX_HTML)
}

async fn login(demo: web::Data<DemoApp>, body: web::Bytes) -> HttpResponse {
    reply(demo.login(&body))
}

async fn logout(demo: web::Data<DemoApp>, request: HttpRequest) -> HttpResponse {
    reply(demo.logout(cookie(&request)))
}

async fn me(demo: web::Data<DemoApp>, request: HttpRequest) -> HttpResponse {
    reply(demo.me(cookie(&request)))
}

async fn events(demo: web::Data<DemoApp>, request: HttpRequest) -> HttpResponse {
    reply(demo.events(cookie(&request)))
}

async fn webhook(
    demo: web::Data<DemoApp>,
    VerifiedWebhook { event, .. }: VerifiedWebhook,
) -> HttpResponse {
    reply(demo.received(&event))
}

async fn not_found() -> HttpResponse {
    reply(DemoResponse::error(404, "Not found"))
}

async fn method_not_allowed() -> HttpResponse {
    reply(DemoResponse::error(405, "Method not allowed"))
}

/// A resource answering JSON 405 for other methods.
fn resource(path: &str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(method_not_allowed))
}

#[actix_web::main]
async fn main() {
    if let Err(message) = run().await {
        eprintln!("actix-demo: {message}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), String> {
    examples::app::init_tracing();
    let config = DemoConfig::from_env()?;
    let listener = std::net::TcpListener::bind((config.host, config.port))
        .map_err(|e| format!("cannot listen on {}:{}: {e}", config.host, config.port))?;
    let listening = listener.local_addr().map_err(|e| e.to_string())?;
    let upstream = Upstream::start(&config, listening).await?;
    let demo = DemoApp::new(&config, &upstream)?;
    let data = web::Data::new(demo.clone());
    let verifier = web::Data::new(demo.webhooks.clone());
    let routes = demo.routes.clone();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(verifier.clone())
            .service(
                web::scope("/api/vortex")
                    .configure(vortex_actix::configure::<SessionUser>(routes.clone())),
            )
            .service(resource("/").route(web::get().to(index)))
            .service(resource("/api/auth/login").route(web::post().to(login)))
            .service(resource("/api/auth/logout").route(web::post().to(logout)))
            .service(resource("/api/auth/me").route(web::get().to(me)))
            .service(resource("/api/demo/events").route(web::get().to(events)))
            .service(resource("/webhooks/vortex").route(web::post().to(webhook)))
            .default_service(web::to(not_found))
    })
    .workers(2)
    .listen(listener)
    .map_err(|e| e.to_string())?
    .run();
    print_banner(&config, listening, &upstream.describe());
    server.await.map_err(|e| e.to_string())?;
    drop(upstream); // the embedded mock lives as long as the server
    Ok(())
}
