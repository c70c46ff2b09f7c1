//! Many read calls at once: at most `max_readers` read-only connections are open, the calls
//! beyond them wait (at most the time limit) and then get a clear "busy" answer, and the server
//! keeps answering other requests meanwhile.

mod support;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use db_server::db::{Database, DbError, Limits};
use serde_json::json;
use support::TestServer;

/// A query that runs until the time limit stops it.
const ENDLESS: &str =
    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n";

/// Two readers, and a short time limit so the flood drains quickly.
fn two_readers() -> Limits {
    Limits {
        max_readers: 2,
        time_limit: Duration::from_millis(500),
        ..Limits::default()
    }
}

/// How many connections this process holds on `db_file`: its open descriptors to the file (the
/// writer's and every reader's, idle or running).
fn open_connections(db_file: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir("/proc/self/fd") else {
        panic!("this test reads /proc/self/fd (Linux)");
    };
    entries
        .filter_map(Result::ok)
        .filter(|entry| std::fs::read_link(entry.path()).is_ok_and(|target| target == db_file))
        .count()
}

fn database_file(dir: &Path) -> PathBuf {
    dir.join(db_server::DATABASE_FILE)
        .canonicalize()
        .expect("the database file")
}

/// Samples the connections on `db_file` until every task is done; returns the most seen at once.
async fn most_connections_while<T>(db_file: &Path, tasks: &[tokio::task::JoinHandle<T>]) -> usize {
    let started = Instant::now();
    let mut most = 0;
    while tasks.iter().any(|task| !task.is_finished()) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the calls never ended"
        );
        most = most.max(open_connections(db_file));
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    most
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_calls_beyond_max_readers_wait_then_get_busy() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = Database::open_with_limits(dir.path().join(db_server::DATABASE_FILE), two_readers())
        .expect("open");
    let db_file = database_file(dir.path());
    let calls: Vec<_> = (0..12)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move { db.query(ENDLESS.into(), vec![], None).await })
        })
        .collect();
    let most = most_connections_while(&db_file, &calls).await;
    // The writer and two readers; without the limit each call opened its own.
    assert!(most <= 3, "{most} connections were open at once");
    assert!(most >= 2, "the sampling saw no reader at all ({most})");
    let (mut stopped, mut busy) = (0, 0);
    for call in calls {
        match call.await.expect("task") {
            Err(DbError::Timeout(_)) => stopped += 1,
            Err(err @ DbError::Busy { readers: 2, .. }) => {
                assert!(
                    err.to_string()
                        .starts_with("the database is busy: all 2 read connections"),
                    "{err}"
                );
                busy += 1;
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(stopped >= 2 && busy >= 1, "{stopped} stopped, {busy} busy");
    // Once the flood is over, a read gets a connection at once.
    let out = db
        .query("SELECT count(*) FROM orders".into(), vec![], None)
        .await
        .expect("a read after the flood");
    assert_eq!(out.rows, vec![vec![json!(30)]]);
    assert!(open_connections(&db_file) <= 3);
}

#[tokio::test]
async fn no_readers_is_a_configuration_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let limits = Limits {
        max_readers: 0,
        ..Limits::default()
    };
    let err = Database::open_with_limits(dir.path().join("db"), limits).expect_err("refused");
    assert!(
        err.to_string()
            .contains("max_readers must be between 1 and"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_heavy_queries_leaves_the_server_answering_others() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Arc::new(TestServer::start_with_limits(dir.path(), two_readers()).await);
    let db_file = database_file(dir.path());
    let flooder = server.token(&["db:query"]);
    let flood: Vec<_> = (0..30)
        .map(|_| {
            let (server, token) = (Arc::clone(&server), flooder.clone());
            tokio::spawn(async move {
                let reply = server.call(&token, "query", json!({"sql": ENDLESS})).await;
                // Beyond the framework's per-caller limit of running calls: refused at once.
                if reply.status.as_u16() == 429 {
                    return reply.body["error"]["message"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned();
                }
                reply.tool_error()
            })
        })
        .collect();
    // Wait until the readers are busy with the flood.
    let started = Instant::now();
    while open_connections(&db_file) < 3 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the flood never started"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let other = server.token(&["db:admin"]);
    let asked = Instant::now();
    let reply = server.rpc(Some(&other), "tools/list", json!({})).await;
    let answered_in = asked.elapsed();
    assert_eq!(reply.result()["tools"].as_array().map(Vec::len), Some(8));
    let reply = server.rpc(Some(&other), "ping", json!({})).await;
    assert_eq!(reply.result(), &json!({}));
    assert!(
        asked.elapsed() < Duration::from_secs(1),
        "tools/list took {answered_in:?}, ping {:?}",
        asked.elapsed()
    );
    let most = most_connections_while(&db_file, &flood).await;
    assert!(most <= 3, "{most} connections were open at once");
    for call in flood {
        let message = call.await.expect("task");
        assert!(
            message.starts_with("the statement ran longer than")
                || message.starts_with("the database is busy")
                || message.starts_with("too many tool calls running"),
            "{message}"
        );
    }
    let reply = server
        .call(
            &other,
            "query",
            json!({"sql": "SELECT count(*) AS n FROM orders"}),
        )
        .await;
    assert_eq!(reply.structured()["rows"], json!([[30]]));
    let Ok(server) = Arc::try_unwrap(server) else {
        panic!("the server is still shared");
    };
    server.stop().await;
}
