//! What a sync did: the outcome and every entry's fate ([`SyncReport`]), whose `Display` is the
//! readable diff the CLI prints.

use std::fmt;

use super::plan::ScopeChange;

/// What a sync did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncOutcome {
    /// The application already listed the manifest; nothing was written.
    UpToDate,
    /// Changes were found and not written ([`SyncOptions::dry_run`](super::SyncOptions::dry_run)).
    DryRun,
    /// The application was updated.
    Written,
}

/// The result of a sync: every entry's fate, what was done, and warnings. Its `Display` is the
/// readable diff the CLI prints.
#[derive(Debug, Clone)]
pub struct SyncReport {
    /// The application id.
    pub application: String,
    /// One entry per scope of the application's `scopes` before or after.
    pub changes: Vec<ScopeChange>,
    /// The same for `customScopes` (empty when [`SyncOptions::custom_scopes`](super::SyncOptions::custom_scopes) is off).
    pub custom_scope_changes: Vec<ScopeChange>,
    /// What was done.
    pub outcome: SyncOutcome,
    /// Things the operator should know (e.g. OIDC scopes that Casdoor will now refuse).
    pub warnings: Vec<String>,
}

impl SyncReport {
    /// Whether the application differs (or differed) from the manifest.
    pub fn has_changes(&self) -> bool {
        self.change_count() > 0
    }

    fn change_count(&self) -> usize {
        self.changes
            .iter()
            .chain(&self.custom_scope_changes)
            .filter(|c| c.is_change())
            .count()
    }
}

impl fmt::Display for SyncReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.change_count();
        writeln!(f, "Casdoor application {}: scopes", self.application)?;
        for change in &self.changes {
            writeln!(f, "{change}")?;
        }
        if !self.custom_scope_changes.is_empty() {
            writeln!(f, "customScopes (the consent screen)")?;
            for change in &self.custom_scope_changes {
                writeln!(f, "{change}")?;
            }
        }
        for warning in &self.warnings {
            writeln!(f, "warning: {warning}")?;
        }
        match self.outcome {
            SyncOutcome::UpToDate => write!(f, "Up to date: nothing to write."),
            SyncOutcome::DryRun => write!(f, "Dry run: {count} change(s), nothing written."),
            SyncOutcome::Written => write!(f, "Updated: {count} change(s) written."),
        }
    }
}
