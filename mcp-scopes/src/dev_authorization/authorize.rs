//! The authorization endpoint's `GET`: checks the request and shows the consent page (the user's
//! answer, the `POST`, is in `decision`).
//!
//! RFC 6749 §4.1.2.1: while the client or its redirect URI is unknown or does not match, the user
//! gets an error page and the browser goes nowhere (no open redirect); once both are trusted, every
//! other error goes back to the client as `error`, `error_description`, `state` and `iss` (RFC
//! 9207) on its redirect URI.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse as _, Response};
use http::header::SET_COOKIE;
use http::{HeaderValue, StatusCode};

use super::consent_page::{Consent, protect, render};
use super::error::error_page;
use super::params::{Params, scope_list};
use super::redirect::{is_registered, redirect_with};
use super::shared::{CONSENT_TTL, OFFLINE_ACCESS, Shared, random_token};
use super::store::Pending;

/// A checked request, ready for the consent page.
struct Checked {
    client_id: String,
    redirect_uri: String,
    redirect_uri_given: bool,
    requested: Vec<String>,
    offline: bool,
    state: Option<String>,
    code_challenge: String,
    resource: String,
}

/// What [`check_trusted`] gives: the PKCE challenge, the resource, the scopes asked for and whether
/// `offline_access` was.
struct Trusted {
    code_challenge: String,
    resource: String,
    requested: Vec<String>,
    offline: bool,
}

/// What went wrong with a request: shown to the user, or sent back to the client.
enum Refused {
    Page(StatusCode, String),
    Redirect {
        redirect_uri: String,
        state: Option<String>,
        error: &'static str,
        description: String,
    },
}

pub(super) async fn show_consent(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
) -> Response {
    let checked = match check(&shared, query.as_deref().unwrap_or("").as_bytes()) {
        Ok(checked) => checked,
        Err(refused) => return refusal(&shared, refused),
    };
    let request_id = random_token();
    let csrf = random_token();
    let pending = Pending {
        client_id: checked.client_id.clone(),
        redirect_uri: checked.redirect_uri.clone(),
        redirect_uri_given: checked.redirect_uri_given,
        requested: checked.requested.clone(),
        offline: checked.offline,
        state: checked.state.clone(),
        code_challenge: checked.code_challenge,
        resource: checked.resource.clone(),
        csrf: csrf.clone(),
        expires: Instant::now() + CONSENT_TTL,
    };
    let client_name = {
        let mut store = shared.store();
        if store.add_pending(request_id.clone(), pending).is_err() {
            return error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Too many consent pages are open; answer or wait for some to expire (10 minutes), then try again.",
            );
        }
        store
            .client(&checked.client_id)
            .and_then(|c| c.name.clone())
    };
    let html = render(&Consent {
        client_name: client_name.as_deref(),
        client_id: &checked.client_id,
        redirect_uri: &checked.redirect_uri,
        resource: &checked.resource,
        scopes: prechecked(&shared, &checked.requested),
        offline: checked.offline,
        request_id: &request_id,
        csrf: &csrf,
    });
    let mut response = Html(html).into_response();
    protect(&mut response);
    if let Ok(cookie) = HeaderValue::from_str(&format!(
        "{}={csrf}; Path={}; Max-Age={}; HttpOnly; SameSite=Strict",
        cookie_name(&request_id),
        super::shared::AUTHORIZE_PATH,
        CONSENT_TTL.as_secs()
    )) {
        response.headers_mut().insert(SET_COOKIE, cookie);
    }
    response
}

/// The requested scopes with whether each box starts ticked: the baseline ones always; the others
/// too, unless the client asked for every scope the server has (a client that did not follow the
/// challenge's hint then gets least privilege unless the user ticks more).
fn prechecked<'a>(
    shared: &'a Shared,
    requested: &[String],
) -> Vec<(&'a crate::manifest::ManifestScope, bool)> {
    let asks_everything = requested.len() > 1 && requested.len() == shared.scopes.len();
    requested
        .iter()
        .filter_map(|name| shared.scope(name))
        .map(|scope| (scope, scope.baseline || !asks_everything))
        .collect()
}

fn check(shared: &Shared, query: &[u8]) -> Result<Checked, Refused> {
    let params = Params::parse(query, &[]).map_err(|e| {
        Refused::Page(
            StatusCode::BAD_REQUEST,
            format!("The request is malformed: {e}."),
        )
    })?;
    let client_id = params.get("client_id").ok_or_else(|| {
        Refused::Page(
            StatusCode::BAD_REQUEST,
            "The request names no application (client_id).".into(),
        )
    })?;
    let client = shared.store().client(client_id).cloned().ok_or_else(|| {
        Refused::Page(
            StatusCode::BAD_REQUEST,
            "The application is not registered here (an unknown client_id; the server forgets registrations when it restarts). Connect the application again.".into(),
        )
    })?;
    let (redirect_uri, redirect_uri_given) = match params.get("redirect_uri") {
        Some(uri) if is_registered(&client.redirect_uris, uri) => (uri.to_owned(), true),
        Some(_) => {
            return Err(Refused::Page(
                StatusCode::BAD_REQUEST,
                "The redirect URI is not one the application registered, so the answer is not sent there.".into(),
            ));
        }
        None if client.redirect_uris.len() == 1 => (client.redirect_uris[0].clone(), false),
        None => {
            return Err(Refused::Page(
                StatusCode::BAD_REQUEST,
                "The request names no redirect URI, and the application registered several.".into(),
            ));
        }
    };
    let state = params.get("state").map(str::to_owned);
    let refuse = |error: &'static str, description: String| Refused::Redirect {
        redirect_uri: redirect_uri.clone(),
        state: state.clone(),
        error,
        description,
    };
    let Trusted {
        code_challenge,
        resource,
        requested,
        offline,
    } = check_trusted(shared, &params)
        .map_err(|(error, description)| refuse(error, description))?;
    Ok(Checked {
        client_id: client_id.to_owned(),
        redirect_uri,
        redirect_uri_given,
        requested,
        offline,
        state,
        code_challenge,
        resource,
    })
}
/// The checks made once the client and its redirect URI are trusted: a failure is sent back to the
/// client, as (error, description). Gives the PKCE challenge, the resource and the scopes asked for.
fn check_trusted(shared: &Shared, params: &Params) -> Result<Trusted, (&'static str, String)> {
    let fail = |error: &'static str, description: String| (error, description);
    if params.get("response_type") != Some("code") {
        return Err(fail(
            "unsupported_response_type",
            "only response_type=code is supported".into(),
        ));
    }
    let code_challenge = params.get("code_challenge").ok_or_else(|| {
        fail(
            "invalid_request",
            "PKCE is required: send code_challenge with code_challenge_method=S256".into(),
        )
    })?;
    if params.get("code_challenge_method") != Some("S256") {
        return Err(fail(
            "invalid_request",
            "only code_challenge_method=S256 is supported (plain is refused)".into(),
        ));
    }
    if !(43..=128).contains(&code_challenge.len())
        || !code_challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
    {
        return Err(fail(
            "invalid_request",
            "code_challenge must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~".into(),
        ));
    }
    let resource = match params.get("resource") {
        None => shared.resource.clone(),
        Some(resource) if resource == shared.resource => resource.to_owned(),
        Some(_) => {
            return Err(fail(
                "invalid_target",
                format!(
                    "this server issues tokens only for the resource {}",
                    shared.resource
                ),
            ));
        }
    };
    let mut requested = scope_list(params.get("scope").unwrap_or(""));
    // Not a scope of the server: the OpenID Connect way of asking for a refresh token.
    let offline = requested.iter().any(|s| s == OFFLINE_ACCESS);
    requested.retain(|s| s != OFFLINE_ACCESS);
    if let Some(unknown) = requested.iter().find(|s| shared.scope(s).is_none()) {
        let known: Vec<&str> = shared.scopes.iter().map(|s| s.name.as_str()).collect();
        return Err(fail(
            "invalid_scope",
            format!(
                "unknown scope `{}`; this server's scopes are: {}",
                clip(unknown),
                known.join(" ")
            ),
        ));
    }
    if requested.is_empty() {
        requested = shared
            .scopes
            .iter()
            .filter(|s| s.baseline)
            .map(|s| s.name.clone())
            .collect();
    }
    if requested.is_empty() {
        return Err(fail(
            "invalid_scope",
            "no scope requested and this server has no baseline scope".into(),
        ));
    }
    Ok(Trusted {
        code_challenge: code_challenge.to_owned(),
        resource,
        requested,
        offline,
    })
}

fn refusal(shared: &Shared, refused: Refused) -> Response {
    match refused {
        Refused::Page(status, message) => error_page(status, &message),
        Refused::Redirect {
            redirect_uri,
            state,
            error,
            description,
        } => redirect_with(
            &redirect_uri,
            &[
                ("error", Some(error)),
                ("error_description", Some(&description)),
                ("state", state.as_deref()),
                ("iss", Some(&shared.issuer)),
            ],
        ),
    }
}

/// Whether a browser's `Origin` (when sent) is this very server (`http://` + the `Host` asked for).
/// The cookie holding the anti-CSRF token of consent request `request_id`.
pub(super) fn cookie_name(request_id: &str) -> String {
    format!("mcp_consent_{request_id}")
}

pub(super) fn clip(value: &str) -> String {
    value.chars().take(60).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dev_authorization::test_support::{ISSUER, redirect_params, shared};

    /// RFC 6749 §4.1.2.1 `invalid_scope` when the request names no scope and no scope of the
    /// server is a baseline one to fall back on (db-server always has one, so only here).
    #[tokio::test]
    async fn no_scope_asked_and_no_baseline_scope_goes_back_as_invalid_scope() {
        let scope = crate::manifest::ManifestScope {
            name: "files:write".to_owned(),
            display_name: "Write files".to_owned(),
            description: "Write files".to_owned(),
            baseline: false,
            implies: Vec::new(),
            tools: vec!["write".to_owned()],
            resources: Vec::new(),
            prompts: Vec::new(),
        };
        let shared = Arc::new(shared(vec![scope]));
        let query = format!(
            "response_type=code&client_id=client&state=s%26t&code_challenge_method=S256&code_challenge={}",
            "a".repeat(43)
        );
        let response = show_consent(State(Arc::clone(&shared)), RawQuery(Some(query))).await;
        let answer = redirect_params(&response);
        assert_eq!(answer["error"], "invalid_scope", "{answer:?}");
        assert!(
            answer["error_description"].contains("no baseline scope"),
            "{answer:?}"
        );
        assert_eq!(answer["state"], "s&t");
        assert_eq!(answer["iss"], ISSUER);
        assert!(!answer.contains_key("code"));
        assert!(
            response.headers().get(SET_COOKIE).is_none(),
            "no consent form"
        );
    }
}
