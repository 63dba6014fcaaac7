//! Test harness: the real server over a fresh database (SQLite in a temporary directory, or a new
//! PostgreSQL database under `MEDSYS_TEST_POSTGRES_URL`, mandatory when `CI` is set), with the
//! accounts the suite needs, and a proxy that can make it answer wrongly.

use std::{
    collections::BTreeSet,
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use axum::{
    Router,
    body::{Body, Bytes},
    extract::State,
    http::{HeaderMap, Method, Request, Response, StatusCode, Uri},
};
use medsys_conformance::{Api, Credentials, Options};
use medsys_server::{
    app::{self, RunningServer},
    config::Config,
    db::{Db, now_unix},
    procurement::{domain::Role, setup, token},
};
use serde_json::Value;
use sqlx::{Connection, Executor, PgConnection};

pub const ADMIN: (&str, &str) = ("conf-admin", "Conf-admin-pass-1");
pub const CLERK: (&str, &str) = ("conf-clerk", "Conf-clerk-pass-1");
pub const RETIRED: (&str, &str) = ("conf-retired", "Conf-retired-pass-1");

/// The procurement admin the suite is given.
pub const PROCUREMENT_ADMIN: (&str, &str) = ("10000000001", "Conf-proc-admin-1");
/// Procurement accounts no API operation can create or put in their state.
pub const DISABLED: (&str, &str) = ("10000000002", "Conf-disabled-1");
pub const EXPIRED: (&str, &str) = ("10000000003", "Conf-expired-1");
pub const PASSWORD_EXPIRED: (&str, &str) = ("10000000004", "Conf-old-pass-1");
/// Logs in, then is disabled: its token is live but its account is not.
pub const OFFLINE: (&str, &str) = ("10000000005", "Conf-offline-1");

/// The server's token secret in these tests, so that a test can sign an expired token.
pub const JWT_SECRET: &str = "conformance-tests-secret-0123456789abcdef";

/// The token lifetime of the test server: 602 s puts every token in the refresh window (less
/// than 10 minutes left) two seconds after it is issued, so the whole run works with tokens that
/// are refreshed on almost every answer, and the refresh scenario waits seconds, not minutes.
pub const JWT_TTL_SECS: u64 = 602;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A running server over its own database; [`Target::stop`] removes both.
pub struct Target {
    pub base_url: String,
    /// A well-signed token past its expiry, and the live token of an account disabled since.
    pub expired_token: String,
    pub offline_token: String,
    server: RunningServer,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

fn random_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    format!("medsys_conf_{:x}_{}", nanos, std::process::id())
}

impl Target {
    /// Starts the server, or answers `None` when PostgreSQL is asked for but not configured
    /// outside CI.
    pub async fn start(backend: Backend) -> Option<Target> {
        Target::start_seeded(backend, None).await
    }

    /// Starts the server over a database that already holds `rows` rows of unrelated data per
    /// large table (the benchmark's seed: customers, medicines, orders of both APIs, notices,
    /// users of ten departments), or over an empty one.
    pub async fn start_seeded(backend: Backend, rows: Option<i64>) -> Option<Target> {
        let (url, dir, postgres) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("medsys.db").display()
                );
                (url, Some(dir), None)
            }
            Backend::Postgres => {
                let Ok(admin_url) = std::env::var("MEDSYS_TEST_POSTGRES_URL") else {
                    assert!(
                        std::env::var_os("CI").is_none(),
                        "MEDSYS_TEST_POSTGRES_URL must be set in CI: the PostgreSQL run is never skipped there"
                    );
                    eprintln!("skipping the PostgreSQL run: MEDSYS_TEST_POSTGRES_URL is not set");
                    return None;
                };
                let name = random_name();
                let mut conn = PgConnection::connect(&admin_url)
                    .await
                    .expect("connect to MEDSYS_TEST_POSTGRES_URL");
                conn.execute(format!("CREATE DATABASE {name}").as_str())
                    .await
                    .expect("create the test database");
                drop(conn.close().await);
                let (base, query) = match admin_url.split_once('?') {
                    Some((base, query)) => (base, Some(query)),
                    None => (admin_url.as_str(), None),
                };
                let base = base.rsplit_once('/').map_or(base, |(head, _)| head);
                let url = match query {
                    Some(query) => format!("{base}/{name}?{query}"),
                    None => format!("{base}/{name}"),
                };
                (url, None, Some((admin_url.clone(), name)))
            }
        };
        if let Some(rows) = rows {
            medsys_bench::seed::seed(&url, rows)
                .await
                .expect("seed the database with unrelated data");
        }
        let mut config = Config::for_database(url);
        config.jwt_secret = Some(JWT_SECRET.to_owned());
        config.jwt_ttl = std::time::Duration::from_secs(JWT_TTL_SECS);
        let server = app::start(config).await.expect("start medsys-server");
        medsys_server::admin::create_mgr_admin(server.db(), ADMIN.0, ADMIN.1)
            .await
            .expect("create the mgr admin");
        // Accounts no API operation can create, for signin/not_admin and signin/inactive.
        for (user, password, superuser, active) in [
            (CLERK.0, CLERK.1, false, true),
            (RETIRED.0, RETIRED.1, true, false),
        ] {
            let hash = medsys_server::password::hash(password.to_owned())
                .await
                .expect("hash");
            medsys_server::mgr::store::create_account(server.db(), user, &hash, superuser, active)
                .await
                .expect("create an account");
        }
        let base_url = format!("http://{}", server.local_addr);
        let (expired_token, offline_token) = procurement_accounts(server.db(), &base_url).await;
        Some(Target {
            base_url,
            expired_token,
            offline_token,
            server,
            _dir: dir,
            postgres,
        })
    }

    /// Options for a mgr run against `base_url` with every account the suite can use.
    pub fn mgr_options(base_url: &str) -> Options {
        let mut options = Options::new(base_url, vec![medsys_conformance::Api::Mgr]);
        options.mgr_admin = Some(credentials(ADMIN));
        options.mgr_non_admin = Some(credentials(CLERK));
        options.mgr_inactive = Some(credentials(RETIRED));
        options.request_timeout = std::time::Duration::from_secs(20);
        options.overall_timeout = std::time::Duration::from_secs(300);
        options
    }

    /// Options for a run of `apis` against `base_url` with every account and token the suite
    /// can use.
    pub fn options(&self, base_url: &str, apis: Vec<Api>) -> Options {
        let mut options = Target::mgr_options(base_url);
        options.apis = apis;
        options.procurement_admin = Some(credentials(PROCUREMENT_ADMIN));
        options.procurement_disabled = Some(credentials(DISABLED));
        options.procurement_expired = Some(credentials(EXPIRED));
        options.procurement_password_expired = Some(credentials(PASSWORD_EXPIRED));
        options.procurement_expired_token = Some(self.expired_token.clone());
        options.procurement_offline_token = Some(self.offline_token.clone());
        options
    }

    /// The server's database, for checks of what a run left.
    pub fn db(&self) -> &Db {
        self.server.db()
    }

    /// How many rows `sql` (a `SELECT COUNT(*) ...`) counts.
    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(&mut *self.db().pool().acquire().await.expect("a connection"))
            .await
            .unwrap_or_else(|error| panic!("{sql}: {error}"))
    }

    /// The arguments that give the binary every account and token (the expired token through
    /// its environment variable instead, see [`Target::env`]).
    pub fn binary_args(&self, base_url: &str, api: &str) -> Vec<String> {
        let pair = |(user, password): (&str, &str)| format!("{user}:{password}");
        vec![
            "--base-url".to_owned(),
            base_url.to_owned(),
            "--api".to_owned(),
            api.to_owned(),
            "--mgr-admin".to_owned(),
            pair(ADMIN),
            "--mgr-non-admin".to_owned(),
            pair(CLERK),
            "--mgr-inactive".to_owned(),
            pair(RETIRED),
            "--procurement-admin".to_owned(),
            pair(PROCUREMENT_ADMIN),
            "--procurement-disabled".to_owned(),
            pair(DISABLED),
            "--procurement-expired".to_owned(),
            pair(EXPIRED),
            "--procurement-password-expired".to_owned(),
            pair(PASSWORD_EXPIRED),
            "--procurement-offline-token".to_owned(),
            self.offline_token.clone(),
        ]
    }

    /// The environment that gives the binary the expired token.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![(
            "MEDSYS_PROCUREMENT_EXPIRED_TOKEN".to_owned(),
            self.expired_token.clone(),
        )]
    }

    pub async fn stop(self) {
        self.server.stop().await.expect("stop the server");
        if let Some((admin_url, name)) = self.postgres
            && let Ok(mut conn) = PgConnection::connect(&admin_url).await
        {
            let dropped = conn
                .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                .await;
            if let Err(error) = dropped {
                eprintln!("could not drop test database {name}: {error}");
            }
            drop(conn.close().await);
        }
    }
}

/// Creates the procurement admin and the accounts in states no API operation produces
/// (disabled, expired, password too old, disabled after logging in), with the server's own
/// `admin create-user` path and SQL for the states; answers an expired token and the live token
/// of the account disabled after it logged in.
async fn procurement_accounts(db: &Db, base_url: &str) -> (String, String) {
    for ((user, password), role) in [
        (PROCUREMENT_ADMIN, "管理员"),
        (DISABLED, "普通用户"),
        (EXPIRED, "普通用户"),
        (PASSWORD_EXPIRED, "普通用户"),
        (OFFLINE, "普通用户"),
    ] {
        setup::create_user(db, user, "一致性测试", role, "办公室", password)
            .await
            .expect("create a procurement user");
    }
    let now = now_unix();
    for (sql, user, value) in [
        (
            "UPDATE procurement_user SET is_active = $2 WHERE id = $1",
            DISABLED.0,
            0,
        ),
        (
            "UPDATE procurement_user SET expires_at = $2 WHERE id = $1",
            EXPIRED.0,
            now - 86_400,
        ),
        (
            "UPDATE procurement_user SET password_changed_at = $2 WHERE id = $1",
            PASSWORD_EXPIRED.0,
            now - 400 * 86_400,
        ),
    ] {
        sqlx::query(sql)
            .bind(user)
            .bind(value)
            .execute(&mut *db.pool().acquire().await.expect("a connection"))
            .await
            .expect("put an account in its state");
    }
    let login = reqwest::Client::new()
        .post(format!("{base_url}/user/login"))
        .json(&serde_json::json!({"username": OFFLINE.0, "password": OFFLINE.1}))
        .send()
        .await
        .expect("log the offline account in");
    let offline = login
        .headers()
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .expect("a token for the offline account")
        .to_owned();
    sqlx::query("UPDATE procurement_user SET is_active = 0 WHERE id = $1")
        .bind(OFFLINE.0)
        .execute(&mut *db.pool().acquire().await.expect("a connection"))
        .await
        .expect("disable the offline account");
    let expired = token::issue(JWT_SECRET, OFFLINE.0, Role::Applicant, -60, now)
        .expect("sign an expired token");
    (format!("Bearer {}", expired.jwt), offline)
}

pub fn credentials((user, password): (&str, &str)) -> Credentials {
    Credentials {
        user: user.to_owned(),
        password: password.to_owned(),
    }
}

/// How the proxy falsifies an answer: it gets the request's method and path and the upstream's
/// status, headers and JSON body (when the body is JSON), and may change any of them.
pub type Mutation =
    dyn Fn(&Method, &str, &mut StatusCode, &mut HeaderMap, &mut Option<Value>) + Send + Sync;

/// How a lying deployment treats a request before (or instead of) forwarding it: it may
/// rewrite the JSON body it forwards, or answer this JSON itself without forwarding.
pub type RequestLie = dyn Fn(&Method, &str, &mut Option<Value>) -> Option<Value> + Send + Sync;

/// How a lying deployment rewrites an answer that is not JSON (a downloaded file).
pub type RawLie = dyn Fn(&Method, &str, &mut Vec<u8>) + Send + Sync;

/// Everything a proxy may do besides forwarding.
#[derive(Default)]
pub struct Lies {
    pub answer: Option<Box<Mutation>>,
    pub request: Option<Box<RequestLie>>,
    pub raw: Option<Box<RawLie>>,
    /// Collects every session id, token and password that crosses the proxy.
    pub secrets: Option<Arc<Mutex<BTreeSet<String>>>>,
}

struct ProxyState {
    upstream: String,
    client: reqwest::Client,
    lies: Lies,
}

/// A proxy in front of `upstream` that applies `mutate` to every answer; answers its address.
pub async fn proxy(upstream: &str, mutate: Box<Mutation>) -> SocketAddr {
    proxy_with(
        upstream,
        Lies {
            answer: Some(mutate),
            ..Lies::default()
        },
    )
    .await
}

/// A proxy in front of `upstream` that lies as `lies` says; answers its address.
pub async fn proxy_with(upstream: &str, lies: Lies) -> SocketAddr {
    let state = Arc::new(ProxyState {
        upstream: upstream.to_owned(),
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        lies,
    });
    let app = Router::new().fallback(forward).with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the proxy");
    let addr = listener.local_addr().expect("proxy address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

async fn forward(State(state): State<Arc<ProxyState>>, request: Request<Body>) -> Response<Body> {
    let method = request.method().clone();
    let uri: Uri = request.uri().clone();
    let headers = request.headers().clone();
    let mut body: Bytes = axum::body::to_bytes(request.into_body(), usize::MAX)
        .await
        .unwrap_or_default();
    if let Some(secrets) = &state.lies.secrets {
        collect_secrets(secrets, &headers, &body);
    }
    if let Some(lie) = &state.lies.request {
        let mut json: Option<Value> = serde_json::from_slice(&body).ok();
        let was = json.clone();
        if let Some(answer) = lie(&method, uri.path(), &mut json) {
            let mut response =
                Response::new(Body::from(serde_json::to_vec(&answer).expect("json")));
            response.headers_mut().insert(
                "content-type",
                axum::http::HeaderValue::from_static("application/json"),
            );
            return response;
        }
        if json != was
            && let Some(value) = json
        {
            body = Bytes::from(serde_json::to_vec(&value).expect("json"));
        }
    }
    let path_and_query = uri.path_and_query().map_or("/", |p| p.as_str());
    let mut outgoing = state.client.request(
        reqwest::Method::from_bytes(method.as_str().as_bytes()).expect("method"),
        format!("{}{path_and_query}", state.upstream),
    );
    for (name, value) in &headers {
        if name != "host" && name != "content-length" {
            outgoing = outgoing.header(name.as_str(), value.as_bytes());
        }
    }
    let answer = outgoing.body(body).send().await.expect("upstream answers");
    let mut status = StatusCode::from_u16(answer.status().as_u16()).expect("status");
    let mut answer_headers = HeaderMap::new();
    for (name, value) in answer.headers() {
        if name != "content-length"
            && name != "transfer-encoding"
            && let (Ok(name), Ok(value)) = (
                axum::http::HeaderName::from_bytes(name.as_str().as_bytes()),
                axum::http::HeaderValue::from_bytes(value.as_bytes()),
            )
        {
            answer_headers.append(name, value);
        }
    }
    let mut bytes = answer.bytes().await.unwrap_or_default().to_vec();
    if let Some(secrets) = &state.lies.secrets {
        let mut seen = secrets.lock().expect("secrets");
        for value in answer_headers
            .get_all("set-cookie")
            .iter()
            .chain(answer_headers.get_all("authorization"))
            .filter_map(|value| value.to_str().ok())
        {
            seen.extend(secret_parts(value));
        }
    }
    let mut json: Option<Value> = serde_json::from_slice(&bytes).ok();
    if let Some(mutate) = &state.lies.answer {
        mutate(
            &method,
            uri.path(),
            &mut status,
            &mut answer_headers,
            &mut json,
        );
    }
    if json.is_none()
        && let Some(lie) = &state.lies.raw
    {
        lie(&method, uri.path(), &mut bytes);
    }
    let body = match json {
        Some(value) => Body::from(serde_json::to_vec(&value).expect("json")),
        None => Body::from(bytes),
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = answer_headers;
    response
}

/// The session id or token inside a `Cookie`, `Set-Cookie` or `Authorization` value.
fn secret_parts(value: &str) -> Vec<String> {
    let mut parts = Vec::new();
    if let Some(token) = value.strip_prefix("Bearer ")
        && token.starts_with("eyJ")
    {
        parts.push(token.to_owned());
    }
    for pair in value.split(';') {
        if let Some(id) = pair.trim().strip_prefix("sessionid=")
            && !id.is_empty()
        {
            parts.push(id.to_owned());
        }
    }
    parts
}

/// Records the session ids, tokens and passwords a request carries.
fn collect_secrets(secrets: &Mutex<BTreeSet<String>>, headers: &HeaderMap, body: &[u8]) {
    let mut seen = secrets.lock().expect("secrets");
    for name in ["cookie", "authorization"] {
        for value in headers.get_all(name).iter().filter_map(|v| v.to_str().ok()) {
            seen.extend(secret_parts(value));
        }
    }
    // The custom header the secret-scan test sends with --header.
    if let Some(key) = headers.get("x-gateway-key").and_then(|v| v.to_str().ok()) {
        seen.insert(key.to_owned());
    }
    let fields = ["password", "oldPassword", "newPassword"];
    if let Ok(json) = serde_json::from_slice::<Value>(body) {
        for field in fields {
            if let Some(password) = json.get(field).and_then(Value::as_str) {
                seen.insert(password.to_owned());
            }
        }
    } else if let Ok(text) = std::str::from_utf8(body)
        && let Ok(url) = reqwest::Url::parse(&format!("http://form/?{text}"))
    {
        for (name, value) in url.query_pairs() {
            if fields.contains(&name.as_ref()) {
                seen.insert(value.into_owned());
            }
        }
    }
}
