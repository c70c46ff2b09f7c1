//! Serving a router over HTTP/1.1 on the open internet, where `axum::serve` falls short: it never
//! times out a client that sends half a request, or one that stops reading its answers, so a few
//! thousand such clients hold as many connections and file descriptors until the process can
//! accept no more.
//!
//! [`serve`] is the same one-liner with those gaps closed:
//! - a client must send a request's complete headers within [`Serve::header_read_timeout`]
//!   (10 s by default) of connecting or of its previous response, else the connection is closed;
//!   an idle keep-alive connection is closed the same way;
//! - a client must keep reading its answers: when writing to it makes no progress for
//!   [`Serve::write_timeout`] (30 s by default), the connection is closed. Without it, a client
//!   that pipelines requests and never reads holds its connection forever, since the next
//!   request's header timeout only starts once the previous answer is written;
//! - an answer with an error status (4xx or 5xx: a missing or bad token, a refused `Origin`, a
//!   malformed request) ends its connection (`Connection: close`), so a client without a valid
//!   token gets one answer per connection and cannot hold one longer than an idle client;
//! - requests on one connection are served one at a time: a pipelined request is read only once
//!   the answer before it is written, and about [`MAX_READ_AHEAD_BYTES`] are read ahead (which
//!   also caps a request's headers: larger ones get 431);
//! - at most [`Serve::max_connections`] connections (1024 by default) are open at once; further
//!   clients are not accepted until one closes, so they wait in the operating system's listen
//!   backlog instead of taking a file descriptor each;
//! - an error from `accept` (out of file descriptors, say) is logged and retried after a pause
//!   instead of ending the server;
//! - [`Serve::with_graceful_shutdown`] stops accepting when its signal fires (serving the clients
//!   already waiting in the listen backlog, whose requests a load balancer may have sent and would
//!   not resend), lets the requests in flight finish, closes idle connections, and only then
//!   completes. Bound that wait with a
//!   timeout of your own (the `cli` gives `--shutdown-grace`).
//!
//! # Stopping behind a load balancer
//!
//! Closing a listener resets the connections the kernel completed but the server has not
//! accepted, after their clients sent a request: a proxy answers such a POST 502 rather than
//! resend it. So when the shutdown signal fires, on Linux the listener first stops completing
//! handshakes (a socket filter drops every SYN it receives), then the handshakes already under
//! way get 100 ms to complete, every connection waiting is accepted and served, and only then is
//! the listener closed. A client connecting meanwhile has its SYN dropped, resends it after a
//! second and is refused: it sent nothing, so a proxy retries it on another instance (nginx's
//! `proxy_next_upstream error`; keep its `proxy_connect_timeout` above a second or so). Left
//! over: a handshake whose final ACK takes longer than those 100 ms (a client that far away, or
//! a lost packet) is still reset after sending. Elsewhere than Linux, or if the filter cannot be
//! attached (logged at debug), the listener is closed right after the last accept, and a client
//! connecting in that instant is reset.
//!
//! It speaks HTTP/1.1 only, without upgrades (WebSocket): what MCP's Streamable HTTP needs. For
//! anything else, serve the router with `axum::serve` behind a proxy that enforces timeouts.

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::response::Response;
use http::header::CONNECTION;
use http::{HeaderValue, Request};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, watch};
use tokio_io_timeout::TimeoutWriter;
use tower::ServiceExt;

mod listener;

use listener::{is_connection_error, take_waiting_clients};

/// How long a client may take to send a request's headers, unless configured.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How long writing an answer may make no progress before the client is disconnected, unless
/// configured.
pub const DEFAULT_WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// About how many bytes a connection reads ahead of the request being served (one read may go a
/// little past): the most a request's headers may take (larger ones are answered 431) and the
/// most that pipelined requests may buffer.
pub const MAX_READ_AHEAD_BYTES: usize = 64 * 1024;

/// How many connections may be open at once, unless configured.
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;

/// How long to wait before accepting again after an error such as running out of file descriptors.
const ACCEPT_RETRY_DELAY: Duration = Duration::from_secs(1);

/// While stopping, how long a connection that has not sent a request yet may take to send one (a
/// load balancer's request is already on its way) before it is closed, when no header timeout is
/// set; with one, that timeout bounds the wait (hyper closes the connection at it).
const FIRST_REQUEST_WAIT: Duration = Duration::from_secs(1);

/// Serves `router` on `listener` until the graceful-shutdown signal (if any) fires and the
/// requests in flight have finished. Await it (it implements [`IntoFuture`]) after configuring.
/// Each connection runs on a task of its own: dropping the future stops accepting, while
/// connections already accepted run on until they end or the runtime shuts down.
///
/// ```no_run
/// # async fn run(router: axum::Router) -> std::io::Result<()> {
/// use std::time::Duration;
///
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
/// mcp_scopes::server::serve(listener, router)
///     .header_read_timeout(Some(Duration::from_secs(5)))
///     .with_graceful_shutdown(async {
///         let _ = tokio::signal::ctrl_c().await;
///     })
///     .await;
/// # Ok(())
/// # }
/// ```
pub fn serve(listener: TcpListener, router: Router) -> Serve {
    Serve {
        listener,
        router,
        header_read_timeout: Some(DEFAULT_HEADER_READ_TIMEOUT),
        write_timeout: Some(DEFAULT_WRITE_TIMEOUT),
        max_connections: Some(DEFAULT_MAX_CONNECTIONS),
        shutdown: None,
    }
}

/// A server being configured; see [`serve`].
#[must_use = "a server does nothing until it is awaited"]
pub struct Serve {
    listener: TcpListener,
    router: Router,
    header_read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
    max_connections: Option<usize>,
    shutdown: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
}

impl Serve {
    /// How long a client may take to send a request's complete headers, counted from the
    /// connection's start or its previous response (default 10 s); `None` waits forever.
    ///
    /// # Panics
    ///
    /// On `Some(Duration::ZERO)`, which would disconnect every client.
    pub fn header_read_timeout(mut self, timeout: Option<Duration>) -> Self {
        assert!(
            timeout != Some(Duration::ZERO),
            "header_read_timeout must be above zero (or None for no timeout)"
        );
        self.header_read_timeout = timeout;
        self
    }

    /// How long writing an answer may make no progress (the client reads nothing, so its socket
    /// buffers stay full) before the connection is closed (default 30 s); `None` waits forever.
    /// A client that reads slowly but steadily is not cut off; a long-running answer with nothing
    /// to write yet (an SSE stream waiting on its tool) is not either.
    ///
    /// # Panics
    ///
    /// On `Some(Duration::ZERO)`, which would disconnect every client whose socket buffer fills.
    pub fn write_timeout(mut self, timeout: Option<Duration>) -> Self {
        assert!(
            timeout != Some(Duration::ZERO),
            "write_timeout must be above zero (or None for no timeout)"
        );
        self.write_timeout = timeout;
        self
    }

    /// How many connections may be open at once (default 1024); `None` for no limit. Clients
    /// beyond it are accepted only when a connection closes.
    ///
    /// # Panics
    ///
    /// On `Some(0)`, which would never serve anyone.
    pub fn max_connections(mut self, limit: Option<usize>) -> Self {
        assert!(
            limit != Some(0),
            "max_connections must be at least 1 (or None for no limit)"
        );
        self.max_connections = limit;
        self
    }

    /// When `signal` completes: stop accepting (serving the clients already waiting in the listen
    /// backlog), let the requests in flight finish, give connections with no request yet a moment
    /// for one, close idle connections, then complete.
    ///
    /// On Linux, no client is reset after sending its request: the listener first stops
    /// completing handshakes (a socket filter drops the SYNs it receives), gives those under way
    /// 100 ms, serves every connection waiting, then closes. A client connecting meanwhile
    /// resends its SYN after a second and is refused, so a load balancer retries it elsewhere
    /// (nothing was sent). Elsewhere, a client connecting in the instant between the last accept
    /// and the close is reset.
    pub fn with_graceful_shutdown<F>(mut self, signal: F) -> Self
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.shutdown = Some(Box::pin(signal));
        self
    }

    async fn run(self) {
        let Self {
            listener,
            router,
            header_read_timeout,
            write_timeout,
            max_connections,
            shutdown,
        } = self;
        let mut shutdown = shutdown.unwrap_or_else(|| Box::pin(std::future::pending()));
        let slots = max_connections.map(|n| Arc::new(Semaphore::new(n)));
        let first_request_wait = header_read_timeout.unwrap_or(FIRST_REQUEST_WAIT);
        let mut http = http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(header_read_timeout)
            .max_buf_size(MAX_READ_AHEAD_BYTES)
            .keep_alive(true);
        // Every connection task holds a receiver: stopping is sent through it, and the sender
        // sees all of them gone once every connection has ended.
        let (stop, stopping) = watch::channel(());
        loop {
            let slot = match &slots {
                Some(slots) => tokio::select! {
                    slot = Arc::clone(slots).acquire_owned() => match slot {
                        Ok(slot) => Some(slot),
                        Err(_) => unreachable!("the semaphore is never closed"),
                    },
                    () = &mut shutdown => break,
                },
                None => None,
            };
            let (stream, peer) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(e) if is_connection_error(&e) => {
                        tracing::debug!("accept: {e}");
                        continue;
                    }
                    Err(e) => {
                        tracing::warn!(
                            "cannot accept connections: {e}; retrying in {}s",
                            ACCEPT_RETRY_DELAY.as_secs()
                        );
                        tokio::select! {
                            () = tokio::time::sleep(ACCEPT_RETRY_DELAY) => continue,
                            () = &mut shutdown => break,
                        }
                    }
                },
                () = &mut shutdown => break,
            };
            spawn_connection(
                &stopping,
                &http,
                &router,
                (stream, peer),
                (write_timeout, first_request_wait),
                slot,
            );
        }
        // Clients the kernel already connected but this loop had not taken yet (a balancer that
        // sent its request a moment ago) are served too: closing the listener would reset their
        // connections after their requests were sent, and a proxy does not retry a POST then.
        // They are few (the listen backlog bounds them) and served like the rest, so the
        // connection cap does not apply to them. New clients are refused from then on.
        let timeouts = (write_timeout, first_request_wait);
        take_waiting_clients(listener, |accepted| {
            spawn_connection(&stopping, &http, &router, accepted, timeouts, None);
        })
        .await;
        drop(stopping);
        let _ = stop.send(());
        stop.closed().await;
    }
}

/// Serves one accepted connection on a task of its own until it ends or, once `stopping` changes,
/// until the request in flight is answered; `slot` (its place under the connection cap, if any)
/// is given back when it ends.
///
/// Not hyper's graceful shutdown alone: it closes a connection whose first request has not been
/// read yet, although the client may have sent it already (a load balancer that connected a
/// moment before), and a proxy does not resend a POST whose connection was closed. So a
/// connection with no request yet gets `first_request_wait` (the header timeout, else
/// [`FIRST_REQUEST_WAIT`]) for one to arrive: closing it with a request unread would reset it.
fn spawn_connection(
    stopping: &watch::Receiver<()>,
    http: &http1::Builder,
    router: &Router,
    (stream, peer): (tokio::net::TcpStream, SocketAddr),
    (write_timeout, first_request_wait): (Option<Duration>, Duration),
    slot: Option<OwnedSemaphorePermit>,
) {
    // Hyper reads the next request only once the previous answer is written, and its
    // header timeout starts only then: a stalled write is bounded here or not at all.
    let mut stream = TimeoutWriter::new(stream);
    stream.set_timeout(write_timeout);
    // The peer's address, as `into_make_service_with_connect_info` would give it: the
    // audit events name it and limit refusal lines per address.
    let first_request = Arc::new(Notify::new());
    let request_seen = Arc::clone(&first_request);
    let with_peer = ServiceExt::<Request<Incoming>>::map_request(
        router.clone(),
        move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            // Stores a permit the first time: a later wait for it returns at once.
            request_seen.notify_one();
            request
        },
    );
    let service = TowerToHyperService::new(ServiceExt::<Request<Incoming>>::map_response(
        with_peer,
        close_after_error,
    ));
    let connection = http.serve_connection(TokioIo::new(Box::pin(stream)), service);
    let mut stopping = stopping.clone();
    tokio::spawn(async move {
        tokio::pin!(connection);
        let ended = tokio::select! {
            ended = connection.as_mut() => Some(ended),
            _ = stopping.changed() => None,
        };
        let ended = match ended {
            Some(ended) => ended,
            None => {
                tokio::select! {
                    ended = connection.as_mut() => ended,
                    _ = tokio::time::timeout(first_request_wait, first_request.notified()) => {
                        connection.as_mut().graceful_shutdown();
                        connection.await
                    }
                }
            }
        };
        if let Err(e) = ended {
            tracing::debug!("connection from {peer} ended: {e}");
        }
        drop((slot, stopping));
    });
}

impl IntoFuture for Serve {
    type Output = ();
    type IntoFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

impl std::fmt::Debug for Serve {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Serve")
            .field("listener", &self.listener)
            .field("header_read_timeout", &self.header_read_timeout)
            .field("write_timeout", &self.write_timeout)
            .field("max_connections", &self.max_connections)
            .field("graceful_shutdown", &self.shutdown.is_some())
            .finish_non_exhaustive()
    }
}

/// Ends the connection after an error answer: the client is not authenticated, or not behaving,
/// and gets no second request on this connection (pipelined ones behind it are dropped).
fn close_after_error(mut response: Response) -> Response {
    let status = response.status();
    if status.is_client_error() || status.is_server_error() {
        response
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
    }
    response
}
