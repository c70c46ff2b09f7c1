//! Each subcommand's `--help` lists the flags that mean something to it. The server flags are global
//! (so `notes token --port 9000` and `notes --port 9000 token` both parse), which by default prints
//! every one of them under every subcommand; here they stay accepted everywhere but are hidden from
//! the help of the commands that ignore them.

use clap::{Arg, Command};

/// The server flags `token` reads: where the server is (its audience) and its data directory (its key).
const TOKEN_FLAGS: &[&str] = &["bind", "port", "resource", "data_dir"];

/// The server flag `casdoor sync` reads: `--casdoor`, the default for its `--endpoint`.
const CASDOOR_SYNC_FLAGS: &[&str] = &["casdoor"];

/// Hides, in each subcommand's help, the global flags it does not read.
pub(super) fn show_each_command_its_flags(command: Command) -> Command {
    let globals: Vec<Arg> = command
        .get_arguments()
        .filter(|arg| arg.is_global_set())
        .cloned()
        .collect();
    // A subcommand that already has an argument of a global's id does not get the global copied in
    // when clap propagates them: giving it a hidden copy keeps the flag accepted but out of its help.
    let hide = |keep: &'static [&'static str]| {
        let globals = globals.clone();
        move |sub: Command| {
            let hidden = globals
                .iter()
                .filter(|arg| !keep.contains(&arg.get_id().as_str()))
                .map(|arg| arg.clone().hide(true));
            sub.args(hidden)
        }
    };
    command
        .mut_subcommand("token", hide(TOKEN_FLAGS))
        .mut_subcommand("manifest", hide(&[]))
        .mut_subcommand("casdoor", |casdoor| {
            hide(&[])(casdoor).mut_subcommand("sync", hide(CASDOOR_SYNC_FLAGS))
        })
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory as _, FromArgMatches as _};

    use super::*;
    use crate::cli::Cli;
    use crate::cli::args::Args;

    fn help(command: &mut Command, path: &[&str]) -> String {
        command.build();
        let mut sub = command;
        for name in path {
            sub = sub.find_subcommand_mut(name).expect("subcommand");
        }
        sub.render_help().to_string()
    }

    #[test]
    fn each_command_lists_only_the_flags_it_reads() {
        let mut command = show_each_command_its_flags(Args::command());
        let token = help(&mut command, &["token"]);
        for shown in [
            "--scope",
            "--ttl",
            "--subject",
            "--port",
            "--bind",
            "--resource",
            "--data-dir",
        ] {
            assert!(
                token.contains(shown),
                "token --help lacks {shown}:\n{token}"
            );
        }
        // With their value placeholder: other flags' descriptions mention `--issuer`.
        for hidden in [
            "--issuer <URL>",
            "--casdoor <URL>",
            "--max-connections <N>",
            "--shutdown-grace <DURATION>",
            "--call-timeout <DURATION>",
        ] {
            assert!(
                !token.contains(hidden),
                "token --help shows {hidden}:\n{token}"
            );
        }
        let manifest = help(&mut command, &["manifest"]);
        assert!(manifest.contains("--oidc-scopes"), "{manifest}");
        for hidden in ["--port <PORT>", "--data-dir <DIR>", "--issuer <URL>"] {
            assert!(
                !manifest.contains(hidden),
                "manifest --help shows {hidden}:\n{manifest}"
            );
        }
        let sync = help(&mut command, &["casdoor", "sync"]);
        assert!(
            sync.contains("--casdoor") && sync.contains("--application"),
            "{sync}"
        );
        assert!(!sync.contains("--port <PORT>"), "{sync}");
        let serve = help(&mut command, &["serve"]);
        for shown in [
            "--max-connections <N>",
            "--issuer <URL>",
            "--max-calls-per-caller <N>",
            "[env: MCP_MAX_CALLS_PER_CALLER=]",
            "[default: 16]",
            "--call-timeout <DURATION>",
            "[env: MCP_CALL_TIMEOUT=]",
            "[default: 1m]",
        ] {
            assert!(
                serve.contains(shown),
                "serve --help lacks {shown}:\n{serve}"
            );
        }
    }

    #[test]
    fn hidden_flags_are_still_accepted() {
        let command = show_each_command_its_flags(Args::command());
        let matches = command
            .try_get_matches_from(["notes", "manifest", "--port", "9000"])
            .expect("a server flag after manifest still parses");
        assert_eq!(matches.get_one::<u16>("port"), Some(&9000));
    }

    /// `serve --help`'s line for `--max-calls-per-caller` and the next (its env and default).
    fn max_calls_help(cli: &Cli) -> String {
        let mut command = cli.command("srv".to_owned());
        command.build();
        let serve = command
            .find_subcommand_mut("serve")
            .expect("serve")
            .render_help()
            .to_string();
        let at = serve
            .find("--max-calls-per-caller <N>")
            .expect("the flag is listed");
        let rest = &serve[at..];
        let end = rest.find("\n      --").unwrap_or(rest.len());
        rest[..end].to_owned()
    }

    /// The `--max-calls-per-caller` value `argv` resolves to.
    fn max_calls_parsed(cli: &Cli, argv: &[&str]) -> usize {
        let matches = cli
            .command("srv".to_owned())
            .try_get_matches_from(argv)
            .expect("parses");
        Args::from_arg_matches(&matches)
            .expect("common flags")
            .server
            .max_calls_per_caller
    }

    #[test]
    fn a_server_chooses_the_default_of_max_calls_per_caller_and_the_flag_still_wins() {
        let framework = Cli::new("srv", "1.0.0");
        assert!(
            max_calls_help(&framework).contains("[default: 16]"),
            "{}",
            max_calls_help(&framework)
        );
        assert_eq!(max_calls_parsed(&framework, &["srv", "serve"]), 16);
        let chosen = Cli::new("srv", "1.0.0").default_max_calls_per_caller(6);
        let help = max_calls_help(&chosen);
        assert!(
            help.contains("[default: 6]") && help.contains("MCP_MAX_CALLS_PER_CALLER"),
            "{help}"
        );
        assert_eq!(max_calls_parsed(&chosen, &["srv"]), 6);
        assert_eq!(max_calls_parsed(&chosen, &["srv", "serve"]), 6);
        assert_eq!(
            max_calls_parsed(&chosen, &["srv", "serve", "--max-calls-per-caller", "40"]),
            40
        );
        assert_eq!(
            max_calls_parsed(&chosen, &["srv", "--max-calls-per-caller", "1"]),
            1
        );
        assert!(
            chosen
                .command("srv".to_owned())
                .try_get_matches_from(["srv", "--max-calls-per-caller", "0"])
                .is_err(),
            "0 is still refused"
        );
    }

    #[test]
    #[should_panic(expected = "default_max_calls_per_caller must be at least 1")]
    fn a_chosen_default_of_zero_is_a_programming_error() {
        drop(Cli::new("srv", "1.0.0").default_max_calls_per_caller(0));
    }
}
