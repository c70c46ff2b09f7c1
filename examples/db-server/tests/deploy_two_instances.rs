//! Several instances: two production-mode `db-server` binaries on one database (PostgreSQL from
//! `MCP_TEST_DATABASE_URL`) behind Debian's nginx with `deploy/nginx.conf`, driven through nginx.
//! A write through one instance is read through the other; each instance fetches the issuer's
//! keys itself; a killed instance is routed around (nginx retries the refused connection); a
//! rolling restart under traffic loses no request (stopping drains). nginx's `X-Served-By`
//! header names the instance that answered. Skipped loudly without `/usr/sbin/nginx`.

mod binary_support;
mod deploy_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use deploy_support::{Cluster, nginx_available};
use serde_json::{Value, json};

const ALL_SCOPES: &str = "db:query db:modify db:admin";

/// Clients sending requests during the rolling restart.
const CLIENTS: i64 = 4;

/// Rows the slow read counts: enough to keep it running a moment after the stop signal, far from
/// the 5 s statement limit even on a loaded machine.
const SLOW_ROWS: i64 = 300_000;

/// A table name no other run (or test sharing the database) uses.
fn fresh_table(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .subsec_nanos();
    format!("{prefix}_{}_{nanos}", std::process::id())
}

/// Runs a schema tool through nginx and checks the action it reports.
async fn change_schema(cluster: &Cluster, token: &str, tool: &str, arguments: Value, action: &str) {
    let (reply, via) = cluster.call(token, tool, arguments).await;
    assert_eq!(reply.status, 200, "{:?} via {via}", reply.body);
    assert_eq!(reply.structured()["action"], action, "{:?}", reply.body);
}

async fn create_table(cluster: &Cluster, token: &str, table: &str) {
    let sql = format!("CREATE TABLE {table} (id INTEGER PRIMARY KEY, note TEXT)");
    change_schema(
        cluster,
        token,
        "create_table",
        json!({"sql": sql}),
        "created table",
    )
    .await;
}

/// Drops `table` through nginx: the database (PostgreSQL's is shared by every run) keeps nothing.
async fn drop_table(cluster: &Cluster, token: &str, table: &str) {
    let arguments = json!({"table": table});
    change_schema(cluster, token, "drop_table", arguments, "dropped table").await;
}

/// The rows of `table` with `id`, read through nginx, and who answered.
async fn notes_with_id(cluster: &Cluster, token: &str, table: &str, id: i64) -> (Value, String) {
    let sql = format!("SELECT note FROM {table} WHERE id = {id}");
    let (reply, via) = cluster.call(token, "query", json!({"sql": sql})).await;
    assert_eq!(reply.status, 200, "{:?} via {via}", reply.body);
    (reply.structured()["rows"].clone(), via)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_write_via_one_instance_is_read_via_the_other_and_a_killed_instance_is_routed_around() {
    if !nginx_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let cluster = Cluster::start(dir.path()).await;
    let token = cluster.token(ALL_SCOPES);
    let table = fresh_table("deploy_rw");
    create_table(&cluster, &token, &table).await;

    // The write, through whichever instance nginx picks.
    let (reply, wrote_via) = cluster
        .call(
            &token,
            "execute",
            json!({"sql": format!("INSERT INTO {table} (id, note) VALUES (1, 'written once')")}),
        )
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(reply.structured()["rows_affected"], 1, "{:?}", reply.body);
    let writer = cluster.which(&wrote_via);
    // Round robin: the next request goes to the other instance, which reads the row.
    let (rows, read_via) = notes_with_id(&cluster, &token, &table, 1).await;
    let reader = cluster.which(&read_via);
    assert_ne!(
        reader, writer,
        "round robin sends the read to the other instance"
    );
    assert_eq!(rows, json!([["written once"]]), "read via {read_via}");

    // Each instance fetched the issuer's keys itself, once: its own discovery and JWKS fetch,
    // then its own cache for every later token.
    for _ in 0..6 {
        let (rows, _) = notes_with_id(&cluster, &token, &table, 1).await;
        assert_eq!(rows, json!([["written once"]]));
    }
    assert_eq!(cluster.issuer.fetches(), 2, "one JWKS fetch per instance");
    let discovered = cluster
        .issuer
        .requested_documents()
        .iter()
        .filter(|p| p.as_str() == "/.well-known/openid-configuration")
        .count();
    assert_eq!(discovered, 2, "one discovery per instance");

    // The metadata names nginx's URL, whichever instance answers; nginx passes Host unchanged,
    // so the DNS-rebinding check still refuses a foreign one.
    let client = reqwest::Client::new();
    let origin = cluster.endpoint.trim_end_matches("/mcp").to_owned();
    for _ in 0..2 {
        let metadata: Value = client
            .get(format!("{origin}/.well-known/oauth-protected-resource/mcp"))
            .send()
            .await
            .expect("metadata")
            .json()
            .await
            .expect("metadata json");
        assert_eq!(metadata["resource"], cluster.endpoint.as_str());
    }
    let foreign = client
        .post(&cluster.endpoint)
        .header("Host", "rebound.example.com")
        .bearer_auth(&token)
        .send()
        .await
        .expect("request");
    assert_eq!(foreign.status(), 403);
    let challenge = client
        .post(&cluster.endpoint)
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}))
        .send()
        .await
        .expect("request");
    assert_eq!(challenge.status(), 401);
    let header = challenge.headers()["www-authenticate"]
        .to_str()
        .expect("ascii");
    assert!(
        header.contains(&format!("resource_metadata=\"{origin}/")),
        "{header}"
    );

    // Killed without warning: nginx's connection to it is refused, and it retries the other.
    let mut killed = cluster.take_instance(writer);
    killed.signal("-KILL");
    killed.wait_exit(Duration::from_secs(5));
    let survivor = cluster.addr(reader);
    let retried = format!("{}, {survivor}", cluster.addr(writer));
    let mut saw_retry = false;
    for _ in 0..8 {
        let (rows, via) = notes_with_id(&cluster, &token, &table, 1).await;
        assert_eq!(rows, json!([["written once"]]), "via {via}");
        assert!(via == survivor || via == retried, "served by {via}");
        saw_retry |= via == retried;
    }
    assert!(
        saw_retry,
        "nginx tried the killed instance first once: {}",
        cluster.nginx.access_log()
    );
    // The killed instance comes back and is used again.
    cluster.start_instance(writer);
    cluster.wait_until_served_by(writer, &token).await;
    drop_table(&cluster, &token, &table).await;
}

/// What the clients saw during the rolling restart.
#[derive(Debug, Default)]
struct Outcome {
    inserted: Vec<i64>,
    answered_by: [usize; 2],
    failures: Vec<String>,
}

/// One client: alternately inserts a row and counts rows through nginx until `stop`.
async fn client(
    cluster: Arc<Cluster>,
    token: String,
    table: String,
    n: i64,
    stop: Arc<AtomicBool>,
) -> Outcome {
    let mut outcome = Outcome::default();
    let mut next = n * 1_000_000;
    while !stop.load(Ordering::SeqCst) {
        next += 1;
        let sql = format!("INSERT INTO {table} (id, note) VALUES ({next}, 'client {n}')");
        let (reply, via) = cluster.call(&token, "execute", json!({"sql": sql})).await;
        if reply.status == 200 && reply.structured()["rows_affected"] == 1 {
            outcome.inserted.push(next);
            outcome.answered_by[cluster.which(&via)] += 1;
        } else {
            outcome.failures.push(format!(
                "insert {next} via {via:?}: {} {:?}",
                reply.status, reply.body
            ));
        }
        let sql = format!("SELECT count(*) FROM {table}");
        let (reply, via) = cluster.call(&token, "query", json!({"sql": sql})).await;
        if reply.status == 200 && reply.structured()["rows"][0][0].is_i64() {
            outcome.answered_by[cluster.which(&via)] += 1;
        } else {
            outcome.failures.push(format!(
                "count via {via:?}: {} {:?}",
                reply.status, reply.body
            ));
        }
    }
    outcome
}

/// A read that takes a while, sent whole to instance `i` directly (not through nginx) before
/// this returns, so it is on its way (read or still in the socket) when the instance is told to
/// stop. Its answer: the status and the JSON body.
async fn slow_read_sent(
    cluster: &Cluster,
    i: usize,
    token: &str,
) -> tokio::task::JoinHandle<(u16, Value)> {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let sql = format!(
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {SLOW_ROWS}) SELECT count(*) FROM c"
    );
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                      "params": {"name": "query", "arguments": {"sql": sql}}})
    .to_string();
    let addr = cluster.addr(i);
    let request = format!(
        "POST /mcp HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nMCP-Protocol-Version: 2025-11-25\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut stream = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    stream.write_all(request.as_bytes()).await.expect("send");
    tokio::spawn(async move {
        let mut answer = Vec::new();
        stream
            .read_to_end(&mut answer)
            .await
            .expect("read the answer");
        let answer = String::from_utf8_lossy(&answer).into_owned();
        let status = answer
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("no status line: {answer:?}"));
        let json = answer
            .split_once("\r\n\r\n")
            .and_then(|(_, body)| serde_json::from_str(body).ok())
            .unwrap_or(Value::Null);
        (status, json)
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rolling_restart_under_traffic_loses_no_request() {
    if !nginx_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let cluster = Arc::new(Cluster::start(dir.path()).await);
    let token = cluster.token(ALL_SCOPES);
    let table = fresh_table("deploy_roll");
    create_table(&cluster, &token, &table).await;
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (1..=CLIENTS)
        .map(|n| {
            tokio::spawn(client(
                Arc::clone(&cluster),
                token.clone(),
                table.clone(),
                n,
                Arc::clone(&stop),
            ))
        })
        .collect();

    tokio::time::sleep(Duration::from_millis(300)).await;
    for i in 0..2 {
        // Stopping finishes the request in flight; nginx's new connections are refused and
        // retried on the other instance.
        let in_flight = slow_read_sent(&cluster, i, &token).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        let mut stopping = cluster.take_instance(i);
        stopping.signal("-TERM");
        let status = stopping.wait_exit(Duration::from_secs(15));
        assert!(status.success(), "instance {i} exited with {status}");
        let (status, body) = in_flight.await.expect("slow read task");
        assert_eq!(
            status, 200,
            "the request sent before the stop is answered: {body}"
        );
        assert_eq!(
            body["result"]["structuredContent"]["rows"],
            json!([[SLOW_ROWS]]),
            "{body}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
        cluster.start_instance(i);
        cluster.wait_until_served_by(i, &token).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    stop.store(true, Ordering::SeqCst);

    let mut inserted = Vec::new();
    let mut answered_by = [0; 2];
    let mut failures = Vec::new();
    for client in clients {
        let outcome = client.await.expect("client task");
        inserted.extend(outcome.inserted);
        answered_by[0] += outcome.answered_by[0];
        answered_by[1] += outcome.answered_by[1];
        failures.extend(outcome.failures);
    }
    assert!(
        failures.is_empty(),
        "{} requests failed: {failures:#?}\nnginx: {}",
        failures.len(),
        cluster.nginx.error_log()
    );
    assert!(
        answered_by[0] >= 10 && answered_by[1] >= 10,
        "both instances took traffic: {answered_by:?}"
    );
    // Every confirmed insert is there, once; nothing else is (ids are unique per client, so the
    // count and the sum of ids pin the set).
    let sql = format!("SELECT count(*), sum(id) FROM {table}");
    let (reply, _) = cluster.call(&token, "query", json!({"sql": sql})).await;
    let row = &reply.structured()["rows"][0];
    let expected_sum: i64 = inserted.iter().sum();
    assert_eq!(
        (row[0].as_i64(), row[1].as_i64()),
        (
            Some(i64::try_from(inserted.len()).expect("count")),
            Some(expected_sum)
        ),
        "{:?}",
        reply.body
    );
    drop_table(&cluster, &token, &table).await;
}
