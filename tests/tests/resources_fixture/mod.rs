//! The resources, resource templates and prompts the `server_resources*` suites serve: a schema
//! resource, an administrators-only audit resource, a table template with a completer, a slow row
//! template, two gated prompts and a public one. Every handler counts its calls, so a test can
//! prove the gate answered before any of them ran.

#![allow(dead_code, unreachable_pub)]
// `#[resource]` and `#[prompt]` functions are async by contract, even those that never await.
#![allow(clippy::unused_async)]

use std::sync::atomic::Ordering;

use mcp_scopes::completion::Completing;
use mcp_scopes::prompt::PromptMessage;
use mcp_scopes::registry::Registry;
use mcp_scopes::tool::{Args, State};
use mcp_scopes::{prompt, prompts, resource, resources, tools};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::server_support::{Calls, DbAdmin, DbQuery, Reply, TestServer, server_of};

/// The schema, as SQL.
#[resource(uri = "db://schema", scope = DbQuery, mime_type = "application/sql")]
async fn schema(State(calls): State<Calls>) -> String {
    calls.0.fetch_add(1, Ordering::SeqCst);
    "CREATE TABLE users (id);".to_owned()
}

/// The audit log: administrators only.
#[resource(uri = "db://audit", scope = DbAdmin)]
async fn audit(State(calls): State<Calls>) -> &'static str {
    calls.0.fetch_add(1, Ordering::SeqCst);
    "nothing happened"
}

/// One table's rows.
#[resource(uri_template = "db://tables/{table}", scope = DbQuery, mime_type = "text/csv",
           complete(table = table_names))]
async fn table(table: String, State(calls): State<Calls>) -> Result<String, String> {
    calls.0.fetch_add(1, Ordering::SeqCst);
    if table == "users" {
        Ok("id\n1".to_owned())
    } else {
        Err(format!("no table `{table}`"))
    }
}

/// A row by number; row 0 takes half a second.
#[resource(uri_template = "db://rows/{id}", scope = DbQuery)]
async fn row(id: u32) -> String {
    if id == 0 {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    format!("row {id}")
}

async fn table_names(partial: Completing, State(calls): State<Calls>) -> Vec<&'static str> {
    calls.0.fetch_add(1, Ordering::SeqCst);
    let mut names = vec!["orders", "users"];
    names.retain(|n| n.starts_with(&partial.value));
    names
}

#[derive(Deserialize, JsonSchema)]
struct ExplainArgs {
    /// The query to explain.
    sql: String,
}

/// Explain a query's plan.
#[prompt(scope = DbQuery, complete(sql = sql_starts))]
async fn explain(Args(args): Args<ExplainArgs>, State(calls): State<Calls>) -> PromptMessage {
    calls.0.fetch_add(1, Ordering::SeqCst);
    PromptMessage::user(format!("Explain the plan of `{}`.", args.sql))
}

async fn sql_starts(partial: Completing) -> Vec<&'static str> {
    let mut starts = vec!["SELECT", "WITH"];
    starts.retain(|s| s.starts_with(&partial.value.to_uppercase()));
    starts
}

/// Plan a schema migration: administrators only.
#[prompt(scope = DbAdmin)]
async fn migrate(State(calls): State<Calls>) -> &'static str {
    calls.0.fetch_add(1, Ordering::SeqCst);
    "Plan a migration."
}

/// Say hello.
#[prompt(public)]
async fn hello() -> &'static str {
    "Hello."
}

pub fn registry() -> Registry {
    Registry::from_declarations(
        tools![],
        resources![schema, audit, table, row],
        prompts![explain, migrate, hello],
    )
    .expect("the resource registry is consistent")
}

pub fn resource_server() -> TestServer {
    server_of(registry(), |b| b)
}

pub const VERSIONS: [&str; 3] = ["2025-06-18", "2025-11-25", "2026-07-28"];

/// `method` under `version` (legacy: the header; 2026-07-28: `_meta` and mirrored headers).
pub async fn request(
    s: &TestServer,
    version: &str,
    scopes: &[&str],
    method: &str,
    params: Value,
) -> Reply {
    if version == "2026-07-28" {
        return s.modern(scopes, method, params).await;
    }
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
    s.post(scopes, &[("mcp-protocol-version", version)], &body)
        .await
}

pub fn names(reply: &Reply, field: &str, key: &str) -> Vec<String> {
    reply.json()["result"][field]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i[key].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
