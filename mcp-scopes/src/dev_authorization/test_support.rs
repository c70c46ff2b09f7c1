//! A [`Shared`] and a redirect reader for the unit tests of the endpoints.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::response::Response;
use http::header::LOCATION;

use super::shared::{CODE_TTL, DEFAULT_ACCESS_TOKEN_TTL, DEFAULT_REFRESH_TOKEN_TTL, Shared};
use super::store::{Client, Store};
use crate::auth::DevSigner;
use crate::manifest::ManifestScope;

/// The issuer of [`shared`].
pub(super) const ISSUER: &str = "http://127.0.0.1:8080";
/// The redirect URI of the client [`shared`] registers as `client`.
pub(super) const REDIRECT_URI: &str = "http://127.0.0.1:49152/callback";

/// A server with `scopes` and one registered client, `client`.
pub(super) fn shared(scopes: Vec<ManifestScope>) -> Shared {
    let shared = Shared {
        issuer: ISSUER.to_owned(),
        resource: format!("{ISSUER}/mcp"),
        signer: Arc::new(DevSigner::generate()),
        scopes,
        access_token_ttl: DEFAULT_ACCESS_TOKEN_TTL,
        refresh_token_ttl: DEFAULT_REFRESH_TOKEN_TTL,
        code_ttl: CODE_TTL,
        store: Mutex::new(Store::default()),
    };
    let client = Client {
        name: Some("Test".to_owned()),
        redirect_uris: vec![REDIRECT_URI.to_owned()],
        refresh_allowed: false,
    };
    shared
        .store()
        .add_client("client".to_owned(), client)
        .expect("an empty store has room");
    shared
}

/// The query of a redirect to [`REDIRECT_URI`] (panics when `response` is anything else).
pub(super) fn redirect_params(response: &Response) -> HashMap<String, String> {
    assert!(response.status().is_redirection(), "{}", response.status());
    let location = response.headers()[LOCATION].to_str().expect("ASCII");
    let query = location
        .strip_prefix(REDIRECT_URI)
        .and_then(|rest| rest.strip_prefix('?'))
        .unwrap_or_else(|| panic!("redirected elsewhere: {location}"));
    form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}
