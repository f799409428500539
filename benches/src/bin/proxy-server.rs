//! `GET /api/vortex/invitations/by-scope/{scopeType}/{scope}` over a real socket, for
//! `benches/proxy.sh`:
//!
//! - `proxy-server upstream PORT`: the in-memory upstream (`vortex_benches::proxy`): scope
//!   `n10`, `n100`, `n1000` answer that many invitations, as `vortex-mock` writes them;
//! - `proxy-server ours PORT UPSTREAM`: `vortex-axum`'s router nested at `/api/vortex` (policy
//!   `AllowAllAuthenticated`), proxying to `UPSTREAM` (`http://127.0.0.1:…`);
//! - `proxy-server official PORT UPSTREAM`: a hand-written axum route calling the official
//!   `vortex-sdk` 1.19 `get_invitations_by_scope`, answering `{"invitations":[…]}` written by
//!   `serde_json` from the SDK's typed list.
//!
//! The app servers read the user from the `x-user-id` header with the same extractor; every
//! server runs tokio's default multi-threaded runtime (`TOKIO_WORKER_THREADS` sets its worker
//! count) on `127.0.0.1:PORT`. Built only with
//! `--features official`.

use std::sync::Arc;

use axum::Router;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use vortex_axum::{AllowAllAuthenticated, VortexClient, VortexRoutes, VortexUser};
use vortex_benches::proxy::{KEY, fixtures, serve_upstream};

const USAGE: &str =
    "usage: proxy-server (upstream PORT | ours PORT UPSTREAM | official PORT UPSTREAM)";

/// The signed-in user, from the `x-user-id` header (401 without it).
struct HeaderUser {
    id: String,
}

impl<S: Send + Sync> FromRequestParts<S> for HeaderUser {
    type Rejection = StatusCode;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, StatusCode> {
        let id = parts.headers.get("x-user-id").and_then(|v| v.to_str().ok());
        let id = id.ok_or(StatusCode::UNAUTHORIZED)?;
        Ok(Self { id: id.to_owned() })
    }
}

impl From<HeaderUser> for VortexUser {
    fn from(user: HeaderUser) -> Self {
        let email = format!("{}@example.com", user.id);
        Self::new(user.id).email(email).name("Jane Doe")
    }
}

fn ours(upstream: &str) -> Result<Router, Box<dyn std::error::Error>> {
    let client = VortexClient::builder(KEY).base_url(upstream).build()?;
    let routes = VortexRoutes::new(client, AllowAllAuthenticated);
    Ok(Router::new().nest("/api/vortex", vortex_axum::router::<(), HeaderUser>(routes)))
}

async fn official_by_scope(
    State(client): State<Arc<vortex_sdk::VortexClient>>,
    _: HeaderUser,
    Path((scope_type, scope)): Path<(String, String)>,
) -> Response {
    #[derive(serde::Serialize)]
    struct Answer<'a> {
        invitations: &'a [vortex_sdk::Invitation],
    }
    match client.get_invitations_by_scope(&scope_type, &scope).await {
        Ok(invitations) => match serde_json::to_vec(&Answer {
            invitations: &invitations,
        }) {
            Ok(body) => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
            Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        },
        Err(_) => StatusCode::BAD_GATEWAY.into_response(),
    }
}

fn official(upstream: &str) -> Router {
    let client = vortex_sdk::VortexClient::with_base_url(KEY.to_owned(), upstream.to_owned());
    Router::new()
        .route(
            "/api/vortex/invitations/by-scope/{scope_type}/{scope}",
            get(official_by_scope),
        )
        .with_state(Arc::new(client))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(which), Some(port)) = (args.next(), args.next()) else {
        return Err(USAGE.into());
    };
    let port: u16 = port.parse().map_err(|_| USAGE)?;
    // Tokio's default runtime, as `#[tokio::main]` builds it (worker threads: the number of
    // cores, or `TOKIO_WORKER_THREADS`), so that every server of the bench runs alike.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    if which == "upstream" {
        runtime.block_on(async {
            let fixtures = fixtures().await;
            let address = serve_upstream(&fixtures, port).await;
            eprintln!("proxy-server upstream listening on {address}");
            std::future::pending::<()>().await;
        });
        return Ok(());
    }
    let upstream = args.next().ok_or(USAGE)?;
    let app = match which.as_str() {
        "ours" => ours(&upstream)?,
        "official" => official(&upstream),
        _ => return Err(USAGE.into()),
    };
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        eprintln!("proxy-server {which} listening on 127.0.0.1:{port}");
        axum::serve(listener, app).await
    })?;
    Ok(())
}
