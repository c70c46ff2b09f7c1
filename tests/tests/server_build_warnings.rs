//! The warning a server built in code logs when its tokens are tied to no client or organization.
//! Alone in its test binary: `tracing` decides once per call site whether anyone listens, and the
//! other build tests, built without allowed clients on other threads, would race this one for it.

// `#[tool]` functions are async by contract, even those that never await.
#![allow(clippy::unused_async)]

use mcp_scopes::auth::{DevSigner, ValidatorConfig};
use mcp_scopes::registry::Registry;
use mcp_scopes::server::McpServer;
use mcp_scopes::{scope, tool, tools};

/// Read rows.
#[scope(name = "warn:read", display_name = "Read", baseline)]
pub struct WarnRead;

/// Reads.
#[tool(scope = WarnRead)]
async fn read() -> String {
    String::new()
}

/// The warnings `configure`'s server logs while it is built.
fn warnings_while_building(config: ValidatorConfig) -> Vec<String> {
    let captured = mcp_scopes_tests::log_capture::Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_ansi(false)
        .without_time()
        .with_max_level(tracing::Level::WARN)
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        McpServer::builder()
            .registry(Registry::from_tools(tools![read]).expect("consistent"))
            .auth(config)
            .build()
            .expect("builds");
    });
    captured.text().lines().map(str::to_owned).collect()
}

/// A program that builds its server in code (not through the `cli`, which warns in terms of its
/// flags) with the Casdoor preset and neither allowed clients nor organizations is told once, at
/// build time, that any application of the Casdoor gets in; tying tokens to a client or an
/// organization silences it.
#[test]
fn a_casdoor_server_that_accepts_every_application_warns_once_when_built() {
    let casdoor = || {
        ValidatorConfig::casdoor("https://door.example.test", "https://mcp.example.test/mcp")
            .static_jwks(DevSigner::generate().jwks())
    };
    let warnings = warnings_while_building(casdoor());
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    let warning = &warnings[0];
    assert!(warning.contains("WARN"), "{warning}");
    assert!(
        warning.contains("tokens are tied to no client")
            && warning.contains("allowed_clients")
            && warning.contains("allowed_organizations")
            && warning.contains("issuer=\"https://door.example.test\""),
        "{warning}"
    );
    for restricted in [
        casdoor().allowed_clients(["app-1"]),
        casdoor().allowed_organizations(["acme"]),
    ] {
        let warnings = warnings_while_building(restricted);
        assert!(warnings.is_empty(), "{warnings:#?}");
    }
}
