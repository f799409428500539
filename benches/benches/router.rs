//! The integration routers against hand-written handlers of the same framework, in process
//! (no socket between the bench and the app): what the Vortex router adds per request.
//!
//! For each framework (`axum`, `actix`, `rocket`) two groups, each with two lines:
//!
//! - `jwt/{framework}/{ours,hand}`: `POST /api/vortex/jwt`. `ours` goes through the crate's
//!   router (route match, the app's user extractor, body limit, `/jwt` input, policy
//!   [`AllowAllAuthenticated`], token, answer); `hand` is a handler of the same framework that
//!   takes the same app user extractor ([`BenchUser`], from an `x-user-id` header), calls the
//!   same token function (`VortexClient::generate_jwt` with `VortexUser::into_jwt_params` and the
//!   default `TokenOptions`) and answers `{"jwt":…}` with `Cache-Control: no-store`.
//! - `invitation/{framework}/{ours,hand}`: `GET /api/vortex/invitations/inv-1`, proxied to a
//!   `vortex-mock` started in this process (on loopback) with that invitation seeded. `hand`
//!   calls the client's raw `get_invitation`, applies the same public
//!   `transform_invitation` and answers the JSON.
//!
//! Each iteration builds the request, sends it through the framework's in-process entry point
//! (`tower::ServiceExt::oneshot`, `actix_web::test::call_service`, Rocket's local client) and
//! reads the whole answer. Before timing, each pair is checked to answer the same status and
//! the same body shape. No tracing subscriber is installed: logs are off, as in a server whose
//! filter drops them.
//!
//! The routes' metrics (the framework crates' default `metrics` feature) record into no
//! recorder unless `VORTEX_BENCH_RECORDER=prometheus` installs one.
//!
//! Run: `cargo bench -p vortex-benches --bench router` (`benches/router.sh` prints the
//! differences and checks the target: axum's `/jwt` adds at most 1000 ns).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};
use vortex_client::token::TokenOptions;
use vortex_client::{VortexClient, VortexUser};
use vortex_routes::{AllowAllAuthenticated, VortexRoutes, transform_invitation};

/// The test API key the client signs with and the mock accepts.
const KEY: &str = "VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing";
/// The signed-in user of every request.
const USER_ID: &str = "user-123";
/// The seeded invitation.
const INVITATION_ID: &str = "inv-1";
const JWT_PATH: &str = "/api/vortex/jwt";
const INVITATION_PATH: &str = "/api/vortex/invitations/inv-1";

/// The app's user, as its own authentication finds it (here: the `x-user-id` header).
struct BenchUser {
    id: String,
}

impl From<BenchUser> for VortexUser {
    fn from(user: BenchUser) -> Self {
        let email = format!("{}@example.com", user.id);
        Self::new(user.id).email(email).name("Jane Doe")
    }
}

/// The client of one framework's bench, pointed at the mock (a client per runtime: its
/// pooled connections belong to the runtime that opened them).
fn client(base_url: &str) -> VortexClient {
    VortexClient::builder(KEY)
        .base_url(base_url)
        .build()
        .expect("the bench client builds")
}

fn routes(client: VortexClient) -> VortexRoutes {
    VortexRoutes::new(client, AllowAllAuthenticated)
}

/// What the hand-written `/jwt` handlers do once they have the user.
fn hand_jwt(client: &VortexClient, user: BenchUser) -> String {
    let user = VortexUser::from(user);
    let jwt = client
        .generate_jwt(&user.into_jwt_params(), TokenOptions::default())
        .expect("the bench user signs");
    serde_json::to_string(&json!({ "jwt": jwt })).expect("JSON serializes")
}

/// What the hand-written invitation handlers do: the raw get, the same transform.
async fn hand_invitation(client: &VortexClient, id: &str) -> Result<String, u16> {
    let mut invitation = client.raw().get_invitation(id).await.map_err(|_| 502u16)?;
    transform_invitation(&mut invitation);
    Ok(serde_json::to_string(&invitation).expect("JSON serializes"))
}

/// Checks that the two answers of a pair agree before timing them.
fn check_pair(label: &str, ours: (u16, &[u8]), hand: (u16, &[u8])) {
    assert_eq!(ours.0, 200, "{label}: ours answered {}", ours.0);
    assert_eq!(hand.0, 200, "{label}: hand answered {}", hand.0);
    let ours: Value = serde_json::from_slice(ours.1).expect("ours answers JSON");
    let hand: Value = serde_json::from_slice(hand.1).expect("hand answers JSON");
    if let Some(jwt) = ours.get("jwt") {
        assert!(
            jwt.is_string() && hand["jwt"].is_string(),
            "{label}: {ours} vs {hand}"
        );
    } else {
        assert_eq!(ours, hand, "{label}: the bodies differ");
    }
}

/// A mock started on a runtime of its own, kept running for the whole bench.
struct Upstream {
    _runtime: tokio::runtime::Runtime,
    _mock: vortex_mock::MockServer,
    base_url: String,
}

fn upstream() -> Upstream {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("the mock's runtime starts");
    let mock = runtime.block_on(async {
        vortex_mock::MockServer::builder()
            .api_key(KEY)
            .deterministic(1)
            .seed_invitation(json!({
                "id": INVITATION_ID,
                "target": [{"type": "email", "value": "user-123@example.com"}],
                "groups": [{"type": "team", "groupId": "team-1", "name": "Team 1"}]
            }))
            .start()
            .await
            .expect("the mock starts")
    });
    let base_url = mock.base_url().to_owned();
    Upstream {
        _runtime: runtime,
        _mock: mock,
        base_url,
    }
}

/// Alternates batches of `ours` (`run(true, n)`) and `hand` (`run(false, n)`) and prints each
/// side's fastest batch, in ns per request, and the difference: on a loaded machine (two
/// shared cores) the fastest batch is the figure least disturbed by other processes, and
/// alternating exposes both sides to the same conditions. `benches/router.sh` reads it.
fn paired(label: &str, mut run: impl FnMut(bool, u64) -> Duration) {
    const ROUNDS: usize = 40;
    if !selected(label) {
        return;
    }
    const BATCH: u64 = 100;
    let mut best = [f64::MAX; 2];
    for _ in 0..ROUNDS {
        for (slot, ours) in [(0, true), (1, false)] {
            let per_request = run(ours, BATCH).as_nanos() as f64 / BATCH as f64;
            best[slot] = best[slot].min(per_request);
        }
    }
    println!(
        "paired {label}: ours {:.0} ns/request, hand {:.0} ns/request, difference {:+.0} ns",
        best[0],
        best[1],
        best[0] - best[1]
    );
}

/// Whether the bench's name filter (criterion's positional arguments, such as `jwt/axum`)
/// selects the group `label`: the paired runs follow the filter criterion applies.
fn selected(label: &str) -> bool {
    // Criterion's options that take a value as the next argument.
    const WITH_VALUE: &[&str] = &[
        "--output-format",
        "--profile-time",
        "--save-baseline",
        "--baseline",
        "--sample-size",
        "--measurement-time",
        "--warm-up-time",
        "--color",
        "--format",
        "--nresamples",
        "--noise-threshold",
        "--confidence-level",
        "--significance-level",
        "--load-baseline",
    ];
    let mut filters = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if WITH_VALUE.contains(&arg.as_str()) {
            args.next();
        } else if !arg.starts_with('-') {
            filters.push(arg);
        }
    }
    filters.is_empty()
        || filters
            .iter()
            .any(|filter| label.contains(filter.as_str()) || filter.contains(label))
}

/// Times `iters` sequential runs of `request` inside one `block_on`.
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
    use axum::body::{Body, Bytes};
    use axum::extract::{FromRequestParts, Path, State};
    use axum::http::request::Parts;
    use axum::http::{Request, StatusCode, header};
    use axum::response::{IntoResponse, Response};
    use axum::routing::{get, post};
    use axum::{Json, Router};
    use http_body_util::BodyExt as _;
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
        // `with_state(())` turns the handlers into routes once, as `axum::serve` and
        // `into_make_service` do (and as `hand`'s `with_state(client)` does); without it, a
        // `Router<()>` called directly rebuilds each matched route per request.
        Router::new()
            .nest(
                "/api/vortex",
                vortex_axum::router::<(), BenchUser>(routes(client)),
            )
            .with_state(())
    }

    async fn jwt(State(client): State<VortexClient>, user: BenchUser) -> Response {
        let client_ref = &client;
        let body = hand_jwt(client_ref, user);
        (
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            body,
        )
            .into_response()
    }

    async fn invitation(
        State(client): State<VortexClient>,
        _: BenchUser,
        Path(id): Path<String>,
    ) -> Response {
        match hand_invitation(&client, &id).await {
            Ok(body) => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
            Err(_) => (
                StatusCode::BAD_GATEWAY,
                Json(json!({"error": "Vortex API unavailable"})),
            )
                .into_response(),
        }
    }

    pub(super) fn hand(client: VortexClient) -> Router {
        Router::new()
            .route("/api/vortex/jwt", post(jwt))
            .route("/api/vortex/invitations/{id}", get(invitation))
            .with_state(client)
    }

    pub(super) async fn send(app: &Router, method: &str, path: &str) -> (u16, Bytes) {
        let request = Request::builder()
            .method(method)
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

fn bench_axum(c: &mut Criterion, upstream: &Upstream) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("the runtime starts");
    let ours = axum_app::ours(client(&upstream.base_url));
    let hand = axum_app::hand(client(&upstream.base_url));
    for (group, method, path) in [
        ("jwt/axum", "POST", JWT_PATH),
        ("invitation/axum", "GET", INVITATION_PATH),
    ] {
        runtime.block_on(async {
            let a = axum_app::send(&ours, method, path).await;
            let b = axum_app::send(&hand, method, path).await;
            check_pair(group, (a.0, &a.1), (b.0, &b.1));
        });
        paired(group, |is_ours, iters| {
            let app = if is_ours { &ours } else { &hand };
            runtime.block_on(time_async(iters, || async {
                black_box(axum_app::send(app, method, path).await);
            }))
        });
        let mut group = c.benchmark_group(group);
        for (line, app) in [("ours", &ours), ("hand", &hand)] {
            group.bench_function(line, |b| {
                b.iter_custom(|iters| {
                    runtime.block_on(time_async(iters, || async {
                        black_box(axum_app::send(app, method, path).await);
                    }))
                });
            });
        }
        group.finish();
    }
}

mod actix_app {
    use std::future::{Ready, ready};

    use super::*;
    use actix_web::dev::{Payload, Service, ServiceResponse};
    use actix_web::http::header;
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

    async fn jwt(client: web::Data<VortexClient>, user: BenchUser) -> HttpResponse {
        HttpResponse::Ok()
            .content_type("application/json")
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(hand_jwt(&client, user))
    }

    async fn invitation(
        client: web::Data<VortexClient>,
        _: BenchUser,
        id: web::Path<String>,
    ) -> HttpResponse {
        match hand_invitation(&client, &id).await {
            Ok(body) => HttpResponse::Ok()
                .content_type("application/json")
                .body(body),
            Err(_) => HttpResponse::BadGateway().json(json!({"error": "Vortex API unavailable"})),
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

    pub(super) async fn hand(
        client: VortexClient,
    ) -> impl Service<actix_http::Request, Response = ServiceResponse, Error = Error> {
        test::init_service(
            App::new()
                .app_data(web::Data::new(client))
                .route("/api/vortex/jwt", web::post().to(jwt))
                .route("/api/vortex/invitations/{id}", web::get().to(invitation)),
        )
        .await
    }

    pub(super) async fn send<S>(app: &S, method: &str, path: &str) -> (u16, web::Bytes)
    where
        S: Service<actix_http::Request, Response = ServiceResponse, Error = Error>,
    {
        let request = test::TestRequest::default()
            .method(method.parse().expect("a method"))
            .uri(path)
            .insert_header(("x-user-id", USER_ID))
            .to_request();
        let answer = test::call_service(app, request).await;
        let status = answer.status().as_u16();
        (status, test::read_body(answer).await)
    }
}

fn bench_actix(c: &mut Criterion, upstream: &Upstream) {
    let system = actix_web::rt::System::new();
    let (ours, hand) = system.block_on(async {
        (
            actix_app::ours(client(&upstream.base_url)).await,
            actix_app::hand(client(&upstream.base_url)).await,
        )
    });
    for (group, method, path) in [
        ("jwt/actix", "POST", JWT_PATH),
        ("invitation/actix", "GET", INVITATION_PATH),
    ] {
        system.block_on(async {
            let a = actix_app::send(&ours, method, path).await;
            let b = actix_app::send(&hand, method, path).await;
            check_pair(group, (a.0, &a.1), (b.0, &b.1));
        });
        paired(group, |is_ours, iters| {
            system.block_on(time_async(iters, || async {
                if is_ours {
                    black_box(actix_app::send(&ours, method, path).await);
                } else {
                    black_box(actix_app::send(&hand, method, path).await);
                }
            }))
        });
        let mut group = c.benchmark_group(group);
        group.bench_function("ours", |b| {
            b.iter_custom(|iters| {
                system.block_on(time_async(iters, || async {
                    black_box(actix_app::send(&ours, method, path).await);
                }))
            });
        });
        group.bench_function("hand", |b| {
            b.iter_custom(|iters| {
                system.block_on(time_async(iters, || async {
                    black_box(actix_app::send(&hand, method, path).await);
                }))
            });
        });
        group.finish();
    }
}

mod rocket_app {
    use super::*;
    use rocket::http::{Header, Status};
    use rocket::local::asynchronous::Client;
    use rocket::request::{self, FromRequest, Request};
    use rocket::response::{self, Responder, Response};
    use rocket::{State, get, post, routes};
    use std::io::Cursor;

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

    /// A JSON body with its status and optional `Cache-Control: no-store`.
    struct JsonAnswer {
        status: Status,
        body: String,
        no_store: bool,
    }

    impl<'r> Responder<'r, 'static> for JsonAnswer {
        fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
            let mut response = Response::build();
            response
                .status(self.status)
                .header(rocket::http::ContentType::JSON)
                .sized_body(self.body.len(), Cursor::new(self.body));
            if self.no_store {
                response.header(Header::new("cache-control", "no-store"));
            }
            Ok(response.finalize())
        }
    }

    #[post("/jwt")]
    fn jwt(client: &State<VortexClient>, user: BenchUser) -> JsonAnswer {
        JsonAnswer {
            status: Status::Ok,
            body: hand_jwt(client, user),
            no_store: true,
        }
    }

    #[get("/invitations/<id>")]
    async fn invitation(client: &State<VortexClient>, _user: BenchUser, id: &str) -> JsonAnswer {
        match hand_invitation(client, id).await {
            Ok(body) => JsonAnswer {
                status: Status::Ok,
                body,
                no_store: false,
            },
            Err(_) => JsonAnswer {
                status: Status::BadGateway,
                body: r#"{"error":"Vortex API unavailable"}"#.to_owned(),
                no_store: false,
            },
        }
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

    pub(super) async fn hand(client: VortexClient) -> Client {
        let rocket = quiet()
            .manage(client)
            .mount("/api/vortex", routes![jwt, invitation]);
        Client::untracked(rocket).await.expect("rocket ignites")
    }

    pub(super) async fn send(client: &Client, method: &str, path: &str) -> (u16, Vec<u8>) {
        let method = method.parse().expect("a method");
        let answer = client
            .req(method, path)
            .header(Header::new("x-user-id", USER_ID))
            .dispatch()
            .await;
        let status = answer.status().code;
        (status, answer.into_bytes().await.unwrap_or_default())
    }
}

fn bench_rocket(c: &mut Criterion, upstream: &Upstream) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("the runtime starts");
    let (ours, hand) = runtime.block_on(async {
        (
            rocket_app::ours(client(&upstream.base_url)).await,
            rocket_app::hand(client(&upstream.base_url)).await,
        )
    });
    for (group, method, path) in [
        ("jwt/rocket", "POST", JWT_PATH),
        ("invitation/rocket", "GET", INVITATION_PATH),
    ] {
        runtime.block_on(async {
            let a = rocket_app::send(&ours, method, path).await;
            let b = rocket_app::send(&hand, method, path).await;
            check_pair(group, (a.0, &a.1), (b.0, &b.1));
        });
        paired(group, |is_ours, iters| {
            let app = if is_ours { &ours } else { &hand };
            runtime.block_on(time_async(iters, || async {
                black_box(rocket_app::send(app, method, path).await);
            }))
        });
        let mut group = c.benchmark_group(group);
        for (line, app) in [("ours", &ours), ("hand", &hand)] {
            group.bench_function(line, |b| {
                b.iter_custom(|iters| {
                    runtime.block_on(time_async(iters, || async {
                        black_box(rocket_app::send(app, method, path).await);
                    }))
                });
            });
        }
        group.finish();
    }
}

/// With `VORTEX_BENCH_RECORDER=prometheus`, the routes record into a Prometheus recorder
/// (as the demos install it, upkeep every second); without it no recorder is installed (the
/// `metrics` feature is on, as by default).
fn install_recorder() {
    if std::env::var("VORTEX_BENCH_RECORDER").as_deref() != Ok("prometheus") {
        return;
    }
    let handle = metrics_exporter_prometheus::PrometheusBuilder::new()
        .with_recommended_naming(true)
        .set_buckets_for_metric(
            metrics_exporter_prometheus::Matcher::Suffix("duration".into()),
            &[
                0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ],
        )
        .expect("buckets")
        .install_recorder()
        .expect("the Prometheus recorder installs");
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_secs(1));
            handle.run_upkeep();
        }
    });
    eprintln!("router bench: Prometheus recorder installed");
}

fn bench_routers(c: &mut Criterion) {
    install_recorder();
    let upstream = upstream();
    bench_axum(c, &upstream);
    bench_actix(c, &upstream);
    bench_rocket(c, &upstream);
}

/// Short timings: six pairs on two shared cores.
fn criterion_config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = router;
    config = criterion_config();
    targets = bench_routers
}
criterion_main!(router);
