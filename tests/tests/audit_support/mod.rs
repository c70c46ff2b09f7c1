//! Audit events read the way an operator's tools read them: the formatted log line, captured in
//! memory and parsed as logfmt.

#![allow(dead_code, unreachable_pub)] // each test file uses a different part

use mcp_scopes::audit::TARGET;
use mcp_scopes_tests::log_capture::Captured;
use tracing::Level;

/// One parsed log line: its level and its `key=value` pairs, in order (bare words have no value).
#[derive(Debug)]
pub struct Line {
    pub raw: String,
    pairs: Vec<(String, Option<String>)>,
}

impl Line {
    /// Every value given to `key` (bare words, such as the message's, are not fields).
    pub fn all(&self, key: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == key)
            .filter_map(|(_, v)| v.as_deref())
            .collect()
    }

    /// The value of `key`, which must appear exactly once.
    pub fn get(&self, key: &str) -> &str {
        let all = self.all(key);
        assert_eq!(
            all.len(),
            1,
            "`{key}` is not there exactly once: {}",
            self.raw
        );
        all[0]
    }

    pub fn level(&self) -> &str {
        // The formatter writes the level as the first bare word.
        self.pairs.first().map_or("", |(k, _)| k.as_str())
    }
}

/// logfmt: `key=value` or `key="quoted \"value\""` separated by spaces; other words stand alone.
fn logfmt(raw: &str) -> Line {
    let mut pairs = Vec::new();
    let mut chars = raw.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let Some(_) = chars.peek() else { break };
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() || c == '=' {
                break;
            }
            key.push(c);
            chars.next();
        }
        if chars.peek() != Some(&'=') {
            pairs.push((key, None));
            continue;
        }
        chars.next();
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => value.extend(chars.next()),
                    '"' => break,
                    c => value.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                value.push(c);
                chars.next();
            }
        }
        pairs.push((key, Some(value)));
    }
    Line {
        raw: raw.to_owned(),
        pairs,
    }
}

/// Runs `scenario` with a subscriber capturing events up to `level`, and returns the audit lines.
pub async fn audited<F, Fut>(level: Level, scenario: F) -> Vec<Line>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = ()>,
{
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_ansi(false)
        .without_time()
        .with_max_level(level)
        .finish();
    {
        // The test runtime is single-threaded, so the server's tasks see this default too.
        let _guard = tracing::subscriber::set_default(subscriber);
        scenario().await;
    }
    let text = captured.text();
    text.lines()
        .filter(|l| l.contains(&format!("{TARGET}:")))
        .map(logfmt)
        .collect()
}
