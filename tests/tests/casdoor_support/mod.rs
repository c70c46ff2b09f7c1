//! Loopback stand-ins for Casdoor, shared by the `casdoor_*` test files (each uses part of it).

#![allow(dead_code, unreachable_pub, missing_docs)]

pub mod admin;
pub mod tokens;
