//! Resources as the registry holds them: the static definition `#[resource]` writes (a fixed URI
//! or a URI template), what a handler can return, and the one call that reads a resource.
//!
//! The macro emits data (a [`ResourceDef`]) plus one handler; matching a URI, decoding template
//! variables and shaping contents live here, where plain tests reach them. Serving (`resources/*`
//! over HTTP, the scope gate) is the server's: it finds a resource with
//! [`Registry::resolve_resource`](crate::registry::Registry::resolve_resource), checks
//! [`ResourceDef::scopes`], and calls [`ResourceMatch::read`].

mod contents;
mod template;

pub use contents::{Blob, IntoResourceContents, ReadResourceResult, ResourceContents};
pub use template::{MAX_URI_LENGTH, UriTemplate, UriTemplateError};

use std::collections::BTreeMap;
use std::fmt::Display;
use std::future::Future;
use std::pin::Pin;
use std::str::FromStr;

use serde_json::{Value, json};

use crate::completion::CompletionDef;
use crate::handler::HandlerError;
use crate::tool::{ArgSpec, MissingState, StateMap, ToolCall};

/// Where a resource is: one URI, or every URI a template matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceUri {
    /// `#[resource(uri = "db://schema")]`.
    Fixed(&'static str),
    /// `#[resource(uri_template = "db://tables/{table}")]` (RFC 6570 level 1).
    Template(&'static str),
}

/// What a resource handler is given: the URI read, the template's variables (empty for a fixed
/// resource), and the call its extractors read from.
#[derive(Debug)]
pub struct ResourceRequest {
    /// The URI read.
    pub uri: String,
    /// The template variables, decoded.
    pub variables: BTreeMap<String, String>,
    /// The caller, the shared state and the notifier, for extractors.
    pub call: ToolCall,
}

/// The future a generated resource handler returns.
pub type ResourceFuture =
    Pin<Box<dyn Future<Output = Result<ReadResourceResult, HandlerError>> + Send>>;

/// A resource, as `#[resource]` declares it. Read by the scope gate, `resources/list` (fixed) and
/// `resources/templates/list` (templates), and the manifests.
#[derive(Debug)]
pub struct ResourceDef {
    /// The resource's name (default: the function's name).
    pub name: &'static str,
    /// The optional human title.
    pub title: Option<&'static str>,
    /// What the resource holds (default: the doc comment).
    pub description: &'static str,
    /// Its URI or URI template.
    pub uri: ResourceUri,
    /// The MIME type of its contents, when declared.
    pub mime_type: Option<&'static str>,
    /// Every scope the caller must hold (implications count). Empty for a public resource.
    pub scopes: &'static [&'static str],
    /// One entry per extractor argument of the handler (template variables are not extractors).
    pub args: &'static [ArgSpec],
    /// Completers for template variables.
    pub completions: &'static [CompletionDef],
    /// The generated entry point.
    pub handler: fn(ResourceRequest) -> ResourceFuture,
    /// Where the resource is declared (`file:line`), for error messages.
    pub location: &'static str,
}

impl ResourceDef {
    /// Whether this is a URI template (listed by `resources/templates/list`).
    pub fn is_template(&self) -> bool {
        matches!(self.uri, ResourceUri::Template(_))
    }

    /// The entry of `resources/list` (fixed) or `resources/templates/list` (template).
    pub fn list_entry(&self) -> Value {
        let mut entry = match self.uri {
            ResourceUri::Fixed(uri) => json!({ "uri": uri }),
            ResourceUri::Template(template) => json!({ "uriTemplate": template }),
        };
        entry["name"] = json!(self.name);
        if let Some(title) = self.title {
            entry["title"] = json!(title);
        }
        entry["description"] = json!(self.description);
        if let Some(mime_type) = self.mime_type {
            entry["mimeType"] = json!(mime_type);
        }
        entry
    }

    /// The completer declared for a template variable.
    pub fn completion(&self, variable: &str) -> Option<&'static CompletionDef> {
        self.completions.iter().find(|c| c.argument == variable)
    }

    /// Checks that `state` holds everything the handler's and completers' arguments need.
    pub fn check_state(&self, state: &StateMap) -> Result<(), MissingState> {
        let completers = self.completions.iter().map(|c| (c.argument, c.check_state));
        MissingState::check(
            "resource",
            self.name,
            self.location,
            self.args,
            completers,
            state,
        )
    }
}

/// A resource found for a URI, with the template's variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceMatch {
    /// The resource.
    pub def: &'static ResourceDef,
    /// The decoded template variables (empty for a fixed resource).
    pub variables: BTreeMap<String, String>,
}

impl ResourceMatch {
    /// Runs the handler for `uri` (the URI this match was made for). `call.arguments` is not
    /// read; the caller, state and notifier are.
    pub fn read(self, uri: &str, call: ToolCall) -> ResourceFuture {
        (self.def.handler)(ResourceRequest {
            uri: uri.to_owned(),
            variables: self.variables,
            call,
        })
    }
}

impl PartialEq for ResourceDef {
    /// Definitions are statics: equal when they are the same one.
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Eq for ResourceDef {}

/// A template variable as the handler's parameter type (`table: String`, `id: u64`); one that
/// does not parse is an invalid-arguments error naming it.
pub fn template_variable<T>(request: &ResourceRequest, name: &str) -> Result<T, HandlerError>
where
    T: FromStr,
    T::Err: Display,
{
    let Some(text) = request.variables.get(name) else {
        return Err(HandlerError::Internal(format!(
            "template variable `{name}` was not matched for `{}`",
            request.uri
        )));
    };
    text.parse().map_err(|error| {
        HandlerError::InvalidArguments(format!("template variable `{name}` = `{text}`: {error}"))
    })
}
