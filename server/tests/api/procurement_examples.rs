//! The documented cases of `openapi/procurement.yaml`, operation by operation, against the
//! spec's fixture (files and tokens have their own modules).
//!
//! These replay the spec's literal request and response examples, status and whole envelope
//! included, so they speak raw HTTP rather than the SDK.

use reqwest::Method;
use serde_json::{Value, json};

use crate::{on_every_backend, procurement_support::*, support::*};

fn menu_common() -> Vec<Value> {
    vec![
        json!({"name": "用户", "path": "/user", "children": [{"name": "用户信息", "path": "/info", "children": []}]}),
        json!({"name": "申请单", "path": "/order", "children": [
            {"name": "新建申请", "path": "/addOrder", "children": []},
            {"name": "查看申请", "path": "/listOrder", "children": []}]}),
    ]
}

fn login_data(name: &str, role: i64, extra: Option<Value>) -> Value {
    let mut menu = menu_common();
    menu.extend(extra);
    success(json!({"loginName": name, "role": role, "menu": menu}))
}

async fn insert_special_user(
    server: &TestServer,
    id: &str,
    active: i64,
    expires_at: Option<i64>,
    changed_at: i64,
) {
    let hash = medsys_server::password::hash(PASSWORD.to_owned())
        .await
        .expect("hash");
    server.db().query(
        "INSERT INTO procurement_user (id, username, password_hash, department_id, role_id, is_active, \
         expires_at, password_changed_at, failed_logins, locked_until, created_at) \
         VALUES ($1, '特殊', $2, '01', 4, $3, $4, $5, 0, NULL, $5)",
    )
    .bind(id)
    .bind(hash)
    .bind(active)
    .bind(expires_at)
    .bind(changed_at)
    .execute(server.db().pool())
    .await
    .expect("insert");
}

on_every_backend! {
    async fn login_answers_every_documented_case(server: TestServer) {
        fixture(server.db()).await;
        let reply = login_reply(&server, ZHANG, PASSWORD).await;
        reply.expect(200, login_data("张三", 4, None));
        let token = reply.headers["authorization"].to_str().expect("ascii");
        assert!(token.starts_with("Bearer ") && token.matches('.').count() == 2, "{token}");
        assert_eq!(reply.headers["access-control-expose-headers"], "Authorization");

        let form = Proc::anonymous(&server);
        form.send(form.request(Method::POST, "/user/login").form(&[("username", ZHANG), ("password", PASSWORD)]))
            .await
            .expect(200, login_data("张三", 4, None));
        login_reply(&server, ADMIN, PASSWORD).await.expect(200, login_data("管理员", 1,
            Some(json!({"name": "管理", "path": "/admin", "children": [{"name": "用户管理", "path": "/listUser", "children": []}]}))));
        login_reply(&server, OFFICE_LEAD, PASSWORD).await.expect(200, login_data("办公室领导", 3,
            Some(json!({"name": "部门", "path": "/dept", "children": [
                {"name": "待审批", "path": "/approval", "children": []},
                {"name": "查看部门申请", "path": "/deptOrder", "children": []}]}))));
        login_reply(&server, INST, PASSWORD).await.expect(200, login_data("院领导", 2,
            Some(json!({"name": "主管", "path": "/inst", "children": [
                {"name": "待审批", "path": "/approval", "children": []},
                {"name": "查看所有申请", "path": "/instOrder", "children": []}]}))));

        let wrong = login_reply(&server, ZHANG, "654321").await;
        wrong.expect(200, failure(23, "账号密码错误"));
        assert!(wrong.headers.get("authorization").is_none());
        login_reply(&server, "19999999999", PASSWORD).await.expect(200, failure(27, "账号不存在"));
        login_reply(&server, ZHANG, "").await.expect(200, failure(11, "参数缺失"));

        let now = chrono::Utc::now().timestamp();
        insert_special_user(&server, "12345678921", 0, None, now).await;
        insert_special_user(&server, "12345678922", 1, Some(now - 60), now).await;
        insert_special_user(&server, "12345678923", 1, None, now - 181 * 86_400).await;
        login_reply(&server, "12345678921", PASSWORD).await.expect(200, failure(25, "账号不可用"));
        login_reply(&server, "12345678922", PASSWORD).await.expect(200, failure(22, "用户账户过期"));
        login_reply(&server, "12345678923", PASSWORD).await.expect(200, failure(24, "密码过期"));
        // A wrong password for a disabled account is still just a wrong password.
        login_reply(&server, "12345678921", "000000").await.expect(200, failure(23, "账号密码错误"));

        // Four more failures (five in all) lock the account, even for the right password.
        for _ in 0..4 {
            login_reply(&server, ZHANG, "654321").await.expect(200, failure(23, "账号密码错误"));
        }
        login_reply(&server, ZHANG, PASSWORD).await.expect(200, failure(26, "账号被锁定"));
        // When the lock ends, the counter starts again.
        server.db().query("UPDATE procurement_user SET locked_until = $2 WHERE id = $1")
            .bind(ZHANG).bind(now - 1).execute(server.db().pool()).await.expect("unlock");
        login_reply(&server, ZHANG, PASSWORD).await.expect(200, login_data("张三", 4, None));
    }

    async fn user_info_logout_and_password_follow_the_cases(server: TestServer) {
        fixture(server.db()).await;
        let zhang = login(&server, ZHANG).await;
        let admin = login(&server, ADMIN).await;
        zhang.get("/user/info", &[("id", ZHANG)]).await.expect(200, success(json!(
            {"id": ZHANG, "username": "张三", "password": null, "department": "办公室", "role": "普通用户"})));
        admin.get("/user/info", &[("id", OFFICE_LEAD)]).await.expect(200, success(json!(
            {"id": OFFICE_LEAD, "username": "办公室领导", "password": null, "department": "办公室", "role": "部门领导"})));
        admin.get("/user/info", &[("id", "19999999999")]).await.expect(200, failure(27, "账号不存在"));
        zhang.get("/user/info", &[]).await.expect(200, failure(11, "参数缺失"));
        zhang.get("/user/info", &[("id", OFFICE_LEAD)]).await.expect(403, failure(31, "没有权限"));

        // logout
        zhang.get("/user/logout", &[]).await.expect(200, failure(11, "参数缺失"));
        zhang.get("/user/logout", &[("uid", OFFICE_LEAD)]).await.expect(403, failure(31, "没有权限"));
        admin.get("/user/logout", &[("uid", LI)]).await.expect(200, failure(21, "用户未登录"));
        admin.get("/user/logout", &[("uid", ZHANG)]).await.expect(200, success(Value::Null));
        zhang.get("/user/info", &[("id", ZHANG)]).await.expect(200, failure(2, "token失效"));
        let zhang = login(&server, ZHANG).await;
        zhang.get("/user/logout", &[("uid", ZHANG)]).await.expect(200, success(Value::Null));
        zhang.get("/user/info", &[("id", ZHANG)]).await.expect(200, failure(2, "token失效"));

        // change_password
        let zhang = login(&server, ZHANG).await;
        let body = |uid: &str, old: &str, new: &str| json!({"uid": uid, "oldPassword": old, "newPassword": new});
        zhang.json(Method::PUT, "/user/pwd", &body(ZHANG, "000000", "Abc123456")).await.expect(200, failure(23, "账号密码错误"));
        zhang.json(Method::PUT, "/user/pwd", &body(OFFICE_LEAD, "123456", "Abc123456")).await.expect(403, failure(31, "没有权限"));
        zhang.json(Method::PUT, "/user/pwd", &body(ZHANG, "123456", "12345")).await.expect(200, failure(12, "参数错误"));
        zhang.json(Method::PUT, "/user/pwd", &json!({"uid": ZHANG, "oldPassword": "123456"})).await.expect(200, failure(11, "参数缺失"));
        // Blank is spaces too, for every field: login could never accept a blank new password.
        for blank in [body("   ", "123456", "Abc123456"), body(ZHANG, "  ", "Abc123456"), body(ZHANG, "123456", "      ")] {
            zhang.json(Method::PUT, "/user/pwd", &blank).await.expect(200, failure(11, "参数缺失"));
        }
        zhang.json(Method::PUT, "/user/pwd", &body(ZHANG, "123456", "Abc123456")).await.expect(200, success(Value::Null));
        zhang.get("/user/info", &[("id", ZHANG)]).await.expect(200, failure(2, "token失效"));
        login_reply(&server, ZHANG, PASSWORD).await.expect(200, failure(23, "账号密码错误"));
        assert_eq!(login_reply(&server, ZHANG, "Abc123456").await.body["code"], 1);
    }

    async fn departments_are_the_ten_seeded_ones(server: TestServer) {
        users(server.db()).await;
        let zhang = login(&server, ZHANG).await;
        let names = ["办公室", "财务部", "指导中心", "招生部", "规划部", "研究中心", "教学部", "资源部", "技术部", "培训中心"];
        let list: Vec<Value> = names.iter().enumerate()
            .map(|(i, name)| json!({"id": format!("{:02}", i + 1), "deptName": name}))
            .collect();
        zhang.get("/department/departments", &[]).await.expect(200, success(Value::Array(list)));
    }

    async fn create_order_follows_the_cases(server: TestServer) {
        fixture(server.db()).await;
        let zhang = login(&server, ZHANG).await;
        let year = chrono::Utc::now().format("%Y").to_string();
        let expected = |n: u32| if year == "2021" { format!("202101{:02}", n + 4) } else { format!("{year}01{n:02}") };
        zhang.json(Method::POST, "/order", &new_order(ZHANG, "办公室", 1)).await.expect(200, success(json!(expected(1))));
        zhang.json(Method::POST, "/order", &new_order(ZHANG, "办公室", 0)).await.expect(200, success(json!(expected(2))));
        zhang.json(Method::POST, "/order", &new_order(ZHANG, "后勤部", 1)).await.expect(200, failure(12, "参数错误"));
        zhang.json(Method::POST, "/order", &new_order(OFFICE_LEAD, "办公室", 1)).await.expect(403, failure(31, "没有权限"));
        zhang.json(Method::POST, "/order", &new_order(ZHANG, "办公室", 2)).await.expect(200, failure(12, "参数错误"));
        let mut no_lines = new_order(ZHANG, "办公室", 1);
        no_lines["orderLists"] = json!([]);
        zhang.json(Method::POST, "/order", &no_lines).await.expect(200, failure(11, "参数缺失"));
        let mut bad_quantity = new_order(ZHANG, "办公室", 1);
        bad_quantity["orderLists"][0]["quantity"] = json!(0);
        zhang.json(Method::POST, "/order", &bad_quantity).await.expect(200, failure(12, "参数错误"));
        let mut blank_user = new_order(ZHANG, "办公室", 1);
        blank_user["applyUser"] = json!(" ");
        zhang.json(Method::POST, "/order", &blank_user).await.expect(200, failure(11, "参数缺失"));
        let raw = zhang.send(zhang.request(Method::POST, "/order").header("Content-Type", "application/json").body("{not json")).await;
        raw.expect(200, failure(12, "参数错误"));

        // The submitted order notified the 办公室 leader; the draft did not.
        let lead = login(&server, OFFICE_LEAD).await;
        lead.get("/notice/count", &[("uid", OFFICE_LEAD)]).await.expect(200, success(json!(1)));
        let notices = lead.get("/notice/notices", &[("uid", OFFICE_LEAD)]).await;
        assert_eq!(notices.body["data"]["content"][0]["title"], "新的申请单提交通知");
        assert_eq!(notices.body["data"]["content"][0]["content"], "申请人张三提交了一份申请单。");
        // The draft has no applyDate.
        let draft = zhang.get("/order", &[("id", &expected(2))]).await;
        assert_eq!(draft.body["data"]["applyDate"], Value::Null, "{}", draft.text);
        assert_eq!(draft.body["data"]["status"], 0);
        assert_eq!(draft.body["data"]["orderLists"][0]["id"], format!("{}01", expected(2)));
    }

    async fn get_order_follows_the_cases(server: TestServer) {
        fixture(server.db()).await;
        let zhang = login(&server, ZHANG).await;
        let lead = login(&server, OFFICE_LEAD).await;
        let mut detail = order_20210104(1);
        detail["hasFile"] = json!(false);
        detail["version"] = json!(0);
        zhang.get("/order", &[("id", "20210104")]).await.expect(200, success(detail.clone()));
        lead.get("/order", &[("id", "20210104")]).await.expect(200, success(detail));
        zhang.get("/order", &[("id", "20219999")]).await.expect(200, failure(0, "申请单不存在"));
        zhang.get("/order", &[]).await.expect(200, failure(11, "参数缺失"));
        zhang.get("/order", &[("id", "20210201")]).await.expect(403, failure(31, "没有权限"));
        // Other visibility rules: the other department's leader cannot, institution leaders can.
        login(&server, FINANCE_LEAD).await.get("/order", &[("id", "20210104")]).await.expect(403, failure(31, "没有权限"));
        assert_eq!(login(&server, INST).await.get("/order", &[("id", "20210104")]).await.body["code"], 1);
    }

    async fn update_order_follows_the_cases(server: TestServer) {
        fixture(server.db()).await;
        let zhang = login(&server, ZHANG).await;
        let mut body = new_order(ZHANG, "办公室", 1);
        body["id"] = json!("20210104");
        body["version"] = json!(1);
        body["total"] = json!(4800.0);
        body["orderLists"][0]["budgetUnitPrice"] = json!(2400.0);
        body["orderLists"][0]["budgetTotalPrice"] = json!(4800.0);
        // not_editable: status 1, version 0.
        let mut v0 = body.clone();
        v0["version"] = json!(0);
        zhang.json(Method::PUT, "/order", &v0).await.expect(200, failure(0, "不可以对申请单做此操作"));
        let mut unknown = body.clone();
        unknown["id"] = json!("20219999");
        zhang.json(Method::PUT, "/order", &unknown).await.expect(200, failure(0, "申请单不存在"));

        // Sent back by the department leader: status 0, version 1.
        let lead = login(&server, OFFICE_LEAD).await;
        lead.put("/dept/deny", &[("id", "20210104"), ("reason", "预算过高，请重新核实")]).await.expect(200, success(Value::Null));
        let mut not_owner = body.clone();
        not_owner["uid"] = json!(OFFICE_LEAD);
        lead.json(Method::PUT, "/order", &not_owner).await.expect(403, failure(31, "没有权限"));
        zhang.json(Method::PUT, "/order", &v0).await.expect(200, failure(0, "申请单已被更新"));
        let mut save = body.clone();
        save["status"] = json!(0);
        zhang.json(Method::PUT, "/order", &save).await.expect(200, success(Value::Null));
        let mut resubmit = body.clone();
        resubmit["version"] = json!(2);
        zhang.json(Method::PUT, "/order", &resubmit).await.expect(200, success(Value::Null));
        let order = zhang.get("/order", &[("id", "20210104")]).await.body["data"].clone();
        assert_eq!((order["status"].clone(), order["version"].clone(), order["total"].clone()), (json!(1), json!(3), json!(4800.0)));
        assert_eq!(order["withdrawalReason"], "预算过高，请重新核实");
        let notices = lead.get("/notice/notices", &[("uid", OFFICE_LEAD)]).await;
        assert_eq!(notices.body["data"]["content"][0]["title"], "申请单重新提交通知", "{}", notices.text);
        assert_eq!(notices.body["data"]["content"][0]["content"], "申请人张三重新提交了申请单");
    }

    async fn recall_and_delete_follow_the_cases(server: TestServer) {
        fixture(server.db()).await;
        let zhang = login(&server, ZHANG).await;
        zhang.put("/order/recall", &[("id", "20219999")]).await.expect(200, failure(0, "申请单不存在"));
        zhang.put("/order/recall", &[]).await.expect(200, failure(11, "参数缺失"));
        zhang.put("/order/recall", &[("id", "20210201")]).await.expect(403, failure(31, "没有权限"));
        zhang.put("/order/recall", &[("id", "20210104")]).await.expect(200, success(Value::Null));
        set_status(server.db(), "20210104", 1, 1).await;
        zhang.json(Method::PUT, "/order/recall", &json!({"id": "20210104"})).await.expect(200, success(Value::Null));
        let both = zhang.send(zhang.request(Method::PUT, "/order/recall").query(&[("id", "20210104")]).json(&json!({"id": "20210201"}))).await;
        both.expect(200, failure(12, "参数错误"));
        set_status(server.db(), "20210104", 2, 2).await;
        zhang.put("/order/recall", &[("id", "20210104")]).await.expect(200, failure(0, "不可以对申请单做此操作"));

        // delete_order (deprecated) and admin_delete_order
        let admin = login(&server, ADMIN).await;
        let lead = login(&server, OFFICE_LEAD).await;
        lead.delete("/order/20210104").await.expect(403, failure(31, "没有权限"));
        zhang.delete("/admin/order/20210104").await.expect(403, failure(31, "没有权限"));
        admin.delete("/order/20219999").await.expect(200, failure(0, "申请单不存在"));
        admin.delete("/admin/order/20210104").await.expect(200, success(Value::Null));
        admin.delete("/order/20210104").await.expect(200, failure(0, "不可以对申请单做此操作"));
        admin.delete("/admin/order/20210104").await.expect(200, failure(0, "不可以对申请单做此操作"));
        zhang.get("/order", &[("id", "20210104")]).await.expect(200, failure(0, "申请单不存在"));
        admin.put("/admin/order/reduct/20210201", &[]).await.expect(200, failure(0, "不可以对申请单做此操作"));
        admin.put("/admin/order/reduct/20219999", &[]).await.expect(200, failure(0, "申请单不存在"));
        admin.put("/admin/order/reduct/20210104", &[]).await.expect(200, success(Value::Null));
        assert_eq!(admin.get("/order", &[("id", "20210104")]).await.body["data"]["status"], 2);
    }

    async fn searches_follow_the_cases(server: TestServer) {
        fixture(server.db()).await;
        let zhang = login(&server, ZHANG).await;
        let one = success(page(vec![order_20210104(1)], 1, 0));
        zhang.get("/order/orders", &[]).await.expect(200, one.clone());
        zhang.get("/order/orders", &[("oid", "2021"), ("startDate", "2021-01-01")]).await.expect(200, one.clone());
        zhang.get("/order/orders", &[("user", "张")]).await.expect(200, one.clone());
        zhang.get("/order/orders", &[("user", "李"), ("applyUser", "张")]).await.expect(200, one.clone());
        zhang.get("/order/orders", &[("page", "9")]).await.expect(200, success(json!(
            {"content": [], "totalPages": 1, "totalElements": 1, "size": 10, "number": 8})));
        zhang.get("/order/orders", &[("page", "abc")]).await.expect(200, failure(12, "参数错误"));
        zhang.get("/order/orders", &[("startDate", "2021/02/01")]).await.expect(200, failure(12, "参数错误"));
        // Both date bounds are inclusive.
        zhang.get("/order/orders", &[("startDate", "2021-01-18"), ("endDate", "2021-01-18")]).await.expect(200, one.clone());
        zhang.get("/order/orders", &[("startDate", "2021-01-19")]).await.expect(200, success(page(vec![], 0, 0)));
        login(&server, ADMIN).await.get("/order/orders", &[]).await
            .expect(200, success(page(vec![order_20210201(), order_20210104(1)], 2, 0)));

        let lead = login(&server, OFFICE_LEAD).await;
        lead.get("/dept/orders", &[]).await.expect(200, one.clone());
        lead.get("/dept/orders", &[("startDate", "2021-01-18"), ("endDate", "2021-01-18"), ("applyUser", "张三"), ("fundcode", "1234")])
            .await.expect(200, one.clone());
        lead.get("/dept/orders", &[("endDate", "2021-02-30")]).await.expect(200, failure(12, "参数错误"));
        lead.get("/dept/list", &[]).await.expect(200, one.clone());
        let inst = login(&server, INST).await;
        inst.get("/dept/orders", &[]).await.expect(403, failure(31, "没有权限"));
        inst.get("/dept/list", &[]).await.expect(403, failure(31, "没有权限"));
        inst.get("/inst/orders", &[]).await.expect(200, success(page(vec![order_20210201(), order_20210104(1)], 2, 0)));
        inst.get("/inst/orders", &[("applyDept", "财务")]).await.expect(200, success(page(vec![order_20210201()], 1, 0)));
        inst.get("/inst/list", &[]).await.expect(200, success(page(vec![], 0, 0)));
        lead.get("/inst/orders", &[]).await.expect(403, failure(31, "没有权限"));
        lead.get("/inst/list", &[]).await.expect(403, failure(31, "没有权限"));
    }

    async fn dept_and_inst_decisions_follow_the_cases(server: TestServer) {
        fixture(server.db()).await;
        let lead = login(&server, OFFICE_LEAD).await;
        let inst = login(&server, INST).await;
        let zhang = login(&server, ZHANG).await;
        lead.put("/dept/approve", &[]).await.expect(200, failure(11, "参数缺失"));
        lead.put("/dept/approve", &[("id", "20219999")]).await.expect(200, failure(0, "申请单不存在"));
        lead.put("/dept/approve", &[("id", "20210201")]).await.expect(403, failure(31, "没有权限"));
        inst.put("/dept/approve", &[("id", "20210104")]).await.expect(403, failure(31, "没有权限"));
        zhang.put("/dept/approve", &[("id", "20210104")]).await.expect(403, failure(31, "没有权限"));
        lead.put("/dept/deny", &[("id", "20210104")]).await.expect(200, failure(11, "参数缺失"));
        lead.put("/dept/deny", &[("reason", "x")]).await.expect(200, failure(11, "参数缺失"));
        inst.put("/inst/approve", &[("id", "20210104")]).await.expect(200, failure(0, "不可以对申请单做此操作"));
        inst.put("/inst/deny", &[("id", "20210104"), ("reason", "预算过高，请重新核实")]).await
            .expect(200, failure(0, "不可以对申请单做此操作"));
        lead.put("/dept/approve", &[("id", "20210104")]).await.expect(200, success(Value::Null));
        lead.put("/dept/approve", &[("id", "20210104")]).await.expect(200, failure(0, "不可以对申请单做此操作"));
        lead.put("/dept/deny", &[("id", "20210104"), ("reason", "x")]).await.expect(200, failure(0, "不可以对申请单做此操作"));
        inst.get("/inst/list", &[]).await.expect(200, success(page(vec![{
            let mut order = order_20210104(2);
            order["updateTime"] = json!(chrono_today());
            order
        }], 1, 0)));
        lead.put("/inst/approve", &[("id", "20210104")]).await.expect(403, failure(31, "没有权限"));
        inst.put("/inst/approve", &[]).await.expect(200, failure(11, "参数缺失"));
        inst.put("/inst/approve", &[("id", "20219999")]).await.expect(200, failure(0, "申请单不存在"));
        inst.put("/inst/deny", &[("id", "20210104")]).await.expect(200, failure(11, "参数缺失"));
        inst.put("/inst/approve", &[("id", "20210104")]).await.expect(200, success(Value::Null));
        let notices = zhang.get("/notice/notices", &[("uid", ZHANG)]).await.body["data"]["content"].clone();
        assert_eq!(notices[0]["content"], "编号20210104的申请单已经通过审核。");
        assert_eq!(notices[1]["content"], "编号20210104的申请单已经通过部门审核。");
        assert_eq!(notices[0]["title"], "申请单通过通知");
    }

    async fn notices_follow_the_cases(server: TestServer) {
        fixture(server.db()).await;
        let zhang = login(&server, ZHANG).await;
        zhang.json(Method::POST, "/order", &new_order(ZHANG, "办公室", 1)).await;
        let lead = login(&server, OFFICE_LEAD).await;
        let list = lead.get("/notice/notices", &[("uid", OFFICE_LEAD)]).await;
        let id = list.body["data"]["content"][0]["id"].as_i64().expect("notice id");
        assert_eq!(list.body["data"]["content"][0]["state"], true);
        let read = lead.get("/notice", &[("id", &id.to_string())]).await;
        assert_eq!(read.body["data"]["state"], false, "{}", read.text);
        assert_eq!(read.body["data"]["uid"], OFFICE_LEAD);
        assert_eq!(read.body["data"]["title"], "新的申请单提交通知");
        lead.get("/notice/count", &[("uid", OFFICE_LEAD)]).await.expect(200, success(json!(0)));
        lead.get("/notice", &[("id", "99999")]).await.expect(200, failure(0, "消息不存在"));
        lead.get("/notice", &[]).await.expect(200, failure(11, "参数缺失"));
        lead.get("/notice", &[("id", "x")]).await.expect(200, failure(12, "参数错误"));
        zhang.get("/notice", &[("id", &id.to_string())]).await.expect(403, failure(31, "没有权限"));
        zhang.get("/notice/count", &[]).await.expect(200, failure(11, "参数缺失"));
        zhang.get("/notice/count", &[("uid", OFFICE_LEAD)]).await.expect(403, failure(31, "没有权限"));
        login(&server, ADMIN).await.get("/notice/notices", &[("uid", OFFICE_LEAD)]).await.expect(403, failure(31, "没有权限"));
        zhang.get("/notice/notices", &[("uid", ZHANG)]).await.expect(200, success(page(vec![], 0, 0)));
    }

    async fn admin_user_operations_follow_the_cases(server: TestServer) {
        fixture(server.db()).await;
        let admin = login(&server, ADMIN).await;
        let user = |id: &str, name: &str, dept: &str, role: &str| json!({"id": id, "username": name, "password": null, "department": dept, "role": role});
        admin.get("/admin/user/users", &[]).await.expect(200, success(page(vec![
            user(ZHANG, "张三", "办公室", "普通用户"),
            user(INST, "院领导", "办公室", "主管院领导"),
            user(LI, "李四", "财务部", "普通用户"),
            user(OFFICE_LEAD, "办公室领导", "办公室", "部门领导"),
            user(FINANCE_LEAD, "财务部领导", "财务部", "部门领导"),
        ], 5, 0)));
        admin.get("/admin/user", &[("uid", OFFICE_LEAD)]).await.expect(200, success(user(OFFICE_LEAD, "办公室领导", "办公室", "部门领导")));
        admin.get("/admin/user", &[("uid", "19999999999")]).await.expect(200, failure(27, "账号不存在"));
        admin.get("/admin/user", &[]).await.expect(200, failure(11, "参数缺失"));

        let create = json!({"id": "12345678931", "username": "王五", "password": "123456", "department": "办公室", "role": "普通用户"});
        admin.json(Method::POST, "/admin/user", &create).await.expect(200, success(Value::Null));
        admin.json(Method::POST, "/admin/user", &json!({"id": ZHANG, "username": "张三", "password": "123456", "department": "办公室", "role": "普通用户"}))
            .await.expect(200, failure(28, "账号已存在"));
        admin.json(Method::POST, "/admin/user", &json!({"id": "12345678932", "username": "赵六", "password": "123456", "department": "后勤部", "role": "普通用户"}))
            .await.expect(200, failure(12, "参数错误"));
        admin.json(Method::POST, "/admin/user", &json!({"id": "12345678932", "username": "赵六", "password": "12345", "department": "办公室", "role": "普通用户"}))
            .await.expect(200, failure(12, "参数错误"));
        admin.json(Method::POST, "/admin/user", &json!({"id": "12345678932", "username": "赵六", "department": "办公室", "role": "普通用户"}))
            .await.expect(200, failure(11, "参数缺失"));
        assert_eq!(login_reply(&server, "12345678931", "123456").await.body["code"], 1);

        let zhang = login(&server, ZHANG).await;
        admin.json(Method::PUT, "/admin/user", &json!({"id": ZHANG, "username": "张三", "password": "", "department": "财务部", "role": "普通用户"}))
            .await.expect(200, success(Value::Null));
        zhang.get("/user/info", &[("id", ZHANG)]).await.expect(200, failure(2, "token失效"));
        let moved = login(&server, ZHANG).await;
        moved.get("/user/info", &[("id", ZHANG)]).await.expect(200, success(user(ZHANG, "张三", "财务部", "普通用户")));
        admin.json(Method::PUT, "/admin/user", &json!({"id": ZHANG, "username": "张三", "password": "NewPass2021", "department": "办公室", "role": "普通用户"}))
            .await.expect(200, success(Value::Null));
        assert_eq!(login_reply(&server, ZHANG, "NewPass2021").await.body["code"], 1);
        admin.json(Method::PUT, "/admin/user", &json!({"id": "19999999999", "username": "无名", "password": null, "department": "办公室", "role": "普通用户"}))
            .await.expect(200, failure(27, "账号不存在"));
        admin.json(Method::PUT, "/admin/user", &json!({"id": ZHANG, "username": "张三", "password": "abc", "department": "办公室", "role": "普通用户"}))
            .await.expect(200, failure(12, "参数错误"));
    }

    async fn unknown_routes_answer_in_the_procurement_envelope(server: TestServer) {
        let client = Proc::anonymous(&server);
        client.get("/no/such/path", &[]).await.expect(404, failure(0, "接口不存在"));
        client.send(client.request(Method::PATCH, "/order")).await.expect(405, failure(0, "接口不存在"));
    }
}

fn chrono_today() -> String {
    chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("offset"))
        .format("%Y年%m月%d日")
        .to_string()
}
