//! The scope manifest seen from a server's crate: the exact Casdoor and generic documents generated
//! from `#[scope]`/`#[tool]` declarations, atomic writes, and the committed-file check a server's own
//! test runs.

// `#[tool]` functions must be async; these have nothing to await.
#![allow(clippy::unused_async)]

use std::path::Path;
use std::process::Command;

use mcp_scopes::manifest::{
    FileStatus, ManifestFile, ManifestFormat, ManifestOptions, UPDATE_ENV, casdoor_scopes, render,
    write_to,
};
use mcp_scopes::registry::Registry;
use mcp_scopes::{scope, tool, tools};

/// Read files and list directories.
#[scope(name = "files:read", display_name = "Read files", baseline)]
pub struct FilesRead;

/// Create, change and delete files.
#[scope(name = "files:write", display_name = "Write files", implies = [FilesRead])]
pub struct FilesWrite;

/// Share files with other people.
#[scope(name = "files:share")]
pub struct FilesShare;

/// Reads a file.
#[tool(scope = FilesRead, read_only)]
async fn read_file() -> String {
    String::new()
}

/// Lists a directory.
#[tool(scope = FilesRead, read_only)]
async fn list_dir() -> String {
    String::new()
}

/// Writes a file.
#[tool(scope = FilesWrite)]
async fn write_file() -> String {
    String::new()
}

/// Shares a file; needs both scopes.
#[tool(scope = [FilesWrite, FilesShare])]
async fn share_file() -> String {
    String::new()
}

/// Says the server is alive.
#[tool(public)]
async fn ping() -> String {
    String::new()
}

fn registry() -> Registry {
    Registry::from_tools(tools![write_file, ping, share_file, read_file, list_dir])
        .expect("a valid registry")
}

/// The Casdoor document: sorted by scope name, each scope listing the tools that declare it (a tool
/// needing two scopes under both; `write_file` not repeated under `files:read` although
/// `files:write` implies it), public tools nowhere, a missing display name replaced by the name.
const CASDOOR: &str = r#"[
  {
    "name": "files:read",
    "displayName": "Read files",
    "description": "Read files and list directories.",
    "tools": [
      "list_dir",
      "read_file"
    ]
  },
  {
    "name": "files:share",
    "displayName": "files:share",
    "description": "Share files with other people.",
    "tools": [
      "share_file"
    ]
  },
  {
    "name": "files:write",
    "displayName": "Write files",
    "description": "Create, change and delete files.",
    "tools": [
      "share_file",
      "write_file"
    ]
  }
]
"#;

#[test]
fn casdoor_manifest_is_exact_and_deterministic() {
    let text = render(&registry(), ManifestOptions::new()).unwrap();
    assert_eq!(text, CASDOOR);
    // The same tools listed in another order give the same bytes.
    let again =
        Registry::from_tools(tools![list_dir, read_file, share_file, write_file, ping]).unwrap();
    assert_eq!(render(&again, ManifestOptions::new()).unwrap(), CASDOOR);
}

#[test]
fn oidc_scopes_are_appended_when_asked_for() {
    let scopes = casdoor_scopes(&registry(), true).unwrap();
    let names: Vec<&str> = scopes.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "files:read",
            "files:share",
            "files:write",
            "openid",
            "profile",
            "email",
            "offline_access"
        ]
    );
    assert!(
        scopes[3..]
            .iter()
            .all(|s| s.tools.is_empty() && !s.description.is_empty())
    );
}

#[test]
fn generic_manifest_carries_baseline_implications_and_public_tools() {
    let text = render(
        &registry(),
        ManifestOptions::new().format(ManifestFormat::Json),
    )
    .unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        doc,
        serde_json::json!({
            "scopes": [
                {"name": "files:read", "displayName": "Read files",
                 "description": "Read files and list directories.", "baseline": true,
                 "implies": [], "tools": ["list_dir", "read_file"]},
                {"name": "files:share", "displayName": "files:share",
                 "description": "Share files with other people.", "baseline": false,
                 "implies": [], "tools": ["share_file"]},
                {"name": "files:write", "displayName": "Write files",
                 "description": "Create, change and delete files.", "baseline": false,
                 "implies": ["files:read"], "tools": ["share_file", "write_file"]},
            ],
            "publicTools": ["ping"],
        })
    );
}

fn scratch() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary directory")
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn write_to_replaces_the_file_whole_and_leaves_nothing_behind() {
    let dir = scratch();
    let path = dir.path().join("casdoor-scopes.json");
    std::fs::write(&path, "old content that is longer than nothing\n").unwrap();
    write_to(&path, &registry(), ManifestOptions::new()).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), CASDOOR);
    assert_eq!(entries(dir.path()), ["casdoor-scopes.json"]);

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let fresh = dir.path().join("new.json");
        write_to(&fresh, &registry(), ManifestOptions::new()).unwrap();
        let mode = std::fs::metadata(&fresh).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o644, "a committed file, not owner-only");
    }
}

#[test]
fn write_to_a_missing_directory_fails_with_the_path() {
    let dir = scratch();
    let path = dir.path().join("no/such/dir/scopes.json");
    let err = write_to(&path, &registry(), ManifestOptions::new()).unwrap_err();
    assert!(err.to_string().contains("no/such/dir"), "{err}");
}

#[test]
fn a_current_file_passes_even_with_crlf_line_endings() {
    let dir = scratch();
    let path = dir.path().join("casdoor-scopes.json");
    std::fs::write(&path, CASDOOR).unwrap();
    let file = ManifestFile::new(&path);
    assert_eq!(file.check(&registry()).unwrap(), FileStatus::Current);
    std::fs::write(&path, CASDOOR.replace('\n', "\r\n")).unwrap();
    assert_eq!(file.check(&registry()).unwrap(), FileStatus::Current);
    file.assert_current(&registry());
}

#[test]
fn a_stale_file_fails_with_a_diff_and_the_command() {
    let dir = scratch();
    let path = dir.path().join("casdoor-scopes.json");
    let stale = CASDOOR.replace("Read files and list directories.", "Read files.");
    std::fs::write(&path, &stale).unwrap();
    let file = ManifestFile::new(&path)
        .regenerate_command("cargo run -p files-server -- manifest --out casdoor-scopes.json");
    let message = file.check(&registry()).unwrap_err().to_string();
    for needle in [
        "casdoor-scopes.json is out of date with the tools and scopes declared in code",
        "--- committed",
        "+++ generated",
        r#"-    "description": "Read files.","#,
        r#"+    "description": "Read files and list directories.","#,
        "Regenerate it with:\n    cargo run -p files-server -- manifest --out casdoor-scopes.json",
    ] {
        assert!(
            message.contains(needle),
            "missing {needle:?} in:\n{message}"
        );
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), stale, "untouched");

    let panic = std::panic::catch_unwind(|| file.assert_current(&registry())).unwrap_err();
    let shown = panic.downcast_ref::<String>().unwrap();
    assert!(shown.contains("+++ generated"), "{shown}");
}

#[test]
fn a_missing_file_fails_and_names_the_default_command() {
    let dir = scratch();
    let path = dir.path().join("casdoor-scopes.json");
    let message = ManifestFile::new(&path)
        .check(&registry())
        .unwrap_err()
        .to_string();
    assert!(message.contains("is missing"), "{message}");
    assert!(
        message.contains(&format!("{UPDATE_ENV}=1 cargo test")),
        "{message}"
    );
    assert!(!path.exists());
}

/// Run by `the_environment_variable_asks_for_a_rewrite` in a child process, with the file path and
/// (or not) the update variable in its environment.
#[test]
#[ignore = "run as a child process by the_environment_variable_asks_for_a_rewrite"]
fn child_checks_the_manifest_file() {
    let path = std::env::var("MANIFEST_TEST_PATH").expect("set by the parent");
    let status = ManifestFile::new(path)
        .options(ManifestOptions::new().oidc_scopes(true))
        .check(&registry())
        .expect("current or rewritten");
    println!("status: {status:?}");
}

fn run_child(path: &Path, update: Option<&str>) -> std::process::Output {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([
            "--ignored",
            "--exact",
            "child_checks_the_manifest_file",
            "--nocapture",
        ])
        .env("MANIFEST_TEST_PATH", path)
        .env_remove(UPDATE_ENV);
    if let Some(value) = update {
        command.env(UPDATE_ENV, value);
    }
    command.output().unwrap()
}

#[test]
fn the_environment_variable_asks_for_a_rewrite() {
    let dir = scratch();
    let path = dir.path().join("casdoor-scopes.json");
    std::fs::write(&path, "[]\n").unwrap();

    // Without the variable (or with another value), a stale file fails the test and is untouched.
    for update in [None, Some("0"), Some("yes")] {
        let out = run_child(&path, update);
        assert!(!out.status.success(), "{update:?} must fail");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "[]\n");
    }

    let out = run_child(&path, Some("1"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("status: Updated"));
    let expected = render(&registry(), ManifestOptions::new().oidc_scopes(true)).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), expected);
    assert_eq!(entries(dir.path()), ["casdoor-scopes.json"]);

    // Now current: the check passes without the variable and does not touch the file.
    let out = run_child(&path, None);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("status: Current"));
}

/// One file's text, by path.
#[mcp_scopes::resource(uri_template = "files://{path}", scope = FilesRead)]
async fn file(path: String) -> String {
    path
}

/// Where the files are.
#[mcp_scopes::resource(uri = "files://index", public)]
async fn index() -> &'static str {
    "files://{path}"
}

/// Asks the model to tidy a directory up.
#[mcp_scopes::prompt(scope = FilesWrite)]
async fn tidy_up() -> &'static str {
    "Tidy up."
}

/// Greets.
#[mcp_scopes::prompt(public)]
async fn hello() -> &'static str {
    "Hello."
}

fn registry_with_resources_and_prompts() -> Registry {
    Registry::from_declarations(
        tools![read_file, write_file, ping],
        mcp_scopes::resources![file, index],
        mcp_scopes::prompts![tidy_up, hello],
    )
    .unwrap()
}

#[test]
fn each_scope_lists_its_resources_and_prompts_too() {
    let registry = registry_with_resources_and_prompts();
    let text = render(
        &registry,
        ManifestOptions::new().format(ManifestFormat::Json),
    )
    .unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        doc,
        serde_json::json!({
            "scopes": [
                {"name": "files:read", "displayName": "Read files",
                 "description": "Read files and list directories.", "baseline": true,
                 "implies": [], "tools": ["read_file"], "resources": ["files://{path}"]},
                {"name": "files:write", "displayName": "Write files",
                 "description": "Create, change and delete files.", "baseline": false,
                 "implies": ["files:read"], "tools": ["write_file"], "prompts": ["tidy_up"]},
            ],
            "publicTools": ["ping"],
            "publicResources": ["files://index"],
            "publicPrompts": ["hello"],
        })
    );
    // Casdoor's `tools` stays tool names; the description says what else the scope opens.
    let casdoor = casdoor_scopes(&registry, false).unwrap();
    assert_eq!(casdoor[0].tools, ["read_file"]);
    assert_eq!(
        casdoor[0].description,
        "Read files and list directories. Also opens resources: files://{path}."
    );
    assert_eq!(
        casdoor[1].description,
        "Create, change and delete files. Also opens prompts: tidy_up."
    );
}
