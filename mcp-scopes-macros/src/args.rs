//! The keys each attribute takes, read from the parsed entries: which forms each value may take,
//! duplicates, unknown keys. The keys that every declaration shares (`scope`, `public`, `name`,
//! `description`, `title`, `crate`) are read in one place, so `#[tool]` and the other item
//! macros spell and check them the same way.

use std::collections::BTreeSet;

use syn::{Ident, Lit, LitBool, LitStr, Path};

use crate::ast::{COMPLETE_GRAMMAR, Entry, Errors, Grammar, Value};

/// A scope named by a tool or implied by a scope: a path to a `#[scope]` type, or a string.
pub(crate) enum ScopeRef {
    Path(Path),
    Name(LitStr),
}

/// What the messages about one macro's shared keys show.
pub(crate) struct Item {
    /// The attribute's name, e.g. `tool`.
    pub(crate) attr: &'static str,
    /// A name, e.g. `run_query`.
    pub(crate) name_example: &'static str,
    /// A description, e.g. `Runs a read-only SQL query`.
    pub(crate) description_example: &'static str,
    /// A title, e.g. `Run a query`.
    pub(crate) title_example: &'static str,
}

/// The keys every declaration with a scope gate takes.
#[derive(Default)]
pub(crate) struct GatedArgs {
    /// The `scope` key and its scopes.
    pub(crate) scope: Option<(Ident, Vec<ScopeRef>)>,
    pub(crate) public: Option<Ident>,
    pub(crate) name: Option<LitStr>,
    pub(crate) description: Option<LitStr>,
    pub(crate) title: Option<LitStr>,
    pub(crate) krate: Option<Path>,
    /// Every key that was written, even with a value that was refused.
    pub(crate) given: BTreeSet<String>,
}

impl GatedArgs {
    /// Reads `entry` when it is a shared key; returns `false` for a key this does not know.
    pub(crate) fn read(&mut self, entry: &Entry, item: &Item, errors: &mut Errors) -> bool {
        let attr = item.attr;
        match entry.key.to_string().as_str() {
            "scope" => {
                if let Some(Value::List(span, items)) = &entry.value
                    && items.is_empty()
                {
                    errors.add(
                        *span,
                        format_args!(
                            "`scope = []` requires no scope, list one or write `#[{attr}(public)]`"
                        ),
                    );
                }
                let scopes = scope_list(entry, "scope = DbQuery", errors);
                set(
                    &mut self.scope,
                    entry,
                    Some((entry.key.clone(), scopes)),
                    errors,
                );
            }
            "public" => {
                if let Some(value) = &entry.value {
                    errors.add(
                        value.span(),
                        format_args!("`public` takes no value, write `#[{attr}(public)]`"),
                    );
                }
                set(&mut self.public, entry, Some(entry.key.clone()), errors);
            }
            "name" => {
                let example = format!("name = \"{}\"", item.name_example);
                string_key(&mut self.name, entry, &example, errors);
            }
            "description" => {
                let example = format!("description = \"{}\"", item.description_example);
                string_key(&mut self.description, entry, &example, errors);
            }
            "title" => {
                let example = format!("title = \"{}\"", item.title_example);
                string_key(&mut self.title, entry, &example, errors);
            }
            "crate" => set(&mut self.krate, entry, crate_path(entry, errors), errors),
            _ => return false,
        }
        self.given.insert(entry.key.to_string());
        true
    }
}

/// The keys of `#[tool(…)]`.
#[derive(Default)]
pub(crate) struct ToolArgs {
    pub(crate) gated: GatedArgs,
    pub(crate) read_only: Option<LitBool>,
    pub(crate) destructive: Option<LitBool>,
    pub(crate) idempotent: Option<LitBool>,
    pub(crate) open_world: Option<LitBool>,
}

pub(crate) const TOOL_GRAMMAR: Grammar = Grammar {
    keys: "`scope`, `public`, `name`, `description`, `title`, `read_only`, `destructive`, `idempotent`, `open_world`, `crate`",
    example: "#[tool(public, read_only)]",
    nested: Some(&COMPLETE_GRAMMAR),
};

const TOOL: Item = Item {
    attr: "tool",
    name_example: "run_query",
    description_example: "Runs a read-only SQL query",
    title_example: "Run a query",
};

impl ToolArgs {
    pub(crate) fn from_entries(entries: &[Entry], errors: &mut Errors) -> Self {
        let mut args = ToolArgs::default();
        for entry in entries {
            if args.gated.read(entry, &TOOL, errors) {
                continue;
            }
            let a = &mut args;
            match entry.key.to_string().as_str() {
                "read_only" => set(&mut a.read_only, entry, flag(entry, errors), errors),
                "destructive" => set(&mut a.destructive, entry, flag(entry, errors), errors),
                "idempotent" => set(&mut a.idempotent, entry, flag(entry, errors), errors),
                "open_world" => set(&mut a.open_world, entry, flag(entry, errors), errors),
                key => unknown_key(key, entry, TOOL_GRAMMAR, errors),
            }
        }
        args
    }
}

/// The keys of `#[scope(…)]`.
#[derive(Default)]
pub(crate) struct ScopeArgs {
    pub(crate) name: Option<LitStr>,
    pub(crate) display_name: Option<LitStr>,
    pub(crate) description: Option<LitStr>,
    pub(crate) baseline: Option<LitBool>,
    pub(crate) implies: Option<Vec<ScopeRef>>,
    pub(crate) krate: Option<Path>,
    /// Every key that was written, even with a value that was refused.
    pub(crate) given: BTreeSet<String>,
}

pub(crate) const SCOPE_GRAMMAR: Grammar = Grammar {
    keys: "`name`, `display_name`, `description`, `baseline`, `implies`, `crate`",
    example: "#[scope(name = \"db:query\", baseline)]",
    nested: Some(&COMPLETE_GRAMMAR),
};

impl ScopeArgs {
    pub(crate) fn from_entries(entries: &[Entry], errors: &mut Errors) -> Self {
        let mut args = ScopeArgs::default();
        for entry in entries {
            let a = &mut args;
            match entry.key.to_string().as_str() {
                "name" => string_key(&mut a.name, entry, "name = \"db:query\"", errors),
                "display_name" => string_key(
                    &mut a.display_name,
                    entry,
                    "display_name = \"Query the database\"",
                    errors,
                ),
                "description" => string_key(
                    &mut a.description,
                    entry,
                    "description = \"Read the database\"",
                    errors,
                ),
                "baseline" => set(&mut a.baseline, entry, flag(entry, errors), errors),
                "implies" => {
                    let scopes = scope_list(entry, "implies = [DbQuery]", errors);
                    set(&mut a.implies, entry, Some(scopes), errors);
                }
                "crate" => set(&mut a.krate, entry, crate_path(entry, errors), errors),
                key => {
                    unknown_key(key, entry, SCOPE_GRAMMAR, errors);
                    continue;
                }
            }
            args.given.insert(entry.key.to_string());
        }
        args
    }
}

/// The keys of `#[resource(…)]`.
#[derive(Default)]
pub(crate) struct ResourceArgs {
    pub(crate) gated: GatedArgs,
    pub(crate) uri: Option<LitStr>,
    pub(crate) uri_template: Option<LitStr>,
    pub(crate) mime_type: Option<LitStr>,
    pub(crate) complete: Option<Completers>,
}

/// `complete(argument = completer, …)`: each argument's name and the completer's path.
pub(crate) type Completers = Vec<(Ident, Path)>;

pub(crate) const RESOURCE_GRAMMAR: Grammar = Grammar {
    keys: "`uri`, `uri_template`, `scope`, `public`, `name`, `description`, `title`, `mime_type`, `complete`, `crate`",
    example: "#[resource(uri = \"db://schema\", public)]",
    nested: Some(&COMPLETE_GRAMMAR),
};

const RESOURCE: Item = Item {
    attr: "resource",
    name_example: "schema",
    description_example: "The database schema as SQL",
    title_example: "Database schema",
};

impl ResourceArgs {
    pub(crate) fn from_entries(entries: &[Entry], errors: &mut Errors) -> Self {
        let mut args = ResourceArgs::default();
        for entry in entries {
            if args.gated.read(entry, &RESOURCE, errors) {
                continue;
            }
            let a = &mut args;
            match entry.key.to_string().as_str() {
                "uri" => string_key(&mut a.uri, entry, "uri = \"db://schema\"", errors),
                "uri_template" => string_key(
                    &mut a.uri_template,
                    entry,
                    "uri_template = \"db://tables/{table}\"",
                    errors,
                ),
                "mime_type" => {
                    string_key(
                        &mut a.mime_type,
                        entry,
                        "mime_type = \"text/plain\"",
                        errors,
                    );
                }
                "complete" => set(&mut a.complete, entry, completers(entry, errors), errors),
                key => unknown_key(key, entry, RESOURCE_GRAMMAR, errors),
            }
            args.gated.given.insert(entry.key.to_string());
        }
        args
    }
}

/// The keys of `#[prompt(…)]`.
#[derive(Default)]
pub(crate) struct PromptArgs {
    pub(crate) gated: GatedArgs,
    pub(crate) complete: Option<Completers>,
}

pub(crate) const PROMPT_GRAMMAR: Grammar = Grammar {
    keys: "`scope`, `public`, `name`, `description`, `title`, `complete`, `crate`",
    example: "#[prompt(scope = DbQuery, complete(table = table_names))]",
    nested: Some(&COMPLETE_GRAMMAR),
};

const PROMPT: Item = Item {
    attr: "prompt",
    name_example: "explain_query",
    description_example: "Explains a query plan",
    title_example: "Explain a query",
};

impl PromptArgs {
    pub(crate) fn from_entries(entries: &[Entry], errors: &mut Errors) -> Self {
        let mut args = PromptArgs::default();
        for entry in entries {
            if args.gated.read(entry, &PROMPT, errors) {
                continue;
            }
            match entry.key.to_string().as_str() {
                "complete" => set(&mut args.complete, entry, completers(entry, errors), errors),
                key => unknown_key(key, entry, PROMPT_GRAMMAR, errors),
            }
        }
        args
    }
}

fn completers(entry: &Entry, errors: &mut Errors) -> Option<Completers> {
    const EXAMPLE: &str = "complete(table = table_names)";
    let Some(Value::Entries(_, inner)) = &entry.value else {
        if !matches!(entry.value, Some(Value::Broken)) {
            errors.add(
                entry.key.span(),
                format_args!("expected `complete(argument = completer)`, e.g. `{EXAMPLE}`"),
            );
        }
        return None;
    };
    let mut completers: Completers = Vec::new();
    for item in inner {
        let key = &item.key;
        if completers.iter().any(|(seen, _)| seen == key) {
            errors.add(key.span(), format_args!("duplicate `{key}`, remove one"));
            continue;
        }
        match &item.value {
            Some(Value::Path(path)) => completers.push((key.clone(), path.clone())),
            Some(Value::Broken) => {}
            Some(other) => errors.add(
                other.span(),
                format_args!("expected the path of an async fn that completes `{key}`, e.g. `{key} = {key}_values`"),
            ),
            None => errors.add(
                key.span(),
                format_args!("`{key}` needs a completer, e.g. `complete({key} = {key}_values)`"),
            ),
        }
    }
    Some(completers)
}

pub(crate) fn unknown_key(key: &str, entry: &Entry, grammar: Grammar, errors: &mut Errors) {
    errors.add(
        entry.key.span(),
        format_args!("unknown key `{key}`, expected one of {}", grammar.keys),
    );
}

/// Stores a key's value; a key given twice is an error even when its value was not valid.
pub(crate) fn set<T>(slot: &mut Option<T>, entry: &Entry, value: Option<T>, errors: &mut Errors) {
    if slot.is_some() {
        let key = &entry.key;
        errors.add(key.span(), format_args!("duplicate `{key}`, remove one"));
    } else if value.is_some() {
        *slot = value;
    }
}

pub(crate) fn string_key(
    slot: &mut Option<LitStr>,
    entry: &Entry,
    example: &str,
    errors: &mut Errors,
) {
    let value = lit_str(entry, example, errors);
    set(slot, entry, value, errors);
}

fn lit_str(entry: &Entry, example: &str, errors: &mut Errors) -> Option<LitStr> {
    match &entry.value {
        Some(Value::Lit(Lit::Str(lit))) => Some(lit.clone()),
        Some(Value::Broken) => None,
        Some(other) => {
            errors.add(
                other.span(),
                format_args!("expected a string, e.g. `{example}`"),
            );
            None
        }
        None => {
            needs_value(entry, example, errors);
            None
        }
    }
}

fn needs_value(entry: &Entry, example: &str, errors: &mut Errors) {
    errors.add(
        entry.key.span(),
        format_args!("`{}` needs a value, e.g. `{example}`", entry.key),
    );
}

pub(crate) fn flag(entry: &Entry, errors: &mut Errors) -> Option<LitBool> {
    match &entry.value {
        None => Some(LitBool::new(true, entry.key.span())),
        Some(Value::Lit(Lit::Bool(lit))) => Some(lit.clone()),
        Some(Value::Broken) => None,
        Some(other) => {
            errors.add(
                other.span(),
                format_args!(
                    "expected `true` or `false`, e.g. `{0}` or `{0} = false`",
                    entry.key
                ),
            );
            None
        }
    }
}

fn crate_path(entry: &Entry, errors: &mut Errors) -> Option<Path> {
    match &entry.value {
        Some(Value::Path(path)) => Some(path.clone()),
        Some(Value::Broken) => None,
        Some(other) => {
            errors.add(other.span(), "expected a path, e.g. `crate = ::mcp_scopes`");
            None
        }
        None => {
            needs_value(entry, "crate = ::mcp_scopes", errors);
            None
        }
    }
}

fn scope_list(entry: &Entry, example: &str, errors: &mut Errors) -> Vec<ScopeRef> {
    let Some(value) = &entry.value else {
        needs_value(entry, example, errors);
        return Vec::new();
    };
    let items = match value {
        Value::List(_, items) => items.iter().collect(),
        single => vec![single],
    };
    let mut scopes = Vec::new();
    for item in items {
        match item {
            Value::Path(path) => scopes.push(ScopeRef::Path(path.clone())),
            Value::Lit(Lit::Str(lit)) => scopes.push(ScopeRef::Name(lit.clone())),
            Value::Broken => {}
            other => errors.add(
                other.span(),
                format_args!(
                    "expected a `#[scope]` type or a string, e.g. `{example}` or `{} = \"db:query\"`",
                    entry.key
                ),
            ),
        }
    }
    scopes
}
