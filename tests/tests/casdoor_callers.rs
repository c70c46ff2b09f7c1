//! Which Casdoor tokens reach this server when other applications and organizations share the
//! Casdoor: `allowed_clients` (`azp`) and `allowed_organizations` (`owner`), with tokens of every
//! Casdoor format, and the 401 a refused caller sees.

mod casdoor_support;

use axum::Router;
use axum::body::Body;
use axum::routing::post;
use casdoor_support::certs::{Certs, sign};
use casdoor_support::discovery::{Metadata, ready, start_casdoor};
use casdoor_support::tokens::{CLIENT_ID, FORMATS, Format, RESOURCE, claims};
use http::{Request, StatusCode};
use mcp_scopes::auth::{AuthError, BearerAuthLayer, Challenge, Principal, ValidatorConfig};
use serde_json::{Value, json};
use tower::ServiceExt;

/// A token of `format` with these claims replaced (`null` removes one).
fn token(certs: &Certs, origin: &str, format: Format, overrides: &Value) -> String {
    let mut claims = claims(format, origin, RESOURCE, "db:admin");
    for (name, value) in overrides.as_object().expect("object") {
        if value.is_null() {
            claims.remove(name);
        } else {
            claims.insert(name.clone(), value.clone());
        }
    }
    sign(certs.get("cert-built-in"), "RS256", &Value::Object(claims))
}

#[tokio::test]
async fn only_the_allowed_application_and_organization_get_in() {
    let certs = Certs::new();
    let origin = start_casdoor(certs.jwks(), Metadata::Both).await;
    let open = ready(ValidatorConfig::casdoor(&origin, RESOURCE)).await;
    let closed = ready(
        ValidatorConfig::casdoor(&origin, RESOURCE)
            .allowed_clients([CLIENT_ID])
            .allowed_organizations(["built-in"]),
    )
    .await;

    for format in FORMATS {
        let ours = token(&certs, &origin, format, &json!({}));
        closed
            .validate(&ours)
            .await
            .unwrap_or_else(|e| panic!("{format:?}: {e}"));

        // Another application of the same Casdoor, whose empty `scopes` list granted db:admin.
        let other_app = token(&certs, &origin, format, &json!({"azp": "other-app-id"}));
        assert!(
            open.validate(&other_app).await.is_ok(),
            "the default accepts it"
        );
        assert_eq!(
            closed.validate(&other_app).await,
            Err(AuthError::ClientNotAllowed),
            "{format:?}"
        );
        let no_client = token(&certs, &origin, format, &json!({"azp": null}));
        assert_eq!(
            closed.validate(&no_client).await,
            Err(AuthError::ClientNotAllowed)
        );

        // A user who signed up in another organization.
        for owner in [json!("other-org"), Value::Null] {
            let stranger = token(&certs, &origin, format, &json!({"owner": owner}));
            assert_eq!(
                closed.validate(&stranger).await,
                Err(AuthError::OrganizationNotAllowed),
                "{format:?} owner {owner}"
            );
        }
    }
}

#[tokio::test]
async fn a_refused_client_gets_a_401_saying_why() {
    let certs = Certs::new();
    let origin = start_casdoor(certs.jwks(), Metadata::Both).await;
    let validator =
        ready(ValidatorConfig::casdoor(&origin, RESOURCE).allowed_clients(["app-a", CLIENT_ID]))
            .await;
    let app = Router::new()
        .route(
            "/mcp",
            post(|p: Principal| async move { p.scopes.to_string() }),
        )
        .layer(BearerAuthLayer::new(
            validator,
            Challenge::for_resource(RESOURCE),
        ));
    for (azp, owner, status, description) in [
        (CLIENT_ID, "built-in", StatusCode::OK, None),
        (
            "other-app-id",
            "built-in",
            StatusCode::UNAUTHORIZED,
            Some("issued to a client this server does not accept"),
        ),
    ] {
        let bearer = token(
            &certs,
            &origin,
            Format::JwtStandard,
            &json!({"azp": azp, "owner": owner}),
        );
        let response = app
            .clone()
            .oneshot(
                Request::post("/mcp")
                    .header("authorization", format!("Bearer {bearer}"))
                    .body(Body::empty())
                    .expect("request"),
            )
            .await
            .expect("infallible");
        assert_eq!(response.status(), status, "{azp}");
        let challenge = response
            .headers()
            .get("www-authenticate")
            .map(|v| v.to_str().expect("ASCII").to_owned());
        match description {
            None => assert!(challenge.is_none()),
            Some(text) => {
                let challenge = challenge.expect("a challenge");
                assert!(
                    challenge.contains(r#"error="invalid_token""#),
                    "{challenge}"
                );
                assert!(challenge.contains(text), "{challenge}");
                assert!(
                    !challenge.contains("other-app-id"),
                    "echoes the token: {challenge}"
                );
            }
        }
    }
}
