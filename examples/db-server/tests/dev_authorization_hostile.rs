//! Hostile inputs to the development authorization server of `db-server`: each refused with the
//! right OAuth error, the right way (an error page where the redirect URI cannot be trusted, a
//! redirect to the client otherwise), and nothing issued.

mod binary_support;

use binary_support::{Server, dev_server_with_oauth, free_port};
use mcp_scopes_tests::oauth_client::{DevOAuth, Pkce, REDIRECT_URI, claims, redirect_query};
use mcp_scopes_tests::rpc_client::rpc;
use reqwest::StatusCode;
use reqwest::header::LOCATION;
use serde_json::json;

/// The parameters of `base` with `name` set to `value` (or removed, for `None`).
fn with(base: &[(String, String)], name: &str, value: Option<&str>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = base.iter().filter(|(k, _)| k != name).cloned().collect();
    if let Some(value) = value {
        out.push((name.to_owned(), value.to_owned()));
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_name_with_markup_is_shown_escaped() {
    let (_dir, _server, oauth) = dev_server_with_oauth();
    let name = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>";
    let client_id = oauth.register_client(name, false).await;
    let page = oauth
        .consent_page(&oauth.authorize_params(&client_id, "db:query", &Pkce::new()))
        .await;
    assert!(!page.html.contains("<script"), "{}", page.html);
    assert!(!page.html.contains("<img"), "{}", page.html);
    assert!(
        page.html.contains(
            "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"
        ),
        "{}",
        page.html
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn redirect_uris_to_other_hosts_are_refused_and_never_followed() {
    let (_dir, _server, oauth) = dev_server_with_oauth();
    for uri in [
        "http://evil.example/cb",
        "javascript:alert(1)",
        "https://x.example/cb#f",
    ] {
        let (status, body) = oauth
            .register(&json!({"client_name": "x", "redirect_uris": [uri]}))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(body["error"], "invalid_redirect_uri", "{uri}: {body}");
    }
    let client_id = oauth.register_client("Honest", false).await;
    let params = oauth.authorize_params(&client_id, "db:query", &Pkce::new());
    for uri in [
        "https://evil.example/callback",
        "http://localhost:49152/callback",
        "http://127.0.0.1:49152/other",
    ] {
        let response = oauth
            .authorize_raw(&with(&params, "redirect_uri", Some(uri)), None)
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{uri}");
        assert!(
            response.headers().get(LOCATION).is_none(),
            "{uri}: no redirect"
        );
        let page = response.text().await.expect("page");
        assert!(
            page.contains("not one the application registered"),
            "{page}"
        );
    }
    // An unknown client: an error page, not a redirect to whatever it names.
    let response = oauth
        .authorize_raw(&with(&params, "client_id", Some("forged")), None)
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.headers().get(LOCATION).is_none());
    // A loopback redirect URI on another port is the same registered one (RFC 8252 §7.3).
    let page = oauth
        .consent_page(&with(
            &params,
            "redirect_uri",
            Some("http://127.0.0.1:50000/callback"),
        ))
        .await;
    assert!(page.html.contains("http://127.0.0.1:50000/callback"));
}

#[tokio::test(flavor = "multi_thread")]
async fn pkce_is_s256_only_and_the_verifier_must_match() {
    let (_dir, _server, oauth) = dev_server_with_oauth();
    let client_id = oauth.register_client("Pkce", false).await;
    let pkce = Pkce::new();
    let params = oauth.authorize_params(&client_id, "db:query", &pkce);
    for (name, value, needle) in [
        (
            "code_challenge_method",
            Some("plain"),
            "only code_challenge_method=S256",
        ),
        (
            "code_challenge_method",
            None,
            "only code_challenge_method=S256",
        ),
        ("code_challenge", None, "PKCE is required"),
        ("code_challenge", Some("short"), "43 to 128 characters"),
    ] {
        let response = oauth.authorize_raw(&with(&params, name, value), None).await;
        let answer = redirect_query(&response);
        assert_eq!(answer["error"], "invalid_request", "{name}={value:?}");
        assert!(answer["error_description"].contains(needle), "{answer:?}");
        assert_eq!(answer["state"], "st<>&\"ate");
    }
    for verifier in [None, Some("wrong-verifier-wrong-verifier-wrong-verifier-x")] {
        let page = oauth.consent_page(&params).await;
        let code = oauth.approve(&page, &["db:query"]).await["code"].clone();
        let mut request = vec![
            ("grant_type", "authorization_code"),
            ("client_id", client_id.as_str()),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT_URI),
        ];
        if let Some(verifier) = verifier {
            request.push(("code_verifier", verifier));
        }
        let (status, body) = oauth.token(&request).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let expected = if verifier.is_some() {
            "invalid_grant"
        } else {
            "invalid_request"
        };
        assert_eq!(body["error"], expected, "{body}");
        assert!(body.get("access_token").is_none());
    }
}

/// RFC 6749 §4.1.2: a reused code is refused and what was issued from it is revoked, as far as the
/// development authorization server can: the refresh token. The access token cannot be called back
/// (the resource server checks signatures, not a list), so it works until it expires, and the
/// refusal says so, with the lifetime (`--dev-token-lifetime`).
#[tokio::test(flavor = "multi_thread")]
async fn a_reused_code_is_refused_and_revokes_the_refresh_token_it_gave() {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let _server = Server::start_with(
        port,
        &dir.path().join("data"),
        &["--dev-token-lifetime", "5m"],
    );
    let oauth = DevOAuth::new(&format!("http://127.0.0.1:{port}/mcp"));
    let client_id = oauth.register_client("Reuse", true).await;
    let pkce = Pkce::new();
    let page = oauth
        .consent_page(&oauth.authorize_params(&client_id, "db:query offline_access", &pkce))
        .await;
    let code = oauth.approve(&page, &["db:query"]).await["code"].clone();
    let (status, first) = oauth.exchange(&client_id, &code, &pkce).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let (status, second) = oauth.exchange(&client_id, &code, &pkce).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(second["error"], "invalid_grant", "{second}");
    assert!(second.get("access_token").is_none());
    let description = second["error_description"].as_str().unwrap_or_default();
    assert!(
        description.contains("refresh token issued from it is revoked")
            && description.contains("stays valid until it expires (at most 300 s)"),
        "{description}"
    );
    let refresh = first["refresh_token"].as_str().expect("refresh token");
    let (status, body) = oauth
        .token(&[
            ("grant_type", "refresh_token"),
            ("client_id", &client_id),
            ("refresh_token", refresh),
        ])
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant")),
        "{body}"
    );
    // The window the refusal names: the access token still calls a tool, for 300 s from its issue.
    let access = first["access_token"].as_str().expect("access token");
    let claims = claims(access);
    assert_eq!(
        claims["exp"]
            .as_i64()
            .zip(claims["iat"].as_i64())
            .map(|(exp, iat)| exp - iat),
        Some(300),
        "{claims}"
    );
    let call = rpc(
        &oauth.http,
        &oauth.resource,
        Some(access),
        "tools/call",
        json!({"name": "list_tables", "arguments": {}}),
    )
    .await;
    assert_eq!(call.status, StatusCode::OK, "{call:?}");
}

/// RFC 6749 §4.1.2.1: once the client and its redirect URI are trusted, a refusal goes back to the
/// client with the error, its `state` and `iss`, and no code. (`invalid_request` is in
/// `pkce_is_s256_only_and_the_verifier_must_match`, a Deny in `dev_authorization.rs`; the refusals
/// db-server cannot reach, `invalid_scope` with no baseline scope and `temporarily_unavailable`,
/// are unit tests of `authorize` and `decision` in mcp-scopes.)
#[tokio::test(flavor = "multi_thread")]
async fn an_unsupported_response_type_and_other_refusals_go_back_with_the_state() {
    let (_dir, _server, oauth) = dev_server_with_oauth();
    let client_id = oauth.register_client("Refused", false).await;
    let params = oauth.authorize_params(&client_id, "db:query", &Pkce::new());
    for (name, value, error) in [
        ("response_type", Some("token"), "unsupported_response_type"),
        (
            "response_type",
            Some("code id_token"),
            "unsupported_response_type",
        ),
        ("response_type", None, "unsupported_response_type"),
        ("resource", Some("http://127.0.0.1:1/mcp"), "invalid_target"),
        ("scope", Some("db:query db:everything"), "invalid_scope"),
    ] {
        let response = oauth.authorize_raw(&with(&params, name, value), None).await;
        assert!(
            response.headers().get("set-cookie").is_none(),
            "no consent form"
        );
        let answer = redirect_query(&response);
        assert_eq!(answer["error"], error, "{name}={value:?}: {answer:?}");
        assert!(!answer["error_description"].is_empty(), "{answer:?}");
        assert_eq!(answer["state"], "st<>&\"ate", "{answer:?}");
        assert_eq!(answer["iss"], oauth.origin, "{answer:?}");
        assert!(!answer.contains_key("code"), "nothing issued: {answer:?}");
    }
    // Approving with every box unticked grants nothing: a denial, not a code for no scope.
    let page = oauth.consent_page(&params).await;
    let answer = oauth.approve(&page, &[]).await;
    assert_eq!(answer["error"], "access_denied", "{answer:?}");
    assert!(answer["error_description"].contains("approved no scope"));
    assert_eq!(answer["state"], "st<>&\"ate");
    assert!(!answer.contains_key("code"), "nothing issued: {answer:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn tokens_are_only_for_this_servers_resource_and_this_client() {
    let (_dir, _server, oauth) = dev_server_with_oauth();
    let client_id = oauth.register_client("Resource", false).await;
    let other_resource = format!("{}/other", oauth.origin);
    let pkce = Pkce::new();
    let params = oauth.authorize_params(&client_id, "db:query", &pkce);
    let response = oauth
        .authorize_raw(&with(&params, "resource", Some(&other_resource)), None)
        .await;
    assert_eq!(redirect_query(&response)["error"], "invalid_target");
    // A code for this server, redeemed for another resource or by another client: refused.
    let page = oauth.consent_page(&params).await;
    let code = oauth.approve(&page, &["db:query"]).await["code"].clone();
    let (status, body) = oauth
        .token(&[
            ("grant_type", "authorization_code"),
            ("client_id", &client_id),
            ("code", &code),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", &pkce.verifier),
            ("resource", &other_resource),
        ])
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_target")),
        "{body}"
    );
    let intruder = oauth.register_client("Intruder", false).await;
    let (status, body) = oauth.exchange(&intruder, &code, &pkce).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant")),
        "{body}"
    );
    // Unknown scopes are refused back to the client.
    let response = oauth
        .authorize_raw(
            &with(&params, "scope", Some("db:query db:everything")),
            None,
        )
        .await;
    assert_eq!(redirect_query(&response)["error"], "invalid_scope");
}
