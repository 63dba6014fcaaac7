//! signin, signout, and the 302 of every protected operation, through the SDK.
//!
//! The cookie's attributes, the JSON signin body, a signin without a password and the raw 302
//! (its body, no `Location`) are checked over raw HTTP, because the typed SDK cannot express them.

use medsys_client::SessionId;
use medsys_client::mgr::{
    self, DelCustomerRequest, DelMedicineRequest, DelOrderRequest, ModifyCustomerRequest,
    ModifyMedicineRequest, ModifyMyProfileRequest, ModifyOrderRequest,
};
use reqwest::{Method, header};
use serde_json::json;

use crate::{on_every_backend, support::*};

/// Every protected operation: method, path, and the request that would otherwise succeed.
pub fn protected_operations() -> Vec<(
    Method,
    &'static str,
    Option<serde_json::Value>,
    &'static str,
)> {
    vec![
        (Method::GET, "/api/mgr/signout", None, ""),
        (
            Method::GET,
            "/api/mgr/customers",
            None,
            "action=list_customer&pagenum=1&pagesize=5",
        ),
        (
            Method::POST,
            "/api/mgr/customers",
            Some(
                json!({"action": "add_customer", "data": {"name": "n", "phonenumber": "1", "address": "a"}}),
            ),
            "",
        ),
        (
            Method::PUT,
            "/api/mgr/customers",
            Some(
                json!({"action": "modify_customer", "id": 1, "newdata": {"name": "n", "phonenumber": "1", "address": "a"}}),
            ),
            "",
        ),
        (
            Method::DELETE,
            "/api/mgr/customers",
            Some(json!({"action": "del_customer", "id": 1})),
            "",
        ),
        (
            Method::GET,
            "/api/mgr/medicines",
            None,
            "action=list_medicine&pagenum=1&pagesize=5",
        ),
        (
            Method::POST,
            "/api/mgr/medicines",
            Some(json!({"action": "add_medicine", "data": {"name": "n", "desc": "d", "sn": "1"}})),
            "",
        ),
        (
            Method::PUT,
            "/api/mgr/medicines",
            Some(
                json!({"action": "modify_medicine", "id": 1, "newdata": {"name": "n", "desc": "d", "sn": "1"}}),
            ),
            "",
        ),
        (
            Method::DELETE,
            "/api/mgr/medicines",
            Some(json!({"action": "del_medicine", "id": 1})),
            "",
        ),
        (
            Method::GET,
            "/api/mgr/orders",
            None,
            "action=list_order&pagenum=1&pagesize=5",
        ),
        (
            Method::POST,
            "/api/mgr/orders",
            Some(
                json!({"action": "add_order", "data": {"name": "n", "customerid": 1, "medicinelist": []}}),
            ),
            "",
        ),
        (
            Method::PUT,
            "/api/mgr/orders",
            Some(json!({"action": "modify_order", "id": 1, "data": {"name": "n"}})),
            "",
        ),
        (
            Method::DELETE,
            "/api/mgr/orders",
            Some(json!({"action": "del_order", "id": 1})),
            "",
        ),
        (
            Method::GET,
            "/api/mgr/profile",
            None,
            "action=get_my_profile",
        ),
        (
            Method::PUT,
            "/api/mgr/profile",
            Some(json!({"action": "modify_my_profile", "profile": {"nickname": "n"}})),
            "",
        ),
    ]
}

async fn every_protected_operation(api: &Api) -> Vec<(String, Reply)> {
    let mut replies = Vec::new();
    for (method, path, body, query) in protected_operations() {
        let url = if query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{query}")
        };
        let mut request = api.request(method.clone(), &url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        replies.push((format!("{method} {url}"), api.send(request).await));
    }
    replies
}

/// Every protected operation through the SDK, each with a request that would otherwise succeed
/// or be refused by the envelope.
async fn every_sdk_operation(
    client: &mgr::Client,
) -> Vec<(&'static str, medsys_client::Result<()>)> {
    vec![
        ("list_customer", client.list_customer(5, 1).await.map(drop)),
        (
            "add_customer",
            client
                .add_customer(&new_customer("n", "1", "a"))
                .await
                .map(drop),
        ),
        (
            "modify_customer",
            client
                .modify_customer(&ModifyCustomerRequest::new(1, mgr::CustomerNewData::new()))
                .await,
        ),
        (
            "del_customer",
            client.del_customer(&DelCustomerRequest::new(1)).await,
        ),
        ("list_medicine", client.list_medicine(5, 1).await.map(drop)),
        (
            "add_medicine",
            client
                .add_medicine(&new_medicine("n", "d", "1"))
                .await
                .map(drop),
        ),
        (
            "modify_medicine",
            client
                .modify_medicine(&ModifyMedicineRequest::new(1, medicine_data("n", "d", "1")))
                .await,
        ),
        (
            "del_medicine",
            client.del_medicine(&DelMedicineRequest::new(1)).await,
        ),
        ("list_order", client.list_order(5, 1).await.map(drop)),
        (
            "add_order",
            client
                .add_order(&new_mgr_order("n", 1, &[]))
                .await
                .map(drop),
        ),
        (
            "modify_order",
            client
                .modify_order(&ModifyOrderRequest::new(1, mgr::ModifyOrderData::new()))
                .await,
        ),
        (
            "del_order",
            client.del_order(&DelOrderRequest::new(1)).await,
        ),
        ("get_my_profile", client.get_my_profile().await.map(drop)),
        (
            "modify_my_profile",
            client
                .modify_my_profile(&ModifyMyProfileRequest::new(mgr::ProfileInput::new()))
                .await,
        ),
        // Last: with a session, it would end it.
        ("signout", client.signout().await),
    ]
}

/// An SDK client that sends `session_id` as its session.
fn with_session(server: &TestServer, session_id: Option<SessionId>) -> mgr::Client {
    let client = server.mgr();
    client.set_session_id(session_id);
    client
}

on_every_backend! {
    async fn signin_keeps_the_session_cookie(server: TestServer) {
        server.create_account("boss", "boss-password", true, true).await;
        let client = server.mgr();
        client.signin(&credentials("boss", "boss-password")).await.expect("signed in");
        assert!(client.session_id().is_some(), "the SDK keeps the session cookie");
        assert_eq!(client.get_my_profile().await.expect("profile").profile,
            mgr::Profile::new(None, None, None));
    }

    async fn signin_with_a_wrong_password_or_unknown_user_is_refused(server: TestServer) {
        server.create_account("boss", "boss-password", true, true).await;
        let client = server.mgr();
        assert_mgr_refused(client.signin(&credentials("boss", "not-the-password")).await, 1, "错误的用户名或密码");
        assert_mgr_refused(client.signin(&credentials("nobody", "boss-password")).await, 1, "错误的用户名或密码");
        assert_mgr_refused(client.signin(&credentials("boss", "")).await, 1, "错误的用户名或密码");
        assert_eq!(client.session_id(), None);
        let api = server.client();
        api.send(api.request(Method::POST, "/api/mgr/signin").form(&[("username", "boss")]))
            .await
            .expect(200, json!({"ret": 1, "msg": "错误的用户名或密码"}));
    }

    async fn signin_of_an_account_that_is_not_an_admin_is_refused(server: TestServer) {
        server.create_account("clerk", "clerk-password", false, true).await;
        let client = server.mgr();
        assert_mgr_refused(client.signin(&credentials("clerk", "clerk-password")).await, 1, "请使用管理员账户登录");
        assert_eq!(client.session_id(), None);
    }

    async fn signin_of_an_inactive_account_is_refused(server: TestServer) {
        server.create_account("gone", "gone-password", true, false).await;
        let client = server.mgr();
        assert_mgr_refused(client.signin(&credentials("gone", "gone-password")).await, 1, "账户无权限登录");
        assert_eq!(client.session_id(), None);
    }

    async fn signout_ends_the_session(server: TestServer) {
        let admin = server.mgr_admin().await;
        let session = admin.session_id();
        admin.signout().await.expect("signed out");
        assert_eq!(admin.session_id(), None, "the SDK forgets the session");
        assert_not_logged_in(admin.get_my_profile().await);
        // The server ended it too: the old id no longer opens anything.
        assert_not_logged_in(with_session(&server, session).get_my_profile().await);
    }

    async fn every_sdk_operation_without_a_session_is_not_logged_in(server: TestServer) {
        let client = server.mgr();
        for (operation, result) in every_sdk_operation(&client).await {
            assert!(matches!(result, Err(medsys_client::Error::NotLoggedIn { .. })), "{operation}: {result:?}");
        }
    }

    async fn a_forged_or_old_session_is_not_logged_in(server: TestServer) {
        let forged = with_session(&server, Some("ab".repeat(32).into()));
        assert_not_logged_in(forged.get_my_profile().await);
        let admin = server.mgr_admin().await;
        let old = admin.session_id();
        admin.signout().await.expect("signed out");
        let stale = with_session(&server, old);
        for (operation, result) in every_sdk_operation(&stale).await {
            assert!(matches!(result, Err(medsys_client::Error::NotLoggedIn { .. })), "{operation} after signout: {result:?}");
        }
    }

    async fn signin_with_a_form_sets_an_http_only_lax_session_cookie(server: TestServer) {
        server.create_account("boss", "boss-password", true, true).await;
        let reply = server.client().signin("boss", "boss-password").await;
        reply.expect(200, json!({"ret": 0, "msg": "登录成功"}));
        let cookie = reply.headers.get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(cookie.starts_with("sessionid="), "{cookie}");
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"), "{cookie}");
    }

    async fn signin_accepts_a_json_body(server: TestServer) {
        server.create_account("boss", "boss-password", true, true).await;
        let api = server.client();
        api.post("/api/mgr/signin", json!({"username": "boss", "password": "boss-password"}))
            .await
            .expect(200, json!({"ret": 0, "msg": "登录成功"}));
        api.get("/api/mgr/profile", &[("action", "get_my_profile")]).await.expect(
            200,
            json!({"ret": 0, "profile": {"nickname": null, "birthdate": null, "bio": null}}),
        );
    }

    async fn every_protected_operation_without_a_session_answers_302(server: TestServer) {
        let api = server.client();
        for (what, reply) in every_protected_operation(&api).await {
            assert_eq!(reply.status.as_u16(), 302, "{what}: {}", reply.text);
            assert_eq!(reply.body, json!({"ret": 302, "msg": "请先登录"}), "{what}");
            assert!(reply.headers.get(header::LOCATION).is_none(), "{what} has a Location");
        }
    }
}
