//! The answers of `list_tables` and `describe_table`: the same types for both backends, and what
//! the reader connections' catalog cache keeps.

use schemars::JsonSchema;
use serde::Serialize;

/// Whether a schema object is a table or a view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TableKind {
    /// A table.
    Table,
    /// A view (read-only, defined by a SELECT).
    View,
}

/// One table or view, as listed.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct TableSummary {
    /// The name to use in SQL.
    pub name: String,
    /// Table or view.
    pub kind: TableKind,
    /// Column names, in order.
    pub columns: Vec<String>,
    /// Rows in the table (absent for views).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row_count: Option<i64>,
}

/// Every table and view in the database.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct TableList {
    /// Tables and views, sorted by name.
    pub tables: Vec<TableSummary>,
}

/// One column of a table.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ColumnInfo {
    /// Column name.
    pub name: String,
    /// Declared type (e.g. `INTEGER`, `TEXT`; may be empty: SQLite columns accept any type).
    #[serde(rename = "type")]
    pub declared_type: String,
    /// Whether NULL is refused.
    pub not_null: bool,
    /// The default value, as SQL text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// Position in the primary key (1-based), absent when not part of it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_key: Option<i64>,
}

/// A foreign key of a table.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ForeignKeyInfo {
    /// Columns of this table.
    pub columns: Vec<String>,
    /// The referenced table.
    pub references_table: String,
    /// Columns of the referenced table (empty means its primary key).
    pub references_columns: Vec<String>,
    /// `ON UPDATE` action.
    pub on_update: String,
    /// `ON DELETE` action.
    pub on_delete: String,
}

/// An index of a table.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct IndexInfo {
    /// Index name (`sqlite_autoindex_…` for those made by UNIQUE / PRIMARY KEY constraints).
    pub name: String,
    /// Whether the index enforces uniqueness.
    pub unique: bool,
    /// Indexed columns, in order (expressions show as null names and are left out).
    pub columns: Vec<String>,
    /// `c` (CREATE INDEX), `u` (UNIQUE constraint) or `pk` (PRIMARY KEY).
    pub origin: String,
}

/// Everything about one table or view.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct TableDescription {
    /// The name.
    pub name: String,
    /// Table or view.
    pub kind: TableKind,
    /// The CREATE statement.
    pub sql: String,
    /// Columns, in order.
    pub columns: Vec<ColumnInfo>,
    /// Foreign keys (empty for views).
    pub foreign_keys: Vec<ForeignKeyInfo>,
    /// Indexes (empty for views).
    pub indexes: Vec<IndexInfo>,
    /// Rows in the table (absent for views).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row_count: Option<i64>,
}
