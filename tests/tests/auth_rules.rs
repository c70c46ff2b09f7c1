//! Token validation rules seen from outside: what each rule accepts, what the configuration
//! changes, the Casdoor preset, and configurations refused at start-up.

use std::time::Duration;

use mcp_scopes::auth::{Algorithm, AuthError, ScopeClaims, Validator, ValidatorConfig};
use mcp_scopes_tests::auth::{
    ISSUER, KEYS, RESOURCE, default_validator, good_claims, good_claims_with, now, validator,
};
use serde_json::json;

#[tokio::test]
async fn every_key_family_and_algorithm_is_accepted() {
    let k = &*KEYS;
    let validator = default_validator();
    let mut cases = vec![
        ("ES256", &k.p256),
        ("ES384", &k.p384),
        ("ES512", &k.p521),
        ("EdDSA", &k.ed),
    ];
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
        let mut claims = good_claims_with(&overrides);
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
        ValidatorConfig::casdoor(&format!("{ISSUER}/"), RESOURCE).static_jwks(KEYS.published()),
    )
    .expect("valid config");
    let access = k.rsa.token(
        "RS512",
        &good_claims_with(&json!({"tokenType": "access-token", "aud": ["client-1", RESOURCE]})),
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
        let token = k.rsa.token("RS256", &good_claims_with(&claims));
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
            ValidatorConfig::new(ISSUER, RESOURCE).jwks_uri("file:///etc/jwks.json"),
            "not an http(s) URL with a host",
        ),
        (
            ValidatorConfig::new(ISSUER, RESOURCE).jwks_uri("ftp://auth.example.test/jwks"),
            "not an http(s) URL with a host",
        ),
        (
            ValidatorConfig::new(ISSUER, RESOURCE).max_token_size(0),
            "token size",
        ),
        (
            ValidatorConfig::new(ISSUER, RESOURCE).max_response_size(0),
            "response size cap must be above zero",
        ),
        (
            ValidatorConfig::new(ISSUER, RESOURCE)
                .fetch_timeouts(Duration::from_secs(5), Duration::ZERO),
            "request timeout",
        ),
        (
            ValidatorConfig::new(ISSUER, RESOURCE)
                .refresh_interval(Duration::from_mins(10), Duration::from_mins(1)),
            "0 < min <= max",
        ),
        (
            ValidatorConfig::new(ISSUER, RESOURCE)
                .refresh_interval(Duration::ZERO, Duration::from_mins(1)),
            "0 < min <= max",
        ),
        (
            ValidatorConfig::new(ISSUER, RESOURCE)
                .backoff(Duration::from_secs(10), Duration::from_secs(1)),
            "0 < initial <= max",
        ),
        (
            ValidatorConfig::new(ISSUER, RESOURCE).backoff(Duration::ZERO, Duration::from_secs(1)),
            "0 < initial <= max",
        ),
        (
            ValidatorConfig::new(ISSUER, RESOURCE)
                .static_jwks(json!({"keys": [{"kty": "oct", "kid": "s", "k": "c2VjcmV0"}]})),
            "no usable",
        ),
        (
            ValidatorConfig::new(ISSUER, RESOURCE).token_cache(100, Duration::from_hours(1)),
            "token cache TTL",
        ),
        (
            ValidatorConfig::new(ISSUER, RESOURCE).unknown_kid_cooldown(Duration::ZERO),
            "cooldown",
        ),
        (
            // Keys refreshed every 15 min but stale after 5: a 503 for 10 min of every 15.
            ValidatorConfig::new(ISSUER, RESOURCE).max_staleness(Duration::from_mins(5)),
            "maximum staleness",
        ),
        (
            ValidatorConfig::new(ISSUER, RESOURCE)
                .refresh_interval(Duration::from_mins(1), Duration::from_mins(10))
                .fetch_timeouts(Duration::from_secs(5), Duration::from_secs(30))
                .max_staleness(Duration::from_mins(10)),
            "maximum staleness",
        ),
    ] {
        let err = Validator::new(config).expect_err(fragment);
        assert!(
            err.to_string().contains(fragment),
            "{err} lacks {fragment:?}"
        );
    }
}

#[tokio::test]
async fn limits_at_their_maximum_are_accepted() {
    let config = ValidatorConfig::new(ISSUER, RESOURCE)
        .leeway(mcp_scopes::auth::MAX_LEEWAY)
        .token_cache(100, mcp_scopes::auth::MAX_TOKEN_CACHE_TTL)
        .refresh_interval(Duration::from_mins(1), Duration::from_mins(10))
        .fetch_timeouts(Duration::from_secs(5), Duration::from_secs(30))
        .max_staleness(Duration::from_mins(10) + Duration::from_secs(30));
    assert!(Validator::new(config.static_jwks(KEYS.published())).is_ok());
}

#[tokio::test]
async fn debugging_a_principal_shows_claim_names_not_their_values() {
    let token = KEYS
        .rsa
        .good_token(&json!({"totpSecret": "JBSWY3DPEHPK3PXP", "email": "alice@example.test"}));
    let principal = default_validator().validate(&token).await.expect("valid");
    let shown = format!("{principal:?}");
    for visible in [
        "user-1",
        "client-1",
        "db:query",
        "\"totpSecret\"",
        "\"email\"",
    ] {
        assert!(shown.contains(visible), "{visible} missing from {shown}");
    }
    for hidden in ["JBSWY3DPEHPK3PXP", "alice@example.test"] {
        assert!(!shown.contains(hidden), "{hidden} shown in {shown}");
    }
}

#[test]
fn credentials_in_a_jwks_uri_are_refused_and_never_shown() {
    for (config, shown) in [
        (
            ValidatorConfig::new(ISSUER, RESOURCE)
                .jwks_uri("https://jwks:hunter2@auth.example.test/jwks"),
            "https://***@auth.example.test/jwks",
        ),
        (
            ValidatorConfig::new(ISSUER, RESOURCE).jwks_uri("https://jwks:hunter2@/jwks"),
            "https://***@/jwks",
        ),
        (
            ValidatorConfig::casdoor("https://admin:hunter2@door.example.test", RESOURCE),
            "https://***@door.example.test/.well-known/jwks",
        ),
        (
            ValidatorConfig::new("ftp://admin:hunter2@as.example.test", RESOURCE),
            "ftp://***@as.example.test",
        ),
    ] {
        let err = Validator::new(config).expect_err("refused").to_string();
        assert!(err.contains(shown), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
    }
}
