//! A path from the caller, checked before it touches the file system: a plain relative path of
//! plain names, or refused with the rule it breaks.
//!
//! These rules are the first of two fences. The second is how paths are opened (one no-follow
//! step at a time relative to a directory handle, in [`super::Root`]), which holds even against
//! a name these rules let through. The rules exist so that what is refused is refused by a clear
//! message, and so that no path means one thing here and another to a client, a display or a
//! Unicode normalizer (NFKC turns `．．／` into `../`).

use super::error::FsError;

/// The longest path accepted, in bytes (Linux's `PATH_MAX` is 4096; this leaves room for the
/// root's own path).
pub const MAX_PATH_BYTES: usize = 1024;

/// The longest name accepted, in bytes (most file systems' limit).
pub const MAX_NAME_BYTES: usize = 255;

/// The prefix of the temporary files atomic writes use; such names are reserved.
pub(crate) const TEMP_PREFIX: &str = ".files-server-tmp-";

/// Characters refused anywhere in a path because they look like, or normalize to, `/`, `\` or
/// `.` (so a path cannot mean `..` or a separator to anything that reads it after us).
const LOOK_ALIKES: &[char] = &[
    '\u{2215}',  // DIVISION SLASH
    '\u{2044}',  // FRACTION SLASH
    '\u{FF0F}',  // FULLWIDTH SOLIDUS
    '\u{29F8}',  // BIG SOLIDUS
    '\u{2571}',  // BOX DRAWINGS LIGHT DIAGONAL UPPER RIGHT TO LOWER LEFT
    '\u{1735}',  // PHILIPPINE SINGLE PUNCTUATION
    '\u{FF3C}',  // FULLWIDTH REVERSE SOLIDUS
    '\u{29F5}',  // REVERSE SOLIDUS OPERATOR
    '\u{29F9}',  // BIG REVERSE SOLIDUS
    '\u{2216}',  // SET MINUS
    '\u{FE68}',  // SMALL REVERSE SOLIDUS
    '\u{2024}',  // ONE DOT LEADER
    '\u{2025}',  // TWO DOT LEADER
    '\u{2026}',  // HORIZONTAL ELLIPSIS
    '\u{FF0E}',  // FULLWIDTH FULL STOP
    '\u{FE52}',  // SMALL FULL STOP
    '\u{3002}',  // IDEOGRAPHIC FULL STOP
    '\u{FF61}',  // HALFWIDTH IDEOGRAPHIC FULL STOP
    '\u{0701}',  // SYRIAC SUPRALINEAR FULL STOP
    '\u{0702}',  // SYRIAC SUBLINEAR FULL STOP
    '\u{A60E}',  // VAI FULL STOP
    '\u{10A50}', // KHAROSHTHI PUNCTUATION DOT
];

/// Invisible characters that make two different names look the same (zero-width, direction
/// overrides, byte order mark).
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// How a refused path is quoted in its error: escaped, and cut short so a megabyte of path is not
/// sent back.
fn shown(raw: &str) -> String {
    const SHOWN_CHARS: usize = 80;
    let mut out: String = raw
        .chars()
        .take(SHOWN_CHARS)
        .collect::<String>()
        .escape_debug()
        .to_string();
    if raw.chars().nth(SHOWN_CHARS).is_some() {
        out.push('…');
    }
    out
}

/// A checked path relative to the root: a list of plain names (empty for the root itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelPath {
    names: Vec<String>,
}

impl RelPath {
    /// The root itself.
    pub fn root() -> Self {
        Self { names: Vec::new() }
    }

    /// Checks a path as the caller wrote it. `""` and `"."` are the root; one trailing `/` is
    /// allowed (`notes/`).
    pub fn parse(raw: &str) -> Result<Self, FsError> {
        let refuse = |reason: &'static str| FsError::BadPath {
            path: shown(raw),
            reason,
        };
        if raw.is_empty() || raw == "." {
            return Ok(Self::root());
        }
        if raw.len() > MAX_PATH_BYTES {
            return Err(refuse("longer than 1024 bytes"));
        }
        if raw.contains('\0') {
            return Err(refuse("it contains a NUL byte"));
        }
        if raw.contains('\\') {
            return Err(refuse(
                "it contains a backslash; separate names with `/` (Windows paths are refused)",
            ));
        }
        if raw.starts_with('/') {
            return Err(refuse(
                "absolute paths are refused; paths are relative to the served directory, e.g. `notes/todo.txt` (`` or `.` is the directory itself)",
            ));
        }
        if raw.contains(':') {
            return Err(refuse(
                "it contains `:` (refused: Windows drive letters and alternate streams)",
            ));
        }
        if raw.chars().any(char::is_control) {
            return Err(refuse("it contains a control character"));
        }
        if raw.chars().any(|c| LOOK_ALIKES.contains(&c)) {
            return Err(refuse(
                "it contains a character that looks like `/`, `\\` or `.`; use the ASCII ones",
            ));
        }
        if raw.chars().any(is_invisible) {
            return Err(refuse(
                "it contains an invisible formatting character (zero-width or direction override)",
            ));
        }
        let trimmed = raw.strip_suffix('/').unwrap_or(raw);
        let mut names = Vec::new();
        for name in trimmed.split('/') {
            if name.is_empty() {
                return Err(refuse("it has an empty name (`//`)"));
            }
            if name == ".." {
                return Err(refuse(
                    "`..` is refused: paths cannot leave the served directory",
                ));
            }
            if name == "." {
                return Err(refuse(
                    "`.` inside a path is refused; write the path without it",
                ));
            }
            if name.chars().all(|c| c == '.') {
                return Err(refuse("names made only of dots are refused"));
            }
            if name.ends_with(['.', ' ']) || name.starts_with(' ') {
                return Err(refuse(
                    "a name may not start with a space or end with a dot or a space",
                ));
            }
            if name.len() > MAX_NAME_BYTES {
                return Err(refuse("a name is longer than 255 bytes"));
            }
            if name.starts_with(TEMP_PREFIX) {
                return Err(refuse(
                    "names starting with `.files-server-tmp-` are reserved",
                ));
            }
            names.push(name.to_owned());
        }
        Ok(Self { names })
    }

    /// Whether this is the root itself.
    pub fn is_root(&self) -> bool {
        self.names.is_empty()
    }

    /// The names from the root down.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The directories above the last name, and the last name (`None` for the root).
    pub fn split_last(&self) -> Option<(&[String], &str)> {
        self.names
            .split_last()
            .map(|(last, parents)| (parents, last.as_str()))
    }

    /// Whether `other` is this path or lies below it.
    pub fn contains(&self, other: &Self) -> bool {
        other.names.starts_with(&self.names)
    }

    /// This path with `name` appended (a name read from a directory, not from the caller).
    pub(crate) fn join(&self, name: &str) -> Self {
        let mut names = self.names.clone();
        names.push(name.to_owned());
        Self { names }
    }
}

impl std::fmt::Display for RelPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.names.is_empty() {
            f.write_str(".")
        } else {
            f.write_str(&self.names.join("/"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_relative_paths_parse_into_names() {
        assert_eq!(
            RelPath::parse("a/b.txt").expect("ok").names(),
            ["a", "b.txt"]
        );
        assert_eq!(RelPath::parse("notes/").expect("ok").names(), ["notes"]);
        assert!(RelPath::parse("").expect("ok").is_root());
        assert!(RelPath::parse(".").expect("ok").is_root());
        assert_eq!(RelPath::parse(".hidden").expect("ok").names(), [".hidden"]);
        assert_eq!(
            RelPath::parse("résumé ü.md").expect("ok").names(),
            ["résumé ü.md"]
        );
    }

    #[test]
    fn escapes_and_confusables_are_refused() {
        let long_name = "a".repeat(256);
        let long_path = "a/".repeat(600);
        for bad in [
            "/etc/passwd",
            "..",
            "../x",
            "a/../../x",
            "a/..",
            "./a",
            "a/./b",
            "a//b",
            "a\\..\\b",
            "C:/Windows",
            "C:x",
            "a\0b",
            "…/x",
            "\u{2025}/x",
            "\u{FF0E}\u{FF0E}/x",
            "a\u{2215}b",
            "a\u{FF0F}b",
            "a\u{200B}b",
            "a\u{202E}b",
            "...",
            "a/ b",
            "a /b",
            "a./b",
            "x\n",
            &long_name,
            &long_path,
            ".files-server-tmp-1",
        ] {
            assert!(
                matches!(RelPath::parse(bad), Err(FsError::BadPath { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_refused_path_is_quoted_escaped_and_cut_short() {
        let long = format!("a\n{}", "b".repeat(5000));
        let message = RelPath::parse(&long).map(|_| ()).unwrap_err().to_string();
        assert!(message.starts_with("refused path `a\\nbbb"), "{message}");
        assert!(message.contains("bbb…`"), "{message}");
        assert!(message.len() < 300, "{}", message.len());
        for bad in ["\u{202E}x", "x\u{0}y"] {
            let message = RelPath::parse(bad).map(|_| ()).unwrap_err().to_string();
            assert!(
                !message.contains(bad),
                "{message}: control characters are escaped"
            );
        }
    }

    /// Every string of up to five characters from an alphabet of separators, dots and their
    /// look-alikes: whatever parses is plain names that say exactly what the string said.
    #[test]
    fn no_short_string_of_tricky_characters_parses_into_an_escape() {
        const ALPHABET: [char; 9] = ['.', '/', '\\', 'a', '\0', '\u{FF0E}', ' ', ':', '\u{2215}'];
        let mut strings = vec![String::new()];
        let mut accepted = 0;
        for _ in 0..5 {
            strings = strings
                .iter()
                .flat_map(|s| ALPHABET.iter().map(move |c| format!("{s}{c}")))
                .collect();
            for raw in &strings {
                let Ok(path) = RelPath::parse(raw) else {
                    continue;
                };
                accepted += 1;
                for name in path.names() {
                    assert!(
                        !name.is_empty() && !name.chars().all(|c| c == '.'),
                        "{raw:?}"
                    );
                    assert!(
                        !name.contains(['/', '\\', '\0', ':', '\u{FF0E}', '\u{2215}']),
                        "{raw:?}"
                    );
                }
                if !path.is_root() {
                    assert_eq!(
                        path.to_string(),
                        raw.strip_suffix('/').unwrap_or(raw),
                        "{raw:?}"
                    );
                }
            }
        }
        assert!(accepted > 100, "plain names still parse ({accepted})");
    }
}
