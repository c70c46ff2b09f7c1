//! SQLite's memory is capped for the whole process, so these tests have a process of their own
//! (both with the same cap): a statement that would need more fails with an error instead of
//! exhausting the machine, or its disk.

use db_server::db::{Database, DbError, Limits};

fn open(dir: &tempfile::TempDir) -> Database {
    let limits = Limits {
        max_memory_bytes: 64 * 1024 * 1024,
        ..Limits::default()
    };
    Database::open_with_limits(dir.path().join("shop.sqlite3"), limits).expect("open")
}

async fn reads_still_work(db: &Database) {
    let out = db
        .query("SELECT count(*) FROM customers".into(), vec![], None)
        .await
        .expect("reads still work");
    assert_eq!(out.rows[0][0], 12);
}

#[tokio::test]
async fn a_statement_needing_more_memory_than_allowed_fails_and_the_server_goes_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = open(&dir);
    // One row of ten 16 MB blobs: 160 MB inside SQLite before the result limit can look at it.
    let wide = (0..10)
        .map(|i| format!("randomblob(16000000) AS c{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let err = db
        .query(format!("SELECT {wide}"), vec![], None)
        .await
        .expect_err("over the memory limit");
    assert_eq!(err, DbError::Sql("out of memory".to_owned()));
    reads_still_work(&db).await;
    db.execute(
        "UPDATE products SET stock = stock + 1 WHERE id = ?".into(),
        vec![serde_json::json!(1)],
    )
    .await
    .expect("writes still work");
}

#[tokio::test]
async fn a_sort_larger_than_the_memory_limit_fails_instead_of_spilling_to_disk() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = open(&dir);
    // 100 000 rows of 1000 random bytes, sorted: about 100 MB of sorter data. With SQLite's
    // default temporary store it would go to temporary files (and succeed, writing the disk);
    // kept in memory it meets the 64 MiB cap.
    let sort = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n LIMIT 100000) \
                SELECT x FROM n ORDER BY randomblob(1000)";
    let err = db
        .query(sort.to_owned(), vec![], Some(1))
        .await
        .expect_err("over the memory limit, not on disk");
    assert_eq!(err, DbError::Sql("out of memory".to_owned()));
    reads_still_work(&db).await;
}
