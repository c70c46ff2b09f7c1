//! An OAuth client for the development authorization server (`mcp_scopes::dev_authorization`),
//! driving it over HTTP the way an MCP client and a user at the consent page would: register,
//! open the authorization URL, read the consent form (its hidden fields and cookie), answer it,
//! exchange the code. Redirects are never followed: tests read the `Location` they are sent to.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, HOST, LOCATION, SET_COOKIE};
use serde_json::{Value, json};

/// A loopback redirect URI nothing listens on: tests read the code from the `Location`.
pub const REDIRECT_URI: &str = "http://127.0.0.1:49152/callback";

/// A PKCE pair: a random verifier and its S256 challenge.
#[derive(Debug, Clone)]
pub struct Pkce {
    /// `code_verifier`.
    pub verifier: String,
    /// `code_challenge` (S256).
    pub challenge: String,
}

impl Pkce {
    /// A fresh pair.
    pub fn new() -> Self {
        let mut bytes = [0u8; 32];
        aws_lc_rs::rand::fill(&mut bytes).expect("random bytes");
        let verifier = URL_SAFE_NO_PAD.encode(bytes);
        let challenge = URL_SAFE_NO_PAD.encode(aws_lc_rs::digest::digest(
            &aws_lc_rs::digest::SHA256,
            verifier.as_bytes(),
        ));
        Self {
            verifier,
            challenge,
        }
    }
}

impl Default for Pkce {
    fn default() -> Self {
        Self::new()
    }
}

/// The consent page as a browser would see it.
#[derive(Debug, Clone)]
pub struct ConsentPage {
    /// The HTTP status.
    pub status: StatusCode,
    /// The HTML.
    pub html: String,
    /// The hidden `request` field.
    pub request: String,
    /// The hidden `csrf` field.
    pub csrf: String,
    /// The `Cookie` header to send back (`name=value`).
    pub cookie: String,
    /// The scope checkboxes, with whether each starts ticked.
    pub scopes: Vec<(String, bool)>,
    /// Every response header.
    pub headers: reqwest::header::HeaderMap,
}

/// A client of the development authorization server at `origin` (e.g. `http://127.0.0.1:8080`).
#[derive(Debug, Clone)]
pub struct DevOAuth {
    /// The issuer / origin.
    pub origin: String,
    /// The MCP resource URL.
    pub resource: String,
    /// An HTTP client that never follows redirects.
    pub http: reqwest::Client,
}

impl DevOAuth {
    /// A client for the server whose MCP endpoint is `resource`.
    pub fn new(resource: &str) -> Self {
        let url = reqwest::Url::parse(resource).expect("resource URL");
        Self {
            origin: url.origin().ascii_serialization(),
            resource: resource.to_owned(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
        }
    }

    /// POSTs a registration document; the status and the JSON answer.
    pub async fn register(&self, document: &Value) -> (StatusCode, Value) {
        let response = self
            .http
            .post(format!("{}/oauth/register", self.origin))
            .json(document)
            .send()
            .await
            .expect("register");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Registers a public client named `name` with [`REDIRECT_URI`]; its `client_id`.
    pub async fn register_client(&self, name: &str, refresh_tokens: bool) -> String {
        let grant_types = if refresh_tokens {
            json!(["authorization_code", "refresh_token"])
        } else {
            json!(["authorization_code"])
        };
        let (status, body) = self
            .register(&json!({
                "client_name": name,
                "redirect_uris": [REDIRECT_URI],
                "grant_types": grant_types,
                "token_endpoint_auth_method": "none",
            }))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["client_id"].as_str().expect("client_id").to_owned()
    }

    /// The usual authorization request parameters for `client_id`, `scope` and `pkce`.
    pub fn authorize_params(
        &self,
        client_id: &str,
        scope: &str,
        pkce: &Pkce,
    ) -> Vec<(String, String)> {
        [
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", REDIRECT_URI),
            ("scope", scope),
            ("state", "st<>&\"ate"),
            ("code_challenge", &pkce.challenge),
            ("code_challenge_method", "S256"),
            ("resource", &self.resource),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    /// GETs the authorization endpoint with `params` (and `host` as `Host` when given).
    pub async fn authorize_raw(
        &self,
        params: &[(String, String)],
        host: Option<&str>,
    ) -> reqwest::Response {
        let query = encode(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let mut request = self
            .http
            .get(format!("{}/oauth/authorize?{query}", self.origin));
        if let Some(host) = host {
            request = request.header(HOST, host);
        }
        request.send().await.expect("authorize")
    }

    /// GETs the authorization endpoint and reads the consent page (panics when it is not one).
    pub async fn consent_page(&self, params: &[(String, String)]) -> ConsentPage {
        let response = self.authorize_raw(params, None).await;
        let status = response.status();
        let headers = response.headers().clone();
        let cookie = headers
            .get(SET_COOKIE)
            .and_then(|c| c.to_str().ok())
            .and_then(|c| c.split(';').next())
            .unwrap_or("")
            .to_owned();
        let html = response.text().await.expect("page");
        assert_eq!(status, StatusCode::OK, "{html}");
        let hidden = |name: &str| {
            let marker = format!("name=\"{name}\" value=\"");
            let start = html.find(&marker).expect("hidden field") + marker.len();
            html[start..].split('"').next().expect("value").to_owned()
        };
        let scopes = html
            .split("<input type=\"checkbox\" name=\"scope\" value=\"")
            .skip(1)
            .map(|rest| {
                let (value, after) = rest.split_once('"').expect("value");
                (value.to_owned(), after.starts_with(" checked"))
            })
            .collect();
        ConsentPage {
            status,
            request: hidden("request"),
            csrf: hidden("csrf"),
            cookie,
            scopes,
            html,
            headers,
        }
    }

    /// POSTs the consent form: `decision` (`approve`/`deny`), the ticked `scopes`, and the given
    /// CSRF token and cookie (the page's, or forged ones).
    pub async fn answer(
        &self,
        page: &ConsentPage,
        decision: &str,
        scopes: &[&str],
        csrf: Option<&str>,
        cookie: Option<&str>,
    ) -> reqwest::Response {
        let mut form: Vec<(&str, &str)> = vec![("request", &page.request), ("decision", decision)];
        if let Some(csrf) = csrf {
            form.push(("csrf", csrf));
        }
        for scope in scopes {
            form.push(("scope", scope));
        }
        let mut request = self
            .http
            .post(format!("{}/oauth/authorize", self.origin))
            .header("Origin", &self.origin)
            .header(CONTENT_TYPE, FORM)
            .body(encode(form.iter().copied()));
        if let Some(cookie) = cookie {
            request = request.header(COOKIE, cookie);
        }
        request.send().await.expect("consent answer")
    }

    /// Approves `page` with `scopes` as the page itself would; the redirect's query parameters.
    pub async fn approve(&self, page: &ConsentPage, scopes: &[&str]) -> HashMap<String, String> {
        let response = self
            .answer(
                page,
                "approve",
                scopes,
                Some(&page.csrf),
                Some(&page.cookie),
            )
            .await;
        redirect_query(&response)
    }

    /// POSTs to the token endpoint; the status and the JSON answer.
    pub async fn token(&self, params: &[(&str, &str)]) -> (StatusCode, Value) {
        let response = self
            .http
            .post(format!("{}/oauth/token", self.origin))
            .header(CONTENT_TYPE, FORM)
            .body(encode(params.iter().copied()))
            .send()
            .await
            .expect("token");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Exchanges `code` with `pkce`'s verifier.
    pub async fn exchange(&self, client_id: &str, code: &str, pkce: &Pkce) -> (StatusCode, Value) {
        self.token(&[
            ("grant_type", "authorization_code"),
            ("client_id", client_id),
            ("code", code),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", &pkce.verifier),
            ("resource", &self.resource),
        ])
        .await
    }

    /// The whole flow for `client_id`: consent to `approve` of the `scope` asked for; the token
    /// response.
    pub async fn login(&self, client_id: &str, scope: &str, approve: &[&str]) -> Value {
        let pkce = Pkce::new();
        let page = self
            .consent_page(&self.authorize_params(client_id, scope, &pkce))
            .await;
        let answer = self.approve(&page, approve).await;
        let code = answer
            .get("code")
            .unwrap_or_else(|| panic!("no code: {answer:?}"));
        let (status, tokens) = self.exchange(client_id, code, &pkce).await;
        assert_eq!(status, StatusCode::OK, "{tokens}");
        tokens
    }
}

const FORM: &str = "application/x-www-form-urlencoded";

/// `pairs` as `application/x-www-form-urlencoded` (a query string or a form body).
pub fn encode<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// The query parameters of a redirect's `Location` (panics when the response is not a redirect).
pub fn redirect_query(response: &reqwest::Response) -> HashMap<String, String> {
    assert!(
        response.status().is_redirection(),
        "expected a redirect, got {}",
        response.status()
    );
    let location = response
        .headers()
        .get(LOCATION)
        .and_then(|l| l.to_str().ok())
        .expect("Location");
    assert!(
        location.starts_with(REDIRECT_URI),
        "redirected elsewhere: {location}"
    );
    reqwest::Url::parse(location)
        .expect("a URL")
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The claims of a JWT, unverified (the server verifies; tests read what it was given).
pub fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url")).expect("JSON")
}
