//! Loopback only: every route of the development authorization server answers a client whose
//! address is loopback AND whose `Host` names the local machine. The address alone is not enough:
//! a web page can reach a local server through a DNS name that resolves to 127.0.0.1 (DNS
//! rebinding), and then its requests carry that name as `Host`.
//!
//! A refusal is a 403, never a redirect, in the form the route's callers read:
//! - the authorization endpoint (consent page and form) is opened by a browser, so it gets an HTML
//!   page for the user ([`loopback_only_page`]);
//! - metadata, registration and the token endpoint are called by client code that parses JSON, so
//!   they get an OAuth error body ([`loopback_only_json`]) with `error` = `invalid_request`. Not
//!   `access_denied`: that code is defined only for the authorization endpoint's redirect (RFC 6749
//!   §4.1.2.1), while `invalid_request` is in the token endpoint's list (§5.2) and is the generic
//!   code RFC 7591 §3.2.2 allows beside its own, so every client knows it. The 403 status, not
//!   §5.2's 400, says the request itself may be fine: it reached the server the wrong way.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use http::header::HOST;
use http::{HeaderValue, Method, StatusCode};
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};

use super::error::{OAuthError, error_page};
use crate::loopback::is_loopback_host;

/// What a refused user or client is told to do.
const REFUSAL: &str = "The development authorization server only answers this machine: connect to a loopback address (127.0.0.1, [::1] or localhost) and use it as the host name.";

/// For the browser-facing routes: refuses (403, an HTML page) a request that is not from this
/// machine (see [`from_this_machine`]).
pub(super) async fn loopback_only_page(request: Request, next: Next) -> Response {
    if from_this_machine(&request) {
        return next.run(request).await;
    }
    error_page(StatusCode::FORBIDDEN, REFUSAL)
}

/// For the routes client code calls: refuses (403, a JSON OAuth error `invalid_request`) a request
/// that is not from this machine (see [`from_this_machine`]).
pub(super) async fn loopback_only_json(request: Request, next: Next) -> Response {
    if from_this_machine(&request) {
        return next.run(request).await;
    }
    OAuthError {
        status: StatusCode::FORBIDDEN,
        code: "invalid_request",
        description: REFUSAL.to_owned(),
    }
    .into_response()
}

/// Whether the request comes from a loopback address and names a loopback `Host`; a request
/// without a known peer address (served without [`ConnectInfo`]) is not (fail closed). A refusal
/// is logged.
fn from_this_machine(request: &Request) -> bool {
    let peer_is_loopback = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|ConnectInfo(peer)| peer.ip().to_canonical().is_loopback());
    let host_is_loopback = request
        .headers()
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(host_is_loopback);
    if !(peer_is_loopback && host_is_loopback) {
        tracing::warn!(
            target: "mcp_scopes::dev_authorization",
            peer_is_loopback,
            host_is_loopback,
            path = %request.uri().path(),
            "development authorization server: refused a request that is not from this machine"
        );
    }
    peer_is_loopback && host_is_loopback
}

/// Whether a `Host` value (`name[:port]`) names the local machine.
pub(super) fn host_is_loopback(host: &str) -> bool {
    host.parse::<http::uri::Authority>()
        .is_ok_and(|authority| is_loopback_host(authority.host()))
}

/// CORS for registration and the token endpoint: browser-based clients on loopback origins (MCP
/// Inspector) call them from their own page.
pub(super) fn loopback_cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(|origin: &HeaderValue, _| {
            origin
                .to_str()
                .ok()
                .and_then(|o| o.parse::<http::Uri>().ok())
                .is_some_and(|uri| {
                    matches!(uri.scheme_str(), Some("http" | "https"))
                        && uri.host().is_some_and(is_loopback_host)
                })
        }))
        .allow_methods([Method::POST])
        .allow_headers(AllowHeaders::mirror_request())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names() {
        for host in [
            "127.0.0.1:8080",
            "localhost",
            "LOCALHOST:1",
            "[::1]:9",
            "127.1.2.3",
        ] {
            assert!(host_is_loopback(host), "{host}");
        }
        for host in [
            "evil.example",
            "127.0.0.1.nip.io:80",
            "10.0.0.1:8080",
            "",
            "[::2]",
        ] {
            assert!(!host_is_loopback(host), "{host}");
        }
    }
}
