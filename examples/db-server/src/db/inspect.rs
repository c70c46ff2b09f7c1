//! Reading the schema: tables and views, their columns, keys, indexes and row counts.
//!
//! Every statement here is fixed text (a table name is quoted into `count(*)`), so each is prepared
//! once per connection and kept in rusqlite's statement cache: parsing the SQL was a third of a
//! `list_tables` call. They run under the time limit only (see `read_schema`): installing the read
//! policy's authorizer, as every call did, makes SQLite expire all of a connection's prepared
//! statements, and that re-preparing was still 29% of a call's instructions.
//! On top of that, each reader connection keeps its last `list_tables` answer until the
//! database changes (module `catalog`); `describe_table` is read every time.

use rusqlite::Connection;

use super::error::DbError;
use super::guard::Guard;
use super::ident::quote_ident;
use super::limits::Limits;
use super::schema::{
    ColumnInfo, ForeignKeyInfo, IndexInfo, TableDescription, TableKind, TableList, TableSummary,
};
use super::sqlite::Sqlite;

impl Sqlite {
    /// Lists tables and views (not SQLite's internal tables), with columns and row counts.
    pub(crate) async fn list_tables(&self) -> Result<TableList, DbError> {
        self.inner
            .with_pooled_reader(|reader, limits| {
                let (conn, catalog) = reader.parts();
                read_schema(conn, limits, |conn| catalog.tables(conn, read_tables))
            })
            .await
    }

    /// Describes one table or view: columns, keys, indexes, row count and its CREATE statement.
    pub(crate) async fn describe_table(&self, name: String) -> Result<TableDescription, DbError> {
        self.inner
            .with_reader(move |conn, limits| {
                let found = read_schema(conn, limits, |conn| {
                    let Some((name, kind, sql)) = objects(conn, Some(&name))?.into_iter().next()
                    else {
                        return Ok(None);
                    };
                    Ok(Some(TableDescription {
                        columns: columns(conn, &name)?,
                        foreign_keys: foreign_keys(conn, &name)?,
                        indexes: indexes(conn, &name)?,
                        row_count: row_count(conn, &name, kind)?,
                        name,
                        kind,
                        sql,
                    }))
                })?;
                found.ok_or(DbError::NotFound {
                    kind: "table",
                    name,
                })
            })
            .await
    }
}

/// Every table and view with its columns and row count (what `list_tables` answers, when the
/// connection's cache has nothing current: see `catalog`).
fn read_tables(conn: &Connection) -> rusqlite::Result<TableList> {
    let mut tables = Vec::new();
    for (name, kind, _) in objects(conn, None)? {
        let columns = columns(conn, &name)?.into_iter().map(|c| c.name).collect();
        let row_count = row_count(conn, &name, kind)?;
        tables.push(TableSummary {
            name,
            kind,
            columns,
            row_count,
        });
    }
    Ok(TableList { tables })
}

/// Runs schema reads under the time limit. Not under the read policy's authorizer: these are this
/// file's own fixed statements (table names quoted) on a read-only, `query_only` reader, and
/// setting an authorizer would expire the statements kept prepared (every call re-prepared them).
pub(super) fn read_schema<T>(
    conn: &Connection,
    limits: &Limits,
    work: impl FnOnce(&Connection) -> rusqlite::Result<T>,
) -> Result<T, DbError> {
    let guard = Guard::time_limit_only(conn, limits);
    let result = work(conn).map_err(|e| guard.error(&e));
    Guard::remove_time_limit(conn);
    result
}

/// Tables and views (optionally only `name`), sorted by name: (name, kind, CREATE sql).
fn objects(
    conn: &Connection,
    name: Option<&str>,
) -> rusqlite::Result<Vec<(String, TableKind, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT name, type, coalesce(sql, '') FROM sqlite_schema
         WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
           AND (?1 IS NULL OR name = ?1)
         ORDER BY name",
    )?;
    stmt.query_map([name], |row| {
        let kind = if row.get_ref(1)?.as_str()? == "view" {
            TableKind::View
        } else {
            TableKind::Table
        };
        Ok((row.get(0)?, kind, row.get(2)?))
    })?
    .collect()
}

fn columns(conn: &Connection, table: &str) -> rusqlite::Result<Vec<ColumnInfo>> {
    let mut stmt = conn.prepare_cached(
        "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?1) ORDER BY cid",
    )?;
    stmt.query_map([table], |row| {
        let pk: i64 = row.get(4)?;
        Ok(ColumnInfo {
            name: row.get(0)?,
            declared_type: row.get(1)?,
            not_null: row.get(2)?,
            default: row.get(3)?,
            primary_key: (pk > 0).then_some(pk),
        })
    })?
    .collect()
}

fn foreign_keys(conn: &Connection, table: &str) -> rusqlite::Result<Vec<ForeignKeyInfo>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, \"table\", \"from\", \"to\", on_update, on_delete
         FROM pragma_foreign_key_list(?1) ORDER BY id, seq",
    )?;
    let mut keys: Vec<(i64, ForeignKeyInfo)> = Vec::new();
    let mut rows = stmt.query([table])?;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let from: String = row.get(2)?;
        let to: Option<String> = row.get(3)?;
        if keys.last().is_none_or(|(last, _)| *last != id) {
            keys.push((
                id,
                ForeignKeyInfo {
                    columns: Vec::new(),
                    references_table: row.get(1)?,
                    references_columns: Vec::new(),
                    on_update: row.get(4)?,
                    on_delete: row.get(5)?,
                },
            ));
        }
        if let Some((_, key)) = keys.last_mut() {
            key.columns.push(from);
            key.references_columns.extend(to);
        }
    }
    Ok(keys.into_iter().map(|(_, key)| key).collect())
}

fn indexes(conn: &Connection, table: &str) -> rusqlite::Result<Vec<IndexInfo>> {
    let mut stmt = conn.prepare_cached(
        "SELECT name, \"unique\", origin FROM pragma_index_list(?1) ORDER BY name",
    )?;
    let list: Vec<(String, bool, String)> = stmt
        .query_map([table], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut cols = conn.prepare_cached(
        "SELECT name FROM pragma_index_info(?1) WHERE name IS NOT NULL ORDER BY seqno",
    )?;
    list.into_iter()
        .map(|(name, unique, origin)| {
            let columns = cols
                .query_map([&name], |row| row.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            Ok(IndexInfo {
                name,
                unique,
                columns,
                origin,
            })
        })
        .collect()
}

fn row_count(conn: &Connection, name: &str, kind: TableKind) -> rusqlite::Result<Option<i64>> {
    if kind == TableKind::View {
        return Ok(None);
    }
    let sql = format!("SELECT count(*) FROM {}", quote_ident(name));
    conn.prepare_cached(&sql)?
        .query_row([], |row| row.get(0))
        .map(Some)
}
