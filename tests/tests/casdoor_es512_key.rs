//! Casdoor's ES512 (P-521) cert: its key is loaded like the others (no "skipped" warning), tokens it
//! signs validate, and an ES512 token whose claims were changed is refused. Alone in its binary
//! because it installs the global log subscriber.

mod casdoor_support;

use std::io;
use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use casdoor_support::certs::{Certs, SIGNERS, sign};
use casdoor_support::discovery::{Metadata, ready, start_casdoor};
use casdoor_support::tokens::{Format, RESOURCE, claims};
use mcp_scopes::auth::{AuthError, ValidatorConfig};
use serde_json::Value;

/// Log lines written by the code under test, for assertions on what was logged.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[tokio::test]
async fn casdoors_es512_key_is_loaded_and_its_tokens_validate() {
    let logs = Captured::default();
    let writer = logs.clone();
    tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::DEBUG)
        .init();

    let certs = Certs::new();
    let origin = start_casdoor(certs.jwks(), Metadata::Both).await;
    let validator = ready(ValidatorConfig::casdoor(&origin, RESOURCE)).await;

    let claims = Value::Object(claims(Format::JwtEmpty, &origin, RESOURCE, "db:query"));
    let es512 = sign(certs.get("cert-es512"), "ES512", &claims);
    let principal = validator.validate(&es512).await.expect("ES512 accepted");
    assert_eq!(principal.scopes.to_string(), "db:query");

    // The same header and signature over escalated claims: refused, never a panic.
    let (head, rest) = es512.split_once('.').expect("three parts");
    let (_, signature) = rest.split_once('.').expect("three parts");
    let mut escalated = claims.clone();
    escalated["scope"] = "db:query db:modify".into();
    let forged = format!(
        "{head}.{}.{signature}",
        URL_SAFE_NO_PAD.encode(escalated.to_string())
    );
    assert_eq!(
        validator.validate(&forged).await.unwrap_err(),
        AuthError::BadSignature
    );

    for (cert, alg) in SIGNERS {
        let token = sign(certs.get(cert), alg, &claims);
        validator
            .validate(&token)
            .await
            .unwrap_or_else(|e| panic!("{alg} by {cert}: {e}"));
    }

    // No key of Casdoor's JWKS was skipped, and no token reached the logs.
    let logged = logs.text();
    assert!(
        !logged.lines().any(|l| l.contains("WARN")),
        "a key was skipped:\n{logged}"
    );
    assert!(!logged.contains(&es512[..60]), "{logged}");
}
