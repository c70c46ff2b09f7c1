//! Finding declarations in a built registry, as the server needs them per request: a tool or
//! prompt by name, a resource by the URI a client reads (fixed URIs first, then templates), and
//! what a `completion/complete` reference names.

use std::collections::BTreeMap;

use super::checked::{Registry, fixed_uri};
use crate::completion::{CompletionDef, CompletionRef};
use crate::prompt::PromptDef;
use crate::resource::{ResourceDef, ResourceMatch};
use crate::tool::ToolDef;

/// What a `completion/complete` request names: the scopes that gate it (the prompt's or the
/// template's) and the completer declared for the argument, if any (none: answer an empty
/// completion).
#[derive(Debug, Clone, Copy)]
pub struct CompletionTarget {
    /// The scopes of the prompt or resource template; the gate checks them as for `prompts/get`
    /// or `resources/read`.
    pub scopes: &'static [&'static str],
    /// The completer of the argument or variable.
    pub completer: Option<&'static CompletionDef>,
}

impl Registry {
    /// The tools, sorted by name.
    pub fn tools(&self) -> &[&'static ToolDef] {
        &self.tools
    }

    /// A tool by name.
    pub fn tool(&self, name: &str) -> Option<&'static ToolDef> {
        self.tools
            .binary_search_by(|t| t.name.cmp(name))
            .ok()
            .map(|i| self.tools[i])
    }

    /// The fixed resources, sorted by URI (`resources/list`).
    pub fn resources(&self) -> &[&'static ResourceDef] {
        &self.resources
    }

    /// The resource templates, sorted by template (`resources/templates/list`).
    pub fn resource_templates(&self) -> impl Iterator<Item = &'static ResourceDef> + '_ {
        self.templates.iter().map(|(def, _)| *def)
    }

    /// The resource a `resources/read` URI names: a fixed resource with exactly this URI, else
    /// the first template (in template order) that matches it, with its decoded variables.
    pub fn resolve_resource(&self, uri: &str) -> Option<ResourceMatch> {
        if let Ok(i) = self.resources.binary_search_by(|r| fixed_uri(r).cmp(uri)) {
            return Some(ResourceMatch {
                def: self.resources[i],
                variables: BTreeMap::new(),
            });
        }
        self.templates.iter().find_map(|(def, template)| {
            template
                .matches(uri)
                .map(|variables| ResourceMatch { def, variables })
        })
    }

    /// The resource template written exactly `template` (a `completion/complete` reference
    /// names a template this way).
    pub fn resource_template(&self, template: &str) -> Option<&'static ResourceDef> {
        self.templates
            .iter()
            .find(|(_, parsed)| parsed.as_str() == template)
            .map(|(def, _)| *def)
    }

    /// The prompts, sorted by name.
    pub fn prompts(&self) -> &[&'static PromptDef] {
        &self.prompts
    }

    /// A prompt by name.
    pub fn prompt(&self, name: &str) -> Option<&'static PromptDef> {
        self.prompts
            .binary_search_by(|p| p.name.cmp(name))
            .ok()
            .map(|i| self.prompts[i])
    }

    /// What a completion reference names, or `None` when no such prompt or template exists
    /// (answer that like an unknown prompt or resource).
    pub fn completion_target(
        &self,
        reference: CompletionRef<'_>,
        argument: &str,
    ) -> Option<CompletionTarget> {
        let (scopes, completions) = match reference {
            CompletionRef::Prompt(name) => self.prompt(name).map(|p| (p.scopes, p.completions))?,
            CompletionRef::ResourceTemplate(template) => self
                .resource_template(template)
                .map(|r| (r.scopes, r.completions))?,
        };
        Some(CompletionTarget {
            scopes,
            completer: completions.iter().find(|c| c.argument == argument),
        })
    }

    /// Whether any prompt or resource template declares a completer (the `completions`
    /// capability).
    pub fn has_completions(&self) -> bool {
        self.prompts.iter().any(|p| !p.completions.is_empty())
            || self
                .templates
                .iter()
                .any(|(r, _)| !r.completions.is_empty())
    }
}
