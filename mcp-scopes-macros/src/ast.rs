//! The syntax the macros accept, parsed but not yet checked: the attribute's `key = value` list
//! and the item it is attached to. Parsing reads everything it can and records each problem, so
//! the user sees all of them at once: the attribute is cut at its commas first, so a mistake in
//! one key (`public read_only`) costs that key only, and a key whose value is broken still counts
//! as given (no second "missing key" error).

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream, Parser};
use syn::spanned::Spanned;
use syn::{Attribute, Ident, Lit, Path, Signature, Token, Visibility};

/// Collects independent errors so they are reported together.
#[derive(Default)]
pub(crate) struct Errors {
    all: Option<syn::Error>,
    count: usize,
}

impl Errors {
    pub(crate) fn push(&mut self, error: syn::Error) {
        self.count += 1;
        match &mut self.all {
            Some(all) => all.combine(error),
            None => self.all = Some(error),
        }
    }

    pub(crate) fn add(&mut self, span: Span, message: impl std::fmt::Display) {
        self.push(syn::Error::new(span, message));
    }

    /// How many errors were recorded so far (to tell whether one check added any).
    pub(crate) fn count(&self) -> usize {
        self.count
    }

    pub(crate) fn finish(self) -> Option<syn::Error> {
        self.all
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
    /// `key(inner = value, …)`: a nested list of entries.
    Entries(Span, Vec<Entry>),
    /// Anything else (or nothing after the `=`), by where it starts.
    Other(Span),
    /// A value whose syntax error was already reported: the key counts as given, nothing more is
    /// said about it.
    Broken,
}

impl Value {
    pub(crate) fn span(&self) -> Span {
        match self {
            Value::Lit(lit) => lit.span(),
            Value::Path(path) => path.span(),
            Value::List(span, _) | Value::Entries(span, _) | Value::Other(span) => *span,
            Value::Broken => Span::call_site(),
        }
    }
}

/// What the messages of one macro's attribute parser show: its keys and a well-formed example.
#[derive(Clone, Copy)]
pub(crate) struct Grammar {
    /// e.g. `` `scope`, `public`, `name` ``.
    pub(crate) keys: &'static str,
    /// e.g. `#[tool(public, read_only)]`.
    pub(crate) example: &'static str,
    /// The grammar inside `key(…)`, when the attribute has such keys.
    pub(crate) nested: Option<&'static Grammar>,
}

/// The entries of `complete(…)`: an argument or variable name each, set to a completer.
pub(crate) const COMPLETE_GRAMMAR: Grammar = Grammar {
    keys: "the name of an argument or template variable",
    example: "complete(table = table_names, column = column_names)",
    nested: None,
};

/// Parses `key, key = value, …` (keys may be keywords, e.g. `crate`), reporting each piece's
/// syntax error and keeping every key that could be read.
pub(crate) fn parse_entries(
    attr: TokenStream,
    grammar: Grammar,
    errors: &mut Errors,
) -> Vec<Entry> {
    let mut entries = Vec::new();
    for (piece, comma) in split_at_commas(attr) {
        if piece.is_empty() {
            errors.add(comma, "unexpected `,`, remove it");
            continue;
        }
        let parsed = (|input: ParseStream| parse_entry(input, grammar, errors)).parse2(piece);
        match parsed {
            Ok(entry) => entries.push(entry),
            Err(error) => errors.push(error),
        }
    }
    entries
}

fn parse_entry(input: ParseStream, grammar: Grammar, errors: &mut Errors) -> syn::Result<Entry> {
    let key = input.call(Ident::parse_any).map_err(|_| {
        syn::Error::new(
            input.span(),
            format_args!("expected a key, one of {}", grammar.keys),
        )
    })?;
    let value = if let Some(nested) = grammar.nested
        && input.peek(syn::token::Paren)
        && let Ok(TokenTree::Group(group)) = input.parse::<TokenTree>()
    {
        let inner = parse_entries(group.stream(), *nested, errors);
        Some(Value::Entries(group.span(), inner))
    } else {
        input
            .parse::<Option<Token![=]>>()?
            .map(|eq| parse_value(input, eq.span, errors))
    };
    if !input.is_empty() {
        let next: TokenTree = input.parse()?;
        errors.add(
            next.span(),
            format_args!(
                "expected `,` before `{next}`, separate keys with commas, e.g. `{}`",
                grammar.example
            ),
        );
        input.parse::<TokenStream>()?;
    }
    Ok(Entry { key, value })
}

/// Reads one value up to the end of `input` (its piece of the attribute, or of a list).
fn parse_value(input: ParseStream, eq_span: Span, errors: &mut Errors) -> Value {
    if input.is_empty() {
        return Value::Other(eq_span);
    }
    if input.peek(Lit)
        && let Ok(lit) = input.parse()
    {
        return Value::Lit(lit);
    }
    if input.peek(syn::token::Bracket)
        && let Ok(TokenTree::Group(group)) = input.parse::<TokenTree>()
        && group.delimiter() == Delimiter::Bracket
    {
        return parse_list(group.stream(), group.span(), errors);
    }
    let fork = input.fork();
    if let Ok(path) = fork.call(Path::parse_mod_style)
        && fork.is_empty()
    {
        // The fork read the whole piece; read it again for real so nothing is left over.
        let _ = input.call(Path::parse_mod_style);
        return Value::Path(path);
    }
    let start = input.span();
    let _ = input.parse::<TokenStream>();
    Value::Other(start)
}

fn parse_list(tokens: TokenStream, span: Span, errors: &mut Errors) -> Value {
    let mut items = Vec::new();
    for (piece, comma) in split_at_commas(tokens) {
        if piece.is_empty() {
            errors.add(comma, "unexpected `,`, remove it");
            continue;
        }
        let parsed = (|input: ParseStream| {
            let value = parse_value(input, span, errors);
            if let Value::Lit(_) = value
                && !input.is_empty()
            {
                let next: TokenTree = input.parse()?;
                errors.add(
                    next.span(),
                    format_args!("expected `,` before `{next}`, separate list items with commas"),
                );
                input.parse::<TokenStream>()?;
                return Ok(Value::Broken);
            }
            Ok(value)
        })
        .parse2(piece);
        match parsed {
            Ok(value) => items.push(value),
            Err(error) => errors.push(error),
        }
    }
    Value::List(span, items)
}

/// Cuts `tokens` at its top-level commas (a list's commas sit inside its bracket group). Each
/// piece comes with the span of the comma that ends it (the call site for the last piece); a
/// trailing comma leaves no empty last piece.
fn split_at_commas(tokens: TokenStream) -> Vec<(TokenStream, Span)> {
    let mut pieces = Vec::new();
    let mut current = TokenStream::new();
    for tree in tokens {
        match &tree {
            TokenTree::Punct(punct) if punct.as_char() == ',' => {
                pieces.push((std::mem::take(&mut current), punct.span()));
            }
            _ => current.extend([tree]),
        }
    }
    if !current.is_empty() {
        pieces.push((current, Span::call_site()));
    }
    pieces
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
