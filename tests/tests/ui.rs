//! What users see when `#[tool]`, `#[scope]`, `#[resource]` or `#[prompt]` is misused (`ui/fail/`:
//! one case per error message, with the expected compiler output) and that generated code compiles
//! in hostile surroundings (`ui/pass/`: no prelude, a renamed crate, every argument and return type,
//! schemas derived through the framework's re-exported `schemars`).
//!
//! Regenerate the expected output with `TRYBUILD=overwrite cargo test -p mcp-scopes-tests --test ui`
//! and read every changed `.stderr` before committing it.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui/fail/*.rs");
    cases.pass("ui/pass/*.rs");
}
