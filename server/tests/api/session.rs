//! signin, signout, and the 302 of every protected operation.

use reqwest::{Method, header};
use serde_json::json;

use crate::{on_both_backends, support::*};

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

on_both_backends! {
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

    async fn signin_with_a_wrong_password_or_unknown_user_is_refused(server: TestServer) {
        server.create_account("boss", "boss-password", true, true).await;
        let api = server.client();
        let refused = json!({"ret": 1, "msg": "错误的用户名或密码"});
        api.signin("boss", "not-the-password").await.expect(200, refused.clone());
        api.signin("nobody", "boss-password").await.expect(200, refused.clone());
        api.send(api.request(Method::POST, "/api/mgr/signin").form(&[("username", "boss")]))
            .await
            .expect(200, refused);
    }

    async fn signin_of_an_account_that_is_not_an_admin_is_refused(server: TestServer) {
        server.create_account("clerk", "clerk-password", false, true).await;
        server.client().signin("clerk", "clerk-password").await
            .expect(200, json!({"ret": 1, "msg": "请使用管理员账户登录"}));
    }

    async fn signin_of_an_inactive_account_is_refused(server: TestServer) {
        server.create_account("gone", "gone-password", true, false).await;
        server.client().signin("gone", "gone-password").await
            .expect(200, json!({"ret": 1, "msg": "账户无权限登录"}));
    }

    async fn signout_ends_the_session(server: TestServer) {
        let api = server.admin().await;
        api.get("/api/mgr/signout", &[]).await.expect(200, json!({"ret": 0, "msg": "登出成功"}));
        api.get("/api/mgr/profile", &[("action", "get_my_profile")]).await
            .expect(302, json!({"ret": 302, "msg": "请先登录"}));
    }

    async fn every_protected_operation_without_a_session_answers_302(server: TestServer) {
        let api = server.client();
        for (what, reply) in every_protected_operation(&api).await {
            assert_eq!(reply.status.as_u16(), 302, "{what}: {}", reply.text);
            assert_eq!(reply.body, json!({"ret": 302, "msg": "请先登录"}), "{what}");
            assert!(reply.headers.get(header::LOCATION).is_none(), "{what} has a Location");
        }
    }

    async fn a_forged_or_old_session_cookie_answers_302(server: TestServer) {
        let api = server.client();
        let forged = format!("sessionid={}", "ab".repeat(32));
        api.send(api.request(Method::GET, "/api/mgr/profile?action=get_my_profile").header(header::COOKIE, forged))
            .await
            .expect(302, json!({"ret": 302, "msg": "请先登录"}));
        let api = server.admin().await;
        api.get("/api/mgr/signout", &[]).await.expect(200, json!({"ret": 0, "msg": "登出成功"}));
        for (what, reply) in every_protected_operation(&api).await {
            assert_eq!(reply.status.as_u16(), 302, "{what} after signout");
        }
    }
}
