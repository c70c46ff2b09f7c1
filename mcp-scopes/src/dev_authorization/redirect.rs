//! Redirect URIs: which ones a client may register, which requested one matches a registered one,
//! and the redirect that carries the answer (a code, or an error per RFC 6749 §4.1.2.1) back.
//!
//! No open redirects: a redirect goes only to a URI the client registered, compared exactly, except
//! that a loopback `http` URI matches on any port (RFC 8252 §7.3: native apps listen on a port the
//! system picks at each start). Plain `http` is registered only for loopback hosts.

use axum::response::{IntoResponse as _, Redirect, Response};
use reqwest::Url;

use crate::loopback::is_loopback_host;

/// Schemes that run or embed content instead of reaching an application.
const REFUSED_SCHEMES: [&str; 6] = ["javascript", "data", "file", "vbscript", "about", "blob"];

/// Why a redirect URI cannot be registered, as the `error_description` says it.
pub(super) fn registration_problem(uri: &str) -> Option<String> {
    let Ok(url) = Url::parse(uri) else {
        return Some(format!("`{}` is not an absolute URI", clip(uri)));
    };
    if url.fragment().is_some() {
        return Some(format!(
            "`{}` has a fragment, which redirect URIs must not have",
            clip(uri)
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Some(format!("`{}` holds credentials", clip(uri)));
    }
    match url.scheme() {
        "https" if url.host().is_some() => None,
        "http" if url.host_str().is_some_and(is_loopback_host) => None,
        "http" => Some(format!(
            "`{}`: plain http only to a loopback host (127.0.0.1, [::1] or localhost); use https otherwise",
            clip(uri)
        )),
        scheme if REFUSED_SCHEMES.contains(&scheme) || !scheme.contains('.') => Some(format!(
            "`{}`: use https, http to a loopback host, or a private-use scheme in reverse-domain form such as com.example.app:/callback",
            clip(uri)
        )),
        _ => None,
    }
}

/// Whether `requested` is one of `registered` (loopback `http` URIs on any port).
pub(super) fn is_registered(registered: &[String], requested: &str) -> bool {
    if registered.iter().any(|r| r == requested) {
        return true;
    }
    let Some(requested) = loopback_url(requested) else {
        return false;
    };
    registered.iter().filter_map(|r| loopback_url(r)).any(|r| {
        r.host_str() == requested.host_str()
            && r.path() == requested.path()
            && r.query() == requested.query()
    })
}

/// `uri` parsed, when it is a loopback `http` URI without fragment or credentials.
fn loopback_url(uri: &str) -> Option<Url> {
    let url = Url::parse(uri).ok()?;
    (url.scheme() == "http"
        && url.host_str().is_some_and(is_loopback_host)
        && url.fragment().is_none()
        && url.username().is_empty()
        && url.password().is_none())
    .then_some(url)
}

/// A 303 to `redirect_uri` with `params` added to its query (empty values are left out).
pub(super) fn redirect_with(redirect_uri: &str, params: &[(&str, Option<&str>)]) -> Response {
    let Ok(mut url) = Url::parse(redirect_uri) else {
        // Checked at registration; a URI that no longer parses gets no redirect.
        return super::error::error_page(
            http::StatusCode::BAD_REQUEST,
            "The application's redirect URI is not a valid URI.",
        );
    };
    {
        let mut query = url.query_pairs_mut();
        for (name, value) in params {
            if let Some(value) = value {
                query.append_pair(name, value);
            }
        }
    }
    let mut response = Redirect::to(url.as_str()).into_response();
    super::error::no_store(&mut response);
    response
}

/// A URI as echoed in an error: short, whatever the client sent.
fn clip(uri: &str) -> String {
    let mut out: String = uri.chars().take(120).collect();
    if out.len() < uri.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_may_be_registered() {
        for ok in [
            "http://127.0.0.1:6274/oauth/callback",
            "http://localhost:3334/cb",
            "http://[::1]/cb",
            "https://app.example.com/cb?x=1",
            "com.example.app:/callback",
        ] {
            assert_eq!(registration_problem(ok), None, "{ok}");
        }
        for bad in [
            "http://evil.example/cb",
            "javascript:alert(1)",
            "data:text/html,hi",
            "/relative",
            "https://app.example.com/cb#frag",
            "https://user:pw@app.example.com/cb",
            "myapp:/cb",
        ] {
            assert!(registration_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn loopback_uris_match_on_any_port_others_exactly() {
        let registered = vec![
            "http://127.0.0.1:6274/cb".to_owned(),
            "https://app.example.com/cb".to_owned(),
        ];
        assert!(is_registered(&registered, "http://127.0.0.1:9999/cb"));
        assert!(is_registered(&registered, "https://app.example.com/cb"));
        for refused in [
            "http://localhost:6274/cb",
            "http://127.0.0.1:6274/other",
            "https://app.example.com/cb/",
            "https://app.example.com:444/cb",
            "https://evil.example/cb",
            "http://127.0.0.1:6274/cb#x",
        ] {
            assert!(!is_registered(&registered, refused), "{refused}");
        }
    }
}
