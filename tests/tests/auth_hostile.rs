//! A catalogue of hostile tokens: each must get its own error, the right HTTP status (401, or 400 for
//! what cannot even be a bearer token), and never a panic or an echo of the token.

use axum::Router;
use axum::body::Body;
use axum::routing::get;
use http::{Request, StatusCode};
use mcp_scopes::auth::{AuthError, BearerAuthLayer, Challenge, Principal, Validator};
use mcp_scopes_tests::auth::{
    ISSUER, KEYS, RESOURCE, TestKey, b64, default_validator, good_claims, good_claims_with,
    good_claims_without, now,
};
use mcp_scopes_tests::http::{Reply, send};
use serde_json::{Value, json};

fn hs256_with_public_key(kid: &str, key: &[u8]) -> String {
    let input = format!(
        "{}.{}",
        b64(json!({"alg": "HS256", "typ": "JWT", "kid": kid}).to_string()),
        b64(good_claims().to_string())
    );
    let mac = aws_lc_rs::hmac::sign(
        &aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, key),
        input.as_bytes(),
    );
    format!("{input}.{}", b64(mac.as_ref()))
}

/// `token` with its claims replaced by an escalated scope, the header and signature kept.
fn edited(token: &str) -> String {
    let mut parts = token.split('.');
    let (head, _, sig) = (parts.next(), parts.next(), parts.next());
    format!(
        "{}.{}.{}",
        head.expect("header"),
        b64(good_claims_with(&json!({"scope": "db:admin"})).to_string()),
        sig.expect("signature")
    )
}

/// `token` with the last byte of its signature dropped.
fn truncated(token: &str) -> String {
    let (signed, sig) = token.rsplit_once('.').expect("three parts");
    let mut sig = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, sig)
        .expect("base64url signature");
    sig.pop();
    format!("{signed}.{}", b64(sig))
}

/// (name, token, expected error).
#[allow(
    clippy::too_many_lines,
    reason = "a catalogue: one entry per hostile token"
)]
fn hostile_tokens() -> Vec<(&'static str, String, AuthError)> {
    let k = &*KEYS;
    let good = k.p256.good_token(&json!({}));
    let (head, rest) = good.split_once('.').expect("three parts");
    let (_, sig) = rest.split_once('.').expect("three parts");
    let header_p256 = |h: Value| k.p256.token_raw(h, good_claims().to_string().as_bytes());
    let payload = |bytes: &[u8]| k.p256.token_raw(json!({"alg": "ES256"}), bytes);
    let exp_now = now();
    vec![
        (
            "alg none",
            format!(
                "{}.{}.",
                b64(r#"{"alg":"none","kid":"p256-1"}"#),
                b64(good_claims().to_string())
            ),
            AuthError::AlgorithmNotAllowed,
        ),
        (
            "alg None",
            format!(
                "{}.{}.",
                b64(r#"{"alg":"None","kid":"p256-1"}"#),
                b64(good_claims().to_string())
            ),
            AuthError::AlgorithmNotAllowed,
        ),
        (
            "alg missing",
            header_p256(json!({"typ": "JWT"})),
            AuthError::AlgorithmNotAllowed,
        ),
        (
            "alg ES521",
            header_p256(json!({"alg": "ES521"})),
            AuthError::AlgorithmNotAllowed,
        ),
        (
            "alg es512 in lower case",
            k.p521.token("es512", &good_claims()),
            AuthError::AlgorithmNotAllowed,
        ),
        (
            "HS256 keyed with the RSA public key",
            hs256_with_public_key("rsa-1", &k.rsa.public_bytes()),
            AuthError::AlgorithmNotAllowed,
        ),
        (
            "crit header",
            header_p256(json!({"alg": "ES256", "crit": ["exp"], "exp": 1})),
            AuthError::CriticalHeader,
        ),
        (
            "empty crit header",
            header_p256(json!({"alg": "ES256", "crit": []})),
            AuthError::CriticalHeader,
        ),
        (
            "missing kid",
            format!(
                "{}.{}.{}",
                b64(r#"{"alg":"ES256"}"#),
                b64(good_claims().to_string()),
                sig
            ),
            AuthError::MissingKeyId,
        ),
        (
            "numeric kid",
            header_p256(json!({"alg": "ES256", "kid": 7})),
            AuthError::MissingKeyId,
        ),
        (
            "unknown kid",
            k.stranger.good_token(&json!({})),
            AuthError::UnknownKeyId,
        ),
        (
            "jku pointing elsewhere",
            k.stranger.token_raw(
                json!({"alg": "ES256", "jku": "https://evil.test/jwks"}),
                good_claims().to_string().as_bytes(),
            ),
            AuthError::UnknownKeyId,
        ),
        (
            "embedded jwk with our kid",
            k.stranger.token_raw(
                json!({"alg": "ES256", "kid": "p256-1", "jwk": k.stranger.jwk()}),
                good_claims().to_string().as_bytes(),
            ),
            AuthError::BadSignature,
        ),
        (
            "RS256 with an EC key",
            header_p256(json!({"alg": "RS256"})),
            AuthError::AlgorithmKeyMismatch,
        ),
        (
            "ES384 with a P-256 key",
            header_p256(json!({"alg": "ES384"})),
            AuthError::AlgorithmKeyMismatch,
        ),
        (
            "ES256 with a P-384 key",
            k.p384.token("ES256", &good_claims()),
            AuthError::AlgorithmKeyMismatch,
        ),
        (
            "ES512 with a P-256 key",
            header_p256(json!({"alg": "ES512"})),
            AuthError::AlgorithmKeyMismatch,
        ),
        (
            "ES512 with a P-384 key",
            k.p384.token_raw(
                json!({"alg": "ES512"}),
                good_claims().to_string().as_bytes(),
            ),
            AuthError::AlgorithmKeyMismatch,
        ),
        (
            "ES384 with a P-521 key",
            k.p521.token_raw(
                json!({"alg": "ES384"}),
                good_claims().to_string().as_bytes(),
            ),
            AuthError::AlgorithmKeyMismatch,
        ),
        (
            "RS512 with a P-521 key",
            k.p521.token_raw(
                json!({"alg": "RS512"}),
                good_claims().to_string().as_bytes(),
            ),
            AuthError::AlgorithmKeyMismatch,
        ),
        (
            "ES512 signed by a stranger's P-521 key under our kid",
            TestKey::p521("stranger-p521").token_raw(
                json!({"alg": "ES512", "kid": "p521-1"}),
                good_claims().to_string().as_bytes(),
            ),
            AuthError::BadSignature,
        ),
        (
            "ES512 claims edited after signing",
            edited(&k.p521.good_token(&json!({}))),
            AuthError::BadSignature,
        ),
        (
            "ES512 signature truncated by a byte",
            truncated(&k.p521.good_token(&json!({}))),
            AuthError::BadSignature,
        ),
        (
            "ES512 expired",
            k.p521.good_token(&json!({"exp": exp_now - 120})),
            AuthError::Expired,
        ),
        (
            "EdDSA with an RSA key",
            k.rsa.token_raw(
                json!({"alg": "EdDSA"}),
                good_claims().to_string().as_bytes(),
            ),
            AuthError::AlgorithmKeyMismatch,
        ),
        (
            "PS256 with an Ed25519 key",
            k.ed.token_raw(
                json!({"alg": "PS256"}),
                good_claims().to_string().as_bytes(),
            ),
            AuthError::AlgorithmKeyMismatch,
        ),
        (
            "signed by a stranger under our kid",
            k.stranger.token_raw(
                json!({"alg": "ES256", "kid": "p256-1"}),
                good_claims().to_string().as_bytes(),
            ),
            AuthError::BadSignature,
        ),
        (
            "claims edited after signing",
            format!(
                "{head}.{}.{sig}",
                b64(good_claims_with(&json!({"scope": "db:admin"})).to_string())
            ),
            AuthError::BadSignature,
        ),
        (
            "empty signature",
            format!("{head}.{}.", rest.split_once('.').expect("parts").0),
            AuthError::BadSignature,
        ),
        (
            "expired",
            k.p256.good_token(&json!({"exp": exp_now - 120})),
            AuthError::Expired,
        ),
        (
            "nbf in the future",
            k.p256.good_token(&json!({"nbf": exp_now + 600})),
            AuthError::NotYetValid,
        ),
        (
            "missing exp",
            k.p256.token("ES256", &good_claims_without("exp")),
            AuthError::MissingClaim("exp"),
        ),
        (
            "exp as a string",
            k.p256
                .good_token(&json!({"exp": (exp_now + 600).to_string()})),
            AuthError::InvalidClaim("exp"),
        ),
        (
            "nbf as a string",
            k.p256.good_token(&json!({"nbf": "yesterday"})),
            AuthError::InvalidClaim("nbf"),
        ),
        (
            "missing aud",
            k.p256.token("ES256", &good_claims_without("aud")),
            AuthError::MissingClaim("aud"),
        ),
        (
            "other aud",
            k.p256.good_token(&json!({"aud": "https://other.test/mcp"})),
            AuthError::WrongAudience,
        ),
        (
            "aud array without ours",
            k.p256
                .good_token(&json!({"aud": ["client-1", "https://other.test"]})),
            AuthError::WrongAudience,
        ),
        (
            "aud with a trailing slash",
            k.p256.good_token(&json!({"aud": format!("{RESOURCE}/")})),
            AuthError::WrongAudience,
        ),
        (
            "aud as a number",
            k.p256.good_token(&json!({"aud": 1})),
            AuthError::InvalidClaim("aud"),
        ),
        (
            "missing iss",
            k.p256.token("ES256", &good_claims_without("iss")),
            AuthError::MissingClaim("iss"),
        ),
        (
            "other iss",
            k.p256.good_token(&json!({"iss": "https://evil.test"})),
            AuthError::WrongIssuer,
        ),
        (
            "iss with a trailing slash",
            k.p256.good_token(&json!({"iss": format!("{ISSUER}/")})),
            AuthError::WrongIssuer,
        ),
        (
            "1 MiB token",
            format!("{head}.{}.{sig}", "A".repeat(1024 * 1024)),
            AuthError::TokenTooLarge,
        ),
        (
            "bad base64 header",
            format!("!!!.{rest}"),
            AuthError::Malformed("the header is not a base64url JSON object"),
        ),
        (
            "padded base64 header",
            format!("{head}==.{rest}"),
            AuthError::Malformed("the header is not a base64url JSON object"),
        ),
        (
            "header not JSON",
            format!("{}.{rest}", b64("{alg:ES256")),
            AuthError::Malformed("the header is not a base64url JSON object"),
        ),
        (
            "header a JSON array",
            format!("{}.{rest}", b64("[\"ES256\"]")),
            AuthError::Malformed("the header is not a base64url JSON object"),
        ),
        (
            "two parts",
            format!("{head}.{sig}"),
            AuthError::Malformed("not three dot-separated parts"),
        ),
        (
            "four parts",
            format!("{good}.{sig}"),
            AuthError::Malformed("not three dot-separated parts"),
        ),
        (
            "payload not base64",
            format!("{}.%%%", b64(r#"{"alg":"ES256","kid":"p256-1"}"#)).to_string()
                + "."
                + &b64(k.p256.sign(
                    "ES256",
                    format!("{}.%%%", b64(r#"{"alg":"ES256","kid":"p256-1"}"#)).as_bytes(),
                )),
            AuthError::ClaimsNotJson,
        ),
        (
            "payload not JSON",
            payload(b"{\"exp\": "),
            AuthError::ClaimsNotJson,
        ),
        (
            "payload a JSON array",
            payload(b"[1, 2, 3]"),
            AuthError::ClaimsNotObject,
        ),
        (
            "payload a JSON string",
            payload(b"\"claims\""),
            AuthError::ClaimsNotObject,
        ),
        (
            "exp out of range",
            payload(format!(r#"{{"iss":"{ISSUER}","aud":"{RESOURCE}","exp":1e400}}"#).as_bytes()),
            AuthError::ClaimsNotJson,
        ),
        (
            "scope with a quote",
            k.p256.good_token(&json!({"scope": "db:query a\"b"})),
            AuthError::InvalidClaim("scope"),
        ),
        (
            "scope with a control character",
            k.p256
                .good_token(&json!({"scope": "db:query\r\nX-Injected: 1"})),
            AuthError::InvalidClaim("scope"),
        ),
        (
            "scope with non-ASCII",
            k.p256.good_token(&json!({"scope": "db:qüery"})),
            AuthError::InvalidClaim("scope"),
        ),
        (
            "scope as an array",
            k.p256.good_token(&json!({"scope": ["db:query"]})),
            AuthError::InvalidClaim("scope"),
        ),
        (
            "scp entry holding two scopes",
            k.p256
                .good_token(&json!({"scp": ["db:query", "db:modify db:admin"]})),
            AuthError::InvalidClaim("scp"),
        ),
        (
            "scp with a number",
            k.p256.good_token(&json!({"scp": ["db:query", 3]})),
            AuthError::InvalidClaim("scp"),
        ),
        (
            "sub as a number",
            k.p256.good_token(&json!({"sub": 42})),
            AuthError::InvalidClaim("sub"),
        ),
    ]
}

#[tokio::test]
async fn each_hostile_token_gets_its_own_error() {
    let validator = default_validator();
    let tokens = hostile_tokens();
    assert!(tokens.len() >= 30, "only {} hostile tokens", tokens.len());
    for (name, token, expected) in tokens {
        let got = validator.validate(&token).await;
        assert_eq!(got.as_ref().err(), Some(&expected), "{name}: got {got:?}");
    }
}

fn protected(validator: Validator) -> Router {
    Router::new()
        .route(
            "/mcp",
            get(|p: Principal| async move { p.subject.unwrap_or_default() }),
        )
        .layer(BearerAuthLayer::new(
            validator,
            Challenge::for_resource(RESOURCE),
        ))
}

async fn call(app: &Router, token: &str) -> Reply {
    let request = Request::get("/mcp")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    send(app, request).await
}

/// A token68 can be sent as is; others are a malformed header (400) before any validation.
fn is_token68(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
}

#[tokio::test]
async fn hostile_tokens_over_http_get_401_or_400_and_are_never_echoed() {
    let app = protected(default_validator());
    for (name, token, expected) in hostile_tokens() {
        let reply = call(&app, &token).await;
        let (status, challenge, body) =
            (reply.status, reply.challenge().unwrap_or(""), &reply.text);
        if is_token68(&token) {
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{name}");
            assert!(
                challenge.contains(r#"error="invalid_token""#),
                "{name}: {challenge}"
            );
            assert!(
                challenge.contains(&format!(r#"error_description="{expected}""#)),
                "{name}: {challenge}"
            );
            assert_eq!(reply.json()["error"], "invalid_token", "{name}");
        } else {
            assert_eq!(status, StatusCode::BAD_REQUEST, "{name}");
            assert!(
                challenge.contains(r#"error="invalid_request""#),
                "{name}: {challenge}"
            );
        }
        for part in token.split('.').filter(|p| p.len() > 8) {
            assert!(
                !body.contains(part) && !challenge.contains(part),
                "{name}: token echoed"
            );
        }
    }
}
