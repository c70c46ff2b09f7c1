//! The checks a server build runs on a registry, against declarations that break them: each is
//! refused with a message naming what and where. These declarations are linked into this test
//! binary, so `Registry::collected()` refuses them too.

use mcp_scopes::registry::{Registry, RegistryError};
use mcp_scopes::scope::DeclaredScope;
use mcp_scopes::{scope, tools};

/// Read the database.
#[scope(name = "db:query")]
pub struct DbQuery;

/// Declarations that break the registry rules, each written the ordinary way.
mod broken {
    use mcp_scopes::tool::{Args, Structured};
    use mcp_scopes::{scope, tool};
    use schemars::JsonSchema;
    use serde::Deserialize;

    pub(crate) const TWIN_A_LINE: u32 = line!() + 3;

    /// The first twin.
    #[tool(public, name = "twin")]
    pub(crate) async fn twin_a() {}

    pub(crate) const TWIN_B_LINE: u32 = line!() + 3;

    /// The second twin.
    #[tool(public, name = "twin")]
    pub(crate) async fn twin_b() {}

    /// Misspells its scope.
    #[tool(scope = "db:qeury")]
    pub(crate) async fn typo() {}

    #[derive(Deserialize, JsonSchema)]
    pub(crate) struct A {
        pub(crate) a: u8,
    }

    #[derive(Deserialize, JsonSchema)]
    pub(crate) struct B {
        pub(crate) b: u8,
    }

    /// Takes two inputs.
    #[tool(public)]
    pub(crate) async fn two_inputs(Args(a): Args<A>, Args(b): Args<B>) -> String {
        format!("{}{}", a.a, b.b)
    }

    /// Takes a bare string as its input.
    #[tool(public)]
    pub(crate) async fn string_input(Args(text): Args<String>) -> String {
        text
    }

    /// Returns a list as structured content.
    #[tool(public)]
    pub(crate) async fn list_output() -> Structured<Vec<u32>> {
        Structured(vec![1])
    }

    /// Declares `db:query` a second time.
    #[scope(name = "db:query")]
    pub(crate) struct QueryAgain;

    /// Implies a scope nobody declares.
    #[scope(name = "db:orphan", implies = ["db:missing"])]
    pub(crate) struct Orphan;
}

#[test]
fn two_tools_with_one_name_are_refused_naming_both_places() {
    let err = Registry::from_tools(tools![broken::twin_b, broken::twin_a]).unwrap_err();
    let first = format!("tests/tests/registry_checks.rs:{}", broken::TWIN_A_LINE);
    let second = format!("tests/tests/registry_checks.rs:{}", broken::TWIN_B_LINE);
    assert_eq!(
        err,
        RegistryError::DuplicateTool {
            name: "twin".into(),
            first: broken::twin_a::TOOL.location,
            second: broken::twin_b::TOOL.location,
        }
    );
    assert_eq!(
        err.to_string(),
        format!(
            "two tools are named `twin`: one at {first}, one at {second}; give one a `name = \"…\"`"
        )
    );
}

#[test]
fn two_scopes_with_one_name_are_refused_naming_both_places() {
    let err = Registry::from_parts(tools![], &[DbQuery::DEF, broken::QueryAgain::DEF]).unwrap_err();
    assert!(
        matches!(err, RegistryError::DuplicateScope { ref name, .. } if name == "db:query"),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message
            .starts_with("scope `db:query` is declared twice: at tests/tests/registry_checks.rs:"),
        "{message}"
    );
}

#[test]
fn a_misspelled_string_scope_is_refused() {
    let err = Registry::from_parts(tools![broken::typo], &[DbQuery::DEF]).unwrap_err();
    assert!(
        matches!(
            err,
            RegistryError::UndeclaredScope {
                tool: "typo",
                scope: "db:qeury",
                suggestion: Some("db:query"),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains(
            "needs scope `db:qeury`, which is never declared; did you mean `db:query`? If not, declare it with `#[scope(name = \"db:qeury\")]` or fix the spelling"
        ),
        "{err}"
    );
}

#[test]
#[should_panic(expected = "cannot make a server: two tools are named `twin`")]
fn the_one_line_registry_check_fails_with_the_message_of_the_problem() {
    // This binary links two tools of one name (and more mistakes, reported one at a time).
    Registry::assert_collected_is_valid();
}

#[test]
fn a_scope_implying_an_undeclared_scope_is_refused() {
    let err = Registry::from_parts(tools![], &[broken::Orphan::DEF]).unwrap_err();
    assert!(
        matches!(
            err,
            RegistryError::UndeclaredImplied {
                scope: "db:orphan",
                implied: "db:missing",
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn two_inputs_on_one_tool_are_refused() {
    let err = Registry::from_tools(tools![broken::two_inputs]).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "tool `two_inputs` at {} takes two inputs (`Args<A>` and `Args<B>`); merge them into one `Args<T>`",
            broken::two_inputs::TOOL.location
        )
    );
}

#[test]
fn schemas_that_are_not_objects_are_refused() {
    for (tools, which) in [
        (tools![broken::string_input], "input"),
        (tools![broken::list_output], "output"),
    ] {
        let err = Registry::from_tools(tools).unwrap_err();
        assert!(
            matches!(err, RegistryError::NotAnObjectSchema { which: w, .. } if w == which),
            "{err:?}"
        );
    }
}

#[test]
fn collected_refuses_the_linked_duplicate_tool_names_first() {
    // Every broken declaration above is linked in; duplicate tool names are checked first.
    let err = Registry::collected().unwrap_err();
    assert!(
        matches!(err, RegistryError::DuplicateTool { ref name, .. } if name == "twin"),
        "{err:?}"
    );
}
