//! Wire-level edge cases: malformed bodies, wrong content types, unknown routes and methods,
//! oversized bodies, request ids. All answer in the envelope, never with a 500.
//!
//! Raw HTTP throughout: these requests are ones the typed SDK cannot send by design.

use reqwest::{Method, header};
use serde_json::json;

use crate::on_every_backend;

on_every_backend! {
    async fn malformed_or_non_object_bodies_count_as_carrying_no_action(server: TestServer) {
        let api = server.admin().await;
        for body in ["{not json", "", "[1,2]", "\"add_customer\"", "null"] {
            let reply = api.send(api.request(Method::POST, "/api/mgr/customers")
                .header(header::CONTENT_TYPE, "application/json").body(body)).await;
            reply.expect(200, json!({"ret": 1, "msg": "未传action类型"}));
            let reply = api.send(api.request(Method::DELETE, "/api/mgr/orders")
                .header(header::CONTENT_TYPE, "application/json").body(body)).await;
            reply.expect(400, json!({"ret": 1, "msg": "未传action类型"}));
        }
    }

    async fn a_json_body_is_read_whatever_the_content_type(server: TestServer) {
        let api = server.admin().await;
        let body = json!({"action": "add_customer",
            "data": {"name": "张三", "phonenumber": "12345678922", "address": "上海市静安区"}}).to_string();
        let reply = api.send(api.request(Method::POST, "/api/mgr/customers")
            .header(header::CONTENT_TYPE, "text/plain").body(body)).await;
        assert_eq!(reply.body["ret"], 0, "{}", reply.text);
        let reply = api.send(api.request(Method::POST, "/api/mgr/signin")
            .header(header::CONTENT_TYPE, "text/plain").body("username=a&password=b")).await;
        reply.expect(200, json!({"ret": 1, "msg": "错误的用户名或密码"}));
    }

    async fn ids_must_be_positive_json_numbers(server: TestServer) {
        let api = server.admin().await;
        for id in [json!("6"), json!(0), json!(-1), json!(1.5), json!(true)] {
            api.delete("/api/mgr/customers", json!({"action": "del_customer", "id": id})).await
                .expect(200, json!({"ret": 1, "msg": "缺少客户id"}));
        }
    }

    async fn unknown_routes_and_methods_answer_in_the_envelope(server: TestServer) {
        let api = server.client();
        let reply = api.get("/api/mgr/nothing-here", &[]).await;
        assert_eq!((reply.status.as_u16(), &reply.body["ret"]), (404, &json!(1)), "{}", reply.text);
        let reply = api.send(api.request(Method::PATCH, "/api/mgr/customers")).await;
        assert_eq!((reply.status.as_u16(), &reply.body["ret"]), (405, &json!(1)), "{}", reply.text);
        let reply = api.send(api.request(Method::GET, "/api/mgr/signin")).await;
        assert_eq!((reply.status.as_u16(), &reply.body["ret"]), (405, &json!(1)), "{}", reply.text);
    }

    async fn an_oversized_body_is_refused_in_the_envelope(server: TestServer) {
        let api = server.admin().await;
        let big = format!("{{\"action\":\"add_customer\",\"pad\":\"{}\"}}", "x".repeat(3 * 1024 * 1024));
        let reply = api.send(api.request(Method::POST, "/api/mgr/customers")
            .header(header::CONTENT_TYPE, "application/json").body(big)).await;
        assert_eq!((reply.status.as_u16(), &reply.body["ret"]), (413, &json!(1)), "{}", reply.text);
    }

    async fn every_response_carries_a_request_id(server: TestServer) {
        let api = server.client();
        let reply = api.get("/api/mgr/customers", &[]).await;
        assert!(reply.headers.get("x-request-id").is_some());
        let reply = api.send(api.request(Method::GET, "/api/mgr/customers").header("x-request-id", "abc-123")).await;
        assert_eq!(reply.headers.get("x-request-id").and_then(|v| v.to_str().ok()), Some("abc-123"));
    }
}
