//! `casdoor sync`: push this server's scope manifest into a Casdoor application.
//!
//! Casdoor only grants the scopes an application lists (once its list is non-empty), so the list must
//! follow the code. Casdoor's admin API has no "update one field" call: `update-application` rewrites
//! every column from the body. A sync therefore reads the application, replaces the entries of
//! `scopes` (and of `customScopes`, which Casdoor's consent screen reads) that this server manages
//! (the names in its manifest), keeps the others unless pruning is asked for, and posts the whole
//! object back with every other byte exactly as read (see `application.rs` for how). Just before
//! writing it reads the application again and stops if anything else changed meanwhile, so an
//! admin's edit is never undone. Nothing is written when nothing changes or on a dry run, and any
//! failure before the write leaves the application untouched.
//!
//! The credentials are an application's client id and secret, which Casdoor treats as a full admin:
//! use them from a deployment pipeline, not from the running server. They are sent as HTTP Basic
//! credentials and never printed, logged or put in a URL.
//!
//! This file only declares the parts and re-exports them, so no part imports a file that imports it.

mod application;
mod client;
#[cfg(feature = "cli")]
mod command;
mod credentials;
mod error;
mod options;
mod plan;
mod report;
mod sync;

pub use credentials::{CLIENT_ID_ENV, CLIENT_SECRET_ENV, Credentials};
pub use error::{SyncError, SyncStep};
pub use options::SyncOptions;
pub use plan::ScopeChange;
pub use report::{SyncOutcome, SyncReport};
pub use sync::sync;

#[cfg(feature = "cli")]
pub(crate) use command::{CasdoorCommand, run as run_command};
