//! `mcp_scopes::server::serve`: a client that sends half a request is disconnected after the
//! header timeout while others are served, graceful shutdown finishes the request in flight and
//! refuses new clients while serving those already waiting in the backlog, and the connection cap
//! holds.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::{get, post};
use mcp_scopes::server::{Serve, serve};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, oneshot};

const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";

/// `/` answers at once; `/slow` tells `started` it is running, then answers once `release` is
/// notified.
fn app(started: Arc<Notify>, release: Arc<Notify>) -> Router {
    Router::new().route("/", get(|| async { "ok" })).route(
        "/slow",
        get(move || async move {
            started.notify_one();
            release.notified().await;
            "done"
        }),
    )
}

async fn start(
    configure: impl FnOnce(Serve) -> Serve,
) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    start_with(
        app(Arc::new(Notify::new()), Arc::new(Notify::new())),
        configure,
    )
    .await
}

async fn start_with(
    router: Router,
    configure: impl FnOnce(Serve) -> Serve,
) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = tokio::spawn(configure(serve(listener, router)).into_future());
    (addr, server)
}

/// Reads one response (headers and a short body) from a keep-alive connection.
async fn read_response(stream: &mut TcpStream) -> String {
    let mut buf = vec![0; 4096];
    let mut text = String::new();
    while !(text.contains("\r\n\r\n") && (text.ends_with("ok") || text.ends_with("done"))) {
        let n = stream.read(&mut buf).await.expect("read");
        assert!(n > 0, "connection closed before a full response: {text:?}");
        text.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    text
}

async fn get_root(addr: SocketAddr) -> String {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(REQUEST).await.expect("write");
    read_response(&mut stream).await
}

#[tokio::test]
async fn half_a_request_is_disconnected_after_the_header_timeout_while_others_are_served() {
    let (addr, _server) = start(|s| s.header_read_timeout(Some(Duration::from_millis(200)))).await;
    let connected = Instant::now();
    let mut slow = TcpStream::connect(addr).await.expect("connect");
    slow.write_all(b"GET / HTTP/1.1\r\nHost: local")
        .await
        .expect("write");

    let served = get_root(addr).await;
    assert!(served.starts_with("HTTP/1.1 200"), "{served}");

    let mut buf = [0; 1024];
    let read = tokio::time::timeout(Duration::from_secs(3), slow.read(&mut buf))
        .await
        .expect("the half-sent request must be cut off, not held open");
    let elapsed = connected.elapsed();
    // Closed (possibly with a reset), never answered with a success.
    if let Ok(n) = read {
        let text = String::from_utf8_lossy(&buf[..n]);
        assert!(!text.contains(" 200 "), "{text}");
    }
    assert!(
        elapsed >= Duration::from_millis(150),
        "closed before the timeout: {elapsed:?}"
    );
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_header_timeout() {
    let (addr, _server) = start(|s| s.header_read_timeout(Some(Duration::from_millis(200)))).await;
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(REQUEST).await.expect("write");
    let first = read_response(&mut stream).await;
    assert!(first.starts_with("HTTP/1.1 200"), "{first}");
    let mut buf = [0; 1024];
    let read = tokio::time::timeout(Duration::from_secs(3), stream.read(&mut buf))
        .await
        .expect("an idle connection must be closed");
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
}

/// A server that stops gracefully when `stop` is sent, with a `/slow` request in flight on
/// `in_flight` that answers once `release` is notified.
struct Stoppable {
    addr: SocketAddr,
    server: tokio::task::JoinHandle<()>,
    stop: oneshot::Sender<()>,
    release: Arc<Notify>,
    in_flight: TcpStream,
}

async fn stoppable_with_a_request_in_flight(configure: impl FnOnce(Serve) -> Serve) -> Stoppable {
    let started = Arc::new(Notify::new());
    let release = Arc::new(Notify::new());
    let (stop, stopped) = oneshot::channel::<()>();
    let (addr, server) = start_with(app(Arc::clone(&started), Arc::clone(&release)), |s| {
        configure(s).with_graceful_shutdown(async {
            let _ = stopped.await;
        })
    })
    .await;
    let mut in_flight = TcpStream::connect(addr).await.expect("connect");
    in_flight
        .write_all(b"GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .expect("write");
    started.notified().await;
    Stoppable {
        addr,
        server,
        stop,
        release,
        in_flight,
    }
}

#[tokio::test]
async fn graceful_shutdown_finishes_the_request_in_flight_and_refuses_new_clients() {
    let Stoppable {
        addr,
        server,
        stop,
        release,
        mut in_flight,
    } = stoppable_with_a_request_in_flight(|s| s).await;
    stop.send(()).expect("server running");

    // New clients are refused while the request in flight is still running (it runs until released).
    tokio::time::timeout(Duration::from_secs(5), async {
        while TcpStream::connect(addr).await.is_ok() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("new connections must be refused after the shutdown signal");
    assert!(!server.is_finished(), "stopped before the request finished");

    release.notify_one();
    let answer = read_response(&mut in_flight).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("done"), "{answer}");
    tokio::time::timeout(Duration::from_secs(2), server)
        .await
        .expect("the server stops once the request in flight is done")
        .expect("no panic");
}

#[tokio::test]
async fn graceful_shutdown_serves_the_clients_already_waiting_in_the_backlog() {
    // One connection slot, held by a request in flight: the next clients wait in the backlog,
    // connected and with their requests sent, as a load balancer's would.
    let Stoppable {
        addr,
        server,
        stop,
        release,
        mut in_flight,
    } = stoppable_with_a_request_in_flight(|s| s.max_connections(Some(1))).await;
    let mut waiting = Vec::new();
    for _ in 0..3 {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        stream.write_all(REQUEST).await.expect("write");
        waiting.push(stream);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop.send(()).expect("server running");

    for mut stream in waiting {
        let answer = tokio::time::timeout(Duration::from_secs(5), read_response(&mut stream))
            .await
            .expect("answered while stopping");
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }
    release.notify_one();
    let answer = read_response(&mut in_flight).await;
    assert!(answer.ends_with("done"), "{answer}");
    tokio::time::timeout(Duration::from_secs(2), server)
        .await
        .expect("the server stops once every request is answered")
        .expect("no panic");
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "new clients are refused once stopped"
    );
}

/// Rounds of the test below: each starts a server, lets clients hammer it, then stops it.
const STOP_ROUNDS: usize = 50;

/// Clients connecting and sending a POST in a tight loop during each round.
const HAMMERING_CLIENTS: usize = 4;

/// From the stop on, how many connections a client opens (each with its request sent) before it
/// reads their answers: all of them together stay below the listen backlog (1024) and a default
/// limit of open files.
const BURST: usize = 100;

/// How long a client waits for its connection: a stopping server drops new handshakes, and the
/// client's first SYN retransmission would only come after a second.
const CONNECT_TIMEOUT: Duration = Duration::from_millis(50);

/// Connects and sends a POST with `Connection: close`, as nginx does: `Ok(None)` when the
/// connection is refused or times out (nothing was sent: a balancer tries elsewhere), `Err` when
/// the connection is cut off while sending.
fn send_post(addr: SocketAddr) -> Result<Option<std::net::TcpStream>, String> {
    use std::io::Write as _;
    let Ok(mut stream) = std::net::TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT) else {
        return Ok(None);
    };
    let request =
        b"POST / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}";
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .and_then(|()| stream.write_all(request))
        .map_err(|e| format!("sending: {e}"))?;
    Ok(Some(stream))
}

/// Reads the whole answer to the request sent on `stream`; `Err` says how it was cut off.
fn read_answer(mut stream: std::net::TcpStream) -> Result<(), String> {
    use std::io::Read as _;
    let mut answer = Vec::new();
    let read = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    match read {
        Ok(_) if answer.starts_with("HTTP/1.1 200") && answer.ends_with("ok") => Ok(()),
        Ok(_) => Err(format!("closed after {answer:?}")),
        Err(e) => Err(format!("reading, after {answer:?}: {e}")),
    }
}

/// Posts to `addr` until `stopped` is set and a connection is not made; counts the answers and
/// returns how the requests that were sent but not answered were cut off. Before the stop a
/// client waits for each answer; from the stop on it opens [`BURST`] connections before reading
/// their answers, so that handshakes keep completing at full speed while the server closes.
fn hammer(addr: SocketAddr, stopped: &AtomicBool, answered: &AtomicUsize) -> Vec<String> {
    let mut cut_off = Vec::new();
    let mut sent = Vec::new();
    let read_all = |sent: &mut Vec<std::net::TcpStream>, cut_off: &mut Vec<String>| {
        for stream in sent.drain(..) {
            match read_answer(stream) {
                Ok(()) => {
                    answered.fetch_add(1, Ordering::Relaxed);
                }
                Err(how) => cut_off.push(how),
            }
        }
    };
    loop {
        let stopping = stopped.load(Ordering::Relaxed);
        match send_post(addr) {
            Ok(Some(stream)) => sent.push(stream),
            Ok(None) if stopping => break,
            // Not connected before the stop (a very slow machine): try again.
            Ok(None) => {}
            Err(how) => cut_off.push(how),
        }
        if !stopping || sent.len() >= BURST {
            read_all(&mut sent, &mut cut_off);
        }
    }
    read_all(&mut sent, &mut cut_off);
    cut_off
}

/// A server stopping while clients connect and send at full speed: every client is either not
/// connected (it may go elsewhere: its request was never sent) or answered, never reset after
/// sending. Closing the listener resets the connections the kernel completed since the last
/// accept, so the server must stop new handshakes before its last accept. That window is a few
/// microseconds per stop, hence many rounds with bursts of connections around each stop: with
/// the listener closed right after the last accept (no filter), every one of 12 runs of this test
/// failed on a 2-core machine, with 1 to 200 requests cut off.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_connecting_while_the_server_stops_are_answered_or_not_connected_never_reset() {
    let mut cut_off = Vec::new();
    let mut answered_in_total = 0;
    for _ in 0..STOP_ROUNDS {
        let (stop, stopped_signal) = oneshot::channel::<()>();
        let router = Router::new().route("/", post(|| async { "ok" }));
        // A backlog above every burst: a full accept queue drops handshakes, which has nothing
        // to do with stopping (`TcpListener::bind` gives 128).
        let socket = tokio::net::TcpSocket::new_v4().expect("socket");
        socket.bind(([127, 0, 0, 1], 0).into()).expect("bind");
        let listener = socket.listen(1024).expect("listen");
        let addr = listener.local_addr().expect("addr");
        let server = tokio::spawn(
            serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = stopped_signal.await;
                })
                .into_future(),
        );
        let stopped = Arc::new(AtomicBool::new(false));
        let answered = Arc::new(AtomicUsize::new(0));
        let clients: Vec<_> = (0..HAMMERING_CLIENTS)
            .map(|_| {
                let (stopped, answered) = (Arc::clone(&stopped), Arc::clone(&answered));
                tokio::task::spawn_blocking(move || hammer(addr, &stopped, &answered))
            })
            .collect();
        // Stop while the clients are in full swing.
        let started = Instant::now();
        while answered.load(Ordering::Relaxed) < 50 && started.elapsed() < Duration::from_secs(5) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        stopped.store(true, Ordering::Relaxed);
        stop.send(()).expect("server running");
        for client in clients {
            cut_off.extend(client.await.expect("no panic"));
        }
        tokio::time::timeout(Duration::from_secs(10), server)
            .await
            .expect("the server stops once every request is answered")
            .expect("no panic");
        answered_in_total += answered.load(Ordering::Relaxed);
    }
    assert!(
        cut_off.is_empty(),
        "{} of the requests sent were cut off without an answer: {cut_off:?}",
        cut_off.len()
    );
    assert!(answered_in_total >= STOP_ROUNDS * 50, "{answered_in_total}");
}

#[tokio::test]
async fn clients_beyond_the_connection_cap_wait_for_a_free_slot() {
    let (addr, _server) = start(|s| {
        s.max_connections(Some(1))
            .header_read_timeout(Some(Duration::from_secs(5)))
    })
    .await;
    // The first client holds the only slot with a keep-alive connection.
    let mut first = TcpStream::connect(addr).await.expect("connect");
    first.write_all(REQUEST).await.expect("write");
    let answer = read_response(&mut first).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    let waiting = tokio::spawn(get_root(addr));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !waiting.is_finished(),
        "a second connection was served beyond the cap of one"
    );

    drop(first);
    let answer = tokio::time::timeout(Duration::from_secs(2), waiting)
        .await
        .expect("served once the slot is free")
        .expect("no panic");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[test]
#[should_panic(expected = "max_connections must be at least 1")]
fn a_cap_of_zero_connections_is_refused() {
    configure_only(|s| s.max_connections(Some(0)));
}

#[test]
#[should_panic(expected = "header_read_timeout must be above zero")]
fn a_zero_header_timeout_is_refused() {
    configure_only(|s| s.header_read_timeout(Some(Duration::ZERO)));
}

#[test]
#[should_panic(expected = "write_timeout must be above zero")]
fn a_zero_write_timeout_is_refused() {
    configure_only(|s| s.write_timeout(Some(Duration::ZERO)));
}

/// Configures a server without running it: settings are checked as they are given.
fn configure_only(configure: impl FnOnce(Serve) -> Serve) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        drop(configure(serve(listener, Router::new())));
    });
}
