//! The rules a registry's declarations must follow beyond what the macros check at compile time:
//! the ones that need several declarations at once (duplicates) or a schema only known at run
//! time (a prompt's arguments, a tool's input and output).

use crate::prompt::PromptDef;
use crate::resource::{ResourceDef, ResourceUri, UriTemplate};
use crate::tool::{ArgSpec, ToolDef};

use super::RegistryError;

/// At most one argument is the input, and the input and output schemas describe objects.
pub(super) fn tool_schemas(tool: &'static ToolDef) -> Result<(), RegistryError> {
    let mut inputs = inputs(tool.args);
    if let Some((first, input)) = inputs.next() {
        if let Some((second, _)) = inputs.next() {
            return Err(RegistryError::TwoInputs {
                tool: tool.name,
                location: tool.location,
                first,
                second,
            });
        }
        if !is_object_schema(&input) {
            return Err(RegistryError::NotAnObjectSchema {
                tool: tool.name,
                location: tool.location,
                which: "input",
            });
        }
    }
    if let Some(output) = (tool.output_schema)()
        && !is_object_schema(&output)
    {
        return Err(RegistryError::NotAnObjectSchema {
            tool: tool.name,
            location: tool.location,
            which: "output",
        });
    }
    Ok(())
}

/// The fixed resources sorted by URI and the templates (parsed) sorted by template, each URI or
/// template once; no resource takes an input; completers name template variables.
pub(super) type CheckedResources = (
    Vec<&'static ResourceDef>,
    Vec<(&'static ResourceDef, UriTemplate)>,
);

pub(super) fn resources(all: Vec<&'static ResourceDef>) -> Result<CheckedResources, RegistryError> {
    let mut fixed = Vec::new();
    let mut templates = Vec::new();
    for def in all {
        if let Some((argument, _)) = inputs(def.args).next() {
            return Err(RegistryError::ResourceTakesInput {
                name: def.name,
                location: def.location,
                argument,
            });
        }
        match def.uri {
            ResourceUri::Fixed(_) => {
                if let Some(completion) = def.completions.first() {
                    return Err(unknown_completion(
                        "resource",
                        def.name,
                        def.location,
                        completion.argument,
                        "template variables",
                        String::new(),
                    ));
                }
                fixed.push(def);
            }
            ResourceUri::Template(template) => {
                let parsed = UriTemplate::parse(template).map_err(|error| {
                    RegistryError::BadUriTemplate {
                        name: def.name,
                        location: def.location,
                        error,
                    }
                })?;
                let variables: Vec<&str> = parsed.variables().collect();
                for completion in def.completions {
                    if !variables.contains(&completion.argument) {
                        return Err(unknown_completion(
                            "resource",
                            def.name,
                            def.location,
                            completion.argument,
                            "template variables",
                            variables.join(", "),
                        ));
                    }
                }
                templates.push((def, parsed));
            }
        }
    }
    let uri = |def: &ResourceDef| match def.uri {
        ResourceUri::Fixed(uri) | ResourceUri::Template(uri) => uri,
    };
    fixed.sort_by(|a, b| uri(a).cmp(uri(b)).then(a.location.cmp(b.location)));
    templates.sort_by(|(a, _), (b, _)| uri(a).cmp(uri(b)).then(a.location.cmp(b.location)));
    let pairs = fixed
        .windows(2)
        .map(|pair| (pair[0], pair[1]))
        .chain(templates.windows(2).map(|pair| (pair[0].0, pair[1].0)));
    for (first, second) in pairs {
        if uri(first) == uri(second) {
            return Err(RegistryError::DuplicateResource {
                uri: uri(first),
                first: first.location,
                second: second.location,
            });
        }
    }
    Ok((fixed, templates))
}

/// Sorts the prompts by name, each name once; the arguments are one object schema; completers
/// name arguments.
pub(super) fn prompts(prompts: &mut [&'static PromptDef]) -> Result<(), RegistryError> {
    prompts.sort_by(|a, b| a.name.cmp(b.name).then(a.location.cmp(b.location)));
    for pair in prompts.windows(2) {
        if pair[0].name == pair[1].name {
            return Err(RegistryError::DuplicatePrompt {
                name: pair[0].name,
                first: pair[0].location,
                second: pair[1].location,
            });
        }
    }
    for prompt in prompts.iter() {
        let bad = |problem| RegistryError::BadPromptArguments {
            name: prompt.name,
            location: prompt.location,
            problem,
        };
        let mut inputs = inputs(prompt.args);
        if let Some((_, schema)) = inputs.next()
            && !is_object_schema(&schema)
        {
            return Err(bad(
                "are not an object schema; use a struct with named fields",
            ));
        }
        if inputs.next().is_some() {
            return Err(bad("come from two `Args<T>`; merge them into one"));
        }
        let names: Vec<String> = prompt.arguments().into_iter().map(|a| a.name).collect();
        for completion in prompt.completions {
            if !names.iter().any(|name| name == completion.argument) {
                return Err(unknown_completion(
                    "prompt",
                    prompt.name,
                    prompt.location,
                    completion.argument,
                    "arguments",
                    names.join(", "),
                ));
            }
        }
    }
    Ok(())
}

fn unknown_completion(
    kind: &'static str,
    name: &'static str,
    location: &'static str,
    argument: &'static str,
    what: &'static str,
    known: String,
) -> RegistryError {
    let known = if known.is_empty() {
        "(none)".to_owned()
    } else {
        known
    };
    RegistryError::UnknownCompletion {
        kind,
        name,
        location,
        argument,
        what,
        known,
    }
}

/// The arguments that are an input (`Args<T>`), with their schemas.
fn inputs(args: &'static [ArgSpec]) -> impl Iterator<Item = (&'static str, serde_json::Value)> {
    args.iter()
        .filter_map(|arg| (arg.input_schema)().map(|schema| (arg.type_name, schema)))
}

fn is_object_schema(schema: &serde_json::Value) -> bool {
    schema.get("type").and_then(serde_json::Value::as_str) == Some("object")
}
