//! What one call may cost and how many read calls run at once: the [`Limits`] both backends
//! enforce.

use std::time::Duration;

/// How many read connections one caller's running calls leave for everyone else
/// ([`Limits::max_calls_per_caller`]).
pub const READERS_LEFT_FOR_OTHERS: usize = 2;

/// Bounds on what one call may cost, and on how many read calls run at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Rows a query returns when the caller does not ask for fewer (the rest is cut, `truncated`).
    pub default_rows: usize,
    /// The most rows a caller may ask for.
    pub max_rows: usize,
    /// How long one statement may run before SQLite interrupts it.
    pub time_limit: Duration,
    /// The largest string or blob a statement may produce, in bytes (`SQLITE_LIMIT_LENGTH`).
    pub max_value_bytes: usize,
    /// How much one result may hold, in bytes; rows past it are cut (`truncated`). Each value
    /// counts as the larger of its JSON text as sent and the memory it takes once converted (at
    /// least 32 bytes), so this bounds both the answer and the memory a call holds.
    pub max_result_bytes: usize,
    /// The most memory SQLite may hold at once, in bytes, for the whole process (`PRAGMA
    /// hard_heap_limit`; the last database opened sets it). A statement that needs more fails
    /// with "out of memory" instead of exhausting the machine: one row of 2000 columns of
    /// `max_value_bytes` each would be 32 GiB.
    pub max_memory_bytes: usize,
    /// How many read calls (`query`, `list_tables`, `describe_table`) run at once, each on its own
    /// read-only connection and blocking thread; more wait for one to finish, at most
    /// `time_limit`, then get [`DbError::Busy`](super::DbError::Busy). With `max_result_bytes`, this bounds the
    /// connections, threads and result memory all callers together can hold.
    pub max_readers: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            default_rows: 500,
            max_rows: 5_000,
            time_limit: Duration::from_secs(5),
            max_value_bytes: 16 * 1024 * 1024,
            max_result_bytes: 4 * 1024 * 1024,
            max_memory_bytes: 1024 * 1024 * 1024,
            max_readers: 8,
        }
    }
}

impl Limits {
    /// How many calls one caller (one token's issuer, subject and client) may have running at
    /// once: [`READERS_LEFT_FOR_OTHERS`] below `max_readers`, at least 1. Every read call holds a
    /// read connection while it runs (a SQLite reader, or a connection of the PostgreSQL pools,
    /// both `max_readers` in size), so one caller's slow queries never take the last ones and
    /// another caller's read is served at once. The server's default for
    /// `--max-calls-per-caller` (6 with the default 8 readers).
    #[must_use]
    pub fn max_calls_per_caller(&self) -> usize {
        self.max_readers
            .saturating_sub(READERS_LEFT_FOR_OTHERS)
            .max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_caller_leaves_two_readers_to_the_others() {
        assert_eq!(Limits::default().max_calls_per_caller(), 6);
        for (readers, per_caller) in [(1, 1), (2, 1), (3, 1), (4, 2), (20, 18)] {
            let limits = Limits {
                max_readers: readers,
                ..Limits::default()
            };
            assert_eq!(
                limits.max_calls_per_caller(),
                per_caller,
                "{readers} readers"
            );
        }
    }
}
