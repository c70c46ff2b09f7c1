//! The authorization endpoint's `POST`: the user's answer from the consent page, which ends in a
//! redirect to the client with a code, or with `access_denied`.
//!
//! The consent form is bound to its request: a random request id and a random anti-CSRF token,
//! both in the form and the token also in a `SameSite=Strict` cookie; the server keeps both and
//! takes the request out of its store when answered, so a form is answered once. A cross-site POST
//! carries neither the cookie nor the token, and a browser's `Origin` must be this server's.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use http::header::{COOKIE, HOST, ORIGIN, SET_COOKIE};
use http::{HeaderMap, HeaderValue, StatusCode};

use super::authorize::{clip, cookie_name};
use super::error::error_page;
use super::params::Params;
use super::redirect::redirect_with;
use super::shared::{Shared, random_token};
use super::store::{Code, Pending};

pub(super) async fn decide(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !same_origin(&headers) {
        return error_page(
            StatusCode::FORBIDDEN,
            "The answer did not come from this server's own consent page.",
        );
    }
    let form = match Params::parse(&body, &["scope"]) {
        Ok(form) => form,
        Err(e) => {
            return error_page(
                StatusCode::BAD_REQUEST,
                &format!("The form is malformed: {e}."),
            );
        }
    };
    let request_id = form.get("request").unwrap_or("");
    let Some(pending) = shared.store().take_pending(request_id) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "This consent page has expired or was already answered.",
        );
    };
    let cookie = cookie_value(&headers, &cookie_name(request_id));
    let form_csrf = form.get("csrf").unwrap_or("");
    if !(same_secret(form_csrf, &pending.csrf)
        && cookie.is_some_and(|c| same_secret(c, &pending.csrf)))
    {
        shared
            .store()
            .restore_pending(request_id.to_owned(), pending);
        return error_page(
            StatusCode::FORBIDDEN,
            "The form's anti-forgery token is missing or wrong: answer on the consent page itself.",
        );
    }
    let mut response = answer(&shared, &pending, &form);
    // The form is answered: its cookie is of no more use.
    if let Ok(expired) = HeaderValue::from_str(&format!(
        "{}=; Path={}; Max-Age=0; HttpOnly; SameSite=Strict",
        cookie_name(request_id),
        super::shared::AUTHORIZE_PATH
    )) {
        response.headers_mut().insert(SET_COOKIE, expired);
    }
    response
}

/// The redirect that carries the user's decision on `pending` back to the client.
fn answer(shared: &Shared, pending: &Pending, form: &Params) -> Response {
    let state = pending.state.as_deref();
    let issuer = Some(shared.issuer.as_str());
    let denied = |description: &str| {
        redirect_with(
            &pending.redirect_uri,
            &[
                ("error", Some("access_denied")),
                ("error_description", Some(description)),
                ("state", state),
                ("iss", issuer),
            ],
        )
    };
    match form.get("decision") {
        Some("approve") => {}
        Some("deny") => return denied("the user denied access"),
        _ => {
            return error_page(
                StatusCode::BAD_REQUEST,
                "The form carries neither Approve nor Deny.",
            );
        }
    }
    let granted: Vec<String> = pending
        .requested
        .iter()
        .filter(|s| form.all("scope").contains(s))
        .cloned()
        .collect();
    if let Some(extra) = form
        .all("scope")
        .iter()
        .find(|s| !pending.requested.contains(s))
    {
        return error_page(
            StatusCode::BAD_REQUEST,
            &format!(
                "The form grants `{}`, which the application did not ask for.",
                clip(extra)
            ),
        );
    }
    if granted.is_empty() {
        return denied("the user approved no scope");
    }
    let code = random_token();
    let grant = Code {
        client_id: pending.client_id.clone(),
        redirect_uri: pending.redirect_uri.clone(),
        redirect_uri_given: pending.redirect_uri_given,
        granted,
        offline: pending.offline,
        code_challenge: pending.code_challenge.clone(),
        resource: pending.resource.clone(),
        expires: Instant::now() + shared.code_ttl,
        redeemed: false,
        family: random_token(),
    };
    if shared.store().add_code(code.clone(), grant).is_err() {
        return redirect_with(
            &pending.redirect_uri,
            &[
                ("error", Some("temporarily_unavailable")),
                ("state", state),
                ("iss", issuer),
            ],
        );
    }
    redirect_with(
        &pending.redirect_uri,
        &[("code", Some(&code)), ("state", state), ("iss", issuer)],
    )
}

fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(ORIGIN) else {
        return true;
    };
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    origin
        .to_str()
        .is_ok_and(|o| o.eq_ignore_ascii_case(&format!("http://{host}")))
}

fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| h.split(';'))
        .find_map(|pair| {
            let (n, v) = pair.trim().split_once('=')?;
            (n == name).then_some(v)
        })
}

/// Compares secrets in constant time.
fn same_secret(given: &str, expected: &str) -> bool {
    aws_lc_rs::constant_time::verify_slices_are_equal(given.as_bytes(), expected.as_bytes()).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dev_authorization::store::MAX_CODES;
    use crate::dev_authorization::test_support::{ISSUER, REDIRECT_URI, redirect_params, shared};

    /// RFC 6749 §4.1.2.1 `temporarily_unavailable`: with the code table full, an approval goes
    /// back to the client with that error and its state, and no code.
    #[test]
    fn an_approval_with_the_code_table_full_goes_back_as_temporarily_unavailable() {
        let shared = shared(Vec::new());
        let expires = Instant::now() + shared.code_ttl;
        let pending = Pending {
            client_id: "client".to_owned(),
            redirect_uri: REDIRECT_URI.to_owned(),
            redirect_uri_given: true,
            requested: vec!["db:query".to_owned()],
            offline: false,
            state: Some("s&t".to_owned()),
            code_challenge: "a".repeat(43),
            resource: shared.resource.clone(),
            csrf: random_token(),
            expires,
        };
        for _ in 0..MAX_CODES {
            let code = Code {
                client_id: pending.client_id.clone(),
                redirect_uri: pending.redirect_uri.clone(),
                redirect_uri_given: true,
                granted: pending.requested.clone(),
                offline: false,
                code_challenge: pending.code_challenge.clone(),
                resource: pending.resource.clone(),
                expires,
                redeemed: false,
                family: random_token(),
            };
            shared
                .store()
                .add_code(random_token(), code)
                .expect("room until MAX_CODES");
        }
        let form = Params::parse(b"decision=approve&scope=db%3Aquery", &["scope"]).expect("form");
        let answer = redirect_params(&answer(&shared, &pending, &form));
        assert_eq!(answer["error"], "temporarily_unavailable", "{answer:?}");
        assert_eq!(answer["state"], "s&t");
        assert_eq!(answer["iss"], ISSUER);
        assert!(!answer.contains_key("code"));
    }
}
