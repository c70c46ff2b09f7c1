//! `db://settings` on PostgreSQL: the server's version and encoding, the database's size and the
//! schema the tools see, read on a reader connection (no host, database or role name).

use super::Postgres;
use crate::db::{DatabaseSettings, DbError};

const SETTINGS: &str = "SELECT pg_catalog.current_setting('server_version'), \
     pg_catalog.pg_database_size(pg_catalog.current_database()), \
     pg_catalog.current_setting('server_encoding')";

impl Postgres {
    pub(crate) async fn settings(&self) -> Result<DatabaseSettings, DbError> {
        let conn = self.reader().await?;
        let row = conn
            .query_one(SETTINGS, &[])
            .await
            .map_err(|e| self.error(&e))?;
        Ok(DatabaseSettings {
            engine: "postgresql",
            version: row.get(0),
            size_bytes: row.get(1),
            encoding: row.get(2),
            journal_mode: None,
            page_size: None,
            page_count: None,
            freelist_count: None,
            auto_vacuum: None,
            schema: Some(self.schema().to_owned()),
            limits: self.limits().into(),
        })
    }
}
