//! Per-caller listings under an entitlements rule, over HTTP with Casdoor-shaped tokens: with
//! filtering on, `tools/list`, `resources/list`, `resources/templates/list` and `prompts/list`
//! leave out what the rule denies the caller (a user without the role does not see the tools they
//! could never call), while a call of such an item is still the rule's 403; with filtering off,
//! lists show everything.

// `#[resource]` and `#[prompt]` functions are async by contract, even those that never await.
#![allow(clippy::unused_async)]

mod casdoor_support;
mod server_support;

use casdoor_support::tokens::{Format, claims};
use http::StatusCode;
use mcp_scopes::auth::{ScopeRoles, TokenClaims};
use mcp_scopes::registry::Registry;
use mcp_scopes::server::{McpServerBuilder, NOT_ENTITLED};
use mcp_scopes::{prompt, prompts, resource, resources, tools};
use serde_json::{Value, json};
use server_support::{DbAdmin, DbQuery, ISSUER, RESOURCE, TestServer, server_of, server_with};

/// A token of Casdoor's default `JWT` format granting `scope`; `roles` replaces the fixture user's
/// roles when given.
fn casdoor_token(s: &TestServer, scope: &str, roles: Option<Value>) -> String {
    let mut token = TokenClaims::new(ISSUER, RESOURCE).scopes(scope.split(' '));
    for (name, value) in claims(Format::Jwt, ISSUER, RESOURCE, scope) {
        token = token.claim(name, value);
    }
    if let Some(roles) = roles {
        token = token.claim("roles", roles);
    }
    s.signer.mint(&token).expect("minted")
}

/// The fixture user's role plus `dba`, as Casdoor writes roles.
fn with_dba() -> Value {
    json!([
        {"owner": "built-in", "name": "db-readers", "users": ["built-in/alice"], "isEnabled": true},
        {"owner": "built-in", "name": "dba", "users": ["built-in/alice"], "isEnabled": true},
    ])
}

fn admin_needs_dba(builder: McpServerBuilder) -> McpServerBuilder {
    builder.entitlements(ScopeRoles::new().require("db:admin", "dba"))
}

/// The names (or URIs) `method` lists under `field` for `token`.
async fn listed(s: &TestServer, token: &str, method: &str, field: &str, key: &str) -> Vec<String> {
    let reply = s.legacy_with_token(token, method, json!({})).await;
    assert_eq!(reply.status, StatusCode::OK, "{method}: {}", reply.text);
    reply.json()["result"][field]
        .as_array()
        .unwrap_or_else(|| panic!("{method}: no `{field}` in {}", reply.text))
        .iter()
        .map(|item| item[key].as_str().expect("a string").to_owned())
        .collect()
}

/// Calls the `db:admin` tool `reset`.
async fn reset(s: &TestServer, token: &str) -> server_support::Reply {
    s.legacy_with_token(
        token,
        "tools/call",
        json!({"name": "reset", "arguments": {}}),
    )
    .await
}

/// The tool names `tools/list` shows for `token`.
async fn tool_names(s: &TestServer, token: &str) -> Vec<String> {
    listed(s, token, "tools/list", "tools", "name").await
}

#[tokio::test]
async fn tools_list_hides_the_tools_the_rule_denies_but_calling_one_is_still_403() {
    let s = server_with(|b| admin_needs_dba(b).filter_tools_by_scope(true));
    let scopes = "db:admin db:query";
    let without = casdoor_token(&s, scopes, None);
    let with = casdoor_token(&s, scopes, Some(with_dba()));

    // Without `dba`, `db:admin` is not honoured (nor what it implies); `db:query` has no rule.
    assert_eq!(tool_names(&s, &without).await, ["query", "status"]);
    assert_eq!(
        tool_names(&s, &with).await,
        ["insert", "query", "reset", "status"]
    );

    // Hidden from the listing, yet its scope is granted: the call is the rule's 403, not "unknown".
    let reply = reset(&s, &without).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.text);
    assert_eq!(reply.error_code(), Some(NOT_ENTITLED));
    assert_eq!(s.calls.get(), 0, "the handler never ran");
    let reply = reset(&s, &with).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(s.calls.get(), 1);
}

#[tokio::test]
async fn without_filtering_the_listing_shows_every_tool_and_only_calls_are_refused() {
    let s = server_with(admin_needs_dba);
    let without = casdoor_token(&s, "db:admin db:query", None);
    assert_eq!(
        tool_names(&s, &without).await,
        ["insert", "query", "reset", "status"]
    );
    let reply = reset(&s, &without).await;
    assert_eq!(reply.error_code(), Some(NOT_ENTITLED));
}

/// The audit log: administrators only.
#[resource(uri = "db://audit", scope = DbAdmin)]
async fn audit() -> &'static str {
    "nothing happened"
}

/// The schema.
#[resource(uri = "db://schema", scope = DbQuery)]
async fn schema() -> &'static str {
    "CREATE TABLE users (id);"
}

/// One table's dump: administrators only.
#[resource(uri_template = "db://dumps/{table}", scope = DbAdmin)]
async fn dump(table: String) -> String {
    format!("dump of {table}")
}

/// Plan a migration.
#[prompt(scope = DbAdmin)]
async fn migrate() -> &'static str {
    "Plan a migration."
}

/// Say hello.
#[prompt(public)]
async fn hello() -> &'static str {
    "Hello."
}

#[tokio::test]
async fn resource_template_and_prompt_lists_hide_what_the_rule_denies() {
    let registry = Registry::from_declarations(
        tools![],
        resources![audit, schema, dump],
        prompts![migrate, hello],
    )
    .expect("a consistent registry");
    let s = server_of(registry, |b| admin_needs_dba(b).filter_tools_by_scope(true));
    let scopes = "db:admin db:query";
    let without = casdoor_token(&s, scopes, None);
    let with = casdoor_token(&s, scopes, Some(with_dba()));

    let lists = [
        ("resources/list", "resources", "uri"),
        (
            "resources/templates/list",
            "resourceTemplates",
            "uriTemplate",
        ),
        ("prompts/list", "prompts", "name"),
    ];
    let [resources, templates, prompts] = lists;
    let (m, f, k) = resources;
    assert_eq!(listed(&s, &without, m, f, k).await, ["db://schema"]);
    assert_eq!(
        listed(&s, &with, m, f, k).await,
        ["db://audit", "db://schema"]
    );
    let (m, f, k) = templates;
    assert!(listed(&s, &without, m, f, k).await.is_empty());
    assert_eq!(listed(&s, &with, m, f, k).await, ["db://dumps/{table}"]);
    let (m, f, k) = prompts;
    assert_eq!(listed(&s, &without, m, f, k).await, ["hello"]);
    assert_eq!(listed(&s, &with, m, f, k).await, ["hello", "migrate"]);

    // Reading or getting a hidden item is still the rule's 403.
    for (method, params) in [
        ("resources/read", json!({"uri": "db://audit"})),
        ("resources/read", json!({"uri": "db://dumps/users"})),
        ("prompts/get", json!({"name": "migrate"})),
    ] {
        let reply = s.legacy_with_token(&without, method, params.clone()).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{method} {params}");
        assert_eq!(reply.error_code(), Some(NOT_ENTITLED), "{method} {params}");
    }
}
