//! The registry's rules for resources and prompts, against declarations that break them: each is
//! refused when the registry is built, with a message naming what, where and the fix. These
//! declarations are linked into this test binary, so `Registry::collected()` refuses them too.

use mcp_scopes::registry::{Registry, RegistryError};
use mcp_scopes::{prompts, resources, tools};

mod broken {
    use mcp_scopes::completion::Completing;
    use mcp_scopes::tool::Args;
    use mcp_scopes::{prompt, resource};

    /// A schema.
    #[resource(uri = "db://schema", public)]
    pub(crate) async fn schema_a() -> &'static str {
        "a"
    }

    /// The same URI again.
    #[resource(uri = "db://schema", public)]
    pub(crate) async fn schema_b() -> &'static str {
        "b"
    }

    /// Needs a scope nobody declares.
    #[resource(uri = "db://secret", scope = "db:secret")]
    pub(crate) async fn secret() -> &'static str {
        "s"
    }

    #[derive(serde::Deserialize, schemars::JsonSchema)]
    pub(crate) struct Filter {
        pub(crate) text: String,
    }

    /// Takes an input, which a resource read does not have.
    #[resource(uri = "db://search", public)]
    pub(crate) async fn search(Args(filter): Args<Filter>) -> String {
        filter.text
    }

    /// A prompt.
    #[prompt(public, name = "twin")]
    pub(crate) async fn twin_a() -> &'static str {
        "a"
    }

    /// The same name again.
    #[prompt(public, name = "twin")]
    pub(crate) async fn twin_b() -> &'static str {
        "b"
    }

    pub(crate) async fn anything(_: Completing) -> Vec<String> {
        Vec::new()
    }

    /// Completes an argument it does not have.
    #[prompt(public, complete(sqll = anything))]
    pub(crate) async fn typo(Args(filter): Args<Filter>) -> String {
        filter.text
    }

    /// Takes a bare string as its arguments.
    #[prompt(public)]
    pub(crate) async fn bare(Args(text): Args<String>) -> String {
        text
    }
}

fn refused(
    resources: &[&'static mcp_scopes::resource::ResourceDef],
    prompts: &[&'static mcp_scopes::prompt::PromptDef],
) -> RegistryError {
    Registry::from_declarations(tools![], resources, prompts).unwrap_err()
}

#[test]
fn two_resources_with_one_uri_are_refused_naming_both_places() {
    let error = refused(resources![broken::schema_b, broken::schema_a], prompts![]);
    assert_eq!(
        error,
        RegistryError::DuplicateResource {
            uri: "db://schema",
            first: broken::schema_a::RESOURCE.location,
            second: broken::schema_b::RESOURCE.location,
        }
    );
}

#[test]
fn two_prompts_with_one_name_are_refused() {
    let error = refused(resources![], prompts![broken::twin_a, broken::twin_b]);
    assert!(
        matches!(error, RegistryError::DuplicatePrompt { name: "twin", .. }),
        "{error:?}"
    );
}

#[test]
fn an_undeclared_scope_on_a_resource_is_refused() {
    let error = refused(resources![broken::secret], prompts![]);
    assert!(
        error
            .to_string()
            .starts_with("resource `secret` at tests/tests/registry_item_checks.rs:"),
        "{error}"
    );
    assert!(
        matches!(
            error,
            RegistryError::UndeclaredScopeFor {
                kind: "resource",
                scope: "db:secret",
                ..
            }
        ),
        "{error:?}"
    );
}

#[test]
fn a_resource_taking_an_input_is_refused() {
    let error = refused(resources![broken::search], prompts![]);
    assert!(
        matches!(
            error,
            RegistryError::ResourceTakesInput {
                name: "search",
                argument: "Args<Filter>",
                ..
            }
        ),
        "{error:?}"
    );
}

#[test]
fn a_completer_for_an_argument_the_prompt_lacks_is_refused_listing_the_arguments() {
    let error = refused(resources![], prompts![broken::typo]);
    assert!(
        matches!(&error, RegistryError::UnknownCompletion { argument: "sqll", known, .. } if known == "text"),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("complete one of: text"),
        "{error}"
    );
}

#[test]
fn prompt_arguments_that_are_not_an_object_are_refused() {
    let error = refused(resources![], prompts![broken::bare]);
    assert!(
        matches!(
            error,
            RegistryError::BadPromptArguments { name: "bare", .. }
        ),
        "{error:?}"
    );
}

#[test]
fn the_linked_registry_refuses_them_too() {
    assert!(Registry::collected().is_err());
}
