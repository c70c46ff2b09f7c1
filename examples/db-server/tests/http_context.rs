//! The schema and table resources and the query-plan prompt over HTTP: what a client reads and
//! gets with `db:query`, the 403 step-up without it, and the errors for a missing table or an
//! empty query.

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::with_fresh_server;

fn text_of(contents: &Value) -> Value {
    serde_json::from_str(contents["text"].as_str().unwrap_or_default()).unwrap_or(Value::Null)
}

#[tokio::test]
async fn the_schema_and_a_table_are_resources_behind_db_query() {
    with_fresh_server(async |server| {
        let token = server.token(&["db:query"]);
        let list = server
            .rpc(Some(&token), "resources/templates/list", json!({}))
            .await;
        assert_eq!(
            list.result()["resourceTemplates"][0]["uriTemplate"],
            "db://tables/{table}"
        );
        let schema = server
            .rpc(
                Some(&token),
                "resources/read",
                json!({"uri": "db://schema"}),
            )
            .await;
        let contents = &schema.result()["contents"][0];
        assert_eq!(contents["mimeType"], "application/json");
        let tables = text_of(contents);
        let names: Vec<&str> = tables["tables"]
            .as_array()
            .map(|t| t.iter().filter_map(|t| t["name"].as_str()).collect())
            .unwrap_or_default();
        assert!(names.contains(&"orders"), "{names:?}");

        let orders = server
            .rpc(
                Some(&token),
                "resources/read",
                json!({"uri": "db://tables/orders"}),
            )
            .await;
        let description = text_of(&orders.result()["contents"][0]);
        assert_eq!(description["name"], "orders");
        assert!(
            description["sql"]
                .as_str()
                .unwrap_or_default()
                .contains("CREATE TABLE"),
            "{description}"
        );

        let missing = server
            .rpc(
                Some(&token),
                "resources/read",
                json!({"uri": "db://tables/nope"}),
            )
            .await;
        assert_eq!(missing.body["error"]["code"], -32603, "{missing:?}");
        assert!(
            missing.body["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .contains("nope"),
            "{missing:?}"
        );

        let completion = server
            .rpc(
                Some(&token),
                "completion/complete",
                json!({"ref": {"type": "ref/resource", "uri": "db://tables/{table}"},
                       "argument": {"name": "table", "value": "ord"}}),
            )
            .await;
        assert_eq!(
            completion.result()["completion"]["values"],
            json!(["order_items", "order_totals", "orders"])
        );

        let profile_only = server.token(&["openid", "profile"]);
        let refused = server
            .rpc(
                Some(&profile_only),
                "resources/read",
                json!({"uri": "db://schema"}),
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{refused:?}");
        assert!(
            refused.challenge().contains(r#"scope="db:query""#),
            "{}",
            refused.challenge()
        );
    })
    .await;
}

#[tokio::test]
async fn the_query_plan_prompt_attaches_the_schema_and_names_the_query() {
    with_fresh_server(async |server| {
        let token = server.token(&["db:query"]);
        let sql = "SELECT * FROM orders WHERE status = 'open'";
        let reply = server
            .rpc(
                Some(&token),
                "prompts/get",
                json!({"name": "explain_query_plan", "arguments": {"sql": sql}}),
            )
            .await;
        let messages = &reply.result()["messages"];
        assert_eq!(messages[0]["content"]["type"], "resource");
        assert_eq!(messages[0]["content"]["resource"]["uri"], "db://schema");
        let ask = messages[1]["content"]["text"].as_str().unwrap_or_default();
        assert!(ask.contains(&format!("EXPLAIN QUERY PLAN {sql}")), "{ask}");

        let empty = server
            .rpc(
                Some(&token),
                "prompts/get",
                json!({"name": "explain_query_plan", "arguments": {"sql": "  "}}),
            )
            .await;
        assert_eq!(empty.body["error"]["code"], -32603, "{empty:?}");

        let refused = server
            .rpc(
                Some(&server.token(&["openid"])),
                "prompts/get",
                json!({"name": "explain_query_plan", "arguments": {"sql": sql}}),
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn the_settings_resource_needs_db_admin_and_tells_how_the_database_is_stored() {
    with_fresh_server(async |server| {
        // db:modify implies db:query but not db:admin: the gate answers 403 naming db:admin, with
        // no JSON-RPC result (the handler's answer never reaches the client).
        for scopes in [&["db:query"][..], &["db:query", "db:modify"]] {
            let refused = server
                .rpc(
                    Some(&server.token(scopes)),
                    "resources/read",
                    json!({"uri": "db://settings"}),
                )
                .await;
            assert_eq!(
                refused.status,
                StatusCode::FORBIDDEN,
                "{scopes:?}: {refused:?}"
            );
            let challenge = refused.challenge();
            assert!(
                challenge.contains(r#"error="insufficient_scope""#)
                    && challenge.contains("db:admin")
                    && challenge.contains("resource_metadata="),
                "{challenge}"
            );
            assert!(refused.body.get("result").is_none(), "{refused:?}");
        }

        let read = server
            .rpc(
                Some(&server.token(&["db:admin"])),
                "resources/read",
                json!({"uri": "db://settings"}),
            )
            .await;
        assert_eq!(read.status, StatusCode::OK, "{read:?}");
        let contents = &read.result()["contents"][0];
        assert_eq!(contents["uri"], "db://settings");
        assert_eq!(contents["mimeType"], "application/json");
        let settings = text_of(contents);
        assert_eq!(settings["engine"], "sqlite", "{settings}");
        assert_eq!(settings["journal_mode"], "wal", "{settings}");
        assert_eq!(settings["encoding"], "UTF-8", "{settings}");
        let page_size = settings["page_size"].as_i64().unwrap_or_default();
        let page_count = settings["page_count"].as_i64().unwrap_or_default();
        assert!(page_size >= 512 && page_count > 0, "{settings}");
        assert_eq!(
            settings["size_bytes"].as_i64(),
            Some(page_size * page_count)
        );
        assert_eq!(settings["limits"]["max_rows"], 5000, "{settings}");
        assert_eq!(settings["limits"]["time_limit_ms"], 5000, "{settings}");
        // Nothing names where the database lives.
        let text = contents["text"].as_str().unwrap_or_default();
        let dir = server.data_dir.to_string_lossy();
        assert!(
            !text.contains(dir.as_ref()) && !text.contains(db_server::DATABASE_FILE),
            "{text}"
        );

        // Listed with the other resources.
        let listed = server
            .rpc(
                Some(&server.token(&["db:admin"])),
                "resources/list",
                json!({}),
            )
            .await;
        let uris: Vec<&str> = listed.result()["resources"]
            .as_array()
            .map(|r| r.iter().filter_map(|r| r["uri"].as_str()).collect())
            .unwrap_or_default();
        assert!(uris.contains(&"db://settings"), "{uris:?}");
    })
    .await;
}
