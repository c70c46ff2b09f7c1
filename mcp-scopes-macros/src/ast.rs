//! The syntax the macros accept, parsed but not yet checked: the attribute's `key = value` list
//! and the item it is attached to. Parsing reads everything it can and records each problem, so
//! the user sees all of them at once.

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Attribute, Ident, Lit, LitBool, LitStr, Path, Signature, Token, Visibility, bracketed};

/// Collects independent errors so they are reported together.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    pub(crate) fn add(&mut self, span: Span, message: impl std::fmt::Display) {
        self.push(syn::Error::new(span, message));
    }

    pub(crate) fn finish(self) -> Option<syn::Error> {
        self.0
    }
}

/// One `key` or `key = value` of an attribute.
pub(crate) struct Entry {
    pub(crate) key: Ident,
    pub(crate) value: Option<Value>,
}

/// The right-hand side of `key = value`, read loosely; each key says which forms it takes.
pub(crate) enum Value {
    Lit(Lit),
    Path(Path),
    List(Span, Vec<Value>),
    Other(TokenStream),
}

impl Value {
    pub(crate) fn span(&self) -> Span {
        match self {
            Value::Lit(lit) => lit.span(),
            Value::Path(path) => path.span(),
            Value::List(span, _) => *span,
            Value::Other(tokens) => tokens.span(),
        }
    }
}

impl Parse for Value {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.peek(Lit) {
            return input.parse().map(Value::Lit);
        }
        if input.peek(syn::token::Bracket) {
            let content;
            let bracket = bracketed!(content in input);
            let items = content.parse_terminated(Value::parse, Token![,])?;
            return Ok(Value::List(
                bracket.span.join(),
                items.into_iter().collect(),
            ));
        }
        let fork = input.fork();
        if let Ok(path) = fork.call(Path::parse_mod_style)
            && (fork.is_empty() || fork.peek(Token![,]))
        {
            input.call(Path::parse_mod_style)?;
            return Ok(Value::Path(path));
        }
        let mut tokens = TokenStream::new();
        while !input.is_empty() && !input.peek(Token![,]) {
            tokens.extend([input.parse::<TokenTree>()?]);
        }
        Ok(Value::Other(tokens))
    }
}

/// Parses `key, key = value, …` (keys may be keywords, e.g. `crate`).
pub(crate) fn parse_entries(input: ParseStream) -> syn::Result<Vec<Entry>> {
    let mut entries = Vec::new();
    while !input.is_empty() {
        let key = input.call(Ident::parse_any)?;
        let value = if input.parse::<Option<Token![=]>>()?.is_some() {
            Some(input.parse()?)
        } else {
            None
        };
        entries.push(Entry { key, value });
        if input.is_empty() {
            break;
        }
        input.parse::<Token![,]>()?;
    }
    Ok(entries)
}

/// A scope named by a tool or implied by a scope: a path to a `#[scope]` type, or a string.
pub(crate) enum ScopeRef {
    Path(Path),
    Name(LitStr),
}

/// The keys of `#[tool(…)]`.
#[derive(Default)]
pub(crate) struct ToolArgs {
    /// The `scope` key and its scopes.
    pub(crate) scope: Option<(Ident, Vec<ScopeRef>)>,
    pub(crate) public: Option<Ident>,
    pub(crate) name: Option<LitStr>,
    pub(crate) description: Option<LitStr>,
    pub(crate) title: Option<LitStr>,
    pub(crate) read_only: Option<LitBool>,
    pub(crate) destructive: Option<LitBool>,
    pub(crate) idempotent: Option<LitBool>,
    pub(crate) open_world: Option<LitBool>,
    pub(crate) krate: Option<Path>,
}

const TOOL_KEYS: &str = "`scope`, `public`, `name`, `description`, `title`, `read_only`, `destructive`, `idempotent`, `open_world`, `crate`";

impl ToolArgs {
    pub(crate) fn from_entries(entries: &[Entry], errors: &mut Errors) -> Self {
        let mut args = ToolArgs::default();
        for entry in entries {
            let a = &mut args;
            match entry.key.to_string().as_str() {
                "scope" => {
                    if let Some(Value::List(span, items)) = &entry.value
                        && items.is_empty()
                    {
                        errors.add(
                            *span,
                            "`scope = []` requires no scope, list one or write `#[tool(public)]`",
                        );
                    }
                    let scopes = scope_list(entry, "scope = DbQuery", errors);
                    set(
                        &mut a.scope,
                        entry,
                        Some((entry.key.clone(), scopes)),
                        errors,
                    );
                }
                "public" => {
                    if let Some(value) = &entry.value {
                        errors.add(
                            value.span(),
                            "`public` takes no value, write `#[tool(public)]`",
                        );
                    }
                    set(&mut a.public, entry, Some(entry.key.clone()), errors);
                }
                "name" => string_key(&mut a.name, entry, "name = \"run_query\"", errors),
                "description" => string_key(
                    &mut a.description,
                    entry,
                    "description = \"Runs a read-only SQL query\"",
                    errors,
                ),
                "title" => string_key(&mut a.title, entry, "title = \"Run a query\"", errors),
                "read_only" => set(&mut a.read_only, entry, flag(entry, errors), errors),
                "destructive" => set(&mut a.destructive, entry, flag(entry, errors), errors),
                "idempotent" => set(&mut a.idempotent, entry, flag(entry, errors), errors),
                "open_world" => set(&mut a.open_world, entry, flag(entry, errors), errors),
                "crate" => set(&mut a.krate, entry, crate_path(entry, errors), errors),
                key => errors.add(
                    entry.key.span(),
                    format_args!("unknown key `{key}`, expected one of {TOOL_KEYS}"),
                ),
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
}

const SCOPE_KEYS: &str = "`name`, `display_name`, `description`, `baseline`, `implies`, `crate`";

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
                key => errors.add(
                    entry.key.span(),
                    format_args!("unknown key `{key}`, expected one of {SCOPE_KEYS}"),
                ),
            }
        }
        args
    }
}

/// Stores a key's value; a key given twice is an error even when its value was not valid.
fn set<T>(slot: &mut Option<T>, entry: &Entry, value: Option<T>, errors: &mut Errors) {
    if slot.is_some() {
        let key = &entry.key;
        errors.add(key.span(), format_args!("duplicate `{key}`, remove one"));
    } else if value.is_some() {
        *slot = value;
    }
}

fn string_key(slot: &mut Option<LitStr>, entry: &Entry, example: &str, errors: &mut Errors) {
    let value = lit_str(entry, example, errors);
    set(slot, entry, value, errors);
}

fn lit_str(entry: &Entry, example: &str, errors: &mut Errors) -> Option<LitStr> {
    match &entry.value {
        Some(Value::Lit(Lit::Str(lit))) => Some(lit.clone()),
        Some(other) => {
            errors.add(
                other.span(),
                format_args!("expected a string, e.g. `{example}`"),
            );
            None
        }
        None => {
            errors.add(
                entry.key.span(),
                format_args!("`{}` needs a value, e.g. `{example}`", entry.key),
            );
            None
        }
    }
}

fn flag(entry: &Entry, errors: &mut Errors) -> Option<LitBool> {
    match &entry.value {
        None => Some(LitBool::new(true, entry.key.span())),
        Some(Value::Lit(Lit::Bool(lit))) => Some(lit.clone()),
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
        Some(other) => {
            errors.add(other.span(), "expected a path, e.g. `crate = ::mcp_scopes`");
            None
        }
        None => {
            errors.add(
                entry.key.span(),
                "`crate` needs a value, e.g. `crate = ::mcp_scopes`",
            );
            None
        }
    }
}

fn scope_list(entry: &Entry, example: &str, errors: &mut Errors) -> Vec<ScopeRef> {
    let Some(value) = &entry.value else {
        errors.add(
            entry.key.span(),
            format_args!("`{}` needs a value, e.g. `{example}`", entry.key),
        );
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

/// The function under `#[tool]`: its body is kept as tokens, never parsed, so a syntax error in
/// it is reported by the compiler where it is and the rest of the expansion still happens.
pub(crate) struct ItemTool {
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) vis: Visibility,
    pub(crate) sig: Signature,
    pub(crate) body: TokenStream,
}

impl Parse for ItemTool {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        Ok(ItemTool {
            attrs: input.call(Attribute::parse_outer)?,
            vis: input.parse()?,
            sig: input.parse()?,
            body: input.parse()?,
        })
    }
}
