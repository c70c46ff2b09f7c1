//! An ES512 (P-521) cert in Casdoor's JWKS: `jsonwebtoken` cannot verify it, so the key is skipped
//! with a logged reason while the other keys keep working. Alone in its binary because it installs
//! the global log subscriber.

mod casdoor_support;

use std::io;
use std::sync::{Arc, Mutex};

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
async fn an_es512_key_is_skipped_with_a_logged_reason_and_the_others_keep_working() {
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

    for (cert, alg) in SIGNERS {
        let token = sign(
            certs.get(cert),
            alg,
            &Value::Object(claims(Format::JwtEmpty, &origin, RESOURCE, "db:query")),
        );
        validator
            .validate(&token)
            .await
            .unwrap_or_else(|e| panic!("{alg} by {cert}: {e}"));
    }

    // A token naming the ES512 cert is refused with an error, never a panic.
    let es512 = sign(
        certs.get("cert-es512"),
        "ES512",
        &Value::Object(claims(Format::JwtEmpty, &origin, RESOURCE, "db:query")),
    );
    let err = validator.validate(&es512).await.unwrap_err();
    assert!(
        matches!(
            err,
            AuthError::AlgorithmNotAllowed | AuthError::UnknownKeyId
        ),
        "{err:?}"
    );

    let logged = logs.text();
    let skip_line = logged
        .lines()
        .find(|l| l.contains("cert-es512"))
        .unwrap_or_else(|| panic!("no log line names the ES512 key:\n{logged}"));
    assert!(skip_line.contains("WARN"), "{skip_line}");
    assert!(skip_line.contains("P-521"), "{skip_line}");
    // The other keys were loaded; no token reached the logs.
    assert!(logged.contains("cert-built-in"), "{logged}");
    assert!(!logged.contains(&es512[..60]), "{logged}");
}
