//! Why a registry cannot be built: each variant names the declaration, where it is, and the fix.

use crate::resource::UriTemplateError;

/// Why a set of declarations cannot make a server.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// Two tools share a name.
    #[error(
        "two tools are named `{name}`: one at {first}, one at {second}; give one a `name = \"…\"`"
    )]
    DuplicateTool {
        /// The shared name.
        name: String,
        /// Where the first is declared.
        first: &'static str,
        /// Where the second is declared.
        second: &'static str,
    },
    /// Two scope declarations share a name.
    #[error("scope `{name}` is declared twice: at {first} and at {second}")]
    DuplicateScope {
        /// The shared name.
        name: String,
        /// Where the first is declared.
        first: &'static str,
        /// Where the second is declared.
        second: &'static str,
    },
    /// A tool needs a scope (given as a string) that no `#[scope]` declares.
    #[error(
        "tool `{tool}` at {location} needs scope `{scope}`, which is never declared; {}",
        undeclared_scope_fix(.scope, *.suggestion)
    )]
    UndeclaredScope {
        /// The tool.
        tool: &'static str,
        /// Where the tool is declared.
        location: &'static str,
        /// The unknown scope.
        scope: &'static str,
        /// The declared scope whose name is closest to it, when one is close enough to be a typo.
        suggestion: Option<&'static str>,
    },
    /// A scope implies a scope that is never declared.
    #[error("scope `{scope}` at {location} implies `{implied}`, which is never declared")]
    UndeclaredImplied {
        /// The implying scope.
        scope: &'static str,
        /// Where it is declared.
        location: &'static str,
        /// The unknown implied scope.
        implied: &'static str,
    },
    /// A tool takes two arguments that both claim to be the input.
    #[error(
        "tool `{tool}` at {location} takes two inputs (`{first}` and `{second}`); merge them into one `Args<T>`"
    )]
    TwoInputs {
        /// The tool.
        tool: &'static str,
        /// Where the tool is declared.
        location: &'static str,
        /// The first input argument's type.
        first: &'static str,
        /// The second input argument's type.
        second: &'static str,
    },
    /// A tool's input or output schema does not describe an object, as MCP requires.
    #[error(
        "the {which} schema of tool `{tool}` at {location} is not an object schema; use a struct with named fields"
    )]
    NotAnObjectSchema {
        /// The tool.
        tool: &'static str,
        /// Where the tool is declared.
        location: &'static str,
        /// `input` or `output`.
        which: &'static str,
    },
    /// Two resources share a URI, or two templates are written the same.
    #[error(
        "two resources have the URI `{uri}`: one at {first}, one at {second}; give each its own"
    )]
    DuplicateResource {
        /// The shared URI or template.
        uri: &'static str,
        /// Where the first is declared.
        first: &'static str,
        /// Where the second is declared.
        second: &'static str,
    },
    /// Two prompts share a name.
    #[error(
        "two prompts are named `{name}`: one at {first}, one at {second}; give one a `name = \"…\"`"
    )]
    DuplicatePrompt {
        /// The shared name.
        name: &'static str,
        /// Where the first is declared.
        first: &'static str,
        /// Where the second is declared.
        second: &'static str,
    },
    /// A resource or prompt needs a scope (given as a string) that no `#[scope]` declares.
    #[error(
        "{kind} `{name}` at {location} needs scope `{scope}`, which is never declared; {}",
        undeclared_scope_fix(.scope, *.suggestion)
    )]
    UndeclaredScopeFor {
        /// `resource` or `prompt`.
        kind: &'static str,
        /// Its name.
        name: &'static str,
        /// Where it is declared.
        location: &'static str,
        /// The unknown scope.
        scope: &'static str,
        /// The declared scope whose name is closest to it, when one is close enough to be a typo.
        suggestion: Option<&'static str>,
    },
    /// A resource template that is not a level-1 URI template.
    #[error("resource `{name}` at {location}: {error}")]
    BadUriTemplate {
        /// The resource.
        name: &'static str,
        /// Where it is declared.
        location: &'static str,
        /// What is wrong with the template.
        error: UriTemplateError,
    },
    /// A resource handler that takes an input (`Args<T>`), which resources have not.
    #[error(
        "resource `{name}` at {location} takes `{argument}`, but a resource read has no arguments; take each template variable as a parameter of its name instead"
    )]
    ResourceTakesInput {
        /// The resource.
        name: &'static str,
        /// Where it is declared.
        location: &'static str,
        /// The input argument's type.
        argument: &'static str,
    },
    /// A prompt whose arguments are not one object schema.
    #[error("the arguments of prompt `{name}` at {location} {problem}")]
    BadPromptArguments {
        /// The prompt.
        name: &'static str,
        /// Where it is declared.
        location: &'static str,
        /// What is wrong, with the fix.
        problem: &'static str,
    },
    /// A completer declared for an argument or variable that does not exist.
    #[error(
        "{kind} `{name}` at {location} declares a completer for `{argument}`, which is not one of its {what}; complete one of: {known}"
    )]
    UnknownCompletion {
        /// `resource` or `prompt`.
        kind: &'static str,
        /// Its name.
        name: &'static str,
        /// Where it is declared.
        location: &'static str,
        /// The argument named by the completer.
        argument: &'static str,
        /// `template variables` or `arguments`.
        what: &'static str,
        /// The ones that exist, comma separated.
        known: String,
    },
}

fn undeclared_scope_fix(scope: &str, suggestion: Option<&str>) -> String {
    let declare = format!("declare it with `#[scope(name = \"{scope}\")]` or fix the spelling");
    match suggestion {
        Some(close) => format!("did you mean `{close}`? If not, {declare}"),
        None => declare,
    }
}

/// The name closest to `typo` by edit distance (a swap of two neighbours counts as one edit), if it
/// is within two edits, or a quarter of the name for long names.
pub(super) fn closest_name<'a>(
    typo: &str,
    names: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (typo.chars().count() / 4).max(2);
    names
        .map(|name| (strsim::osa_distance(typo, name), name))
        .filter(|(distance, _)| *distance <= limit)
        .min()
        .map(|(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::closest_name;

    #[test]
    fn a_typo_suggests_the_closest_declared_name_and_a_stranger_nothing() {
        let declared = ["notes:read", "notes:write", "admin"];
        let closest = |typo| closest_name(typo, declared.iter().copied());
        assert_eq!(closest("notes:wirte"), Some("notes:write"));
        assert_eq!(closest("notes:raed"), Some("notes:read"));
        assert_eq!(closest("note:write"), Some("notes:write"));
        assert_eq!(closest("admn"), Some("admin"));
        assert_eq!(closest("billing:write"), None);
        assert_eq!(closest("db"), None);
    }
}
