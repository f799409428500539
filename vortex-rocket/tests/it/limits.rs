//! Body limits from Rocket's configuration (`limits.vortex`, `limits.vortex-webhook`).

use rocket::figment::Figment;
use rocket::http::Header;
use rocket::{post, routes};
use vortex_client::webhook::sign_payload;
use vortex_mock::MockServer;
use vortex_rocket::WebhookVerifier;
use vortex_rocket::{Duplicate, VerifiedWebhook};

use crate::support::{Answer, AppUser, as_user, client, figment, vortex_routes};

fn configured(limits: Figment) -> rocket::Rocket<rocket::Build> {
    rocket::custom(figment(limits))
}

#[post("/hook", data = "<webhook>")]
fn hook(webhook: VerifiedWebhook) -> Result<String, Duplicate> {
    let (_, body) = webhook.into_parts()?;
    Ok(format!(r#"{{"bytes":{}}}"#, body.len()))
}

#[rocket::async_test]
async fn routes_limit_from_rocket_config() {
    let mock = MockServer::start().await;
    let rocket =
        configured(Figment::new().merge(("limits.vortex", 32))).attach(vortex_rocket::fairing::<
            AppUser,
        >(
            "/api/vortex",
            vortex_routes(&mock),
        ));
    let client = client(rocket).await;
    assert_eq!(
        client
            .rocket()
            .config()
            .limits
            .get("vortex")
            .unwrap()
            .as_u64(),
        32
    );

    let fits = r#"{"context":{"a":"0123456789ab"}}"#;
    assert_eq!(fits.len(), 32);
    let answer = client
        .post("/api/vortex/jwt")
        .header(as_user("ada"))
        .body(fits)
        .dispatch()
        .await;
    assert_eq!(Answer::of(answer).await.status, 200);

    let over = r#"{"context":{"a":"0123456789abc"}}"#;
    let answer = client
        .post("/api/vortex/jwt")
        .header(as_user("ada"))
        .body(over)
        .dispatch()
        .await;
    Answer::of(answer)
        .await
        .assert_error(413, "Request body is too large: the limit is 32 bytes");

    // A Content-Length over the limit is refused before reading.
    let answer = client
        .post("/api/vortex/jwt")
        .header(as_user("ada"))
        .header(Header::new("Content-Length", "1000000"))
        .body("{}")
        .dispatch()
        .await;
    Answer::of(answer)
        .await
        .assert_error(413, "Request body is too large: the limit is 32 bytes");
}

#[rocket::async_test]
async fn routes_limit_is_capped_by_the_core() {
    let mock = MockServer::start().await;
    let rocket = configured(Figment::new().merge(("limits.vortex", 1024 * 1024))).attach(
        vortex_rocket::fairing::<AppUser>("/api/vortex", vortex_routes(&mock)),
    );
    let client = client(rocket).await;
    let big = format!(r#"{{"context":{{"pad":"{}"}}}}"#, "x".repeat(64 * 1024));
    let answer = client
        .post("/api/vortex/jwt")
        .header(as_user("ada"))
        .body(big)
        .dispatch()
        .await;
    Answer::of(answer)
        .await
        .assert_error(413, "Request body is too large: the limit is 65536 bytes");
}

#[rocket::async_test]
async fn webhook_limit_from_rocket_config() {
    let rocket = configured(Figment::new().merge(("limits.vortex-webhook", 64)))
        .manage(WebhookVerifier::new("whsec_test").unwrap())
        .mount("/", routes![hook])
        .register("/hook", vortex_rocket::catchers());
    let client = client(rocket).await;
    let send = |body: String| {
        let signature = sign_payload("whsec_test", body.as_bytes());
        client
            .post("/hook")
            .header(Header::new("X-Vortex-Signature", signature))
            .body(body)
            .dispatch()
    };
    let fits = format!(r#"{{"id":"e","type":"t","pad":"{}"}}"#, "x".repeat(34));
    assert_eq!(fits.len(), 64);
    let answer = Answer::of(send(fits).await).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    assert_eq!(answer.body["bytes"], 64);

    let over = format!(r#"{{"id":"e","type":"t","pad":"{}"}}"#, "x".repeat(35));
    Answer::of(send(over).await)
        .await
        .assert_error(413, "Webhook body is too large: the limit is 64 bytes");
}
