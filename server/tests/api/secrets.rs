//! Secrets never leak: no password, password hash, token, session id or signing secret appears
//! in any response body or in any line the server logs (at debug level), through logins,
//! failed logins, password changes and user listings of both APIs.

use serde_json::{Value, json};

use crate::{
    process::{ServerProcess, admin, http_client},
    support::{Backend, TestDatabase},
};

const MGR: (&str, &str) = ("secret-admin", "Mgr-Secret-Pass-9");
const APPLICANT: &str = "13100000001";
const ADMIN: &str = "13100000002";
const PASSWORD: &str = "Proc-Secret-Pass-7";
const NEW_PASSWORD: &str = "Proc-Changed-Pass-8";
const WRONG_PASSWORD: &str = "Wrong-Guess-Pass-6";
const JWT_SECRET: &str = "medsys-test-signing-secret-0123456789abcdef";

/// Every answer seen: status line, headers other than the credentials a client must receive,
/// and the body.
#[derive(Default)]
struct Seen(String);

impl Seen {
    async fn record(
        &mut self,
        response: reqwest::Response,
    ) -> (Value, Option<String>, Option<String>) {
        let token = response
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let cookie = response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        for (name, value) in response.headers() {
            if name != "authorization" && name != "set-cookie" {
                self.0
                    .push_str(&format!("{name}: {}\n", value.to_str().unwrap_or("")));
            }
        }
        let text = response.text().await.expect("body");
        self.0.push_str(&text);
        self.0.push('\n');
        (
            serde_json::from_str(&text).unwrap_or(Value::Null),
            token,
            cookie,
        )
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_a_response_or_a_log_line() {
    let database = TestDatabase::create(Backend::Sqlite).await.expect("sqlite");
    admin(
        &database.url,
        &["create-mgr-admin", "--username", MGR.0, "--password", MGR.1],
    );
    for (id, role) in [(APPLICANT, "普通用户"), (ADMIN, "管理员")] {
        admin(
            &database.url,
            &[
                "create-user",
                "--id",
                id,
                "--name",
                "李四",
                "--role",
                role,
                "--department",
                "办公室",
                "--password",
                PASSWORD,
            ],
        );
    }
    let server = ServerProcess::spawn(&database.url, &[], &[("MEDSYS_JWT_SECRET", JWT_SECRET)]);
    let base = server.base_url.clone();
    let client = http_client();
    let mut seen = Seen::default();
    let mut credentials = Vec::new();

    // mgr: a failed and a good sign-in, a listing, the profile.
    let signin = |password: &'static str| {
        client
            .post(format!("{base}/api/mgr/signin"))
            .form(&[("username", MGR.0), ("password", password)])
            .send()
    };
    seen.record(signin(WRONG_PASSWORD).await.expect("signin"))
        .await;
    let (body, _, cookie) = seen.record(signin(MGR.1).await.expect("signin")).await;
    assert_eq!(body["ret"], 0);
    let session = cookie.expect("a session cookie");
    let session_id = session
        .split(';')
        .next()
        .and_then(|pair| pair.split_once('='))
        .map(|(_, id)| id.to_owned())
        .expect("sessionid=...");
    credentials.push(session_id);
    for (path, action) in [
        ("/api/mgr/customers", "list_customer"),
        ("/api/mgr/profile", "get_my_profile"),
    ] {
        seen.record(
            client
                .get(format!("{base}{path}"))
                .query(&[("action", action), ("pagenum", "1"), ("pagesize", "10")])
                .send()
                .await
                .expect("get"),
        )
        .await;
    }

    // procurement: failed and good logins, own info, a password change, the admin's user views.
    let login = |id: &'static str, password: &'static str| {
        client
            .post(format!("{base}/user/login"))
            .json(&json!({"username": id, "password": password}))
            .send()
    };
    seen.record(login(APPLICANT, WRONG_PASSWORD).await.expect("login"))
        .await;
    let (body, token, _) = seen
        .record(login(APPLICANT, PASSWORD).await.expect("login"))
        .await;
    assert_eq!(body["code"], 1, "{body}");
    let token = token.expect("a token");
    credentials.push(token.trim_start_matches("Bearer ").to_owned());
    seen.record(
        client
            .get(format!("{base}/user/info"))
            .header("Authorization", &token)
            .query(&[("id", APPLICANT)])
            .send()
            .await
            .expect("info"),
    )
    .await;
    let (body, _, _) = seen.record(client.put(format!("{base}/user/pwd")).header("Authorization", &token)
        .json(&json!({"uid": APPLICANT, "oldPassword": PASSWORD, "newPassword": NEW_PASSWORD}))
        .send().await.expect("pwd")).await;
    assert_eq!(body["code"], 1, "{body}");
    let (body, token, _) = seen
        .record(login(ADMIN, PASSWORD).await.expect("login"))
        .await;
    assert_eq!(body["code"], 1, "{body}");
    let token = token.expect("a token");
    credentials.push(token.trim_start_matches("Bearer ").to_owned());
    seen.record(
        client
            .get(format!("{base}/admin/user/users"))
            .header("Authorization", &token)
            .query(&[("page", "1")])
            .send()
            .await
            .expect("users"),
    )
    .await;
    seen.record(
        client
            .get(format!("{base}/admin/user"))
            .header("Authorization", &token)
            .query(&[("uid", APPLICANT)])
            .send()
            .await
            .expect("user"),
    )
    .await;

    let log = server.stop();
    assert!(
        log.contains("/user/login"),
        "the server logged its requests:\n{log}"
    );
    let mut secrets: Vec<&str> = vec![
        MGR.1,
        PASSWORD,
        NEW_PASSWORD,
        WRONG_PASSWORD,
        JWT_SECRET,
        "$argon2",
    ];
    secrets.extend(credentials.iter().map(String::as_str));
    for secret in secrets {
        assert!(
            !seen.0.contains(secret),
            "a response carries `{secret}`:\n{}",
            seen.0
        );
        assert!(!log.contains(secret), "the log carries `{secret}`:\n{log}");
    }
    database.drop_database().await;
}
