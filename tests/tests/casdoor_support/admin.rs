//! A loopback stand-in for Casdoor's admin API, shaped as `docs/casdoor.md` describes (replies wrapped
//! in `{"status","msg","data"}`, errors with HTTP 200).

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;

/// The client id and secret the fake accepts.
pub const CLIENT_ID: &str = "sync-client-id";
/// The secret of [`CLIENT_ID`]; tests check it never appears in any output.
pub const CLIENT_SECRET: &str = "sync-secret-7f3a9c";
/// The application the fake holds.
pub const APP_ID: &str = "admin/db-server";

/// The application object before the `scopes` value, as Go's encoding/json writes it: compact, keys in
/// struct order, `<`/`>`/`&` escaped, a masked secret, floats without a fraction, nested objects.
pub const APP_BEFORE_SCOPES: &str = concat!(
    r#"{"owner":"admin","name":"db-server","createdTime":"2026-11-20T09:14:03Z","displayName":"DB \u003cMCP\u003e \u0026 friends","#,
    r#""logo":"https://cdn.casbin.org/img/casdoor-logo_1185x256.png","homepageUrl":"","description":"Ünïcödé ✓ \"quoted\"","#,
    r#""organization":"built-in","cert":"cert-built-in","category":"Agent","type":"MCP","enablePassword":true,"#,
    r#""clientId":"0ba528121ea87b3eb54d","clientSecret":"***","redirectUris":["http://localhost:*","http://127.0.0.1:*"],"#,
    r#""grantTypes":["authorization_code","refresh_token"],"tokenFormat":"JWT","expireInHours":168,"refreshExpireInHours":168.5,"#,
    r#""providers":[{"owner":"","name":"provider_captcha_default","canSignUp":false,"rule":"None","provider":null}],"#,
    r#""signinMethods":[{"name":"Password","displayName":"Password","rule":"All"}],"tags":null,"#,
    r#""scopes":"#
);

/// The application's `scopes` before any sync: one managed entry with stale values and `tools: null`
/// (as Go writes a nil slice), and one entry the server does not declare.
pub const APP_SCOPES: &str = r#"[{"name":"db:query","displayName":"Query","description":"old text","tools":null},{"name":"legacy:read","displayName":"Legacy","description":"Kept by \u003cadmin\u003e","tools":[]}]"#;

/// The application object after the `scopes` value.
pub const APP_AFTER_SCOPES: &str = concat!(
    r#","customScopes":[{"scope":"db:query","displayName":"Query","description":"x"}],"#,
    r#""formCss":"\u003cstyle\u003e.login{color:red}\u003c/style\u003e","formOffset":2,"ratio":1e-7,"failedSigninLimit":5,"#,
    r#""CertObj":null}"#
);

/// How the fake answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// As Casdoor does when all is well.
    #[default]
    Normal,
    /// `{"status":"error"}` with HTTP 200 on the read.
    ErrorOnRead,
    /// `{"status":"error"}` with HTTP 200 on the update.
    ErrorOnUpdate,
    /// HTTP 401.
    Status401,
    /// HTTP 403.
    Status403,
    /// An HTML page with HTTP 200 (e.g. a proxy's login page).
    Html,
    /// `data: null` (no such application).
    NotFound,
    /// A permanent redirect (e.g. http to https).
    Redirect,
    /// A JSON reply without Casdoor's envelope.
    NoEnvelope,
    /// The update answers `Unaffected`.
    Unaffected,
}

/// What the fake saw and holds.
#[derive(Debug, Default)]
pub struct Recorded {
    /// The application object, as text.
    pub app: String,
    /// How many reads.
    pub gets: usize,
    /// Every update body, as received.
    pub posts: Vec<String>,
    /// Every `id` query parameter.
    pub ids: Vec<String>,
    /// Every `Authorization` header.
    pub authorizations: Vec<String>,
    /// How it answers.
    pub mode: Mode,
    /// An admin's edit: the application text that replaces `app` just before the second read.
    pub edit_before_second_read: Option<String>,
}

/// A running fake Casdoor.
pub struct FakeCasdoor {
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
    /// Its state.
    pub state: Arc<Mutex<Recorded>>,
}

impl FakeCasdoor {
    /// Starts a fake holding `app` (the application object text) and answering per `mode`.
    pub async fn start(app: String, mode: Mode) -> Self {
        let state = Arc::new(Mutex::new(Recorded {
            app,
            mode,
            ..Recorded::default()
        }));
        let router = Router::new()
            .route("/api/get-application", get(get_application))
            .route("/api/update-application", post(update_application))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Self { endpoint, state }
    }

    /// The fake with the default application (`APP_BEFORE_SCOPES` + `APP_SCOPES` + `APP_AFTER_SCOPES`).
    pub async fn with_default_app(mode: Mode) -> Self {
        Self::start(
            format!("{APP_BEFORE_SCOPES}{APP_SCOPES}{APP_AFTER_SCOPES}"),
            mode,
        )
        .await
    }

    /// A copy of what was recorded.
    pub fn posts(&self) -> Vec<String> {
        self.state.lock().unwrap().posts.clone()
    }

    /// How many reads.
    pub fn gets(&self) -> usize {
        self.state.lock().unwrap().gets
    }
}

#[derive(serde::Deserialize)]
struct IdQuery {
    id: Option<String>,
}

fn json(body: String) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response()
}

fn casdoor_error(msg: &str) -> Response {
    json(format!(
        r#"{{"status":"error","msg":"{msg}","data":null,"data2":null}}"#
    ))
}

/// Checks Basic credentials as Casdoor does for an application's client id and secret.
fn authorized(headers: &HeaderMap, recorded: &mut Recorded) -> bool {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    recorded.authorizations.push(value.clone());
    let expected =
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
    value == format!("Basic {expected}")
}

/// Failure modes shared by both calls; `None` when the call should proceed.
fn common_failure(mode: Mode) -> Option<Response> {
    match mode {
        Mode::Status401 => Some((StatusCode::UNAUTHORIZED, "Unauthorized").into_response()),
        Mode::Status403 => Some((StatusCode::FORBIDDEN, "Forbidden").into_response()),
        Mode::Redirect => Some(
            (
                StatusCode::PERMANENT_REDIRECT,
                [(
                    header::LOCATION,
                    "https://door.example.com/api/get-application",
                )],
            )
                .into_response(),
        ),
        Mode::NoEnvelope => Some(json(r#"{"owner":"admin","name":"db-server"}"#.into())),
        Mode::Html => Some(
            (
                [(header::CONTENT_TYPE, "text/html")],
                "<html><body>Sign in</body></html>",
            )
                .into_response(),
        ),
        _ => None,
    }
}

async fn get_application(
    State(state): State<Arc<Mutex<Recorded>>>,
    Query(q): Query<IdQuery>,
    headers: HeaderMap,
) -> Response {
    let mut recorded = state.lock().unwrap();
    recorded.gets += 1;
    if recorded.gets == 2
        && let Some(edited) = recorded.edit_before_second_read.take()
    {
        recorded.app = edited;
    }
    recorded.ids.push(q.id.clone().unwrap_or_default());
    if let Some(r) = common_failure(recorded.mode) {
        return r;
    }
    if !authorized(&headers, &mut recorded) {
        return casdoor_error("Unauthorized operation");
    }
    match recorded.mode {
        Mode::ErrorOnRead => casdoor_error("The application: admin/db-server is read-only for you"),
        Mode::NotFound => json(r#"{"status":"ok","msg":"","data":null,"data2":null}"#.into()),
        _ if q.id.as_deref() != Some(APP_ID) => {
            json(r#"{"status":"ok","msg":"","data":null,"data2":null}"#.into())
        }
        _ => json(format!(
            r#"{{"status":"ok","msg":"","data":{},"data2":null}}"#,
            recorded.app
        )),
    }
}

async fn update_application(
    State(state): State<Arc<Mutex<Recorded>>>,
    Query(q): Query<IdQuery>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let mut recorded = state.lock().unwrap();
    recorded.ids.push(q.id.clone().unwrap_or_default());
    if let Some(r) = common_failure(recorded.mode) {
        return r;
    }
    if !authorized(&headers, &mut recorded) {
        return casdoor_error("Unauthorized operation");
    }
    recorded.posts.push(body.clone());
    if recorded.mode == Mode::ErrorOnUpdate {
        return casdoor_error("failed to update: Data too long for column 'scopes'");
    }
    let parsed: Result<serde_json::Map<String, serde_json::Value>, _> = serde_json::from_str(&body);
    let Ok(object) = parsed else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "json: cannot unmarshal").into_response();
    };
    if object.get("name").and_then(|v| v.as_str()) != Some("db-server") {
        return casdoor_error("The application name cannot be changed");
    }
    if recorded.mode == Mode::Unaffected {
        return json(r#"{"status":"ok","msg":"","data":"Unaffected","data2":null}"#.into());
    }
    recorded.app = body;
    json(r#"{"status":"ok","msg":"","data":"Affected","data2":null}"#.into())
}
