//! Which published key verifies a token: the JWK rules (RSA size, `kid`, duplicates, EC coordinates,
//! the JWK's `alg`) seen through a validator, and the validated-token cache never vouching for a token
//! whose claims were edited after a good one was cached.

use mcp_scopes::auth::{AuthError, Validator, ValidatorConfig};
use mcp_scopes_tests::auth::{ISSUER, RESOURCE, TestKey, b64, default_validator, good_claims};
use serde_json::{Value, json};

fn trusting(keys: &[Value]) -> Validator {
    Validator::new(ValidatorConfig::new(ISSUER, RESOURCE).static_jwks(json!({ "keys": keys })))
        .expect("at least one usable key")
}

/// A good token from `key` whose header names `kid`.
fn token_naming(key: &TestKey, kid: &str) -> String {
    key.token_raw(
        json!({"alg": key.natural_alg(), "kid": kid}),
        good_claims().to_string().as_bytes(),
    )
}

#[tokio::test]
async fn the_cache_never_serves_a_token_whose_claims_were_edited() {
    let validator = default_validator();
    let key = &mcp_scopes_tests::auth::KEYS.p256;
    let good = key.good_token(&json!({"sub": "alice", "scope": "db:query"}));
    let principal = validator.validate(&good).await.expect("a good token");
    assert_eq!(principal.subject.as_deref(), Some("alice"));
    // The same header and signature around edited claims: the cache holds the good token now.
    let parts: Vec<&str> = good.split('.').collect();
    let mut claims = good_claims();
    claims["sub"] = "alice".into();
    claims["scope"] = "db:query db:admin".into();
    let edited = format!("{}.{}.{}", parts[0], b64(claims.to_string()), parts[2]);
    for _ in 0..2 {
        assert_eq!(
            validator.validate(&edited).await.err(),
            Some(AuthError::BadSignature)
        );
        assert!(
            validator.validate(&good).await.is_ok(),
            "the good one stays"
        );
    }
}

#[tokio::test]
async fn an_rsa_key_under_2048_bits_is_never_used() {
    let ed = TestKey::ed25519("ed");
    // A 1024-bit modulus (odd, top bit set); no token can name it.
    let mut n = vec![0xC5; 128];
    n[127] = 0x01;
    let small = json!({"kty": "RSA", "kid": "small", "n": b64(&n), "e": "AQAB"});
    let validator = trusting(&[small, ed.jwk()]);
    let rsa = TestKey::rsa("small");
    assert_eq!(
        validator.validate(&token_naming(&rsa, "small")).await.err(),
        Some(AuthError::UnknownKeyId)
    );
    assert!(validator.validate(&token_naming(&ed, "ed")).await.is_ok());
    // Only small keys: refused at start-up, naming the reason.
    let err =
        Validator::new(ValidatorConfig::new(ISSUER, RESOURCE).static_jwks(
            json!({"keys": [{"kty": "RSA", "kid": "small", "n": b64(&n), "e": "AQAB"}]}),
        ))
        .expect_err("no usable key");
    assert!(err.to_string().contains("at least 2048"), "{err}");
}

#[tokio::test]
async fn a_jwk_without_a_kid_is_never_used() {
    let anonymous = TestKey::p256("anonymous");
    let named = TestKey::p256("named");
    let mut jwk = anonymous.jwk();
    jwk.as_object_mut().expect("object").remove("kid");
    let validator = trusting(&[jwk, named.jwk()]);
    for kid in ["", "anonymous"] {
        assert_eq!(
            validator
                .validate(&token_naming(&anonymous, kid))
                .await
                .err(),
            Some(AuthError::UnknownKeyId),
            "{kid:?}"
        );
    }
    assert!(
        validator
            .validate(&token_naming(&named, "named"))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn of_two_keys_with_one_kid_the_first_usable_one_is_used() {
    let first = TestKey::p256("a");
    let second = TestKey::p256("b");
    let validator = trusting(&[first.jwk_as("dup"), second.jwk_as("dup")]);
    assert!(
        validator
            .validate(&token_naming(&first, "dup"))
            .await
            .is_ok()
    );
    assert_eq!(
        validator
            .validate(&token_naming(&second, "dup"))
            .await
            .err(),
        Some(AuthError::BadSignature)
    );
    // A first entry that is not usable does not take the kid.
    let mut encryption = first.jwk_as("dup");
    encryption["use"] = "enc".into();
    let validator = trusting(&[encryption, second.jwk_as("dup")]);
    assert!(
        validator
            .validate(&token_naming(&second, "dup"))
            .await
            .is_ok()
    );
    assert_eq!(
        validator.validate(&token_naming(&first, "dup")).await.err(),
        Some(AuthError::BadSignature)
    );
}

#[tokio::test]
async fn ec_coordinates_of_the_wrong_length_for_the_curve_are_never_used() {
    let p384 = TestKey::p384("wrong");
    let p256 = TestKey::p256("right");
    // A P-384 point (48-byte coordinates) labelled P-256.
    let mut mislabelled = p384.jwk();
    mislabelled["crv"] = "P-256".into();
    let mut short = p256.jwk_as("short");
    short["y"] = b64([1u8; 31]).into();
    let validator = trusting(&[mislabelled, short, p256.jwk()]);
    for (key, kid) in [(&p384, "wrong"), (&p256, "short")] {
        assert_eq!(
            validator.validate(&token_naming(key, kid)).await.err(),
            Some(AuthError::UnknownKeyId),
            "{kid}"
        );
    }
    assert!(
        validator
            .validate(&token_naming(&p256, "right"))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_jwk_alg_of_another_family_rules_the_key_out_and_one_of_its_own_family_does_not() {
    let p256 = TestKey::p256("ec");
    let rsa = TestKey::rsa("rsa");
    let mut ec_labelled_rsa = p256.jwk();
    ec_labelled_rsa["alg"] = "RS256".into();
    let mut rsa_labelled_eddsa = rsa.jwk();
    rsa_labelled_eddsa["alg"] = "EdDSA".into();
    let validator = trusting(&[
        ec_labelled_rsa,
        rsa_labelled_eddsa,
        TestKey::p256("x").jwk(),
    ]);
    assert_eq!(
        validator.validate(&token_naming(&p256, "ec")).await.err(),
        Some(AuthError::UnknownKeyId)
    );
    assert_eq!(
        validator.validate(&token_naming(&rsa, "rsa")).await.err(),
        Some(AuthError::UnknownKeyId)
    );
    // Casdoor labels its RSA key RS256 and signs RS512 with it: the same family is accepted.
    let mut rsa_labelled_rs256 = rsa.jwk();
    rsa_labelled_rs256["alg"] = "RS256".into();
    let validator = trusting(&[rsa_labelled_rs256]);
    let rs512 = rsa.token_raw(
        json!({"alg": "RS512", "kid": "rsa"}),
        good_claims().to_string().as_bytes(),
    );
    assert!(validator.validate(&rs512).await.is_ok());
}
