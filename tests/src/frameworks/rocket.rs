//! The test app on Rocket 0.5 with `vortex-rocket` (see [`crate::app`] for the contract).

use std::net::{Ipv4Addr, SocketAddr, TcpListener};

use rocket::fairing::AdHoc;
use rocket::http::{ContentType, Status};
use rocket::request::{self, FromRequest, Request};
use rocket::{State, get, post, routes};
use vortex_rocket::{CurrentUser, Duplicate, VerifiedWebhook};
use vortex_routes::{VortexUser, WebhookVerifier};

use crate::app::{
    AppConfig, FRESH_WEBHOOK_PATH, Framework, MOUNT, RunningApp, STALL_HEADER, USER_HEADER,
    WebhookLog, look_up_user, me_body,
};

/// The suite's Rocket app.
#[derive(Debug, Clone, Copy)]
pub struct RocketFramework;

/// The app's user guard: [`USER_HEADER`] and [`STALL_HEADER`] through [`look_up_user`];
/// forwards when anonymous.
struct TestUser(VortexUser);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for TestUser {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> request::Outcome<Self, ()> {
        let header = |name: &str| request.headers().get_one(name).map(str::as_bytes);
        match look_up_user(header(USER_HEADER), header(STALL_HEADER)).await {
            Some(user) => request::Outcome::Success(Self(user)),
            None => request::Outcome::Forward(Status::Unauthorized),
        }
    }
}

impl From<TestUser> for VortexUser {
    fn from(user: TestUser) -> Self {
        user.0
    }
}

/// The verifier of [`FRESH_WEBHOOK_PATH`], managed next to the default one.
struct FreshVerifier(WebhookVerifier);

impl AsRef<WebhookVerifier> for FreshVerifier {
    fn as_ref(&self) -> &WebhookVerifier {
        &self.0
    }
}

/// What the webhook handlers answer: [`WebhookLog::handle`]'s status and JSON.
type WebhookAnswer = (Status, (ContentType, String));

async fn handle(log: &WebhookLog, event: &vortex_client::webhook::VortexEvent) -> WebhookAnswer {
    let (status, body) = log.handle(event).await;
    (Status::new(status), (ContentType::JSON, body))
}

#[post("/webhooks/vortex", data = "<webhook>")]
#[allow(clippy::needless_pass_by_value)] // Rocket passes guards by value
async fn on_webhook(
    log: &State<WebhookLog>,
    webhook: VerifiedWebhook,
) -> Result<WebhookAnswer, Duplicate> {
    Ok(handle(log, webhook.event()?).await)
}

#[post("/webhooks/fresh", data = "<webhook>")]
#[allow(clippy::needless_pass_by_value)] // Rocket passes guards by value
async fn on_fresh_webhook(
    log: &State<WebhookLog>,
    webhook: VerifiedWebhook<FreshVerifier>,
) -> Result<WebhookAnswer, Duplicate> {
    Ok(handle(log, webhook.event()?).await)
}

#[get("/me")]
#[allow(clippy::needless_pass_by_value)] // Rocket passes guards by value
fn me(user: CurrentUser<TestUser>) -> (ContentType, String) {
    (ContentType::JSON, me_body(&user))
}

impl Framework for RocketFramework {
    const NAME: &'static str = "rocket";

    fn spawn(config: AppConfig) -> RunningApp {
        // Rocket binds its own socket: find a free port for it.
        let port = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        debug_assert_eq!(FRESH_WEBHOOK_PATH, "/webhooks/fresh");
        let figment = rocket::Config::figment()
            .merge(("address", Ipv4Addr::LOCALHOST))
            .merge(("port", port))
            .merge(("workers", 2))
            .merge(("log_level", rocket::config::LogLevel::Off))
            // A fixed test key: with Rocket's `secrets` feature on (the demos and the README
            // examples turn it on in the workspace), Rocket needs one outside its debug profile.
            .merge(("secret_key", "07".repeat(32)))
            .merge(("shutdown.ctrlc", false))
            .merge(("shutdown.grace", 0))
            .merge(("shutdown.mercy", 0));
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let rocket = rocket::custom(figment)
            .manage(config.webhook_log)
            .manage(config.webhooks)
            .manage(FreshVerifier(config.fresh_webhooks))
            .attach(vortex_rocket::WebhookClaims::new())
            .attach(vortex_rocket::fairing::<TestUser>(MOUNT, config.routes))
            .mount("/", routes![me, on_webhook, on_fresh_webhook])
            .register("/", vortex_rocket::catchers())
            .attach(AdHoc::on_liftoff("ready", move |rocket| {
                let _ = ready_tx.send(rocket.shutdown());
                Box::pin(async {})
            }));
        let thread = std::thread::Builder::new()
            .name("rocket-app".into())
            .spawn(move || {
                if let Err(err) = rocket::execute(rocket.launch()) {
                    eprintln!("rocket test app failed: {err}");
                }
            })
            .expect("spawn the rocket app thread");
        let shutdown = ready_rx.recv().expect("the rocket app lifted off");
        RunningApp::new(addr, move || {
            shutdown.notify();
            let _ = thread.join();
        })
    }
}
