//! What development mode adds to `serve`: the built-in authorization server next to the MCP
//! endpoint ([`crate::dev_authorization`]), so MCP clients that do the OAuth flow themselves can
//! log in with no setup, and the banner lines saying how to connect them.
//!
//! Only here is the authorization server wired in: the resource server (`auth`, `server`) never
//! knows it exists, and with `--issuer` or `--casdoor` its routes are not served at all.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::Router;

use super::config::Config;
use super::urls::dev_issuer;
use crate::auth::DevSigner;
use crate::dev_authorization::DevAuthorizationServer;
use crate::server::McpServer;

/// The router of `server`, plus in development mode (with the key, `signer`) the authorization
/// server's routes.
pub(super) fn router(config: &Config, signer: Option<DevSigner>, server: McpServer) -> Router {
    let authorization = signer
        .filter(|_| config.is_development())
        .map(|signer| authorization_router(config, &server, signer));
    authorization
        .into_iter()
        .fold(server.into_router(), Router::merge)
}

/// The authorization server's routes for `server`, signing with `signer`.
fn authorization_router(config: &Config, server: &McpServer, signer: DevSigner) -> Router {
    let resource = server.resource();
    let mut authorization = DevAuthorizationServer::new(
        dev_issuer(resource),
        resource,
        Arc::new(signer),
        server.registry(),
    );
    if let Some(ttl) = config.dev_lifetimes.access {
        authorization = authorization.access_token_ttl(ttl);
    }
    if let Some(ttl) = config.dev_lifetimes.refresh {
        authorization = authorization.refresh_token_ttl(ttl);
    }
    authorization.into_router()
}

/// The banner lines on connecting MCP clients with OAuth (MCP Inspector, Claude Desktop).
pub(super) fn connect_hints(out: &mut String, name: &str, server: &McpServer) {
    let endpoint = server.resource();
    let issuer = dev_issuer(endpoint);
    let _ = writeln!(
        out,
        "  OAuth:         MCP clients log in here: {issuer}{} (built-in, development only: a consent page in your browser, loopback only, kept in memory; for curl, `token` below)",
        crate::dev_authorization::WELL_KNOWN_PATH
    );
    let _ = writeln!(
        out,
        "  MCP Inspector: npx @modelcontextprotocol/inspector, transport Streamable HTTP, URL {endpoint}, Connect (approve the consent page)"
    );
    let _ = writeln!(
        out,
        "  Claude Desktop: in claude_desktop_config.json, \"mcpServers\": {{\"{name}\": {{\"command\": \"npx\", \"args\": [\"-y\", \"mcp-remote\", \"{endpoint}\", \"--allow-http\"]}}}}"
    );
}
