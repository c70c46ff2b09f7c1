//! What a URL flag must be (`--resource`, `--issuer`, `--casdoor`, `--jwks-uri`) and the URLs the
//! server derives from its address: one place for URL rules, so every flag that takes a URL is
//! checked alike and the configuration's resolution reads as decisions, not parsing.

use std::net::{IpAddr, SocketAddr};

use reqwest::Url;

use super::flag_error::FlagError;

/// The issuer of development tokens: the origin of the resource, so they name this server and
/// nothing else.
pub(super) fn dev_issuer(resource: &str) -> String {
    Url::parse(resource).map_or_else(
        |_| resource.to_owned(),
        |url| url.origin().ascii_serialization(),
    )
}

/// `host:port` for a URL, with IPv6 addresses in brackets.
pub(super) fn host_port(addr: SocketAddr) -> String {
    match addr.ip() {
        IpAddr::V4(ip) => format!("{ip}:{}", addr.port()),
        IpAddr::V6(ip) => format!("[{ip}]:{}", addr.port()),
    }
}

/// Checks that `value` is an absolute http(s) URL with a host.
pub(super) fn http_url(flag: &'static str, value: &str) -> Result<Url, FlagError> {
    let url = Url::parse(value).map_err(|e| {
        FlagError::new(
            flag,
            format!(
                "`{value}` is not a URL ({e}); use an absolute URL such as https://example.com"
            ),
        )
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(FlagError::new(
            flag,
            format!("`{value}` must be an http:// or https:// URL with a host"),
        ));
    }
    Ok(url)
}

/// Checks a URL of the authorization server: an http(s) URL, and https unless the host is loopback
/// (keys and metadata fetched over plain http can be replaced by anyone on the path).
pub(super) fn authorization_server_url(flag: &'static str, value: &str) -> Result<Url, FlagError> {
    let url = http_url(flag, value)?;
    match crate::outbound_http::transport_problem(&url) {
        None => Ok(url),
        Some(problem) => Err(FlagError::new(flag, format!("`{value}`: {problem}"))),
    }
}
