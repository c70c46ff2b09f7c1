//! Row changes: one INSERT, UPDATE or DELETE (optionally with RETURNING), in its own transaction
//! on the writer connection.

use rusqlite::{Connection, TransactionBehavior};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use super::error::DbError;
use super::guard::{Guard, Policy};
use super::limits::Limits;
use super::query::{RowBudget, bind, collect_rows, prepare_one};
use super::sqlite::Sqlite;

/// The result of one INSERT, UPDATE or DELETE.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ExecuteOutput {
    /// Rows inserted, updated or deleted by the statement (not counting cascades).
    pub rows_affected: u64,
    /// The rowid of the last row inserted, when the statement inserted rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_insert_rowid: Option<i64>,
    /// Column names of a RETURNING clause (empty without one).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub returning_columns: Vec<String>,
    /// Rows of a RETURNING clause, values typed as in query results (at most the default row
    /// limit; the change itself always applies to every row).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub returning_rows: Vec<Vec<Value>>,
}

impl Sqlite {
    /// Runs one INSERT, UPDATE or DELETE with positional parameters in a transaction: either the
    /// whole statement applies or nothing does. Schema changes and reads are refused.
    pub(crate) async fn execute(
        &self,
        sql: String,
        params: Vec<Value>,
    ) -> Result<ExecuteOutput, DbError> {
        self.inner
            .with_writer(move |conn, limits| run_execute(conn, limits, &sql, &params))
            .await
    }
}

fn run_execute(
    conn: &mut Connection,
    limits: &Limits,
    sql: &str,
    params: &[Value],
) -> Result<ExecuteOutput, DbError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| DbError::Sql(e.to_string()))?;
    let before = tx.last_insert_rowid();
    let guard = Guard::install(&tx, Policy::Dml, limits);
    let result = (|| {
        let mut stmt = prepare_one(&tx, &guard, sql)?;
        if stmt.readonly() {
            return Err(DbError::Refused(
                "`execute` changes rows; this statement only reads, so use the `query` tool"
                    .to_owned(),
            ));
        }
        bind(&mut stmt, params)?;
        let (columns, rows, _) = collect_rows(
            &mut stmt,
            RowBudget {
                rows: limits.default_rows,
                bytes: limits.max_result_bytes,
            },
            true,
        )
        .map_err(|e| guard.error(&e))?;
        Ok((columns, rows))
    })();
    // The authorizer would refuse the COMMIT itself.
    Guard::remove(&tx);
    let (returning_columns, returning_rows) = result?;
    let rows_affected = tx.changes();
    let after = tx.last_insert_rowid();
    tx.commit().map_err(|e| DbError::Sql(e.to_string()))?;
    Ok(ExecuteOutput {
        rows_affected,
        last_insert_rowid: (after != before).then_some(after),
        returning_columns,
        returning_rows,
    })
}
