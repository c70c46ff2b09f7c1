//! The consent page: plain server-rendered HTML (no script, one small inline style sheet, readable
//! on a phone) showing who asks, where the answer goes, and for each requested scope what it opens:
//! its display name, description, and the tools, resources and prompts declared with it.
//!
//! Everything a client sent (its name, redirect URI, state) is attacker input and goes through
//! [`escape`]. A handwritten escape instead of a template engine: one page does not justify the
//! dependency, and five characters are all HTML text and quoted attributes need.
//!
//! The page is never framed (`frame-ancestors 'none'`, `X-Frame-Options`), never cached, and sends
//! no `Referer` to other sites (its URL holds the request's parameters).

use std::fmt::Write as _;

use axum::response::Response;
use http::HeaderValue;
use http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};

use super::shared::AUTHORIZE_PATH;
use crate::manifest::ManifestScope;

/// `text` safe inside HTML text and double- or single-quoted attribute values.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:40rem;margin:0 auto;padding:1rem;line-height:1.4;color:#1a1a1a}\
h1{font-size:1.4rem}code{background:#f2f2f2;padding:0 .2rem;word-break:break-all}\
fieldset{border:1px solid #ccc;border-radius:.4rem;margin:0 0 .8rem;padding:.6rem}\
label{display:flex;gap:.6rem;align-items:flex-start;font-weight:600}\
input[type=checkbox]{width:1.3rem;height:1.3rem;flex:none;margin-top:.1rem}\
.what{margin:.3rem 0 0 1.9rem;font-size:.95rem}.what p{margin:.2rem 0}\
.buttons{display:flex;gap:1rem;margin-top:1rem}\
button{flex:1;font-size:1.1rem;padding:.7rem;border-radius:.4rem;border:1px solid #888}\
button[value=approve]{background:#0b5;color:#fff;border-color:#094}\
.note{font-size:.85rem;color:#555}";

/// A whole HTML document around `body` (already escaped where needed).
pub(super) fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape(title)
    )
}

/// The headers every page of this server carries.
pub(super) fn protect(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Not `no-referrer`: browsers then send `Origin: null` with the form, which the answer's origin
    // check refuses. `same-origin` still keeps the page's URL from every other site.
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// What the consent page shows.
pub(super) struct Consent<'a> {
    pub(super) client_name: Option<&'a str>,
    pub(super) client_id: &'a str,
    pub(super) redirect_uri: &'a str,
    pub(super) resource: &'a str,
    /// The requested scopes, each with whether its box starts ticked.
    pub(super) scopes: Vec<(&'a ManifestScope, bool)>,
    /// Whether the client also asks to stay signed in (a refresh token).
    pub(super) offline: bool,
    pub(super) request_id: &'a str,
    pub(super) csrf: &'a str,
}

/// The consent page.
pub(super) fn render(consent: &Consent<'_>) -> String {
    let mut body = String::new();
    let who = consent.client_name.map_or_else(
        || {
            format!(
                "An application that gave no name (client <code>{}</code>)",
                escape(consent.client_id)
            )
        },
        |name| format!("<strong>{}</strong>", escape(name)),
    );
    let _ = writeln!(body, "<h1>Allow access to this MCP server?</h1>");
    let _ = writeln!(
        body,
        "<p>{who} asks for access to <code>{}</code>.</p>",
        escape(consent.resource)
    );
    let _ = writeln!(
        body,
        "<p>After you answer, your browser goes back to <code>{}</code>.</p>",
        escape(consent.redirect_uri)
    );
    let _ = writeln!(
        body,
        "<form method=\"post\" action=\"{AUTHORIZE_PATH}\">\n<input type=\"hidden\" name=\"request\" value=\"{}\">\n<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        escape(consent.request_id),
        escape(consent.csrf)
    );
    let _ = writeln!(body, "<p>Untick what you do not want to allow:</p>");
    for (scope, checked) in &consent.scopes {
        scope_fieldset(&mut body, scope, *checked);
    }
    if consent.offline {
        let _ = writeln!(
            body,
            "<p>It also asks to stay signed in: a refresh token, which renews access to what you allow without asking again.</p>"
        );
    }
    let _ = writeln!(
        body,
        "<div class=\"buttons\">\n<button type=\"submit\" name=\"decision\" value=\"approve\">Approve</button>\n<button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\n</div>\n</form>"
    );
    let _ = writeln!(
        body,
        "<p class=\"note\">Development mode: this page is served by the MCP server itself, only to this machine, and what you grant is kept in memory until the server stops.</p>"
    );
    page("Allow access?", &body)
}

fn scope_fieldset(body: &mut String, scope: &ManifestScope, checked: bool) {
    let name = escape(&scope.name);
    let _ = writeln!(
        body,
        "<fieldset>\n<label><input type=\"checkbox\" name=\"scope\" value=\"{name}\"{}> <span>{} <code>{name}</code></span></label>\n<div class=\"what\">",
        if checked { " checked" } else { "" },
        escape(&scope.display_name)
    );
    if !scope.description.is_empty() {
        let _ = writeln!(body, "<p>{}</p>", escape(&scope.description));
    }
    for (label, items) in [
        ("Tools", &scope.tools),
        ("Resources", &scope.resources),
        ("Prompts", &scope.prompts),
        ("Also grants", &scope.implies),
    ] {
        if !items.is_empty() {
            let list: Vec<String> = items
                .iter()
                .map(|i| format!("<code>{}</code>", escape(i)))
                .collect();
            let _ = writeln!(body, "<p>{label}: {}</p>", list.join(", "));
        }
    }
    let _ = writeln!(body, "</div>\n</fieldset>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_text_and_attributes() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\"\u{0}"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;\u{FFFD}"
        );
    }
}
