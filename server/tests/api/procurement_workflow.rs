//! The approval workflow end to end: submit → department → institution; deny and resubmit;
//! recall; delete and restore; ids under concurrent creation.

use reqwest::Method;
use serde_json::{Value, json};

use crate::{on_both_backends, procurement_support::*};

async fn status_of(client: &Proc, id: &str) -> Value {
    let reply = client.get("/order", &[("id", id)]).await;
    reply.body["data"]["status"].clone()
}

on_both_backends! {
    async fn an_order_goes_from_submission_to_final_approval(server: TestServer) {
        users(server.db()).await;
        let zhang = login(&server, ZHANG).await;
        let lead = login(&server, OFFICE_LEAD).await;
        let inst = login(&server, INST).await;
        let id = zhang.json(Method::POST, "/order", &new_order(ZHANG, "办公室", 1)).await.body["data"]
            .as_str().expect("id").to_owned();
        assert_eq!(lead.get("/dept/list", &[]).await.body["data"]["content"][0]["id"], id.as_str());
        // The other department's leader neither sees nor decides it.
        let finance = login(&server, FINANCE_LEAD).await;
        assert_eq!(finance.get("/dept/list", &[]).await.body["data"]["totalElements"], 0);
        finance.put("/dept/approve", &[("id", &id)]).await.expect(403, failure(31, "没有权限"));

        lead.put("/dept/approve", &[("id", &id)]).await.expect(200, success(Value::Null));
        assert_eq!(status_of(&zhang, &id).await, 2);
        assert_eq!(inst.get("/inst/list", &[]).await.body["data"]["content"][0]["id"], id.as_str());
        inst.put("/inst/approve", &[("id", &id)]).await.expect(200, success(Value::Null));
        assert_eq!(status_of(&zhang, &id).await, 3);
        let order = zhang.get("/order", &[("id", &id)]).await.body["data"].clone();
        assert_eq!(order["version"], 2);
        // Nothing moves a finally approved order but an admin's delete.
        zhang.put("/order/recall", &[("id", &id)]).await.expect(200, failure(0, "不可以对申请单做此操作"));
        inst.put("/inst/deny", &[("id", &id), ("reason", "x")]).await.expect(200, failure(0, "不可以对申请单做此操作"));
        zhang.get("/notice/count", &[("uid", ZHANG)]).await.expect(200, success(json!(2)));
    }

    async fn a_denied_order_is_edited_and_resubmitted(server: TestServer) {
        users(server.db()).await;
        let zhang = login(&server, ZHANG).await;
        let lead = login(&server, OFFICE_LEAD).await;
        let inst = login(&server, INST).await;
        let id = zhang.json(Method::POST, "/order", &new_order(ZHANG, "办公室", 1)).await.body["data"]
            .as_str().expect("id").to_owned();
        lead.put("/dept/deny", &[("id", &id), ("reason", "预算过高，请重新核实")]).await.expect(200, success(Value::Null));
        let order = zhang.get("/order", &[("id", &id)]).await.body["data"].clone();
        assert_eq!((order["status"].clone(), order["withdrawalReason"].clone()), (json!(0), json!("预算过高，请重新核实")));
        let notice = zhang.get("/notice/notices", &[("uid", ZHANG)]).await.body["data"]["content"][0].clone();
        assert_eq!(notice["title"], "申请单打回通知");
        assert_eq!(notice["content"], format!("编号{id}的申请单已被打回；打回原因：预算过高，请重新核实"));
        assert_eq!(notice["oid"], id.as_str());

        let mut edit = new_order(ZHANG, "办公室", 1);
        edit["id"] = json!(id);
        edit["version"] = order["version"].clone();
        edit["orderLists"] = json!([edit["orderLists"][0].clone(), edit["orderLists"][0].clone()]);
        zhang.json(Method::PUT, "/order", &edit).await.expect(200, success(Value::Null));
        let order = zhang.get("/order", &[("id", &id)]).await.body["data"].clone();
        assert_eq!(order["orderLists"][1]["id"], format!("{id}02"));
        lead.put("/dept/approve", &[("id", &id)]).await.expect(200, success(Value::Null));
        inst.put("/inst/deny", &[("id", &id), ("reason", "暂缓")]).await.expect(200, success(Value::Null));
        assert_eq!(status_of(&zhang, &id).await, 0);
        let mut again = edit.clone();
        again["version"] = json!(4);
        zhang.json(Method::PUT, "/order", &again).await.expect(200, success(Value::Null));
        assert_eq!(status_of(&zhang, &id).await, 1);
        // The leader got the first submission and two resubmissions.
        let titles: Vec<Value> = lead.get("/notice/notices", &[("uid", OFFICE_LEAD)]).await.body["data"]["content"]
            .as_array().expect("list").iter().map(|notice| notice["title"].clone()).collect();
        assert_eq!(titles, vec![json!("申请单重新提交通知"), json!("申请单重新提交通知"), json!("新的申请单提交通知")]);
    }

    async fn a_recalled_order_returns_to_draft_and_can_be_submitted_again(server: TestServer) {
        users(server.db()).await;
        let zhang = login(&server, ZHANG).await;
        let id = zhang.json(Method::POST, "/order", &new_order(ZHANG, "办公室", 1)).await.body["data"]
            .as_str().expect("id").to_owned();
        zhang.put("/order/recall", &[("id", &id)]).await.expect(200, success(Value::Null));
        assert_eq!(status_of(&zhang, &id).await, 0);
        zhang.put("/order/recall", &[("id", &id)]).await.expect(200, failure(0, "不可以对申请单做此操作"));
        let mut edit = new_order(ZHANG, "办公室", 1);
        edit["id"] = json!(id);
        edit["version"] = json!(1);
        zhang.json(Method::PUT, "/order", &edit).await.expect(200, success(Value::Null));
        assert_eq!(status_of(&zhang, &id).await, 1);
    }

    async fn deleted_orders_are_listed_and_restored_to_their_previous_status(server: TestServer) {
        users(server.db()).await;
        let zhang = login(&server, ZHANG).await;
        let lead = login(&server, OFFICE_LEAD).await;
        let admin = login(&server, ADMIN).await;
        let id = zhang.json(Method::POST, "/order", &new_order(ZHANG, "办公室", 1)).await.body["data"]
            .as_str().expect("id").to_owned();
        lead.put("/dept/approve", &[("id", &id)]).await.expect(200, success(Value::Null));
        admin.delete(&format!("/admin/order/{id}")).await.expect(200, success(Value::Null));
        let deleted = admin.get("/admin/order/deleted", &[]).await;
        assert_eq!(deleted.body["data"]["content"][0]["status"], -1, "{}", deleted.text);
        assert_eq!(deleted.body["data"]["totalElements"], 1);
        // Deleted orders leave every search and are unknown to everyone but admins.
        assert_eq!(zhang.get("/order/orders", &[]).await.body["data"]["totalElements"], 0);
        assert_eq!(admin.get("/order/orders", &[]).await.body["data"]["totalElements"], 0);
        zhang.get("/order", &[("id", &id)]).await.expect(200, failure(0, "申请单不存在"));
        lead.put("/dept/approve", &[("id", &id)]).await.expect(200, failure(0, "申请单不存在"));
        admin.put(&format!("/admin/order/reduct/{id}"), &[]).await.expect(200, success(Value::Null));
        assert_eq!(status_of(&zhang, &id).await, 2);
        assert_eq!(admin.get("/admin/order/deleted", &[]).await.body["data"]["totalElements"], 0);
    }

    async fn concurrent_creations_get_distinct_consecutive_ids(server: TestServer) {
        users(server.db()).await;
        let zhang = login(&server, ZHANG).await;
        let mut tasks = Vec::new();
        for _ in 0..12 {
            let client = zhang.clone();
            tasks.push(tokio::spawn(async move {
                client.json(Method::POST, "/order", &new_order(ZHANG, "办公室", 0)).await
            }));
        }
        let mut ids = Vec::new();
        for task in tasks {
            let reply = task.await.expect("task");
            assert_eq!(reply.body["code"], 1, "{}", reply.text);
            ids.push(reply.body["data"].as_str().expect("id").to_owned());
        }
        ids.sort();
        let year = chrono::Utc::now().format("%Y").to_string();
        let expected: Vec<String> = (1..=12).map(|n| format!("{year}01{n:02}")).collect();
        assert_eq!(ids, expected);
        assert_eq!(zhang.get("/order/orders", &[("page", "2")]).await.body["data"]["content"].as_array().map(Vec::len), Some(2));
    }
}
