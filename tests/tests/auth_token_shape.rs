//! Optional checks on what a token is and how long it was made to live: `require_typ` (RFC 9068
//! `at+jwt`) and `max_token_lifetime` (`exp` - `iat`), and the configurations they refuse.

use std::time::Duration;

use mcp_scopes::auth::{AuthError, Validator, ValidatorConfig};
use mcp_scopes_tests::auth::{
    ISSUER, KEYS, RESOURCE, good_claims, good_claims_with, good_claims_without, now, validator,
};
use serde_json::json;

fn with_typ(typ: Option<&str>) -> String {
    let mut header = json!({"alg": "ES256"});
    if let Some(typ) = typ {
        header["typ"] = typ.into();
    }
    KEYS.p256
        .token_raw(header, good_claims().to_string().as_bytes())
}

#[tokio::test]
async fn require_typ_accepts_only_access_token_types() {
    let strict = validator(ValidatorConfig::new(ISSUER, RESOURCE).require_typ(true));
    let lenient = validator(ValidatorConfig::new(ISSUER, RESOURCE));
    for typ in [
        "at+jwt",
        "application/at+jwt",
        "AT+JWT",
        "Application/At+Jwt",
    ] {
        strict
            .validate(&with_typ(Some(typ)))
            .await
            .unwrap_or_else(|e| panic!("{typ}: {e}"));
    }
    for typ in [
        Some("JWT"),
        None,
        Some("at+jwt2"),
        Some("application/jwt"),
        Some("application/"),
        Some("application/at+jwt "),
        Some("ü"),
    ] {
        let token = with_typ(typ);
        let err = strict.validate(&token).await.expect_err("refused");
        assert_eq!(err, AuthError::NotAnAccessTokenType, "{typ:?}");
        assert!(err.to_string().contains("`at+jwt`"), "{err}");
        assert!(
            lenient.validate(&token).await.is_ok(),
            "{typ:?} off by default"
        );
    }
}

#[tokio::test]
async fn the_casdoor_preset_does_not_check_typ() {
    // Casdoor signs with `typ: JWT`; its preset must not refuse that, even after `new` defaults.
    let config = ValidatorConfig::casdoor("https://door.example.test", RESOURCE);
    let casdoor = Validator::new(config.static_jwks(KEYS.published())).expect("valid");
    let token = KEYS.p256.token_raw(
        json!({"alg": "ES256", "typ": "JWT"}),
        good_claims_with(&json!({"iss": "https://door.example.test", "tokenType": "access-token"}))
            .to_string()
            .as_bytes(),
    );
    casdoor.validate(&token).await.expect("typ JWT accepted");
}

#[tokio::test]
async fn max_token_lifetime_refuses_longer_lived_tokens() {
    let capped = validator(
        ValidatorConfig::new(ISSUER, RESOURCE).max_token_lifetime(Duration::from_hours(1)),
    );
    let uncapped = validator(ValidatorConfig::new(ISSUER, RESOURCE));
    let t = now();
    for (claims, expected) in [
        (
            good_claims_with(&json!({"iat": t, "exp": t + 3600})),
            Ok(()),
        ),
        (
            good_claims_with(&json!({"iat": t - 60, "exp": t + 3540})),
            Ok(()),
        ),
        (
            good_claims_with(&json!({"iat": t, "exp": t + 3601})),
            Err(AuthError::LifetimeTooLong),
        ),
        (
            // Casdoor's default: a week.
            good_claims_with(&json!({"iat": t, "exp": t + 168 * 3600})),
            Err(AuthError::LifetimeTooLong),
        ),
        (
            good_claims_without("iat"),
            Err(AuthError::MissingClaim("iat")),
        ),
        (
            good_claims_with(&json!({"iat": "yesterday"})),
            Err(AuthError::InvalidClaim("iat")),
        ),
    ] {
        let token = KEYS.rsa.token("RS256", &claims);
        assert_eq!(
            capped.validate(&token).await.map(|_| ()),
            expected,
            "{claims}"
        );
        if claims.get("iat").is_some_and(serde_json::Value::is_number) {
            assert!(uncapped.validate(&token).await.is_ok(), "off by default");
        }
    }
}

#[test]
fn empty_allowed_values_and_a_zero_lifetime_are_refused() {
    for (config, fragment) in [
        (
            ValidatorConfig::new(ISSUER, RESOURCE).allowed_clients(["app", ""]),
            "allowed client id must not be empty",
        ),
        (
            ValidatorConfig::new(ISSUER, RESOURCE).allowed_organizations([""]),
            "allowed organization must not be empty",
        ),
        (
            ValidatorConfig::new(ISSUER, RESOURCE).max_token_lifetime(Duration::ZERO),
            "lifetime must be above zero",
        ),
    ] {
        let err = Validator::new(config.static_jwks(KEYS.published())).expect_err(fragment);
        assert!(err.to_string().contains(fragment), "{err}");
    }
}
