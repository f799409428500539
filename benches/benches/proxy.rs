//! Proxied invitation lists: `GET /api/vortex/invitations/by-scope/team/{scope}` answering 10,
//! 100 and 1,000 invitations, through each framework's Vortex router ("ours") against a
//! hand-written handler of the same framework calling the official `vortex-sdk` 1.19
//! ("official"), in process (no socket between the bench and the app); and the shaping step
//! alone, in MB/s.
//!
//! - The upstream is an axum server on loopback, on a runtime of its own, answering each
//!   scope's list from memory ([`vortex_benches::proxy`]). The lists are what `vortex-mock`
//!   answers: at start the bench runs the mock library, creates 1,000 invitations to `team-1`
//!   through its API (e-mail targets, one team, metadata) and keeps its by-scope answer; the
//!   lists of 10 and 100 are its first invitations.
//! - `ours`: the framework crate's router nested at `/api/vortex`, policy
//!   `AllowAllAuthenticated`, the bench's user extractor (`x-user-id`). It checks the answer
//!   and applies the Node transform (`scopeId`, `scopes`).
//! - `official`: a handler of the same framework taking the same extractor, calling
//!   `vortex_sdk::VortexClient::get_invitations_by_scope` (typed invitations, its own transform)
//!   and answering `{"invitations":[…]}` written by `serde_json` from the typed list.
//! - `shape/n1000/{one-pass,value}`: the shaping of the 1,000-invitation body alone, by the
//!   routes' one pass and by the `Value` path it replaces (criterion, MB/s of upstream body).
//!
//! Each pair is timed as in `router.rs`: batches of `ours` and `official` alternate, and each
//! side's fastest batch gives its ns per request; the ratio is official/ours (above 1: ours
//! is faster). Before timing, each pair is checked to answer 200 with the same invitation
//! count.
//!
//! Run: `cargo bench -p vortex-benches --features official --bench proxy` (a filter such as
//! `proxy/axum` or `shape` selects groups).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::Value;
use vortex_benches::proxy::{KEY, SIZES, fixtures, serve_upstream};
use vortex_client::{VortexClient, VortexUser};
use vortex_routes::{AllowAllAuthenticated, VortexRoutes};

const USER_ID: &str = "user-123";

fn path(size: usize) -> String {
    format!("/api/vortex/invitations/by-scope/team/n{size}")
}

/// The app's user, from the `x-user-id` header.
struct BenchUser {
    id: String,
}

impl From<BenchUser> for VortexUser {
    fn from(user: BenchUser) -> Self {
        let email = format!("{}@example.com", user.id);
        Self::new(user.id).email(email).name("Jane Doe")
    }
}

/// The in-memory upstream, on a runtime of its own with one worker.
struct Upstream {
    _runtime: tokio::runtime::Runtime,
    base_url: String,
}

fn upstream(fixtures: &[(usize, Vec<u8>)]) -> Upstream {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("the upstream's runtime starts");
    let address = runtime.block_on(serve_upstream(fixtures, 0));
    Upstream {
        _runtime: runtime,
        base_url: format!("http://{address}"),
    }
}

fn client(base_url: &str) -> VortexClient {
    VortexClient::builder(KEY)
        .base_url(base_url)
        .build()
        .expect("the bench client builds")
}

fn official(base_url: &str) -> vortex_sdk::VortexClient {
    vortex_sdk::VortexClient::with_base_url(KEY.to_owned(), base_url.to_owned())
}

/// What the official handlers do once they have the user: the SDK's list, written as
/// `{"invitations":[…]}`.
async fn official_list(client: &vortex_sdk::VortexClient, scope: &str) -> Result<Vec<u8>, ()> {
    #[derive(serde::Serialize)]
    struct Answer<'a> {
        invitations: &'a [vortex_sdk::Invitation],
    }
    let invitations = client
        .get_invitations_by_scope("team", scope)
        .await
        .map_err(drop)?;
    serde_json::to_vec(&Answer {
        invitations: &invitations,
    })
    .map_err(drop)
}

fn routes(client: VortexClient) -> VortexRoutes {
    VortexRoutes::new(client, AllowAllAuthenticated)
}

/// Checks that both answer 200 with `size` invitations, and that ours has the transform.
fn check_pair(label: &str, size: usize, ours: (u16, &[u8]), official: (u16, &[u8])) {
    for (side, (status, body)) in [("ours", ours), ("official", official)] {
        assert_eq!(status, 200, "{label}: {side} answered {status}");
        let body: Value = serde_json::from_slice(body).expect("a JSON answer");
        let invitations = body["invitations"].as_array().expect("a list");
        assert_eq!(invitations.len(), size, "{label}: {side}");
        if side == "ours" {
            assert_eq!(invitations[0]["scopes"][0]["scopeId"], "team-1", "{label}");
        }
    }
}

/// Alternates batches of `ours` (`run(true, n)`) and `official` (`run(false, n)`) and prints
/// each side's fastest batch in ns per request and the ratio official/ours.
fn paired(label: &str, batch: u64, mut run: impl FnMut(bool, u64) -> Duration) {
    const ROUNDS: usize = 20;
    if !selected(label) {
        return;
    }
    let mut best = [f64::MAX; 2];
    for _ in 0..ROUNDS {
        for (slot, ours) in [(0, true), (1, false)] {
            let per_request = run(ours, batch).as_nanos() as f64 / batch as f64;
            best[slot] = best[slot].min(per_request);
        }
    }
    println!(
        "paired {label}: ours {:.0} ns/request, official {:.0} ns/request, ratio {:.2}x",
        best[0],
        best[1],
        best[1] / best[0]
    );
}

/// Whether the bench's name filter (criterion's positional arguments) selects `label`.
fn selected(label: &str) -> bool {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with('-'))
        .collect();
    filters.is_empty()
        || filters
            .iter()
            .any(|filter| label.contains(filter.as_str()) || filter.contains(label))
}

/// Requests per batch: about the same time per batch for every size.
fn batch(size: usize) -> u64 {
    (2000 / size as u64).clamp(4, 200)
}

async fn time_async<F, Fut>(iters: u64, mut request: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    let start = Instant::now();
    for _ in 0..iters {
        request().await;
    }
    start.elapsed()
}

mod axum_app {
    use super::*;
    use axum::Router;
    use axum::body::{Body, Bytes};
    use axum::extract::{FromRequestParts, Path, State};
    use axum::http::request::Parts;
    use axum::http::{Request, StatusCode, header};
    use axum::response::{IntoResponse, Response};
    use axum::routing::get;
    use http_body_util::BodyExt as _;
    use std::sync::Arc;
    use tower::ServiceExt as _;

    impl<S: Send + Sync> FromRequestParts<S> for BenchUser {
        type Rejection = StatusCode;

        async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, StatusCode> {
            let id = parts.headers.get("x-user-id").and_then(|v| v.to_str().ok());
            let id = id.ok_or(StatusCode::UNAUTHORIZED)?;
            Ok(Self { id: id.to_owned() })
        }
    }

    pub(super) fn ours(client: VortexClient) -> Router {
        Router::new()
            .nest(
                "/api/vortex",
                vortex_axum::router::<(), BenchUser>(routes(client)),
            )
            .with_state(())
    }

    async fn by_scope(
        State(client): State<Arc<vortex_sdk::VortexClient>>,
        _: BenchUser,
        Path((_, scope)): Path<(String, String)>,
    ) -> Response {
        match official_list(&client, &scope).await {
            Ok(body) => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
            Err(()) => StatusCode::BAD_GATEWAY.into_response(),
        }
    }

    pub(super) fn official(client: vortex_sdk::VortexClient) -> Router {
        Router::new()
            .route(
                "/api/vortex/invitations/by-scope/{scope_type}/{scope}",
                get(by_scope),
            )
            .with_state(Arc::new(client))
    }

    pub(super) async fn send(app: &Router, path: &str) -> (u16, Bytes) {
        let request = Request::builder()
            .uri(path)
            .header("x-user-id", USER_ID)
            .body(Body::empty())
            .expect("the request builds");
        let answer = app.clone().oneshot(request).await.expect("infallible");
        let status = answer.status().as_u16();
        let body = answer
            .into_body()
            .collect()
            .await
            .expect("the body reads")
            .to_bytes();
        (status, body)
    }
}

fn bench_axum(upstream: &Upstream) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("the runtime starts");
    let ours = axum_app::ours(client(&upstream.base_url));
    let official = axum_app::official(official(&upstream.base_url));
    for size in SIZES {
        let label = format!("proxy/axum/n{size}");
        let path = path(size);
        runtime.block_on(async {
            let a = axum_app::send(&ours, &path).await;
            let b = axum_app::send(&official, &path).await;
            check_pair(&label, size, (a.0, &a.1), (b.0, &b.1));
        });
        paired(&label, batch(size), |is_ours, iters| {
            let app = if is_ours { &ours } else { &official };
            runtime.block_on(time_async(iters, || async {
                black_box(axum_app::send(app, &path).await);
            }))
        });
    }
}

mod actix_app {
    use std::future::{Ready, ready};

    use super::*;
    use actix_web::dev::{Payload, Service, ServiceResponse};
    use actix_web::{App, Error, FromRequest, HttpRequest, HttpResponse, test, web};

    impl FromRequest for BenchUser {
        type Error = actix_web::Error;
        type Future = Ready<Result<Self, Self::Error>>;

        fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
            let id = request
                .headers()
                .get("x-user-id")
                .and_then(|v| v.to_str().ok());
            ready(
                id.map(|id| Self { id: id.to_owned() })
                    .ok_or_else(|| actix_web::error::ErrorUnauthorized("no user")),
            )
        }
    }

    async fn by_scope(
        client: web::Data<vortex_sdk::VortexClient>,
        _: BenchUser,
        path: web::Path<(String, String)>,
    ) -> HttpResponse {
        match official_list(&client, &path.1).await {
            Ok(body) => HttpResponse::Ok()
                .content_type("application/json")
                .body(body),
            Err(()) => HttpResponse::BadGateway().finish(),
        }
    }

    pub(super) async fn ours(
        client: VortexClient,
    ) -> impl Service<actix_http::Request, Response = ServiceResponse, Error = Error> {
        test::init_service(
            App::new().service(
                web::scope("/api/vortex")
                    .configure(vortex_actix::configure::<BenchUser>(routes(client))),
            ),
        )
        .await
    }

    pub(super) async fn official(
        client: vortex_sdk::VortexClient,
    ) -> impl Service<actix_http::Request, Response = ServiceResponse, Error = Error> {
        test::init_service(App::new().app_data(web::Data::new(client)).route(
            "/api/vortex/invitations/by-scope/{scope_type}/{scope}",
            web::get().to(by_scope),
        ))
        .await
    }

    pub(super) async fn send<S>(app: &S, path: &str) -> (u16, web::Bytes)
    where
        S: Service<actix_http::Request, Response = ServiceResponse, Error = Error>,
    {
        let request = test::TestRequest::get()
            .uri(path)
            .insert_header(("x-user-id", USER_ID))
            .to_request();
        let answer = test::call_service(app, request).await;
        let status = answer.status().as_u16();
        (status, test::read_body(answer).await)
    }
}

fn bench_actix(upstream: &Upstream) {
    let system = actix_web::rt::System::new();
    let (ours, official) = system.block_on(async {
        (
            actix_app::ours(client(&upstream.base_url)).await,
            actix_app::official(official(&upstream.base_url)).await,
        )
    });
    for size in SIZES {
        let label = format!("proxy/actix/n{size}");
        let path = path(size);
        system.block_on(async {
            let a = actix_app::send(&ours, &path).await;
            let b = actix_app::send(&official, &path).await;
            check_pair(&label, size, (a.0, &a.1), (b.0, &b.1));
        });
        paired(&label, batch(size), |is_ours, iters| {
            system.block_on(time_async(iters, || async {
                if is_ours {
                    black_box(actix_app::send(&ours, &path).await);
                } else {
                    black_box(actix_app::send(&official, &path).await);
                }
            }))
        });
    }
}

mod rocket_app {
    use super::*;
    use rocket::http::{ContentType, Header, Status};
    use rocket::local::asynchronous::Client;
    use rocket::request::{self, FromRequest, Request};
    use rocket::{State, get, routes};

    #[rocket::async_trait]
    impl<'r> FromRequest<'r> for BenchUser {
        type Error = ();

        async fn from_request(request: &'r Request<'_>) -> request::Outcome<Self, ()> {
            match request.headers().get_one("x-user-id") {
                Some(id) => request::Outcome::Success(Self { id: id.to_owned() }),
                None => request::Outcome::Forward(Status::Unauthorized),
            }
        }
    }

    #[get("/invitations/by-scope/<_scope_type>/<scope>")]
    async fn by_scope(
        client: &State<vortex_sdk::VortexClient>,
        _user: BenchUser,
        _scope_type: &str,
        scope: &str,
    ) -> Result<(ContentType, Vec<u8>), Status> {
        official_list(client, scope)
            .await
            .map(|body| (ContentType::JSON, body))
            .map_err(|()| Status::BadGateway)
    }

    fn quiet() -> rocket::Rocket<rocket::Build> {
        rocket::custom(
            rocket::Config::figment()
                .merge(("log_level", "off"))
                .merge(("cli_colors", false)),
        )
    }

    pub(super) async fn ours(client: VortexClient) -> Client {
        let rocket = quiet().mount(
            "/api/vortex",
            vortex_rocket::routes::<BenchUser>(routes(client)),
        );
        Client::untracked(rocket).await.expect("rocket ignites")
    }

    pub(super) async fn official(client: vortex_sdk::VortexClient) -> Client {
        let rocket = quiet()
            .manage(client)
            .mount("/api/vortex", routes![by_scope]);
        Client::untracked(rocket).await.expect("rocket ignites")
    }

    pub(super) async fn send(client: &Client, path: &str) -> (u16, Vec<u8>) {
        let answer = client
            .get(path)
            .header(Header::new("x-user-id", USER_ID))
            .dispatch()
            .await;
        let status = answer.status().code;
        (status, answer.into_bytes().await.unwrap_or_default())
    }
}

fn bench_rocket(upstream: &Upstream) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("the runtime starts");
    let (ours, official) = runtime.block_on(async {
        (
            rocket_app::ours(client(&upstream.base_url)).await,
            rocket_app::official(official(&upstream.base_url)).await,
        )
    });
    for size in SIZES {
        let label = format!("proxy/rocket/n{size}");
        let path = path(size);
        runtime.block_on(async {
            let a = rocket_app::send(&ours, &path).await;
            let b = rocket_app::send(&official, &path).await;
            check_pair(&label, size, (a.0, &a.1), (b.0, &b.1));
        });
        paired(&label, batch(size), |is_ours, iters| {
            let app = if is_ours { &ours } else { &official };
            runtime.block_on(time_async(iters, || async {
                black_box(rocket_app::send(app, &path).await);
            }))
        });
    }
}

/// The shaping step alone on the 1,000-invitation body, in MB/s of upstream body.
fn bench_shaping(c: &mut Criterion, body: &[u8]) {
    let one_pass = vortex_routes::__bench::shape_list(body).expect("the pass shapes the list");
    assert_eq!(
        Some(&one_pass),
        vortex_routes::__bench::shape_list_by_value(body).as_ref(),
        "the pass and the Value path agree"
    );
    let mut group = c.benchmark_group("shape/n1000");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("one-pass", |b| {
        b.iter(|| vortex_routes::__bench::shape_list(black_box(body)));
    });
    group.bench_function("value", |b| {
        b.iter(|| vortex_routes::__bench::shape_list_by_value(black_box(body)));
    });
    group.finish();
}

fn bench_proxy(c: &mut Criterion) {
    let fixtures = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(fixtures());
    for (size, body) in &fixtures {
        println!("fixture n{size}: {} bytes", body.len());
    }
    bench_shaping(c, &fixtures[fixtures.len() - 1].1);
    let upstream = upstream(&fixtures);
    bench_axum(&upstream);
    bench_actix(&upstream);
    bench_rocket(&upstream);
}

fn criterion_config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = proxy;
    config = criterion_config();
    targets = bench_proxy
}
criterion_main!(proxy);
