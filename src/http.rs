//! HTTP plumbing around the module APIs: request ids, spans and metrics for every request,
//! one JSON error body for every failure, health checks, `/metrics`, and the client.

use std::{
    collections::HashMap,
    path::Path,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use chat_core::{metrics, ErrorBody};
use poem::{
    handler,
    http::{HeaderValue, StatusCode},
    web::{Data, Html},
    Endpoint, IntoResponse, Middleware, Request, Response, Result,
};
use poem_openapi::OperationId;
use tracing::Instrument;

/// Every failure becomes `{error, message}` with its status. 5xx details are never sent.
pub async fn error_json(err: poem::Error) -> Response {
    if let Some((status, body)) = chat_core::input::refusal(&err) {
        return json_error(status, &body);
    }
    let status = err.status();
    let (code, message) = match status {
        StatusCode::BAD_REQUEST => ("invalid_request", err.to_string()),
        StatusCode::UNAUTHORIZED => (
            "unauthorized",
            "not signed in or the session expired".to_owned(),
        ),
        StatusCode::FORBIDDEN => ("forbidden", err.to_string()),
        StatusCode::NOT_FOUND => ("not_found", "no such resource".to_owned()),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "this method is not allowed here".to_owned(),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "the body is too large".to_owned()),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "unsupported_media_type",
            "send the body as application/json".to_owned(),
        ),
        StatusCode::SERVICE_UNAVAILABLE => {
            ("busy", "the server is busy; retry in a moment".to_owned())
        }
        s if s.is_server_error() => {
            tracing::error!(status = %s, detail = %err, "request failed");
            ("internal", "internal error".to_owned())
        }
        _ => ("error", err.to_string()),
    };
    json_error(status, &ErrorBody::new(code, message))
}

fn json_error(status: StatusCode, body: &ErrorBody) -> Response {
    Response::builder()
        .status(status)
        .content_type("application/json; charset=utf-8")
        .body(serde_json::to_string(body).unwrap_or_default())
}

/// Until Redis is prepared for this instance, `/api` and `/ws` answer 503 `starting` with
/// `Retry-After: 1` (nothing reaches a store before its keys are ready); health, metrics,
/// the documents and the browser client are served throughout.
pub struct UntilPrepared(pub Arc<AtomicBool>);

impl<E: Endpoint> Middleware<E> for UntilPrepared {
    type Output = UntilPreparedEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        UntilPreparedEndpoint {
            inner: ep,
            prepared: Arc::clone(&self.0),
        }
    }
}

pub struct UntilPreparedEndpoint<E> {
    inner: E,
    prepared: Arc<AtomicBool>,
}

impl<E: Endpoint> Endpoint for UntilPreparedEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Self::Output> {
        let path = req.uri().path();
        let gated = path.starts_with("/api/") || path == "/ws";
        if gated && !self.prepared.load(Ordering::Acquire) {
            let mut refused = json_error(
                StatusCode::SERVICE_UNAVAILABLE,
                &ErrorBody::new(
                    "starting",
                    "The server is starting (waiting for Redis); try again in a moment.",
                ),
            );
            refused
                .headers_mut()
                .insert("retry-after", HeaderValue::from_static("1"));
            return Ok(refused);
        }
        self.inner.call(req).await.map(IntoResponse::into_response)
    }
}

/// Request id, span, latency and count of every request, labelled by route template.
pub struct Observe {
    /// operationId → "METHOD /route/{template}", from the OpenAPI document.
    pub routes: Arc<HashMap<String, String>>,
    /// Largest upload body (the file's limit and room for the form around it).
    pub upload_body: u64,
}

impl<E: Endpoint> Middleware<E> for Observe {
    type Output = ObserveEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        ObserveEndpoint {
            inner: ep,
            routes: Arc::clone(&self.routes),
            upload_body: self.upload_body,
        }
    }
}

pub struct ObserveEndpoint<E> {
    inner: E,
    routes: Arc<HashMap<String, String>>,
    upload_body: u64,
}

fn fixed_route(path: &str) -> &'static str {
    match path {
        "/ws" => "/ws",
        "/metrics" => "/metrics",
        "/healthz" => "/healthz",
        "/readyz" => "/readyz",
        "/openapi.json" => "/openapi.json",
        p if p.starts_with("/docs") => "/docs",
        p if p.starts_with("/api/") => "/api/(unmatched)",
        _ => "/(client)",
    }
}

impl<E: Endpoint> Endpoint for ObserveEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Self::Output> {
        let request_id = req
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_graphic()))
            .map(str::to_owned)
            .unwrap_or_else(|| uuid::Uuid::now_v7().simple().to_string());
        req.set_data(RequestId(request_id.clone()));
        if let Some(refused) = limit_body(&mut req, self.upload_body).await {
            return Ok(refused);
        }
        let method = req.method().clone();
        let path = req.uri().path().to_owned();
        // HEAD is GET without the body (hyper leaves the body out of a HEAD answer); the
        // endpoints below only know GET.
        if method == poem::http::Method::HEAD && path != "/ws" {
            req.set_method(poem::http::Method::GET);
        }
        let span =
            tracing::info_span!("http", request_id = %request_id, method = %method, path = %path);
        let started = Instant::now();
        let out = self.inner.call(req).instrument(span.clone()).await;
        let mut resp = match out {
            Ok(r) => r.into_response(),
            Err(e) => error_json(e).instrument(span.clone()).await,
        };
        let route = resp
            .data::<OperationId>()
            .and_then(|id| self.routes.get(id.0))
            .map(String::as_str)
            .unwrap_or_else(|| fixed_route(&path));
        let status = resp.status();
        metrics::HTTP_REQUESTS
            .with_label_values(&[route, method.as_str(), status.as_str()])
            .inc();
        metrics::HTTP_DURATION
            .with_label_values(&[route, method.as_str()])
            .observe(started.elapsed().as_secs_f64());
        span.in_scope(|| {
            if status.is_server_error() {
                tracing::warn!(
                    status = status.as_u16(),
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "request"
                );
            } else {
                tracing::debug!(
                    status = status.as_u16(),
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "request"
                );
            }
        });
        if let Ok(v) = HeaderValue::from_str(&request_id) {
            resp.headers_mut().insert("x-request-id", v);
        }
        security_headers(&path, &mut resp);
        Ok(resp)
    }
}

/// The client's policy: its own scripts, styles (React sets inline `style` attributes),
/// images and connections (`'self'` covers the same-origin WebSocket), nothing framed.
const CSP_CLIENT: &str =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; \
    base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
/// Swagger UI is one page with its script and styles inline.
const CSP_DOCS: &str = "default-src 'self'; script-src 'self' 'unsafe-inline'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
    object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// Headers every answer carries: no MIME sniffing, no framing (clickjacking), no referrer
/// leaking room ids to other sites, and a content policy that keeps injected markup inert.
fn security_headers(path: &str, resp: &mut Response) {
    let h = resp.headers_mut();
    let csp = if path.starts_with("/docs") {
        CSP_DOCS
    } else {
        CSP_CLIENT
    };
    // A served file brings its own (sandboxing) policy.
    if !h.contains_key("content-security-policy") {
        h.insert("content-security-policy", HeaderValue::from_static(csp));
    }
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
}

/// Largest request body: every API body is a few hundred bytes; a message is at most
/// 4,000 characters (16 KB of UTF-8).
pub use chat_core::contract::MAX_BODY;

fn too_large() -> Response {
    Response::builder()
        .status(StatusCode::PAYLOAD_TOO_LARGE)
        .content_type("application/json; charset=utf-8")
        .body(r#"{"error":"payload_too_large","message":"body: at most 64 KiB"}"#)
}

/// Whether a request is an upload (`POST /api/rooms/{id}/uploads`): its body is a file,
/// streamed to disk by the uploads module, which counts it as it arrives.
pub fn is_upload(method: &poem::http::Method, path: &str) -> bool {
    method == poem::http::Method::POST
        && path
            .strip_prefix("/api/rooms/")
            .and_then(|rest| rest.strip_suffix("/uploads"))
            .is_some_and(|room| !room.is_empty() && !room.contains('/'))
}

/// Refuses a body over [`MAX_BODY`] with 413: a declared one before it is read, an
/// undeclared (chunked) one as soon as it passes the limit, so no request makes the server
/// buffer more than that. An upload's body is never buffered here: one declared larger
/// than `upload_body` is refused before it is read, the rest is counted as it streams.
async fn limit_body(req: &mut Request, upload_body: u64) -> Option<Response> {
    let declared = req
        .headers()
        .get(poem::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if is_upload(req.method(), req.uri().path()) {
        return match declared {
            Some(n) if n > upload_body => Some(
                Response::builder()
                    .status(StatusCode::PAYLOAD_TOO_LARGE)
                    .content_type("application/json; charset=utf-8")
                    .body(r#"{"error":"file_too_large","message":"file: larger than the upload limit"}"#),
            ),
            _ => None,
        };
    }
    match declared {
        Some(n) if n > MAX_BODY => Some(too_large()),
        Some(_) => None,
        None => {
            if !matches!(
                *req.method(),
                poem::http::Method::POST | poem::http::Method::PUT | poem::http::Method::PATCH
            ) {
                return None;
            }
            use tokio::io::AsyncReadExt;
            let mut read = Vec::new();
            let mut body = req.take_body().into_async_read().take(MAX_BODY + 1);
            if body.read_to_end(&mut read).await.is_err() {
                return Some(
                    Response::builder()
                        .status(StatusCode::BAD_REQUEST)
                        .content_type("application/json; charset=utf-8")
                        .body(r#"{"error":"invalid_request","message":"body: could not be read"}"#),
                );
            }
            if read.len() as u64 > MAX_BODY {
                return Some(too_large());
            }
            req.set_body(read);
            None
        }
    }
}

/// The request's id, for handlers that log.
#[derive(Clone)]
pub struct RequestId(pub String);

/// What the health checks look at.
#[derive(Clone)]
pub struct Health {
    /// The shared connection: a `PING` on every node it writes to (each master of a
    /// cluster); a failed check makes it reconnect.
    pub redis: chat_core::Redis,
    pub pubsub_live: Arc<AtomicBool>,
    /// Redis is prepared for this instance (its id taken, its keys ready).
    pub prepared: Arc<AtomicBool>,
}

/// The process is alive.
#[handler]
pub fn healthz() -> &'static str {
    "ok"
}

/// Redis answers, is prepared for this instance, and the `MESSAGES` subscription is live.
#[handler]
pub async fn readyz(health: Data<&Health>) -> Response {
    let redis_ok = async { health.redis.clone().ping_all().await.ok() };
    let redis_ok = tokio::time::timeout(Duration::from_secs(2), redis_ok)
        .await
        .ok()
        .flatten()
        .is_some();
    let pubsub_ok = health.pubsub_live.load(Ordering::SeqCst);
    let prepared = health.prepared.load(Ordering::SeqCst);
    let ready = redis_ok && pubsub_ok && prepared;
    let body = serde_json::json!({ "ready": ready, "redis": redis_ok, "pubsub": pubsub_ok, "prepared": prepared });
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    Response::builder()
        .status(status)
        .content_type("application/json")
        .body(body.to_string())
}

/// Prometheus text exposition of the one registry.
#[handler]
pub async fn metrics_handler() -> Response {
    let mut buf = String::new();
    let encoder = prometheus::TextEncoder::new();
    if let Err(e) = encoder.encode_utf8(&metrics::REGISTRY.gather(), &mut buf) {
        tracing::error!(error = %e, "encoding metrics failed");
    }
    Response::builder()
        .content_type(prometheus::TEXT_FORMAT)
        .body(buf)
}

/// Shown at `/` when the client has not been built.
#[handler]
pub fn client_missing() -> impl IntoResponse {
    Html(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>redis-chat</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>redis-chat is running</h1>
<p>The browser client has not been built yet. Build it with <code>make client</code>
(or <code>cd client &amp;&amp; npm ci &amp;&amp; npm run build</code>) and reload this page;
<code>make run</code> does this for you.</p>
<p>Meanwhile the API is here: <a href="/docs">Swagger UI at /docs</a>.</p>
</body></html>"#,
    )
    .with_status(StatusCode::OK)
}

/// Whether a built client is at `dir`.
pub fn client_built(dir: &Path) -> bool {
    dir.join("index.html").is_file()
}
