//! Tokens, through the SDK: missing, malformed, expired, replaced, revoked, offline accounts;
//! the sliding refresh (with a short configured lifetime), which the SDK must keep; tokens
//! across restarts and server instances.
//!
//! The response headers themselves (a refreshed `Authorization` or its absence, and
//! `Access-Control-Expose-Headers`) are checked over raw HTTP: the SDK takes the token and
//! shows `<redacted>` in its response metadata, so only the wire shows what a browser gets.

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

/// 张三's user info, asked by `client`.
async fn info(client: &procurement::Client) -> medsys_client::Result<ResultUser> {
    client.get_user_info(&ZHANG.into()).await
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
    assert_code(info(&anonymous(&server)).await, Code::TokenMissing);
    assert_code(info(&with_token(&server, "")).await, Code::TokenMissing);
    assert_code(
        info(&with_token(&server, "Bearer not-a-jwt")).await,
        Code::TokenInvalid,
    );
    assert_code(
        info(&with_token(&server, "Basic abc")).await,
        Code::TokenInvalid,
    );

    let first = logged_in(&server, ZHANG).await;
    let zhang = ResultUser::new(ZHANG, "张三", "办公室", RoleName::普通用户);
    assert_eq!(info(&first).await.expect("info"), zhang);
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
    let forged = with_token(&server, format!("Bearer {}", forged.jwt));
    assert_code(info(&forged).await, Code::TokenInvalid);
    let secret = secret_of(&server).await;
    let expired =
        medsys_server::procurement::token::issue(&secret, ZHANG, Role::Applicant, -60, now)
            .expect("jwt");
    let expired = with_token(&server, format!("Bearer {}", expired.jwt));
    assert_code(info(&expired).await, Code::TokenInvalid);
    // A well-signed token that is not the live one.
    let stray =
        medsys_server::procurement::token::issue(&secret, ZHANG, Role::Applicant, 3600, now)
            .expect("jwt");
    let stray = with_token(&server, format!("Bearer {}", stray.jwt));
    assert_code(info(&stray).await, Code::TokenInvalid);

    // A new login replaces the token.
    let second = logged_in(&server, ZHANG).await;
    assert_code(info(&first).await, Code::TokenInvalid);
    assert_eq!(info(&second).await.expect("info"), zhang);

    // Disabled after login: 29 on every secured operation, and no more logins.
    server
        .db()
        .query("UPDATE procurement_user SET is_active = 0 WHERE id = $1")
        .bind(ZHANG)
        .execute(server.db().pool())
        .await
        .expect("disable");
    assert_code(info(&second).await, Code::AccountOffline);
    assert_code(second.list_departments().await, Code::AccountOffline);
    let login = anonymous(&server).login(&login_body(ZHANG, PASSWORD)).await;
    assert_code(login, Code::AccountDisabled);

    // Tokens and the generated secret survive a restart.
    let lead = logged_in(&server, OFFICE_LEAD).await;
    let server = server.restart().await;
    let lead = with_token(&server, lead.token().expect("a token"));
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
    info(&zhang).await.expect("info");
    let fresh = zhang.token().expect("a token");
    assert!(fresh.expose().starts_with("Bearer "), "{}", fresh.expose());
    assert_ne!(fresh, issued, "the SDK keeps the refreshed token");
    // The old token is dead at once; the new one works (and is itself refreshed).
    assert_code(info(&with_token(&server, issued)).await, Code::TokenInvalid);
    info(&zhang).await.expect("info with the refreshed token");
    let newest = zhang.token().expect("a token");
    assert_ne!(newest, fresh);

    // A refused call (wrong role) still refreshes: the new token must reach the client.
    assert_code(zhang.dept_list_pending(None).await, Code::NoPermission);
    let after_denied = zhang.token().expect("a token");
    assert_ne!(
        after_denied, newest,
        "the SDK keeps a token refreshed by a refusal"
    );
    info(&zhang).await.expect("info after the refusal");
    let current = zhang.token().expect("a token");

    // A second instance on the same database accepts the token and refreshes it too.
    let other = app::start(config.clone()).await.expect("second instance");
    let there = procurement::Client::new(&format!("http://{}", other.local_addr)).expect("client");
    there.set_token(Some(current.clone()));
    info(&there).await.expect("info on the second instance");
    let refreshed_there = there.token().expect("a token");
    assert_ne!(refreshed_there, current);
    // ...after which the first instance refuses the superseded token.
    assert_code(info(&zhang).await, Code::TokenInvalid);
    other.stop().await.expect("stops");

    // On the wire, the refreshed token is exposed to browsers.
    let reply = Proc::anonymous(&server)
        .with_token(refreshed_there.expose())
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
    info(&zhang).await.expect("info");
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
    many_tasks_on_one_client_never_see_a_refreshed_token_refused,
    Duration::from_secs(603),
    many_tasks_share_one_client_across_the_refresh_window
);
each_backend!(
    a_token_with_time_left_is_not_refreshed,
    Duration::from_secs(3600),
    no_refresh_with_a_long_lifetime
);

/// 64 tasks share one SDK client for a few seconds while its token keeps crossing into the
/// refresh window (tokens live 603 s: the server refreshes below 600 s left, so every token
/// enters the window about three seconds after it is issued, and each refreshed token stays
/// outside it long enough for the requests it refused to be sent again). The server refuses a replaced token at
/// once, also on requests already on their way; the SDK must absorb that: no task may see code
/// 2, and afterwards exactly one of the tokens the client held is live (its current one).
///
/// Run twice: with the SDK's default window (10 minutes plus one for clock skew, so requests go
/// one at a time from the start) and with no window at all, where requests race every refresh
/// and the retry rule alone has to save them.
async fn many_tasks_share_one_client_across_the_refresh_window(
    server: TestServer,
    _config: Config,
) {
    use std::collections::HashSet;
    use std::sync::{Arc, Mutex};
    use std::time::Instant;

    users(server.db()).await;
    let base = format!("http://{}", server.server.local_addr);
    for window in [None, Some(Duration::ZERO)] {
        let mut builder = procurement::Client::builder(&base);
        if let Some(window) = window {
            builder = builder.refresh_window(window);
        }
        let client = builder.build().expect("client");
        client
            .login(&procurement::LoginRequest::new(ZHANG, PASSWORD))
            .await
            .expect("login");
        let seen: Arc<Mutex<HashSet<String>>> = Arc::default();
        let deadline = Instant::now() + Duration::from_secs(7);
        let tasks: Vec<_> = (0..64)
            .map(|_| {
                let client = client.clone();
                let seen = Arc::clone(&seen);
                tokio::spawn(async move {
                    let (mut calls, mut failures) = (0u32, Vec::new());
                    // Bounded in time and count. The short pause keeps a fast machine from
                    // reaching the count before the first refresh (about 3 s in), so that the
                    // deadline, not the count, ends the loop.
                    while Instant::now() < deadline && calls < 4_000 {
                        tokio::time::sleep(Duration::from_millis(2)).await;
                        calls += 1;
                        if let Some(token) = client.token() {
                            seen.lock().expect("seen").insert(token.expose().to_owned());
                        }
                        if let Err(error) = info(&client).await {
                            failures.push(error.to_string());
                        }
                    }
                    (calls, failures)
                })
            })
            .collect();
        let (mut calls, mut failures) = (0, Vec::new());
        for task in tasks {
            let (done, failed) = task.await.expect("task");
            calls += done;
            failures.extend(failed);
        }
        assert!(
            failures.is_empty(),
            "window {window:?}: {} of {calls} calls failed, e.g. {:?}",
            failures.len(),
            &failures[..failures.len().min(3)]
        );
        let current = client.token().expect("a token").expose().to_owned();
        let mut seen = seen.lock().expect("seen").clone();
        seen.remove(&current);
        assert!(
            !seen.is_empty(),
            "window {window:?}: the token was never refreshed in {calls} calls"
        );
        for old in &seen {
            let reply = Proc::anonymous(&server)
                .with_token(old)
                .get("/user/info", &[("id", ZHANG)])
                .await;
            assert_eq!(
                reply.body["code"], 2,
                "an old token is live: {}",
                reply.text
            );
        }
        info(&client)
            .await
            .expect("the client's current token is the live one");
    }
    server.server.stop().await.expect("stops");
}
