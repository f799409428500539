//! Serving an actix-web app for production. Copy this module: it is the whole serving set-up
//! of the demo.
//!
//! - a complete request head within 10 s, else 408 and close (`client_request_timeout`);
//! - idle keep-alive connections closed after 60 s (`keep_alive`);
//! - on SIGTERM or SIGINT: a graceful stop (actix-web's own handler stops at once on SIGINT,
//!   so ours replaces it): stop accepting, let workers finish in-flight requests for up to
//!   30 s (`shutdown_timeout`), then drop them, even with a half-sent request head open;
//! - a body the app rejected without reading it is not read afterwards: actix-web drains a
//!   dropped chunked body to its end, however long, so [`close_when_body_left_unread`] keeps
//!   the request's payload alive until the answer is sent, and actix-web then closes the
//!   connection instead; with no linger (`client_disconnect_timeout` 0), as its linger
//!   reads and discards at full speed while it lasts (100 MB in 100 ms on loopback).

use std::cell::RefCell;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::middleware::{Next, from_fn};
use actix_web::web::Bytes;
use actix_web::{App, Error, HttpMessage as _, HttpServer};
use futures_core::Stream;
use vortex_demo::serving::{self, DRAIN_TIMEOUT, IDLE_TIMEOUT, REQUEST_HEAD_TIMEOUT};

/// How long a connection closed for an unread body is still read (and discarded): none.
const LINGER: Duration = Duration::ZERO;

/// Serves the app that `app` builds (one per worker) on `listener` until SIGTERM or SIGINT,
/// then drains for up to 30 s.
///
/// # Errors
///
/// When the listener cannot be used.
pub(crate) async fn serve<F, T, B>(listener: std::net::TcpListener, app: F) -> std::io::Result<()>
where
    F: Fn() -> App<T> + Send + Clone + 'static,
    T: ServiceFactory<
            ServiceRequest,
            Config = (),
            Response = ServiceResponse<B>,
            Error = Error,
            InitError = (),
        > + 'static,
    B: MessageBody + 'static,
{
    HttpServer::new(move || app().wrap(from_fn(close_when_body_left_unread)))
        .client_request_timeout(REQUEST_HEAD_TIMEOUT)
        .client_disconnect_timeout(LINGER)
        .keep_alive(IDLE_TIMEOUT)
        .shutdown_timeout(DRAIN_TIMEOUT.as_secs())
        .shutdown_signal(serving::shutdown_signal())
        .workers(2)
        .listen(listener)?
        .run()
        .await
}

/// Holds the request's payload until the answer is sent, so that a body the handler left
/// unread makes actix-web close the connection rather than drain it.
async fn close_when_body_left_unread(
    mut request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let payload = Rc::new(RefCell::new(request.take_payload()));
    let shared: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> =
        Box::pin(SharedPayload(payload.clone()));
    request.set_payload(Payload::from(shared));
    let response = next.call(request).await?;
    Ok(response.map_body(move |_, body| HoldPayload {
        body: body.boxed(),
        _payload: payload,
    }))
}

/// The request payload, read by the handler through a shared handle.
struct SharedPayload(Rc<RefCell<Payload>>);

impl Stream for SharedPayload {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut *self.0.borrow_mut()).poll_next(cx)
    }
}

/// An answer's body that keeps the request payload alive until it is sent.
struct HoldPayload {
    body: BoxBody,
    _payload: Rc<RefCell<Payload>>,
}

impl MessageBody for HoldPayload {
    type Error = Box<dyn std::error::Error>;

    fn size(&self) -> BodySize {
        self.body.size()
    }

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Pin::new(&mut self.body).poll_next(cx)
    }
}
