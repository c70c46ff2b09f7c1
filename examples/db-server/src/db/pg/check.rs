//! The check a `query` statement passes before it runs: every function its plan calls must be one
//! PostgreSQL itself declares free of side effects.
//!
//! A `READ ONLY` transaction that is rolled back still lets a statement do things that outlive it
//! or reach outside the database: take a session advisory lock, sleep, signal other backends,
//! read server files or large objects, open a second connection (dblink), or run SQL text it
//! builds (`query_to_xml`). All of these are function calls, and PostgreSQL has no authorizer hook
//! to veto them, so the server asks PostgreSQL for the statement's plan (`EXPLAIN (VERBOSE)`, which
//! plans without running; views are expanded, so a view cannot hide a call) and reads the calls
//! from it. A call passes only if every function of that name lives in `pg_catalog` and is
//! `IMMUTABLE` or `STABLE` (PostgreSQL's own promise that it changes nothing), no other schema has
//! a function of that name (which could be picked instead), and it is not one of the few stable
//! functions that run SQL text or assign a transaction id ([`DENIED`]). A handful of volatile
//! functions that only draw random numbers or read the clock are allowed ([`VOLATILE_ALLOWED`]).
//! Anything PostgreSQL cannot `EXPLAIN` (SET, LISTEN, COPY, DO, CALL, LOCK, PREPARE, …) is refused
//! outright.

use serde_json::Value;
use tokio_postgres::Transaction;
use tokio_postgres::types::Type;

use super::super::{DbError, Limits};
use super::value::{Param, Raw};

/// Stable functions that still must not run: they execute SQL text built at run time (unseen by
/// the plan) or give the transaction an id.
const DENIED: &[&str] = &[
    "query_to_xml",
    "query_to_xml_and_xmlschema",
    "query_to_xmlschema",
    "table_to_xml",
    "table_to_xml_and_xmlschema",
    "table_to_xmlschema",
    "schema_to_xml",
    "schema_to_xml_and_xmlschema",
    "schema_to_xmlschema",
    "database_to_xml",
    "database_to_xml_and_xmlschema",
    "database_to_xmlschema",
    "cursor_to_xml",
    "cursor_to_xmlschema",
    "ts_stat",
    "ts_rewrite",
    "txid_current",
    "pg_current_xact_id",
];

/// Volatile functions that change nothing outside the statement.
const VOLATILE_ALLOWED: &[&str] = &["random", "clock_timestamp", "timeofday", "gen_random_uuid"];

/// Words the plan prints like calls that are syntax, not functions (`COALESCE(…)`), and type
/// names with a modifier (`character varying(20)`).
const SYNTAX: &[&str] = &[
    "coalesce",
    "nullif",
    "greatest",
    "least",
    "row",
    "array",
    "exists",
    "grouping",
    "from",
    "xmlelement",
    "xmlconcat",
    "xmlforest",
    "xmlparse",
    "xmlpi",
    "xmlroot",
    "xmlserialize",
    "varying",
    "character",
    "current_time",
    "current_timestamp",
    "localtime",
    "localtimestamp",
];

/// The statement's plan, as PostgreSQL's `EXPLAIN (VERBOSE, FORMAT JSON)` gives it (planned, not
/// run). A statement PostgreSQL cannot explain (anything but SELECT, VALUES, TABLE, INSERT,
/// UPDATE, DELETE, MERGE and a few more) is refused, with `what` saying what the tool runs.
pub(super) async fn plan(
    tx: &Transaction<'_>,
    sql: &str,
    types: &[Type],
    params: &[Param],
    what: &str,
    limits: &Limits,
) -> Result<Value, DbError> {
    // A newline, so a statement starting with a comment stays one.
    let explain = format!("EXPLAIN (VERBOSE, FORMAT JSON)\n{sql}");
    let statement = tx.prepare_typed(&explain, types).await.map_err(|e| {
        DbError::Refused(format!(
            "{what}; PostgreSQL cannot plan this statement as one: {}",
            super::describe(&e)
        ))
    })?;
    let row = tx
        .query_one(&statement, &super::value::as_params(params))
        .await
        .map_err(|e| super::from_postgres(&e, limits))?;
    let plan: Raw<'_> = row
        .try_get(0)
        .map_err(|e| DbError::Internal(format!("unreadable plan: {e}")))?;
    serde_json::from_slice(plan.0.unwrap_or(b"null"))
        .map_err(|e| DbError::Internal(format!("unreadable plan: {e}")))
}

/// Refuses the statement unless its `plan` calls only allowed functions (and `also_allowed`).
pub(super) async fn check_calls(
    tx: &Transaction<'_>,
    plan: &Value,
    also_allowed: &[&str],
    limits: &Limits,
) -> Result<(), DbError> {
    let mut found = Found::default();
    collect_calls(plan, &mut found);
    let Found {
        mut calls,
        mut operators,
    } = found;
    calls.sort();
    calls.dedup();
    calls.retain(|name| !SYNTAX.contains(&name.as_str()));
    operators.sort();
    operators.dedup();
    if calls.is_empty() && operators.is_empty() {
        return Ok(());
    }
    let refused: Vec<String> = tx
        .query(
            "SELECT name FROM unnest($1::text[]) AS name \
             WHERE name = ANY ($2::text[]) \
                OR (name <> ALL ($3::text[]) AND (
                    NOT EXISTS (SELECT FROM pg_catalog.pg_proc p \
                                WHERE p.proname = name \
                                  AND p.pronamespace = 'pg_catalog'::regnamespace) \
                    OR EXISTS (SELECT FROM pg_catalog.pg_proc p \
                               WHERE p.proname = name \
                                 AND (p.pronamespace <> 'pg_catalog'::regnamespace \
                                      OR p.provolatile = 'v')))) \
             UNION \
             SELECT 'operator ' || op FROM unnest($4::text[]) AS op \
             WHERE EXISTS (SELECT FROM pg_catalog.pg_operator o \
                           LEFT JOIN pg_catalog.pg_proc p ON p.oid = o.oprcode \
                           WHERE o.oprname = op \
                             AND (o.oprnamespace <> 'pg_catalog'::regnamespace \
                                  OR p.provolatile = 'v')) \
             ORDER BY 1",
            &[
                &calls,
                &DENIED.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
                &VOLATILE_ALLOWED
                    .iter()
                    .chain(also_allowed)
                    .map(|s| (*s).to_owned())
                    .collect::<Vec<_>>(),
                &operators,
            ],
        )
        .await
        .map_err(|e| super::from_postgres(&e, limits))?
        .iter()
        .map(|row| row.get(0))
        .collect();
    if refused.is_empty() {
        Ok(())
    } else {
        Err(DbError::Refused(format!(
            "`query` may call only built-in functions and operators without side effects, and \
             this statement calls {}; functions that sleep, lock, signal other sessions, change \
             settings, use sequences, read files or large objects, or run SQL text are refused",
            refused
                .iter()
                .map(|name| format!("`{name}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )))
    }
}

/// What a plan's expressions call.
#[derive(Debug, Default, PartialEq)]
struct Found {
    /// Function names. Lowercase unless quoted; a call qualified by a schema other than
    /// `pg_catalog` keeps its schema, so it never matches a built-in.
    calls: Vec<String>,
    /// Operator symbols (`=`, `||`, `->>`, …).
    operators: Vec<String>,
}

/// Every function call and operator named anywhere in the plan's expressions, plus each function
/// scan's function.
fn collect_calls(plan: &Value, found: &mut Found) {
    match plan {
        Value::Object(map) => {
            for (key, value) in map {
                if key.ends_with("Function Name") {
                    if let Value::String(name) = value {
                        found.calls.push(name.clone());
                    }
                } else {
                    collect_calls(value, found);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_calls(item, found)),
        Value::String(text) => calls_in_expression(text, found),
        _ => {}
    }
}

/// The characters PostgreSQL operators are made of.
const OPERATOR_CHARS: &str = "+-*/<>=~!@#%^&|`?";

/// The names followed directly by `(` in an expression as PostgreSQL prints it (identifiers,
/// quoted or not, optionally schema-qualified) and the operators, skipping string literals.
fn calls_in_expression(text: &str, found: &mut Found) {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let mut name: Vec<String> = Vec::new();
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            name.clear();
            i += 1;
            while i < chars.len() {
                if chars[i] == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i += 1;
            }
            i += 1;
        } else if c == '"' {
            let mut ident = String::new();
            i += 1;
            while i < chars.len() {
                if chars[i] == '"' {
                    if chars.get(i + 1) == Some(&'"') {
                        ident.push('"');
                        i += 2;
                        continue;
                    }
                    break;
                }
                ident.push(chars[i]);
                i += 1;
            }
            i += 1;
            name.push(ident);
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
            {
                i += 1;
            }
            name.push(chars[start..i].iter().collect::<String>().to_lowercase());
        } else if c.is_ascii_digit() {
            name.clear();
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '.') {
                i += 1;
            }
        } else if c == '.' && !name.is_empty() {
            i += 1;
        } else if OPERATOR_CHARS.contains(c) {
            name.clear();
            let start = i;
            while i < chars.len() && OPERATOR_CHARS.contains(chars[i]) {
                i += 1;
            }
            found.operators.push(chars[start..i].iter().collect());
        } else {
            if c == '(' && !name.is_empty() {
                found.calls.push(qualified(&name));
            }
            name.clear();
            i += 1;
        }
    }
}

fn qualified(parts: &[String]) -> String {
    match parts {
        [schema, function] if schema == "pg_catalog" => function.clone(),
        [only] => only.clone(),
        parts => parts.join("."),
    }
}

#[cfg(test)]
mod tests {
    use super::{Found, calls_in_expression};

    fn calls(text: &str) -> Vec<String> {
        let mut found = Found::default();
        calls_in_expression(text, &mut found);
        found.calls
    }

    #[test]
    fn operators_are_read_too() {
        let mut found = Found::default();
        calls_in_expression(
            "((a.x + 1) >= '2 - 3'::text) AND (j ->> 'k') ~~ 'a%'",
            &mut found,
        );
        assert_eq!(found.operators, ["+", ">=", "->>", "~~"]);
        assert!(found.calls.is_empty());
    }

    #[test]
    fn calls_are_read_from_printed_expressions() {
        assert_eq!(calls("pg_sleep('1'::double precision)"), ["pg_sleep"]);
        assert_eq!(calls("lower(c.name), count(*)"), ["lower", "count"]);
        assert_eq!(calls("'pg_sleep(1)'::text"), Vec::<String>::new());
        assert_eq!(calls("\"Weird\"\"Fn\"(1)"), ["Weird\"Fn"]);
        assert_eq!(calls("pg_catalog.upper(x)"), ["upper"]);
        assert_eq!(calls("evil.upper(x)"), ["evil.upper"]);
        assert_eq!(calls("customers.name"), Vec::<String>::new());
        assert_eq!(calls("(1 + 2) AND (x)"), Vec::<String>::new());
        assert_eq!(calls("'it''s pg_sleep(' || f(1)"), ["f"]);
    }
}
