//! Loopback only: every route of the development authorization server answers a client whose
//! address is loopback AND whose `Host` names the local machine. The address alone is not enough:
//! a web page can reach a local server through a DNS name that resolves to 127.0.0.1 (DNS
//! rebinding), and then its requests carry that name as `Host`.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use http::header::HOST;
use http::{HeaderValue, Method, StatusCode};
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};

use super::error::error_page;
use crate::loopback::is_loopback_host;

/// Refuses (403, an HTML page) a request from a non-loopback address, with a non-loopback `Host`,
/// or without a known peer address (served without [`ConnectInfo`]: fail closed).
pub(super) async fn loopback_only(request: Request, next: Next) -> Response {
    let peer_is_loopback = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|ConnectInfo(peer)| peer.ip().to_canonical().is_loopback());
    let host_is_loopback = request
        .headers()
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(host_is_loopback);
    if peer_is_loopback && host_is_loopback {
        return next.run(request).await;
    }
    tracing::warn!(
        target: "mcp_scopes::dev_authorization",
        peer_is_loopback,
        host_is_loopback,
        path = %request.uri().path(),
        "development authorization server: refused a request that is not from this machine"
    );
    error_page(
        StatusCode::FORBIDDEN,
        "The development authorization server only answers this machine: connect to a loopback address (127.0.0.1, [::1] or localhost) and use it as the host name.",
    )
    .into_response()
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
