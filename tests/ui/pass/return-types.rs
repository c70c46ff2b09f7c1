//! Every return type a tool may have.
use mcp_scopes::tool;
use mcp_scopes::tool::{CallToolResult, Content, Structured};

#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct Count {
    pub rows: u32,
}

/// Returns text.
#[tool(public)]
async fn string() -> String {
    String::from("text")
}

/// Returns static text.
#[tool(public)]
async fn static_str() -> &'static str {
    "text"
}

/// Returns nothing.
#[tool(public)]
async fn unit() {}

/// Returns nothing, explicitly.
#[tool(public)]
async fn explicit_unit() -> () {}

/// Returns one content item.
#[tool(public)]
async fn content() -> Content {
    Content::text("text")
}

/// Returns content items.
#[tool(public)]
async fn contents() -> Vec<Content> {
    vec![Content::text("a"), Content::image("aGk=", "image/png")]
}

/// Returns a full result.
#[tool(public)]
async fn full() -> CallToolResult {
    CallToolResult::error("failed")
}

/// Returns structured content.
#[tool(public)]
async fn structured() -> Structured<Count> {
    Structured(Count { rows: 1 })
}

/// May fail.
#[tool(public)]
async fn fallible() -> Result<String, std::io::Error> {
    Ok(String::new())
}

/// May fail, with structured content.
#[tool(public)]
async fn fallible_structured() -> Result<Structured<Count>, String> {
    Err(String::from("no rows"))
}

/// May fail, with nothing to say when it works.
#[tool(public)]
async fn fallible_unit() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    Ok(())
}

fn main() {
    let tools = mcp_scopes::tools![
        string,
        static_str,
        unit,
        explicit_unit,
        content,
        contents,
        full,
        structured,
        fallible,
        fallible_structured,
        fallible_unit,
    ];
    let registry = mcp_scopes::registry::Registry::from_tools(tools).unwrap();
    assert_eq!(registry.tools().len(), 11);
}
