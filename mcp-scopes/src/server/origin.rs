//! DNS-rebinding protection: the `Origin` and `Host` checks every request to the MCP endpoint
//! passes before anything else (MCP requires the `Origin` check on all incoming connections).
//!
//! A web page an attacker controls can make a browser send requests to a local server through a
//! hostname that resolves to 127.0.0.1; such requests carry the attacker's `Origin` and `Host`, which
//! is what is checked here.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::uri::{Authority, Uri};
use http::{HeaderMap, StatusCode};

use super::jsonrpc::{INVALID_REQUEST, RpcError};
use super::response::error_response;
use crate::audit::{self, AuditLimits};
use crate::loopback::is_loopback_host;

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
    pub(crate) fn check(
        &self,
        headers: &HeaderMap,
        authority: Option<&str>,
    ) -> Result<(), Refusal> {
        if let Some(origin) = headers.get(http::header::ORIGIN) {
            let origin = origin.to_str().unwrap_or("");
            if !self.origin_allowed(origin) {
                return Err(Refusal::Origin(origin.to_owned()));
            }
        }
        if self.allowed_hosts.is_some() {
            let host = headers
                .get(http::header::HOST)
                .and_then(|h| h.to_str().ok())
                .or(authority)
                .unwrap_or("");
            if !self.host_allowed(host) {
                return Err(Refusal::Host(host.to_owned()));
            }
        }
        Ok(())
    }
}

/// Why a request was refused, with the header value as the client sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The `Origin` is not allowed.
    Origin(String),
    /// The `Host` (or HTTP/2 authority) is not allowed.
    Host(String),
}

/// How much of a refused header value the 403 body repeats.
const ECHOED_CHARS: usize = 100;

impl Refusal {
    fn reason(&self) -> &'static str {
        match self {
            Self::Origin(_) => audit::reason::ORIGIN_NOT_ALLOWED,
            Self::Host(_) => audit::reason::HOST_NOT_ALLOWED,
        }
    }

    fn value(&self) -> &str {
        match self {
            Self::Origin(value) | Self::Host(value) => value,
        }
    }

    /// The message for the client: the value cut short, so a huge header is not sent back whole.
    fn message(&self) -> String {
        let header = match self {
            Self::Origin(_) => "origin",
            Self::Host(_) => "host",
        };
        let shown = audit::clip_to(self.value(), ECHOED_CHARS);
        format!("{header} `{shown}` is not allowed")
    }
}

/// Middleware: 403 with a JSON-RPC error (no id) when the `Origin` or `Host` is not allowed.
pub(crate) async fn guard(
    State((policy, limits)): State<(Arc<OriginPolicy>, Arc<AuditLimits>)>,
    request: Request,
    next: Next,
) -> Response {
    let authority = request.uri().authority().map(Authority::as_str);
    if let Err(refusal) = policy.check(request.headers(), authority) {
        let seen = audit::Seen::of(&request);
        let message = "request refused";
        audit::refused(&limits, &seen, message, refusal.reason(), refusal.value());
        return error_response(
            &RpcError::new(StatusCode::FORBIDDEN, INVALID_REQUEST, refusal.message()),
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
        assert_eq!(
            p.check(&evil, None),
            Err(Refusal::Host("evil.example.com".into()))
        );
        for host in [
            "localhost:8080",
            "127.0.0.1:8080",
            "[::1]:8080",
            "LOCALHOST",
        ] {
            let h = headers(&[(http::header::HOST, host)]);
            assert!(p.check(&h, None).is_ok(), "{host}");
        }
        assert_eq!(
            p.check(&HeaderMap::new(), None),
            Err(Refusal::Host(String::new()))
        );
        // HTTP/2 carries the host in the URI's authority.
        assert!(p.check(&HeaderMap::new(), Some("localhost:8080")).is_ok());
        assert_eq!(
            p.check(&HeaderMap::new(), Some("evil.example.com")),
            Err(Refusal::Host("evil.example.com".into()))
        );
    }

    #[test]
    fn a_foreign_origin_is_refused_even_with_a_good_host() {
        let p = policy(Some(vec!["mcp.example.com"]));
        let h = headers(&[
            (http::header::HOST, "mcp.example.com"),
            (http::header::ORIGIN, "https://evil.example.com"),
        ]);
        assert_eq!(
            p.check(&h, None),
            Err(Refusal::Origin("https://evil.example.com".into()))
        );
    }
}
