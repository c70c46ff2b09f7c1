//! The development authorization server's perimeter in `db-server`: who may reach it at all (a
//! loopback `Host` only), the consent form's CSRF protection, and the bounds on dynamic client
//! registration. Each refusal gives nothing away and issues nothing.

mod binary_support;

use binary_support::dev_server_with_oauth;
use mcp_scopes_tests::oauth_client::{Pkce, REDIRECT_URI};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, LOCATION};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn a_non_loopback_host_is_refused_on_every_route() {
    let (_dir, _server, oauth) = dev_server_with_oauth();
    let client_id = oauth.register_client("Host", false).await;
    let params = oauth.authorize_params(&client_id, "db:query", &Pkce::new());
    let response = oauth
        .authorize_raw(&params, Some("rebound.example:80"))
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(response.headers().get(LOCATION).is_none());
    // The routes client code calls answer JSON it can parse; the browser's routes, a page.
    for (method, path, json) in [
        ("GET", "/.well-known/oauth-authorization-server", true),
        ("POST", "/oauth/register", true),
        ("POST", "/oauth/token", true),
        ("GET", "/oauth/authorize", false),
        ("POST", "/oauth/authorize", false),
    ] {
        let response = oauth
            .http
            .request(
                method.parse().expect("method"),
                format!("{}{path}", oauth.origin),
            )
            .header("Host", "127.0.0.1.nip.io")
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{method} {path}");
        assert!(
            response.headers().get(LOCATION).is_none(),
            "{method} {path}"
        );
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = response.text().await.expect("body");
        if json {
            assert_eq!(content_type, "application/json", "{method} {path}");
            let error: serde_json::Value = serde_json::from_str(&body).expect("a JSON body");
            assert_eq!(error["error"], "invalid_request", "{method} {path}: {body}");
            assert!(
                error["error_description"]
                    .as_str()
                    .is_some_and(|d| d.contains("only answers this machine")),
                "{method} {path}: {body}"
            );
        } else {
            assert!(
                content_type.starts_with("text/html"),
                "{method} {path}: {content_type}"
            );
            assert!(body.contains("only answers this machine"), "{body}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_consent_answer_without_the_pages_csrf_token_and_cookie_is_refused() {
    let (_dir, _server, oauth) = dev_server_with_oauth();
    let client_id = oauth.register_client("Csrf", false).await;
    let page = oauth
        .consent_page(&oauth.authorize_params(&client_id, "db:query", &Pkce::new()))
        .await;
    let forged_cookie = format!("{}=forged", page.cookie.split('=').next().expect("name"));
    for (csrf, cookie) in [
        (None, Some(page.cookie.as_str())),
        (Some("forged"), Some(page.cookie.as_str())),
        (Some(page.csrf.as_str()), None),
        (Some(page.csrf.as_str()), Some(forged_cookie.as_str())),
    ] {
        let response = oauth
            .answer(&page, "approve", &["db:query"], csrf, cookie)
            .await;
        assert_eq!(
            response.status(),
            StatusCode::FORBIDDEN,
            "{csrf:?} {cookie:?}"
        );
        assert!(response.headers().get(LOCATION).is_none());
    }
    // A cross-site Origin (or the `null` of a sandboxed or referrer-less form) is refused even with
    // the right token.
    for origin in ["https://evil.example", "null"] {
        let response = oauth
            .http
            .post(format!("{}/oauth/authorize", oauth.origin))
            .header("Origin", origin)
            .header("Cookie", &page.cookie)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(mcp_scopes_tests::oauth_client::encode([
                ("request", page.request.as_str()),
                ("csrf", page.csrf.as_str()),
                ("decision", "approve"),
                ("scope", "db:query"),
            ]))
            .send()
            .await
            .expect("post");
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{origin}");
    }
    // The forgeries did not use up the developer's pending consent; answering it once works, twice not.
    let answer = oauth.approve(&page, &["db:query"]).await;
    assert!(answer.contains_key("code"), "{answer:?}");
    let again = oauth
        .answer(
            &page,
            "approve",
            &["db:query"],
            Some(&page.csrf),
            Some(&page.cookie),
        )
        .await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread")]
async fn registration_is_bounded_in_size_and_count() {
    let (_dir, _server, oauth) = dev_server_with_oauth();
    let too_many: Vec<String> = (0..11)
        .map(|i| format!("http://127.0.0.1:{}/cb", 1000 + i))
        .collect();
    for (document, error) in [
        (json!({"redirect_uris": too_many}), "invalid_redirect_uri"),
        (json!({"redirect_uris": []}), "invalid_redirect_uri"),
        (
            json!({"redirect_uris": [REDIRECT_URI], "client_name": "n".repeat(201)}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": [REDIRECT_URI], "token_endpoint_auth_method": "client_secret_basic"}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": [REDIRECT_URI], "grant_types": ["client_credentials"]}),
            "invalid_client_metadata",
        ),
        (json!(["not an object"]), "invalid_client_metadata"),
    ] {
        let (status, body) = oauth.register(&document).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some(error)),
            "{document}: {body}"
        );
    }
    let huge = json!({"redirect_uris": [REDIRECT_URI], "software_statement": "x".repeat(20_000)});
    let (status, _) = oauth.register(&huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    for _ in 0..256 {
        let (status, _) = oauth
            .register(&json!({"redirect_uris": [REDIRECT_URI]}))
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (status, body) = oauth
        .register(&json!({"redirect_uris": [REDIRECT_URI]}))
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error"], "temporarily_unavailable");
}
