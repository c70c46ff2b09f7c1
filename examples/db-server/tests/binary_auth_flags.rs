//! The production token flags of the built binary: the start-up warning when nothing ties tokens to
//! this server's own Casdoor application, the flags and their `MCP_*` variables, and the refusal of
//! plain-http authorization-server URLs, one line naming the flag.

mod binary_support;

use std::process::Command;

use binary_support::{BIN, Server, free_port, run};

const WARNING: &str = "neither --allowed-client nor --allowed-organization is set";

fn production(dir: &std::path::Path, port: u16, extra: &[&str]) -> Server {
    let closed = free_port();
    let casdoor = format!("http://127.0.0.1:{closed}");
    let resource = format!("http://127.0.0.1:{port}/mcp");
    let mut flags = vec![
        "--casdoor",
        casdoor.as_str(),
        "--resource",
        resource.as_str(),
    ];
    flags.extend_from_slice(extra);
    Server::start_with(port, dir, &flags)
}

#[test]
fn casdoor_without_allowed_clients_warns_at_start() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = production(dir.path(), free_port(), &[]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    let log = server.log();
    server.terminate();
    assert!(log.contains(WARNING), "{log}");
    assert!(log.contains("WARN"), "a warning, not info: {log}");
    // Said once, in terms of the flags: not again by the server's build in terms of the API.
    assert_eq!(log.matches(WARNING).count(), 1, "{log}");
    assert!(!log.contains("tokens are tied to no client"), "{log}");

    let server = production(dir.path(), free_port(), &["--allowed-client", "app-1"]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    let log = server.log();
    server.terminate();
    assert!(!log.contains(WARNING), "{log}");
}

#[test]
fn plain_http_authorization_servers_are_refused_naming_the_flag() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (args, flag) in [
        (&["--casdoor", "http://door.example.com"][..], "--casdoor"),
        (&["--issuer", "http://auth.example.com"][..], "--issuer"),
        (
            &[
                "--issuer",
                "https://auth.example.com",
                "--jwks-uri",
                "http://auth.example.com/jwks",
            ][..],
            "--jwks-uri",
        ),
    ] {
        let mut all = args.to_vec();
        all.extend(["--resource", "https://mcp.example.com/mcp"]);
        let out = run(&all, dir.path());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(
            stderr.contains(flag) && stderr.contains("use https"),
            "{stderr}"
        );
    }
}

#[test]
fn the_token_flags_come_from_the_environment_too() {
    let dir = tempfile::tempdir().expect("temp dir");
    // MCP_ALLOWED_ORGANIZATIONS with --issuer is refused: the variable was read as the flag.
    let out = Command::new(BIN)
        .args([
            "--issuer",
            "https://auth.example.com",
            "--resource",
            "https://mcp.example.com/mcp",
        ])
        .arg("--data-dir")
        .arg(dir.path())
        .env("MCP_ALLOWED_ORGANIZATIONS", "acme,beta")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--allowed-organization") && stderr.contains("only with --casdoor"),
        "{stderr}"
    );
    // MCP_MAX_TOKEN_LIFETIME is parsed as the flag is.
    let out = Command::new(BIN)
        .args([
            "--casdoor",
            "https://door.example.com",
            "--resource",
            "https://mcp.example.com/mcp",
        ])
        .arg("--data-dir")
        .arg(dir.path())
        .env("MCP_MAX_TOKEN_LIFETIME", "bogus")
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(2),
        "a bad duration is a usage error"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("--max-token-lifetime"));
}

#[cfg(unix)]
#[test]
fn a_symlink_at_the_dev_key_path_is_a_clear_error_not_a_crash() {
    let dir = tempfile::tempdir().expect("temp dir");
    let key = dir.path().join("dev-signing-key.pem");
    for target in [dir.path().join("gone.pem"), key.clone()] {
        std::os::unix::fs::symlink(&target, &key).expect("symlink");
        for args in [&["token", "--scope", "db:query"][..], &["--port", "0"][..]] {
            let out = run(args, dir.path());
            assert_eq!(
                out.status.code(),
                Some(2),
                "{args:?} with a link to {target:?}"
            );
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(stderr.lines().count(), 1, "{stderr}");
            assert!(
                stderr.contains("--data-dir") && stderr.contains("is a symbolic link"),
                "{stderr}"
            );
        }
        std::fs::remove_file(&key).expect("unlink");
    }
}

#[test]
fn scope_roles_are_checked_against_the_scopes_and_announced_at_start() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (rule, needle) in [
        ("db:nope=dba", "declares no scope `db:nope`"),
        ("db:admin", "is not SCOPE=ROLE"),
    ] {
        let out = run(&["--port", "0", "--scope-role", rule], dir.path());
        assert_eq!(out.status.code(), Some(2), "{rule}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("--scope-role") && stderr.contains(needle),
            "{stderr}"
        );
    }
    let server = production(
        dir.path(),
        free_port(),
        &["--scope-role", "db:admin=dba", "--allowed-client", "a"],
    );
    std::thread::sleep(std::time::Duration::from_millis(300));
    let log = server.log();
    server.terminate();
    assert!(
        log.contains("db:admin (needs dba)") && log.contains("`JWT` token format"),
        "{log}"
    );
}
