//! The SQLite authorizer policies and the time limit, installed around each statement.
//!
//! SQLite calls the authorizer for every action a statement will take while it compiles the
//! statement (including actions hidden in CTEs, sub-selects and `EXPLAIN`), so a policy sees what
//! the statement does rather than what its text looks like. Each call installs the policy for its
//! kind of work, prepares and runs one statement, and removes the policy again.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use rusqlite::Connection;
use rusqlite::hooks::{AuthAction, AuthContext, Authorization};

use super::error::DbError;
use super::functions;
use super::limits::Limits;

/// What kind of statement a call allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Policy {
    /// Reads only: `SELECT`, `WITH … SELECT`, and schema-reading pragmas.
    Read,
    /// One `INSERT`, `UPDATE` or `DELETE` (reads allowed inside it).
    Dml,
    /// One `CREATE TABLE` (optionally `AS SELECT`).
    CreateTable,
    /// One `CREATE INDEX`.
    CreateIndex,
    /// A `DROP TABLE` / `DROP INDEX` the server wrote itself.
    Drop,
}

/// Pragmas that only read the schema; everything else (including ones that look harmless, like
/// `wal_checkpoint`) is refused on the read path.
const SCHEMA_PRAGMAS: &[&str] = &[
    "table_info",
    "table_xinfo",
    "table_list",
    "index_list",
    "index_info",
    "index_xinfo",
    "foreign_key_list",
];

const MODIFY_HINT: &str = "use the `execute` tool (scope db:modify) to change rows";
const ADMIN_HINT: &str = "use create_table, create_index, drop_table or drop_index (scope db:admin) to change the schema";

/// The policy and time limit installed on a connection for one statement.
pub(crate) struct Guard {
    denied: Arc<Mutex<Option<String>>>,
    deadline: Instant,
    limits: Limits,
}

impl Guard {
    /// Installs `policy` and the time limit on `conn`. Call [`Guard::remove`] before the connection
    /// runs anything else (a `COMMIT`, another caller's statement).
    pub(crate) fn install(conn: &Connection, policy: Policy, limits: &Limits) -> Self {
        let denied: Arc<Mutex<Option<String>>> = Arc::default();
        let record = Arc::clone(&denied);
        conn.authorizer(Some(move |ctx: AuthContext<'_>| {
            match check(policy, &ctx) {
                Ok(()) => Authorization::Allow,
                Err(reason) => {
                    let mut slot = record.lock().unwrap_or_else(PoisonError::into_inner);
                    // The first refusal is the one that explains the statement best.
                    slot.get_or_insert(reason);
                    Authorization::Deny
                }
            }
        }));
        let deadline = Instant::now() + limits.time_limit;
        conn.progress_handler(1_000, Some(move || Instant::now() >= deadline));
        Self {
            denied,
            deadline,
            limits: *limits,
        }
    }

    /// Only the time limit, for the schema reads' own fixed statements on a read-only connection
    /// (`inspect`): setting an authorizer makes SQLite expire every prepared statement of the
    /// connection, which would undo their statement cache. [`Self::remove_time_limit`] ends it.
    pub(crate) fn time_limit_only(conn: &Connection, limits: &Limits) -> Self {
        let deadline = Instant::now() + limits.time_limit;
        conn.progress_handler(1_000, Some(move || Instant::now() >= deadline));
        Self {
            denied: Arc::default(),
            deadline,
            limits: *limits,
        }
    }

    /// Removes the time limit [`Self::time_limit_only`] set.
    pub(crate) fn remove_time_limit(conn: &Connection) {
        conn.progress_handler(0, None::<fn() -> bool>);
    }

    /// Removes the policy and the time limit from `conn`.
    pub(crate) fn remove(conn: &Connection) {
        conn.authorizer(None::<fn(AuthContext<'_>) -> Authorization>);
        conn.progress_handler(0, None::<fn() -> bool>);
    }

    /// Forgets what the authorizer refused so far (it was about text that is rejected anyway).
    pub(crate) fn forget_refusal(&self) {
        self.denied
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }

    /// Turns a SQLite error met under this guard into a [`DbError`] that says why.
    pub(crate) fn error(&self, err: &rusqlite::Error) -> DbError {
        let denied = self
            .denied
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        DbError::from_sqlite(
            err,
            denied,
            self.limits.time_limit,
            Instant::now() >= self.deadline,
        )
    }
}

/// Whether `policy` allows the action; `Err` says why not.
fn check(policy: Policy, ctx: &AuthContext<'_>) -> Result<(), String> {
    let action = ctx.action;
    // Reading is fine everywhere; functions only from the allow-list (see `functions`).
    match action {
        AuthAction::Select | AuthAction::Recursive | AuthAction::Read { .. } => return Ok(()),
        AuthAction::Function { function_name } => return functions::check(function_name),
        AuthAction::Attach { .. } | AuthAction::Detach { .. } => {
            return Err(
                "ATTACH and DETACH are not allowed: this server serves one database".into(),
            );
        }
        AuthAction::Transaction { .. } | AuthAction::Savepoint { .. } => {
            return Err(
                "transaction statements are not allowed: each call already runs in its own transaction"
                    .into(),
            );
        }
        _ => {}
    }
    let in_main = ctx.database_name.is_none_or(|db| db == "main");
    match policy {
        Policy::Read => check_read(action),
        Policy::Dml => match action {
            AuthAction::Insert { .. } | AuthAction::Update { .. } | AuthAction::Delete { .. }
                if in_main =>
            {
                Ok(())
            }
            other => Err(format!(
                "`execute` runs one INSERT, UPDATE or DELETE; {} is not allowed ({ADMIN_HINT})",
                describe(other)
            )),
        },
        Policy::CreateTable | Policy::CreateIndex if !in_main => Err(format!(
            "`{}` creates objects in the main database only; {} is not allowed",
            if policy == Policy::CreateTable {
                "create_table"
            } else {
                "create_index"
            },
            describe(action)
        )),
        Policy::CreateTable | Policy::CreateIndex => check_create(policy, action),
        Policy::Drop => match action {
            AuthAction::DropTable { .. }
            | AuthAction::DropIndex { .. }
            | AuthAction::Delete { .. }
            | AuthAction::Update { .. }
                if in_main =>
            {
                Ok(())
            }
            other => Err(format!("{} is not part of a DROP", describe(other))),
        },
    }
}

fn check_read(action: AuthAction<'_>) -> Result<(), String> {
    match action {
        AuthAction::Pragma { pragma_name, .. }
            if SCHEMA_PRAGMAS
                .iter()
                .any(|p| p.eq_ignore_ascii_case(pragma_name)) =>
        {
            Ok(())
        }
        AuthAction::Pragma { pragma_name, .. } => Err(format!(
            "`query` only reads; PRAGMA {pragma_name} is not allowed (the schema-reading pragmas {} are)",
            SCHEMA_PRAGMAS.join(", ")
        )),
        AuthAction::Insert { table_name }
        | AuthAction::Update { table_name, .. }
        | AuthAction::Delete { table_name }
            if is_schema_table(table_name) =>
        {
            Err(format!(
                "`query` is read-only and cannot change the schema; {ADMIN_HINT}"
            ))
        }
        AuthAction::Insert { table_name }
        | AuthAction::Update { table_name, .. }
        | AuthAction::Delete { table_name } => Err(format!(
            "`query` is read-only and this statement would {} `{table_name}`; {MODIFY_HINT}",
            verb(action)
        )),
        other => Err(format!(
            "`query` is read-only and only runs SELECT statements; {} is not allowed ({ADMIN_HINT})",
            describe(other)
        )),
    }
}

/// CREATE TABLE / CREATE INDEX on the main database.
fn check_create(policy: Policy, action: AuthAction<'_>) -> Result<(), String> {
    match (policy, action) {
        // Creating anything writes its row into the schema table.
        (_, AuthAction::Insert { table_name } | AuthAction::Update { table_name, .. })
            if is_schema_table(table_name) =>
        {
            Ok(())
        }
        (Policy::CreateTable, AuthAction::CreateTable { .. }) => Ok(()),
        // The indexes SQLite makes for UNIQUE and PRIMARY KEY constraints.
        (Policy::CreateTable, AuthAction::CreateIndex { index_name, .. })
            if index_name.starts_with("sqlite_autoindex_") =>
        {
            Ok(())
        }
        (Policy::CreateIndex, AuthAction::CreateIndex { .. } | AuthAction::Reindex { .. }) => {
            Ok(())
        }
        (Policy::CreateTable, other) => Err(format!(
            "`create_table` runs one CREATE TABLE statement; {} is not part of it",
            describe(other)
        )),
        (_, other) => Err(format!(
            "`create_index` runs one CREATE INDEX statement; {} is not part of it",
            describe(other)
        )),
    }
}

/// The tables holding the schema (`sqlite_master` and its aliases, main and temp).
fn is_schema_table(name: &str) -> bool {
    [
        "sqlite_master",
        "sqlite_schema",
        "sqlite_temp_master",
        "sqlite_temp_schema",
    ]
    .iter()
    .any(|t| t.eq_ignore_ascii_case(name))
}

fn verb(action: AuthAction<'_>) -> &'static str {
    match action {
        AuthAction::Insert { .. } => "insert into",
        AuthAction::Update { .. } => "update",
        AuthAction::Delete { .. } => "delete from",
        _ => "change",
    }
}

/// A short description of an action, for refusal messages.
fn describe(action: AuthAction<'_>) -> String {
    match action {
        AuthAction::Insert { table_name } => format!("INSERT into `{table_name}`"),
        AuthAction::Update { table_name, .. } => format!("UPDATE of `{table_name}`"),
        AuthAction::Delete { table_name } => format!("DELETE from `{table_name}`"),
        AuthAction::CreateTable { table_name } => format!("CREATE TABLE `{table_name}`"),
        AuthAction::CreateTempTable { table_name } => format!("CREATE TEMP TABLE `{table_name}`"),
        AuthAction::CreateIndex { index_name, .. } => format!("CREATE INDEX `{index_name}`"),
        AuthAction::CreateTempIndex { index_name, .. } => {
            format!("CREATE TEMP INDEX `{index_name}`")
        }
        AuthAction::CreateTrigger { trigger_name, .. }
        | AuthAction::CreateTempTrigger { trigger_name, .. } => {
            format!("CREATE TRIGGER `{trigger_name}`")
        }
        AuthAction::CreateView { view_name } | AuthAction::CreateTempView { view_name } => {
            format!("CREATE VIEW `{view_name}`")
        }
        AuthAction::DropTable { table_name } | AuthAction::DropTempTable { table_name } => {
            format!("DROP TABLE `{table_name}`")
        }
        AuthAction::DropIndex { index_name, .. } | AuthAction::DropTempIndex { index_name, .. } => {
            format!("DROP INDEX `{index_name}`")
        }
        AuthAction::DropTrigger { trigger_name, .. }
        | AuthAction::DropTempTrigger { trigger_name, .. } => {
            format!("DROP TRIGGER `{trigger_name}`")
        }
        AuthAction::DropView { view_name } | AuthAction::DropTempView { view_name } => {
            format!("DROP VIEW `{view_name}`")
        }
        AuthAction::AlterTable { table_name, .. } => format!("ALTER TABLE `{table_name}`"),
        AuthAction::Pragma { pragma_name, .. } => format!("PRAGMA {pragma_name}"),
        AuthAction::Reindex { .. } => "REINDEX".to_owned(),
        AuthAction::Analyze { .. } => "ANALYZE".to_owned(),
        AuthAction::CreateVtable { table_name, .. } => {
            format!("CREATE VIRTUAL TABLE `{table_name}`")
        }
        AuthAction::DropVtable { table_name, .. } => {
            format!("DROP of virtual table `{table_name}`")
        }
        other => format!("{other:?}"),
    }
}
