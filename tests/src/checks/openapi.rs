//! The OpenAPI description against the mounted routes: every documented path and method is
//! served (an anonymous request gets 401, not 404 or 405). The core's own test checks the
//! other way round, that every route it serves is documented.

use super::{Failures, request, send};
use crate::app::{Framework, MOUNT};
use crate::env::{Env, EnvOptions};

/// # Panics
///
/// On any failure, naming the framework and the case.
pub async fn documented_routes_are_mounted<F: Framework>() {
    let env = Env::<F>::start(EnvOptions::default()).await;
    let mut failures = Failures::default();
    let doc = vortex_routes::openapi::openapi_json();
    let paths = doc["paths"].as_object().expect("paths");
    for (path, item) in paths {
        let concrete: Vec<&str> = path
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    "x"
                } else {
                    segment
                }
            })
            .collect();
        let mut target = format!("{MOUNT}{}", concrete.join("/"));
        if path == "/invitations" {
            target.push_str("?targetType=email&targetValue=x");
        }
        for method in item.as_object().expect("path item").keys() {
            let method = method.to_ascii_uppercase();
            let case = format!("openapi: {method} {path} is mounted");
            if let Some(answer) =
                send(&env, &mut failures, &case, &request(&method, &target, None)).await
            {
                failures.ensure::<F>(answer.status == 401, &case, || {
                    format!(
                        "expected 401 (mounted, anonymous), got {} {}",
                        answer.status,
                        answer.text()
                    )
                });
            }
        }
    }
    failures.finish("documented_routes_are_mounted");
}
