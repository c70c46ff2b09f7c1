//! `execute` and the create_/drop_ tools on PostgreSQL: one statement per call, each in its own
//! transaction on a writer connection, committed only when it did what the tool is for.

use std::pin::pin;

use futures_util::TryStreamExt as _;
use serde_json::Value;

use super::super::ddl::SchemaChange;
use super::super::error::DbError;
use super::super::ident::quote_ident;
use super::super::modify::ExecuteOutput;
use super::read::{params_from_json, prepare_one};
use super::value::as_params;
use super::value::{self, Raw};
use super::{Postgres, check};

impl Postgres {
    /// Runs one INSERT, UPDATE, DELETE or MERGE in a transaction: the whole statement applies or
    /// nothing does. Reads and schema changes are refused.
    pub(crate) async fn execute(
        &self,
        sql: String,
        params: Vec<Value>,
    ) -> Result<ExecuteOutput, DbError> {
        let limits = self.limits();
        let params = params_from_json(&sql, &params)?;
        let mut conn = self.writer().await?;
        let tx = conn.transaction().await.map_err(|e| self.error(&e))?;
        let statement = prepare_one(&tx, &sql, &params, &limits).await?;
        let what = "`execute` runs one INSERT, UPDATE, DELETE or MERGE (schema changes have their \
                    own tools)";
        let plan = check::plan(&tx, &sql, statement.params(), &params, what, &limits).await?;
        let top = &plan[0]["Plan"];
        if top["Node Type"] != "ModifyTable" {
            return Err(DbError::Refused(
                "`execute` changes rows; this statement only reads, so use the `query` tool (a \
                 change inside WITH must be the statement itself: INSERT/UPDATE/DELETE … \
                 RETURNING)"
                    .to_owned(),
            ));
        }
        // Identity and serial columns fill themselves with nextval().
        check::check_calls(&tx, &plan, &["nextval"], &limits).await?;
        let columns: Vec<_> = statement
            .columns()
            .iter()
            .map(|c| (c.name().to_owned(), c.type_().clone()))
            .collect();
        if let Some((name, ty)) = columns.iter().find(|(_, ty)| !value::supported(ty)) {
            return Err(value::unsupported(name, ty));
        }
        let mut rows_affected = 0u64;
        let mut returning_rows = Vec::new();
        if columns.is_empty() {
            rows_affected = tx
                .execute(&statement, &as_params(&params))
                .await
                .map_err(|e| self.error(&e))?;
        } else {
            // Every RETURNING row is read (each is one changed row); the first `default_rows`
            // that fit the byte budget are kept.
            let mut stream = pin!(
                tx.query_raw(&statement, as_params(&params))
                    .await
                    .map_err(|e| self.error(&e))?
            );
            let mut bytes = 0usize;
            while let Some(row) = stream.try_next().await.map_err(|e| self.error(&e))? {
                rows_affected += 1;
                if returning_rows.len() >= limits.default_rows || bytes > limits.max_result_bytes {
                    continue;
                }
                let mut values = Vec::with_capacity(columns.len());
                for (i, (name, ty)) in columns.iter().enumerate() {
                    let raw: Raw<'_> = row
                        .try_get(i)
                        .map_err(|e| DbError::Internal(format!("unreadable row: {e}")))?;
                    bytes += raw.0.map_or(4, <[u8]>::len) + 32;
                    values.push(value::to_json(ty, raw.0).map_err(|e| {
                        DbError::Internal(format!("cannot convert column `{name}` ({ty}): {e}"))
                    })?);
                }
                returning_rows.push(values);
            }
        }
        tx.commit().await.map_err(|e| self.error(&e))?;
        Ok(ExecuteOutput {
            rows_affected,
            last_insert_rowid: None,
            returning_columns: columns.into_iter().map(|(name, _)| name).collect(),
            returning_rows,
        })
    }

    /// Runs one `CREATE [UNLOGGED] TABLE` statement (anything else is refused).
    pub(crate) async fn create_table(&self, sql: String) -> Result<SchemaChange, DbError> {
        self.create(sql, Created::Table).await
    }

    /// Runs one `CREATE [UNIQUE] INDEX` statement (anything else is refused).
    pub(crate) async fn create_index(&self, sql: String) -> Result<SchemaChange, DbError> {
        self.create(sql, Created::Index).await
    }

    async fn create(&self, sql: String, kind: Created) -> Result<SchemaChange, DbError> {
        let limits = self.limits();
        params_from_json(&sql, &[])?;
        if !kind.starts(&sql) {
            return Err(DbError::Refused(format!(
                "send one {} statement (in PostgreSQL's dialect); other statements are refused",
                kind.statement()
            )));
        }
        let mut conn = self.writer().await?;
        let tx = conn.transaction().await.map_err(|e| self.error(&e))?;
        let statement = prepare_one(&tx, &sql, &[], &limits).await?;
        tx.execute(&statement, &[])
            .await
            .map_err(|e| self.error(&e))?;
        // What this transaction created: rows of pg_class it wrote (xmin is its id).
        let created: Vec<(String, String)> = tx
            .query(
                "SELECT n.nspname::text, c.relname::text FROM pg_catalog.pg_class c \
                 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
                 WHERE c.xmin = pg_catalog.pg_current_xact_id()::xid \
                   AND c.relkind = ANY ($1::\"char\"[]) ORDER BY c.oid",
                &[&kind.relkinds()],
            )
            .await
            .map_err(|e| self.error(&e))?
            .iter()
            .map(|row| (row.get(0), row.get(1)))
            .collect();
        if let Some((schema, name)) = created.iter().find(|(s, _)| s != self.schema()) {
            return Err(DbError::Refused(format!(
                "`{schema}.{name}` is outside schema `{}`, the only one this server uses; leave \
                 the schema out of the name",
                self.schema()
            )));
        }
        tx.commit().await.map_err(|e| self.error(&e))?;
        let what = kind.noun();
        Ok(match created.into_iter().next() {
            Some((_, name)) => SchemaChange {
                action: format!("created {what}"),
                name,
            },
            None => SchemaChange {
                action: format!("{what} already exists"),
                name: String::new(),
            },
        })
    }

    /// Drops a table (with its indexes). PostgreSQL refuses while a view or another table's
    /// foreign key depends on it.
    pub(crate) async fn drop_table(
        &self,
        name: String,
        if_exists: bool,
    ) -> Result<SchemaChange, DbError> {
        self.drop_object(Created::Table, name, if_exists).await
    }

    /// Drops an index (not one a PRIMARY KEY or UNIQUE constraint owns).
    pub(crate) async fn drop_index(
        &self,
        name: String,
        if_exists: bool,
    ) -> Result<SchemaChange, DbError> {
        self.drop_object(Created::Index, name, if_exists).await
    }

    async fn drop_object(
        &self,
        kind: Created,
        name: String,
        if_exists: bool,
    ) -> Result<SchemaChange, DbError> {
        let mut conn = self.writer().await?;
        let tx = conn.transaction().await.map_err(|e| self.error(&e))?;
        let exists = tx
            .query_opt(
                "SELECT 1 FROM pg_catalog.pg_class c \
                 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind = ANY ($3::\"char\"[])",
                &[&self.schema(), &name, &kind.relkinds()],
            )
            .await
            .map_err(|e| self.error(&e))?
            .is_some();
        let noun = kind.noun();
        if !exists {
            return if if_exists {
                Ok(SchemaChange {
                    action: "nothing to drop".to_owned(),
                    name,
                })
            } else {
                Err(DbError::NotFound { kind: noun, name })
            };
        }
        let sql = format!(
            "DROP {} {}.{}",
            noun.to_uppercase(),
            quote_ident(self.schema()),
            quote_ident(&name)
        );
        tx.batch_execute(&sql)
            .await
            .map_err(|e| match e.as_db_error() {
                Some(db)
                    if *db.code()
                        == tokio_postgres::error::SqlState::DEPENDENT_OBJECTS_STILL_EXIST =>
                {
                    DbError::Refused(format!(
                        "cannot drop {noun} `{name}`: {}{}; drop or change those first",
                        db.message(),
                        db.detail()
                            .map(|d| format!(" ({})", d.replace('\n', "; ")))
                            .unwrap_or_default()
                    ))
                }
                _ => self.error(&e),
            })?;
        tx.commit().await.map_err(|e| self.error(&e))?;
        Ok(SchemaChange {
            action: format!("dropped {noun}"),
            name,
        })
    }
}

/// What a create_/drop_ tool works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Created {
    Table,
    Index,
}

impl Created {
    fn noun(self) -> &'static str {
        match self {
            Self::Table => "table",
            Self::Index => "index",
        }
    }

    fn statement(self) -> &'static str {
        match self {
            Self::Table => "CREATE TABLE",
            Self::Index => "CREATE INDEX",
        }
    }

    /// `pg_class.relkind` values: ordinary and partitioned tables, or indexes.
    fn relkinds(self) -> Vec<i8> {
        let kinds: &[u8] = match self {
            Self::Table => b"rp",
            Self::Index => b"iI",
        };
        kinds
            .iter()
            .map(|&k| i8::try_from(k).unwrap_or(0))
            .collect()
    }

    /// Whether the statement's first words are this kind's: `CREATE [UNLOGGED] TABLE` or
    /// `CREATE [UNIQUE] INDEX`. PostgreSQL has already refused anything but one statement, and
    /// its grammar makes a statement starting so one of these (or `CREATE TABLE … AS SELECT`).
    fn starts(self, sql: &str) -> bool {
        let words = leading_words(sql, 3);
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        match self {
            Self::Table => matches!(
                words.as_slice(),
                ["create", "table", ..] | ["create", "unlogged", "table"]
            ),
            Self::Index => matches!(
                words.as_slice(),
                ["create", "index", ..] | ["create", "unique", "index"]
            ),
        }
    }
}

/// The first `count` words of `sql`, lowercase, skipping whitespace and comments.
fn leading_words(sql: &str, count: usize) -> Vec<String> {
    let mut rest = sql;
    let mut words = Vec::new();
    while words.len() < count {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("--") {
            rest = after.find('\n').map_or("", |at| &after[at..]);
        } else if let Some(after) = rest.strip_prefix("/*") {
            // PostgreSQL's block comments nest; a nested one here is refused as not a match.
            match after.find("*/") {
                Some(at) if !after[..at].contains("/*") => rest = &after[at + 2..],
                _ => break,
            }
        } else {
            let end = rest
                .find(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                .unwrap_or(rest.len());
            if end == 0 {
                break;
            }
            words.push(rest[..end].to_ascii_lowercase());
            rest = &rest[end..];
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::Created;

    #[test]
    fn only_create_statements_of_the_tool_kind_start_right() {
        assert!(Created::Table.starts("CREATE TABLE t (id bigint)"));
        assert!(Created::Table.starts("-- note\n/* c */ create unlogged table t (x int)"));
        assert!(!Created::Table.starts("CREATE TEMP TABLE t (x int)"));
        assert!(
            !Created::Table.starts("CREATE FUNCTION f() RETURNS int AS 'select 1' LANGUAGE sql")
        );
        assert!(!Created::Table.starts("DROP TABLE t"));
        assert!(Created::Index.starts("CREATE UNIQUE INDEX i ON t(x)"));
        assert!(!Created::Index.starts("CREATE TABLE t (x int)"));
        assert!(!Created::Table.starts("/* /* nested */ */ CREATE TABLE t (x int)"));
    }
}
