//! Test harness: a real server on `127.0.0.1:0` over a fresh database per test (SQLite in a
//! temporary directory, or a new PostgreSQL or MySQL/MariaDB database); clients of the generated SDK
//! (`medsys_client`), which the scenarios use, and a raw reqwest client ([`Api`]) for the
//! wire-level cases the typed SDK cannot express.

use std::{future::Future, panic, time::Duration};

use medsys_client::mgr;
use medsys_server::{
    app::{self, RunningServer},
    config::Config,
    db::Db,
};
use reqwest::{Method, StatusCode, header::HeaderMap, redirect::Policy};
use serde_json::{Value, json};
use sqlx::{Connection, Executor, MySqlConnection, PgConnection};

pub const ADMIN_USER: &str = "admin";
pub const ADMIN_PASSWORD: &str = "admin-password-1";

/// Which database a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
    Mysql,
}

/// Runs `test` against a fresh server on `backend`, then removes the database, even when the
/// test fails. PostgreSQL needs `MEDSYS_TEST_POSTGRES_URL` and MySQL `MEDSYS_TEST_MYSQL_URL`;
/// without it the test is skipped with a notice, except under CI (`CI` set), where it fails.
pub async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(TestServer) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    run_configured(backend, |_| {}, test).await;
}

/// [`run`] with settings changed from the defaults by `configure`.
pub async fn run_configured<F, Fut>(backend: Backend, configure: impl FnOnce(&mut Config), test: F)
where
    F: FnOnce(TestServer) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some(database) = TestDatabase::create(backend).await else {
        return;
    };
    let mut config = Config::for_database(database.url.clone());
    configure(&mut config);
    let server = TestServer {
        server: app::start(config).await.expect("server starts"),
        database_url: database.url.clone(),
    };
    let outcome = tokio::spawn(test(server)).await;
    database.drop_database().await;
    if let Err(error) = outcome {
        if error.is_panic() {
            panic::resume_unwind(error.into_panic());
        }
        panic!("test task failed: {error}");
    }
}

/// Generates `on_sqlite`, `on_postgres` and `on_mysql` variants of an async test taking a
/// [`TestServer`].
#[macro_export]
macro_rules! on_every_backend {
    ($(async fn $name:ident($server:ident: TestServer) $body:block)+) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn body($server: $crate::support::TestServer) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                $crate::support::run($crate::support::Backend::Sqlite, body).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                $crate::support::run($crate::support::Backend::Postgres, body).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_mysql() {
                $crate::support::run($crate::support::Backend::Mysql, body).await;
            }
        }
    )+};
}

/// A database that exists for one test.
pub struct TestDatabase {
    pub url: String,
    // Keeps the SQLite file's directory alive; `None` for a database server.
    _dir: Option<tempfile::TempDir>,
    /// The server's administrative URL and the database's name, to drop it afterwards.
    server: Option<(Backend, String, String)>,
}

/// The administrative URL of a database server the tests may use, from `variable`; `None`
/// (the test is skipped with a notice) when it is unset outside CI.
fn server_url(variable: &str, what: &str) -> Option<String> {
    if let Ok(url) = std::env::var(variable) {
        return Some(url);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{variable} must be set in CI: {what} tests are never skipped there"
    );
    eprintln!("skipping {what} variant: {variable} is not set");
    None
}

impl TestDatabase {
    pub async fn create(backend: Backend) -> Option<Self> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("medsys.db").display()
                );
                Some(Self {
                    url,
                    _dir: Some(dir),
                    server: None,
                })
            }
            Backend::Postgres => {
                let admin_url = server_url("MEDSYS_TEST_POSTGRES_URL", "PostgreSQL")?;
                let name = format!("medsys_t_{}", random_hex(8));
                let mut conn = PgConnection::connect(&admin_url)
                    .await
                    .expect("connect to MEDSYS_TEST_POSTGRES_URL");
                conn.execute(format!("CREATE DATABASE {name}").as_str())
                    .await
                    .expect("create test database");
                drop(conn.close().await);
                Some(Self {
                    url: with_database(&admin_url, &name),
                    _dir: None,
                    server: Some((backend, admin_url, name)),
                })
            }
            Backend::Mysql => {
                let admin_url = server_url("MEDSYS_TEST_MYSQL_URL", "MySQL")?;
                let name = format!("medsys_t_{}", random_hex(8));
                let mut conn = MySqlConnection::connect(&admin_url)
                    .await
                    .expect("connect to MEDSYS_TEST_MYSQL_URL");
                conn.execute(
                    format!("CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
                        .as_str(),
                )
                .await
                .expect("create test database");
                drop(conn.close().await);
                Some(Self {
                    url: with_database(&admin_url, &name),
                    _dir: None,
                    server: Some((backend, admin_url, name)),
                })
            }
        }
    }

    pub async fn drop_database(self) {
        let Some((backend, admin_url, name)) = &self.server else {
            return;
        };
        let dropped = match backend {
            Backend::Postgres => match PgConnection::connect(admin_url).await {
                Ok(mut conn) => {
                    let dropped = conn
                        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                        .await
                        .map(drop);
                    drop(conn.close().await);
                    dropped
                }
                Err(error) => Err(error),
            },
            // MySQL waits for the metadata locks of open connections: the server under test
            // has stopped (or its pool has closed) by now.
            Backend::Mysql => match MySqlConnection::connect(admin_url).await {
                Ok(mut conn) => {
                    let dropped = conn
                        .execute(format!("DROP DATABASE IF EXISTS {name}").as_str())
                        .await
                        .map(drop);
                    drop(conn.close().await);
                    dropped
                }
                Err(error) => Err(error),
            },
            Backend::Sqlite => Ok(()),
        };
        if let Err(error) = dropped {
            eprintln!("could not drop test database {name}: {error}");
        }
    }
}

/// Replaces the database name of a PostgreSQL or MySQL URL.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let host_part = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{host_part}/{name}?{query}"),
        None => format!("{host_part}/{name}"),
    }
}

pub fn random_hex(bytes: usize) -> String {
    (0..bytes)
        .map(|_| format!("{:02x}", rand::random::<u8>()))
        .collect()
}

/// A running server on its own database.
pub struct TestServer {
    pub server: RunningServer,
    pub database_url: String,
}

impl TestServer {
    pub async fn start(database_url: String) -> Self {
        let server = app::start(Config::for_database(database_url.clone()))
            .await
            .expect("server starts");
        Self {
            server,
            database_url,
        }
    }

    /// Stops this server and starts a new one (on a new port) over the same database.
    pub async fn restart(self) -> Self {
        let url = self.database_url.clone();
        self.server.stop().await.expect("server stops cleanly");
        Self::start(url).await
    }

    pub fn db(&self) -> &Db {
        self.server.db()
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.server.local_addr)
    }

    /// A client without a session.
    pub fn client(&self) -> Api {
        Api::new(self.base_url())
    }

    /// Creates an mgr account directly in the database.
    pub async fn create_account(
        &self,
        username: &str,
        password: &str,
        superuser: bool,
        active: bool,
    ) {
        let hash = medsys_server::password::hash(password.to_owned())
            .await
            .expect("hash");
        medsys_server::mgr::store::create_account(self.db(), username, &hash, superuser, active)
            .await
            .expect("create account");
    }

    /// A client signed in as a fresh admin.
    pub async fn admin(&self) -> Api {
        self.create_account(ADMIN_USER, ADMIN_PASSWORD, true, true)
            .await;
        let api = self.client();
        let reply = api.signin(ADMIN_USER, ADMIN_PASSWORD).await;
        assert_eq!(reply.body, json!({"ret": 0, "msg": "登录成功"}));
        api
    }
}

/// One HTTP answer: status, headers and the JSON body (`Value::Null` when not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    /// Asserts HTTP `status` and the exact JSON `body`.
    #[track_caller]
    pub fn expect(&self, status: u16, body: Value) {
        assert_eq!(
            (self.status.as_u16(), &self.body),
            (status, &body),
            "unexpected reply: {}",
            self.text
        );
    }

    #[allow(
        dead_code,
        reason = "raw helper for wire-level scenarios; the SDK covers the rest"
    )]
    #[track_caller]
    pub fn id(&self) -> i64 {
        assert_eq!(self.body["ret"], 0, "not a success: {}", self.text);
        self.body["id"].as_i64().expect("an id")
    }
}

/// A small typed client over reqwest with a cookie jar; redirects are never followed.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    pub base: String,
}

impl Api {
    pub fn new(base: String) -> Self {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client");
        Self { http, base }
    }

    #[allow(
        dead_code,
        reason = "raw helper for wire-level scenarios; the SDK covers the rest"
    )]
    /// The same cookie jar pointed at another server.
    pub fn rebased(&self, base: String) -> Self {
        Self {
            http: self.http.clone(),
            base,
        }
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("request sent");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body read");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
            text,
        }
    }

    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, format!("{}{path}", self.base))
    }

    pub async fn get(&self, path: &str, query: &[(&str, &str)]) -> Reply {
        self.send(self.request(Method::GET, path).query(query))
            .await
    }

    pub async fn json(&self, method: Method, path: &str, body: Value) -> Reply {
        self.send(self.request(method, path).json(&body)).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.json(Method::POST, path, body).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.json(Method::PUT, path, body).await
    }

    pub async fn delete(&self, path: &str, body: Value) -> Reply {
        self.json(Method::DELETE, path, body).await
    }

    pub async fn signin(&self, username: &str, password: &str) -> Reply {
        let form = [("username", username), ("password", password)];
        self.send(self.request(Method::POST, "/api/mgr/signin").form(&form))
            .await
    }

    #[allow(
        dead_code,
        reason = "raw helper for wire-level scenarios; the SDK covers the rest"
    )]
    pub async fn list(&self, path: &str, action: &str, pagenum: u32, pagesize: u32) -> Reply {
        let (num, size) = (pagenum.to_string(), pagesize.to_string());
        self.get(
            path,
            &[("action", action), ("pagenum", &num), ("pagesize", &size)],
        )
        .await
    }

    #[allow(
        dead_code,
        reason = "raw helper for wire-level scenarios; the SDK covers the rest"
    )]
    pub async fn add_customer(&self, name: &str, phonenumber: &str, address: &str) -> i64 {
        let body = json!({"action": "add_customer",
            "data": {"name": name, "phonenumber": phonenumber, "address": address}});
        self.post("/api/mgr/customers", body).await.id()
    }

    #[allow(
        dead_code,
        reason = "raw helper for wire-level scenarios; the SDK covers the rest"
    )]
    pub async fn add_medicine(&self, name: &str, desc: &str, sn: &str) -> i64 {
        let body =
            json!({"action": "add_medicine", "data": {"name": name, "desc": desc, "sn": sn}});
        self.post("/api/mgr/medicines", body).await.id()
    }

    #[allow(
        dead_code,
        reason = "raw helper for wire-level scenarios; the SDK covers the rest"
    )]
    /// `lines` are (medicine id, amount).
    pub async fn add_order(&self, name: &str, customer: i64, lines: &[(i64, i64)]) -> i64 {
        let medicinelist: Vec<Value> = lines
            .iter()
            .map(|(id, amount)| json!({"id": id, "amount": amount, "name": "ignored"}))
            .collect();
        let body = json!({"action": "add_order",
            "data": {"name": name, "customerid": customer, "medicinelist": medicinelist}});
        self.post("/api/mgr/orders", body).await.id()
    }
}

/// The mgr API through the generated SDK.
impl TestServer {
    /// An SDK client of the mgr API without a session.
    pub fn mgr(&self) -> mgr::Client {
        mgr::Client::new(&self.base_url()).expect("mgr client")
    }

    /// An SDK client signed in as a fresh admin (the account [`TestServer::admin`] creates).
    pub async fn mgr_admin(&self) -> mgr::Client {
        self.create_account(ADMIN_USER, ADMIN_PASSWORD, true, true)
            .await;
        let client = self.mgr();
        client
            .signin(&credentials(ADMIN_USER, ADMIN_PASSWORD))
            .await
            .expect("the admin signs in");
        client
    }

    /// A raw client that sends the session of the SDK client `client`, for the wire-level
    /// requests of a scenario.
    pub fn raw_session_of(&self, client: &mgr::Client) -> Api {
        let session = client.session_id().expect("a signed-in SDK client");
        let base = self.base_url();
        let jar = reqwest::cookie::Jar::default();
        let url = base.parse::<reqwest::Url>().expect("base URL");
        jar.add_cookie_str(&format!("sessionid={}; Path=/", session.expose()), &url);
        let http = reqwest::Client::builder()
            .cookie_provider(std::sync::Arc::new(jar))
            .redirect(Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client");
        Api { http, base }
    }
}

/// The signin form of `username`.
pub fn credentials(username: &str, password: &str) -> mgr::SigninForm {
    mgr::SigninForm::new(username, password)
}

/// The body of add_customer.
pub fn new_customer(name: &str, phonenumber: &str, address: &str) -> mgr::AddCustomerRequest {
    mgr::AddCustomerRequest::new(mgr::CustomerData::new(name, phonenumber, address))
}

/// The body of add_medicine.
pub fn new_medicine(name: &str, desc: &str, sn: &str) -> mgr::AddMedicineRequest {
    mgr::AddMedicineRequest::new(medicine_data(name, desc, sn))
}

/// A medicine's three fields (add_medicine, modify_medicine).
pub fn medicine_data(name: &str, desc: &str, sn: &str) -> mgr::MedicineData {
    mgr::MedicineData::new(name, desc, sn)
}

/// Order lines as the client sends them; `lines` are (medicine id, amount).
pub fn order_lines(lines: &[(i64, i64)]) -> Vec<mgr::OrderMedicineInput> {
    lines
        .iter()
        // The name is informational only: the server lists the medicine's stored name.
        .map(|&(id, amount)| mgr::OrderMedicineInput::new(id, amount).with_name("ignored"))
        .collect()
}

/// The body of add_order; `lines` are (medicine id, amount).
pub fn new_mgr_order(name: &str, customerid: i64, lines: &[(i64, i64)]) -> mgr::AddOrderRequest {
    mgr::AddOrderRequest::new(mgr::AddOrderData::new(name, customerid, order_lines(lines)))
}

/// Asserts that an SDK call was refused by the mgr envelope with `ret` and `msg`.
#[track_caller]
pub fn assert_mgr_refused<T: std::fmt::Debug>(
    result: medsys_client::Result<T>,
    ret: i64,
    msg: &str,
) {
    match result {
        Err(medsys_client::Error::Mgr {
            ret: got,
            msg: text,
            ..
        }) if got == ret && text == msg => {}
        other => panic!("expected Error::Mgr {{ ret: {ret}, msg: {msg:?} }}, got {other:?}"),
    }
}

/// Asserts that an SDK call failed because it had no valid session (HTTP 302).
#[track_caller]
pub fn assert_not_logged_in<T: std::fmt::Debug>(result: medsys_client::Result<T>) {
    assert!(
        matches!(result, Err(medsys_client::Error::NotLoggedIn { .. })),
        "expected Error::NotLoggedIn, got {result:?}"
    );
}
