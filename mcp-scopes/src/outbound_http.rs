//! What the framework's own outgoing HTTP (to an authorization server: its metadata, keys and the
//! Casdoor admin API) goes through: the transport check (https, or http to loopback only), the
//! redaction of credentials before a URL is named in an error or a log, and an error's causes on
//! one line. Its own module because the configuration checks, the key fetcher, the command line
//! and `casdoor sync` all use it, and it needs none of them.

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

/// An error and its causes on one line: reqwest's own message ("error sending request") leaves out
/// what an operator needs ("connection refused", a TLS failure, a DNS miss).
pub(crate) fn causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        source = cause.source();
    }
    out
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
