//! The role matrix: every operation called anonymously, with a bad token, and as each of the
//! four roles; only the roles of its `x-roles` get past the role check.

use reqwest::Method;
use serde_json::{Value, json};

use crate::{on_both_backends, procurement_support::*, support::*};

const ALL: &[&str] = &["admin", "instlead", "deptlead", "applicant"];

/// (method, path, query, JSON body, multipart?, roles). `{me}` stands for the caller's id.
type Op = (
    Method,
    &'static str,
    Vec<(&'static str, &'static str)>,
    Option<Value>,
    bool,
    &'static [&'static str],
);

fn operations() -> Vec<Op> {
    let order = new_order("{me}", "办公室", 0);
    vec![
        (
            Method::GET,
            "/user/info",
            vec![("id", "{me}")],
            None,
            false,
            ALL,
        ),
        (
            Method::PUT,
            "/user/pwd",
            vec![],
            Some(json!({"uid": "{me}", "oldPassword": "000000", "newPassword": "Abc123456"})),
            false,
            ALL,
        ),
        (
            Method::GET,
            "/department/departments",
            vec![],
            None,
            false,
            ALL,
        ),
        (Method::POST, "/order", vec![], Some(order), false, ALL),
        (Method::PUT, "/order", vec![], Some(json!({})), false, ALL),
        (
            Method::GET,
            "/order",
            vec![("id", "20210104")],
            None,
            false,
            ALL,
        ),
        (
            Method::PUT,
            "/order/recall",
            vec![("id", "20219999")],
            None,
            false,
            ALL,
        ),
        (
            Method::DELETE,
            "/order/20219999",
            vec![],
            None,
            false,
            &["admin"],
        ),
        (Method::GET, "/order/orders", vec![], None, false, ALL),
        (
            Method::GET,
            "/order/file",
            vec![("id", "20219999")],
            None,
            false,
            ALL,
        ),
        (Method::POST, "/order/file", vec![], None, true, ALL),
        (Method::GET, "/order/download", vec![], None, false, ALL),
        (
            Method::GET,
            "/order/file/download",
            vec![("id", "20219999")],
            None,
            false,
            ALL,
        ),
        (
            Method::GET,
            "/notice/count",
            vec![("uid", "{me}")],
            None,
            false,
            ALL,
        ),
        (
            Method::GET,
            "/notice",
            vec![("id", "99999")],
            None,
            false,
            ALL,
        ),
        (
            Method::GET,
            "/notice/notices",
            vec![("uid", "{me}")],
            None,
            false,
            ALL,
        ),
        (
            Method::GET,
            "/dept/orders",
            vec![],
            None,
            false,
            &["deptlead"],
        ),
        (
            Method::GET,
            "/dept/list",
            vec![],
            None,
            false,
            &["deptlead"],
        ),
        (
            Method::PUT,
            "/dept/approve",
            vec![("id", "20219999")],
            None,
            false,
            &["deptlead"],
        ),
        (
            Method::PUT,
            "/dept/deny",
            vec![("id", "20219999"), ("reason", "x")],
            None,
            false,
            &["deptlead"],
        ),
        (
            Method::GET,
            "/inst/orders",
            vec![],
            None,
            false,
            &["instlead"],
        ),
        (
            Method::GET,
            "/inst/list",
            vec![],
            None,
            false,
            &["instlead"],
        ),
        (
            Method::PUT,
            "/inst/approve",
            vec![("id", "20219999")],
            None,
            false,
            &["instlead"],
        ),
        (
            Method::PUT,
            "/inst/deny",
            vec![("id", "20219999"), ("reason", "x")],
            None,
            false,
            &["instlead"],
        ),
        (
            Method::DELETE,
            "/admin/order/20219999",
            vec![],
            None,
            false,
            &["admin"],
        ),
        (
            Method::GET,
            "/admin/order/deleted",
            vec![],
            None,
            false,
            &["admin"],
        ),
        (
            Method::PUT,
            "/admin/order/reduct/20219999",
            vec![],
            None,
            false,
            &["admin"],
        ),
        (
            Method::GET,
            "/admin/user/users",
            vec![],
            None,
            false,
            &["admin"],
        ),
        (
            Method::GET,
            "/admin/user",
            vec![("uid", "19999999999")],
            None,
            false,
            &["admin"],
        ),
        (
            Method::POST,
            "/admin/user",
            vec![],
            Some(
                json!({"id": ZHANG, "username": "张三", "password": "123456", "department": "办公室", "role": "普通用户"}),
            ),
            false,
            &["admin"],
        ),
        (
            Method::PUT,
            "/admin/user",
            vec![],
            Some(
                json!({"id": "19999999999", "username": "无名", "department": "办公室", "role": "普通用户"}),
            ),
            false,
            &["admin"],
        ),
        (
            Method::POST,
            "/admin/user/batchAdd",
            vec![],
            None,
            true,
            &["admin"],
        ),
        (
            Method::GET,
            "/admin/user/template",
            vec![],
            None,
            false,
            &["admin"],
        ),
        // Last: it ends the session of the caller.
        (
            Method::GET,
            "/user/logout",
            vec![("uid", "{me}")],
            None,
            false,
            ALL,
        ),
    ]
}

fn substitute(value: &Value, me: &str) -> Value {
    match value {
        Value::String(text) => Value::String(text.replace("{me}", me)),
        Value::Array(items) => {
            Value::Array(items.iter().map(|item| substitute(item, me)).collect())
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), substitute(v, me)))
                .collect(),
        ),
        other => other.clone(),
    }
}

async fn call(client: &Proc, op: &Op, me: &str) -> Reply {
    let (method, path, query, body, multipart, _) = op;
    let query: Vec<(&str, String)> = query
        .iter()
        .map(|(k, v)| (*k, v.replace("{me}", me)))
        .collect();
    let mut request = client.request(method.clone(), path).query(&query);
    if let Some(body) = body {
        request = request.json(&substitute(body, me));
    }
    if *multipart {
        let form = reqwest::multipart::Form::new()
            .text("id", "20219999")
            .part("file", file_part(png(), "signature.png", "image/png"));
        request = request.multipart(form);
    }
    client.send(request).await
}

on_both_backends! {
    async fn only_the_documented_roles_pass_the_role_check(server: TestServer) {
        fixture(server.db()).await;
        let anonymous = Proc::anonymous(&server);
        let bad = anonymous.with_token("Bearer x.y.z");
        let mut clients = Vec::new();
        for role in ALL {
            clients.push((*role, user_of(role), login(&server, user_of(role)).await));
        }
        for op in operations() {
            let label = format!("{} {}", op.0, op.1);
            let reply = call(&anonymous, &op, ZHANG).await;
            assert_eq!((reply.status.as_u16(), reply.body["code"].clone()), (200, json!(3)), "{label} anonymous: {}", reply.text);
            let reply = call(&bad, &op, ZHANG).await;
            assert_eq!((reply.status.as_u16(), reply.body["code"].clone()), (200, json!(2)), "{label} bad token: {}", reply.text);
            for (role, me, client) in &clients {
                let reply = call(client, &op, me).await;
                if op.5.contains(role) {
                    assert!(reply.status.as_u16() == 200 && ![json!(2), json!(3), json!(31)].contains(&reply.body["code"]),
                        "{label} as {role} should pass: {} {}", reply.status, reply.text);
                    if op.1 == "/order" && op.0 == Method::POST {
                        assert_eq!(reply.body["code"], 1, "{label} as {role}: {}", reply.text);
                    }
                } else {
                    reply.expect(403, failure(31, "没有权限"));
                }
            }
        }
    }
}
