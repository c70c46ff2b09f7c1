//! Run with: cargo run -p mcp-scopes --example notes --features cli
//!
//! The README's "Writing a server" example, verbatim (a test checks that they agree): a notes
//! server with two scopes, three tools, a resource template, a prompt and shared state, in development mode through `Cli`.

use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use mcp_scopes::cli::Cli;
use mcp_scopes::prompt::PromptMessage;
use mcp_scopes::server::McpServer;
use mcp_scopes::tool::{Args, State, Structured};
use mcp_scopes::{prompt, resource, scope, tool};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Read notes.
#[scope(name = "notes:read", display_name = "Read notes", baseline)]
pub struct NotesRead;

/// Write and delete notes (includes reading them).
#[scope(name = "notes:write", display_name = "Write notes", implies = [NotesRead])]
pub struct NotesWrite;

/// The notes, shared by every call: state must be `Clone + Send + Sync`, so wrap it in `Arc`.
type Notes = Arc<Mutex<Vec<String>>>;

#[derive(Deserialize, JsonSchema)]
struct SearchInput {
    /// Words the note must contain.
    text: String,
}

#[derive(Deserialize, JsonSchema)]
struct AddInput {
    /// The note's text.
    text: String,
}

#[derive(Serialize, JsonSchema)]
struct Found {
    notes: Vec<String>,
}

/// Finds the notes that contain the given words.
#[tool(scope = NotesRead, read_only)]
async fn search_notes(
    State(notes): State<Notes>,
    Args(input): Args<SearchInput>,
) -> Structured<Found> {
    let notes = notes
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let found = notes
        .iter()
        .filter(|n| n.contains(&input.text))
        .cloned()
        .collect();
    Structured(Found { notes: found })
}

/// Adds a note.
#[tool(scope = NotesWrite)]
async fn add_note(State(notes): State<Notes>, Args(input): Args<AddInput>) -> String {
    let mut notes = notes
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    notes.push(input.text);
    format!("{} notes", notes.len())
}

/// Deletes every note. This cannot be undone.
#[tool(scope = NotesWrite, destructive)]
async fn delete_all_notes(State(notes): State<Notes>) -> String {
    notes
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clear();
    "deleted".to_owned()
}

/// One note by its number, as plain text (`notes://1` is the first).
#[resource(uri_template = "notes://{number}", scope = NotesRead, mime_type = "text/plain")]
async fn note(number: usize, State(notes): State<Notes>) -> Result<String, String> {
    let notes = notes
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    number
        .checked_sub(1)
        .and_then(|i| notes.get(i).cloned())
        .ok_or_else(|| format!("there is no note {number}"))
}

#[derive(Deserialize, JsonSchema)]
struct SummaryInput {
    /// The topic to summarize the notes about.
    topic: String,
}

/// Asks the model to summarize the notes about a topic.
#[prompt(scope = NotesRead)]
async fn summarize(Args(input): Args<SummaryInput>) -> PromptMessage {
    PromptMessage::user(format!(
        "Search my notes for \"{}\" and summarize what they say.",
        input.topic
    ))
}

#[tokio::main]
async fn main() -> ExitCode {
    // `serve` (the default), `token`, `manifest` and `casdoor sync`; without --issuer or --casdoor
    // it runs in development mode on http://127.0.0.1:8080/mcp with a key in ./notes-data.
    Cli::new("notes", env!("CARGO_PKG_VERSION"))
        .run(|_ctx| {
            let notes: Notes = Arc::default();
            Ok(McpServer::builder().info("notes", "1.0.0").state(notes))
        })
        .await
}

#[test]
fn tools_and_scopes_are_consistent() {
    mcp_scopes::registry::Registry::assert_collected_is_valid();
}
