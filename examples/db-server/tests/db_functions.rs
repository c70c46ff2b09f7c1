//! SQL functions a caller may not call: code loading, functions that read or plant memory
//! pointers, full-text and R*Tree internals, build and connection details. Each is refused by the
//! authorizer on every kind of call (`query`, `execute`, `create_table`, `create_index`), wherever
//! it hides in the statement, and the database is left as it was. Allowed functions that can build
//! large values stop at the size limits with an error.

mod support;

use db_server::db::DbError;
use serde_json::{Value, json};
use support::{dump, open_seeded, with_fresh_server};

/// Eight bytes a caller would plant as a tokenizer "pointer".
const FAKE_POINTER: &str = "QUFBQUFBQUE=";

/// Read-only statements that call a refused function, with the function the refusal must name.
fn refused_reads() -> Vec<(&'static str, Vec<Value>, &'static str)> {
    vec![
        // The address leak and the pointer plant of the review, with bound parameters.
        (
            "SELECT fts3_tokenizer(?) AS p",
            vec![json!("simple")],
            "fts3_tokenizer",
        ),
        (
            "SELECT fts3_tokenizer(?, ?)",
            vec![json!("simple"), json!({"base64": FAKE_POINTER})],
            "fts3_tokenizer",
        ),
        ("SELECT fts3_tokenizer('porter')", vec![], "fts3_tokenizer"),
        ("SELECT fts5(?)", vec![json!(null)], "fts5"),
        // Code loading, in any spelling.
        (
            "SELECT load_extension('libc.so.6')",
            vec![],
            "load_extension",
        ),
        (
            "SELECT LOAD_EXTENSION('/tmp/evil.so', 'sqlite3_extension_init')",
            vec![],
            "load_extension",
        ),
        (
            "SELECT Load_Extension(?)",
            vec![json!("x")],
            "load_extension",
        ),
        // Hidden in a WHERE clause, a CTE, a sub-select, a join with a view, an ORDER BY.
        (
            "SELECT name FROM customers WHERE fts3_tokenizer('simple') IS NOT NULL",
            vec![],
            "fts3_tokenizer",
        ),
        (
            "WITH t AS (SELECT fts3_tokenizer('simple') AS p) SELECT * FROM t",
            vec![],
            "fts3_tokenizer",
        ),
        ("SELECT (SELECT fts5(NULL))", vec![], "fts5"),
        (
            "SELECT count(*) FROM order_totals WHERE fts3_tokenizer('simple') > x'00'",
            vec![],
            "fts3_tokenizer",
        ),
        (
            "SELECT id FROM products ORDER BY load_extension('x')",
            vec![],
            "load_extension",
        ),
        // R*Tree internals that decode raw blobs.
        ("SELECT rtreenode(2, x'0000')", vec![], "rtreenode"),
        ("SELECT rtreedepth(zeroblob(100))", vec![], "rtreedepth"),
        ("SELECT rtreecheck('customers')", vec![], "rtreecheck"),
        // Full-text auxiliary functions.
        (
            "SELECT name FROM customers WHERE name MATCH 'x'",
            vec![],
            "match",
        ),
        (
            "SELECT snippet(customers) FROM customers",
            vec![],
            "snippet",
        ),
        (
            "SELECT matchinfo(customers) FROM customers",
            vec![],
            "matchinfo",
        ),
        ("SELECT bm25(customers) FROM customers", vec![], "bm25"),
        // Multiplies its input (an indentation string per nesting level) in memory SQLite's
        // value size limit does not cover.
        (
            "SELECT json_pretty(printf('%.*c%.*c', 900, '[', 900, ']'), printf('%.*c', 100000, ' '))",
            vec![],
            "json_pretty",
        ),
        // Writing the server's log; build and shared-connection details.
        ("SELECT sqlite_log(1, 'forged')", vec![], "sqlite_log"),
        (
            "SELECT sqlite_compileoption_get(0)",
            vec![],
            "sqlite_compileoption_get",
        ),
        ("SELECT sqlite_version()", vec![], "sqlite_version"),
        ("SELECT last_insert_rowid()", vec![], "last_insert_rowid"),
        ("SELECT total_changes()", vec![], "total_changes"),
    ]
}

#[tokio::test]
async fn refused_functions_are_refused_by_query_wherever_they_hide() {
    let (dir, db) = open_seeded();
    let db_file = dir.path().join(db_server::DATABASE_FILE);
    let before = dump(&db_file);
    let attempts = refused_reads();
    assert!(attempts.len() >= 20);
    for (sql, params, function) in attempts {
        match db.query(sql.into(), params, None).await {
            Err(DbError::Refused(reason)) => assert!(
                reason.contains(&format!("{function}() is")),
                "{sql}: the refusal must name {function}(): {reason}"
            ),
            other => panic!("not refused: {sql}\n  -> {other:?}"),
        }
    }
    assert_eq!(dump(&db_file), before);
    // The connections still serve ordinary reads afterwards.
    let out = db
        .query("SELECT count(*) FROM customers".into(), vec![], None)
        .await
        .expect("read");
    assert_eq!(out.rows, vec![vec![json!(12)]]);
}

#[tokio::test]
async fn refused_functions_are_refused_by_the_writer_too() {
    let (dir, db) = open_seeded();
    let db_file = dir.path().join(db_server::DATABASE_FILE);
    let before = dump(&db_file);
    let pointer = || vec![json!("simple"), json!({"base64": FAKE_POINTER})];
    let executes: Vec<(&str, Vec<Value>, &str)> = vec![
        (
            "INSERT INTO products (name, category, price_cents, stock) VALUES (hex(fts3_tokenizer(?)), 'x', 1, 1)",
            vec![json!("simple")],
            "fts3_tokenizer",
        ),
        (
            "UPDATE products SET name = 'x' WHERE id = 1 AND fts3_tokenizer(?, ?) IS NULL",
            pointer(),
            "fts3_tokenizer",
        ),
        (
            "UPDATE products SET name = LOAD_EXTENSION('x') WHERE id = 1",
            vec![],
            "load_extension",
        ),
        (
            "DELETE FROM order_items WHERE order_id = 1 RETURNING sqlite_version()",
            vec![],
            "sqlite_version",
        ),
    ];
    for (sql, params, function) in executes {
        match db.execute(sql.into(), params).await {
            Err(DbError::Refused(reason)) => {
                assert!(
                    reason.contains(&format!("{function}() is")),
                    "{sql}: {reason}"
                );
            }
            other => panic!("not refused: {sql}\n  -> {other:?}"),
        }
    }
    let tables = [
        "CREATE TABLE t (x CHECK (load_extension('x')))",
        "CREATE TABLE t (x, y AS (fts3_tokenizer('simple')))",
        "CREATE TABLE t AS SELECT fts3_tokenizer('simple') AS p",
    ];
    for sql in tables {
        match db.create_table(sql.into()).await {
            Err(DbError::Refused(reason)) => assert!(reason.contains("() is"), "{sql}: {reason}"),
            other => panic!("not refused: {sql}\n  -> {other:?}"),
        }
    }
    let indexes = [
        "CREATE INDEX i ON products(fts3_tokenizer('simple'))",
        "CREATE INDEX i ON products(price_cents) WHERE sqlite_version() > ''",
    ];
    for sql in indexes {
        match db.create_index(sql.into()).await {
            Err(DbError::Refused(reason)) => assert!(reason.contains("() is"), "{sql}: {reason}"),
            other => panic!("not refused: {sql}\n  -> {other:?}"),
        }
    }
    assert_eq!(dump(&db_file), before);
}

/// The schema table through the row-change policy, a TEMP index: refused, the rows untouched.
#[tokio::test]
async fn the_write_policies_refuse_the_schema_table_and_temp_objects() {
    let (dir, db) = open_seeded();
    let db_file = dir.path().join(db_server::DATABASE_FILE);
    let before = dump(&db_file);
    for sql in [
        "DELETE FROM sqlite_master",
        "DELETE FROM main.sqlite_schema WHERE name = 'orders'",
        "UPDATE sqlite_master SET sql = 'CREATE TABLE x (y)' WHERE name = 'orders'",
        "INSERT INTO sqlite_master VALUES ('table', 'x', 'x', 0, 'CREATE TABLE x (y)')",
    ] {
        // SQLite refuses these (DEFENSIVE, and `writable_schema` cannot be turned on) before it
        // asks the authorizer.
        match db.execute(sql.into(), vec![]).await {
            Err(DbError::Sql(reason)) => {
                assert!(reason.contains("may not be modified"), "{sql}: {reason}");
            }
            other => panic!("not refused: {sql}\n  -> {other:?}"),
        }
    }
    let err = db
        .create_index("CREATE INDEX temp.i ON customers(country)".into())
        .await
        .expect_err("a TEMP index");
    assert!(
        err.to_string()
            .contains("cannot create a TEMP index on non-TEMP table"),
        "{err}"
    );
    let err = db
        .create_table("CREATE TEMP TABLE t (x)".into())
        .await
        .expect_err("a TEMP table");
    assert!(
        matches!(&err, DbError::Refused(m) if m.contains("creates objects in the main database only")),
        "{err:?}"
    );
    assert_eq!(dump(&db_file), before);
}

/// Allowed functions that build values stop at the value size limit (16 MiB by default) or at
/// SQLite's JSON and expression depth limits, with an error (or, for `printf`, NULL) rather than a
/// huge answer or a crash.
#[tokio::test]
async fn allowed_functions_stop_at_the_size_and_depth_limits() {
    let (_dir, db) = open_seeded();
    let deep_expression = format!("SELECT {}1{}", "abs(".repeat(2_000), ")".repeat(2_000));
    // What comes back: an error containing the text, or (`None`) one row holding NULL.
    let attempts = [
        ("SELECT zeroblob(1000000000)", Some("too big")),
        ("SELECT randomblob(1000000000)", Some("too big")),
        ("SELECT printf('%.*c', 1000000000, 'x')", None),
        ("SELECT printf('%1000000000d', 1)", None),
        (
            "SELECT length(replace(printf('%.*c', 2000000, 'x'), 'x', 'abcdefghij'))",
            Some("too big"),
        ),
        (
            "SELECT length(group_concat(zeroblob(1000000))) FROM \
             (WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 100) SELECT x FROM n)",
            Some("too big"),
        ),
        (
            "SELECT json(printf('%.*c%.*c', 2000, '[', 2000, ']'))",
            Some("malformed JSON"),
        ),
        (deep_expression.as_str(), Some("too large")),
    ];
    for (sql, expect) in attempts {
        let shown = &sql[..sql.len().min(60)];
        match (db.query(sql.into(), vec![], None).await, expect) {
            (Err(err), Some(expect)) => {
                assert!(err.to_string().contains(expect), "{shown}: {err}");
            }
            (Ok(out), None) => assert_eq!(out.rows, vec![vec![json!(null)]], "{shown}"),
            (other, _) => panic!("{shown}: {:.300}", format!("{other:?}")),
        }
    }
    // The same functions within the limits, and the other families, work.
    let out = db
        .query(
            "SELECT length(zeroblob(1000)), json_extract('{\"a\":[1,2]}', '$.a[1]'), \
             printf('%5.1f', 2.25), date('2025-01-31', '+1 day'), upper('x') || lower('Y'), \
             '{\"k\":3}' ->> 'k', row_number() OVER ()"
                .into(),
            vec![],
            None,
        )
        .await
        .expect("allowed functions");
    assert_eq!(
        out.rows,
        vec![vec![
            json!(1000),
            json!(2),
            json!("  2.3"),
            json!("2025-02-01"),
            json!("Xy"),
            json!(3),
            json!(1)
        ]]
    );
}

/// The review's two calls, as a `db:query` client sends them.
#[tokio::test]
async fn the_fts3_tokenizer_calls_are_refused_over_http() {
    with_fresh_server(async |server| {
        let token = server.token(&["db:query"]);
        for arguments in [
            json!({"sql": "SELECT fts3_tokenizer(?) AS p", "params": ["simple"]}),
            json!({"sql": "SELECT fts3_tokenizer(?, ?)", "params": ["simple", {"base64": FAKE_POINTER}]}),
        ] {
            let reply = server.call(&token, "query", arguments.clone()).await;
            let message = reply.tool_error();
            assert!(
                message.starts_with("the SQL function fts3_tokenizer() is not allowed on this server"),
                "{arguments}: {message}"
            );
            assert!(
                reply.result().get("structuredContent").is_none(),
                "{reply:?}"
            );
        }
        // The server keeps answering on the same connections.
        let reply = server
            .call(
                &token,
                "query",
                json!({"sql": "SELECT count(*) AS n FROM orders"}),
            )
            .await;
        assert_eq!(reply.structured()["rows"], json!([[30]]));
    })
    .await;
}
