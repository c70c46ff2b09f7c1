//! The tools over HTTP, as a client sees them: each with and without its scope, the scope
//! implications, bad arguments, and the tool results.

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{TestServer, dump, with_fresh_server};

/// One representative call per tool, with the scope it needs.
fn calls() -> Vec<(&'static str, &'static str, Value)> {
    vec![
        ("list_tables", "db:query", json!({})),
        ("describe_table", "db:query", json!({"table": "orders"})),
        (
            "query",
            "db:query",
            json!({"sql": "SELECT count(*) AS n FROM orders"}),
        ),
        (
            "execute",
            "db:modify",
            json!({"sql": "UPDATE products SET stock = stock + 1 WHERE id = ?", "params": [1]}),
        ),
        (
            "create_table",
            "db:admin",
            json!({"sql": "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"}),
        ),
        (
            "create_index",
            "db:admin",
            json!({"sql": "CREATE INDEX orders_by_status ON orders(status)"}),
        ),
        (
            "drop_index",
            "db:admin",
            json!({"index": "orders_by_customer"}),
        ),
        ("drop_table", "db:admin", json!({"table": "order_items"})),
    ]
}

#[tokio::test]
async fn every_tool_is_refused_without_its_scope_before_it_runs() {
    with_fresh_server(async |server| {
        let db_file = server.database_file();
        let before = dump(&db_file);
        for (tool, needed, args) in calls() {
            // A token with every scope except the one needed and those that imply it.
            let granted: &[&str] = match needed {
                "db:query" => &["openid", "profile"],
                "db:modify" => &["db:query"],
                _ => &["db:query", "db:modify"],
            };
            let reply = server.call(&server.token(granted), tool, args).await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{tool}: {reply:?}");
            let challenge = reply.challenge();
            assert!(
                challenge.contains("error=\"insufficient_scope\""),
                "{tool}: {challenge}"
            );
            assert!(
                challenge.contains(&format!("scope=\"{needed}")),
                "{tool} must name {needed}: {challenge}"
            );
            assert!(challenge.contains("resource_metadata=\""), "{challenge}");
        }
        assert_eq!(
            dump(&db_file),
            before,
            "a refused call changed the database"
        );
    })
    .await;
}

#[tokio::test]
async fn every_tool_works_with_its_scope() {
    with_fresh_server(async |server| {
        for (tool, needed, args) in calls() {
            let reply = server.call(&server.token(&[needed]), tool, args).await;
            let out = reply.structured();
            match tool {
                "list_tables" => assert_eq!(out["tables"].as_array().map(Vec::len), Some(5)),
                "describe_table" => {
                    assert_eq!(out["foreign_keys"][0]["references_table"], "customers");
                    assert_eq!(out["row_count"], 30);
                }
                "query" => assert_eq!(out["rows"], json!([[30]])),
                "execute" => assert_eq!(out["rows_affected"], 1),
                "create_table" | "create_index" => {
                    assert!(
                        out["action"]
                            .as_str()
                            .is_some_and(|a| a.starts_with("created"))
                    );
                }
                _ => assert!(
                    out["action"]
                        .as_str()
                        .is_some_and(|a| a.starts_with("dropped"))
                ),
            }
            // The same result as text, for clients that read only `content`.
            let text = reply.result()["content"][0]["text"].as_str().expect("text");
            assert_eq!(
                &serde_json::from_str::<Value>(text).expect("json text"),
                out
            );
        }
    })
    .await;
}

#[tokio::test]
async fn broader_scopes_imply_narrower_ones() {
    with_fresh_server(async |server| {
        let admin = server.token(&["db:admin"]);
        let modify = server.token(&["db:modify"]);
        for (token, tool, args) in [
            (&admin, "query", json!({"sql": "SELECT 1"})),
            (
                &admin,
                "execute",
                json!({"sql": "DELETE FROM order_items WHERE order_id = 1"}),
            ),
            (&modify, "query", json!({"sql": "SELECT 1"})),
            (&modify, "list_tables", json!({})),
        ] {
            server.call(token, tool, args).await.structured();
        }
        let reply = server
            .call(
                &modify,
                "create_table",
                json!({"sql": "CREATE TABLE t (x)"}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        assert!(
            reply.challenge().contains("scope=\"db:admin"),
            "{}",
            reply.challenge()
        );
    })
    .await;
}

#[tokio::test]
async fn no_token_gets_401_with_the_baseline_scope_and_metadata() {
    with_fresh_server(async |server| {
        let reply = server.rpc(None, "tools/list", json!({})).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        let challenge = reply.challenge();
        assert!(challenge.contains("scope=\"db:query\""), "{challenge}");
        let metadata_url = format!(
            "{}/.well-known/oauth-protected-resource/mcp",
            server.resource.trim_end_matches("/mcp")
        );
        assert!(challenge.contains(&metadata_url), "{challenge}");
        let metadata: Value = reqwest::get(&metadata_url)
            .await
            .expect("metadata")
            .json()
            .await
            .expect("json");
        assert_eq!(metadata["resource"], server.resource);
        assert_eq!(
            metadata["scopes_supported"],
            json!(["db:admin", "db:modify", "db:query"])
        );
    })
    .await;
}

#[tokio::test]
async fn tools_list_describes_inputs_outputs_and_annotations() {
    with_fresh_server(async |server| {
        let reply = server
            .rpc(Some(&server.token(&["db:query"])), "tools/list", json!({}))
            .await;
        let tools = reply.result()["tools"].as_array().expect("tools").clone();
        let names: Vec<&str> = tools.iter().filter_map(|t| t["name"].as_str()).collect();
        assert_eq!(
            names,
            [
                "create_index",
                "create_table",
                "describe_table",
                "drop_index",
                "drop_table",
                "execute",
                "list_tables",
                "query"
            ]
        );
        let tool = |name: &str| {
            tools
                .iter()
                .find(|t| t["name"] == name)
                .cloned()
                .expect("listed")
        };
        let query = tool("query");
        assert_eq!(query["annotations"]["readOnlyHint"], true);
        assert_eq!(query["inputSchema"]["required"], json!(["sql"]));
        assert!(query["inputSchema"]["properties"]["params"].is_object());
        assert!(query["outputSchema"]["properties"]["truncated"].is_object());
        assert!(
            query["description"]
                .as_str()
                .is_some_and(|d| d.contains("read-only")),
            "{query}"
        );
        assert_eq!(tool("drop_table")["annotations"]["destructiveHint"], true);
        assert_eq!(tool("drop_index")["annotations"]["destructiveHint"], true);
        assert_ne!(tool("create_table")["annotations"]["destructiveHint"], true);
    })
    .await;
}

#[tokio::test]
async fn bad_arguments_are_reported_not_run() {
    with_fresh_server(async |server| {
        let token = server.token(&["db:admin"]);
        // Arguments that do not fit the input schema: JSON-RPC invalid params.
        for (tool, args) in [
            ("query", json!({})),
            ("query", json!({"sql": 42})),
            ("query", json!({"sql": "SELECT 1", "parameters": [1]})),
            ("query", json!({"sql": "SELECT 1", "max_rows": -1})),
            ("describe_table", json!({"name": "orders"})),
            ("drop_table", json!({"table": "x", "if_exists": "yes"})),
        ] {
            let reply = server.call(&token, tool, args.clone()).await;
            assert_eq!(
                reply.body["error"]["code"], -32602,
                "{tool} {args}: {reply:?}"
            );
        }
        // Arguments that fit but that the database refuses: a tool error the model can read.
        for (tool, args, says) in [
            ("query", json!({"sql": "SELEC 1"}), "syntax error"),
            (
                "query",
                json!({"sql": "SELECT ?", "params": []}),
                "1 parameter",
            ),
            (
                "query",
                json!({"sql": "SELECT ?", "params": [[1]]}),
                "parameter 1",
            ),
            (
                "query",
                json!({"sql": "SELECT * FROM nowhere"}),
                "no such table",
            ),
            (
                "describe_table",
                json!({"table": "nowhere"}),
                "no such table: nowhere",
            ),
            ("execute", json!({"sql": "SELECT 1"}), "only reads"),
            ("execute", json!({"sql": "DROP TABLE orders"}), "DROP TABLE"),
            (
                "create_table",
                json!({"sql": "DROP TABLE orders"}),
                "create_table",
            ),
            ("drop_index", json!({"index": "nowhere"}), "no such index"),
        ] {
            let text = server.call(&token, tool, args.clone()).await.tool_error();
            assert!(text.contains(says), "{tool} {args}: {text}");
        }
    })
    .await;
}

#[tokio::test]
async fn writes_through_the_query_tool_are_refused_and_change_nothing() {
    with_fresh_server(async |server| {
        // Even a token that may write elsewhere cannot write through `query`.
        let token = server.token(&["db:admin"]);
        let db_file = server.database_file();
        let outside = tempfile::tempdir().expect("temp dir");
        let before = dump(&db_file);
        let attempts = [
            "INSERT INTO customers (name, email, country, created_at) VALUES ('x', 'x@x', 'X', '2025-01-01')".to_owned(),
            "UPDATE products SET price_cents = 0".to_owned(),
            "DELETE FROM order_items".to_owned(),
            "SELECT 1; DELETE FROM order_items".to_owned(),
            "WITH x AS (SELECT id FROM orders) DELETE FROM orders WHERE id IN (SELECT id FROM x)".to_owned(),
            "INSERT INTO orders SELECT id + 100, customer_id, ordered_at, status FROM orders RETURNING id".to_owned(),
            "REPLACE INTO products (id, name, category, price_cents, stock) VALUES (1, 'x', 'x', 1, 1)".to_owned(),
            format!("ATTACH DATABASE '{}' AS evil", outside.path().join("evil.db").display()),
            "PRAGMA user_version = 7".to_owned(),
            "PRAGMA journal_mode = DELETE".to_owned(),
            "PRAGMA query_only = 0".to_owned(),
            "VACUUM".to_owned(),
            format!("VACUUM INTO '{}'", outside.path().join("copy.db").display()),
            "SELECT load_extension('/tmp/evil.so')".to_owned(),
            "CREATE TEMP TABLE t AS SELECT 1".to_owned(),
            "CREATE TABLE t (x)".to_owned(),
            "DROP TABLE order_items".to_owned(),
            "ALTER TABLE customers ADD COLUMN x".to_owned(),
            "CREATE TRIGGER tr AFTER INSERT ON orders BEGIN DELETE FROM customers; END".to_owned(),
            "BEGIN; DELETE FROM orders; COMMIT".to_owned(),
            "SAVEPOINT a".to_owned(),
            "REINDEX".to_owned(),
        ];
        assert!(attempts.len() >= 20);
        for sql in &attempts {
            let text = server
                .call(&token, "query", json!({"sql": sql}))
                .await
                .tool_error();
            assert!(!text.is_empty(), "{sql}");
        }
        assert_eq!(dump(&db_file), before);
        assert!(support::files(outside.path()).is_empty());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn readers_are_served_while_a_writer_runs() {
    // The slow write takes a few seconds, more on a loaded machine: a time limit far above it
    // keeps it from being stopped, so it is still running when the readers are answered.
    let dir = tempfile::tempdir().expect("temp dir");
    let limits = db_server::db::Limits {
        time_limit: Duration::from_mins(1),
        ..db_server::db::Limits::default()
    };
    let server = &TestServer::start_with_limits(dir.path(), limits).await;
    {
        let written = AtomicBool::new(false);
        let writer = async {
            let sql = "INSERT INTO customers (name, email, country, created_at) \
                SELECT 'bulk ' || x, 'bulk' || x || '@example.com', 'XX', '2025-01-01' FROM \
                (WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 500000) SELECT x FROM n)";
            let reply = server
                .call(
                    &server.token(&["db:modify"]),
                    "execute",
                    json!({"sql": sql}),
                )
                .await;
            written.store(true, Ordering::SeqCst);
            reply
        };
        let readers = async {
            let wal = server
                .data_dir
                .join(format!("{}-wal", db_server::DATABASE_FILE));
            let wal_size = || std::fs::metadata(&wal).map_or(0, |m| m.len());
            let start = Instant::now();
            while wal_size() < 2_000_000 {
                assert!(start.elapsed().as_secs() < 60, "the writer never started");
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            // Another caller than the writer's, with as many reads as one caller may run at once
            // (more would get 429).
            let token = server.token_of("a-reader", &["db:query"]);
            let reads = (0..limits.max_calls_per_caller()).map(|_| {
                server.call(
                    &token,
                    "query",
                    json!({"sql": "SELECT count(*) FROM customers"}),
                )
            });
            for reply in futures_util::future::join_all(reads).await {
                assert_eq!(reply.structured()["rows"], json!([[12]]));
            }
            assert!(
                !written.load(Ordering::SeqCst),
                "the reads waited for the writer"
            );
        };
        let (reply, ()) = tokio::join!(writer, readers);
        assert_eq!(
            reply.structured()["rows_affected"],
            500_000,
            "{:?}",
            reply.body
        );
    }
}

#[tokio::test]
async fn a_restart_keeps_the_data() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    server
        .call(
            &server.token(&["db:modify"]),
            "execute",
            json!({"sql": "INSERT INTO products (name, category, price_cents, stock) VALUES (?, ?, ?, ?)",
                   "params": ["Trackball", "peripherals", 5900, 3]}),
        )
        .await
        .structured();
    server.stop().await;
    let again = TestServer::start(dir.path()).await;
    let reply = again
        .call(
            &again.token(&["db:query"]),
            "query",
            json!({"sql": "SELECT name, stock FROM products WHERE name = ?", "params": ["Trackball"]}),
        )
        .await;
    assert_eq!(reply.structured()["rows"], json!([["Trackball", 3]]));
    again.stop().await;
}
