//! The current-user extractor/guard on the app's own route `GET /me`.

use super::{Failures, request, send};
use crate::app::{Framework, ME_PATH, USER_HEADER};
use crate::env::{Env, EnvOptions, regular};

/// `GET /me`: 401 JSON when anonymous (or the user header is invalid), 200 `{"id":…}` with a
/// user.
///
/// # Panics
///
/// On any failure, naming the framework and the case.
pub async fn current_user<F: Framework>() {
    let env = Env::<F>::start(EnvOptions::default()).await;
    let mut failures = Failures::default();
    let cases = [
        (
            "me: anonymous",
            request("GET", ME_PATH, None),
            401,
            r#"{"error":"Unauthorized"}"#,
        ),
        (
            "me: invalid user header",
            request("GET", ME_PATH, None).header(USER_HEADER, "[]"),
            401,
            r#"{"error":"Unauthorized"}"#,
        ),
        (
            "me: signed in",
            request("GET", ME_PATH, Some(&regular())),
            200,
            r#"{"id":"user-1"}"#,
        ),
    ];
    for (name, req, status, body) in cases {
        if let Some(answer) = send(&env, &mut failures, name, &req).await {
            failures.ensure::<F>(
                answer.status == status && answer.text() == body,
                name,
                || {
                    format!(
                        "expected {status} {body}, got {} {}",
                        answer.status,
                        answer.text()
                    )
                },
            );
        }
    }
    failures.finish("current_user");
}
