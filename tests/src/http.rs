//! Sending requests to the test app exactly as written.
//!
//! Requests go through `reqwest` when its URL parser keeps the target as written, and over a
//! plain HTTP/1.1 connection otherwise: the WHATWG URL rules that `reqwest` follows resolve
//! `.`/`..` segments even when percent-encoded (`%2E%2E`), which would hide exactly the inputs
//! the router must refuse. Chunked bodies (no `Content-Length`) also go over the plain
//! connection.

use std::net::SocketAddr;
use std::time::Duration;

use reqwest::Url;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

/// How long one request may take before the suite gives up on it.
const REQUEST_DEADLINE: Duration = Duration::from_secs(10);

/// A request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReqBody {
    /// No body at all (no `Content-Length`).
    None,
    /// These bytes, with `Content-Length` (empty bytes: `Content-Length: 0`).
    Bytes(Vec<u8>),
    /// These bytes, sent with `Transfer-Encoding: chunked` and no `Content-Length`.
    Chunked(Vec<u8>),
}

/// A request to the test app.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    /// The method.
    pub method: String,
    /// The request target as sent: raw path (percent-encoding kept) and query.
    pub target: String,
    /// Headers, in order; a name may repeat.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: ReqBody,
}

impl HttpRequest {
    /// A request with no headers and no body.
    pub fn new(method: &str, target: impl Into<String>) -> Self {
        Self {
            method: method.to_owned(),
            target: target.into(),
            headers: Vec::new(),
            body: ReqBody::None,
        }
    }

    /// Adds a header.
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the body.
    #[must_use]
    pub fn body(mut self, body: ReqBody) -> Self {
        self.body = body;
        self
    }
}

/// An answer of the test app.
#[derive(Debug, Clone)]
pub struct HttpAnswer {
    /// The status code.
    pub status: u16,
    /// Headers, names lowercased, in order.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
    /// `reqwest` or `raw`: how the request was sent.
    pub transport: &'static str,
}

impl HttpAnswer {
    /// The values of a header (name case-insensitive).
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.header_values(name).into_iter().next()
    }

    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON, if it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// A client for test apps (no connection reuse, so every request is independent).
#[derive(Debug, Clone)]
pub struct HttpClient {
    client: reqwest::Client,
}

impl Default for HttpClient {
    fn default() -> Self {
        Self::new()
    }
}

impl HttpClient {
    /// A new client.
    ///
    /// # Panics
    ///
    /// If `reqwest` cannot build a client.
    pub fn new() -> Self {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(REQUEST_DEADLINE)
            .build()
            .expect("reqwest client");
        Self { client }
    }

    /// Sends `request` to the app at `addr`.
    ///
    /// # Errors
    ///
    /// A transport error, as text.
    pub async fn send(
        &self,
        addr: SocketAddr,
        request: &HttpRequest,
    ) -> Result<HttpAnswer, String> {
        let url_text = format!("http://{addr}{}", request.target);
        let url = Url::parse(&url_text).map_err(|e| format!("bad URL {url_text}: {e}"))?;
        let as_written = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        };
        let chunked = matches!(request.body, ReqBody::Chunked(_));
        if as_written == request.target && !chunked {
            self.send_reqwest(url, request).await
        } else {
            tokio::time::timeout(REQUEST_DEADLINE, send_raw(addr, request))
                .await
                .map_err(|_| "the app did not answer in time".to_owned())?
        }
    }

    async fn send_reqwest(&self, url: Url, request: &HttpRequest) -> Result<HttpAnswer, String> {
        let method = reqwest::Method::from_bytes(request.method.as_bytes())
            .map_err(|e| format!("bad method: {e}"))?;
        let mut headers = HeaderMap::new();
        for (name, value) in &request.headers {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| e.to_string())?;
            let value = HeaderValue::from_bytes(value.as_bytes()).map_err(|e| e.to_string())?;
            headers.append(name, value);
        }
        let mut builder = self.client.request(method, url).headers(headers);
        if let ReqBody::Bytes(bytes) = &request.body {
            builder = builder.body(bytes.clone());
        }
        let answer = builder
            .send()
            .await
            .map_err(|e| format!("reqwest: {e:?}"))?;
        let status = answer.status().as_u16();
        let headers = answer
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = answer
            .bytes()
            .await
            .map_err(|e| format!("reqwest body: {e:?}"))?;
        Ok(HttpAnswer {
            status,
            headers,
            body: body.to_vec(),
            transport: "reqwest",
        })
    }
}

/// Sends `request` over a fresh HTTP/1.1 connection (`Connection: close`) and reads the
/// whole answer.
async fn send_raw(addr: SocketAddr, request: &HttpRequest) -> Result<HttpAnswer, String> {
    let mut stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let mut head = format!(
        "{} {} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n",
        request.method, request.target
    )
    .into_bytes();
    for (name, value) in &request.headers {
        head.extend_from_slice(name.as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    let body = match &request.body {
        ReqBody::None => Vec::new(),
        ReqBody::Bytes(bytes) => {
            head.extend_from_slice(format!("content-length: {}\r\n", bytes.len()).as_bytes());
            bytes.clone()
        }
        ReqBody::Chunked(bytes) => {
            head.extend_from_slice(b"transfer-encoding: chunked\r\n");
            let mut chunked = Vec::with_capacity(bytes.len() + 64);
            for chunk in bytes.chunks(16 * 1024) {
                chunked.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
                chunked.extend_from_slice(chunk);
                chunked.extend_from_slice(b"\r\n");
            }
            chunked.extend_from_slice(b"0\r\n\r\n");
            chunked
        }
    };
    head.extend_from_slice(b"\r\n");
    head.extend_from_slice(&body);
    let (mut reader, mut writer) = stream.split();
    // Write and read at the same time: the app may answer (413) before reading the body.
    let write = async {
        let _ = writer.write_all(&head).await;
        let _ = writer.flush().await;
    };
    let mut raw = Vec::new();
    let read = reader.read_to_end(&mut raw);
    let ((), read) = tokio::join!(write, read);
    if let Err(e) = read
        && raw.is_empty()
    {
        return Err(format!("read: {e}"));
    }
    parse_answer(&raw)
}

/// Parses an HTTP/1.1 answer read until the connection closed.
fn parse_answer(raw: &[u8]) -> Result<HttpAnswer, String> {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| format!("no end of headers in {:?}", String::from_utf8_lossy(raw)))?;
    let head = String::from_utf8_lossy(&raw[..end]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let rest = &raw[end + 4..];
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
    let body = if chunked {
        dechunk(rest)?
    } else if let Some(length) = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
    {
        rest.get(..length)
            .ok_or_else(|| format!("body shorter than content-length {length}"))?
            .to_vec()
    } else {
        rest.to_vec()
    };
    Ok(HttpAnswer {
        status,
        headers,
        body,
        transport: "raw",
    })
}

fn dechunk(mut rest: &[u8]) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let line_end = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("truncated chunk size")?;
        let size_text = String::from_utf8_lossy(&rest[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|e| format!("bad chunk size {size_text:?}: {e}"))?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Ok(body);
        }
        body.extend_from_slice(rest.get(..size).ok_or("truncated chunk")?);
        rest = rest.get(size + 2..).ok_or("truncated chunk end")?;
    }
}
