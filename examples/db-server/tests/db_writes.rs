//! The SQLite layer's writes on their own: row changes, schema changes, and readers running while
//! a writer holds the lock.

mod support;

use std::time::Duration;

use db_server::db::DbError;
use serde_json::json;
use support::open_seeded as open;

#[tokio::test]
async fn execute_changes_rows_in_one_statement_and_refuses_the_rest() {
    let (_dir, db) = open();
    let out = db
        .execute(
            "INSERT INTO products (name, category, price_cents, stock) VALUES (?, ?, ?, ?) RETURNING id, name"
                .into(),
            vec![json!("Trackball"), json!("peripherals"), json!(5900), json!(10)],
        )
        .await
        .expect("insert");
    assert_eq!(out.rows_affected, 1);
    assert_eq!(out.last_insert_rowid, Some(13));
    assert_eq!(out.returning_columns, ["id", "name"]);
    assert_eq!(
        out.returning_rows,
        vec![vec![json!(13), json!("Trackball")]]
    );

    let out = db
        .execute(
            "UPDATE products SET stock = stock + 1 WHERE category = ?".into(),
            vec![json!("audio")],
        )
        .await
        .expect("update");
    assert_eq!(out.rows_affected, 2);

    for (sql, expect) in [
        ("SELECT * FROM products", "only reads"),
        ("CREATE TABLE t (x)", "CREATE TABLE"),
        ("DROP TABLE order_items", "DROP TABLE"),
        ("PRAGMA foreign_keys = OFF", "PRAGMA"),
        ("ATTACH ':memory:' AS m", "ATTACH"),
        ("BEGIN", "transaction"),
        ("DELETE FROM orders; DROP TABLE orders", "exactly one"),
    ] {
        let err = db.execute(sql.into(), vec![]).await.expect_err(sql);
        assert!(err.to_string().contains(expect), "{sql}: {err}");
    }

    // A constraint failure rolls the statement back as a whole.
    let err = db
        .execute(
            "UPDATE products SET stock = stock - 45 WHERE id IN (1, 2)".into(),
            vec![],
        )
        .await
        .expect_err("check constraint");
    assert!(err.to_string().contains("CHECK constraint"), "{err}");
    let stock = db
        .query(
            "SELECT stock FROM products WHERE id IN (1, 2) ORDER BY id".into(),
            vec![],
            None,
        )
        .await
        .expect("stock");
    assert_eq!(stock.rows, vec![vec![json!(40)], vec![json!(120)]]);

    // Foreign keys are enforced.
    let err = db
        .execute(
            "INSERT INTO orders (customer_id, ordered_at, status) VALUES (999, '2025-01-01', 'pending')"
                .into(),
            vec![],
        )
        .await
        .expect_err("fk");
    assert!(err.to_string().contains("FOREIGN KEY"), "{err}");
}

#[tokio::test]
async fn schema_changes_create_describe_and_drop() {
    let (_dir, db) = open();
    let made = db
        .create_table(
            "CREATE TABLE reviews (id INTEGER PRIMARY KEY, product_id INTEGER NOT NULL REFERENCES products(id), stars INTEGER NOT NULL, body TEXT UNIQUE)"
                .into(),
        )
        .await
        .expect("create table");
    assert_eq!(
        (made.action.as_str(), made.name.as_str()),
        ("created table", "reviews")
    );
    let made = db
        .create_index("CREATE INDEX reviews_by_product ON reviews(product_id, stars)".into())
        .await
        .expect("create index");
    assert_eq!(made.name, "reviews_by_product");

    let desc = db.describe_table("reviews".into()).await.expect("describe");
    assert_eq!(desc.columns.len(), 4);
    assert_eq!(desc.columns[0].primary_key, Some(1));
    assert!(desc.columns[2].not_null);
    assert_eq!(desc.foreign_keys[0].references_table, "products");
    assert_eq!(desc.foreign_keys[0].columns, ["product_id"]);
    let index = desc
        .indexes
        .iter()
        .find(|i| i.name == "reviews_by_product")
        .expect("index listed");
    assert_eq!(index.columns, ["product_id", "stars"]);
    assert_eq!(desc.row_count, Some(0));

    for (sql, tool) in [
        ("CREATE INDEX x ON orders(status)", "create_table"),
        ("CREATE TABLE t2 (x); ", "ok"),
        ("CREATE TEMP TABLE t3 (x)", "create_table"),
        ("CREATE VIEW v AS SELECT 1", "create_table"),
        (
            "CREATE TRIGGER tr AFTER INSERT ON orders BEGIN DELETE FROM orders; END",
            "create_table",
        ),
        ("INSERT INTO orders DEFAULT VALUES", "create_table"),
        ("SELECT 1", "changes nothing"),
    ] {
        let result = db.create_table(sql.into()).await;
        if tool == "ok" {
            result.expect(sql);
        } else {
            let err = result.expect_err(sql);
            assert!(err.to_string().contains(tool), "{sql}: {err}");
        }
    }
    let err = db
        .create_index("CREATE TABLE t4 (x)".into())
        .await
        .expect_err("table via create_index");
    assert!(err.to_string().contains("create_index"), "{err}");

    db.drop_index("reviews_by_product".into(), false)
        .await
        .expect("drop index");
    db.drop_table("reviews".into(), false)
        .await
        .expect("drop table");
    assert_eq!(
        db.drop_table("reviews".into(), false).await,
        Err(DbError::NotFound {
            kind: "table",
            name: "reviews".into()
        })
    );
    let nothing = db
        .drop_table("reviews".into(), true)
        .await
        .expect("if exists");
    assert_eq!(nothing.action, "nothing to drop");
    // A table whose rows are referenced cannot go.
    let err = db
        .drop_table("customers".into(), false)
        .await
        .expect_err("referenced");
    assert!(err.to_string().contains("FOREIGN KEY"), "{err}");
    // Odd names are quoted, not spliced.
    db.create_table("CREATE TABLE \"we\"\"ird; DROP TABLE orders\" (x)".into())
        .await
        .expect("odd name");
    db.drop_table("we\"ird; DROP TABLE orders".into(), false)
        .await
        .expect("drop odd name");
    db.describe_table("orders".into())
        .await
        .expect("orders still there");
}

#[tokio::test(flavor = "multi_thread")]
async fn readers_run_while_a_writer_holds_the_lock() {
    // The slow write takes a few seconds, more on a loaded machine: a time limit far above it
    // keeps it from being stopped (the 5 s default did, once), so it is still running when the
    // readers are answered.
    let dir = tempfile::tempdir().expect("temp dir");
    let limits = db_server::db::Limits {
        time_limit: Duration::from_mins(1),
        ..db_server::db::Limits::default()
    };
    let db = db_server::db::Database::open_with_limits(
        dir.path().join(db_server::DATABASE_FILE),
        limits,
    )
    .expect("open");
    let wal = dir.path().join("shop.sqlite3-wal");
    let wal_size = || std::fs::metadata(&wal).map_or(0, |m| m.len());
    let start_size = wal_size();
    let writer = {
        let db = db.clone();
        tokio::spawn(async move {
            // A slow write: half a million rows in one transaction.
            db.execute(
                "INSERT INTO customers (name, email, country, created_at) \
                 SELECT 'bulk ' || x, 'bulk' || x || '@example.com', 'XX', '2025-01-01' FROM \
                 (WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 500000) SELECT x FROM n)"
                    .into(),
                vec![],
            )
            .await
        })
    };
    // Wait until the writer is visibly in the middle of its transaction (pages spill to the WAL).
    let waited = std::time::Instant::now();
    while wal_size() < start_size + 1_000_000 {
        assert!(
            waited.elapsed() < Duration::from_mins(1),
            "the writer never started"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let mut readers = Vec::new();
    for _ in 0..8 {
        let db = db.clone();
        readers.push(tokio::spawn(async move {
            db.query("SELECT count(*) FROM customers".into(), vec![], None)
                .await
        }));
    }
    for reader in readers {
        let out = reader.await.expect("join").expect("reader");
        assert_eq!(
            out.rows[0][0],
            json!(12),
            "readers see the last committed state"
        );
    }
    assert!(
        !writer.is_finished(),
        "the readers did not wait for the writer"
    );
    let out = writer.await.expect("join").expect("writer");
    assert_eq!(out.rows_affected, 500_000);
    let out = db
        .query("SELECT count(*) FROM customers".into(), vec![], None)
        .await
        .expect("after");
    assert_eq!(out.rows[0][0], json!(500_012));
}

#[tokio::test]
async fn a_write_past_the_time_limit_is_stopped_and_rolled_back() {
    use db_server::db::{Database, Limits};
    let dir = tempfile::tempdir().expect("temp dir");
    let limits = Limits {
        time_limit: Duration::from_millis(200),
        ..Limits::default()
    };
    let path = dir.path().join("shop.sqlite3");
    let db = Database::open_with_limits(&path, limits).expect("open");
    let before = support::dump(&path);
    let err = db
        .execute(
            "INSERT INTO customers (name, email, country, created_at) \
             WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) \
             SELECT 'c' || x, 'c' || x || '@example.com', 'XX', '2025-01-01' FROM n"
                .into(),
            vec![],
        )
        .await
        .expect_err("endless insert");
    assert_eq!(err, DbError::Timeout(Duration::from_millis(200)));
    assert_eq!(support::dump(&path), before, "nothing of it was kept");
    // The writer is free and works afterwards.
    let out = db
        .execute("DELETE FROM customers WHERE id = ?".into(), vec![json!(12)])
        .await
        .expect("next write");
    assert_eq!(out.rows_affected, 1);
}

#[tokio::test]
async fn dropping_a_table_never_deletes_or_changes_rows_of_another() {
    let (_dir, db) = open();
    // `order_items.order_id` references `orders` with ON DELETE CASCADE: SQLite would empty
    // `order_items` while dropping `orders`.
    let before = support::dump(db.path().expect("a SQLite file"));
    let err = db
        .drop_table("orders".into(), false)
        .await
        .expect_err("referenced by order_items");
    assert_eq!(
        err.to_string(),
        "cannot drop `orders`: 78 row(s) of `order_items` reference it through the FOREIGN KEY on \
         `order_id`, and dropping it would delete or change them too; drop `order_items` first, or \
         delete those rows with `execute`"
    );
    assert_eq!(
        support::dump(db.path().expect("a SQLite file")),
        before,
        "nothing changed"
    );
    // Once nothing references it, it can go.
    db.drop_table("order_items".into(), false)
        .await
        .expect("nothing references order_items");
    db.drop_table("orders".into(), false)
        .await
        .expect("no longer referenced");
}
