//! The authorization matrix, derived from `openapi/procurement.yaml` so it covers every
//! secured operation by construction: each is called (with its `success` example request) with
//! an expired token and with a replaced token, and every operation that names an order is
//! called by another department's leader and by another applicant. Only what the contract
//! allows succeeds; everything else gets the documented code, and the data is unchanged.

use reqwest::{Method, multipart};
use serde_json::{Value, json};

use crate::{on_every_backend, procurement_support::*, support::Reply};

/// One operation of the spec with the request of its `success` example.
struct SpecOp {
    label: String,
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    json: Option<Value>,
    multipart: Option<Vec<(String, Value, Option<Value>)>>,
    /// Whether some parameter or body member is an order id.
    names_an_order: bool,
}

fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => doc
            .pointer(reference.trim_start_matches('#'))
            .unwrap_or(value),
        None => value,
    }
}

fn example<'a>(doc: &'a Value, examples: &'a Value, name: &str) -> Option<&'a Value> {
    examples.get(name).map(|example| resolve(doc, example))
}

fn secured_operations() -> Vec<SpecOp> {
    let doc: Value =
        yaml_serde::from_str(include_str!("../../../openapi/procurement.yaml")).expect("spec");
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            if operation.get("security") == Some(&json!([])) {
                continue; // login and the other public operations
            }
            let method: Method = method.to_uppercase().parse().expect("method");
            let mut op = SpecOp {
                label: format!(
                    "{} {method} {path}",
                    operation["operationId"].as_str().unwrap_or("?")
                ),
                method,
                path: path.clone(),
                query: Vec::new(),
                json: None,
                multipart: None,
                names_an_order: false,
            };
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let parameter = resolve(&doc, parameter);
                let is_order = parameter["schema"]["$ref"] == "#/components/schemas/OrderId";
                let Some(value) = example(&doc, &parameter["examples"], "success") else {
                    continue;
                };
                let value = match &value["value"] {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                };
                op.names_an_order |= is_order && value == "20210104";
                let name = parameter["name"].as_str().expect("name");
                match parameter["in"].as_str() {
                    Some("path") => op.path = op.path.replace(&format!("{{{name}}}"), &value),
                    _ => op.query.push((name.to_owned(), value)),
                }
            }
            for (media, content) in operation["requestBody"]["content"]
                .as_object()
                .into_iter()
                .flatten()
            {
                let Some(body) = example(&doc, &content["examples"], "success").or_else(|| {
                    content["examples"]
                        .as_object()
                        .and_then(|all| all.values().next())
                        .map(|e| resolve(&doc, e))
                }) else {
                    continue;
                };
                let value = body["value"].clone();
                op.names_an_order |= value.get("id") == Some(&json!("20210104"));
                if media == "multipart/form-data" {
                    let files = body.get("x-files").cloned().unwrap_or(Value::Null);
                    op.multipart = Some(
                        value
                            .as_object()
                            .into_iter()
                            .flatten()
                            .map(|(name, value)| {
                                (name.clone(), value.clone(), files.get(name).cloned())
                            })
                            .collect(),
                    );
                } else if media == "application/json" {
                    op.json = Some(value);
                }
            }
            ops.push(op);
        }
    }
    ops
}

async fn call(client: &Proc, op: &SpecOp) -> Reply {
    let mut request = client.request(op.method.clone(), &op.path).query(&op.query);
    if let Some(body) = &op.json {
        request = request.json(body);
    }
    if let Some(parts) = &op.multipart {
        let mut form = multipart::Form::new();
        for (name, value, file) in parts {
            let text = value.as_str().unwrap_or_default().to_owned();
            form = match file {
                Some(file) => {
                    let bytes = medsys_server::procurement::domain::base64_decode(&text)
                        .expect("base64 part");
                    form.part(
                        name.clone(),
                        file_part(
                            bytes,
                            file["fileName"].as_str().unwrap_or("f"),
                            file["contentType"]
                                .as_str()
                                .unwrap_or("application/octet-stream"),
                        ),
                    )
                }
                None => form.text(name.clone(), text),
            };
        }
        request = request.multipart(form);
    }
    client.send(request).await
}

/// Everything a refused call must leave alone, as text.
async fn snapshot(db: &medsys_server::db::Db) -> String {
    use medsys_server::db::RowExt;
    use sqlx::Row;
    let mut out = String::new();
    // `||` concatenates on MySQL too: sqlx sets PIPES_AS_CONCAT.
    for sql in [
        "SELECT id || ':' || status || ':' || version || ':' || updated_at AS v FROM procurement_order ORDER BY id",
        "SELECT id || ':' || name || ':' || quantity AS v FROM procurement_order_line ORDER BY id",
        "SELECT id || ':' || username || ':' || password_hash || ':' || role_id || ':' || is_active AS v FROM procurement_user ORDER BY id",
    ] {
        for row in db.query(sql).fetch_all(db.pool()).await.expect(sql) {
            out.push_str(&row.text("v").expect("v"));
            out.push('\n');
        }
    }
    for sql in [
        "SELECT COUNT(*) AS n FROM procurement_notice",
        "SELECT COUNT(*) AS n FROM procurement_signature",
    ] {
        let row = db.query(sql).fetch_one(db.pool()).await.expect(sql);
        out.push_str(&row.try_get::<i64, _>("n").expect("n").to_string());
        out.push('\n');
    }
    out
}

fn assert_refused(reply: &Reply, status: u16, code: i64, label: &str) {
    assert_eq!(
        (
            reply.status.as_u16(),
            reply.body["success"].clone(),
            reply.body["code"].clone()
        ),
        (status, json!(false), json!(code)),
        "{label}: {}",
        reply.text
    );
}

on_every_backend! {
    async fn expired_and_replaced_tokens_open_no_operation(server: TestServer) {
        fixture(server.db()).await;
        let ops = secured_operations();
        assert!(ops.len() >= 30, "only {} secured operations found", ops.len());
        let before = snapshot(server.db()).await;
        for role in ["admin", "instlead", "deptlead", "applicant"] {
            let user = user_of(role);
            // Replaced: the first of two logins.
            let replaced = login(&server, user).await;
            let live = login(&server, user).await;
            // Expired: the live token of the user, signed with the server's secret, past its end.
            let secret = medsys_server::db::RowExt::text(&server.db().query(
                "SELECT value FROM procurement_setting WHERE name = 'jwt_secret'").fetch_one(server.db().pool()).await
                .expect("secret"), "value").expect("value");
            let role_of = medsys_server::procurement::domain::Role::from_name(match role {
                "admin" => "管理员", "instlead" => "主管院领导", "deptlead" => "部门领导", _ => "普通用户" }).expect("role");
            let now = chrono::Utc::now().timestamp();
            let expired = medsys_server::procurement::token::issue(&secret, user, role_of, -60, now).expect("jwt");
            medsys_server::procurement::store::set_token(server.db(), user, &expired.jti, expired.expires_at)
                .await.expect("make it the live token");
            let expired = live.with_token(&format!("Bearer {}", expired.jwt));
            for op in &ops {
                assert_refused(&call(&replaced, op).await, 200, 2, &format!("{} replaced token of {role}", op.label));
                assert_refused(&call(&expired, op).await, 200, 2, &format!("{} expired token of {role}", op.label));
            }
        }
        assert_eq!(snapshot(server.db()).await, before, "a refused call changed data");
    }

    async fn nobody_reaches_another_departments_or_another_users_order(server: TestServer) {
        fixture(server.db()).await;
        let ops: Vec<SpecOp> = secured_operations().into_iter().filter(|op| op.names_an_order).collect();
        assert!(ops.len() >= 10, "only {} operations name an order", ops.len());
        // Order 20210104 belongs to 张三 of 办公室 and is submitted (status 1).
        let finance_lead = login(&server, FINANCE_LEAD).await;
        let other_applicant = login(&server, LI).await;
        let before = snapshot(server.db()).await;
        for op in &ops {
            for (who, client) in [("财务部 leader", &finance_lead), ("applicant 李四", &other_applicant)] {
                assert_refused(&call(client, op).await, 403, 31, &format!("{} as {who}", op.label));
            }
        }
        assert_eq!(snapshot(server.db()).await, before, "a refused call changed data");
        // The owner and the right leader still can: the refusals were about who, not what.
        let owner = login(&server, ZHANG).await;
        assert_eq!(owner.get("/order", &[("id", "20210104")]).await.body["code"], 1);
        let lead = login(&server, OFFICE_LEAD).await;
        assert_eq!(lead.put("/dept/approve", &[("id", "20210104")]).await.body["code"], 1);
    }
}
