//! The README's "Writing a server" example is `examples/notes.rs` verbatim (without its first doc
//! lines), so the code a new user pastes into `src/main.rs` is code that compiles and whose registry
//! check runs in `cargo test` (the example is built with feature `cli` and its test is run).

#[test]
fn the_readme_example_is_the_notes_example() {
    let readme = include_str!("../README.md");
    let example = include_str!("../examples/notes.rs");
    let mut code = String::new();
    for line in example
        .lines()
        .skip_while(|line| line.starts_with("//!"))
        .skip_while(|line| line.is_empty())
    {
        code.push_str(line);
        code.push('\n');
    }
    let block = format!("```rust,ignore\n{code}```");
    assert!(
        readme.contains(&block),
        "README.md must hold examples/notes.rs (after its //! lines) as a ```rust,ignore block:\n{block}"
    );
}
