//! What every URL that reaches an authorization server goes through: the transport check (https,
//! or http to loopback only) and the redaction of credentials before a URL is named in an error or
//! a log. Its own file because the configuration checks, the key fetcher and `casdoor sync` all use
//! it, and it needs none of them.

use crate::loopback::is_loopback_host;

/// What makes `url` unfit to reach an authorization server (its metadata, keys or admin API), if
/// anything: it must be `https`, or `http` to a loopback host, since whoever sits on a plain-http
/// path could serve their own keys or read credentials (the MCP authorization spec requires HTTPS
/// for authorization-server endpoints).
pub(crate) fn transport_problem(url: &reqwest::Url) -> Option<&'static str> {
    match url.scheme() {
        "https" if url.host_str().is_some() => None,
        "http" if url.host_str().is_some_and(is_loopback_host) => None,
        "http" if url.host_str().is_some() => Some(
            "plain http is accepted only for a loopback host (127.0.0.1, ::1 or localhost); use https",
        ),
        _ => Some("not an http(s) URL with a host"),
    }
}

/// `url` with any `user:password@` replaced by `***@`, for error messages and logs. Works on the text,
/// so it also hides credentials in a URL that does not parse.
pub(crate) fn without_credentials(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let rest = &url[scheme_end..];
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_len].rfind('@') {
        Some(at) => format!("{}***{}", &url[..scheme_end], &rest[at..]),
        None => url.to_owned(),
    }
}
