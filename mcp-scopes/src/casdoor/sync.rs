//! The sync itself: check the options, read the application, plan both managed lists, read it again
//! just before writing, and write the whole object back only when nothing but those lists changed
//! meanwhile.

use serde_json::value::RawValue;

use super::application::{Application, Managed, NotAnApplication};
use super::client::{AdminClient, envelope};
use super::error::{SyncError, SyncStep};
use super::options::SyncOptions;
use super::plan::{self, Plan};
use super::report::{SyncOutcome, SyncReport};
use crate::manifest::{STANDARD_OIDC_SCOPES, check_casdoor_scopes};

/// Reads the application, plans the new `scopes` (and `customScopes`), and writes the whole object
/// back when it changed (not on a dry run). See the module docs.
pub async fn sync(options: &SyncOptions) -> Result<SyncReport, SyncError> {
    let endpoint = checked_endpoint(&options.endpoint)?;
    let id = options.application.as_str();
    match id.split_once('/') {
        Some((owner, name)) if !owner.is_empty() && !name.is_empty() && !name.contains('/') => {}
        _ => return Err(SyncError::InvalidApplication(id.to_owned())),
    }
    if !options.credentials.is_complete() {
        return Err(SyncError::MissingCredentials);
    }
    check_casdoor_scopes(
        options
            .scopes
            .iter()
            .map(|s| (s.name.as_str(), s.description.as_str())),
    )?;

    let client = AdminClient::new(&endpoint, &options.credentials, options.timeout)?;
    let first_text = read(&client, id).await?;
    let first = Application::parse(first_text.get()).map_err(malformed)?;
    let mut plans = plan_all(&first, options, id)?;
    let outcome = if !plans.has_changes() {
        SyncOutcome::UpToDate
    } else if options.dry_run {
        SyncOutcome::DryRun
    } else {
        // The whole object is written back: read it again so a change made since the first read is
        // neither undone nor silently overwritten.
        let latest_text = read(&client, id).await?;
        let latest = Application::parse(latest_text.get()).map_err(malformed)?;
        let fields = first.other_changes(&latest).map_err(malformed)?;
        if !fields.is_empty() {
            return Err(SyncError::ChangedMeanwhile {
                application: id.to_owned(),
                fields,
            });
        }
        // Only the managed lists may have moved: plan again on what is there now.
        plans = plan_all(&latest, options, id)?;
        if plans.has_changes() {
            write(&client, id, latest.with_values(&plans.values())).await?
        } else {
            SyncOutcome::UpToDate
        }
    };
    let warnings = oidc_warning(&plans.scopes).into_iter().collect();
    tracing::info!(
        application = id,
        outcome = ?outcome,
        changes = plans.change_count(),
        "casdoor scope sync"
    );
    Ok(SyncReport {
        application: id.to_owned(),
        changes: plans.scopes.changes,
        custom_scope_changes: plans.custom.map(|p| p.changes).unwrap_or_default(),
        outcome,
        warnings,
    })
}

/// The plans of both managed lists (`customScopes` only when asked for).
struct Plans {
    scopes: Plan,
    custom: Option<Plan>,
}

impl Plans {
    fn has_changes(&self) -> bool {
        self.change_count() > 0
    }

    fn change_count(&self) -> usize {
        let count = |plan: &Plan| plan.changes.iter().filter(|c| c.is_change()).count();
        count(&self.scopes) + self.custom.as_ref().map_or(0, count)
    }

    /// The new JSON of each list that changes.
    fn values(&self) -> Vec<(Managed, &str)> {
        [
            Some((Managed::Scopes, &self.scopes)),
            self.custom.as_ref().map(|p| (Managed::CustomScopes, p)),
        ]
        .into_iter()
        .flatten()
        .filter(|(_, plan)| plan.has_changes())
        .map(|(field, plan)| (field, plan.scopes_json.as_str()))
        .collect()
    }
}

fn plan_all(app: &Application<'_>, options: &SyncOptions, id: &str) -> Result<Plans, SyncError> {
    let existing = app.entries(Managed::Scopes).map_err(malformed)?;
    let scopes = plan::plan(Managed::Scopes, &existing, &options.scopes, options.prune);
    if !existing.is_empty() && scopes.is_empty() {
        return Err(SyncError::WouldEmptyScopes(id.to_owned()));
    }
    let custom = if options.custom_scopes {
        let existing = app.entries(Managed::CustomScopes).map_err(malformed)?;
        Some(plan::plan(
            Managed::CustomScopes,
            &existing,
            &options.scopes,
            options.prune,
        ))
    } else {
        None
    };
    Ok(Plans { scopes, custom })
}

fn malformed(e: NotAnApplication) -> SyncError {
    SyncError::Malformed {
        action: SyncStep::Read,
        reason: e.0,
    }
}

/// `get-application`: the application object as Casdoor sent it.
async fn read(client: &AdminClient<'_>, id: &str) -> Result<Box<RawValue>, SyncError> {
    let reply = client.get_application(id).await?;
    envelope(&reply, SyncStep::Read, id)?
        .data
        .filter(|d| d.get() != "null")
        .map(RawValue::to_owned)
        .ok_or_else(|| SyncError::NotFound(id.to_owned()))
}

/// `update-application` with the whole object.
async fn write(client: &AdminClient<'_>, id: &str, body: String) -> Result<SyncOutcome, SyncError> {
    let reply = client.update_application(id, body).await?;
    let result = envelope(&reply, SyncStep::Update, id)?;
    match result.data.map(RawValue::get) {
        Some("\"Affected\"") => Ok(SyncOutcome::Written),
        Some("\"Unaffected\"") => Err(SyncError::Unaffected(id.to_owned())),
        other => Err(SyncError::Malformed {
            action: SyncStep::Update,
            reason: format!(
                "`data` is {}, not \"Affected\" or \"Unaffected\"",
                other.unwrap_or("absent")
            ),
        }),
    }
}

/// The warning when a non-empty `scopes` will lack the OIDC scopes clients ask for.
fn oidc_warning(plan: &Plan) -> Option<String> {
    let missing: Vec<&str> = STANDARD_OIDC_SCOPES
        .iter()
        .map(|(name, _, _)| *name)
        .filter(|name| !plan.resulting_names.contains(*name))
        .collect();
    (!plan.resulting_names.is_empty() && !missing.is_empty()).then(|| {
        format!(
            "the application will not list {}: Casdoor refuses a requested scope missing from a non-empty list, so clients asking for these will fail (add them with --oidc-scopes)",
            missing.join(", ")
        )
    })
}

/// The endpoint as an origin (plus an optional path prefix) without a trailing slash.
fn checked_endpoint(endpoint: &str) -> Result<String, SyncError> {
    let invalid =
        || SyncError::InvalidEndpoint(crate::outbound_http::without_credentials(endpoint));
    let url = reqwest::Url::parse(endpoint).map_err(|_| invalid())?;
    let usable = matches!(url.scheme(), "http" | "https")
        && url.host().is_some()
        && url.username().is_empty()
        && url.password().is_none()
        && url.query().is_none()
        && url.fragment().is_none();
    if !usable {
        return Err(invalid());
    }
    if crate::outbound_http::transport_problem(&url).is_some() {
        return Err(SyncError::InsecureEndpoint(url.as_str().to_owned()));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_origins() {
        assert_eq!(
            checked_endpoint("https://door.example.com/").unwrap(),
            "https://door.example.com"
        );
        assert_eq!(
            checked_endpoint("http://127.0.0.1:8000/casdoor/").unwrap(),
            "http://127.0.0.1:8000/casdoor"
        );
        for bad in [
            "door.example.com",
            "ftp://door.example.com",
            "https://user:pw@door.example.com",
            "https://door.example.com/?x=1",
        ] {
            let err = checked_endpoint(bad).expect_err(bad);
            assert!(
                matches!(err, SyncError::InvalidEndpoint(_)),
                "{bad}: {err:?}"
            );
            assert!(!err.to_string().contains("pw@"), "{bad}: {err}");
        }
        assert_eq!(
            checked_endpoint("http://localhost:8000").unwrap(),
            "http://localhost:8000"
        );
        for clear in ["http://door.example.com", "http://10.0.0.7:8000/"] {
            let err = checked_endpoint(clear).unwrap_err();
            assert!(matches!(err, SyncError::InsecureEndpoint(_)), "{clear}");
            assert!(err.to_string().contains("use https"), "{err}");
        }
    }
}
