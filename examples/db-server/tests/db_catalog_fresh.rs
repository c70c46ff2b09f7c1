//! The schema reads (`list_tables`, `describe_table`) keep their prepared statements per
//! connection: what they answer must still follow every change of rows and of the schema, on
//! every reader connection, including a table dropped and made again under the same name.

mod support;

use db_server::db::Database;
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
