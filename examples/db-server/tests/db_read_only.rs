//! Attempts to write through the read-only `query` path: every one must be refused, and the
//! database must hold exactly what it held before (schema, rows, settings), with no new files.

mod support;

use db_server::db::{Database, DbError};
use serde_json::{Value, json};
use support::{dump, files};

#[tokio::test]
async fn every_write_through_the_read_only_path_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db_path = dir.path().join("shop.sqlite3");
    let db = Database::open(&db_path).expect("open");
    let outside = tempfile::tempdir().expect("temp dir");
    let evil = outside.path().join("evil.db");
    let copy = outside.path().join("copy.db");
    let evil = evil.display();
    let copy = copy.display();

    let before = dump(&db_path);
    let files_before = files(dir.path());
    // The bytes too, not only what they mean: the database file and its write-ahead log.
    let wal_path = dir.path().join("shop.sqlite3-wal");
    let bytes = |path: &std::path::Path| std::fs::read(path).unwrap_or_default();
    let (db_bytes, wal_bytes) = (bytes(&db_path), bytes(&wal_path));

    let attempts = write_attempts(&evil.to_string(), &copy.to_string());
    assert!(attempts.len() >= 20);

    for (sql, params) in &attempts {
        let result = db.query(sql.clone(), params.clone(), None).await;
        match result {
            Err(DbError::Refused(_) | DbError::MultipleStatements) => {}
            // SQLite's grammar has no DML inside a CTE: a syntax error, refused all the same.
            Err(DbError::Sql(e)) if sql.starts_with("WITH d AS") && e.contains("syntax error") => {}
            other => panic!("not refused: {sql}\n  -> {other:?}"),
        }
    }

    assert_eq!(dump(&db_path), before, "the database content changed");
    assert!(
        bytes(&db_path) == db_bytes && bytes(&wal_path) == wal_bytes,
        "the database file or its WAL changed"
    );
    assert_eq!(
        files(dir.path()),
        files_before,
        "files appeared next to the database"
    );
    assert!(
        files(outside.path()).is_empty(),
        "ATTACH / VACUUM INTO wrote a file"
    );
    // Reads still work on the same connections afterwards.
    let out = db
        .query("SELECT count(*) FROM order_items".into(), vec![], None)
        .await
        .expect("read");
    assert_eq!(out.rows[0][0], json!(78));
}

/// Statements that would write, each with its parameters; `evil` and `copy` are paths outside
/// the database's directory.
fn write_attempts(evil: &str, copy: &str) -> Vec<(String, Vec<Value>)> {
    [
        "INSERT INTO customers (name, email, country, created_at) VALUES ('x', 'x@x', 'X', '2025-01-01')".to_owned(),
        "UPDATE products SET price_cents = 0".to_owned(),
        "DELETE FROM order_items".to_owned(),
        "SELECT 1; DELETE FROM order_items".to_owned(),
        "SELECT 1 -- comment\n; DELETE FROM order_items".to_owned(),
        "/* SELECT */ DELETE FROM orders".to_owned(),
        "WITH doomed AS (SELECT id FROM orders) DELETE FROM orders WHERE id IN (SELECT id FROM doomed)".to_owned(),
        "WITH d AS (DELETE FROM orders RETURNING id) SELECT * FROM d".to_owned(),
        "INSERT INTO orders SELECT id + 1000, customer_id, ordered_at, status FROM orders RETURNING id".to_owned(),
        "REPLACE INTO products (id, name, category, price_cents, stock) VALUES (1, 'x', 'x', 1, 1)".to_owned(),
        "INSERT OR REPLACE INTO products (id, name, category, price_cents, stock) VALUES (1, 'x', 'x', 1, 1)".to_owned(),
        "INSERT INTO products (id, name, category, price_cents, stock) VALUES (1, 'x', 'x', 1, 1) ON CONFLICT(id) DO UPDATE SET stock = 0".to_owned(),
        format!("ATTACH DATABASE '{evil}' AS evil"),
        "ATTACH DATABASE ':memory:' AS scratch".to_owned(),
        "DETACH DATABASE main".to_owned(),
        "PRAGMA user_version = 42".to_owned(),
        "PRAGMA journal_mode = DELETE".to_owned(),
        "PRAGMA query_only = OFF".to_owned(),
        "PRAGMA writable_schema = ON".to_owned(),
        "PRAGMA wal_checkpoint(TRUNCATE)".to_owned(),
        "PRAGMA incremental_vacuum".to_owned(),
        "PRAGMA foreign_keys = OFF".to_owned(),
        "VACUUM".to_owned(),
        format!("VACUUM INTO '{copy}'"),
        "SELECT load_extension('/nonexistent/evil.so')".to_owned(),
        "SELECT load_extension('libc.so.6', 'system')".to_owned(),
        "CREATE TEMP TABLE stash AS SELECT * FROM customers".to_owned(),
        "CREATE TEMP VIEW v AS SELECT 1".to_owned(),
        "CREATE TABLE t (x)".to_owned(),
        "CREATE INDEX i ON customers(country)".to_owned(),
        "DROP TABLE order_items".to_owned(),
        "DROP VIEW order_totals".to_owned(),
        "ALTER TABLE customers ADD COLUMN vip INTEGER".to_owned(),
        "ALTER TABLE customers RENAME TO clients".to_owned(),
        "CREATE TRIGGER tr AFTER INSERT ON customers BEGIN DELETE FROM orders; END".to_owned(),
        "CREATE TEMP TRIGGER tr AFTER UPDATE ON customers BEGIN DELETE FROM orders; END".to_owned(),
        "BEGIN IMMEDIATE".to_owned(),
        "BEGIN; DELETE FROM orders; COMMIT".to_owned(),
        "SAVEPOINT s".to_owned(),
        "REINDEX".to_owned(),
        "ANALYZE".to_owned(),
        "EXPLAIN DELETE FROM orders".to_owned(),
        "CREATE VIRTUAL TABLE docs USING fts5(body)".to_owned(),
        "WITH n(x) AS (SELECT 99) INSERT INTO customers (id, name, email, country, created_at) SELECT x, 'x', 'x@x', 'X', '2025' FROM n".to_owned(),
        "WITH n(x) AS (SELECT 1) UPDATE products SET stock = 0 WHERE id IN n".to_owned(),
        "PRAGMA main.user_version = 43".to_owned(),
        "PRAGMA schema_version = 1".to_owned(),
        "PRAGMA temp_store = MEMORY".to_owned(),
        "SELECT * FROM pragma_table_info('orders'); PRAGMA user_version = 44".to_owned(),
        "CREATE TEMP TABLE x AS SELECT 1; INSERT INTO temp.x VALUES (2)".to_owned(),
        "DELETE FROM order_items RETURNING *".to_owned(),
    ]
    .into_iter()
    .map(|sql| (sql, vec![]))
    .chain([
        ("DELETE FROM customers WHERE id = ?".to_owned(), vec![json!(12)]),
        ("UPDATE customers SET name = ?1 WHERE id = ?2".to_owned(), vec![json!("x"), json!(1)]),
    ])
    .collect()
}

#[tokio::test]
async fn refusals_say_where_to_go_instead() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = Database::open(dir.path().join("db")).expect("open");
    let err = db
        .query("DELETE FROM orders".into(), vec![], None)
        .await
        .expect_err("refused");
    assert_eq!(
        err.to_string(),
        "`query` is read-only and this statement would delete from `orders`; use the `execute` tool (scope db:modify) to change rows"
    );
    let err = db
        .query("SELECT 1; SELECT 2".into(), vec![], None)
        .await
        .expect_err("refused");
    assert_eq!(err, DbError::MultipleStatements);
    let err = db
        .query("SELECT load_extension('x')".into(), vec![], None)
        .await
        .expect_err("refused");
    assert!(
        err.to_string().contains("load_extension() is disabled"),
        "{err}"
    );
    // A trailing semicolon and comments are one statement.
    db.query("SELECT 1; -- done\n".into(), vec![], None)
        .await
        .expect("one statement");
    // Schema-reading pragmas are reads.
    db.query("PRAGMA table_info(orders)".into(), vec![], None)
        .await
        .expect("schema pragma");
}
