//! How large a `query` answer may get: the 4 MiB budget counts what is sent (JSON, escapes
//! included) and what is held, and a large result is not copied a second time into the text
//! content.

mod support;

use serde_json::{Value, json};
use support::{Reply, with_fresh_server};

/// The documented bound on a whole `tools/call` answer of `query`: 4 MiB of result plus the
/// envelope and the one-line summary.
const MAX_ANSWER_BYTES: usize = 4 * 1024 * 1024 + 4 * 1024;

/// The bytes of the answer as sent.
fn answer_bytes(reply: &Reply) -> usize {
    let sent = serde_json::to_string(&reply.body).expect("json").len();
    if let Some(length) = reply.headers.get("content-length") {
        let length: usize = length.to_str().expect("ascii").parse().expect("number");
        assert_eq!(
            length, sent,
            "the body as parsed and re-serialized has the sent length"
        );
    }
    sent
}

/// The result's text content, read as JSON: it must be the structured content, copied.
fn text_copy(reply: &Reply) -> Value {
    let text = reply.result()["content"][0]["text"].as_str().expect("text");
    let copy: Value = serde_json::from_str(text).expect("the text is the JSON");
    assert_eq!(&copy, reply.structured());
    copy
}

#[tokio::test]
async fn rows_of_control_characters_stay_within_the_documented_size() {
    with_fresh_server(async |server| {
        let token = server.token(&["db:query"]);
        // 5000 rows of 1000 × char(1): 5 MB of text, 30 MB as JSON (`\u0001` each), 65 MB with the
        // text copy escaped once more.
        let reply = server
            .call(
                &token,
                "query",
                json!({
                    "sql": "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 5000) \
                            SELECT printf('%.*c', 1000, char(1)) AS s FROM n",
                    "max_rows": 5000
                }),
            )
            .await;
        let bytes = answer_bytes(&reply);
        assert!(bytes <= MAX_ANSWER_BYTES, "the answer is {bytes} bytes");
        let structured = reply.structured();
        let rows = structured["rows"].as_array().expect("rows");
        assert!(rows.len() > 500, "as many rows as fit: {}", rows.len());
        assert_eq!(structured["row_count"], json!(rows.len()));
        assert_eq!(structured["truncated"], json!(true));
        assert_eq!(rows[0][0], json!("\u{1}".repeat(1000)));
        let text = reply.result()["content"][0]["text"].as_str().expect("text");
        assert_eq!(
            text,
            format!(
                "{} row(s) of 1 column(s) (truncated: the query has more). The result is over 64 KiB \
                 of JSON, so it is only in structuredContent; to get it as text too, ask for fewer \
                 rows (max_rows, WHERE, LIMIT) or fewer columns.",
                rows.len()
            )
        );
    })
    .await;
}

#[tokio::test]
async fn one_value_larger_than_the_budget_as_json_is_refused() {
    with_fresh_server(async |server| {
        let token = server.token(&["db:query"]);
        // 3 MB of text, under the 4 MiB budget as text, 18 MB as JSON.
        let reply = server
            .call(
                &token,
                "query",
                json!({"sql": "SELECT printf('%.*c', 3000000, char(1)) AS s"}),
            )
            .await;
        let message = reply.tool_error();
        assert!(
            message.starts_with("the first row alone holds more"),
            "{message}"
        );
        assert!(answer_bytes(&reply) < 1024);
    })
    .await;
}

#[tokio::test]
async fn small_results_keep_their_text_copy() {
    with_fresh_server(async |server| {
        let token = server.token(&["db:modify"]);
        let reply = server
            .call(
                &token,
                "query",
                json!({"sql": "SELECT id, name FROM customers ORDER BY id LIMIT 2"}),
            )
            .await;
        let copy = text_copy(&reply);
        assert_eq!(copy["row_count"], json!(2));
        let reply = server
            .call(
                &token,
                "execute",
                json!({"sql": "UPDATE products SET stock = stock + 1 WHERE id = 1 RETURNING id, stock"}),
            )
            .await;
        let copy = text_copy(&reply);
        assert_eq!(copy["returning_rows"], json!([[1, 41]]));
    })
    .await;
}
