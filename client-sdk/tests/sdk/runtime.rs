//! Hand-written tests of what the generated cases cannot show: tokens refreshed and shared
//! across tasks, logout, the mgr session cookie and 302, paging streams, unexpected statuses.

use futures_util::StreamExt;
use medsys_client::{Error, mgr};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

const DEPARTMENTS: &str =
    r#"{"success":true,"code":1,"msg":"成功","data":[{"id":"01","deptName":"办公室"}]}"#;
const OK_NULL: &str = r#"{"success":true,"code":1,"msg":"成功","data":null}"#;
const REFRESHED: &str = "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkxMSJ9.refreshed";
/// A token whose `sub` is the admin 12345678910.
const ADMIN_TOKEN: &str = "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkxMCJ9.admin";

#[tokio::test]
async fn a_refreshed_token_replaces_the_stored_one_for_every_task() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/department/departments"))
        .and(header_is("authorization", Some(TOKEN_VALID)))
        .respond_with(json_response(200, DEPARTMENTS).insert_header("authorization", REFRESHED))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/department/departments"))
        .and(header_is("authorization", Some(REFRESHED)))
        .respond_with(json_response(200, DEPARTMENTS))
        .expect(4)
        .mount(&server)
        .await;
    let client = procurement_client(&server, Some(TOKEN_VALID));
    client.list_departments().await.expect("first call");
    assert_eq!(token_of(&client).as_deref(), Some(REFRESHED));
    // Clones share the token, so tasks holding one see the refresh too.
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.list_departments().await })
        })
        .collect();
    for task in tasks {
        task.await
            .expect("task")
            .expect("call with the refreshed token");
    }
}

#[tokio::test]
async fn login_stores_the_token_and_logout_forgets_it() {
    let server = MockServer::start().await;
    let login_ok =
        r#"{"success":true,"code":1,"msg":"成功","data":{"loginName":"张三","role":4,"menu":[]}}"#;
    Mock::given(method("POST"))
        .and(path("/user/login"))
        .and(header_is("authorization", None))
        .respond_with(json_response(200, login_ok).insert_header("authorization", TOKEN_VALID))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/user/logout"))
        .and(header_is("authorization", Some(TOKEN_VALID)))
        .respond_with(json_response(200, OK_NULL))
        .expect(1)
        .mount(&server)
        .await;
    let client = procurement_client(&server, None);
    let login = medsys_client::procurement::LoginRequest::new("12345678911", "123456");
    let data = client.login(&login).await.expect("login");
    assert_eq!(data.login_name, "张三");
    assert_eq!(token_of(&client).as_deref(), Some(TOKEN_VALID));
    client
        .logout_for(&"12345678911".into())
        .await
        .expect("logout");
    assert_eq!(client.token(), None);
}

#[tokio::test]
async fn an_admin_logging_out_another_user_keeps_the_own_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/user/logout"))
        .and(query_param("uid", "12345678911"))
        .respond_with(json_response(200, OK_NULL))
        .mount(&server)
        .await;
    let client = procurement_client(&server, Some(ADMIN_TOKEN));
    client
        .logout_for(&"12345678911".into())
        .await
        .expect("logout");
    assert_eq!(token_of(&client).as_deref(), Some(ADMIN_TOKEN));
}

#[tokio::test]
async fn a_password_change_forgets_the_revoked_token_and_a_refused_one_keeps_it() {
    let server = MockServer::start().await;
    let change = |new_password: &str| {
        medsys_client::procurement::ChangePasswordRequest::new("123456", new_password)
            .with_uid("12345678911")
    };
    Mock::given(method("PUT"))
        .and(path("/user/pwd"))
        .and(json_body(
            r#"{"uid":"12345678911","oldPassword":"123456","newPassword":"12345"}"#,
        ))
        .respond_with(json_response(
            200,
            r#"{"success":false,"code":12,"msg":"参数错误","data":null}"#,
        ))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/user/pwd"))
        .and(json_body(
            r#"{"uid":"12345678911","oldPassword":"123456","newPassword":"Abc123456"}"#,
        ))
        .respond_with(json_response(200, OK_NULL))
        .mount(&server)
        .await;
    let client = procurement_client(&server, Some(TOKEN_VALID));
    let refused = client.change_password(&change("12345")).await;
    assert!(
        matches!(refused, Err(Error::Procurement { .. })),
        "{refused:?}"
    );
    assert_eq!(token_of(&client).as_deref(), Some(TOKEN_VALID));
    client
        .change_password(&change("Abc123456"))
        .await
        .expect("changed");
    assert_eq!(client.token(), None);
}

#[tokio::test]
async fn an_admin_updating_themselves_forgets_the_token_and_updating_another_keeps_it() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/admin/user"))
        .respond_with(json_response(200, OK_NULL))
        .expect(2)
        .mount(&server)
        .await;
    let update = |id: &str| {
        medsys_client::procurement::UserUpdate::new(
            id,
            "管理员",
            "办公室",
            medsys_client::procurement::RoleName::管理员,
        )
    };
    let client = procurement_client(&server, Some(ADMIN_TOKEN));
    client
        .admin_update_user(&update("12345678911"))
        .await
        .expect("updated");
    assert_eq!(token_of(&client).as_deref(), Some(ADMIN_TOKEN));
    client
        .admin_update_user(&update("12345678910"))
        .await
        .expect("updated");
    assert_eq!(client.token(), None);
}

#[tokio::test]
async fn mgr_302_is_not_logged_in_and_is_not_followed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/mgr/customers"))
        .respond_with(
            ResponseTemplate::new(302)
                .set_body_raw(r#"{"ret":302,"msg":"请先登录"}"#, "application/json")
                .insert_header("location", "/elsewhere"),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/elsewhere"))
        .respond_with(json_response(200, r#"{"ret":0,"retlist":[],"total":0}"#))
        .expect(0)
        .mount(&server)
        .await;
    let client = mgr::Client::new(&server.uri()).expect("client");
    let result = client.list_customer(10, 1).await;
    assert!(
        matches!(result, Err(Error::NotLoggedIn { .. })),
        "{result:?}"
    );
}

#[tokio::test]
async fn signin_keeps_the_session_cookie_and_signout_drops_it() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/mgr/signin"))
        .and(form_body(&[("username", "admin"), ("password", "pw")]))
        .respond_with(
            json_response(200, r#"{"ret":0,"msg":"登录成功"}"#)
                .insert_header("set-cookie", "sessionid=abc123; HttpOnly; Path=/"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/mgr/customers"))
        .and(header_is("cookie", Some("sessionid=abc123")))
        .respond_with(json_response(200, r#"{"ret":0,"retlist":[],"total":0}"#))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/mgr/signout"))
        .and(header_is("cookie", Some("sessionid=abc123")))
        .respond_with(
            json_response(200, r#"{"ret":0,"msg":"登出成功"}"#)
                .insert_header("set-cookie", "sessionid=\"\"; Max-Age=0; Path=/"),
        )
        .mount(&server)
        .await;
    let client = mgr::Client::new(&server.uri()).expect("client");
    let form = mgr::SigninForm::new("admin", "pw");
    client.signin(&form).await.expect("signin");
    assert_eq!(session_of(&client).as_deref(), Some("abc123"));
    let page = client.list_customer(10, 1).await.expect("list");
    assert_eq!(page.total, 0);
    client.signout().await.expect("signout");
    assert_eq!(client.session_id(), None);
}

#[tokio::test]
async fn mgr_stream_yields_every_item_across_pages() {
    let server = MockServer::start().await;
    let pages = [
        (
            1,
            r#"{"ret":0,"retlist":[{"id":3,"name":"c","phonenumber":"3","address":"x"},{"id":2,"name":"b","phonenumber":"2","address":"x"}],"total":3}"#,
        ),
        (
            2,
            r#"{"ret":0,"retlist":[{"id":1,"name":"a","phonenumber":"1","address":"x"}],"total":3}"#,
        ),
    ];
    for (number, body) in pages {
        Mock::given(method("GET"))
            .and(path("/api/mgr/customers"))
            .and(query_param("pagenum", number.to_string()))
            .and(query_param("pagesize", "2"))
            .respond_with(json_response(200, body))
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = mgr_client(&server, true);
    let ids: Vec<i64> = client
        .list_customer_stream(2)
        .map(|customer| customer.expect("customer").id)
        .collect()
        .await;
    assert_eq!(ids, [3, 2, 1]);
}

#[tokio::test]
async fn procurement_stream_stops_at_the_last_page_and_at_errors() {
    let server = MockServer::start().await;
    let user = |id: &str| {
        format!(
            r#"{{"id":"{id}","username":"u","password":null,"department":"办公室","role":"普通用户"}}"#
        )
    };
    let page = |content: String, number: i64| {
        format!(
            r#"{{"success":true,"code":1,"msg":"成功","data":{{"content":[{content}],"totalPages":2,"totalElements":3,"size":10,"number":{number}}}}}"#
        )
    };
    let first = page(
        format!("{},{}", user("12345678911"), user("12345678912")),
        0,
    );
    let second = page(user("12345678913"), 1);
    for (number, body) in [("1", first), ("2", second)] {
        Mock::given(method("GET"))
            .and(path("/admin/user/users"))
            .and(query_param("page", number))
            .respond_with(json_response(200, &body))
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = procurement_client(&server, Some(ADMIN_TOKEN));
    let users: Vec<String> = client
        .admin_list_users_stream()
        .map(|user| user.expect("user").id.to_string())
        .collect()
        .await;
    assert_eq!(users, ["12345678911", "12345678912", "12345678913"]);

    let failing = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(json_response(
            200,
            r#"{"success":false,"code":31,"msg":"没有权限","data":null}"#,
        ))
        .expect(1)
        .mount(&failing)
        .await;
    let client = procurement_client(&failing, Some(TOKEN_VALID));
    let results: Vec<_> = client.admin_list_users_stream().collect().await;
    assert_eq!(results.len(), 1);
    assert_eq!(
        results[0].as_ref().err().and_then(Error::procurement_code),
        Some(medsys_client::procurement::Code::NoPermission)
    );
}

#[tokio::test]
async fn undocumented_statuses_and_unknown_codes_are_typed() {
    let server = MockServer::start().await;
    Mock::given(path("/department/departments"))
        .respond_with(ResponseTemplate::new(500).set_body_string("boom"))
        .mount(&server)
        .await;
    Mock::given(path("/notice"))
        .respond_with(json_response(
            200,
            r#"{"success":false,"code":77,"msg":"新","data":null}"#,
        ))
        .mount(&server)
        .await;
    let client = procurement_client(&server, Some(TOKEN_VALID));
    match client.list_departments().await {
        Err(Error::UnexpectedStatus { status, body, .. }) => {
            assert_eq!(status.as_u16(), 500);
            assert_eq!(body, "boom");
        }
        other => panic!("expected UnexpectedStatus, got {other:?}"),
    }
    match client.get_notice(1.into()).await {
        Err(Error::Procurement { code, msg, .. }) => {
            assert_eq!(code, medsys_client::procurement::Code::Unknown(77));
            assert_eq!(msg, "新");
        }
        other => panic!("expected an envelope error, got {other:?}"),
    }
}
