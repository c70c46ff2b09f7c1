//! The committed Casdoor manifest (`casdoor-scopes.json`) matches the scopes and tools declared in
//! code. When it does not, this test prints the diff; regenerate the file with
//! `MCP_SCOPES_UPDATE_MANIFEST=1 cargo test -p files-server --test casdoor_manifest`.

use mcp_scopes::manifest::{ManifestFile, ManifestOptions};

#[test]
fn casdoor_manifest_is_current() {
    let registry = files_server::tools::registry().expect("the files-server registry is valid");
    ManifestFile::new(concat!(env!("CARGO_MANIFEST_DIR"), "/casdoor-scopes.json"))
        .options(ManifestOptions::new().oidc_scopes(true))
        .regenerate_command(
            "MCP_SCOPES_UPDATE_MANIFEST=1 cargo test -p files-server --test casdoor_manifest \
             (or: cargo run -p files-server -- manifest --oidc-scopes --out examples/files-server/casdoor-scopes.json)",
        )
        .assert_current(&registry);
}
