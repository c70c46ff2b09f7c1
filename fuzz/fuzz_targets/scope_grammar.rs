#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mcp_scopes_fuzz::scope_grammar::check(data));
