//! The registry seen from a user's crate: `#[scope]` and `#[tool]` declarations, collected and
//! explicit lists, the definitions and schemas they carry, implications, and the state check a
//! server build runs. Generated handlers are called in `handlers.rs`.
//!
//! Declarations that must fail the registry checks live in `registry_checks.rs`, a test binary of
//! their own, so `Registry::collected()` here sees only valid ones.

use mcp_scopes::auth::Principal;
use mcp_scopes::registry::{Registry, RegistryError};
use mcp_scopes::scope::{DeclaredScope, ScopeSet, validate_scope_name};
use mcp_scopes::tool::{Args, Content, Notifier, State, StateMap, Structured, ToolDef};
use mcp_scopes::{scope, tool, tools};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Read the database: list tables, describe them, run read-only queries.
#[scope(name = "db:query", display_name = "Query the database", baseline)]
pub struct DbQuery;

/// Insert, update and delete rows.
#[scope(name = "db:modify", display_name = "Change rows", implies = [DbQuery])]
pub struct DbModify;

/// Everything, including
/// schema changes.
#[scope(name = "db:admin", implies = ["db:modify"])]
pub struct DbAdmin;

#[derive(Deserialize, JsonSchema)]
struct Query {
    /// The SQL to run.
    sql: String,
}

#[derive(Clone)]
struct Prefix(&'static str);

const RUN_QUERY_LINE: u32 = line!() + 3;

/// Runs a read-only query.
#[tool(scope = DbQuery, title = "Run a query", read_only, open_world = false)]
async fn run_query(Args(query): Args<Query>, State(prefix): State<Prefix>) -> String {
    format!("{}{}", prefix.0, query.sql)
}

#[derive(Serialize, JsonSchema)]
struct Count {
    rows: u32,
}

/// Deletes the rows a filter matches,
/// in one transaction.
///
/// This cannot be undone:
/// - rows are gone
/// - so are their indexes
#[tool(scope = [DbModify, "db:query"], destructive)]
async fn delete_rows() -> Result<Structured<Count>, String> {
    Ok(Structured(Count { rows: 2 }))
}

/// Names the caller's organisation.
#[tool(public, name = "whoami", idempotent = true)]
async fn who_am_i(principal: Principal, _notifier: Notifier) -> String {
    principal.owner().unwrap_or("none").to_owned()
}

#[derive(Deserialize, JsonSchema)]
struct Paging {
    #[serde(default)]
    limit: Option<u32>,
}

/// Lists tables.
#[tool(scope = "db:query")]
async fn list_tables(Args(paging): Args<Paging>) -> Vec<Content> {
    let limit = paging.limit.unwrap_or(2);
    (0..limit).map(|i| Content::text(format!("t{i}"))).collect()
}

fn names(registry: &Registry) -> Vec<&'static str> {
    registry.tools().iter().map(|t| t.name).collect()
}

fn scope_names(registry: &Registry) -> Vec<&'static str> {
    registry.scopes().iter().map(|s| s.name).collect()
}

#[test]
fn the_one_line_registry_check_passes_for_consistent_tools() {
    Registry::assert_collected_is_valid();
}

#[test]
fn collected_holds_every_linked_tool_and_scope_sorted() {
    let registry = Registry::collected().unwrap();
    assert_eq!(
        names(&registry),
        ["delete_rows", "list_tables", "run_query", "whoami",]
    );
    assert_eq!(
        scope_names(&registry),
        ["db:admin", "db:modify", "db:query"]
    );
    assert_eq!(registry.baseline_scopes(), ["db:query"]);
}

#[test]
fn an_explicit_list_holds_its_tools_and_the_scopes_they_need_with_implications() {
    let registry = Registry::from_tools(tools![delete_rows, self::who_am_i]).unwrap();
    assert_eq!(names(&registry), ["delete_rows", "whoami"]);
    // `db:modify` implies `db:query`; no listed tool needs `db:admin`, but it implies `db:modify`,
    // so a `db:admin` token must still reach `delete_rows`.
    assert_eq!(
        scope_names(&registry),
        ["db:admin", "db:modify", "db:query"]
    );
    let admin_only = ScopeSet::from_space_separated("db:admin");
    assert!(
        registry
            .missing_scopes(delete_rows::TOOL, &admin_only)
            .is_empty()
    );

    let only_public = Registry::from_tools(tools![crate::who_am_i]).unwrap();
    assert_eq!(names(&only_public), ["whoami"]);
    assert!(only_public.scopes().is_empty());
    assert!(Registry::from_tools(tools![]).unwrap().tools().is_empty());
}

#[test]
fn tool_definitions_carry_what_the_declaration_says() {
    let def: &ToolDef = run_query::TOOL;
    assert_eq!(def.name, "run_query");
    assert_eq!(def.title, Some("Run a query"));
    assert_eq!(def.description, "Runs a read-only query.");
    assert_eq!(def.scopes, ["db:query"]);
    assert_eq!(def.annotations.read_only, Some(true));
    assert_eq!(def.annotations.open_world, Some(false));
    assert_eq!(def.annotations.destructive, None);
    assert_eq!(
        def.location,
        format!("tests/tests/registry.rs:{RUN_QUERY_LINE}")
    );
    let arg_types: Vec<_> = def.args.iter().map(|a| a.type_name).collect();
    assert_eq!(arg_types, ["Args<Query>", "State<Prefix>"]);

    let who = who_am_i::TOOL;
    assert_eq!((who.name, who.scopes.len()), ("whoami", 0));
    assert_eq!(who.annotations.idempotent, Some(true));
    assert_eq!(delete_rows::TOOL.scopes, ["db:modify", "db:query"]);
    // A doc comment reads as rustdoc renders it: wrapped lines join, paragraphs and lists stay.
    assert_eq!(
        delete_rows::TOOL.description,
        "Deletes the rows a filter matches, in one transaction.\n\nThis cannot be undone:\n\
         - rows are gone\n- so are their indexes"
    );
    assert_eq!(
        DbAdmin::DEF.description,
        "Everything, including schema changes."
    );
    assert_eq!(delete_rows::TOOL.annotations.destructive, Some(true));
}

#[test]
fn scope_definitions_carry_what_the_declaration_says() {
    assert_eq!(DbQuery::NAME, "db:query");
    let query = DbQuery::DEF;
    assert_eq!(query.display_name, "Query the database");
    assert_eq!(
        query.description,
        "Read the database: list tables, describe them, run read-only queries."
    );
    assert!(query.baseline);
    assert!(query.implies.is_empty());
    assert_eq!(DbModify::DEF.implies, ["db:query"]);
    assert!(!DbModify::DEF.baseline);
    // No `display_name`: the name stands in.
    assert_eq!(DbAdmin::DEF.display_name, "db:admin");
    assert!(
        DbAdmin::DEF
            .location
            .starts_with("tests/tests/registry.rs:")
    );
}

#[test]
fn input_schema_is_the_args_schema_or_an_empty_object() {
    let schema = run_query::TOOL.input_schema();
    assert_eq!(schema["type"], "object");
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(schema["properties"]["sql"]["type"], "string");
    assert_eq!(
        schema["properties"]["sql"]["description"],
        "The SQL to run."
    );
    assert_eq!(schema["required"], json!(["sql"]));

    assert_eq!(
        who_am_i::TOOL.input_schema(),
        json!({ "type": "object", "properties": {} })
    );
}

#[test]
fn output_schema_comes_from_structured_return_types_only() {
    let schema = delete_rows::TOOL.output_schema().unwrap();
    assert_eq!(schema["type"], "object");
    assert_eq!(schema["properties"]["rows"]["type"], "integer");
    assert_eq!(run_query::TOOL.output_schema(), None);
    assert_eq!(who_am_i::TOOL.output_schema(), None);
}

#[test]
fn a_scope_declared_twice_is_refused() {
    let err = Registry::from_parts(tools![], &[DbQuery::DEF, DbQuery::DEF]).unwrap_err();
    assert!(
        matches!(err, RegistryError::DuplicateScope { ref name, .. } if name == "db:query"),
        "{err:?}"
    );
}

#[test]
fn implications_are_transitive_and_undeclared_grants_count_only_for_themselves() {
    let registry = Registry::collected().unwrap();
    let admin = registry.effective_scopes(&ScopeSet::from_space_separated("db:admin openid"));
    assert_eq!(admin.to_string(), "db:admin db:modify db:query openid");
    let query = ScopeSet::from_space_separated("db:query");
    assert_eq!(
        registry.missing_scopes(delete_rows::TOOL, &query),
        ["db:modify"]
    );
    let modify = ScopeSet::from_space_separated("db:modify");
    assert!(
        registry
            .missing_scopes(delete_rows::TOOL, &modify)
            .is_empty()
    );
    assert!(
        registry
            .missing_scopes(who_am_i::TOOL, &ScopeSet::new())
            .is_empty()
    );
}

#[test]
fn missing_state_is_reported_naming_the_tool_and_the_type() {
    let registry = Registry::from_tools(tools![run_query, who_am_i]).unwrap();
    let err = registry.check_state(&StateMap::new()).unwrap_err();
    assert_eq!((err.kind, err.name), ("tool", "run_query"));
    let message = err.to_string();
    assert!(
        message.starts_with("tool `run_query` at tests/tests/registry.rs:"),
        "{message}"
    );
    assert!(message.contains("takes `State<Prefix>`"), "{message}");
    assert!(message.contains("registry::Prefix`"), "{message}");
    assert_eq!(
        registry.check_state(&StateMap::new().with(Prefix(""))),
        Ok(())
    );
}

/// The macro's scope grammar (the UI cases) and `validate_scope_name` agree: every name the UI
/// cases reject, the runtime rejects, and every name they accept, it accepts.
#[test]
fn the_macro_and_the_runtime_agree_on_scope_names() {
    let read = |path: &str| {
        let file = format!("{}/ui/{path}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&file).unwrap();
        let list = text
            .split("scope = [")
            .nth(1)
            .unwrap()
            .split("])]")
            .next()
            .unwrap();
        let names: Vec<String> = serde_json::from_str(&format!("[{list}]")).unwrap();
        assert!(names.len() > 5, "{file}");
        names
    };
    for name in read("fail/bad-scope-name.rs") {
        assert!(
            validate_scope_name(&name).is_err(),
            "runtime accepts {name:?}"
        );
    }
    for name in read("pass/scope-names.rs") {
        assert_eq!(
            validate_scope_name(&name),
            Ok(()),
            "runtime rejects {name:?}"
        );
    }
}
