//! Changing the schema: CREATE and DROP of tables and indexes, one statement per call, each in its
//! own transaction on the writer connection.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use schemars::JsonSchema;
use serde::Serialize;

use super::error::DbError;
use super::guard::{Guard, Policy};
use super::ident::quote_ident;
use super::query::prepare_one;
use super::sqlite::Sqlite;

/// What a schema change did.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct SchemaChange {
    /// What was done, e.g. `created table`, `dropped index`, or `nothing to drop`.
    pub action: String,
    /// The table or index concerned.
    pub name: String,
}

impl Sqlite {
    /// Runs one `CREATE TABLE` statement (anything else is refused).
    pub(crate) async fn create_table(&self, sql: String) -> Result<SchemaChange, DbError> {
        self.change_schema(sql, Policy::CreateTable).await
    }

    /// Runs one `CREATE INDEX` statement (anything else is refused).
    pub(crate) async fn create_index(&self, sql: String) -> Result<SchemaChange, DbError> {
        self.change_schema(sql, Policy::CreateIndex).await
    }

    /// Drops a table and its rows, indexes and triggers. Refused while other tables' foreign keys
    /// point at rows in it.
    pub(crate) async fn drop_table(
        &self,
        name: String,
        if_exists: bool,
    ) -> Result<SchemaChange, DbError> {
        self.drop_object("table", name, if_exists).await
    }

    /// Drops an index.
    pub(crate) async fn drop_index(
        &self,
        name: String,
        if_exists: bool,
    ) -> Result<SchemaChange, DbError> {
        self.drop_object("index", name, if_exists).await
    }

    async fn change_schema(&self, sql: String, policy: Policy) -> Result<SchemaChange, DbError> {
        self.inner
            .with_writer(move |conn, limits| {
                let tx = conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)
                    .map_err(|e| DbError::Sql(e.to_string()))?;
                let schema_before = schema_names(&tx)?;
                let guard = Guard::install(&tx, policy, limits);
                let result = (|| {
                    let mut stmt = prepare_one(&tx, &guard, &sql)?;
                    if stmt.readonly() {
                        return Err(DbError::Refused(
                            "this statement changes nothing; send one CREATE statement".to_owned(),
                        ));
                    }
                    stmt.raw_execute().map_err(|e| guard.error(&e))
                })();
                Guard::remove(&tx);
                result?;
                let created: Vec<String> = schema_names(&tx)?
                    .into_iter()
                    .filter(|n| !schema_before.contains(n) && !n.starts_with("sqlite_"))
                    .collect();
                tx.commit().map_err(|e| DbError::Sql(e.to_string()))?;
                let what = if policy == Policy::CreateTable {
                    "table"
                } else {
                    "index"
                };
                Ok(match created.into_iter().next() {
                    Some(name) => SchemaChange {
                        action: format!("created {what}"),
                        name,
                    },
                    None => SchemaChange {
                        action: format!("{what} already exists"),
                        name: String::new(),
                    },
                })
            })
            .await
    }

    async fn drop_object(
        &self,
        kind: &'static str,
        name: String,
        if_exists: bool,
    ) -> Result<SchemaChange, DbError> {
        self.inner
            .with_writer(move |conn, limits| {
                let tx = conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)
                    .map_err(|e| DbError::Sql(e.to_string()))?;
                let exists: Option<String> = tx
                    .query_row(
                        "SELECT name FROM sqlite_schema WHERE type = ?1 AND name = ?2",
                        [kind, name.as_str()],
                        |row| row.get(0),
                    )
                    .optional()
                    .map_err(|e| DbError::Sql(e.to_string()))?;
                if exists.is_none() {
                    return if if_exists {
                        Ok(SchemaChange {
                            action: "nothing to drop".to_owned(),
                            name,
                        })
                    } else {
                        Err(DbError::NotFound { kind, name })
                    };
                }
                if kind == "table" {
                    refuse_if_referenced(&tx, &name)?;
                }
                let sql = format!("DROP {} {}", kind.to_uppercase(), quote_ident(&name));
                let guard = Guard::install(&tx, Policy::Drop, limits);
                let result = (|| {
                    let mut stmt = prepare_one(&tx, &guard, &sql)?;
                    stmt.raw_execute().map_err(|e| guard.error(&e))
                })();
                Guard::remove(&tx);
                result?;
                tx.commit().map_err(|e| DbError::Sql(e.to_string()))?;
                Ok(SchemaChange {
                    action: format!("dropped {kind}"),
                    name,
                })
            })
            .await
    }
}

/// Refuses to drop `table` while rows of another table reference it through a foreign key.
/// SQLite would otherwise empty it first, and an `ON DELETE CASCADE` or `SET NULL` would quietly
/// delete or change those rows too (a `NO ACTION` key fails, with a vaguer message).
fn refuse_if_referenced(conn: &Connection, table: &str) -> Result<(), DbError> {
    let sql_error = |e: rusqlite::Error| DbError::Sql(e.to_string());
    let mut stmt = conn
        .prepare(
            "SELECT m.name, f.\"from\" FROM sqlite_schema AS m, pragma_foreign_key_list(m.name) AS f \
             WHERE m.type = 'table' AND m.name <> ?1 AND f.\"table\" = ?1 COLLATE NOCASE \
             ORDER BY m.name, f.id, f.seq",
        )
        .map_err(sql_error)?;
    let references: Vec<(String, String)> = stmt
        .query_map([table], |row| Ok((row.get(0)?, row.get(1)?)))
        .and_then(Iterator::collect)
        .map_err(sql_error)?;
    for (referencing, column) in references {
        let rows: i64 = conn
            .query_row(
                &format!(
                    "SELECT count(*) FROM {} WHERE {} IS NOT NULL",
                    quote_ident(&referencing),
                    quote_ident(&column)
                ),
                [],
                |row| row.get(0),
            )
            .map_err(sql_error)?;
        if rows > 0 {
            return Err(DbError::Refused(format!(
                "cannot drop `{table}`: {rows} row(s) of `{referencing}` reference it through the \
                 FOREIGN KEY on `{column}`, and dropping it would delete or change them too; drop \
                 `{referencing}` first, or delete those rows with `execute`"
            )));
        }
    }
    Ok(())
}

fn schema_names(conn: &Connection) -> Result<Vec<String>, DbError> {
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_schema")
        .map_err(|e| DbError::Sql(e.to_string()))?;
    stmt.query_map([], |row| row.get(0))
        .and_then(Iterator::collect)
        .map_err(|e| DbError::Sql(e.to_string()))
}
