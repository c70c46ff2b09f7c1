//! Clients that take connections and never read their answers (issue: "a client with no token
//! holds connection slots forever"): a stalled reader is disconnected after the write timeout,
//! an error answer ends its connection so a client without a token gets one answer per
//! connection, and pipelined requests are served one at a time.

mod server_support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use mcp_scopes::server::{Serve, serve};
use server_support::{HOST, server};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::task::JoinHandle;

/// The issue's request: a tiny POST without a token (each one earns a 401).
fn tokenless_post() -> Vec<u8> {
    format!(
        "POST /mcp HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{{}}"
    )
    .into_bytes()
}

/// A valid `ping` with `token`; `close` asks the server to end the connection after answering.
fn ping(token: &str, close: bool) -> Vec<u8> {
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;
    let connection = if close { "Connection: close\r\n" } else { "" };
    format!(
        "POST /mcp HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n\
         MCP-Protocol-Version: 2025-11-25\r\n{connection}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// A valid `query` call whose answer repeats its 16 KiB of SQL.
fn big_query(token: &str) -> Vec<u8> {
    let sql = "x".repeat(16 * 1024);
    let body = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{{"name":"query","arguments":{{"sql":"{sql}"}}}}}}"#
    );
    format!(
        "POST /mcp HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n\
         MCP-Protocol-Version: 2025-11-25\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

async fn start(router: Router, configure: impl FnOnce(Serve) -> Serve) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(configure(serve(listener, router)).into_future());
    addr
}

/// Connects with a 4 KiB receive buffer and writes `request` over and over for `duration` (or
/// until the server stops taking it), never reading. The socket stays open until the returned
/// task is dropped or aborted.
async fn stalled_pipeliner(
    addr: SocketAddr,
    request: Vec<u8>,
    duration: Duration,
) -> JoinHandle<TcpStream> {
    let socket = TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("SO_RCVBUF");
    let mut stream = socket.connect(addr).await.expect("connect");
    tokio::spawn(async move {
        let _ = tokio::time::timeout(duration, async {
            while stream.write_all(&request).await.is_ok() {}
        })
        .await;
        // Hold the connection open without ever reading.
        stream
    })
}

/// Sends `request` on a new connection and reads until the server closes it.
async fn exchange(addr: SocketAddr, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request).await.expect("write");
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokenless_clients_that_pipeline_and_never_read_do_not_lock_out_a_valid_caller() {
    let s = server();
    let token = s.token(&["db:query"]);
    // The issue's setup: four connection slots, every other limit at its default.
    let addr = start(s.router, |serve| serve.max_connections(Some(4))).await;
    let mut attackers = Vec::new();
    for _ in 0..4 {
        attackers.push(stalled_pipeliner(addr, tokenless_post(), Duration::from_secs(3)).await);
    }
    tokio::time::sleep(Duration::from_secs(3)).await;

    let answer = tokio::time::timeout(Duration::from_secs(3), exchange(addr, &ping(&token, true)))
        .await
        .expect(
            "a valid call is served within a few seconds while the stalled clients stay connected",
        );
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains(r#""result":{}"#), "{answer}");
    for attacker in &attackers {
        assert!(
            attacker.is_finished(),
            "the attacker's writes were not cut off"
        );
    }
    drop(attackers);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_authenticated_client_that_stops_reading_is_disconnected_after_the_write_timeout() {
    let s = server();
    let token = s.token(&["db:query"]);
    let addr = start(s.router, |serve| {
        serve
            .max_connections(Some(1))
            .write_timeout(Some(Duration::from_millis(500)))
    })
    .await;
    // Valid calls with large answers, written until the server stops taking them: the answers
    // fill the socket buffers and the server's writes stall.
    let stalled = stalled_pipeliner(addr, big_query(&token), Duration::from_mins(1)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;

    let answer = tokio::time::timeout(Duration::from_secs(5), exchange(addr, &ping(&token, true)))
        .await
        .expect("the only slot is freed once the stalled reader's write times out");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    tokio::time::timeout(Duration::from_secs(1), stalled)
        .await
        .expect("the stalled client's connection was closed")
        .expect("no panic");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_answer_ends_the_connection_and_pipelined_requests_behind_it_are_dropped() {
    let s = server();
    let token = s.token(&["db:query"]);
    let addr = start(s.router, |serve| serve).await;
    let mut two = tokenless_post();
    two.extend_from_slice(&tokenless_post());
    let answer = tokio::time::timeout(Duration::from_secs(3), exchange(addr, &two))
        .await
        .expect("the connection is closed after the 401");
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("connection: close"),
        "{answer}"
    );
    assert_eq!(answer.matches("HTTP/1.1 ").count(), 1, "{answer}");

    // A successful answer keeps the connection for the next request.
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(&ping(&token, false)).await.expect("write");
    stream.write_all(&ping(&token, true)).await.expect("write");
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(3), stream.read_to_end(&mut answer))
        .await
        .expect("closed after the second answer")
        .expect("read");
    let answer = String::from_utf8_lossy(&answer);
    assert_eq!(answer.matches("HTTP/1.1 200").count(), 2, "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pipelined_requests_on_one_connection_run_one_at_a_time() {
    let running = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let router = Router::new().route(
        "/slow",
        get({
            let (running, most) = (Arc::clone(&running), Arc::clone(&most));
            move || async move {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(100)).await;
                running.fetch_sub(1, Ordering::SeqCst);
                "done"
            }
        }),
    );
    let addr = start(router, |serve| serve).await;
    let one = b"GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n";
    let last = b"GET /slow HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    let mut five = one.repeat(4);
    five.extend_from_slice(last);
    let answer = tokio::time::timeout(Duration::from_secs(5), exchange(addr, &five))
        .await
        .expect("all five answered");
    assert_eq!(answer.matches("HTTP/1.1 200").count(), 5, "{answer}");
    assert_eq!(
        most.load(Ordering::SeqCst),
        1,
        "pipelined requests ran at once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_that_takes_longer_than_the_write_timeout_to_start_is_not_cut_off() {
    let router = Router::new().route(
        "/slow",
        get(|| async {
            tokio::time::sleep(Duration::from_millis(800)).await;
            "done"
        }),
    );
    let addr = start(router, |serve| {
        serve.write_timeout(Some(Duration::from_millis(200)))
    })
    .await;
    let answer = exchange(
        addr,
        b"GET /slow HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("done"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_beyond_the_read_ahead_limit_get_431() {
    let addr = start(Router::new().route("/", get(|| async { "ok" })), |serve| {
        serve
    })
    .await;
    // Hyper stops reading once its buffer holds the limit without a complete head; a read may
    // take it a little past, so the test goes well past.
    let padding = "a".repeat(2 * mcp_scopes::server::MAX_READ_AHEAD_BYTES);
    let request = format!("GET / HTTP/1.1\r\nHost: localhost\r\nX-Pad: {padding}\r\n\r\n");
    let answer = tokio::time::timeout(Duration::from_secs(3), exchange(addr, request.as_bytes()))
        .await
        .expect("answered and closed");
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
    let fits = format!(
        "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nX-Pad: {}\r\n\r\n",
        "a".repeat(32 * 1024)
    );
    let answer = exchange(addr, fits.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}
