//! How the user runs this binary, as a prefix for the commands the startup banner prints (`… token
//! --scope …`). Its own file because the answer depends on how the binary was started: a cargo
//! binary, a cargo example (`cargo run -p mcp-scopes --example notes --features cli`: no `--bin
//! notes` exists, so a `--bin` hint fails), or an installed program.

use std::path::{Component, Path};

/// The prefix for the running process: see [`invocation_for`].
pub(super) fn invocation(program: &str) -> String {
    invocation_for(program, std::env::current_exe().ok().as_deref())
}

/// The prefix for `exe`, started as `program` (the first argument):
/// - a binary in a cargo target directory: `cargo run -q --bin <file name> -- ` (works from any
///   directory of the project, also in a workspace);
/// - an example there (`target/<profile>/examples/<name>`): the example's own path. A `cargo run
///   --example` line would need the package and the features the example requires, which the
///   process cannot know;
/// - anything else: `program` as it was started.
pub(super) fn invocation_for(program: &str, exe: Option<&Path>) -> String {
    let Some(exe) = exe.filter(|exe| {
        exe.components()
            .any(|c| c == Component::Normal("target".as_ref()))
    }) else {
        return format!("{program} ");
    };
    let is_example = exe
        .parent()
        .and_then(Path::file_name)
        .is_some_and(|dir| dir == "examples");
    match exe.file_stem() {
        Some(_) if is_example => format!("{} ", exe.display()),
        Some(stem) => format!("cargo run -q --bin {} -- ", stem.to_string_lossy()),
        None => format!("{program} "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cargo_binary_is_run_by_its_bin_name() {
        let exe = Path::new("/src/project/target/debug/db-server");
        assert_eq!(
            invocation_for("target/debug/db-server", Some(exe)),
            "cargo run -q --bin db-server -- "
        );
    }

    #[test]
    fn a_cargo_example_is_run_by_its_path_never_as_a_bin() {
        let exe = Path::new("/src/project/target/debug/examples/notes");
        assert_eq!(
            invocation_for("target/debug/examples/notes", Some(exe)),
            "/src/project/target/debug/examples/notes "
        );
    }

    #[test]
    fn an_installed_program_is_run_as_it_was_started() {
        let exe = Path::new("/usr/local/bin/db-server");
        assert_eq!(invocation_for("db-server", Some(exe)), "db-server ");
        assert_eq!(invocation_for("./srv", None), "./srv ");
    }
}
