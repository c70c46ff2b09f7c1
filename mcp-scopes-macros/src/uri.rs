//! Resource URIs and URI templates as `#[resource]` accepts them, checked at compile time. The
//! template grammar is the one `mcp_scopes::resource::UriTemplate` parses (RFC 6570 level 1:
//! `{name}` variables of letters, digits and `_`, not adjacent, each once, at least one); this
//! crate cannot depend on the runtime, so the rule is written twice and the UI cases and the
//! runtime's unit tests use the same templates.

use syn::ext::IdentExt;
use syn::{Pat, PatType};

/// A problem with a fixed URI, worded as a fix.
pub(crate) fn uri_problem(uri: &str) -> Option<String> {
    if uri.contains(['{', '}']) {
        return Some(format!(
            "`uri = \"{uri}\"` holds a `{{variable}}`, for a template write `uri_template = \"{uri}\"`"
        ));
    }
    scheme_problem(uri)
}

/// The variable names of a template, or what is wrong with it, worded as a fix.
pub(crate) fn template_variables(template: &str) -> Result<Vec<String>, String> {
    if let Some(problem) = scheme_problem(template) {
        return Err(problem);
    }
    let mut variables: Vec<String> = Vec::new();
    let mut rest = template;
    let mut last_was_variable = false;
    while !rest.is_empty() {
        let Some(open) = rest.find(['{', '}']) else {
            break;
        };
        if rest[open..].starts_with('}') || !rest[open + 1..].contains('}') {
            return Err(format!(
                "URI template `{template}` has an unmatched brace, write variables as `{{table}}`"
            ));
        }
        if open > 0 {
            last_was_variable = false;
        }
        let after = &rest[open + 1..];
        let close = after.find('}').unwrap_or(after.len());
        let name = &after[..close];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!(
                "URI template variable `{{{name}}}` is not supported, use level-1 variables of letters, digits and `_`, e.g. `{{table}}`"
            ));
        }
        if last_was_variable {
            return Err(format!(
                "URI template `{template}` has two variables with no text between them, separate them, e.g. `{{schema}}/{{table}}`"
            ));
        }
        if variables.iter().any(|v| v == name) {
            return Err(format!(
                "URI template `{template}` names `{{{name}}}` twice, give each variable its own name"
            ));
        }
        variables.push(name.to_owned());
        last_was_variable = true;
        rest = &after[close + 1..];
    }
    if variables.is_empty() {
        return Err(format!(
            "URI template `{template}` has no `{{variable}}`, for a fixed URI write `uri = \"{template}\"`"
        ));
    }
    Ok(variables)
}

/// A URI starts with a scheme (`db:`, `file:`) and holds no whitespace.
fn scheme_problem(uri: &str) -> Option<String> {
    if uri.chars().any(char::is_whitespace) {
        return Some(format!(
            "resource URI `{uri}` holds whitespace, percent-encode it (`%20`)"
        ));
    }
    let scheme = uri.split_once(':').map(|(scheme, _)| scheme);
    let valid = scheme.is_some_and(|s| {
        s.starts_with(|c: char| c.is_ascii_alphabetic())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    (!valid).then(|| {
        format!("resource URI `{uri}` has no scheme, start it with one, e.g. `db://schema`")
    })
}

/// The template variable a parameter stands for: its pattern is a plain name among `variables`.
pub(crate) fn variable_name(param: &PatType, variables: &[String]) -> Option<String> {
    match &*param.pat {
        Pat::Ident(pat) if pat.subpat.is_none() => {
            let name = pat.ident.unraw().to_string();
            variables.contains(&name).then_some(name)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_as_the_runtime_reads_them() {
        assert_eq!(
            template_variables("db://tables/{table}").unwrap(),
            ["table"]
        );
        assert_eq!(
            template_variables("files://{dir}/{name}.csv").unwrap(),
            ["dir", "name"]
        );
        for bad in [
            "db://{table",
            "db://table}",
            "db://{}",
            "db://{+path}",
            "db://{a}{b}",
            "db://{a}/{a}",
            "db://schema",
            "db://{a} x",
            "tables/{table}",
        ] {
            assert!(template_variables(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn fixed_uris_need_a_scheme_and_no_variable() {
        assert_eq!(uri_problem("db://schema"), None);
        assert_eq!(uri_problem("urn:example:a"), None);
        assert!(uri_problem("schema").is_some());
        assert!(uri_problem("1db://schema").is_some());
        assert!(uri_problem("db://{table}").is_some());
    }
}
