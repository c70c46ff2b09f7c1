//! The tools over HTTP on PostgreSQL, set up as the README recommends (postgres-roles.sql: a
//! writer role owning schema `shop`, a SELECT-only reader role): the same tools and answers as on
//! SQLite, changes and schema changes with clear errors, and a reader role that cannot write.
//!
//! Needs `MCP_TEST_DATABASE_URL` (see `pg_support`).

mod pg_support;
mod support;

use db_server::db::{Database, Limits, PgOptions};
use serde_json::{Value, json};
use support::TestServer;

const ROLES_SQL: &str = include_str!("../postgres-roles.sql");

/// Held while this process runs `ROLES_SQL` (see `start`).
static ROLES_SETUP: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A server on a fresh database set up with the two roles, and the database.
async fn start(test: &str) -> Option<(TestServer, pg_support::TestDatabase, tempfile::TempDir)> {
    let test_db = pg_support::fresh_database(test).await?;
    // The roles are the cluster's, shared by every test database: two runs of the script at once
    // collide on them ("tuple concurrently updated" from `ALTER ROLE … SET`). An advisory lock
    // would not help (its key is per database), so this process runs the script one test at a
    // time. Another process on the same cluster (a second `cargo test`, the deploy script) may
    // still collide: the script runs as one implicit transaction, so a collision changes nothing
    // and it is run again.
    let one_at_a_time = ROLES_SETUP.lock().await;
    let mut attempt = 0;
    while let Err(e) = test_db.admin.batch_execute(ROLES_SQL).await {
        use tokio_postgres::error::SqlState;
        attempt += 1;
        let collided = [
            SqlState::INTERNAL_ERROR,
            SqlState::T_R_SERIALIZATION_FAILURE,
            SqlState::T_R_DEADLOCK_DETECTED,
        ]
        .iter()
        .any(|state| e.code() == Some(state));
        assert!(collided && attempt < 20, "postgres-roles.sql runs: {e:?}");
        tokio::time::sleep(std::time::Duration::from_millis(50 * attempt)).await;
    }
    drop(one_at_a_time);
    let options = PgOptions {
        reader_url: Some(test_db.url_as("mcp_reader")),
        schema: "shop".to_owned(),
        ..PgOptions::new(test_db.url_as("mcp_writer"))
    };
    let db = Database::connect_postgres(options, Limits::default())
        .await
        .expect("connect with the two roles");
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start_on(dir.path(), db).await;
    Some((server, test_db, dir))
}

#[tokio::test]
async fn reads_answer_exactly_as_on_sqlite() {
    let Some((pg, test_db, _dir)) = start("pg_tools::reads_answer_like_sqlite").await else {
        return;
    };
    let sqlite_dir = tempfile::tempdir().expect("temp dir");
    let sqlite = TestServer::start(sqlite_dir.path()).await;
    assert_eq!(tools(&pg).await, tools(&sqlite).await);
    let reads = [
        ("list_tables", json!({}), json!({})),
        (
            "query",
            json!({"sql": "SELECT * FROM order_totals ORDER BY order_id"}),
            json!({"sql": "SELECT * FROM order_totals ORDER BY order_id"}),
        ),
        (
            "query",
            json!({"sql": "SELECT c.name, count(*) AS orders FROM customers c JOIN orders o \
                   ON o.customer_id = c.id WHERE o.status = ? GROUP BY c.name ORDER BY c.name",
                   "params": ["delivered"]}),
            json!({"sql": "SELECT c.name, count(*) AS orders FROM customers c JOIN orders o \
                   ON o.customer_id = c.id WHERE o.status = $1 GROUP BY c.name ORDER BY c.name",
                   "params": ["delivered"]}),
        ),
        (
            "query",
            json!({"sql": "SELECT id, name FROM products ORDER BY id", "max_rows": 3}),
            json!({"sql": "SELECT id, name FROM products ORDER BY id", "max_rows": 3}),
        ),
    ];
    let token = |server: &TestServer| server.token(&["db:query"]);
    for (tool, on_sqlite, on_pg) in reads {
        let expected = sqlite.call(&token(&sqlite), tool, on_sqlite).await;
        let got = pg.call(&token(&pg), tool, on_pg).await;
        assert_eq!(got.structured(), expected.structured(), "{tool}");
    }
    let orders = pg
        .call(&token(&pg), "describe_table", json!({"table": "orders"}))
        .await;
    let orders = orders.structured();
    assert_eq!(orders["row_count"], 30);
    assert_eq!(orders["columns"][0]["type"], "bigint");
    assert_eq!(orders["columns"][0]["primary_key"], 1);
    assert_eq!(orders["foreign_keys"][0]["references_table"], "customers");
    assert_eq!(orders["foreign_keys"][0]["columns"], json!(["customer_id"]));
    assert!(
        orders["sql"]
            .as_str()
            .is_some_and(|sql| sql.starts_with("CREATE TABLE orders (")),
        "{orders}"
    );
    let view = pg
        .call(
            &token(&pg),
            "describe_table",
            json!({"table": "order_totals"}),
        )
        .await;
    assert_eq!(view.structured()["kind"], "view");
    let missing = pg
        .call(&token(&pg), "describe_table", json!({"table": "nope"}))
        .await;
    assert_eq!(missing.tool_error(), "no such table: nope");
    // The resource and the prompt read the same catalog; the prompt does not ask for SQLite's
    // EXPLAIN QUERY PLAN, which PostgreSQL has not.
    let schema = pg
        .rpc(
            Some(&token(&pg)),
            "resources/read",
            json!({"uri": "db://schema"}),
        )
        .await;
    let text = schema.result()["contents"][0]["text"]
        .as_str()
        .unwrap_or_default();
    let listed: Value = serde_json::from_str(text).expect("db://schema is JSON");
    assert_eq!(listed["tables"].as_array().map(Vec::len), Some(5));
    let prompt = pg
        .rpc(
            Some(&token(&pg)),
            "prompts/get",
            json!({"name": "explain_query_plan", "arguments": {"sql": "SELECT * FROM orders"}}),
        )
        .await;
    let ask = prompt.result()["messages"][1]["content"]["text"]
        .as_str()
        .unwrap_or_default();
    assert!(
        ask.contains("PostgreSQL") && !ask.contains("EXPLAIN QUERY PLAN"),
        "{ask}"
    );
    // The reads ran as the reader role.
    let who = pg
        .call(
            &token(&pg),
            "query",
            json!({"sql": "SELECT current_user::text AS who"}),
        )
        .await;
    assert_eq!(who.structured()["rows"], json!([["mcp_reader"]]));
    sqlite.stop().await;
    pg.stop().await;
    test_db.drop_database().await;
}

/// `db://settings` (db:admin) reads the server's version and the database's size as the reader
/// role, and names no host, database or role.
#[tokio::test]
async fn the_settings_resource_reads_as_the_reader_and_names_no_host_or_role() {
    let Some((pg, test_db, _dir)) = start("pg_tools::settings").await else {
        return;
    };
    let settings = pg
        .rpc(
            Some(&pg.token(&["db:admin"])),
            "resources/read",
            json!({"uri": "db://settings"}),
        )
        .await;
    let text = settings.result()["contents"][0]["text"]
        .as_str()
        .unwrap_or_default();
    let read: Value = serde_json::from_str(text).expect("db://settings is JSON");
    assert_eq!(read["engine"], "postgresql", "{read}");
    assert_eq!(read["schema"], "shop", "{read}");
    assert!(
        read["size_bytes"].as_i64().unwrap_or_default() > 0,
        "{read}"
    );
    assert!(read.get("journal_mode").is_none(), "{read}");
    assert!(
        !text.contains("mcp_reader") && !text.contains("127.0.0.1"),
        "{text}"
    );
    pg.stop().await;
    test_db.drop_database().await;
}

/// Calls `tool` with `token`.
async fn call(server: &TestServer, token: &str, tool: &str, args: Value) -> support::Reply {
    server.call(token, tool, args).await
}

/// What `tools/list` says to a token with every scope.
async fn tools(server: &TestServer) -> Value {
    let token = server.token(&["db:admin"]);
    let reply = server.rpc(Some(&token), "tools/list", json!({})).await;
    reply.result()["tools"].clone()
}

#[tokio::test]
async fn row_changes_work_and_say_why_when_refused() {
    let Some((server, test_db, _dir)) = start("pg_tools::row_changes").await else {
        return;
    };
    let modify = server.token(&["db:modify"]);

    let inserted = call(
        &server,
        &modify,
        "execute",
        json!({"sql": "INSERT INTO products (name, category, price_cents, stock) \
               VALUES ($1, $2, $3, $4) RETURNING id, name",
               "params": ["Trackball", "peripherals", 5900, 10]}),
    )
    .await;
    assert_eq!(
        inserted.structured(),
        &json!({"rows_affected": 1, "returning_columns": ["id", "name"],
                "returning_rows": [[13, "Trackball"]]})
    );
    let updated = call(
        &server,
        &modify,
        "execute",
        json!({"sql": "UPDATE products SET stock = stock - 1 WHERE category = $1",
               "params": ["accessories"]}),
    )
    .await;
    assert_eq!(updated.structured()["rows_affected"], 3);
    // A constraint failure changes nothing and says which constraint.
    let orphan = call(&server, &modify,
        "execute",
        json!({"sql": "INSERT INTO orders (customer_id, ordered_at, status) VALUES (999, 'x', 'pending')"}),
    )
    .await;
    let message = orphan.tool_error();
    assert!(
        message.starts_with("PostgreSQL error:") && message.contains("foreign key"),
        "{message}"
    );
    for (sql, says) in [
        ("SELECT * FROM products", "only reads"),
        ("DROP TABLE order_items", "cannot plan"),
        ("CREATE TABLE x (id int)", "cannot plan"),
        // postgres-roles.sql took this function from the writer too: PostgreSQL refuses first.
        (
            "SELECT pg_advisory_lock(1)",
            "permission denied for function pg_advisory_lock",
        ),
        ("SELECT pg_sleep(0)", "only reads"),
        (
            "INSERT INTO products (name, category, price_cents) VALUES (pg_advisory_lock(1)::text, 'a', 1)",
            "pg_advisory_lock",
        ),
    ] {
        let reply = call(&server, &modify, "execute", json!({"sql": sql})).await;
        assert!(
            reply.tool_error().contains(says),
            "{sql}: {}",
            reply.tool_error()
        );
    }
    server.stop().await;
    test_db.drop_database().await;
}

#[tokio::test]
async fn schema_changes_work_and_say_why_when_refused() {
    let Some((server, test_db, _dir)) = start("pg_tools::schema_changes").await else {
        return;
    };
    let modify = server.token(&["db:modify"]);
    let admin = server.token(&["db:admin"]);
    let created = call(&server, &admin,
        "create_table",
        json!({"sql": "CREATE TABLE reviews (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, \
               product_id bigint NOT NULL REFERENCES products(id), stars int CHECK (stars BETWEEN 1 AND 5))"}),
    )
    .await;
    assert_eq!(
        created.structured(),
        &json!({"action": "created table", "name": "reviews"})
    );
    // The reader may read the new table (default privileges), and the writer fill it.
    call(
        &server,
        &modify,
        "execute",
        json!({"sql": "INSERT INTO reviews (product_id, stars) VALUES (1, 5)"}),
    )
    .await
    .structured();
    let read = call(
        &server,
        &admin,
        "query",
        json!({"sql": "SELECT stars FROM reviews"}),
    )
    .await;
    assert_eq!(read.structured()["rows"], json!([[5]]));
    let index = call(
        &server,
        &admin,
        "create_index",
        json!({"sql": "CREATE INDEX reviews_by_product ON reviews(product_id)"}),
    )
    .await;
    assert_eq!(index.structured()["name"], "reviews_by_product");
    let dropped = call(
        &server,
        &admin,
        "drop_index",
        json!({"index": "reviews_by_product"}),
    )
    .await;
    assert_eq!(dropped.structured()["action"], "dropped index");
    let owned = call(
        &server,
        &admin,
        "drop_index",
        json!({"index": "products_pkey"}),
    )
    .await;
    assert!(
        owned
            .tool_error()
            .starts_with("cannot drop index `products_pkey`"),
        "{}",
        owned.tool_error()
    );
    let referenced = call(&server, &admin, "drop_table", json!({"table": "products"})).await;
    let message = referenced.tool_error();
    assert!(
        message.contains("cannot drop table `products`") && message.contains("reviews"),
        "{message}"
    );
    let gone = call(&server, &admin, "drop_table", json!({"table": "reviews"})).await;
    assert_eq!(gone.structured()["action"], "dropped table");
    let again = call(&server, &admin, "drop_table", json!({"table": "reviews"})).await;
    assert_eq!(again.tool_error(), "no such table: reviews");
    let quiet = call(
        &server,
        &admin,
        "drop_table",
        json!({"table": "reviews", "if_exists": true}),
    )
    .await;
    assert_eq!(quiet.structured()["action"], "nothing to drop");
    server.stop().await;
    test_db.drop_database().await;
}

#[tokio::test]
async fn other_statements_are_refused_by_the_create_tools() {
    let Some((server, test_db, _dir)) = start("pg_tools::other_statements").await else {
        return;
    };
    let admin = server.token(&["db:admin"]);
    for (tool, sql, says) in [
        (
            "create_table",
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
            "CREATE TABLE",
        ),
        (
            "create_table",
            "CREATE TEMP TABLE t (x int)",
            "CREATE TABLE",
        ),
        (
            "create_table",
            "CREATE TABLE public.elsewhere (x int)",
            "permission denied",
        ),
        ("create_index", "CREATE TABLE t (x int)", "CREATE INDEX"),
        (
            "create_table",
            "CREATE TABLE a (x int); DROP TABLE orders",
            "exactly one",
        ),
    ] {
        let reply = call(&server, &admin, tool, json!({"sql": sql})).await;
        assert!(
            reply.tool_error().contains(says),
            "{sql}: {}",
            reply.tool_error()
        );
    }
    let tables = call(&server, &admin, "list_tables", json!({})).await;
    assert_eq!(
        tables.structured()["tables"].as_array().map(Vec::len),
        Some(5)
    );
    server.stop().await;
    test_db.drop_database().await;
}

#[tokio::test]
async fn the_reader_role_cannot_write_even_on_its_own() {
    let Some((server, test_db, _dir)) = start("pg_tools::reader_role").await else {
        return;
    };
    // Straight to PostgreSQL as the reader, without the server's checks.
    let (reader, connection) =
        tokio_postgres::connect(&test_db.url_as("mcp_reader"), tokio_postgres::NoTls)
            .await
            .expect("connect as the reader");
    tokio::spawn(connection);
    for sql in [
        "INSERT INTO shop.products (name, category, price_cents) VALUES ('a', 'b', 1)",
        "BEGIN READ WRITE; DELETE FROM shop.order_items; COMMIT",
        "CREATE TABLE shop.x (id int)",
        "CREATE TEMP TABLE x (id int)",
        "SELECT pg_advisory_lock(1)",
    ] {
        let error = reader.batch_execute(sql).await.expect_err(sql);
        let _ = reader.batch_execute("ROLLBACK").await;
        let code = error.code().map(|c| c.code().to_owned());
        assert!(
            matches!(code.as_deref(), Some("42501" | "25006")),
            "{sql}: {error:?}"
        );
    }
    let rows: i64 = reader
        .query_one("SELECT count(*) FROM shop.order_items", &[])
        .await
        .expect("the reader reads")
        .get(0);
    assert_eq!(rows, 78);
    drop(reader);
    server.stop().await;
    test_db.drop_database().await;
}

#[tokio::test]
async fn tls_to_the_database_trusts_the_given_authority_only() {
    let Some(test_db) =
        pg_support::fresh_database_on("MCP_TEST_DATABASE_TLS_URL", "pg_tools::tls").await
    else {
        return;
    };
    let Some(ca_file) = pg_support::configured("MCP_TEST_DATABASE_CA_FILE", "pg_tools::tls") else {
        return;
    };
    let url = format!("{}?sslmode=require", test_db.url);
    let options = PgOptions {
        ca_file: Some(ca_file.into()),
        ..PgOptions::new(&url)
    };
    let db = Database::connect_postgres(options, Limits::default())
        .await
        .expect("TLS with the test CA");
    let out = db
        .query(
            "SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()".to_owned(),
            vec![],
            None,
        )
        .await
        .expect("query over TLS");
    assert_eq!(out.rows[0][0], json!(true), "{out:?}");
    assert!(
        out.rows[0][1]
            .as_str()
            .is_some_and(|v| v.starts_with("TLSv1.")),
        "{out:?}"
    );
    drop(db);
    // The system's authorities do not know the test CA: the handshake fails, and says so.
    let untrusted = Database::connect_postgres(PgOptions::new(&url), Limits::default())
        .await
        .expect_err("an unknown CA");
    let message = untrusted.to_string();
    assert!(
        message.contains("cannot connect to PostgreSQL")
            && message.contains("certificate")
            && message.contains("--database-ca-file"),
        "{message}"
    );
    assert!(
        !message.contains("mcp-test-only"),
        "the password leaked: {message}"
    );
    let missing = PgOptions {
        ca_file: Some("/nonexistent/ca.pem".into()),
        ..PgOptions::new(&url)
    };
    let missing = Database::connect_postgres(missing, Limits::default())
        .await
        .expect_err("a missing CA file");
    assert!(
        missing
            .to_string()
            .contains("--database-ca-file /nonexistent/ca.pem"),
        "{missing}"
    );
    test_db.drop_database().await;
}
