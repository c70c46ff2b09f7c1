//! User entitlements after the scope gate, over HTTP, with tokens shaped as each Casdoor token
//! format: `ScopeRoles` honours a scope only for users holding a configured role or permission
//! (Casdoor's `roles`/`permissions` claims), fails closed when the claims are absent, and refuses
//! with a 403 that does not invite a step-up.

mod casdoor_support;
mod server_support;

use casdoor_support::tokens::{FORMATS, Format, claims};
use http::StatusCode;
use mcp_scopes::auth::{Entitlement, Entitlements, GatedCall, ScopeRoles, TokenClaims};
use mcp_scopes::server::{NOT_ENTITLED, ScopeFailure};
use serde_json::{Value, json};
use server_support::{ISSUER, PRM_URL, RESOURCE, TestServer, server_with};

/// A token of Casdoor's `format` granting `scope`, with these claims replaced.
fn casdoor_token(s: &TestServer, format: Format, scope: &str, overrides: &Value) -> String {
    let mut token = TokenClaims::new(ISSUER, RESOURCE).scopes(scope.split(' '));
    for (name, value) in claims(format, ISSUER, RESOURCE, scope) {
        token = token.claim(name, value);
    }
    for (name, value) in overrides.as_object().expect("object") {
        token = token.claim(name.clone(), value.clone());
    }
    s.signer.mint(&token).expect("minted")
}

async fn call(s: &TestServer, token: &str, tool: &str) -> server_support::Reply {
    s.legacy_with_token(token, "tools/call", json!({"name": tool, "arguments": {}}))
        .await
}

fn admin_needs_dba() -> TestServer {
    server_with(|b| b.entitlements(ScopeRoles::new().require("db:admin", "dba")))
}

fn role(name: &str, enabled: bool) -> Value {
    json!({"owner": "built-in", "name": name, "users": ["built-in/alice"], "isEnabled": enabled})
}

#[tokio::test]
async fn a_scope_with_a_role_rule_needs_the_role_and_the_refusal_invites_no_step_up() {
    let s = admin_needs_dba();
    // The default `JWT` format: the user holds `db-readers`, not `dba`.
    let token = casdoor_token(&s, Format::Jwt, "db:admin", &json!({}));
    let reply = call(&s, &token, "reset").await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(s.calls.get(), 0, "the handler never ran");
    let challenge = reply.header("www-authenticate").expect("a challenge");
    assert!(
        challenge.starts_with(r#"Bearer realm="mcp", error="access_denied""#),
        "{challenge}"
    );
    assert!(
        !challenge.contains("insufficient_scope") && !challenge.contains("scope=\""),
        "{challenge}"
    );
    assert!(
        challenge.ends_with(&format!(r#"resource_metadata="{PRM_URL}""#)),
        "{challenge}"
    );
    let body = reply.json();
    assert_eq!(body["id"], 1);
    assert_eq!(body["error"]["code"], NOT_ENTITLED);
    let message = body["error"]["message"].as_str().expect("message");
    assert!(
        message.contains("tool `reset`") && message.contains("db:admin"),
        "{message}"
    );

    // The same user once an admin gave them the role.
    let roles = json!([role("db-readers", true), role("dba", true)]);
    let token = casdoor_token(&s, Format::Jwt, "db:admin", &json!({"roles": roles}));
    let reply = call(&s, &token, "reset").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(s.calls.get(), 1);
}

#[tokio::test]
async fn every_format_without_role_claims_is_refused_for_ruled_scopes_only() {
    let s = admin_needs_dba();
    for format in FORMATS {
        let token = casdoor_token(&s, format, "db:admin db:query", &json!({}));
        let reply = call(&s, &token, "reset").await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{format:?}: fail closed"
        );
        assert_eq!(reply.error_code(), Some(NOT_ENTITLED), "{format:?}");
        // `db:query` has no rule: honoured as granted.
        let reply = call(&s, &token, "query").await;
        assert_eq!(reply.status, StatusCode::OK, "{format:?}: {}", reply.text);
    }
    // A ruled scope does not lend its implications either: db:admin alone no longer gives query.
    let token = casdoor_token(&s, Format::JwtStandard, "db:admin", &json!({}));
    assert_eq!(
        call(&s, &token, "query").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn roles_and_permissions_match_by_name_or_owner_and_name() {
    for (rule, overrides, allowed) in [
        // The full-user fixture's permission and role.
        ("db-query", json!({}), true),
        ("built-in/db-readers", json!({}), true),
        ("other-org/db-readers", json!({}), false),
        ("dba", json!({"roles": [role("dba", false)]}), false),
        ("dba", json!({"roles": ["dba"]}), true),
        ("dba", json!({"roles": "dba"}), false),
    ] {
        let s = server_with(|b| b.entitlements(ScopeRoles::new().require("db:admin", rule)));
        let token = casdoor_token(&s, Format::Jwt, "db:admin", &overrides);
        let status = call(&s, &token, "reset").await.status;
        assert_eq!(
            status == StatusCode::OK,
            allowed,
            "{rule} with {overrides}: {status}"
        );
    }
}

#[tokio::test]
async fn in_band_mode_answers_200_with_the_error() {
    let s = server_with(|b| {
        b.scope_failure(ScopeFailure::InBand)
            .entitlements(ScopeRoles::new().require("db:admin", "dba"))
    });
    let token = casdoor_token(&s, Format::Jwt, "db:admin", &json!({}));
    let reply = call(&s, &token, "reset").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.error_code(), Some(NOT_ENTITLED));
    assert!(reply.header("www-authenticate").is_none());
}

/// A hook of the application's own: only the `alice` user may reset.
struct OnlyAlice;

impl Entitlements for OnlyAlice {
    fn check(&self, call: &GatedCall<'_>) -> Entitlement {
        let alice = call.principal().claim("name") == Some(&json!("alice"));
        if call.name() != "reset" || alice {
            Entitlement::Allow
        } else {
            Entitlement::Deny {
                reason: "only alice may reset".into(),
            }
        }
    }
}

#[tokio::test]
async fn an_application_hook_sees_the_caller_and_the_tool() {
    let s = server_with(|b| b.entitlements(OnlyAlice));
    let alice = casdoor_token(&s, Format::JwtEmpty, "db:admin", &json!({}));
    let bob = casdoor_token(&s, Format::JwtEmpty, "db:admin", &json!({"name": "bob"}));
    assert_eq!(call(&s, &alice, "reset").await.status, StatusCode::OK);
    assert_eq!(call(&s, &bob, "query").await.status, StatusCode::OK);
    let reply = call(&s, &bob, "reset").await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.json()["error"]["message"], "only alice may reset");
    // The scope gate still runs first: a missing scope is the usual step-up.
    let reply = call(
        &s,
        &casdoor_token(&s, Format::JwtEmpty, "db:query", &json!({})),
        "reset",
    )
    .await;
    assert!(
        reply
            .header("www-authenticate")
            .is_some_and(|c| c.contains("insufficient_scope"))
    );
}

#[test]
fn the_rule_says_at_start_which_token_format_it_needs() {
    let note = ScopeRoles::new()
        .require("db:admin", "dba")
        .parse_rule("db:modify=built-in/editors")
        .expect("valid")
        .startup_note()
        .expect("a note");
    for needle in [
        "db:admin (needs dba)",
        "db:modify (needs built-in/editors)",
        "`JWT` token format",
        "always refused",
    ] {
        assert!(note.contains(needle), "{needle}: {note}");
    }
    assert!(ScopeRoles::new().startup_note().is_none());
    for bad in ["db:admin", "=dba", "db:admin=", "a=b=c"] {
        assert!(ScopeRoles::new().parse_rule(bad).is_err(), "{bad}");
    }
}
