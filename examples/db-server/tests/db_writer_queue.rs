//! Many changes at once: they wait for the writer as futures, not each on a blocking thread, and
//! a change that cannot get its turn in time gets a clear "busy" answer. Alone in its test binary
//! because it counts the process's threads.

use std::time::{Duration, Instant};

use db_server::db::{Database, DbError, Limits};
use serde_json::json;

/// A change that runs until the time limit stops it (and so changes nothing).
const ENDLESS_UPDATE: &str = "UPDATE products SET stock = stock WHERE \
     (WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n) > 0";

/// The threads of this process.
fn threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .expect("this test reads /proc/self/task (Linux)")
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_changes_hold_no_thread_and_end_busy() {
    let dir = tempfile::tempdir().expect("temp dir");
    let limits = Limits {
        time_limit: Duration::from_millis(300),
        ..Limits::default()
    };
    let db = Database::open_with_limits(dir.path().join(db_server::DATABASE_FILE), limits)
        .expect("open");
    // Warm the blocking pool so its first thread is counted before.
    db.execute(
        "UPDATE products SET stock = stock WHERE id = 1".into(),
        vec![],
    )
    .await
    .expect("warm-up");
    let before = threads();
    let calls: Vec<_> = (0..24)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move { db.execute(ENDLESS_UPDATE.into(), vec![]).await })
        })
        .collect();
    let started = Instant::now();
    let mut most = before;
    while calls.iter().any(|call| !call.is_finished()) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the calls never ended"
        );
        most = most.max(threads());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // One thread runs the change at hand; without the queue each waiting change held one.
    assert!(most <= before + 2, "{before} threads before, {most} during");
    let (mut stopped, mut busy) = (0, 0);
    for call in calls {
        match call.await.expect("task") {
            Err(DbError::Timeout(_)) => stopped += 1,
            Err(err @ DbError::WriterBusy { .. }) => {
                assert!(
                    err.to_string()
                        .starts_with("the database is busy: other changes held the writer"),
                    "{err}"
                );
                busy += 1;
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(stopped >= 2 && busy >= 1, "{stopped} stopped, {busy} busy");
    let out = db
        .execute(
            "UPDATE products SET stock = stock + 1 WHERE id = 1 RETURNING stock".into(),
            vec![],
        )
        .await
        .expect("a change after the queue");
    assert_eq!(out.returning_rows, vec![vec![json!(41)]]);
}
