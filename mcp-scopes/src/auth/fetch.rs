//! HTTP for the JWKS cache: one bounded GET of a JSON document, `Cache-Control: max-age`, and discovery
//! of `jwks_uri` from the issuer's metadata.
//!
//! Every fetch is capped in time and in bytes: the documents come from another server, and a slow or
//! huge reply must not hold a task or memory.

use std::time::Duration;

use http::header::{ACCEPT, CACHE_CONTROL};
use serde_json::Value;

use super::config::RefreshPolicy;
use crate::outbound_http::{causes, transport_problem, without_credentials};

/// Why a fetch failed (logged by the refresh task; never seen by clients).
#[derive(Debug, thiserror::Error)]
pub(crate) enum FetchError {
    #[error("request to {url} failed: {}", causes(.source))]
    Http {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("{url} answered HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("{url} took longer than {timeout:?}")]
    Timeout { url: String, timeout: Duration },
    #[error("{url} sent more than {max} bytes")]
    TooLarge { url: String, max: usize },
    #[error("{url} did not send JSON: {source}")]
    NotJson {
        url: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("{0}")]
    Discovery(String),
    #[error("{url}: {reason}")]
    BadKeySet { url: String, reason: String },
    #[error(
        "{url} redirected to {to}, another origin; keys are only taken from the URL configured or discovered"
    )]
    Redirected { url: String, to: String },
}

/// The most redirects followed for one fetch.
const MAX_REDIRECTS: usize = 3;

/// Builds the shared client: rustls, connect and request timeouts, and at most a few redirects, each
/// within the origin first asked (so never from https down to http, nor to another host).
pub(crate) fn build_client(policy: &RefreshPolicy) -> reqwest::Result<reqwest::Client> {
    let redirects = reqwest::redirect::Policy::custom(|attempt| {
        let leaves_origin = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() != attempt.url().origin());
        if leaves_origin {
            attempt.stop()
        } else if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error("too many redirects")
        } else {
            attempt.follow()
        }
    });
    reqwest::Client::builder()
        .connect_timeout(policy.connect_timeout)
        .timeout(policy.request_timeout)
        .redirect(redirects)
        .user_agent(concat!("mcp-scopes/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// GETs `url` as JSON, reading at most `policy.max_response_bytes`; returns the document and the
/// response's `max-age`, if any.
pub(crate) async fn get_json(
    client: &reqwest::Client,
    url: &str,
    policy: &RefreshPolicy,
) -> Result<(Value, Option<Duration>), FetchError> {
    let max = policy.max_response_bytes;
    let http_err = |source| FetchError::Http {
        url: url.to_owned(),
        source,
    };
    let fetch = async {
        let mut response = client
            .get(url)
            .header(ACCEPT, "application/json")
            .send()
            .await
            .map_err(http_err)?;
        // Checked here too, for an application's own client (`http_client`), whose redirect policy
        // is its own; a redirect our policy stopped also ends here, pointing elsewhere.
        if let Ok(requested) = reqwest::Url::parse(url).map(|u| u.origin()) {
            let location = response
                .status()
                .is_redirection()
                .then(|| response.headers().get(http::header::LOCATION))
                .flatten()
                .and_then(|l| l.to_str().ok())
                .and_then(|l| response.url().join(l).ok());
            let elsewhere = [Some(response.url()), location.as_ref()]
                .into_iter()
                .flatten()
                .find(|u| u.origin() != requested);
            if let Some(elsewhere) = elsewhere {
                return Err(FetchError::Redirected {
                    url: url.to_owned(),
                    to: elsewhere.origin().ascii_serialization(),
                });
            }
        }
        if !response.status().is_success() {
            return Err(FetchError::Status {
                url: url.to_owned(),
                status: response.status().as_u16(),
            });
        }
        let too_large = || FetchError::TooLarge {
            url: url.to_owned(),
            max,
        };
        if response
            .content_length()
            .is_some_and(|len| usize::try_from(len).map_or(true, |len| len > max))
        {
            return Err(too_large());
        }
        let max_age = response
            .headers()
            .get_all(CACHE_CONTROL)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(max_age);
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(http_err)? {
            if body.len() + chunk.len() > max {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        let doc = serde_json::from_slice(&body).map_err(|source| FetchError::NotJson {
            url: url.to_owned(),
            source,
        })?;
        Ok((doc, max_age))
    };
    tokio::time::timeout(policy.request_timeout, fetch)
        .await
        .map_err(|_| FetchError::Timeout {
            url: url.to_owned(),
            timeout: policy.request_timeout,
        })?
}

/// `max-age` from one `Cache-Control` header value.
fn max_age(value: &str) -> Option<Duration> {
    value.split(',').find_map(|directive| {
        let (name, seconds) = directive.trim().split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("max-age") {
            return None;
        }
        seconds
            .trim()
            .trim_matches('"')
            .parse::<u64>()
            .ok()
            .map(Duration::from_secs)
    })
}

/// The metadata URLs to try for `issuer`, in order: RFC 8414 (path-inserted for an issuer with a
/// path), then OIDC path-inserted, then OIDC path-appended.
pub(crate) fn discovery_urls(issuer: &str) -> Result<Vec<String>, String> {
    let url = reqwest::Url::parse(issuer).map_err(|e| e.to_string())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err("not an http(s) URL with a host".into());
    }
    let origin = url.origin().ascii_serialization();
    let path = url.path().trim_end_matches('/');
    Ok(if path.is_empty() {
        vec![
            format!("{origin}/.well-known/oauth-authorization-server"),
            format!("{origin}/.well-known/openid-configuration"),
        ]
    } else {
        vec![
            format!("{origin}/.well-known/oauth-authorization-server{path}"),
            format!("{origin}/.well-known/openid-configuration{path}"),
            format!("{origin}{path}/.well-known/openid-configuration"),
        ]
    })
}

/// Finds `jwks_uri` in the issuer's metadata. A document whose `issuer` is not ours is refused
/// (RFC 8414 §3.3), so a misconfigured proxy cannot substitute another server's keys.
pub(crate) async fn discover_jwks_uri(
    client: &reqwest::Client,
    issuer: &str,
    policy: &RefreshPolicy,
) -> Result<String, FetchError> {
    let urls = discovery_urls(issuer).map_err(FetchError::Discovery)?;
    let mut failures = Vec::new();
    for url in &urls {
        match get_json(client, url, policy).await {
            Ok((doc, _)) => {
                if doc.get("issuer").and_then(Value::as_str) != Some(issuer) {
                    failures.push(format!("{url}: `issuer` is not {issuer:?}"));
                    continue;
                }
                let Some(jwks) = doc.get("jwks_uri").and_then(Value::as_str) else {
                    failures.push(format!("{url}: no `jwks_uri`"));
                    continue;
                };
                let problem = reqwest::Url::parse(jwks)
                    .map_or(Some("not a URL"), |parsed| transport_problem(&parsed));
                match problem {
                    None => return Ok(jwks.to_owned()),
                    Some(problem) => failures.push(format!(
                        "{url}: `jwks_uri` {}: {problem}",
                        without_credentials(jwks)
                    )),
                }
            }
            Err(e) => failures.push(e.to_string()),
        }
    }
    Err(FetchError::Discovery(format!(
        "cannot discover the JWKS of {issuer}: {}",
        failures.join("; ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_age_is_read_from_cache_control() {
        assert_eq!(max_age("public, max-age=300"), Some(Duration::from_mins(5)));
        assert_eq!(max_age("MAX-AGE = 5"), Some(Duration::from_secs(5)));
        assert_eq!(max_age("no-cache"), None);
        assert_eq!(max_age("max-age=-1"), None);
    }

    #[tokio::test]
    async fn a_failed_request_says_why() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let url = format!("http://{}/jwks", listener.local_addr().expect("address"));
        drop(listener);
        let policy = RefreshPolicy::default();
        let client = build_client(&policy).expect("client");
        let err = get_json(&client, &url, &policy)
            .await
            .expect_err("nothing listens");
        let shown = err.to_string().to_lowercase();
        assert!(shown.contains("refused"), "{shown}");
    }

    #[test]
    fn discovery_inserts_the_issuer_path() {
        assert_eq!(
            discovery_urls("https://as.example/tenant/").expect("valid"),
            [
                "https://as.example/.well-known/oauth-authorization-server/tenant",
                "https://as.example/.well-known/openid-configuration/tenant",
                "https://as.example/tenant/.well-known/openid-configuration",
            ]
        );
        assert_eq!(
            discovery_urls("https://as.example").expect("valid"),
            [
                "https://as.example/.well-known/oauth-authorization-server",
                "https://as.example/.well-known/openid-configuration",
            ]
        );
        assert!(discovery_urls("ftp://as.example").is_err());
    }
}
