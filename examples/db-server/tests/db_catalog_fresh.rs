//! The schema reads (`list_tables`, `describe_table`) keep their prepared statements per
//! connection, and each reader connection keeps its last `list_tables` answer until SQLite reports
//! a change: what they answer must still follow every change of rows and of the schema, on every
//! reader connection, made through the server or by another program writing the same file,
//! including a table dropped and made again under the same name.

mod support;

use db_server::db::Database;
use rusqlite::Connection;
use serde_json::json;
use support::open_seeded as open;

/// `name`'s columns and row count as `list_tables` shows them.
async fn listed(db: &Database, name: &str) -> Option<(Vec<String>, Option<i64>)> {
    let list = db.list_tables().await.expect("list");
    list.tables
        .into_iter()
        .find(|t| t.name == name)
        .map(|t| (t.columns, t.row_count))
}

#[tokio::test]
async fn listings_follow_row_and_schema_changes_on_every_connection() {
    let (_dir, db) = open();
    db.create_table("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)".into())
        .await
        .expect("create");
    // Several rounds, concurrently, so that more than one reader connection has the statements.
    for rows in 1..=3_i64 {
        db.execute(
            "INSERT INTO notes (body) VALUES (?)".into(),
            vec![json!("x")],
        )
        .await
        .expect("insert");
        let answers = futures_util::future::join_all((0..6).map(|_| listed(&db, "notes"))).await;
        for answer in answers {
            assert_eq!(
                answer,
                Some((vec!["id".to_owned(), "body".to_owned()], Some(rows)))
            );
        }
    }
    db.drop_table("notes".into(), false).await.expect("drop");
    assert_eq!(listed(&db, "notes").await, None);
    db.create_table("CREATE TABLE notes (title TEXT, stars INTEGER, at TEXT)".into())
        .await
        .expect("create again");
    let answers = futures_util::future::join_all((0..6).map(|_| listed(&db, "notes"))).await;
    for answer in answers {
        assert_eq!(
            answer,
            Some((
                vec!["title".to_owned(), "stars".to_owned(), "at".to_owned()],
                Some(0)
            ))
        );
    }
    let described = db.describe_table("notes".into()).await.expect("describe");
    assert_eq!(described.columns.len(), 3);
    assert_eq!(described.row_count, Some(0));
}

/// What every reader connection answers for `name` (more calls at once than connections kept
/// idle, so each connection of the pool answers at least once).
async fn listed_everywhere(db: &Database, name: &str) -> Vec<Option<(Vec<String>, Option<i64>)>> {
    futures_util::future::join_all((0..12).map(|_| listed(db, name))).await
}

#[tokio::test]
async fn listings_follow_writes_by_another_connection_to_the_file() {
    let (dir, db) = open();
    let before = listed_everywhere(&db, "customers").await;
    let Some(Some((columns, Some(rows)))) = before.first().cloned() else {
        panic!("the seeded database lists customers: {before:?}");
    };
    assert!(
        before
            .iter()
            .all(|b| *b == Some((columns.clone(), Some(rows))))
    );
    // Another program writing the same file, not through the server.
    let other = Connection::open(dir.path().join(db_server::DATABASE_FILE)).expect("open");
    other
        .execute(
            "INSERT INTO customers (name, email, country, created_at) \
             VALUES ('Zoe', 'zoe@example.com', 'NZ', '2026-12-05')",
            [],
        )
        .expect("insert");
    for answer in listed_everywhere(&db, "customers").await {
        assert_eq!(answer, Some((columns.clone(), Some(rows + 1))));
    }
    other
        .execute_batch("CREATE TABLE visits (at TEXT); INSERT INTO visits VALUES ('now');")
        .expect("create");
    for answer in listed_everywhere(&db, "visits").await {
        assert_eq!(answer, Some((vec!["at".to_owned()], Some(1))));
    }
    other.execute("DELETE FROM visits", []).expect("delete");
    for answer in listed_everywhere(&db, "visits").await {
        assert_eq!(answer, Some((vec!["at".to_owned()], Some(0))));
    }
}

#[tokio::test]
async fn a_listing_read_before_an_insert_is_not_served_after_it() {
    let (_dir, db) = open();
    let Some((_, Some(rows))) = listed(&db, "products").await else {
        panic!("the seeded database lists products");
    };
    // Every connection has listed (and kept) the table before the write.
    for answer in listed_everywhere(&db, "products").await {
        assert_eq!(answer.and_then(|(_, count)| count), Some(rows));
    }
    db.execute(
        "INSERT INTO products (name, category, price_cents) VALUES (?, ?, ?)".into(),
        vec![json!("lamp"), json!("home"), json!(1999)],
    )
    .await
    .expect("insert");
    for answer in listed_everywhere(&db, "products").await {
        assert_eq!(answer.and_then(|(_, count)| count), Some(rows + 1));
    }
}
