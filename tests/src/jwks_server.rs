//! A JWKS (and metadata document) server on 127.0.0.1 whose keys, answers and delays a test controls,
//! and which counts and records what it was asked for, and how many connections are open to it.

use std::collections::HashMap;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// How the JWKS server answers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mode {
    /// Serves the keys at once.
    Up,
    /// Answers 503 Service Unavailable.
    Down,
    /// Serves the keys after this delay.
    Slow(Duration),
}

struct ServerState {
    jwks: Mutex<Value>,
    mode: Mutex<Mode>,
    cache_control: Mutex<Option<String>>,
    documents: Mutex<HashMap<String, Value>>,
    requested_documents: Mutex<Vec<String>>,
    jwks_fetches: AtomicUsize,
    jwks_fetched_at: Mutex<Vec<Instant>>,
    raw_answer: Mutex<Option<RawAnswer>>,
    /// Connections accepted and not yet closed (by either side).
    open_connections: Arc<AtomicUsize>,
}

/// The loopback listener, counting the connections it hands out while they are open.
struct CountingListener {
    listener: TcpListener,
    open: Arc<AtomicUsize>,
}

/// An accepted connection; closing it (dropping it) takes it off the count.
struct CountedStream {
    stream: TcpStream,
    open: Arc<AtomicUsize>,
}

impl Drop for CountedStream {
    fn drop(&mut self) {
        self.open.fetch_sub(1, Ordering::SeqCst);
    }
}

impl axum::serve::Listener for CountingListener {
    type Io = CountedStream;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (stream, addr) = axum::serve::Listener::accept(&mut self.listener).await;
        self.open.fetch_add(1, Ordering::SeqCst);
        let open = Arc::clone(&self.open);
        (CountedStream { stream, open }, addr)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.listener.local_addr()
    }
}

impl AsyncRead for CountedStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for CountedStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// An answer the key set URL gives instead of the keys: garbage, an error page, a huge body.
#[derive(Debug, Clone)]
pub struct RawAnswer {
    /// The status sent.
    pub status: StatusCode,
    /// The `Content-Type` sent.
    pub content_type: &'static str,
    /// The body sent (cheap to clone, so a huge one is built once).
    pub body: Bytes,
}

/// A JWKS (and metadata) server on 127.0.0.1 with a random port.
pub struct JwksServer {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub base: String,
    state: Arc<ServerState>,
    task: tokio::task::JoinHandle<()>,
}

async fn serve_jwks(State(state): State<Arc<ServerState>>) -> Response {
    state
        .jwks_fetched_at
        .lock()
        .expect("lock")
        .push(Instant::now());
    state.jwks_fetches.fetch_add(1, Ordering::SeqCst);
    let mode = *state.mode.lock().expect("lock");
    match mode {
        Mode::Down => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
        Mode::Slow(delay) => tokio::time::sleep(delay).await,
        Mode::Up => {}
    }
    let raw = state.raw_answer.lock().expect("lock").clone();
    if let Some(raw) = raw {
        return (raw.status, [("content-type", raw.content_type)], raw.body).into_response();
    }
    let body = state.jwks.lock().expect("lock").clone();
    let mut headers = HeaderMap::new();
    if let Some(cc) = state.cache_control.lock().expect("lock").clone() {
        headers.insert("cache-control", HeaderValue::from_str(&cc).expect("header"));
    }
    (headers, axum::Json(body)).into_response()
}

async fn serve_document(
    State(state): State<Arc<ServerState>>,
    Path(path): Path<String>,
) -> Response {
    let path = format!("/{path}");
    state
        .requested_documents
        .lock()
        .expect("lock")
        .push(path.clone());
    let doc = state.documents.lock().expect("lock").get(&path).cloned();
    match doc {
        Some(doc) => axum::Json(doc).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

impl JwksServer {
    /// Starts serving `jwks` at `/jwks`; stops when dropped.
    pub async fn start(jwks: Value) -> Self {
        let state = Arc::new(ServerState {
            jwks: Mutex::new(jwks),
            mode: Mutex::new(Mode::Up),
            cache_control: Mutex::new(None),
            documents: Mutex::new(HashMap::new()),
            requested_documents: Mutex::new(Vec::new()),
            jwks_fetches: AtomicUsize::new(0),
            jwks_fetched_at: Mutex::new(Vec::new()),
            raw_answer: Mutex::new(None),
            open_connections: Arc::new(AtomicUsize::new(0)),
        });
        let app = Router::new()
            .route("/jwks", get(serve_jwks))
            .route("/{*path}", get(serve_document))
            .with_state(Arc::clone(&state));
        let listener = CountingListener {
            listener: TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind loopback"),
            open: Arc::clone(&state.open_connections),
        };
        let base = format!(
            "http://{}",
            listener.listener.local_addr().expect("address")
        );
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("serve");
        });
        Self { base, state, task }
    }

    /// The URL of the key set.
    pub fn jwks_uri(&self) -> String {
        format!("{}/jwks", self.base)
    }

    /// Serves `jwks` from now on.
    pub fn set_keys(&self, jwks: Value) {
        *self.state.jwks.lock().expect("lock") = jwks;
    }

    /// Answers the key set URL with `raw` from now on (`None`: the keys again).
    pub fn set_raw_answer(&self, raw: Option<RawAnswer>) {
        *self.state.raw_answer.lock().expect("lock") = raw;
    }

    /// Answers as `mode` says from now on.
    pub fn set_mode(&self, mode: Mode) {
        *self.state.mode.lock().expect("lock") = mode;
    }

    /// Sends this `Cache-Control` header with the keys from now on.
    pub fn set_cache_control(&self, value: &str) {
        *self.state.cache_control.lock().expect("lock") = Some(value.to_owned());
    }

    /// Serves `doc` at `path` (which starts with `/`).
    pub fn set_document(&self, path: &str, doc: Value) {
        self.state
            .documents
            .lock()
            .expect("lock")
            .insert(path.to_owned(), doc);
    }

    /// The paths requested other than `/jwks`, in order.
    pub fn requested_documents(&self) -> Vec<String> {
        self.state.requested_documents.lock().expect("lock").clone()
    }

    /// How many connections to this server are open: a client that is gone (an HTTP client
    /// dropped with its connection pool) has none left.
    pub fn open_connections(&self) -> usize {
        self.state.open_connections.load(Ordering::SeqCst)
    }

    /// How many times the key set was requested (answered or not).
    pub fn fetches(&self) -> usize {
        self.state.jwks_fetches.load(Ordering::SeqCst)
    }

    /// The shortest time between two consecutive key set requests from the `after`th on (the
    /// server's own arrival times, so a test's late start cannot shorten it); `None` with fewer
    /// than two such requests.
    pub fn shortest_gap_between_fetches(&self, after: usize) -> Option<Duration> {
        let times = self.state.jwks_fetched_at.lock().expect("lock");
        times
            .get(after..)?
            .windows(2)
            .map(|pair| pair[1].duration_since(pair[0]))
            .min()
    }
}

impl Drop for JwksServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
