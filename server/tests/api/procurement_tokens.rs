//! Tokens, through the SDK: missing, malformed, expired, replaced, revoked, offline accounts;
//! the sliding refresh (with a short configured lifetime), which the SDK must keep; tokens
//! across restarts and server instances.
//!
//! The response headers themselves (a refreshed `Authorization` or its absence, and
//! `Access-Control-Expose-Headers`) are checked over raw HTTP, because the SDK does not surface them.

use std::time::Duration;

use medsys_client::procurement::{self, Code, ResultUser, RoleName};
use medsys_server::{app, config::Config, procurement::domain::Role};

use crate::{
    procurement_support::*,
    support::{Backend, TestDatabase, TestServer},
};

async fn secret_of(server: &TestServer) -> String {
    use medsys_server::db::RowExt;
    server
        .db()
        .query("SELECT value FROM procurement_setting WHERE name = 'jwt_secret'")
        .fetch_one(server.db().pool())
        .await
        .expect("a generated secret")
        .text("value")
        .expect("value")
}

/// Runs `body` on a server whose tokens live `ttl` (a second server on the same database is
/// started on demand by the body).
async fn with_config<F, Fut>(backend: Backend, ttl: Duration, body: F)
where
    F: FnOnce(TestServer, Config) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let Some(database) = TestDatabase::create(backend).await else {
        return;
    };
    let mut config = Config::for_database(database.url.clone());
    config.jwt_ttl = ttl;
    let server = app::start(config.clone()).await.expect("server starts");
    let server = TestServer {
        server,
        database_url: database.url.clone(),
    };
    let outcome = tokio::spawn(body(server, config)).await;
    database.drop_database().await;
    if let Err(error) = outcome {
        if error.is_panic() {
            std::panic::resume_unwind(error.into_panic());
        }
        panic!("test task failed: {error}");
    }
}

async fn token_cases(server: TestServer, _config: Config) {
    fixture(server.db()).await;
    let info = |client: procurement::Client| async move { client.get_user_info(ZHANG).await };
    assert_code(info(anonymous(&server)).await, Code::TokenMissing);
    assert_code(info(with_token(&server, "")).await, Code::TokenMissing);
    assert_code(
        info(with_token(&server, "Bearer not-a-jwt")).await,
        Code::TokenInvalid,
    );
    assert_code(
        info(with_token(&server, "Basic abc")).await,
        Code::TokenInvalid,
    );

    let first = logged_in(&server, ZHANG).await;
    let zhang = ResultUser {
        id: ZHANG.into(),
        username: "张三".into(),
        department: "办公室".into(),
        role: RoleName::普通用户,
    };
    assert_eq!(first.get_user_info(ZHANG).await.expect("info"), zhang);
    // A token signed with another secret, and an expired one signed with the right secret.
    let now = chrono::Utc::now().timestamp();
    let forged = medsys_server::procurement::token::issue(
        "another secret",
        ZHANG,
        Role::Applicant,
        3600,
        now,
    )
    .expect("jwt");
    let forged = with_token(&server, &format!("Bearer {}", forged.jwt));
    assert_code(info(forged).await, Code::TokenInvalid);
    let secret = secret_of(&server).await;
    let expired =
        medsys_server::procurement::token::issue(&secret, ZHANG, Role::Applicant, -60, now)
            .expect("jwt");
    let expired = with_token(&server, &format!("Bearer {}", expired.jwt));
    assert_code(info(expired).await, Code::TokenInvalid);
    // A well-signed token that is not the live one.
    let stray =
        medsys_server::procurement::token::issue(&secret, ZHANG, Role::Applicant, 3600, now)
            .expect("jwt");
    let stray = with_token(&server, &format!("Bearer {}", stray.jwt));
    assert_code(info(stray).await, Code::TokenInvalid);

    // A new login replaces the token.
    let second = logged_in(&server, ZHANG).await;
    assert_code(first.get_user_info(ZHANG).await, Code::TokenInvalid);
    assert_eq!(second.get_user_info(ZHANG).await.expect("info"), zhang);

    // Disabled after login: 29 on every secured operation, and no more logins.
    server
        .db()
        .query("UPDATE procurement_user SET is_active = 0 WHERE id = $1")
        .bind(ZHANG)
        .execute(server.db().pool())
        .await
        .expect("disable");
    assert_code(second.get_user_info(ZHANG).await, Code::AccountOffline);
    assert_code(second.list_departments().await, Code::AccountOffline);
    let login = anonymous(&server).login(&login_body(ZHANG, PASSWORD)).await;
    assert_code(login, Code::AccountDisabled);

    // Tokens and the generated secret survive a restart.
    let lead = logged_in(&server, OFFICE_LEAD).await;
    let server = server.restart().await;
    let lead = with_token(&server, &lead.token().expect("a token"));
    assert_eq!(
        lead.list_departments().await.expect("departments").len(),
        10
    );
    assert_eq!(secret_of(&server).await, secret);
    server.server.stop().await.expect("stops");
}

async fn refresh_cases(server: TestServer, config: Config) {
    users(server.db()).await;
    // Every token of this server has less than 10 minutes to live: each request refreshes, and
    // the SDK keeps the refreshed token.
    let zhang = logged_in(&server, ZHANG).await;
    let issued = zhang.token().expect("a token");
    zhang.get_user_info(ZHANG).await.expect("info");
    let fresh = zhang.token().expect("a token");
    assert!(fresh.starts_with("Bearer "), "{fresh}");
    assert_ne!(fresh, issued, "the SDK keeps the refreshed token");
    // The old token is dead at once; the new one works (and is itself refreshed).
    assert_code(
        with_token(&server, &issued).get_user_info(ZHANG).await,
        Code::TokenInvalid,
    );
    zhang
        .get_user_info(ZHANG)
        .await
        .expect("info with the refreshed token");
    let newest = zhang.token().expect("a token");
    assert_ne!(newest, fresh);

    // A refused call (wrong role) still refreshes: the new token must reach the client.
    assert_code(zhang.dept_list_pending(None).await, Code::NoPermission);
    let after_denied = zhang.token().expect("a token");
    assert_ne!(
        after_denied, newest,
        "the SDK keeps a token refreshed by a refusal"
    );
    zhang
        .get_user_info(ZHANG)
        .await
        .expect("info after the refusal");
    let current = zhang.token().expect("a token");

    // A second instance on the same database accepts the token and refreshes it too.
    let other = app::start(config.clone()).await.expect("second instance");
    let there = procurement::Client::new(&format!("http://{}", other.local_addr)).expect("client");
    there.set_token(Some(current.clone()));
    there
        .get_user_info(ZHANG)
        .await
        .expect("info on the second instance");
    let refreshed_there = there.token().expect("a token");
    assert_ne!(refreshed_there, current);
    // ...after which the first instance refuses the superseded token.
    assert_code(zhang.get_user_info(ZHANG).await, Code::TokenInvalid);
    other.stop().await.expect("stops");

    // On the wire, the refreshed token is exposed to browsers.
    let reply = Proc::anonymous(&server)
        .with_token(&refreshed_there)
        .get("/user/info", &[("id", ZHANG)])
        .await;
    assert_eq!(reply.body["code"], 1, "{}", reply.text);
    assert!(reply.headers.get("authorization").is_some());
    assert_eq!(
        reply.headers["access-control-expose-headers"],
        "Authorization"
    );
    server.server.stop().await.expect("stops");
}

async fn no_refresh_with_a_long_lifetime(server: TestServer, _config: Config) {
    users(server.db()).await;
    let zhang = logged_in(&server, ZHANG).await;
    let issued = zhang.token();
    zhang.get_user_info(ZHANG).await.expect("info");
    assert_eq!(zhang.token(), issued);
    let reply = raw(&server, &zhang)
        .get("/user/info", &[("id", ZHANG)])
        .await;
    assert_eq!(reply.body["code"], 1, "{}", reply.text);
    assert!(reply.headers.get("authorization").is_none());
    server.server.stop().await.expect("stops");
}

macro_rules! each_backend {
    ($name:ident, $ttl:expr, $body:ident) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                with_config(Backend::Sqlite, $ttl, $body).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                with_config(Backend::Postgres, $ttl, $body).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_mysql() {
                with_config(Backend::Mysql, $ttl, $body).await;
            }
        }
    };
}

each_backend!(
    tokens_are_checked_against_the_live_one_in_the_database,
    Duration::from_secs(3600),
    token_cases
);
each_backend!(
    a_token_near_its_end_is_refreshed_and_the_old_one_dies,
    Duration::from_secs(300),
    refresh_cases
);
each_backend!(
    a_token_with_time_left_is_not_refreshed,
    Duration::from_secs(3600),
    no_refresh_with_a_long_lifetime
);
