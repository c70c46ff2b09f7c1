//! What "this machine" means wherever a host name decides trust: the `Origin` and `Host` checks of
//! the MCP endpoint, plain-http URLs to an authorization server, and the development authorization
//! server's loopback-only routes and redirect URIs. One definition, so those checks cannot drift
//! apart.

use std::net::IpAddr;

/// Whether `host` (a name or an IP address, without a port; IPv6 with or without its brackets)
/// names the local machine: `localhost` in any case, `127.0.0.0/8` or `::1`. Anything else,
/// including names that merely resolve to a loopback address, is not.
pub(crate) fn is_loopback_host(host: &str) -> bool {
    let host = host
        .strip_prefix('[')
        .and_then(|inner| inner.strip_suffix(']'))
        .unwrap_or(host);
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::is_loopback_host;

    #[test]
    fn loopback_names_and_addresses_are_this_machine() {
        for host in [
            "localhost",
            "LocalHost",
            "127.0.0.1",
            "127.9.8.7",
            "::1",
            "[::1]",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
    }

    #[test]
    fn other_hosts_and_look_alikes_are_not() {
        for host in [
            "",
            "example.com",
            "localhost.example.com",
            "localhost.",
            "127.0.0.1.nip.io",
            "10.0.0.1",
            "0.0.0.0",
            "::",
            "[::1",
            "::1]",
            "[[::1]]",
            "::ffff:8.8.8.8",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }
}
