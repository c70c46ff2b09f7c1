//! Quoting identifiers into SQL text, where a name cannot be a bound parameter. Shared by both
//! backends: SQLite and PostgreSQL quote the same way.

/// Quotes an identifier for SQL: SQLite's rule is to double any `"` and wrap the name in `"`.
pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::quote_ident;

    #[test]
    fn identifiers_are_quoted_with_doubled_quotes() {
        assert_eq!(quote_ident("orders"), "\"orders\"");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }
}
