//! Generated tool handlers called directly with a `ToolCall`, as the server calls them: arguments
//! extracted in order, the user's function awaited, its return value turned into the result MCP
//! sends (or into the error that becomes JSON-RPC -32602 / -32603).

use mcp_scopes::auth::Principal;
use mcp_scopes::scope::ScopeSet;
use mcp_scopes::tool;
use mcp_scopes::tool::{
    Args, CallToolResult, Content, Notifier, State, StateMap, ToolCall, ToolCallError, ToolDef,
};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize, JsonSchema)]
struct Query {
    sql: String,
}

#[derive(Clone)]
struct Prefix(&'static str);

/// Echoes the query after the configured prefix.
#[tool(scope = "db:query")]
async fn run_query(Args(query): Args<Query>, State(prefix): State<Prefix>) -> String {
    format!("{}{}", prefix.0, query.sql)
}

/// Says who is calling.
#[tool(public)]
async fn who_am_i(principal: Principal, notifier: Notifier) -> String {
    notifier.progress(1.0, None, None);
    principal.subject.unwrap_or_default()
}

#[derive(Deserialize, JsonSchema)]
struct Paging {
    #[serde(default)]
    limit: Option<u32>,
}

/// Lists tables.
#[tool(public)]
async fn list_tables(Args(paging): Args<Paging>) -> Vec<Content> {
    let limit = paging.limit.unwrap_or(2);
    (0..limit).map(|i| Content::text(format!("t{i}"))).collect()
}

/// One tool per return type.
mod returns {
    use mcp_scopes::tool;
    use mcp_scopes::tool::{CallToolResult, Content, Structured};

    #[derive(serde::Serialize, schemars::JsonSchema)]
    pub(crate) struct Count {
        pub(crate) rows: u32,
    }

    /// Returns text.
    #[tool(public)]
    pub(crate) async fn text() -> String {
        String::from("text")
    }

    /// Returns static text.
    #[tool(public)]
    pub(crate) async fn static_text() -> &'static str {
        "static"
    }

    /// Returns nothing.
    #[tool(public)]
    pub(crate) async fn nothing() {}

    /// Returns one item.
    #[tool(public)]
    pub(crate) async fn one_item() -> Content {
        Content::image("aGk=", "image/png")
    }

    /// Returns a full result.
    #[tool(public)]
    pub(crate) async fn full() -> CallToolResult {
        CallToolResult::error("told you")
    }

    /// Returns structured content.
    #[tool(public)]
    pub(crate) async fn structured() -> Structured<Count> {
        Structured(Count { rows: 2 })
    }

    /// Works, with structured content.
    #[tool(public)]
    pub(crate) async fn working() -> Result<Structured<Count>, String> {
        Ok(Structured(Count { rows: 3 }))
    }

    /// Fails.
    #[tool(public)]
    pub(crate) async fn failing() -> Result<Structured<Count>, std::fmt::Error> {
        Err(std::fmt::Error)
    }
}

/// Tools named like things the generated code could use.
mod awkward_names {
    use mcp_scopes::tool;

    /// Named like a handler.
    #[tool(public)]
    pub(crate) async fn handler() -> &'static str {
        "the user's handler"
    }

    /// Named like a local of the generated code.
    #[tool(public)]
    pub(crate) async fn call() -> &'static str {
        "the user's call"
    }
}

fn principal(subject: &str) -> Principal {
    Principal {
        subject: Some(subject.to_owned()),
        client_id: Some("client".into()),
        issuer: "https://auth.example".into(),
        expires_at: 4_102_444_800,
        jti: None,
        scopes: ScopeSet::from_space_separated("db:query"),
        claims: serde_json::Map::new(),
    }
}

fn tool_call(tool: &ToolDef, arguments: Option<Value>, state: StateMap) -> ToolCall {
    ToolCall {
        name: tool.name.to_owned(),
        arguments: arguments.map(|v| match v {
            Value::Object(map) => map,
            other => panic!("arguments must be an object, not {other}"),
        }),
        principal: principal("alice"),
        state,
        notifier: Notifier::disconnected(),
    }
}

async fn call(tool: &ToolDef, arguments: Option<Value>) -> Result<Value, ToolCallError> {
    let call = tool_call(tool, arguments, StateMap::new().with(Prefix("> ")));
    let result: CallToolResult = (tool.handler)(call).await?;
    Ok(serde_json::to_value(result).unwrap())
}

fn text(text: &str) -> Value {
    json!({ "content": [{ "type": "text", "text": text }] })
}

fn row_count(rows: u32) -> Value {
    json!({
        "content": [{ "type": "text", "text": format!("{{\"rows\":{rows}}}") }],
        "structuredContent": { "rows": rows },
    })
}

#[tokio::test]
async fn arguments_are_extracted_from_the_call() {
    let out = call(run_query::TOOL, Some(json!({ "sql": "select 1" }))).await;
    assert_eq!(out.unwrap(), text("> select 1"));
    assert_eq!(call(who_am_i::TOOL, None).await.unwrap(), text("alice"));
}

#[tokio::test]
async fn missing_arguments_read_as_an_empty_object() {
    let out = call(list_tables::TOOL, None).await.unwrap();
    assert_eq!(
        out,
        json!({ "content": [{ "type": "text", "text": "t0" }, { "type": "text", "text": "t1" }] })
    );
    let one = call(list_tables::TOOL, Some(json!({ "limit": 1 })));
    assert_eq!(one.await.unwrap(), text("t0"));
}

#[tokio::test]
async fn bad_arguments_are_invalid_params_with_a_readable_message() {
    for (tool, bad, expected) in [
        (
            run_query::TOOL,
            json!({ "sql": 5 }),
            "invalid type: integer `5`, expected a string",
        ),
        (run_query::TOOL, json!({}), "missing field `sql`"),
        (
            list_tables::TOOL,
            json!({ "limit": "x" }),
            "invalid type: string \"x\"",
        ),
    ] {
        match call(tool, Some(bad.clone())).await {
            Err(ToolCallError::InvalidArguments(message)) => {
                assert!(message.contains(expected), "{bad}: {message}");
            }
            other => panic!("{bad}: expected invalid arguments, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn state_missing_at_call_time_is_an_internal_error() {
    let call = tool_call(
        run_query::TOOL,
        Some(json!({ "sql": "x" })),
        StateMap::new(),
    );
    match (run_query::TOOL.handler)(call).await {
        Err(ToolCallError::Internal(message)) => {
            assert!(
                message.starts_with("tool `run_query` needs state of type `"),
                "{message}"
            );
            assert!(message.contains("Prefix"), "{message}");
        }
        other => panic!("expected an internal error, got {other:?}"),
    }
}

#[tokio::test]
async fn every_return_type_becomes_the_result_mcp_expects() {
    assert_eq!(call(returns::text::TOOL, None).await.unwrap(), text("text"));
    assert_eq!(
        call(returns::static_text::TOOL, None).await.unwrap(),
        text("static")
    );
    assert_eq!(
        call(returns::nothing::TOOL, None).await.unwrap(),
        json!({ "content": [] })
    );
    assert_eq!(
        call(returns::one_item::TOOL, None).await.unwrap(),
        json!({ "content": [{ "type": "image", "data": "aGk=", "mimeType": "image/png" }] })
    );
    assert_eq!(
        call(returns::full::TOOL, None).await.unwrap(),
        json!({ "content": [{ "type": "text", "text": "told you" }], "isError": true })
    );
    assert_eq!(
        call(returns::structured::TOOL, None).await.unwrap(),
        row_count(2)
    );
    assert_eq!(
        call(returns::working::TOOL, None).await.unwrap(),
        row_count(3)
    );
    assert_eq!(
        call(returns::failing::TOOL, None).await.unwrap(),
        json!({
            "content": [{ "type": "text", "text": "an error occurred when formatting an argument" }],
            "isError": true,
        })
    );
}

#[tokio::test]
async fn generated_code_calls_the_users_function_whatever_its_name() {
    assert_eq!(
        call(awkward_names::handler::TOOL, None).await.unwrap(),
        text("the user's handler")
    );
    assert_eq!(
        call(awkward_names::call::TOOL, None).await.unwrap(),
        text("the user's call")
    );
}

#[tokio::test]
async fn a_tool_declared_in_a_block_works_like_any_other() {
    /// Declared inside a function.
    #[tool(public)]
    async fn local() -> &'static str {
        "local"
    }

    let registry = mcp_scopes::registry::Registry::from_tools(mcp_scopes::tools![local]).unwrap();
    assert_eq!(registry.tools()[0].name, "local");
    assert_eq!(call(local::TOOL, None).await.unwrap(), text("local"));
}
