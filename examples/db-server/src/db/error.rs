//! Why a database call failed, in words the caller (often a model) can act on.

use std::time::Duration;

use rusqlite::ErrorCode;

/// Why a database call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DbError {
    /// The statement does something this call does not allow (a write through `query`, DDL
    /// through `execute`, …). The message says what and where to go instead.
    #[error("{0}")]
    Refused(String),
    /// The text holds more than one statement.
    #[error("send exactly one SQL statement; found another statement after the first")]
    MultipleStatements,
    /// The text holds no statement at all.
    #[error("the SQL text is empty; send one SQL statement")]
    Empty,
    /// The SQL text holds a NUL character, where SQLite would stop reading.
    #[error(
        "the SQL text holds a NUL character (at byte {at}); SQLite would ignore everything after \
         it, so the statement is refused: remove it, and pass binary data as a `{{\"base64\": …}}` \
         parameter"
    )]
    NulInSql {
        /// The NUL's byte offset in the text.
        at: usize,
    },
    /// The number of parameters given does not match the `?` placeholders.
    #[error(
        "the statement has {expected} parameter placeholder(s) but {given} value(s) were given"
    )]
    ParameterCount {
        /// Placeholders in the statement.
        expected: usize,
        /// Values given.
        given: usize,
    },
    /// A parameter value cannot be bound.
    #[error("parameter {index}: {reason}")]
    BadParameter {
        /// 1-based position.
        index: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// The statement ran longer than the time limit and was interrupted (nothing was changed).
    #[error("the statement ran longer than {0:?} and was stopped; narrow it down or add a LIMIT")]
    Timeout(Duration),
    /// Every read connection stayed in use for as long as a call may wait for one.
    #[error(
        "the database is busy: all {readers} read connections stayed in use for {waited:?}; try \
         again in a moment"
    )]
    Busy {
        /// How many read calls run at once (`Limits::max_readers`).
        readers: usize,
        /// How long this call waited.
        waited: Duration,
    },
    /// Other changes held the writer for as long as a call may wait for it.
    #[error(
        "the database is busy: other changes held the writer for {waited:?}; try again in a moment"
    )]
    WriterBusy {
        /// How long this call waited.
        waited: Duration,
    },
    /// The statement was interrupted because the caller went away.
    #[error("the statement was cancelled")]
    Cancelled,
    /// A table or index the call names does not exist.
    #[error("no such {kind}: {name}")]
    NotFound {
        /// `table` or `index`.
        kind: &'static str,
        /// The name given.
        name: String,
    },
    /// SQLite rejected the statement (syntax error, constraint violation, …); SQLite's message.
    #[error("SQLite error: {0}")]
    Sql(String),
    /// PostgreSQL rejected the statement (syntax error, constraint violation, missing privilege,
    /// …); PostgreSQL's message, with its detail and hint.
    #[error("PostgreSQL error: {0}")]
    Postgres(String),
    /// The database could not be opened or a task failed: a server fault, not the caller's.
    #[error("internal database error: {0}")]
    Internal(String),
}

impl DbError {
    /// Converts a SQLite error met while running a statement. `denied` is what the authorizer
    /// refused, if anything; it explains an otherwise bare "not authorized".
    pub(crate) fn from_sqlite(
        err: &rusqlite::Error,
        denied: Option<String>,
        time_limit: Duration,
        deadline_passed: bool,
    ) -> Self {
        if let Some(reason) = denied {
            return Self::Refused(reason);
        }
        match err {
            rusqlite::Error::MultipleStatement => Self::MultipleStatements,
            rusqlite::Error::SqliteFailure(e, _) if e.code == ErrorCode::OperationInterrupted => {
                if deadline_passed {
                    Self::Timeout(time_limit)
                } else {
                    Self::Cancelled
                }
            }
            rusqlite::Error::SqliteFailure(e, _) if e.code == ErrorCode::ReadOnly => {
                Self::Refused("this call is read-only and the statement would write".to_owned())
            }
            rusqlite::Error::NulError(_) => {
                Self::Sql("the SQL text holds a NUL character".to_owned())
            }
            other => Self::Sql(other.to_string()),
        }
    }
}
