//! Several server instances on one database act as one server: a session or token issued by
//! one is valid on the other, and a sign-out, logout, new login or password change on one
//! takes effect on the other at once (nothing is cached per instance).

use reqwest::Method;
use serde_json::json;

use medsys_server::{app, config::Config};

use crate::{on_every_backend, procurement_support::*, support::Api};

on_every_backend! {
    async fn an_mgr_session_is_shared_and_ended_everywhere(server: TestServer) {
        let other = app::start(Config::for_database(server.database_url.clone())).await.expect("second instance");
        let here = server.admin().await;
        let there = here.rebased(format!("http://{}", other.local_addr));
        let listed = there.list("/api/mgr/customers", "list_customer", 1, 10).await;
        assert_eq!(listed.body["ret"], 0, "{}", listed.text);
        there.get("/api/mgr/signout", &[]).await.expect(200, json!({"ret": 0, "msg": "登出成功"}));
        let refused = here.list("/api/mgr/customers", "list_customer", 1, 10).await;
        assert_eq!(refused.status.as_u16(), 302, "{}", refused.text);
        other.stop().await.expect("stops");
    }

    async fn procurement_tokens_are_shared_and_revoked_everywhere(server: TestServer) {
        users(server.db()).await;
        let other = app::start(Config::for_database(server.database_url.clone())).await.expect("second instance");
        let elsewhere = |client: &Proc| Proc {
            api: client.api.rebased(format!("http://{}", other.local_addr)),
            token: client.token.clone(),
        };
        let info = [("id", ZHANG)];

        // Issued here, valid there; logged out there, dead here.
        let here = login(&server, ZHANG).await;
        assert_eq!(elsewhere(&here).get("/user/info", &info).await.body["code"], 1);
        elsewhere(&here).get("/user/logout", &[("uid", ZHANG)]).await.expect(200, success(serde_json::Value::Null));
        here.get("/user/info", &info).await.expect(200, failure(2, "token失效"));

        // A new login there replaces the token used here.
        let here = login(&server, ZHANG).await;
        let there = Proc { api: Api::new(format!("http://{}", other.local_addr)), token: None };
        let reply = there.json(Method::POST, "/user/login", &json!({"username": ZHANG, "password": PASSWORD})).await;
        assert_eq!(reply.body["code"], 1, "{}", reply.text);
        here.get("/user/info", &info).await.expect(200, failure(2, "token失效"));

        // A password change here ends the same token there.
        let here = login(&server, ZHANG).await;
        assert_eq!(elsewhere(&here).get("/user/info", &info).await.body["code"], 1);
        here.json(Method::PUT, "/user/pwd", &json!({"uid": ZHANG, "oldPassword": PASSWORD, "newPassword": "Abc123456"}))
            .await.expect(200, success(serde_json::Value::Null));
        elsewhere(&here).get("/user/info", &info).await.expect(200, failure(2, "token失效"));
        other.stop().await.expect("stops");
    }
}
