//! Doc comments as descriptions. A description is read by a model or shown on a consent screen,
//! where the author's source line wrapping is noise: like rustdoc's Markdown, the lines of a
//! paragraph are joined with spaces and blank lines stay paragraph breaks. Lines whose breaks
//! carry meaning (code blocks, list items, headings, quotes, tables, hard breaks) keep them.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Attribute, Lit};

/// The description a doc comment renders to; `Ok(None)` when there is no doc comment or it is
/// blank. Only `///` comments and `#[doc = "…"]` literals can be read: an attribute macro sees
/// `#[doc = include_str!(…)]` before it is expanded, so such an attribute is `Err` with its
/// span, never silently skipped.
pub(crate) fn doc_comment(attrs: &[Attribute]) -> Result<Option<String>, Span> {
    let mut lines = Vec::new();
    for attr in attrs {
        let syn::Meta::NameValue(nv) = &attr.meta else {
            continue;
        };
        if !nv.path.is_ident("doc") {
            continue;
        }
        let syn::Expr::Lit(syn::ExprLit {
            lit: Lit::Str(lit), ..
        }) = &nv.value
        else {
            return Err(nv.value.span());
        };
        // A `#[doc = "a\nb"]` literal holds several lines.
        lines.extend(lit.value().split('\n').map(str::to_owned));
    }
    let text = render(&lines);
    Ok((!text.is_empty()).then_some(text))
}

/// Joins doc lines into paragraphs, CommonMark-style (a subset: enough for descriptions).
fn render(lines: &[String]) -> String {
    let mut out = String::new();
    // The fence that opened the code block being copied, if any.
    let mut fence: Option<String> = None;
    // Whether a plain next line continues the last line written (a paragraph or list item).
    let mut open_paragraph = false;
    // Whether the last line asked for a line break (two trailing spaces or a trailing `\`).
    let mut hard_break = false;
    // Whether a blank line came since the last line written.
    let mut pending_blank = false;
    for raw in lines {
        // `/// text` arrives as " text": drop the one space the comment syntax adds.
        let line = raw.strip_prefix(' ').unwrap_or(raw);
        let trimmed = line.trim();
        if let Some(open) = &fence {
            newline(&mut out, &mut pending_blank);
            out.push_str(line.trim_end());
            if trimmed.starts_with(open.as_str())
                && trimmed.trim_start_matches(&open[..1]).is_empty()
            {
                fence = None;
            }
            continue;
        }
        if trimmed.is_empty() {
            pending_blank = !out.is_empty();
            open_paragraph = false;
            hard_break = false;
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if let Some(open) = fence_marker(trimmed) {
            fence = Some(open);
            newline(&mut out, &mut pending_blank);
            out.push_str(line.trim_end());
            open_paragraph = false;
            continue;
        }
        if indent >= 4 && !open_paragraph {
            // An indented code block: copied as written.
            newline(&mut out, &mut pending_blank);
            out.push_str(line.trim_end());
            continue;
        }
        let (text, continues) = if starts_list_item(trimmed) {
            // Keep a nested item's indentation; the item's next lines join onto it.
            (line.trim_end(), true)
        } else if trimmed.starts_with('>') {
            (trimmed, true)
        } else if starts_own_line(trimmed) {
            (trimmed, false)
        } else {
            (trimmed, true)
        };
        if open_paragraph && !hard_break && !starts_own_line(trimmed) {
            out.push(' ');
        } else {
            newline(&mut out, &mut pending_blank);
        }
        hard_break = line.ends_with("  ") || text.ends_with('\\');
        out.push_str(text.strip_suffix('\\').unwrap_or(text).trim_end());
        open_paragraph = continues;
    }
    out
}

/// Starts the next line (after a paragraph break when a blank line came first).
fn newline(out: &mut String, pending_blank: &mut bool) {
    if !out.is_empty() {
        out.push_str(if *pending_blank { "\n\n" } else { "\n" });
    }
    *pending_blank = false;
}

/// The fence of a code block opened by this line: three or more backticks or tildes.
fn fence_marker(trimmed: &str) -> Option<String> {
    ['`', '~'].into_iter().find_map(|c| {
        let run = trimmed.chars().take_while(|&x| x == c).count();
        (run >= 3).then(|| c.to_string().repeat(run))
    })
}

/// A line that begins a block of its own, so it is never joined onto the line before it.
fn starts_own_line(trimmed: &str) -> bool {
    starts_list_item(trimmed)
        || is_heading(trimmed)
        || trimmed.starts_with('>')
        || trimmed.starts_with('|')
        // Thematic breaks and setext heading underlines.
        || (trimmed.len() >= 3 && ['-', '=', '*', '_'].iter().any(|&c| trimmed.chars().all(|x| x == c || x == ' ')))
}

/// `# Title` to `###### Title` (not `#hashtag` or `#[attr]`).
fn is_heading(trimmed: &str) -> bool {
    let level = trimmed.chars().take_while(|&c| c == '#').count();
    (1..=6).contains(&level) && trimmed[level..].chars().next().is_none_or(|c| c == ' ')
}

/// `- item`, `* item`, `+ item`, `1. item`, `1) item`.
fn starts_list_item(trimmed: &str) -> bool {
    let bullet = ["- ", "* ", "+ "].iter().any(|b| trimmed.starts_with(b))
        || ["-", "*", "+"].contains(&trimmed);
    let digits = trimmed.chars().take_while(char::is_ascii_digit).count();
    let ordered = (1..=9).contains(&digits)
        && [". ", ") "]
            .iter()
            .any(|m| trimmed[digits..].starts_with(m));
    bullet || ordered
}

#[cfg(test)]
mod tests {
    use super::doc_comment;

    fn doc(attrs: &[syn::Attribute]) -> Option<String> {
        doc_comment(attrs).unwrap()
    }

    #[test]
    fn paragraph_lines_join_and_blank_lines_stay_breaks() {
        let item: syn::ItemStruct = syn::parse_quote! {
            ///
            /// Drops a table with all its rows. This cannot be undone. Refused while
            /// rows of other tables reference it.
            ///
            ///   Indented line
            /// and its continuation.
            #[doc = " Last."]
            ///
            struct S;
        };
        assert_eq!(
            doc(&item.attrs).as_deref(),
            Some(
                "Drops a table with all its rows. This cannot be undone. Refused while rows of \
                 other tables reference it.\n\nIndented line and its continuation. Last."
            )
        );
        let bare: syn::ItemStruct = syn::parse_quote!(
            struct S;
        );
        assert_eq!(doc(&bare.attrs), None);
        let blank: syn::ItemStruct = syn::parse_quote! {
            ///
            ///
            struct S;
        };
        assert_eq!(doc(&blank.attrs), None);
    }

    #[test]
    fn lines_whose_breaks_mean_something_keep_them() {
        let item: syn::ItemStruct = syn::parse_quote! {
            /// # Heading
            /// Intro that
            /// wraps:
            /// - first item
            ///   continued
            /// - second
            ///   - nested
            /// 1. one
            /// 2) two
            ///
            /// ```sql
            /// SELECT *
            ///   FROM t
            /// ```
            ///
            ///     indented code
            ///     second line
            ///
            /// > quoted
            /// > more
            /// | a | b |
            /// |---|---|
            /// Hard break\
            #[doc = " after backslash, and  "]
            /// after two spaces.
            struct S;
        };
        assert_eq!(
            doc(&item.attrs).unwrap(),
            "# Heading\nIntro that wraps:\n- first item continued\n- second\n  - nested\n\
             1. one\n2) two\n\n```sql\nSELECT *\n  FROM t\n```\n\n    indented code\n    \
             second line\n\n> quoted\n> more\n| a | b |\n|---|---|\nHard break\nafter \
             backslash, and\nafter two spaces."
        );
    }

    #[test]
    fn a_multi_line_doc_literal_and_a_rule_under_text() {
        let item: syn::ItemStruct = syn::parse_quote! {
            #[doc = "First\nsecond"]
            /// #hashtag and
            /// #[attr] join
            /// Title
            /// ---
            /// ~~~
            /// ``` not a close
            /// ~~~
            /// after
            struct S;
        };
        assert_eq!(
            doc(&item.attrs).unwrap(),
            "First second #hashtag and #[attr] join Title\n---\n~~~\n``` not a close\n~~~\nafter"
        );
    }

    #[test]
    fn a_doc_attribute_that_is_not_a_literal_is_refused_not_skipped() {
        let item: syn::ItemStruct = syn::parse_quote! {
            /// Runs a query.
            #[doc = include_str!("query.md")]
            struct S;
        };
        assert!(doc_comment(&item.attrs).is_err());
        let hidden: syn::ItemStruct = syn::parse_quote! {
            /// Runs a query.
            #[doc(hidden)]
            struct S;
        };
        assert_eq!(doc(&hidden.attrs).as_deref(), Some("Runs a query."));
    }
}
