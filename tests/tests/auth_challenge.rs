//! The exact challenges a client sees (RFC 6750 + RFC 9728), from the layer and from `Challenge`
//! directly, and the `Principal` extractor behind the layer.

use axum::Router;
use axum::body::Body;
use axum::routing::get;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use mcp_scopes::auth::{
    AuthError, BearerAuthLayer, Challenge, Principal, Validator, ValidatorConfig,
};
use mcp_scopes_tests::auth::{ISSUER, RESOURCE, TestKey, jwks, now};
use mcp_scopes_tests::http::{Reply, send};
use serde_json::{Value, json};

const PRM: &str = "https://mcp.example.test/.well-known/oauth-protected-resource/mcp";

fn challenge() -> Challenge {
    Challenge::for_resource(RESOURCE).baseline_scopes(["db:query", "db:schema"])
}

fn app(key: &TestKey) -> Router {
    let validator =
        Validator::new(ValidatorConfig::new(ISSUER, RESOURCE).static_jwks(jwks(&[key])))
            .expect("config");
    Router::new()
        .route(
            "/mcp",
            get(|p: Principal| async move { format!("{} {}", p.subject.unwrap_or_default(), p.scopes) }),
        )
        .layer(BearerAuthLayer::new(validator, challenge()))
        .route("/open", get(|p: Principal| async move { p.issuer }))
}

async fn get_with(app: &Router, path: &str, authorization: &[&str]) -> Reply {
    let mut request = Request::get(path);
    for value in authorization {
        request = request.header("authorization", *value);
    }
    send(app, request.body(Body::empty()).expect("request")).await
}

#[tokio::test]
async fn no_credentials_gets_a_401_without_an_error_code() {
    let app = app(&TestKey::p256("k"));
    for headers in [&[][..], &["Basic dXNlcjpwYXNz"][..]] {
        let answer = get_with(&app, "/mcp", headers).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            answer.challenge(),
            Some(
                r#"Bearer realm="mcp", scope="db:query db:schema", resource_metadata="https://mcp.example.test/.well-known/oauth-protected-resource/mcp""#
            )
        );
        assert_eq!(
            answer.json(),
            json!({"error": "unauthorized", "message": "Authentication required. Use OAuth 2.0 with the authorization server listed in the Protected Resource Metadata."})
        );
    }
}

#[tokio::test]
async fn an_invalid_token_gets_invalid_token_with_a_short_description() {
    let key = TestKey::p256("k");
    let app = app(&key);
    let expired = key.good_token(&json!({"exp": now() - 3600}));
    let answer = get_with(&app, "/mcp", &[&format!("Bearer {expired}")]).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        answer.challenge(),
        Some(
            r#"Bearer realm="mcp", error="invalid_token", error_description="the token has expired", scope="db:query db:schema", resource_metadata="https://mcp.example.test/.well-known/oauth-protected-resource/mcp""#
        )
    );
    assert_eq!(
        answer.json(),
        json!({"error": "invalid_token", "message": "the token has expired"})
    );
}

#[tokio::test]
async fn a_malformed_authorization_header_gets_400_invalid_request() {
    let app = app(&TestKey::p256("k"));
    for headers in [
        &["Bearer"][..],
        &["Bearer a b"][..],
        &["Bearer a", "Bearer b"][..],
        &["Bearer t\u{e9}st"][..],
    ] {
        let answer = get_with(&app, "/mcp", headers).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{headers:?}");
        let challenge = answer.challenge().expect("a challenge");
        assert!(
            challenge
                .starts_with(r#"Bearer realm="mcp", error="invalid_request", error_description=""#),
            "{challenge}"
        );
        assert!(
            challenge.ends_with(&format!(r#"resource_metadata="{PRM}""#)),
            "{challenge}"
        );
        assert_eq!(answer.json()["error"], "invalid_request");
    }
}

#[tokio::test]
async fn a_valid_token_reaches_the_handler_with_its_principal() {
    let key = TestKey::ed25519("k");
    let app = app(&key);
    let token = key.good_token(&json!({"sub": "alice", "scope": "db:query db:modify"}));
    let answer = get_with(&app, "/mcp", &[&format!("bearer {token}")]).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.text, "alice db:modify db:query");
}

#[tokio::test]
async fn the_extractor_without_the_layer_answers_401() {
    let answer = get_with(&app(&TestKey::p256("k")), "/open", &[]).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.challenge(), Some("Bearer"));
}

#[tokio::test]
async fn insufficient_scope_names_every_needed_scope() {
    let c = challenge();
    assert_eq!(
        c.insufficient_scope_header(&["db:query", "db:modify"], None),
        r#"Bearer realm="mcp", error="insufficient_scope", scope="db:query db:modify", resource_metadata="https://mcp.example.test/.well-known/oauth-protected-resource/mcp""#
    );
    assert_eq!(
        c.clone()
            .without_realm()
            .insufficient_scope_header(&["db:modify"], Some(r#"needs "db:modify""#)),
        r#"Bearer error="insufficient_scope", error_description="needs \"db:modify\"", scope="db:modify", resource_metadata="https://mcp.example.test/.well-known/oauth-protected-resource/mcp""#
    );
    let response = c.insufficient_scope(&["db:modify"], None);
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        response.headers()["www-authenticate"],
        c.insufficient_scope_header(&["db:modify"], None)
    );
    let body: Value = serde_json::from_slice(
        &response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes(),
    )
    .expect("JSON");
    assert_eq!(
        body,
        json!({"error": "insufficient_scope", "message": "This operation needs the scopes: db:modify"})
    );
}

#[tokio::test]
async fn not_ready_is_503_with_retry_after_and_other_errors_are_401() {
    let c = Challenge::new(PRM).realm("Data \\ Server");
    let response = c.for_error(&AuthError::NotReady);
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()["retry-after"], "5");
    let response = c.for_error(&AuthError::WrongAudience);
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()["www-authenticate"],
        r#"Bearer realm="Data \\ Server", error="invalid_token", error_description="the token was issued for another audience", resource_metadata="https://mcp.example.test/.well-known/oauth-protected-resource/mcp""#
    );
}
