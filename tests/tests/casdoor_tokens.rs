//! Tokens shaped exactly like Casdoor's, validated by `ValidatorConfig::casdoor`: the four token
//! formats, the five algorithms Casdoor signs with (RS256, RS512, ES256, ES384, ES512), refresh
//! tokens, audiences, and discovery from a Casdoor-shaped metadata document. That no key of Casdoor's
//! JWKS is skipped is checked by `casdoor_es512_key.rs` (it asserts on logs, so it runs alone).

mod casdoor_support;

use casdoor_support::certs::{Certs, SIGNERS, sign};
use casdoor_support::discovery::{Metadata, ready, start_casdoor};
use casdoor_support::tokens::{CLIENT_ID, FORMATS, Format, RESOURCE, claims, registered};
use mcp_scopes::auth::{AuthError, Challenge, ValidatorConfig};
use serde_json::{Value, json};

#[tokio::test]
async fn every_format_and_algorithm_is_accepted() {
    let certs = Certs::new();
    let origin = start_casdoor(certs.jwks(), Metadata::Both).await;
    let validator = ready(ValidatorConfig::casdoor(&origin, RESOURCE)).await;

    for format in FORMATS {
        for (cert, alg) in SIGNERS {
            let scope = if matches!(format, Format::JwtCustom) && alg == "ES384" {
                "" // JWT-Custom always carries `scope`, possibly empty.
            } else {
                "db:query db:modify"
            };
            let token = sign(
                certs.get(cert),
                alg,
                &Value::Object(claims(format, &origin, RESOURCE, scope)),
            );
            let principal = validator
                .validate(&token)
                .await
                .unwrap_or_else(|e| panic!("{format:?} signed {alg} by {cert}: {e}"));
            assert_eq!(principal.issuer, origin);
            assert_eq!(principal.client_id.as_deref(), Some(CLIENT_ID));
            assert_eq!(
                principal.subject.as_deref(),
                Some("2f3c1a0e-6b1d-4c55-9a7e-1f1e5f0b8c2d")
            );
            assert_eq!(principal.owner(), Some("built-in"), "{format:?}");
            let expected = if scope.is_empty() {
                ""
            } else {
                "db:modify db:query"
            };
            assert_eq!(principal.scopes.to_string(), expected, "{format:?}");
        }
    }
}

#[tokio::test]
async fn a_default_jwt_format_token_of_a_user_with_several_roles_is_accepted() {
    let certs = Certs::new();
    let origin = start_casdoor(certs.jwks(), Metadata::Both).await;
    let validator = ready(ValidatorConfig::casdoor(&origin, RESOURCE)).await;
    // The default format embeds the user record with every role and permission object.
    let mut claims = claims(Format::Jwt, &origin, RESOURCE, "db:query");
    for (field, count) in [("roles", 4), ("permissions", 6)] {
        let template = claims[field][0].clone();
        let list: Vec<Value> = (0..count)
            .map(|i| {
                let mut entry = template.clone();
                entry["name"] = json!(format!("{field}-{i}"));
                entry
            })
            .collect();
        claims.insert(field.into(), Value::Array(list));
    }
    let token = sign(certs.get("cert-built-in"), "RS256", &Value::Object(claims));
    // Past a generic 8 KiB cap (Casdoor issue #4618: such tokens outgrow HTTP header limits).
    assert!(token.len() > 8 * 1024, "{} bytes", token.len());
    validator.validate(&token).await.expect("accepted");
}

#[tokio::test]
async fn refresh_tokens_are_refused_in_both_spellings() {
    let certs = Certs::new();
    let origin = start_casdoor(certs.jwks(), Metadata::Both).await;
    let validator = ready(ValidatorConfig::casdoor(&origin, RESOURCE)).await;
    let cert = certs.get("cert-built-in");

    let mut refresh = claims(Format::JwtStandard, &origin, RESOURCE, "db:query");
    refresh.insert("tokenType".into(), json!("refresh-token"));
    let err = validator
        .validate(&sign(cert, "RS256", &Value::Object(refresh)))
        .await
        .unwrap_err();
    assert_eq!(err, AuthError::ClaimRejected("tokenType".into()));

    // JWT-Custom refresh tokens keep `tokenType: access-token` and add `TokenType: refresh-token`.
    let mut custom = claims(Format::JwtCustom, &origin, RESOURCE, "db:query");
    custom.insert("TokenType".into(), json!("refresh-token"));
    let err = validator
        .validate(&sign(cert, "RS256", &Value::Object(custom)))
        .await
        .unwrap_err();
    assert_eq!(err, AuthError::ClaimRejected("TokenType".into()));
}

#[tokio::test]
async fn a_client_id_audience_is_refused_with_a_hint_to_send_resource() {
    let certs = Certs::new();
    let origin = start_casdoor(certs.jwks(), Metadata::Both).await;
    let validator = ready(ValidatorConfig::casdoor(&origin, RESOURCE)).await;
    let cert = certs.get("cert-es256");

    // No `resource` in the authorize request: Casdoor writes `aud: [client_id]`.
    let token = sign(
        cert,
        "ES256",
        &Value::Object(claims(Format::JwtEmpty, &origin, CLIENT_ID, "db:query")),
    );
    let err = validator.validate(&token).await.unwrap_err();
    assert_eq!(err, AuthError::AudienceIsClientId);
    let message = err.to_string();
    assert!(message.contains("must send `resource`"), "{message}");
    // The client sees the hint in the 401 challenge.
    let response = Challenge::for_resource(RESOURCE).for_error(&err);
    assert_eq!(response.status(), 401);
    let header = response.headers()["www-authenticate"].to_str().unwrap();
    assert!(header.contains(r#"error="invalid_token""#), "{header}");
    assert!(
        header.contains("error_description=\"the token's audience is its client id"),
        "{header}"
    );

    // A client_credentials token: `sub` admin/<app>, `type` application, `aud` [client_id].
    let mut cc = registered(&origin, CLIENT_ID, "db:query");
    cc.insert("sub".into(), json!("admin/db-server"));
    cc.insert("type".into(), json!("application"));
    let err = validator
        .validate(&sign(cert, "ES256", &Value::Object(cc)))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("resource"), "{err}");

    // Another audience altogether is the plain audience error.
    let token = sign(
        cert,
        "ES256",
        &Value::Object(claims(
            Format::JwtEmpty,
            &origin,
            "https://other.example.com/mcp",
            "db:query",
        )),
    );
    assert_eq!(
        validator.validate(&token).await.unwrap_err(),
        AuthError::WrongAudience
    );
}

#[tokio::test]
async fn an_endpoint_with_a_trailing_slash_still_matches_casdoors_issuer() {
    let certs = Certs::new();
    let origin = start_casdoor(certs.jwks(), Metadata::Both).await;
    let validator = ready(ValidatorConfig::casdoor(&format!("{origin}/"), RESOURCE)).await;
    assert_eq!(validator.issuer(), origin);
    let token = sign(
        certs.get("cert-built-in"),
        "RS256",
        &Value::Object(claims(Format::JwtStandard, &origin, RESOURCE, "db:query")),
    );
    validator.validate(&token).await.expect("accepted");
}

#[tokio::test]
async fn keys_are_discovered_from_casdoors_metadata() {
    for metadata in [Metadata::Both, Metadata::OidcOnly] {
        let certs = Certs::new();
        let origin = start_casdoor(certs.jwks(), metadata).await;
        // No JWKS URI given: discovered from the issuer's metadata.
        let validator = ready(ValidatorConfig::new(&origin, RESOURCE)).await;
        let token = sign(
            certs.get("cert-es384"),
            "ES384",
            &Value::Object(claims(Format::JwtStandard, &origin, RESOURCE, "db:query")),
        );
        let principal = validator.validate(&token).await.expect("accepted");
        assert_eq!(principal.scopes.to_string(), "db:query");
    }
}
