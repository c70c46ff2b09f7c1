//! DNS-rebinding protection: the `Origin` and `Host` checks every request to the MCP endpoint
//! passes before anything else (MCP requires the `Origin` check on all incoming connections).
//!
//! A web page an attacker controls can make a browser send requests to a local server through a
//! hostname that resolves to 127.0.0.1; such requests carry the attacker's `Origin` and `Host`, which
//! is what is checked here.

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::uri::{Authority, Uri};
use http::{HeaderMap, StatusCode};

use super::jsonrpc::{INVALID_REQUEST, RpcError};
use super::response::error_response;

/// Which `Origin` and `Host` values the MCP endpoint accepts.
#[derive(Debug, Clone)]
pub(crate) struct OriginPolicy {
    /// Exact origins (`scheme://host[:port]`, lowercase, no trailing slash).
    pub allowed_origins: Vec<String>,
    /// Whether `http(s)://localhost|127.0.0.0/8|[::1][:port]` origins are accepted.
    pub allow_loopback_origins: bool,
    /// Accepted `Host` names (lowercase, without port); `None` accepts any.
    pub allowed_hosts: Option<Vec<String>>,
    /// Whether loopback `Host` names are accepted in addition to `allowed_hosts`.
    pub allow_loopback_hosts: bool,
}

/// Whether `host` (no port; IPv6 with or without brackets) names the local machine.
pub(crate) fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// `scheme://host[:port]` of an origin or URL, lowercase; `None` when it is not one.
pub(crate) fn normalize_origin(origin: &str) -> Option<String> {
    let uri: Uri = origin.trim_end_matches('/').parse().ok()?;
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let authority = uri.authority()?.as_str().to_ascii_lowercase();
    if authority.contains('@') {
        return None;
    }
    Some(format!("{scheme}://{authority}"))
}

impl OriginPolicy {
    pub(crate) fn origin_allowed(&self, origin: &str) -> bool {
        let Some(normalized) = normalize_origin(origin) else {
            return false;
        };
        if self.allowed_origins.contains(&normalized) {
            return true;
        }
        let Ok(uri) = normalized.parse::<Uri>() else {
            return false;
        };
        self.allow_loopback_origins
            && matches!(uri.scheme_str(), Some("http" | "https"))
            && uri.host().is_some_and(is_loopback_host)
    }

    fn host_allowed(&self, host: &str) -> bool {
        let Some(allowed) = &self.allowed_hosts else {
            return true;
        };
        let Ok(authority) = host.parse::<Authority>() else {
            return false;
        };
        let name = authority.host().to_ascii_lowercase();
        (self.allow_loopback_hosts && is_loopback_host(&name)) || allowed.contains(&name)
    }

    /// `Ok` when the request may proceed; otherwise why not. `authority` is the request URI's
    /// authority, which stands in for `Host` in HTTP/2.
    pub(crate) fn check(&self, headers: &HeaderMap, authority: Option<&str>) -> Result<(), String> {
        if let Some(origin) = headers.get(http::header::ORIGIN) {
            let origin = origin.to_str().unwrap_or("");
            if !self.origin_allowed(origin) {
                return Err(format!("origin `{origin}` is not allowed"));
            }
        }
        if self.allowed_hosts.is_some() {
            let host = headers
                .get(http::header::HOST)
                .and_then(|h| h.to_str().ok())
                .or(authority)
                .unwrap_or("");
            if !self.host_allowed(host) {
                return Err(format!("host `{host}` is not allowed"));
            }
        }
        Ok(())
    }
}

/// Middleware: 403 with a JSON-RPC error (no id) when the `Origin` or `Host` is not allowed.
pub(crate) async fn guard(
    State(policy): State<Arc<OriginPolicy>>,
    request: Request,
    next: Next,
) -> Response {
    let authority = request.uri().authority().map(Authority::as_str);
    if let Err(reason) = policy.check(request.headers(), authority) {
        tracing::warn!(target: super::gate::AUDIT_TARGET, decision = "deny", reason = "origin_or_host", detail = %reason, "request refused");
        return error_response(
            &RpcError::new(StatusCode::FORBIDDEN, INVALID_REQUEST, reason),
            None,
        );
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(hosts: Option<Vec<&str>>) -> OriginPolicy {
        OriginPolicy {
            allowed_origins: vec!["https://app.example.com".into()],
            allow_loopback_origins: true,
            allowed_hosts: hosts.map(|h| h.into_iter().map(String::from).collect()),
            allow_loopback_hosts: true,
        }
    }

    fn headers(pairs: &[(http::HeaderName, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| (k.clone(), v.parse().unwrap()))
            .collect()
    }

    #[test]
    fn origins_are_matched_exactly_or_as_loopback() {
        let p = policy(None);
        for ok in [
            "https://app.example.com",
            "HTTPS://APP.example.com/",
            "http://localhost:6274",
            "http://127.0.0.1",
            "http://[::1]:3000",
        ] {
            assert!(p.origin_allowed(ok), "{ok}");
        }
        for bad in [
            "https://evil.example.com",
            "https://app.example.com:444",
            "http://app.example.com",
            "null",
            "",
            "http://localhost.evil.com",
            "file://localhost",
            "http://user@localhost",
        ] {
            assert!(!p.origin_allowed(bad), "{bad}");
        }
    }

    #[test]
    fn host_is_checked_only_when_configured() {
        let evil = headers(&[(http::header::HOST, "evil.example.com")]);
        assert!(policy(None).check(&evil, None).is_ok());
        let p = policy(Some(vec![]));
        let refusal = p.check(&evil, None).expect_err("a foreign host");
        assert!(refusal.contains("evil.example.com"), "{refusal}");
        for host in [
            "localhost:8080",
            "127.0.0.1:8080",
            "[::1]:8080",
            "LOCALHOST",
        ] {
            let h = headers(&[(http::header::HOST, host)]);
            assert!(p.check(&h, None).is_ok(), "{host}");
        }
        let refusal = p.check(&HeaderMap::new(), None).expect_err("no host");
        assert!(refusal.to_lowercase().contains("host"), "{refusal}");
        // HTTP/2 carries the host in the URI's authority.
        assert!(p.check(&HeaderMap::new(), Some("localhost:8080")).is_ok());
        let refusal = p
            .check(&HeaderMap::new(), Some("evil.example.com"))
            .expect_err("a foreign authority");
        assert!(refusal.contains("evil.example.com"), "{refusal}");
    }

    #[test]
    fn a_foreign_origin_is_refused_even_with_a_good_host() {
        let p = policy(Some(vec!["mcp.example.com"]));
        let h = headers(&[
            (http::header::HOST, "mcp.example.com"),
            (http::header::ORIGIN, "https://evil.example.com"),
        ]);
        assert!(p.check(&h, None).unwrap_err().contains("evil.example.com"));
    }
}
