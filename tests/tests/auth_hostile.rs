//! Token validation seen from outside: every rule accepted and rejected, and a catalogue of hostile
//! tokens that must each get the right error, the right HTTP status, and never a panic or an echo.

mod auth_support;

use std::sync::LazyLock;
use std::time::Duration;

use auth_support::{ISSUER, RESOURCE, TestKey, b64, good_claims, jwks, now};
use axum::Router;
use axum::body::Body;
use axum::routing::get;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use mcp_scopes::auth::{
    Algorithm, AuthError, BearerAuthLayer, Challenge, Principal, ScopeClaims, Validator,
    ValidatorConfig,
};
use serde_json::{Value, json};
use tower::ServiceExt;

struct Keys {
    rsa: TestKey,
    p256: TestKey,
    p384: TestKey,
    ed: TestKey,
    /// Not published: an attacker's key.
    stranger: TestKey,
}

static KEYS: LazyLock<Keys> = LazyLock::new(|| Keys {
    rsa: TestKey::rsa("rsa-1"),
    p256: TestKey::p256("p256-1"),
    p384: TestKey::p384("p384-1"),
    ed: TestKey::ed25519("ed-1"),
    stranger: TestKey::p256("stranger"),
});

fn published() -> Value {
    let k = &*KEYS;
    jwks(&[&k.rsa, &k.p256, &k.p384, &k.ed])
}

fn validator(config: ValidatorConfig) -> Validator {
    Validator::new(config.static_jwks(published())).expect("valid config")
}

fn default_validator() -> Validator {
    validator(ValidatorConfig::new(ISSUER, RESOURCE))
}

fn with(overrides: &Value) -> Value {
    let mut claims = good_claims();
    for (k, v) in overrides.as_object().expect("object") {
        claims[k] = v.clone();
    }
    claims
}

fn without(claim: &str) -> Value {
    let mut claims = good_claims();
    claims.as_object_mut().expect("object").remove(claim);
    claims
}

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
            "alg ES512",
            header_p256(json!({"alg": "ES512"})),
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
                b64(with(&json!({"scope": "db:admin"})).to_string())
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
            k.p256.token("ES256", &without("exp")),
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
            k.p256.token("ES256", &without("aud")),
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
            k.p256.token("ES256", &without("iss")),
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

async fn call(app: &Router, token: &str) -> (StatusCode, String, String) {
    let request = Request::get("/mcp")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().expect("ASCII").to_owned())
        .unwrap_or_default();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (
        status,
        challenge,
        String::from_utf8_lossy(&body).into_owned(),
    )
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
        let (status, challenge, body) = call(&app, &token).await;
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
            let json: Value = serde_json::from_str(&body).expect("JSON body");
            assert_eq!(json["error"], "invalid_token", "{name}");
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

#[tokio::test]
async fn every_key_family_and_algorithm_is_accepted() {
    let k = &*KEYS;
    let validator = default_validator();
    let mut cases = vec![("ES256", &k.p256), ("ES384", &k.p384), ("EdDSA", &k.ed)];
    for alg in ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"] {
        cases.push((alg, &k.rsa));
    }
    for (alg, key) in cases {
        let principal = validator
            .validate(&key.token(alg, &good_claims()))
            .await
            .unwrap_or_else(|e| panic!("{alg}: {e}"));
        assert_eq!(principal.subject.as_deref(), Some("user-1"));
        assert_eq!(principal.issuer, ISSUER);
    }
}

#[tokio::test]
async fn the_principal_carries_the_token_facts() {
    let k = &*KEYS;
    let validator = default_validator();
    let exp = now() + 300;
    let token = k.ed.good_token(&json!({"exp": exp, "scope": "db:query  db:modify", "scp": ["files:read"], "azp": null, "client_id": "cli-2", "owner": "org-a"}));
    let p = validator.validate(&token).await.expect("valid");
    assert_eq!(p.client_id.as_deref(), Some("cli-2"));
    assert_eq!(p.jti.as_deref(), Some("jti-1"));
    assert_eq!(p.expires_at, exp);
    assert_eq!(p.scopes.to_string(), "db:modify db:query files:read");
    assert_eq!(p.owner(), Some("org-a"));
    // The cached path gives the same answer.
    assert_eq!(validator.validate(&token).await.expect("cached"), p);
}

#[tokio::test]
#[allow(
    clippy::cast_precision_loss,
    reason = "Unix seconds fit an f64 mantissa"
)]
async fn audience_issuer_and_time_rules_accept_what_they_should() {
    let k = &*KEYS;
    let validator = default_validator();
    for (name, overrides) in [
        ("aud as a string", json!({"aud": RESOURCE})),
        (
            "aud array with ours last",
            json!({"aud": ["client-1", RESOURCE]}),
        ),
        ("expired within leeway", json!({"exp": now() - 30})),
        ("nbf within leeway", json!({"nbf": now() + 30})),
        (
            "fractional times",
            json!({"exp": (now() + 60) as f64 + 0.5, "nbf": (now() - 1) as f64 + 0.5}),
        ),
        (
            "no nbf, no sub, no jti",
            json!({"nbf": null, "sub": null, "jti": null}),
        ),
    ] {
        let mut claims = with(&overrides);
        claims
            .as_object_mut()
            .expect("object")
            .retain(|_, v| !v.is_null());
        validator
            .validate(&k.p256.token("ES256", &claims))
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let strict = validator_with_leeway(Duration::ZERO);
    let err = strict
        .validate(&k.p256.good_token(&json!({"exp": now() - 2})))
        .await;
    assert_eq!(err.err(), Some(AuthError::Expired));
}

fn validator_with_leeway(leeway: Duration) -> Validator {
    validator(ValidatorConfig::new(ISSUER, RESOURCE).leeway(leeway))
}

#[tokio::test]
async fn scope_claims_follow_the_configuration() {
    let k = &*KEYS;
    let token = k.p256.good_token(&json!({"scope": "a:b", "scp": ["c:d"]}));
    for (claims, expected) in [
        (ScopeClaims::Scope, "a:b"),
        (ScopeClaims::Scp, "c:d"),
        (ScopeClaims::Both, "a:b c:d"),
    ] {
        let v = validator(ValidatorConfig::new(ISSUER, RESOURCE).scope_claims(claims));
        assert_eq!(
            v.validate(&token).await.expect("valid").scopes.to_string(),
            expected
        );
    }
}

#[tokio::test]
async fn the_allowlist_and_size_limit_are_configurable() {
    let k = &*KEYS;
    let only_es256 =
        validator(ValidatorConfig::new(ISSUER, RESOURCE).algorithms([Algorithm::ES256]));
    assert_eq!(
        only_es256
            .validate(&k.rsa.good_token(&json!({})))
            .await
            .err(),
        Some(AuthError::AlgorithmNotAllowed)
    );
    assert!(
        only_es256
            .validate(&k.p256.good_token(&json!({})))
            .await
            .is_ok()
    );
    let small = validator(ValidatorConfig::new(ISSUER, RESOURCE).max_token_size(64));
    assert_eq!(
        small.validate(&k.p256.good_token(&json!({}))).await.err(),
        Some(AuthError::TokenTooLarge)
    );
}

#[tokio::test]
async fn the_casdoor_preset_refuses_refresh_tokens_in_both_spellings() {
    let k = &*KEYS;
    let casdoor = Validator::new(
        ValidatorConfig::casdoor(&format!("{ISSUER}/"), RESOURCE).static_jwks(published()),
    )
    .expect("valid config");
    let access = k.rsa.token(
        "RS512",
        &with(&json!({"tokenType": "access-token", "aud": ["client-1", RESOURCE]})),
    );
    assert!(
        casdoor.validate(&access).await.is_ok(),
        "RS512 access token signed by a key labelled RS256"
    );
    for (claims, claim) in [
        (json!({"tokenType": "refresh-token"}), "tokenType"),
        (
            json!({"tokenType": "access-token", "TokenType": "refresh-token"}),
            "TokenType",
        ),
        (json!({}), "tokenType"),
    ] {
        let token = k.rsa.token("RS256", &with(&claims));
        assert_eq!(
            casdoor.validate(&token).await.err(),
            Some(AuthError::ClaimRejected(claim.into())),
            "{claims}"
        );
    }
    // Casdoor never signs EdDSA: the preset does not allow it.
    let ed = k.ed.good_token(&json!({"tokenType": "access-token"}));
    assert_eq!(
        casdoor.validate(&ed).await.err(),
        Some(AuthError::AlgorithmNotAllowed)
    );
}

#[tokio::test]
async fn unsafe_configurations_are_refused() {
    for (config, fragment) in [
        (
            ValidatorConfig::new(ISSUER, RESOURCE).algorithms([Algorithm::HS256, Algorithm::RS256]),
            "symmetric",
        ),
        (
            ValidatorConfig::new(ISSUER, RESOURCE).algorithms([]),
            "at least one",
        ),
        (ValidatorConfig::new("", RESOURCE), "issuer"),
        (ValidatorConfig::new(ISSUER, ""), "resource"),
        (
            ValidatorConfig::new(ISSUER, RESOURCE).leeway(Duration::from_hours(1)),
            "leeway",
        ),
        (
            ValidatorConfig::new(ISSUER, RESOURCE).jwks_uri("not a url"),
            "not a usable",
        ),
        (
            ValidatorConfig::new(ISSUER, RESOURCE)
                .static_jwks(json!({"keys": [{"kty": "oct", "kid": "s", "k": "c2VjcmV0"}]})),
            "no usable",
        ),
    ] {
        let err = Validator::new(config).expect_err(fragment);
        assert!(
            err.to_string().contains(fragment),
            "{err} lacks {fragment:?}"
        );
    }
}
