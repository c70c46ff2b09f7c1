//! A PostgreSQL database of its own for each test, on the server `MCP_TEST_DATABASE_URL` points at
//! (`eval "$(bash tests/postgres/start.sh)"` starts one). Without that variable the tests say
//! loudly what they skip and pass, unless `MCP_REQUIRE_POSTGRES=1` (CI), where they fail.

#![allow(dead_code, unreachable_pub)] // each test file uses a different part

use std::io::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio_postgres::{Client, NoTls};

/// Numbers the databases one test binary creates.
static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A fresh, empty database for one test, and a superuser connection to it.
pub struct TestDatabase {
    /// The superuser's URL of this database.
    pub url: String,
    /// A superuser connection to this database, for setting up and for checking from outside.
    pub admin: Client,
    name: String,
    server_url: String,
}

impl TestDatabase {
    /// This database's URL for `user` (one of the roles start.sh creates).
    pub fn url_as(&self, user: &str) -> String {
        let mut url = url::Url::parse(&self.url).expect("the test URL");
        url.set_username(user).expect("user");
        url.to_string()
    }

    /// Drops the database (after the test's pools are gone).
    pub async fn drop_database(self) {
        let (server, connection) = tokio_postgres::connect(&self.server_url, NoTls)
            .await
            .expect("connect to the test server");
        tokio::spawn(connection);
        server
            .batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .await
            .expect("drop the test database");
    }
}

/// A fresh database named after `test`, or `None` (after saying so on stderr) when no test
/// PostgreSQL is configured. Panics instead when `MCP_REQUIRE_POSTGRES=1`.
pub async fn fresh_database(test: &str) -> Option<TestDatabase> {
    fresh_database_on("MCP_TEST_DATABASE_URL", test).await
}

/// [`fresh_database`] on the server the environment variable `variable` names (start.sh's TLS
/// cluster is `MCP_TEST_DATABASE_TLS_URL`; connected to without TLS here).
pub async fn fresh_database_on(variable: &str, test: &str) -> Option<TestDatabase> {
    let server_url = configured(variable, test)?;
    let name = format!(
        "t_{}_{}_{}",
        test.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
            .chars()
            .take(40)
            .collect::<String>(),
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let (server, connection) = tokio_postgres::connect(&server_url, NoTls)
        .await
        .unwrap_or_else(|e| panic!("connect to {variable}: {e}"));
    tokio::spawn(connection);
    server
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create the test database");
    let mut url = url::Url::parse(&server_url).expect("MCP_TEST_DATABASE_URL is a URL");
    url.set_path(&name);
    let url = url.to_string();
    let (admin, connection) = tokio_postgres::connect(&url, NoTls)
        .await
        .expect("connect to the test database");
    tokio::spawn(connection);
    Some(TestDatabase {
        url,
        admin,
        name,
        server_url,
    })
}

/// The value of `variable`, or `None` after saying loudly what `test` skips, unless
/// `MCP_REQUIRE_POSTGRES=1`, where a missing variable fails the test.
pub fn configured(variable: &str, test: &str) -> Option<String> {
    let found = std::env::var(variable).ok().filter(|v| !v.is_empty());
    if found.is_none() {
        assert!(
            std::env::var("MCP_REQUIRE_POSTGRES").as_deref() != Ok("1"),
            "MCP_REQUIRE_POSTGRES=1 but {variable} is not set: run \
             `eval \"$(bash tests/postgres/start.sh)\"` first"
        );
        // Straight to stderr, past the test harness's capture: a skip must be seen.
        let _ = writeln!(
            std::io::stderr(),
            "\n!!! SKIPPED {test}: it needs PostgreSQL and {variable} is not set.\n\
             !!! Run it with: eval \"$(bash tests/postgres/start.sh)\" && cargo test -p db-server \
             --test {}\n",
            test.split("::").next().unwrap_or(test)
        );
    }
    found
}
