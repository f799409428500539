//! The Vortex demo on actix-web: `actix-session` sessions in a private cookie, the Vortex
//! routes in a `web::scope("/api/vortex")`, verified webhooks, and a production server (see
//! [`serve`]).
//!
//! Run with `cargo run -p actix-demo`, then open <http://127.0.0.1:3000>.
//! Without `VORTEX_API_KEY` it runs on an embedded vortex-mock; the environment variables
//! it reads are listed in `vortex_demo::config`.

mod serve;
mod session;

use actix_session::Session;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::ContentType;
use actix_web::middleware::{Next, from_fn};
use actix_web::{App, HttpResponse, web};
use session::{NoUser, SessionUser};
use vortex_actix::VerifiedWebhook;
use vortex_demo::app::SESSION_USER_ID;
use vortex_demo::serving::{REQUEST_TIMEOUT, REQUEST_TIMEOUT_MESSAGE};
use vortex_demo::{DemoApp, DemoConfig, DemoResponse, Upstream, openapi, page, print_banner};

fn reply(answer: DemoResponse) -> HttpResponse {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    HttpResponse::build(status).json(answer.body)
}

async fn index() -> HttpResponse {
    HttpResponse::Ok()
        .content_type(ContentType::html())
        .body(page::INDEX_HTML)
}

async fn api_docs() -> HttpResponse {
    HttpResponse::Ok()
        .content_type(ContentType::html())
        .body(openapi::DOCS_HTML)
}

async fn api_document() -> HttpResponse {
    HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(openapi::document_json())
}

async fn login(demo: web::Data<DemoApp>, session: Session, body: web::Bytes) -> HttpResponse {
    let user = match demo.login(&body) {
        Ok(user) => user,
        Err(answer) => return reply(answer),
    };
    // A new session at sign-in, so a planted cookie cannot ride on it.
    session.renew();
    if let Err(e) = session.insert(SESSION_USER_ID, &user.id) {
        tracing::error!("cannot write the session: {e}");
        return reply(DemoResponse::error(500, "Internal error"));
    }
    reply(DemoResponse::user(&user))
}

async fn logout(demo: web::Data<DemoApp>, session: Session) -> HttpResponse {
    session.purge();
    reply(demo.logout())
}

async fn me(
    demo: web::Data<DemoApp>,
    user: Result<SessionUser, NoUser>,
) -> Result<HttpResponse, NoUser> {
    Ok(reply(demo.me(Some(&user?.0))))
}

async fn events(
    demo: web::Data<DemoApp>,
    user: Result<SessionUser, NoUser>,
) -> Result<HttpResponse, NoUser> {
    Ok(reply(demo.events(Some(&user?.0))))
}

async fn webhook_failures(
    demo: web::Data<DemoApp>,
    user: Result<SessionUser, NoUser>,
    body: web::Bytes,
) -> Result<HttpResponse, NoUser> {
    Ok(reply(demo.arm_webhook_failures(Some(&user?.0), &body)))
}

async fn webhook(
    demo: web::Data<DemoApp>,
    VerifiedWebhook { event, .. }: VerifiedWebhook,
) -> HttpResponse {
    reply(demo.received(&event))
}

/// `GET /metrics`: the Vortex metrics for Prometheus.
async fn metrics(demo: web::Data<DemoApp>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(vortex_demo::metrics::CONTENT_TYPE)
        .body(demo.metrics.render())
}

async fn healthz(demo: web::Data<DemoApp>) -> HttpResponse {
    reply(demo.health())
}

async fn readyz(demo: web::Data<DemoApp>) -> HttpResponse {
    // Sessions live in the cookie: the event store is the only dependency to check.
    let no_session_store: Option<std::future::Ready<Result<(), String>>> = None;
    reply(demo.readiness(no_session_store).await)
}

/// The answer of a request past [`REQUEST_TIMEOUT`]: 503 JSON with `Retry-After`.
#[derive(Debug)]
struct RequestTimedOut;

impl std::fmt::Display for RequestTimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(REQUEST_TIMEOUT_MESSAGE)
    }
}

impl actix_web::ResponseError for RequestTimedOut {
    fn status_code(&self) -> StatusCode {
        StatusCode::SERVICE_UNAVAILABLE
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::ServiceUnavailable()
            .insert_header(("retry-after", "5"))
            .json(serde_json::json!({ "error": REQUEST_TIMEOUT_MESSAGE }))
    }
}

/// Bounds every request: past [`REQUEST_TIMEOUT`] the request's future is dropped and the
/// answer is 503 JSON with `Retry-After` (as an error: the request itself went with the
/// dropped future, and actix-web answers errors from the server).
async fn bounded(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let what = format!("{} {}", request.method(), request.path());
    match actix_web::rt::time::timeout(REQUEST_TIMEOUT, next.call(request)).await {
        Ok(response) => response.map(ServiceResponse::map_into_boxed_body),
        Err(_) => {
            tracing::error!("{what} did not finish within {REQUEST_TIMEOUT:?}: answered 503");
            Err(RequestTimedOut.into())
        }
    }
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
    // Held until run returns: dropping it writes out the queued log lines.
    let _logs = vortex_demo::logging::init_tracing();
    let config = DemoConfig::from_env()?;
    let listener = std::net::TcpListener::bind((config.host, config.port))
        .map_err(|e| format!("cannot listen on {}:{}: {e}", config.host, config.port))?;
    let listening = listener.local_addr().map_err(|e| e.to_string())?;
    let upstream = Upstream::start(&config, listening).await?;
    let demo = DemoApp::new(&config, &upstream).await?;
    let data = web::Data::new(demo.clone());
    let verifier = web::Data::new(demo.webhooks.clone());
    let routes = demo.routes.clone();
    let secret = config.session_secret.clone();
    let app = move || {
        App::new()
            .wrap(session::middleware(&secret))
            // Outermost (the last `wrap`), so that it bounds the session middleware too.
            .wrap(from_fn(bounded))
            .app_data(data.clone())
            .app_data(verifier.clone())
            .service(
                web::scope("/api/vortex")
                    .configure(vortex_actix::configure::<SessionUser>(routes.clone())),
            )
            .service(resource("/").route(web::get().to(index)))
            .service(resource("/api-docs").route(web::get().to(api_docs)))
            .service(resource("/api-docs/openapi.json").route(web::get().to(api_document)))
            .service(resource("/healthz").route(web::get().to(healthz)))
            .service(resource("/readyz").route(web::get().to(readyz)))
            .service(resource("/api/auth/login").route(web::post().to(login)))
            .service(resource("/api/auth/logout").route(web::post().to(logout)))
            .service(resource("/api/auth/me").route(web::get().to(me)))
            .service(resource("/api/demo/events").route(web::get().to(events)))
            .service(resource("/api/demo/webhook-failures").route(web::post().to(webhook_failures)))
            .service(resource("/metrics").route(web::get().to(metrics)))
            .service(
                // The claim middleware: an event is done once the handler answered 2xx.
                resource("/webhooks/vortex")
                    .wrap(vortex_actix::WebhookClaims::new())
                    .route(web::post().to(webhook)),
            )
            .default_service(web::to(not_found))
    };
    print_banner(&config, listening, &upstream.describe());
    serve::serve(listener, app)
        .await
        .map_err(|e| e.to_string())?;
    drop(upstream); // the embedded mock lives as long as the server
    Ok(())
}
