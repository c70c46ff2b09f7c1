//! What a pooled reader connection remembers of the catalog: its last `list_tables` answer, served
//! again for as long as SQLite says nothing has changed.
//!
//! Why: listing runs `pragma_table_info` and a `count(*)` for every table, which was about half of a
//! `list_tables` call even with the statements kept prepared, while the answer only changes when
//! the schema or the rows do. SQLite tells a connection when that may have happened: `PRAGMA
//! schema_version` changes with every schema change, and `PRAGMA data_version` changes when
//! another connection commits. `data_version` is per connection (a connection's own commits leave
//! it as it is), so the cache lives with the connection that reads the pair: each pooled
//! [`Reader`] carries its own. Readers are read-only, so every commit comes from another
//! connection (the server's writer, another process) and changes every reader's `data_version`.
//! Catalog reads never run on the writer, which has no cache. PostgreSQL has no such per-connection
//! counter and is not cached.
//!
//! Never stale: the pair is read before the catalog. A commit that lands in between may already
//! show in the answer kept under the older pair, but then the next call reads a newer pair and
//! reads the catalog again; an answer is never served for a state older than the one it was read
//! in.

use rusqlite::Connection;

use super::schema::TableList;

/// A read-only connection of the pool, with what it remembers of the catalog.
#[derive(Debug)]
pub(crate) struct Reader {
    conn: Connection,
    catalog: Catalog,
}

impl Reader {
    pub(crate) fn new(conn: Connection) -> Self {
        Self {
            conn,
            catalog: Catalog::default(),
        }
    }

    pub(crate) fn connection(&self) -> &Connection {
        &self.conn
    }

    /// The connection and its catalog cache, borrowed together.
    pub(crate) fn parts(&mut self) -> (&Connection, &mut Catalog) {
        (&self.conn, &mut self.catalog)
    }
}

/// The catalog as one connection last read it, and the versions it was read under.
#[derive(Debug, Default)]
pub(crate) struct Catalog {
    tables: Option<(Versions, TableList)>,
}

/// `PRAGMA schema_version` and `PRAGMA data_version`, as one connection reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Versions {
    schema: i64,
    data: i64,
}

impl Versions {
    fn read(conn: &Connection) -> rusqlite::Result<Self> {
        let data = conn
            .prepare_cached("PRAGMA data_version")?
            .query_row([], |row| row.get(0))?;
        let schema = conn
            .prepare_cached("PRAGMA schema_version")?
            .query_row([], |row| row.get(0))?;
        Ok(Self { schema, data })
    }
}

impl Catalog {
    /// The table list: the one kept when `conn` (the connection this cache belongs to) reports
    /// the same versions as when it was read, else a fresh one from `read`, which is then kept.
    pub(crate) fn tables(
        &mut self,
        conn: &Connection,
        read: impl FnOnce(&Connection) -> rusqlite::Result<TableList>,
    ) -> rusqlite::Result<TableList> {
        let now = Versions::read(conn)?;
        if let Some((seen, tables)) = &self.tables
            && *seen == now
        {
            return Ok(tables.clone());
        }
        self.tables = None;
        let tables = read(conn)?;
        self.tables = Some((now, tables.clone()));
        Ok(tables)
    }
}
