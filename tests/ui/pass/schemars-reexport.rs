//! A tool's argument and output types derive `JsonSchema` through the framework's own copy,
//! `mcp_scopes::schemars`, as the crate docs offer to a user who does not depend on `schemars` 1
//! themselves: no path here names the `schemars` crate directly.
use mcp_scopes::tool;
use mcp_scopes::tool::{Args, Structured};

/// Which table to count.
#[derive(serde::Deserialize, mcp_scopes::schemars::JsonSchema)]
#[schemars(crate = "mcp_scopes::schemars")]
pub struct Table {
    /// The table's name.
    pub name: String,
}

/// How many rows the table has.
#[derive(serde::Serialize, mcp_scopes::schemars::JsonSchema)]
#[schemars(crate = "mcp_scopes::schemars")]
pub struct Count {
    pub rows: u64,
}

/// Counts a table's rows.
#[tool(public)]
async fn count_rows(Args(table): Args<Table>) -> Structured<Count> {
    Structured(Count { rows: table.name.len() as u64 })
}

fn main() {
    let input = count_rows::TOOL.input_schema();
    assert_eq!(input["properties"]["name"]["type"], "string");
    assert_eq!(input["properties"]["name"]["description"], "The table's name.");
    let output = count_rows::TOOL.output_schema().unwrap();
    assert_eq!(output["properties"]["rows"]["type"], "integer");
}
