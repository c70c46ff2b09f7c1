//! The two admin API calls a sync needs, with Casdoor's reply conventions turned into typed errors.
//!
//! Casdoor answers most failures with HTTP 200 and `{"status":"error","msg":"…"}`, so every reply is
//! judged by its envelope, not only by its status code.

use std::time::Duration;

use super::application::Envelope;
use super::credentials::Credentials;
use super::error::{SyncError, SyncStep};
use crate::outbound_http::causes;

/// The largest reply read from Casdoor; an application object is a few tens of KiB.
const MAX_REPLY_BYTES: usize = 8 * 1024 * 1024;

pub(crate) struct AdminClient<'a> {
    http: reqwest::Client,
    endpoint: &'a str,
    credentials: &'a Credentials,
}

impl<'a> AdminClient<'a> {
    pub(crate) fn new(
        endpoint: &'a str,
        credentials: &'a Credentials,
        timeout: Duration,
    ) -> Result<Self, SyncError> {
        let http = reqwest::Client::builder()
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| SyncError::Unreachable {
                endpoint: endpoint.to_owned(),
                reason: causes(&e),
            })?;
        Ok(Self {
            http,
            endpoint,
            credentials,
        })
    }

    /// `GET /api/get-application?id=…`: the raw reply text.
    pub(crate) async fn get_application(&self, id: &str) -> Result<String, SyncError> {
        let request = self.http.get(self.url("get-application", id)?);
        self.send(request, SyncStep::Read, id).await
    }

    /// `POST /api/update-application?id=…` with the whole object.
    pub(crate) async fn update_application(
        &self,
        id: &str,
        body: String,
    ) -> Result<String, SyncError> {
        let request = self
            .http
            .post(self.url("update-application", id)?)
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(body);
        self.send(request, SyncStep::Update, id).await
    }

    /// `<endpoint>/api/<call>?id=<id>`, the id percent-encoded.
    fn url(&self, call: &str, id: &str) -> Result<reqwest::Url, SyncError> {
        let mut url = reqwest::Url::parse(&format!("{}/api/{call}", self.endpoint))
            .map_err(|_| SyncError::InvalidEndpoint(self.endpoint.to_owned()))?;
        url.query_pairs_mut().append_pair("id", id);
        Ok(url)
    }

    async fn send(
        &self,
        request: reqwest::RequestBuilder,
        action: SyncStep,
        id: &str,
    ) -> Result<String, SyncError> {
        let unreachable = |e: &reqwest::Error| SyncError::Unreachable {
            endpoint: self.endpoint.to_owned(),
            reason: causes(e),
        };
        let mut response = request
            .basic_auth(
                &self.credentials.client_id,
                Some(&self.credentials.client_secret),
            )
            .header(http::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| unreachable(&e))?;
        let status = response.status();
        if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
            return Err(SyncError::Refused {
                status: status.as_u16(),
                action,
                application: id.to_owned(),
            });
        }
        if !status.is_success() {
            return Err(SyncError::HttpStatus {
                status: status.as_u16(),
                action,
                hint: if status.is_redirection() {
                    // Not followed: a POST turned into a GET, or credentials sent to another host.
                    " (a redirect, not followed: give the endpoint it points to)"
                } else {
                    ""
                },
            });
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| unreachable(&e))? {
            if body.len() + chunk.len() > MAX_REPLY_BYTES {
                return Err(SyncError::Malformed {
                    action,
                    reason: format!("the reply is larger than {MAX_REPLY_BYTES} bytes"),
                });
            }
            body.extend_from_slice(&chunk);
        }
        String::from_utf8(body).map_err(|_| SyncError::Malformed {
            action,
            reason: "the reply is not UTF-8".into(),
        })
    }
}

/// Parses a reply envelope and turns `"status":"error"` into an error.
pub(crate) fn envelope<'t>(
    text: &'t str,
    action: SyncStep,
    id: &str,
) -> Result<Envelope<'t>, SyncError> {
    let envelope: Envelope<'t> = serde_json::from_str(text).map_err(|e| SyncError::Malformed {
        action,
        reason: format!("the reply is not a Casdoor JSON reply ({e})"),
    })?;
    match envelope.status.as_deref() {
        Some("ok") => Ok(envelope),
        Some("error") => Err(SyncError::Casdoor {
            action,
            application: id.to_owned(),
            message: envelope.msg.unwrap_or_default(),
        }),
        Some(other) => Err(SyncError::Malformed {
            action,
            reason: format!("the reply's `status` is {other:?}, not \"ok\" or \"error\""),
        }),
        None => Err(SyncError::Malformed {
            action,
            reason: "the reply has no `status`; is the endpoint a Casdoor server?".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let shown = format!("{:?}", Credentials::new("app-id", "s3cr3t-value"));
        assert!(shown.contains("app-id"), "{shown}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
    }
}
