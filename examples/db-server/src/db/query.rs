//! Read-only queries: one statement, bound parameters, a row limit and a time limit, on a
//! connection that cannot write.

use rusqlite::fallible_iterator::FallibleIterator as _;
use rusqlite::{Batch, Connection, Statement};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use super::guard::{Guard, Policy};
use super::value::{to_json, to_sql};
use super::{Database, DbError, Limits};

/// The result of a read-only query.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct QueryOutput {
    /// Column names, in order.
    pub columns: Vec<String>,
    /// One array per row, values in column order: integers and reals as numbers, text as
    /// strings, NULL as null, blobs as `{"base64": "…"}`.
    pub rows: Vec<Vec<Value>>,
    /// How many rows are in `rows`.
    pub row_count: usize,
    /// Whether the query had more rows than were returned (raise `max_rows` or add a LIMIT/WHERE).
    pub truncated: bool,
}

impl Database {
    /// Runs one read-only statement with positional parameters (`?`, `?N`, `:name` in order) and
    /// returns at most `max_rows` rows (default and maximum from [`Limits`]).
    pub async fn query(
        &self,
        sql: String,
        params: Vec<Value>,
        max_rows: Option<usize>,
    ) -> Result<QueryOutput, DbError> {
        self.inner
            .with_reader(move |conn, limits| run_query(conn, limits, &sql, &params, max_rows))
            .await
    }
}

fn run_query(
    conn: &Connection,
    limits: &Limits,
    sql: &str,
    params: &[Value],
    max_rows: Option<usize>,
) -> Result<QueryOutput, DbError> {
    let max_rows = max_rows.unwrap_or(limits.default_rows).min(limits.max_rows);
    let guard = Guard::install(conn, Policy::Read, limits);
    let result = (|| {
        let mut stmt = prepare_one(conn, &guard, sql)?;
        if !stmt.readonly() {
            return Err(DbError::Refused(
                "`query` is read-only and this statement would write; use the `execute` tool \
                 (scope db:modify) to change rows"
                    .to_owned(),
            ));
        }
        bind(&mut stmt, params)?;
        let (columns, rows, truncated) =
            collect_rows(&mut stmt, max_rows, false).map_err(|e| guard.error(&e))?;
        Ok(QueryOutput {
            columns,
            row_count: rows.len(),
            rows,
            truncated,
        })
    })();
    Guard::remove(conn);
    result
}

/// Prepares exactly one statement under `guard`: SQLite compiles it (running the authorizer), then
/// the rest of the text must compile to nothing (only whitespace, `;` and comments may follow).
pub(crate) fn prepare_one<'c>(
    conn: &'c Connection,
    guard: &Guard,
    sql: &str,
) -> Result<Statement<'c>, DbError> {
    let mut batch = Batch::new(conn, sql);
    let first = batch
        .next()
        .map_err(|e| guard.error(&e))?
        .ok_or(DbError::Empty)?;
    if let Ok(None) = batch.next() {
        return Ok(first);
    }
    // A second statement, or text after the first that is not even a statement. Whatever the
    // authorizer thought of it, having it at all is the fault to report.
    guard.forget_refusal();
    Err(DbError::MultipleStatements)
}

/// Binds JSON values to the statement's placeholders, refusing a count mismatch.
pub(crate) fn bind(stmt: &mut Statement<'_>, params: &[Value]) -> Result<(), DbError> {
    let expected = stmt.parameter_count();
    if expected != params.len() {
        return Err(DbError::ParameterCount {
            expected,
            given: params.len(),
        });
    }
    for (i, value) in params.iter().enumerate() {
        let index = i + 1;
        let value = to_sql(index, value)?;
        stmt.raw_bind_parameter(index, value)
            .map_err(|e| DbError::BadParameter {
                index,
                reason: e.to_string(),
            })?;
    }
    Ok(())
}

/// Steps the statement, keeping at most `max_rows` rows. With `drain`, steps to the end even past
/// the limit (a DML statement with RETURNING must finish to apply every change).
pub(crate) fn collect_rows(
    stmt: &mut Statement<'_>,
    max_rows: usize,
    drain: bool,
) -> rusqlite::Result<(Vec<String>, Vec<Vec<Value>>, bool)> {
    let columns: Vec<String> = stmt.column_names().into_iter().map(str::to_owned).collect();
    let width = columns.len();
    let mut out = Vec::new();
    let mut truncated = false;
    let mut rows = stmt.raw_query();
    while let Some(row) = rows.next()? {
        if out.len() == max_rows {
            truncated = true;
            if drain {
                continue;
            }
            break;
        }
        let mut values = Vec::with_capacity(width);
        for i in 0..width {
            values.push(to_json(row.get_ref(i)?));
        }
        out.push(values);
    }
    Ok((columns, out, truncated))
}
