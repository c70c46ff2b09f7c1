//! Read-only queries: one statement, bound parameters, a row limit and a time limit, on a
//! connection that cannot write.

use rusqlite::fallible_iterator::FallibleIterator as _;
use rusqlite::{Batch, Connection, Statement};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use super::error::DbError;
use super::guard::{Guard, Policy};
use super::limits::Limits;
use super::size;
use super::sqlite::Sqlite;
use super::value::{to_json, to_sql};

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
    /// Whether the query had more rows than were returned: more than `max_rows`, or more data
    /// than one result holds (narrow it with WHERE/LIMIT, or select fewer columns).
    pub truncated: bool,
}

impl Sqlite {
    /// Runs one read-only statement with positional parameters (`?`, `?N`, `:name` in order) and
    /// returns at most `max_rows` rows (default and maximum from [`Limits`]).
    pub(crate) async fn query(
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
        let budget = RowBudget {
            rows: max_rows,
            bytes: limits.max_result_bytes,
        };
        let (columns, rows, truncated) =
            collect_rows(&mut stmt, budget, false).map_err(|e| guard.error(&e))?;
        if truncated && rows.is_empty() && max_rows > 0 {
            return Err(DbError::Refused(format!(
                "the first row alone holds more than one result may ({} MiB); select fewer or \
                 smaller columns, e.g. length(col) or substr(col, 1, 1000) for long text or blobs",
                limits.max_result_bytes / (1024 * 1024)
            )));
        }
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
/// Text holding a NUL is refused: SQLite stops reading at the NUL, so it would run a statement
/// other than the one sent.
pub(crate) fn prepare_one<'c>(
    conn: &'c Connection,
    guard: &Guard,
    sql: &str,
) -> Result<Statement<'c>, DbError> {
    if let Some(at) = sql.find('\0') {
        return Err(DbError::NulInSql { at });
    }
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

/// How many rows a result may hold, and how many bytes (each value charged as `size` says).
#[derive(Debug, Clone, Copy)]
pub(crate) struct RowBudget {
    pub(crate) rows: usize,
    pub(crate) bytes: usize,
}

/// Steps the statement, keeping rows while they fit in `budget`; a row that does not fit (even the
/// first) is left out and `truncated` set. Sizes are checked before any value is converted, so a
/// huge row costs no more memory than SQLite already spent on it. With `drain`, steps to the end
/// even past the budget (a DML statement with RETURNING must finish to apply every change).
pub(crate) fn collect_rows(
    stmt: &mut Statement<'_>,
    budget: RowBudget,
    drain: bool,
) -> rusqlite::Result<(Vec<String>, Vec<Vec<Value>>, bool)> {
    let columns: Vec<String> = stmt.column_names().into_iter().map(str::to_owned).collect();
    let width = columns.len();
    let mut out = Vec::new();
    // The column names are sent once, with the rows.
    let mut bytes: usize = columns.iter().map(|c| size::name_charge(c)).sum();
    let mut truncated = false;
    let mut rows = stmt.raw_query();
    while let Some(row) = rows.next()? {
        if !truncated {
            let mut row_bytes = size::ROW_BYTES;
            for i in 0..width {
                row_bytes += size::charge(row.get_ref(i)?);
            }
            if out.len() < budget.rows && bytes + row_bytes <= budget.bytes {
                let values = (0..width)
                    .map(|i| row.get_ref(i).map(to_json))
                    .collect::<rusqlite::Result<Vec<Value>>>()?;
                bytes += row_bytes;
                out.push(values);
                continue;
            }
            truncated = true;
        }
        if !drain {
            break;
        }
    }
    Ok((columns, out, truncated))
}
