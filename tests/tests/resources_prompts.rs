//! Resources, resource templates, prompts and their completers, declared with `#[resource]` and
//! `#[prompt]`: the registry collects them (linkme and the explicit lists), finds a resource for
//! a URI, and their generated handlers run directly through the runtime types, as a server calls
//! them: variables parsed into the parameter types, extractors read, results shaped as MCP sends
//! them, and `Err` turned into the JSON-RPC error kind.

use mcp_scopes::auth::Principal;
use mcp_scopes::completion::{Completing, Completion, CompletionRef};
use mcp_scopes::handler::HandlerError;
use mcp_scopes::prompt::{PromptArgument, PromptMessage, Role};
use mcp_scopes::registry::Registry;
use mcp_scopes::resource::{Blob, ResourceMatch};
use mcp_scopes::scope::ScopeSet;
use mcp_scopes::tool::{Args, Content, Notifier, State, StateMap, ToolCall};
use mcp_scopes::{prompt, prompts, resource, resources, scope, tools};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

/// Read the database.
#[scope(name = "db:query")]
pub struct DbQuery;

/// The tables of a pretend database, as shared state.
#[derive(Clone)]
struct Tables(Vec<&'static str>);

/// The database schema, as `CREATE` statements.
#[resource(uri = "db://schema", scope = DbQuery, mime_type = "application/sql", title = "Schema")]
async fn schema(State(tables): State<Tables>) -> String {
    tables
        .0
        .iter()
        .map(|t| format!("CREATE TABLE {t} (id);"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// One table's rows, as CSV.
#[resource(
    uri_template = "db://tables/{table}",
    scope = DbQuery,
    mime_type = "text/csv",
    complete(table = table_names)
)]
async fn table(table: String, State(tables): State<Tables>) -> Result<String, String> {
    if tables.0.contains(&table.as_str()) {
        Ok(format!("id\n1\n# {table}"))
    } else {
        Err(format!("no table `{table}`"))
    }
}

async fn table_names(partial: Completing, State(tables): State<Tables>) -> Vec<String> {
    tables
        .0
        .iter()
        .filter(|t| t.starts_with(&partial.value))
        .map(|t| (*t).to_owned())
        .collect()
}

/// A note by number: the variable is parsed into the parameter's type.
#[resource(uri_template = "notes://{id}", public)]
async fn note(id: u32) -> &'static str {
    if id == 7 { "seven" } else { "other" }
}

/// The logo, as binary contents.
#[resource(uri = "files://logo.png", public, mime_type = "image/png")]
async fn logo() -> Blob {
    Blob(vec![0x89, b'P', b'N', b'G'])
}

/// Every table at once: a fixed URI that the `db://tables/{table}` template also matches.
#[resource(uri = "db://tables/all", scope = DbQuery)]
async fn all_tables(State(tables): State<Tables>) -> String {
    tables.0.join(",")
}

#[derive(Deserialize, JsonSchema)]
struct ExplainArgs {
    /// The query to explain.
    sql: String,
    /// How many plan steps to show.
    limit: Option<u32>,
}

/// Asks the model to explain a query's plan.
#[prompt(scope = DbQuery, title = "Explain a query", complete(sql = sql_snippets))]
async fn explain_query(
    Args(args): Args<ExplainArgs>,
    principal: Principal,
) -> Result<Vec<PromptMessage>, String> {
    if args.sql.trim().is_empty() {
        return Err("the query is empty".into());
    }
    Ok(vec![
        PromptMessage::user(format!(
            "{} asks: explain `{}` in at most {} steps",
            principal.subject.unwrap_or_default(),
            args.sql,
            args.limit.unwrap_or(3)
        )),
        PromptMessage::new(
            Role::User,
            Content::embedded_text("db://schema", "application/sql", "CREATE TABLE t (id);"),
        ),
    ])
}

async fn sql_snippets(partial: Completing) -> Vec<&'static str> {
    let mut values = vec!["SELECT", "SELECT *", "UPDATE"];
    values.retain(|v| v.starts_with(&partial.value));
    values
}

/// Greets whoever asks.
#[prompt(public, name = "greet")]
async fn greeting() -> &'static str {
    "Say hello."
}

fn principal() -> Principal {
    Principal {
        subject: Some("ada".into()),
        client_id: Some("client".into()),
        issuer: "https://auth.example".into(),
        expires_at: 4_102_444_800,
        jti: None,
        scopes: ScopeSet::from_space_separated("db:query"),
        claims: serde_json::Map::new(),
    }
}

fn call(name: &str) -> ToolCall {
    ToolCall {
        name: name.to_owned(),
        arguments: None,
        principal: principal(),
        state: StateMap::new().with(Tables(vec!["users", "orders"])),
        notifier: Notifier::disconnected(),
    }
}

fn registry() -> Registry {
    Registry::from_declarations(
        tools![],
        resources![schema, table, note, logo],
        prompts![explain_query, greeting],
    )
    .unwrap()
}

async fn read(registry: &Registry, uri: &str) -> Result<Value, HandlerError> {
    let found: ResourceMatch = registry
        .resolve_resource(uri)
        .expect("a resource for the URI");
    let name = found.def.name;
    let result = found.read(uri, call(name)).await?;
    Ok(serde_json::to_value(result).unwrap())
}

#[test]
fn the_registry_lists_fixed_resources_templates_and_prompts() {
    let registry = registry();
    let fixed: Vec<Value> = registry
        .resources()
        .iter()
        .map(|r| r.list_entry())
        .collect();
    assert_eq!(
        fixed,
        [
            json!({ "uri": "db://schema", "name": "schema", "title": "Schema",
                    "description": "The database schema, as `CREATE` statements.",
                    "mimeType": "application/sql" }),
            json!({ "uri": "files://logo.png", "name": "logo",
                    "description": "The logo, as binary contents.", "mimeType": "image/png" }),
        ]
    );
    let templates: Vec<&str> = registry.resource_templates().map(|r| r.name).collect();
    assert_eq!(templates, ["table", "note"]);
    assert_eq!(
        registry
            .resource_template("db://tables/{table}")
            .map(|r| r.name),
        Some("table")
    );
    assert_eq!(
        registry.resource_templates().next().unwrap().list_entry(),
        json!({ "uriTemplate": "db://tables/{table}", "name": "table",
                "description": "One table's rows, as CSV.", "mimeType": "text/csv" })
    );
    let names: Vec<&str> = registry.prompts().iter().map(|p| p.name).collect();
    assert_eq!(names, ["explain_query", "greet"]);
    assert_eq!(
        registry.scopes().iter().map(|s| s.name).collect::<Vec<_>>(),
        ["db:query"]
    );
    assert_eq!(registry.check_state(&call("x").state), Ok(()));
}

#[tokio::test]
async fn a_fixed_uri_wins_over_a_template_that_also_matches_it() {
    let registry =
        Registry::from_declarations(tools![], resources![table, all_tables], prompts![]).unwrap();
    let found = registry.resolve_resource("db://tables/all").unwrap();
    assert_eq!((found.def.name, found.variables.len()), ("all_tables", 0));
    assert_eq!(
        read(&registry, "db://tables/all").await.unwrap()["contents"][0]["text"],
        "users,orders"
    );
    let found = registry.resolve_resource("db://tables/users").unwrap();
    assert_eq!(found.def.name, "table");
    assert_eq!(found.variables["table"], "users");
}

#[test]
fn linked_declarations_are_collected_too() {
    let registry = Registry::collected().unwrap();
    assert_eq!(registry.resources().len(), 3);
    assert_eq!(registry.resource_templates().count(), 2);
    assert!(registry.prompt("explain_query").is_some());
    assert!(
        registry.prompt("greeting").is_none(),
        "named by `name = \"greet\"`"
    );
}

#[test]
fn the_scopes_of_a_resource_or_prompt_are_gated_like_a_tool_s() {
    let registry = registry();
    let table = registry.resolve_resource("db://tables/users").unwrap().def;
    let none = ScopeSet::new();
    assert_eq!(
        registry.missing_scopes_of(table.scopes, &none),
        ["db:query"]
    );
    assert!(
        registry
            .missing_scopes_of(table.scopes, &principal().scopes)
            .is_empty()
    );
    let greet = registry.prompt("greet").unwrap();
    assert!(registry.missing_scopes_of(greet.scopes, &none).is_empty());
}

#[tokio::test]
async fn reading_a_fixed_resource_runs_its_handler_with_state() {
    let registry = registry();
    assert_eq!(
        read(&registry, "db://schema").await.unwrap(),
        json!({ "contents": [{
            "uri": "db://schema", "mimeType": "application/sql",
            "text": "CREATE TABLE users (id);\nCREATE TABLE orders (id);"
        }] })
    );
    assert_eq!(
        read(&registry, "files://logo.png").await.unwrap(),
        json!({ "contents": [{ "uri": "files://logo.png", "mimeType": "image/png",
                               "blob": "iVBORw==" }] })
    );
}

#[tokio::test]
async fn a_template_gives_its_variables_to_the_parameters_of_their_names() {
    let registry = registry();
    assert_eq!(
        read(&registry, "db://tables/orders").await.unwrap(),
        json!({ "contents": [{ "uri": "db://tables/orders", "mimeType": "text/csv",
                               "text": "id\n1\n# orders" }] })
    );
    assert_eq!(
        read(&registry, "notes://7").await.unwrap()["contents"][0]["text"],
        "seven"
    );
    assert!(registry.resolve_resource("db://tables/a/b").is_none());
    assert!(registry.resolve_resource("db://nothing").is_none());
}

#[tokio::test]
async fn a_variable_that_does_not_parse_and_an_err_are_errors_of_their_kind() {
    let registry = registry();
    let error = read(&registry, "notes://seven").await.unwrap_err();
    assert!(
        matches!(&error, HandlerError::InvalidArguments(m) if m.contains("`id` = `seven`")),
        "{error:?}"
    );
    assert_eq!(error.code(), -32602);
    let error = read(&registry, "db://tables/secrets").await.unwrap_err();
    assert_eq!(error, HandlerError::Failed("no table `secrets`".into()));
    assert_eq!(error.code(), -32603);
}

#[tokio::test]
async fn a_resource_without_its_state_is_refused_at_build_and_at_read() {
    let registry = registry();
    let missing = registry.check_state(&StateMap::new()).unwrap_err();
    assert_eq!((missing.kind, missing.name), ("resource", "schema"));
    let found = registry.resolve_resource("db://schema").unwrap();
    let mut bare = call("schema");
    bare.state = StateMap::new();
    let error = found.read("db://schema", bare).await.unwrap_err();
    assert!(matches!(error, HandlerError::Internal(_)), "{error:?}");
}

#[test]
fn a_prompt_lists_its_arguments_from_the_schema_with_doc_comments() {
    let registry = registry();
    let explain = registry.prompt("explain_query").unwrap();
    assert_eq!(
        explain.arguments(),
        [
            PromptArgument {
                name: "limit".into(),
                description: Some("How many plan steps to show.".into()),
                required: false,
            },
            PromptArgument {
                name: "sql".into(),
                description: Some("The query to explain.".into()),
                required: true,
            },
        ]
    );
    assert_eq!(explain.list_entry()["title"], "Explain a query");
    assert_eq!(
        registry.prompt("greet").unwrap().list_entry(),
        json!({ "name": "greet", "description": "Greets whoever asks." })
    );
}

fn arguments(value: Value) -> Option<serde_json::Map<String, Value>> {
    match value {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

#[tokio::test]
async fn getting_a_prompt_reads_typed_arguments_and_returns_messages() {
    let registry = registry();
    let explain = registry.prompt("explain_query").unwrap();
    let given = arguments(json!({ "sql": "SELECT 1", "limit": "5" }));
    let result = explain.get(given, call("explain_query")).await.unwrap();
    assert_eq!(
        serde_json::to_value(result).unwrap(),
        json!({ "messages": [
            { "role": "user", "content": { "type": "text",
              "text": "ada asks: explain `SELECT 1` in at most 5 steps" } },
            { "role": "user", "content": { "type": "resource", "resource": {
              "uri": "db://schema", "mimeType": "application/sql",
              "text": "CREATE TABLE t (id);" } } },
        ] })
    );
    let greet = registry.prompt("greet").unwrap();
    let result = greet.get(None, call("greet")).await.unwrap();
    assert_eq!(result.messages, [PromptMessage::user("Say hello.")]);
}

#[tokio::test]
async fn bad_prompt_arguments_and_an_err_are_errors_of_their_kind() {
    let explain = registry().prompt("explain_query").unwrap();
    let missing = explain
        .get(arguments(json!({})), call("explain_query"))
        .await;
    assert!(
        matches!(&missing, Err(HandlerError::InvalidArguments(m)) if m.contains("sql")),
        "{missing:?}"
    );
    let not_string = explain
        .get(arguments(json!({ "sql": 1 })), call("explain_query"))
        .await;
    assert_eq!(
        not_string,
        Err(HandlerError::InvalidArguments(
            "prompt argument `sql` must be a string".into()
        ))
    );
    let not_number = explain
        .get(
            arguments(json!({ "sql": "x", "limit": "many" })),
            call("explain_query"),
        )
        .await;
    assert!(
        matches!(not_number, Err(HandlerError::InvalidArguments(_))),
        "{not_number:?}"
    );
    let empty = explain
        .get(arguments(json!({ "sql": " " })), call("explain_query"))
        .await;
    assert_eq!(
        empty,
        Err(HandlerError::Failed("the query is empty".into()))
    );
}

#[tokio::test]
async fn completers_are_declared_next_to_what_they_complete() {
    let registry = registry();
    let table = registry.resource_template("db://tables/{table}").unwrap();
    let completer = table.completion("table").expect("a completer for `table`");
    let completing = Completing {
        argument: "table".into(),
        value: "o".into(),
        ..Completing::default()
    };
    let result = completer.complete(completing, call("table")).await.unwrap();
    assert_eq!(result.completion.values, ["orders"]);
    assert!(table.completion("other").is_none());

    let explain = registry.prompt("explain_query").unwrap();
    let completing = Completing {
        argument: "sql".into(),
        value: "SEL".into(),
        ..Completing::default()
    };
    let result = explain
        .completion("sql")
        .unwrap()
        .complete(completing, call("explain_query"))
        .await
        .unwrap();
    assert_eq!(
        result.completion,
        Completion {
            values: vec!["SELECT".into(), "SELECT *".into()],
            total: None,
            has_more: false,
        }
    );
    assert!(
        registry
            .prompt("greet")
            .unwrap()
            .completion("sql")
            .is_none()
    );
}

#[test]
fn a_completion_reference_finds_its_gate_and_completer() {
    let registry = registry();
    assert!(registry.has_completions());
    let target = registry
        .completion_target(
            CompletionRef::ResourceTemplate("db://tables/{table}"),
            "table",
        )
        .unwrap();
    assert_eq!(target.scopes, ["db:query"]);
    assert_eq!(target.completer.map(|c| c.argument), Some("table"));
    let target = registry
        .completion_target(CompletionRef::Prompt("explain_query"), "limit")
        .unwrap();
    assert_eq!(target.scopes, ["db:query"]);
    assert!(
        target.completer.is_none(),
        "no completer is declared for `limit`"
    );
    assert!(
        registry
            .completion_target(CompletionRef::Prompt("nope"), "x")
            .is_none()
    );
    assert!(
        registry
            .completion_target(
                CompletionRef::ResourceTemplate("db://tables/users"),
                "table"
            )
            .is_none(),
        "a reference names a template as written, not a URI it matches"
    );
    let plain = Registry::from_declarations(tools![], resources![schema], prompts![greeting]);
    assert!(!plain.unwrap().has_completions());
}
