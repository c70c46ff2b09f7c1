//! SQLite's memory is capped for the whole process, so this test has a process of its own: a
//! statement that would need more fails with an error instead of exhausting the machine.

use db_server::db::{Database, DbError, Limits};

#[tokio::test]
async fn a_statement_needing_more_memory_than_allowed_fails_and_the_server_goes_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    let limits = Limits {
        max_memory_bytes: 64 * 1024 * 1024,
        ..Limits::default()
    };
    let db = Database::open_with_limits(dir.path().join("shop.sqlite3"), limits).expect("open");
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
    let out = db
        .query("SELECT count(*) FROM customers".into(), vec![], None)
        .await
        .expect("reads still work");
    assert_eq!(out.rows[0][0], 12);
    db.execute(
        "UPDATE products SET stock = stock + 1 WHERE id = ?".into(),
        vec![serde_json::json!(1)],
    )
    .await
    .expect("writes still work");
}
