//! Target `challenge`: `WWW-Authenticate` challenges and the protected-resource metadata (RFC 9728)
//! built from arbitrary strings (a metadata URL or resource, a realm, scopes, an error description).
//!
//! The input is NUL-separated: resource, realm, description, then space-separated scopes.
//! Invariants: every challenge is a valid header value that starts `Bearer `, holds each parameter
//! once, and gives back each value as given (visible ASCII kept, other characters as `?`), so a
//! value can never add a parameter or end the header; the metadata serializes and parses back to
//! itself; its router serves it at the well-known path and, for a URL with a path, at the
//! path-inserted one.

use axum::body::Body;
use http::{Request, StatusCode};
use http_body_util::BodyExt as _;
use mcp_scopes::auth::Challenge;
use mcp_scopes::metadata::{self, ProtectedResourceMetadata, WELL_KNOWN_PATH};
use tower::ServiceExt as _;

use crate::support::{RUNTIME, split_at_byte};

/// Runs one input.
pub fn check(data: &[u8]) {
    let (resource, rest) = split_at_byte(data, 0);
    let (realm, rest) = split_at_byte(rest, 0);
    let (description, scopes) = split_at_byte(rest, 0);
    let resource = String::from_utf8_lossy(resource).into_owned();
    let realm = String::from_utf8_lossy(realm).into_owned();
    let description = String::from_utf8_lossy(description).into_owned();
    let scopes = String::from_utf8_lossy(scopes).into_owned();
    let scopes: Vec<&str> = scopes.split(' ').filter(|s| !s.is_empty()).collect();
    challenges(&resource, &realm, &description, &scopes);
    prm(&resource, &scopes);
}

/// What a header holds for `value`: visible ASCII and space as they are, anything else as `?`.
fn as_sent(value: &str) -> String {
    value
        .chars()
        .map(|c| if matches!(c, ' '..='~') { c } else { '?' })
        .collect()
}

fn challenges(resource: &str, realm: &str, description: &str, scopes: &[&str]) {
    let challenge = Challenge::new(resource)
        .realm(realm)
        .baseline_scopes(scopes.iter().copied());
    let joined = scopes.join(" ");
    let expect = |error: Option<&str>, described: bool, scope: Option<&str>| {
        let mut params = vec![("realm".to_owned(), as_sent(realm))];
        if let Some(error) = error {
            params.push(("error".to_owned(), error.to_owned()));
        }
        if described {
            params.push(("error_description".to_owned(), as_sent(description)));
        }
        if let Some(scope) = scope.filter(|s| !s.is_empty()) {
            params.push(("scope".to_owned(), as_sent(scope)));
        }
        params.push(("resource_metadata".to_owned(), as_sent(resource)));
        params
    };
    let cases = [
        (
            challenge.no_credentials_header(),
            expect(None, false, Some(&joined)),
        ),
        (
            challenge.invalid_token_header(description),
            expect(Some("invalid_token"), true, None),
        ),
        (
            challenge.access_denied_header(description),
            expect(Some("access_denied"), true, None),
        ),
    ];
    for (header, expected) in cases {
        let text = header.to_str().expect("a challenge is visible ASCII");
        let params = parse(text).unwrap_or_else(|| panic!("not a challenge: {text}"));
        // The scope hint may be left out or narrowed; the rest must come back exactly.
        let params: Vec<_> = params.into_iter().filter(|(n, _)| n != "scope").collect();
        let expected: Vec<_> = expected.into_iter().filter(|(n, _)| n != "scope").collect();
        assert_eq!(params, expected, "{text}");
    }
    let header = challenge.insufficient_scope_header(scopes, Some(description));
    let text = header.to_str().expect("a challenge is visible ASCII");
    let params = parse(text).unwrap_or_else(|| panic!("not a challenge: {text}"));
    assert!(
        params
            .iter()
            .any(|(n, v)| n == "error" && v == "insufficient_scope")
    );
    let names: Vec<&str> = params.iter().map(|(n, _)| n.as_str()).collect();
    let mut unique = names.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), names.len(), "a parameter twice: {text}");
}

/// `Bearer name="value", …` as (name, unescaped value) pairs; `None` when it is not that shape.
fn parse(header: &str) -> Option<Vec<(String, String)>> {
    let mut rest = header.strip_prefix("Bearer ")?;
    let mut params = Vec::new();
    loop {
        let (name, after) = rest.split_once("=\"")?;
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
            return None;
        }
        let mut value = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            match chars.next()? {
                (_, '\\') => value.push(chars.next()?.1),
                (i, '"') => break i,
                (_, c) => value.push(c),
            }
        };
        params.push((name.to_owned(), value));
        rest = &after[end + 1..];
        if rest.is_empty() {
            return Some(params);
        }
        rest = rest.strip_prefix(", ")?;
    }
}

fn prm(resource: &str, scopes: &[&str]) {
    let document = ProtectedResourceMetadata::new(resource, ["https://issuer.fuzz"])
        .scopes_supported(scopes.iter().copied());
    let json = serde_json::to_string(&document).expect("metadata serializes");
    let back: ProtectedResourceMetadata = serde_json::from_str(&json).expect("and parses back");
    assert_eq!(back, document);
    let url = metadata::metadata_url(resource);
    let path = metadata::metadata_path(resource);
    assert!(path.starts_with(WELL_KNOWN_PATH), "{path}");
    assert!(url.contains(WELL_KNOWN_PATH), "{url}");
    let router: axum::Router = metadata::router(document.clone());
    for served in [WELL_KNOWN_PATH, path.as_str()] {
        let Ok(request) = Request::get(served).body(Body::empty()) else {
            panic!("the metadata path {served:?} is not a request path");
        };
        let (status, body) = RUNTIME.block_on(async {
            let response = router.clone().oneshot(request).await.expect("infallible");
            let status = response.status();
            let body = response
                .into_body()
                .collect()
                .await
                .expect("a body")
                .to_bytes();
            (status, body)
        });
        assert_eq!(status, StatusCode::OK, "GET {served}");
        let served: ProtectedResourceMetadata =
            serde_json::from_slice(&body).expect("the metadata document");
        assert_eq!(served, document);
    }
}
