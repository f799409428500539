//! The test app on actix-web 4 with `vortex-actix` (see [`crate::app`] for the contract).

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header::ContentType;
use actix_web::{App, FromRequest, HttpRequest, HttpResponse, HttpServer, web};
use vortex_actix::{CurrentUser, VerifiedWebhook};
use vortex_routes::VortexUser;

use crate::app::{
    AppConfig, FRESH_WEBHOOK_PATH, Framework, ME_PATH, MOUNT, RunningApp, STALL_HEADER,
    USER_HEADER, WEBHOOK_PATH, WebhookLog, look_up_user, me_body,
};

/// The suite's actix-web app.
#[derive(Debug, Clone, Copy)]
pub struct ActixFramework;

/// The app's user extractor: [`USER_HEADER`] and [`STALL_HEADER`] through
/// [`look_up_user`]; fails when anonymous.
struct TestUser(VortexUser);

impl FromRequest for TestUser {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let header = |name: &str| request.headers().get(name).map(|v| v.as_bytes());
        let user = look_up_user(header(USER_HEADER), header(STALL_HEADER));
        Box::pin(async move {
            user.await
                .map(TestUser)
                .ok_or_else(|| actix_web::error::ErrorUnauthorized("anonymous"))
        })
    }
}

impl From<TestUser> for VortexUser {
    fn from(user: TestUser) -> Self {
        user.0
    }
}

fn json_response(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(body)
}

async fn on_webhook(log: web::Data<WebhookLog>, webhook: VerifiedWebhook) -> HttpResponse {
    let (status, body) = log.handle(&webhook.event).await;
    let status = actix_web::http::StatusCode::from_u16(status)
        .unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR);
    HttpResponse::build(status)
        .content_type(ContentType::json())
        .body(body)
}

async fn me(user: CurrentUser<TestUser>) -> HttpResponse {
    json_response(me_body(&user))
}

impl Framework for ActixFramework {
    const NAME: &'static str = "actix-web";

    fn spawn(config: AppConfig) -> RunningApp {
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("actix-app".into())
            .spawn(move || {
                actix_web::rt::System::new().block_on(async move {
                    let log = web::Data::new(config.webhook_log.clone());
                    let routes = config.routes.clone();
                    let (webhooks, fresh) = (config.webhooks, config.fresh_webhooks);
                    let server = HttpServer::new(move || {
                        App::new()
                            .app_data(log.clone())
                            .service(
                                web::scope(MOUNT)
                                    .configure(vortex_actix::configure::<TestUser>(routes.clone())),
                            )
                            .service(web::resource(ME_PATH).route(web::get().to(me)))
                            .service(
                                web::resource(WEBHOOK_PATH)
                                    .app_data(web::Data::new(webhooks.clone()))
                                    .wrap(vortex_actix::WebhookClaims::new())
                                    .route(web::post().to(on_webhook)),
                            )
                            .service(
                                web::resource(FRESH_WEBHOOK_PATH)
                                    .app_data(web::Data::new(fresh.clone()))
                                    .route(web::post().to(on_webhook)),
                            )
                    })
                    .workers(1)
                    .disable_signals()
                    .listen(listener)
                    .expect("listen on the bound socket")
                    .run();
                    let handle = server.handle();
                    actix_web::rt::spawn(async move {
                        let _ = stop_rx.await;
                        handle.stop(false).await;
                    });
                    let _ = started_tx.send(());
                    if let Err(err) = server.await {
                        eprintln!("actix-web test app failed: {err}");
                    }
                });
            })
            .expect("spawn the actix-web app thread");
        started_rx.recv().expect("the actix-web server started");
        RunningApp::new(addr, move || {
            let _ = stop_tx.send(());
            let _ = thread.join();
        })
    }
}
