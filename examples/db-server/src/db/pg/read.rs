//! `query` on PostgreSQL: one prepared statement in a `READ ONLY` transaction that is always
//! rolled back, checked first (`check`), with its rows fetched through a portal that stops at the
//! row limit.

use std::pin::pin;

use futures_util::TryStreamExt as _;
use rusqlite::types::ValueRef;
use serde_json::Value;
use tokio_postgres::types::Type;
use tokio_postgres::{Statement, Transaction};

use super::super::query::QueryOutput;
use super::super::{DbError, Limits, size};
use super::value::{self, Param, Raw, as_params};
use super::{Postgres, check};

impl Postgres {
    /// Runs one read-only statement with `$1`, `$2`, … parameters and returns at most `max_rows`
    /// rows (default and maximum from [`Limits`]).
    pub(crate) async fn query(
        &self,
        sql: String,
        params: Vec<Value>,
        max_rows: Option<usize>,
    ) -> Result<QueryOutput, DbError> {
        let limits = self.limits();
        let max_rows = max_rows.unwrap_or(limits.default_rows).min(limits.max_rows);
        let params = params_from_json(&sql, &params)?;
        let mut checkout = self.reader_checkout().await?;
        let output = match checkout.conn() {
            Some(conn) => self.read_only(conn, &sql, &params, max_rows).await,
            None => Err(DbError::Internal("the connection is gone".to_owned())),
        };
        checkout.finished();
        output
    }

    async fn read_only(
        &self,
        conn: &mut deadpool_postgres::Object,
        sql: &str,
        params: &[Param],
        max_rows: usize,
    ) -> Result<QueryOutput, DbError> {
        let limits = self.limits();
        let tx = conn
            .build_transaction()
            .read_only(true)
            .start()
            .await
            .map_err(|e| self.error(&e))?;
        let result = read(&tx, sql, params, max_rows, &limits).await;
        // Whatever happened, nothing of this transaction stays: not a write (there can be none), not
        // a setting, not a cursor.
        let rolled_back = tx.rollback().await;
        let output = result?;
        rolled_back.map_err(|e| self.error(&e))?;
        Ok(output)
    }
}

/// Checks the text and converts the parameters, before a connection is taken.
pub(super) fn params_from_json(sql: &str, params: &[Value]) -> Result<Vec<Param>, DbError> {
    if let Some(at) = sql.find('\0') {
        return Err(DbError::NulInSql { at });
    }
    if sql.trim().is_empty() {
        return Err(DbError::Empty);
    }
    params
        .iter()
        .enumerate()
        .map(|(i, v)| value::param(i + 1, v))
        .collect()
}

/// Prepares `sql` as one statement (PostgreSQL refuses several in one Parse) and checks its
/// parameter count.
pub(super) async fn prepare_one(
    tx: &Transaction<'_>,
    sql: &str,
    params: &[Param],
    limits: &Limits,
) -> Result<Statement, DbError> {
    let statement = tx.prepare(sql).await.map_err(|e| {
        let error = super::from_postgres(&e, limits);
        match &error {
            DbError::Postgres(text) if text.contains("cannot insert multiple commands") => {
                DbError::MultipleStatements
            }
            _ => error,
        }
    })?;
    if statement.params().len() != params.len() {
        return Err(DbError::ParameterCount {
            expected: statement.params().len(),
            given: params.len(),
        });
    }
    Ok(statement)
}

async fn read(
    tx: &Transaction<'_>,
    sql: &str,
    params: &[Param],
    max_rows: usize,
    limits: &Limits,
) -> Result<QueryOutput, DbError> {
    let statement = prepare_one(tx, sql, params, limits).await?;
    if statement.columns().is_empty() {
        return Err(DbError::Refused(
            "`query` runs one statement that returns rows (SELECT, VALUES, TABLE, WITH … SELECT); \
             this one returns none. Use `execute` (scope db:modify) to change rows"
                .to_owned(),
        ));
    }
    let plan = check::plan(
        tx,
        sql,
        statement.params(),
        params,
        "`query` runs one SELECT (or VALUES, TABLE, WITH … SELECT)",
        limits,
    )
    .await?;
    if plan[0]["Plan"]["Node Type"] == "ModifyTable" {
        return Err(DbError::Refused(
            "`query` is read-only and this statement would write; use the `execute` tool \
             (scope db:modify) to change rows"
                .to_owned(),
        ));
    }
    check::check_calls(tx, &plan, &[], limits).await?;
    collect(tx, &statement, params, max_rows, limits).await
}

/// Runs the statement through a portal and keeps rows while they fit in `max_rows` and the
/// result's byte budget; PostgreSQL stops after `max_rows + 1` (the one more says `truncated`).
pub(super) async fn collect(
    tx: &Transaction<'_>,
    statement: &Statement,
    params: &[Param],
    max_rows: usize,
    limits: &Limits,
) -> Result<QueryOutput, DbError> {
    let columns: Vec<(String, Type)> = statement
        .columns()
        .iter()
        .map(|c| (c.name().to_owned(), c.type_().clone()))
        .collect();
    if let Some((name, ty)) = columns.iter().find(|(_, ty)| !value::supported(ty)) {
        return Err(value::unsupported(name, ty));
    }
    let portal = tx
        .bind(statement, &as_params(params))
        .await
        .map_err(|e| super::from_postgres(&e, limits))?;
    let fetch = i32::try_from(max_rows.saturating_add(1)).unwrap_or(i32::MAX);
    let mut stream = pin!(
        tx.query_portal_raw(&portal, fetch)
            .await
            .map_err(|e| super::from_postgres(&e, limits))?
    );
    let mut bytes: usize = columns.iter().map(|(c, _)| size::name_charge(c)).sum();
    let mut rows = Vec::new();
    let mut truncated = false;
    while let Some(row) = stream
        .try_next()
        .await
        .map_err(|e| super::from_postgres(&e, limits))?
    {
        let mut raw = Vec::with_capacity(columns.len());
        let mut row_bytes = size::ROW_BYTES;
        for (i, (_, ty)) in columns.iter().enumerate() {
            let value: Raw<'_> = row
                .try_get(i)
                .map_err(|e| DbError::Internal(format!("unreadable row: {e}")))?;
            row_bytes += size::charge(charge_as(ty, value.0));
            raw.push(value.0);
        }
        if rows.len() >= max_rows || bytes + row_bytes > limits.max_result_bytes {
            truncated = true;
            break;
        }
        bytes += row_bytes;
        let values = columns
            .iter()
            .zip(raw)
            .map(|((name, ty), raw)| {
                value::to_json(ty, raw).map_err(|e| {
                    DbError::Internal(format!("cannot convert column `{name}` ({ty}): {e}"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        rows.push(values);
    }
    if truncated && rows.is_empty() && max_rows > 0 {
        return Err(DbError::Refused(format!(
            "the first row alone holds more than one result may ({} MiB); select fewer or smaller \
             columns, e.g. length(col) or substr(col, 1, 1000) for long text or bytea",
            limits.max_result_bytes / (1024 * 1024)
        )));
    }
    Ok(QueryOutput {
        columns: columns.into_iter().map(|(name, _)| name).collect(),
        row_count: rows.len(),
        rows,
        truncated,
    })
}

/// What a value costs in a result, counted as the SQLite value it most resembles (see `size`).
/// Binary `numeric`, dates and uuids count as text of their bytes: at least as long as the text
/// they become, since a byte below 0x20 counts as 6.
fn charge_as<'a>(ty: &Type, raw: Option<&'a [u8]>) -> ValueRef<'a> {
    match raw {
        None => ValueRef::Null,
        Some(bytes) if *ty == Type::BYTEA => ValueRef::Blob(bytes),
        Some(_) if [Type::BOOL, Type::INT2, Type::INT4, Type::INT8, Type::OID].contains(ty) => {
            ValueRef::Integer(i64::MIN)
        }
        Some(_) if [Type::FLOAT4, Type::FLOAT8].contains(ty) => ValueRef::Real(0.0),
        Some(bytes) => ValueRef::Text(bytes),
    }
}
