//! The SDK in the field: a server that grows enum values and fields, a proxy that answers HTML,
//! retries, response metadata, secrets kept out of `Debug`, and the token rules when many tasks
//! share a client while the server refreshes its token.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use medsys_client::procurement::{
    self, Code, ImportRowMessage, ListOrdersParams, LoginDataRole, LoginRequest, OrderStatus,
    UserImportUpload,
};
use medsys_client::{Error, MAX_ERROR_BODY, RetryPolicy, Token, Upload, mgr};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

const DEPARTMENTS: &str =
    r#"{"success":true,"code":1,"msg":"成功","data":[{"id":"01","deptName":"办公室"}]}"#;
const TOKEN_INVALID: &str = r#"{"success":false,"code":2,"msg":"token失效","data":null}"#;

/// A token-shaped `Authorization` value for user `sub` that expires at `exp`; `tag` tells
/// tokens with the same claims apart, as the server's random `jti` does.
fn jwt(sub: &str, exp: u64, tag: &str) -> String {
    let claims = format!(r#"{{"sub":"{sub}","exp":{exp}}}"#);
    format!(
        "Bearer eyJhbGciOiJIUzI1NiJ9.{}.{tag}",
        base64url(claims.as_bytes())
    )
}

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let mut buffer = [0u8; 3];
        buffer[..chunk.len()].copy_from_slice(chunk);
        let n = u32::from(buffer[0]) << 16 | u32::from(buffer[1]) << 8 | u32::from(buffer[2]);
        for at in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * at)) & 63) as usize]));
        }
    }
    out
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

fn quick_retries(retries: u32) -> RetryPolicy {
    RetryPolicy::new(retries)
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(5))
}

// Forward compatibility: values and members the spec does not (yet) list.

#[tokio::test]
async fn an_unknown_status_and_unknown_members_in_a_page_decode() {
    let server = MockServer::start().await;
    let page = r#"{"success":true,"code":1,"msg":"成功","data":{
        "content":[{"id":"20210104","applyDepartment":"办公室","applyUser":"张三","fundCode":"123456",
            "applyDate":null,"total":5000.0,"status":7,"orderLists":[],"uid":"12345678911",
            "withdrawalReason":null,"createTime":"2021年01月18日","updateTime":"2021年01月18日",
            "priority":"high"}],
        "totalPages":1,"totalElements":1,"size":10,"number":0,"sort":{"sorted":true}}}"#;
    Mock::given(method("GET"))
        .and(path("/order/orders"))
        .respond_with(json_response(200, page))
        .mount(&server)
        .await;
    let client = procurement_client(&server, Some(TOKEN_VALID));
    let page = client
        .list_orders(&ListOrdersParams::default())
        .await
        .expect("a page with a status the spec does not list");
    assert_eq!(page.content[0].status, OrderStatus::Unknown(7));
    assert_eq!(page.content[0].status.value(), 7);
}

#[tokio::test]
async fn an_unknown_role_in_login_data_decodes_and_the_token_is_kept() {
    let server = MockServer::start().await;
    let data = r#"{"success":true,"code":1,"msg":"成功","data":{"loginName":"审计员","role":9,"menu":[],"theme":"dark"}}"#;
    Mock::given(method("POST"))
        .and(path("/user/login"))
        .respond_with(json_response(200, data).insert_header("authorization", TOKEN_ISSUED))
        .mount(&server)
        .await;
    let client = procurement_client(&server, None);
    let data = client
        .login(&LoginRequest::new("12345678911", "123456"))
        .await
        .expect("login with a new role");
    assert_eq!(data.role, LoginDataRole::Unknown(9));
    assert_eq!(token_of(&client).as_deref(), Some(TOKEN_ISSUED));
}

#[tokio::test]
async fn an_unknown_import_message_decodes_so_a_committed_import_is_reported() {
    let server = MockServer::start().await;
    let data = r#"{"success":true,"code":1,"msg":"成功","data":{"success":1,"count":2,
        "result":[{"no":"1","message":"成功"},{"no":"2","message":"用户已停用"}]}}"#;
    Mock::given(method("POST"))
        .and(path("/admin/user/batchAdd"))
        .respond_with(json_response(200, data))
        .mount(&server)
        .await;
    let client = procurement_client(&server, Some(TOKEN_VALID));
    let upload = UserImportUpload::new(Upload::new(
        b"PK".to_vec(),
        "users.xlsx",
        "application/octet-stream",
    ));
    let result = client.admin_import_users(upload).await.expect("import");
    assert_eq!(result.result[0].message, ImportRowMessage::成功);
    assert_eq!(
        result.result[1].message,
        ImportRowMessage::Unknown("用户已停用".to_owned())
    );
    assert_eq!(result.result[1].message.as_str(), "用户已停用");
}

// Errors: status, request id, bounded bodies.

#[tokio::test]
async fn a_proxy_html_502_is_an_unexpected_status_with_a_truncated_body_and_the_request_id() {
    let server = MockServer::start().await;
    let page = format!(
        "<html><body><h1>502 Bad Gateway</h1>{}</body></html>",
        "<p>upstream unavailable</p>".repeat(400)
    );
    Mock::given(method("GET"))
        .and(path("/department/departments"))
        .respond_with(
            ResponseTemplate::new(502)
                .set_body_raw(page.clone().into_bytes(), "text/html")
                .insert_header("x-request-id", "proxy-7f3a"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = procurement_client(&server, Some(TOKEN_VALID));
    let error = client.list_departments().await.expect_err("a 502");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(502));
    assert_eq!(error.request_id(), Some("proxy-7f3a"));
    match &error {
        Error::UnexpectedStatus { body, .. } => {
            assert!(body.starts_with("<html><body><h1>502 Bad Gateway</h1>"));
            assert!(body.len() < MAX_ERROR_BODY + 40, "{} bytes", body.len());
            assert!(
                body.ends_with(&format!("({} bytes in all)", page.len())),
                "{body}"
            );
        }
        other => panic!("expected UnexpectedStatus, got {other:?}"),
    }
    assert!(
        error.to_string().contains("request id proxy-7f3a"),
        "{error}"
    );
}

#[tokio::test]
async fn envelope_errors_carry_the_http_status_and_the_request_id() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/department/departments"))
        .respond_with(json_response(200, TOKEN_INVALID).insert_header("x-request-id", "req-42"))
        .mount(&server)
        .await;
    let client = procurement_client(&server, Some(TOKEN_VALID));
    let error = client.list_departments().await.expect_err("refused");
    assert_eq!(error.procurement_code(), Some(Code::TokenInvalid));
    assert_eq!(error.status().map(|s| s.as_u16()), Some(200));
    assert_eq!(error.request_id(), Some("req-42"));
}

#[tokio::test]
async fn with_response_returns_status_headers_and_request_id_and_hides_the_token() {
    let server = MockServer::start().await;
    let data =
        r#"{"success":true,"code":1,"msg":"成功","data":{"loginName":"张三","role":4,"menu":[]}}"#;
    Mock::given(method("POST"))
        .and(path("/user/login"))
        .respond_with(
            json_response(200, data)
                .insert_header("authorization", TOKEN_ISSUED)
                .insert_header("x-request-id", "login-1"),
        )
        .mount(&server)
        .await;
    let client = procurement_client(&server, None);
    let response = client
        .login_with_response(&LoginRequest::new("12345678911", "123456"))
        .await
        .expect("login");
    assert_eq!(response.value.login_name, "张三");
    assert_eq!(response.meta.operation(), "login");
    assert_eq!(response.meta.status().as_u16(), 200);
    assert_eq!(response.meta.request_id(), Some("login-1"));
    assert_eq!(response.meta.attempts(), 1);
    assert_eq!(
        response
            .meta
            .headers()
            .get("authorization")
            .map(|v| v.as_bytes()),
        Some(&b"<redacted>"[..])
    );
    assert!(!format!("{response:?}").contains("eyJ"), "{response:?}");
    assert_eq!(token_of(&client).as_deref(), Some(TOKEN_ISSUED));
}

// Retries: only idempotent methods, only transport errors and 502/503/504.

#[tokio::test]
async fn an_idempotent_call_is_retried_after_503_until_it_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/department/departments"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .expect(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/department/departments"))
        .respond_with(json_response(200, DEPARTMENTS))
        .expect(1)
        .with_priority(2)
        .mount(&server)
        .await;
    let client = procurement::Client::builder(&server.uri())
        .retry(quick_retries(3))
        .build()
        .expect("client");
    client.set_token(Some(TOKEN_VALID.into()));
    let response = client
        .list_departments_with_response()
        .await
        .expect("third attempt");
    assert_eq!(response.meta.attempts(), 3);
}

#[tokio::test]
async fn retries_stop_at_the_policy_limit() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/department/departments"))
        .respond_with(ResponseTemplate::new(504))
        .expect(3)
        .mount(&server)
        .await;
    let client = procurement::Client::builder(&server.uri())
        .retry(quick_retries(2))
        .build()
        .expect("client");
    let error = client.list_departments().await.expect_err("always 504");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(504));
}

#[tokio::test]
async fn a_post_is_never_retried_and_no_policy_means_no_retry() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/user/login"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/department/departments"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let retrying = procurement::Client::builder(&server.uri())
        .retry(quick_retries(3))
        .build()
        .expect("client");
    let error = retrying
        .login(&LoginRequest::new("12345678911", "123456"))
        .await
        .expect_err("503");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    let plain = procurement::Client::new(&server.uri()).expect("client");
    plain.list_departments().await.expect_err("503");
}

#[tokio::test]
async fn other_errors_are_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/department/departments"))
        .respond_with(ResponseTemplate::new(500))
        .expect(1)
        .mount(&server)
        .await;
    let client = procurement::Client::builder(&server.uri())
        .retry(quick_retries(3))
        .build()
        .expect("client");
    client.list_departments().await.expect_err("500");
}

#[tokio::test]
async fn a_timed_out_attempt_is_a_transport_error_and_is_retried_when_idempotent() {
    let slow = json_response(200, DEPARTMENTS).set_delay(Duration::from_secs(2));
    // A server that always answers late: without retries, the call times out.
    let late = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/department/departments"))
        .respond_with(slow.clone())
        .mount(&late)
        .await;
    let impatient = procurement::Client::builder(&late.uri())
        .timeout(Duration::from_millis(200))
        .build()
        .expect("client");
    let error = impatient.list_departments().await.expect_err("timed out");
    assert!(
        matches!(&error, Error::Transport(inner) if inner.is_timeout()),
        "{error:?}"
    );
    // A server whose first answer is late and the next ones on time: the retry succeeds.
    let once_late = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/department/departments"))
        .respond_with(slow)
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&once_late)
        .await;
    Mock::given(method("GET"))
        .and(path("/department/departments"))
        .respond_with(json_response(200, DEPARTMENTS))
        .with_priority(2)
        .mount(&once_late)
        .await;
    let retrying = procurement::Client::builder(&once_late.uri())
        .timeout(Duration::from_millis(200))
        .retry(quick_retries(1))
        .build()
        .expect("client");
    let response = retrying
        .list_departments_with_response()
        .await
        .expect("answered on time at the second attempt");
    assert_eq!(response.meta.attempts(), 2);
}

#[tokio::test]
async fn the_user_agent_is_the_sdks_unless_configured() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/department/departments"))
        .and(header_is(
            "user-agent",
            Some(concat!("medsys-client/", env!("CARGO_PKG_VERSION"))),
        ))
        .respond_with(json_response(200, DEPARTMENTS))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/department/departments"))
        .and(header_is("user-agent", Some("purchasing-report/1.4")))
        .respond_with(json_response(200, DEPARTMENTS))
        .expect(2)
        .mount(&server)
        .await;
    procurement::Client::new(&server.uri())
        .expect("client")
        .list_departments()
        .await
        .expect("default agent");
    procurement::Client::builder(&server.uri())
        .user_agent("purchasing-report/1.4")
        .build()
        .expect("client")
        .list_departments()
        .await
        .expect("own agent");
    // With a caller's own reqwest client, the builder's agent still applies per request.
    procurement::Client::builder(&server.uri())
        .http_client(reqwest::Client::new())
        .user_agent("purchasing-report/1.4")
        .build()
        .expect("client")
        .list_departments()
        .await
        .expect("own client, own agent");
    let invalid = procurement::Client::builder(&server.uri())
        .user_agent("bad\nagent")
        .build();
    assert!(
        matches!(invalid, Err(Error::InvalidConfig { .. })),
        "{invalid:?}"
    );
}

// Secrets.

#[tokio::test]
async fn debug_output_never_shows_tokens_sessions_or_passwords() {
    let server = MockServer::start().await;
    let client = procurement_client(&server, Some(TOKEN_VALID));
    let shown = format!("{client:?}");
    assert!(!shown.contains("eyJ"), "{shown}");
    let shown = format!("{:?}", client.token());
    assert!(!shown.contains("eyJ"), "{shown}");
    let shown = format!("{:?}", LoginRequest::new("12345678911", "s3cret-pw"));
    assert!(
        !shown.contains("s3cret-pw") && shown.contains("12345678911"),
        "{shown}"
    );
    let shown = format!(
        "{:?}",
        procurement::ChangePasswordRequest::new("old-s3cret", "new-s3cret")
    );
    assert!(!shown.contains("s3cret"), "{shown}");
    let shown = format!(
        "{:?}",
        procurement::UserCreate::new(
            "12345678911",
            "张三",
            "user-s3cret",
            "办公室",
            procurement::RoleName::普通用户
        )
    );
    assert!(!shown.contains("s3cret"), "{shown}");
    let shown = format!("{:?}", mgr::SigninForm::new("admin", "mgr-s3cret"));
    assert!(!shown.contains("s3cret"), "{shown}");
    let mgr_client = mgr_client(&server, true);
    let shown = format!("{mgr_client:?}");
    assert!(!shown.contains(SESSION_ID), "{shown}");
}

// The caller's own user id.

#[tokio::test]
async fn the_callers_uid_is_read_from_the_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/notice/count"))
        .and(query_param("uid", "12345678911"))
        .respond_with(json_response(
            200,
            r#"{"success":true,"code":1,"msg":"成功","data":3}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    let client = procurement_client(&server, Some(TOKEN_VALID));
    assert_eq!(client.count_unread_notices().await.expect("count"), 3);
    let anonymous = procurement_client(&server, None);
    assert!(matches!(
        anonymous.count_unread_notices().await,
        Err(Error::NoToken)
    ));
}

// Tokens shared by many tasks.

#[tokio::test]
async fn a_late_refresh_never_replaces_the_token_of_a_newer_login() {
    let server = MockServer::start().await;
    let old = jwt("12345678911", now() + 3000, "old");
    let refreshed = jwt("12345678911", now() + 3600, "refreshed");
    let login = jwt("12345678911", now() + 3600, "login");
    // The refresh of the old token answers late ...
    Mock::given(method("GET"))
        .and(path("/department/departments"))
        .and(header_is_owned("authorization", &old))
        .respond_with(
            json_response(200, DEPARTMENTS)
                .insert_header("authorization", refreshed.as_str())
                .set_delay(Duration::from_millis(300)),
        )
        .mount(&server)
        .await;
    // ... after a new login has answered.
    Mock::given(method("POST"))
        .and(path("/user/login"))
        .respond_with(
            json_response(
                200,
                r#"{"success":true,"code":1,"msg":"成功","data":{"loginName":"张三","role":4,"menu":[]}}"#,
            )
            .insert_header("authorization", login.as_str()),
        )
        .mount(&server)
        .await;
    let client = procurement_client(&server, Some(&old));
    let slow = {
        let client = client.clone();
        tokio::spawn(async move { client.list_departments().await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    client
        .login(&LoginRequest::new("12345678911", "123456"))
        .await
        .expect("login");
    slow.await.expect("task").expect("departments");
    assert_eq!(token_of(&client), Some(login));
}

#[tokio::test]
async fn a_request_refused_because_another_refreshed_the_token_is_retried_with_the_new_one() {
    let server = MockServer::start().await;
    let old = jwt("12345678911", now() + 300, "old");
    let new = jwt("12345678911", now() + 3600, "new");
    // The server refreshes on the order request (slow) and refuses the old token on the
    // departments request that arrives meanwhile.
    Mock::given(method("GET"))
        .and(path("/order"))
        .and(header_is_owned("authorization", &old))
        .respond_with(
            json_response(
                200,
                r#"{"success":false,"code":0,"msg":"申请单不存在","data":null}"#,
            )
            .insert_header("authorization", new.as_str())
            .set_delay(Duration::from_millis(300)),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/department/departments"))
        .and(header_is_owned("authorization", &old))
        .respond_with(json_response(200, TOKEN_INVALID))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/department/departments"))
        .and(header_is_owned("authorization", &new))
        .respond_with(json_response(200, DEPARTMENTS))
        .expect(1)
        .mount(&server)
        .await;
    // No single flight here (window 0), to show the retry on its own.
    let client = procurement::Client::builder(&server.uri())
        .refresh_window(Duration::ZERO)
        .build()
        .expect("client");
    client.set_token(Some(Token::new(old)));
    let order = {
        let client = client.clone();
        tokio::spawn(async move { client.get_order(&"20219999".into()).await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    let departments = client.list_departments().await;
    assert!(departments.is_ok(), "{departments:?}");
    assert!(order.await.expect("task").is_err());
    assert_eq!(token_of(&client), Some(new));
}

#[tokio::test]
async fn a_token_refused_for_good_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/department/departments"))
        .respond_with(json_response(200, TOKEN_INVALID))
        .expect(1)
        .mount(&server)
        .await;
    let client = procurement_client(&server, Some(TOKEN_VALID));
    let error = client.list_departments().await.expect_err("token失效");
    assert_eq!(error.procurement_code(), Some(Code::TokenInvalid));
}

#[tokio::test]
async fn inside_the_refresh_window_requests_go_one_at_a_time() {
    let server = MockServer::start().await;
    let expiring = jwt("12345678911", now() + 120, "expiring");
    let fresh = jwt("12345678911", now() + 3600, "fresh");
    Mock::given(method("GET"))
        .and(path("/department/departments"))
        .and(header_is_owned("authorization", &expiring))
        .respond_with(
            json_response(200, DEPARTMENTS)
                .insert_header("authorization", fresh.as_str())
                .set_delay(Duration::from_millis(100)),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/department/departments"))
        .and(header_is_owned("authorization", &fresh))
        .respond_with(json_response(200, DEPARTMENTS))
        .expect(7)
        .mount(&server)
        .await;
    let client = procurement_client(&server, Some(&expiring));
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.list_departments().await })
        })
        .collect();
    for task in tasks {
        task.await.expect("task").expect("departments");
    }
    assert_eq!(token_of(&client), Some(fresh));
}

// Observability.

/// A `tracing` writer into a shared buffer.
#[cfg(feature = "tracing")]
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

#[cfg(feature = "tracing")]
impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("buffer").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs only with the `tracing` feature, which the workspace's test build turns on (the
/// server's tests depend on the SDK with it), so `cargo test --workspace` runs it.
#[cfg(feature = "tracing")]
#[tokio::test]
async fn each_call_is_a_span_with_operation_status_and_duration_and_no_secret() {
    use tracing_subscriber::fmt::format::FmtSpan;

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/notice/count"))
        .respond_with(json_response(
            200,
            r#"{"success":true,"code":1,"msg":"成功","data":0}"#,
        ))
        .mount(&server)
        .await;
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(false)
        .with_max_level(tracing::Level::DEBUG)
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    let client = procurement_client(&server, Some(TOKEN_VALID));
    client.count_unread_notices().await.expect("count");
    drop(guard);
    let output = String::from_utf8(captured.0.lock().expect("buffer").clone()).expect("utf-8");
    assert!(output.contains("medsys_client.call"), "{output}");
    assert!(
        output.contains("operation=\"count_unread_notices\""),
        "{output}"
    );
    assert!(output.contains("http.path=\"/notice/count\""), "{output}");
    assert!(output.contains("http.status=200"), "{output}");
    assert!(output.contains("duration_ms="), "{output}");
    assert!(!output.contains("eyJ"), "a token in the trace: {output}");
    assert!(
        !output.contains("12345678911"),
        "a parameter value in the trace: {output}"
    );
}

#[tokio::test]
async fn a_body_uid_left_unset_is_the_callers_own_and_one_set_is_sent_as_is() {
    let server = MockServer::start().await;
    let ok = r#"{"success":true,"code":1,"msg":"成功","data":null}"#;
    Mock::given(method("PUT"))
        .and(path("/user/pwd"))
        .and(json_body(
            r#"{"uid":"12345678911","oldPassword":"123456","newPassword":"Abc123456"}"#,
        ))
        .respond_with(json_response(200, ok))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/user/pwd"))
        .and(json_body(
            r#"{"uid":"12345678912","oldPassword":"123456","newPassword":"Abc123456"}"#,
        ))
        .respond_with(json_response(200, ok))
        .expect(1)
        .mount(&server)
        .await;
    let change = procurement::ChangePasswordRequest::new("123456", "Abc123456");
    procurement_client(&server, Some(TOKEN_VALID))
        .change_password(&change)
        .await
        .expect("own uid");
    procurement_client(&server, Some(TOKEN_VALID))
        .change_password(&change.clone().with_uid("12345678912"))
        .await
        .expect("the uid as set");
    let anonymous = procurement_client(&server, None)
        .change_password(&change)
        .await;
    assert!(matches!(anonymous, Err(Error::NoToken)), "{anonymous:?}");
}
