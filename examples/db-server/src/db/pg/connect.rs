//! Connecting: the URLs, TLS and the two pools, with the settings every connection starts with.
//!
//! The limits are startup parameters (`options=-c …`), so they are each connection's session
//! defaults: user SQL never sets them, and `RESET ALL` (run when a connection goes back to the
//! pool) returns to them.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject as _;
use tokio_postgres_rustls::MakeRustlsConnect;

use super::super::{DbError, Limits};

/// How long opening one connection may take, and resetting one before reuse (a reset that takes
/// longer closes the connection: under load, a tighter bound would churn connections).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What the pool is for: reads get `default_transaction_read_only` on top of the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Use {
    Read,
    Write,
}

/// TLS to the database with rustls and the aws-lc-rs provider (the one reqwest already brings,
/// so no second crypto stack). Trusts `ca_file` (PEM) when given, else the system's roots.
/// Whether TLS is used is the URL's `sslmode` (`disable`, `prefer`: the default, `require`).
pub(super) fn tls(ca_file: Option<&Path>) -> Result<MakeRustlsConnect, DbError> {
    let mut roots = RootCertStore::empty();
    if let Some(path) = ca_file {
        let bad = |e: &dyn std::fmt::Display| {
            DbError::Internal(format!(
                "--database-ca-file {}: cannot read PEM certificates: {e}",
                path.display()
            ))
        };
        for cert in CertificateDer::pem_file_iter(path).map_err(|e| bad(&e))? {
            roots.add(cert.map_err(|e| bad(&e))?).map_err(|e| bad(&e))?;
        }
        if roots.is_empty() {
            return Err(bad(&"the file holds no certificate"));
        }
    } else {
        // Unreadable system certificates only matter if TLS is used; then the handshake says so.
        for cert in rustls_native_certs::load_native_certs().certs {
            let _ = roots.add(cert);
        }
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| DbError::Internal(format!("cannot set up TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

/// A pool of at most `limits.max_readers` connections to `url` in `schema`.
pub(super) fn pool(
    url: &str,
    flag: &str,
    schema: &str,
    limits: &Limits,
    purpose: Use,
    tls: MakeRustlsConnect,
) -> Result<Pool, DbError> {
    // The URL holds a password: never echo it.
    let mut config: tokio_postgres::Config = url.parse().map_err(|e| {
        DbError::Internal(format!(
            "{flag} is not a PostgreSQL URL (postgres://user:password@host:port/database): {e}"
        ))
    })?;
    let millis = limits.time_limit.as_millis().max(1);
    let mut options = format!(
        "-c statement_timeout={millis} -c lock_timeout={millis} \
         -c idle_in_transaction_session_timeout={} -c search_path={schema}",
        millis.saturating_mul(2)
    );
    if purpose == Use::Read {
        options.push_str(" -c default_transaction_read_only=on");
    }
    if let Some(given) = config.get_options() {
        // The server's settings come last, so they win over the URL's.
        options = format!("{given} {options}");
    }
    config.options(&options);
    if config.get_application_name().is_none() {
        config.application_name("db-server");
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    let manager = Manager::from_config(
        config,
        tls,
        ManagerConfig {
            // Before a connection is reused: close cursors, reset every setting to the session
            // default, UNLISTEN *, release advisory locks, drop temporary tables and sequence
            // state. The read path refuses all of these anyway; this is the second line.
            recycling_method: RecyclingMethod::Clean,
        },
    );
    Pool::builder(manager)
        .max_size(limits.max_readers)
        .runtime(Runtime::Tokio1)
        .wait_timeout(Some(limits.time_limit))
        .create_timeout(Some(CONNECT_TIMEOUT))
        .recycle_timeout(Some(CONNECT_TIMEOUT))
        .build()
        .map_err(|e| DbError::Internal(format!("cannot create the connection pool: {e}")))
}

/// Refuses a schema name that would need quoting: it goes into `search_path` as is.
pub(super) fn check_schema_name(schema: &str) -> Result<(), DbError> {
    let mut chars = schema.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_');
    let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if first_ok && rest_ok && schema.len() <= 63 {
        Ok(())
    } else {
        Err(DbError::Internal(format!(
            "--database-schema {schema:?}: use a plain lowercase name (letters, digits, _; at most \
             63 bytes), e.g. public or shop"
        )))
    }
}
