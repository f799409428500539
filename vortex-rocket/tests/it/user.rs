//! `CurrentUser` in the app's own handlers.

use rocket::http::Status;
use rocket::{get, routes};
use vortex_rocket::VortexResponse;

use crate::support::{Answer, AppUser, as_user, client, rocket};

type CurrentUser = vortex_rocket::CurrentUser<AppUser>;

#[get("/me")]
fn me(user: CurrentUser) -> String {
    let user = user.into_inner();
    serde_json::json!({ "id": user.id, "email": user.email }).to_string()
}

#[get("/me-or-rejection")]
fn me_or_rejection(user: Result<CurrentUser, VortexResponse>) -> Result<String, VortexResponse> {
    Ok(serde_json::json!({ "id": user?.into_inner().id }).to_string())
}

#[get("/maybe")]
fn maybe(user: Option<CurrentUser>) -> String {
    serde_json::json!({ "id": user.map(|u| u.id.clone()) }).to_string()
}

#[rocket::async_test]
async fn current_user() {
    let rocket = rocket()
        .mount("/", routes![me, me_or_rejection, maybe])
        .register("/me", vortex_rocket::catchers());
    let client = client(rocket).await;

    for path in ["/me", "/me-or-rejection"] {
        let answer = Answer::of(client.get(path).header(as_user("ada")).dispatch().await).await;
        assert_eq!(answer.status, 200, "{path}");
        assert_eq!(answer.body["id"], "ada", "{path}");
        for user in [None, Some("forward"), Some("error")] {
            let mut request = client.get(path);
            if let Some(user) = user {
                request = request.header(as_user(user));
            }
            Answer::of(request.dispatch().await)
                .await
                .assert_error(401, "Unauthorized");
        }
    }
    let signed_in = Answer::of(client.get("/maybe").header(as_user("ada")).dispatch().await).await;
    assert_eq!(signed_in.body["id"], "ada");
    let anonymous = Answer::of(client.get("/maybe").dispatch().await).await;
    assert_eq!(anonymous.body["id"], serde_json::Value::Null);
}

#[rocket::async_test]
async fn without_catchers_rocket_answers_its_own_401() {
    let client = client(rocket().mount("/", routes![me])).await;
    let answer = client.get("/me").dispatch().await;
    assert_eq!(answer.status(), Status::Unauthorized);
    assert_ne!(answer.content_type(), Some(rocket::http::ContentType::JSON));
}
