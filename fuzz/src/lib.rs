//! The checks behind each fuzz target, one module per target, so `fuzz_targets/*.rs` stay one line
//! and the checks are ordinary code clippy and the compiler see.
//!
//! Each check asserts invariants a user relies on (a forged token is never accepted, a read-only
//! token never changes the database, nothing outside the served directory is read), not only "no
//! panic": libFuzzer reports a failed assertion as a crash and saves the input under
//! `fuzz/artifacts/<target>/`.

pub mod challenge;
pub mod files_path;
pub mod jsonrpc;
pub mod scope_grammar;
pub mod sql_guard;
pub mod support;
pub mod token;
