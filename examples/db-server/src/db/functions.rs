//! Which SQL functions a caller's statement may call.
//!
//! The bundled SQLite compiles in more than plain value functions: `load_extension` (native code),
//! `fts3_tokenizer` (reads and plants raw pointers: an address leak and a way to make the next
//! full-text query jump to any address), `fts5(?)` (hands out a pointer), the R*Tree and full-text
//! internals, and functions that describe the build or the shared connection. A caller's SQL is
//! untrusted, so the authorizer refuses every function that is not on [`ALLOWED`]: a function a
//! future SQLite adds stays refused until someone decides about it (a test lists every function the
//! bundled build has and fails on one that is in neither list).
//!
//! What the allowed functions may cost is bounded elsewhere, not here: every string or blob they
//! build (`zeroblob`, `randomblob`, `printf` widths, `replace`, `group_concat`, `json_*`) is capped
//! by `SQLITE_LIMIT_LENGTH`, JSON nesting by SQLite's own depth limit (1000), the whole of
//! SQLite's memory by the hard heap limit, and the time by the statement's deadline.

/// The functions a statement may call: pure computations on values, sorted by name. The README of
/// the example lists them too.
pub(crate) const ALLOWED: &[&str] = &[
    "->",
    "->>",
    "abs",
    "avg",
    "char",
    "coalesce",
    "concat",
    "concat_ws",
    "count",
    "cume_dist",
    "current_date",
    "current_time",
    "current_timestamp",
    "date",
    "datetime",
    "dense_rank",
    "first_value",
    "format",
    "glob",
    "group_concat",
    "hex",
    "if",
    "ifnull",
    "iif",
    "instr",
    "json",
    "json_array",
    "json_array_length",
    "json_error_position",
    "json_extract",
    "json_group_array",
    "json_group_object",
    "json_insert",
    "json_object",
    "json_patch",
    "json_quote",
    "json_remove",
    "json_replace",
    "json_set",
    "json_type",
    "json_valid",
    "jsonb",
    "jsonb_array",
    "jsonb_extract",
    "jsonb_group_array",
    "jsonb_group_object",
    "jsonb_insert",
    "jsonb_object",
    "jsonb_patch",
    "jsonb_remove",
    "jsonb_replace",
    "jsonb_set",
    "julianday",
    "lag",
    "last_value",
    "lead",
    "length",
    "like",
    "likelihood",
    "likely",
    "lower",
    "ltrim",
    "max",
    "min",
    "nth_value",
    "ntile",
    "nullif",
    "octet_length",
    "percent_rank",
    "printf",
    "quote",
    "random",
    "randomblob",
    "rank",
    "replace",
    "round",
    "row_number",
    "rtrim",
    "sign",
    "soundex",
    "strftime",
    "string_agg",
    "substr",
    "substring",
    "sum",
    "time",
    "timediff",
    "total",
    "trim",
    "typeof",
    "unhex",
    "unicode",
    "unistr",
    "unistr_quote",
    "unixepoch",
    "unlikely",
    "upper",
    "zeroblob",
];

/// The functions the bundled SQLite has that are refused, each with the reason given to the
/// caller.
pub(crate) const REFUSED: &[(&str, &str)] = &[
    ("bm25", FULL_TEXT),
    ("changes", CONNECTION_STATE),
    ("fts3_tokenizer", POINTERS),
    ("fts5", POINTERS),
    ("fts5_get_locale", FULL_TEXT),
    ("fts5_insttoken", FULL_TEXT),
    ("fts5_locale", FULL_TEXT),
    ("fts5_source_id", BUILD),
    ("highlight", FULL_TEXT),
    (
        "json_pretty",
        "it multiplies its input's size (indentation at every nesting level) in memory the value \
         size limit does not cover; format JSON on the client",
    ),
    ("last_insert_rowid", CONNECTION_STATE),
    ("load_extension", "it loads native code"),
    ("match", FULL_TEXT),
    ("matchinfo", FULL_TEXT),
    ("offsets", FULL_TEXT),
    ("optimize", FULL_TEXT),
    ("rtreecheck", RTREE),
    ("rtreedepth", RTREE),
    ("rtreenode", RTREE),
    ("snippet", FULL_TEXT),
    ("sqlite_compileoption_get", BUILD),
    ("sqlite_compileoption_used", BUILD),
    ("sqlite_log", "it writes to the server's log"),
    ("sqlite_source_id", BUILD),
    ("sqlite_version", BUILD),
    (
        "subtype",
        "it exposes SQLite's internal value tags, not data",
    ),
    ("total_changes", CONNECTION_STATE),
];

const POINTERS: &str = "it hands out or takes raw memory pointers";
const FULL_TEXT: &str = "it belongs to full-text search, which this server does not offer";
const RTREE: &str = "it decodes R*Tree internals, which this server does not offer";
const BUILD: &str = "it describes how the server was built, which no query needs";
const CONNECTION_STATE: &str =
    "it reports the state of a connection shared with other callers, not this call's work";

/// Whether a statement may call `name` (any case); `Err` is the refusal, naming the function.
pub(crate) fn check(name: &str) -> Result<(), String> {
    let name = name.to_ascii_lowercase();
    if ALLOWED.binary_search(&name.as_str()).is_ok() {
        return Ok(());
    }
    if name == "load_extension" {
        return Err("load_extension() is disabled on this server: it loads native code".into());
    }
    let reason = REFUSED.iter().find(|(refused, _)| *refused == name).map_or(
        "it is not on this server's list of allowed functions",
        |(_, why)| why,
    );
    Err(format!(
        "the SQL function {name}() is not allowed on this server: {reason}; statements may call \
         the functions that compute on values (text, numbers, dates, JSON, aggregates and window \
         functions), listed in the db-server README"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lists_are_sorted_and_apart() {
        assert!(ALLOWED.windows(2).all(|w| w[0] < w[1]), "ALLOWED is sorted");
        assert!(
            REFUSED.windows(2).all(|w| w[0].0 < w[1].0),
            "REFUSED is sorted"
        );
        for (name, _) in REFUSED {
            assert!(ALLOWED.binary_search(name).is_err(), "{name} in both lists");
        }
    }

    /// Every function the bundled SQLite has is decided: a new SQLite with a new function fails
    /// here until it is put in one of the lists.
    #[test]
    fn every_function_of_the_bundled_sqlite_is_decided() {
        let conn = rusqlite::Connection::open_in_memory().expect("open");
        let mut stmt = conn
            .prepare("SELECT DISTINCT name FROM pragma_function_list ORDER BY name")
            .expect("function list");
        let names: Vec<String> = stmt
            .query_map([], |row| row.get(0))
            .and_then(Iterator::collect)
            .expect("function names");
        assert!(names.len() > 100, "{names:?}");
        let undecided: Vec<&String> = names
            .iter()
            .filter(|name| {
                ALLOWED.binary_search(&name.as_str()).is_err()
                    && !REFUSED.iter().any(|(refused, _)| refused == name)
            })
            .collect();
        assert!(undecided.is_empty(), "decide about: {undecided:?}");
        for name in ALLOWED {
            assert!(
                names.iter().any(|n| n == name),
                "{name} is not in this SQLite"
            );
        }
    }

    #[test]
    fn refusals_name_the_function_and_why_in_any_case() {
        assert_eq!(check("JSON_EXTRACT"), Ok(()));
        let err = check("FTS3_Tokenizer").expect_err("refused");
        assert!(err.contains("fts3_tokenizer() is not allowed"), "{err}");
        assert!(err.contains("pointers"), "{err}");
        assert!(
            check("LOAD_EXTENSION")
                .expect_err("refused")
                .contains("native code")
        );
        let err = check("no_such_function").expect_err("refused");
        assert!(err.contains("not on this server's list"), "{err}");
    }
}
