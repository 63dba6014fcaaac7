//! Tokens: missing, malformed, expired, replaced, revoked, offline accounts; the sliding
//! refresh (with a short configured lifetime); tokens across restarts and server instances.

use std::time::Duration;

use medsys_server::{app, config::Config, procurement::domain::Role};
use serde_json::json;

use crate::{
    procurement_support::*,
    support::{Backend, TestDatabase, TestServer},
};

async fn secret_of(server: &TestServer) -> String {
    use sqlx::Row;
    sqlx::query("SELECT value FROM procurement_setting WHERE name = 'jwt_secret'")
        .fetch_one(server.db().pool())
        .await
        .expect("a generated secret")
        .try_get("value")
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
    let anonymous = Proc::anonymous(&server);
    let info = [("id", ZHANG)];
    anonymous
        .get("/user/info", &info)
        .await
        .expect(200, failure(3, "token为空"));
    anonymous
        .with_token("")
        .get("/user/info", &info)
        .await
        .expect(200, failure(3, "token为空"));
    anonymous
        .with_token("Bearer not-a-jwt")
        .get("/user/info", &info)
        .await
        .expect(200, failure(2, "token失效"));
    anonymous
        .with_token("Basic abc")
        .get("/user/info", &info)
        .await
        .expect(200, failure(2, "token失效"));

    let first = login(&server, ZHANG).await;
    first.get("/user/info", &info).await.expect(200, success(json!(
        {"id": ZHANG, "username": "张三", "password": null, "department": "办公室", "role": "普通用户"})));
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
    anonymous
        .with_token(&format!("Bearer {}", forged.jwt))
        .get("/user/info", &info)
        .await
        .expect(200, failure(2, "token失效"));
    let secret = secret_of(&server).await;
    let expired =
        medsys_server::procurement::token::issue(&secret, ZHANG, Role::Applicant, -60, now)
            .expect("jwt");
    anonymous
        .with_token(&format!("Bearer {}", expired.jwt))
        .get("/user/info", &info)
        .await
        .expect(200, failure(2, "token失效"));
    // A well-signed token that is not the live one.
    let stray =
        medsys_server::procurement::token::issue(&secret, ZHANG, Role::Applicant, 3600, now)
            .expect("jwt");
    anonymous
        .with_token(&format!("Bearer {}", stray.jwt))
        .get("/user/info", &info)
        .await
        .expect(200, failure(2, "token失效"));

    // A new login replaces the token.
    let second = login(&server, ZHANG).await;
    first
        .get("/user/info", &info)
        .await
        .expect(200, failure(2, "token失效"));
    assert_eq!(second.get("/user/info", &info).await.body["code"], 1);

    // Disabled after login: 29 on every secured operation, and no more logins.
    sqlx::query("UPDATE procurement_user SET is_active = 0 WHERE id = $1")
        .bind(ZHANG)
        .execute(server.db().pool())
        .await
        .expect("disable");
    second
        .get("/user/info", &info)
        .await
        .expect(200, failure(29, "账号下线"));
    second
        .get("/department/departments", &[])
        .await
        .expect(200, failure(29, "账号下线"));
    login_reply(&server, ZHANG, PASSWORD)
        .await
        .expect(200, failure(25, "账号不可用"));

    // Tokens and the generated secret survive a restart.
    let lead = login(&server, OFFICE_LEAD).await;
    let server = server.restart().await;
    let lead = Proc {
        api: lead.api.rebased(server.base_url()),
        token: lead.token.clone(),
    };
    assert_eq!(
        lead.get("/department/departments", &[]).await.body["code"],
        1
    );
    assert_eq!(secret_of(&server).await, secret);
    server.server.stop().await.expect("stops");
}

async fn refresh_cases(server: TestServer, config: Config) {
    users(server.db()).await;
    // Every token of this server has less than 10 minutes to live: each request refreshes.
    let zhang = login(&server, ZHANG).await;
    let reply = zhang.get("/user/info", &[("id", ZHANG)]).await;
    assert_eq!(reply.body["code"], 1, "{}", reply.text);
    let fresh = reply
        .headers
        .get("authorization")
        .expect("a refreshed token")
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(fresh.starts_with("Bearer "), "{fresh}");
    assert_ne!(Some(fresh.clone()), zhang.token);
    assert_eq!(
        reply.headers["access-control-expose-headers"],
        "Authorization"
    );
    // The old token is dead at once; the new one works (and is itself refreshed).
    zhang
        .get("/user/info", &[("id", ZHANG)])
        .await
        .expect(200, failure(2, "token失效"));
    let next = zhang
        .with_token(&fresh)
        .get("/user/info", &[("id", ZHANG)])
        .await;
    assert_eq!(next.body["code"], 1);
    let newest = next.headers["authorization"]
        .to_str()
        .expect("ascii")
        .to_owned();

    // A refused call (wrong role) still refreshes: the new token must reach the client.
    let denied = zhang.with_token(&newest).get("/dept/list", &[]).await;
    assert_eq!(denied.body["code"], 31);
    let after_denied = denied.headers["authorization"]
        .to_str()
        .expect("ascii")
        .to_owned();

    // A second instance on the same database accepts the token and refreshes it too.
    let other = app::start(config.clone()).await.expect("second instance");
    let there = Proc::anonymous(&server).with_token(&after_denied);
    let there = Proc {
        api: there.api.rebased(format!("http://{}", other.local_addr)),
        token: there.token,
    };
    let reply = there.get("/user/info", &[("id", ZHANG)]).await;
    assert_eq!(reply.body["code"], 1, "{}", reply.text);
    assert!(reply.headers.get("authorization").is_some());
    // ...after which the first instance refuses the superseded token.
    zhang
        .with_token(&after_denied)
        .get("/user/info", &[("id", ZHANG)])
        .await
        .expect(200, failure(2, "token失效"));
    other.stop().await.expect("stops");

    server.server.stop().await.expect("stops");
}

async fn no_refresh_with_a_long_lifetime(server: TestServer, _config: Config) {
    users(server.db()).await;
    let zhang = login(&server, ZHANG).await;
    let reply = zhang.get("/user/info", &[("id", ZHANG)]).await;
    assert_eq!(reply.body["code"], 1);
    assert!(reply.headers.get("authorization").is_none());
    server.server.stop().await.expect("stops");
}

macro_rules! both {
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
        }
    };
}

both!(
    tokens_are_checked_against_the_live_one_in_the_database,
    Duration::from_secs(3600),
    token_cases
);
both!(
    a_token_near_its_end_is_refreshed_and_the_old_one_dies,
    Duration::from_secs(300),
    refresh_cases
);
both!(
    a_token_with_time_left_is_not_refreshed,
    Duration::from_secs(3600),
    no_refresh_with_a_long_lifetime
);
