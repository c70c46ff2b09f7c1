//! Loopback stand-ins for Casdoor, shared by the `casdoor_*` test files (each uses part of it):
//! `admin` (its admin API, for `casdoor sync`), `sync_input` (the manifest and options given to
//! it), `certs` (its signing keys, JWKS and signatures), `tokens` (the claims of its access-token
//! formats) and `discovery` (a loopback Casdoor serving the JWKS and discovery documents).

#![allow(dead_code, unreachable_pub, missing_docs)]

pub mod admin;
pub mod certs;
pub mod discovery;
pub mod sync_input;
pub mod tokens;
