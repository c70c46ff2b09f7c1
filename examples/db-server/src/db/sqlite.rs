//! The SQLite backend's connections: one writer, a pool of at most `max_readers` read-only
//! connections, and how a call takes its turn on either (on the blocking pool, interrupted when
//! its caller goes away).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rusqlite::Connection;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::catalog::Reader;
use super::error::DbError;
use super::limits::Limits;
use super::open;

/// One SQLite file, one writer connection and a pool of at most `max_readers` read-only
/// connections.
#[derive(Debug, Clone)]
pub(crate) struct Sqlite {
    pub(super) inner: Arc<Inner>,
}

#[derive(Debug)]
pub(super) struct Inner {
    pub(super) path: PathBuf,
    pub(super) limits: Limits,
    // Fields drop in order: the readers close first, so the writer is the last connection and
    // checkpoints the WAL into the database file on the way out.
    idle_readers: Mutex<Vec<Reader>>,
    writer: Mutex<Connection>,
    /// One permit per read-only connection that may be open and in use.
    readers: Arc<Semaphore>,
    /// One permit: the turn on the writer. Writes queue here, as cheap futures, rather than as
    /// blocking threads waiting on the mutex.
    writer_turn: Arc<Semaphore>,
}

impl Sqlite {
    pub(super) fn open_with_limits(
        path: impl AsRef<Path>,
        limits: Limits,
    ) -> Result<Self, DbError> {
        let path = path.as_ref().to_path_buf();
        if limits.max_readers == 0 || limits.max_readers > Semaphore::MAX_PERMITS {
            return Err(DbError::Internal(format!(
                "max_readers must be between 1 and {}, not {}",
                Semaphore::MAX_PERMITS,
                limits.max_readers
            )));
        }
        let writer = open::open_writer(&path, &limits)?;
        Ok(Self {
            inner: Arc::new(Inner {
                path,
                limits,
                idle_readers: Mutex::new(Vec::new()),
                writer: Mutex::new(writer),
                readers: Arc::new(Semaphore::new(limits.max_readers)),
                writer_turn: Arc::new(Semaphore::new(1)),
            }),
        })
    }
}

impl Inner {
    /// Runs `work` on the writer connection, on the blocking pool, once it is this call's turn
    /// (waiting at most twice `time_limit`: a write queued behind one that runs to the limit
    /// still gets its turn).
    pub(super) async fn with_writer<T, F>(self: &Arc<Self>, work: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection, &Limits) -> Result<T, DbError> + Send + 'static,
    {
        let wait = self.limits.time_limit.saturating_mul(2);
        let Some(turn) = wait_for(&self.writer_turn, wait).await? else {
            return Err(DbError::WriterBusy { waited: wait });
        };
        let inner = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let _turn = turn;
            // A panic while holding the lock leaves no open transaction behind (the transaction
            // guard rolls back on unwind), so the connection is still usable.
            let mut conn = inner.writer.lock().unwrap_or_else(PoisonError::into_inner);
            work(&mut conn, &inner.limits)
        })
        .await
        .map_err(|e| DbError::Internal(format!("database task failed: {e}")))?
    }

    fn take_reader(&self) -> Result<Reader, DbError> {
        let idle = self
            .idle_readers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        match idle {
            Some(reader) => Ok(reader),
            None => open::open_reader(&self.path, &self.limits).map(Reader::new),
        }
    }

    fn give_back_reader(&self, reader: Reader) {
        let mut idle = self
            .idle_readers
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if idle.len() < self.limits.max_readers {
            idle.push(reader);
        }
    }

    /// Runs `work` on a read-only connection, on the blocking pool, once one of the `max_readers`
    /// is free (waiting at most `time_limit`). If the returned future is dropped (the client went
    /// away), the running statement is interrupted.
    pub(super) async fn with_reader<T, F>(self: &Arc<Self>, work: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &Limits) -> Result<T, DbError> + Send + 'static,
    {
        self.with_pooled_reader(move |reader, limits| work(reader.connection(), limits))
            .await
    }

    /// [`Inner::with_reader`], handing `work` the pooled reader itself (with its catalog cache).
    pub(super) async fn with_pooled_reader<T, F>(self: &Arc<Self>, work: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Reader, &Limits) -> Result<T, DbError> + Send + 'static,
    {
        let wait = self.limits.time_limit;
        // The permit moves into the blocking task: a statement still running after its caller
        // left keeps its connection counted until it stops.
        let Some(permit) = wait_for(&self.readers, wait).await? else {
            return Err(DbError::Busy {
                readers: self.limits.max_readers,
                waited: wait,
            });
        };
        let running: Arc<Mutex<Option<rusqlite::InterruptHandle>>> = Arc::default();
        let guard = InterruptOnDrop(Arc::clone(&running));
        let inner = Arc::clone(self);
        let result = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let mut reader = inner.take_reader()?;
            *running.lock().unwrap_or_else(PoisonError::into_inner) =
                Some(reader.connection().get_interrupt_handle());
            let result = work(&mut reader, &inner.limits);
            // Forget the handle before the connection can serve another caller, so a late
            // interrupt cannot reach someone else's statement.
            running
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            inner.give_back_reader(reader);
            result
        })
        .await
        .map_err(|e| DbError::Internal(format!("database task failed: {e}")))?;
        drop(guard);
        result
    }
}

/// Takes a permit of `semaphore`, waiting at most `wait`; `None` when the wait ran out.
pub(crate) async fn wait_for(
    semaphore: &Arc<Semaphore>,
    wait: Duration,
) -> Result<Option<OwnedSemaphorePermit>, DbError> {
    match tokio::time::timeout(wait, Arc::clone(semaphore).acquire_owned()).await {
        Ok(Ok(permit)) => Ok(Some(permit)),
        Ok(Err(_closed)) => Err(DbError::Internal("the database is closing".to_owned())),
        Err(_elapsed) => Ok(None),
    }
}

/// Interrupts the statement a reader is running when the caller stops waiting for it.
struct InterruptOnDrop(Arc<Mutex<Option<rusqlite::InterruptHandle>>>);

impl Drop for InterruptOnDrop {
    fn drop(&mut self) {
        if let Some(handle) = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
        {
            handle.interrupt();
        }
    }
}
