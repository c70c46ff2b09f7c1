//! SQL text SQLite would read differently from how it was sent: a NUL character, where SQLite
//! stops reading, is refused with a clear error on every call that takes SQL, and nothing runs.

mod support;

use db_server::db::DbError;
use serde_json::json;
use support::{dump, open_seeded, with_fresh_server};

#[tokio::test]
async fn sql_with_a_nul_character_is_refused_not_cut() {
    let (dir, db) = open_seeded();
    let db_file = dir.path().join(db_server::DATABASE_FILE);
    let before = dump(&db_file);
    // Cut at the NUL, this would count every order instead of one.
    let err = db
        .query(
            "SELECT count(*) FROM orders\0 WHERE id = 1".into(),
            vec![],
            None,
        )
        .await
        .expect_err("a NUL in the text");
    assert_eq!(err, DbError::NulInSql { at: 27 });
    // Cut at the NUL, this would empty the table.
    let err = db
        .execute(
            "DELETE FROM order_items\0 WHERE order_id = 1".into(),
            vec![],
        )
        .await
        .expect_err("a NUL in the text");
    assert_eq!(err, DbError::NulInSql { at: 23 });
    let err = db
        .create_table("CREATE TABLE t (x)\0 -- and more".into())
        .await
        .expect_err("a NUL in the text");
    assert_eq!(err, DbError::NulInSql { at: 18 });
    let err = db
        .create_index("\0CREATE INDEX i ON orders(status)".into())
        .await
        .expect_err("a NUL in the text");
    assert_eq!(err, DbError::NulInSql { at: 0 });
    assert_eq!(
        dump(&db_file),
        before,
        "a refused statement changed the database"
    );
}

#[tokio::test]
async fn a_nul_in_the_sql_gets_an_error_result_over_http_from_every_tool_taking_sql() {
    with_fresh_server(async |server| {
        let token = server.token(&["db:admin"]);
        let before = dump(&server.database_file());
        // Each tool that takes SQL, its text with a NUL, and the byte the error names.
        let cases = [
            ("query", "SELECT count(*) FROM orders\u{0} WHERE id = 1", 27),
            (
                "execute",
                "DELETE FROM order_items\u{0} WHERE order_id = 1",
                23,
            ),
            ("create_table", "CREATE TABLE t (x)\u{0} -- and more", 18),
            ("create_index", "\u{0}CREATE INDEX i ON orders(status)", 0),
        ];
        for (tool, sql, at) in cases {
            let reply = server.call(&token, tool, json!({ "sql": sql })).await;
            let message = reply.tool_error();
            assert!(
                message.starts_with(&format!(
                    "the SQL text holds a NUL character (at byte {at})"
                )),
                "{tool}: {message}"
            );
        }
        assert_eq!(
            dump(&server.database_file()),
            before,
            "a refused statement changed the database"
        );
    })
    .await;
}
