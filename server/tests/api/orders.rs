//! list_order, add_order, modify_order, del_order.

use serde_json::{Value, json};

use crate::{on_both_backends, support::*};

const PATH: &str = "/api/mgr/orders";

struct Fixture {
    api: Api,
    customer: i64,
    other_customer: i64,
    medicines: Vec<i64>,
}

async fn fixture(server: &TestServer) -> Fixture {
    let api = server.admin().await;
    let customer = api
        .add_customer("李小哲", "12345678911", "上海市嘉定区")
        .await;
    let other_customer = api
        .add_customer("张三", "12345678922", "上海市静安区")
        .await;
    let mut medicines = Vec::new();
    for (name, sn) in [("xxx药", "1"), ("xxx药2", "2"), ("xxx药3", "3")] {
        medicines.push(api.add_medicine(name, "疗效是...", sn).await);
    }
    Fixture {
        api,
        customer,
        other_customer,
        medicines,
    }
}

fn today() -> String {
    chrono::Utc::now().format("%Y-%m-%d").to_string()
}

on_both_backends! {
    async fn orders_are_listed_newest_first_with_customer_and_medicines(server: TestServer) {
        let f = fixture(&server).await;
        let (m1, m2) = (f.medicines[0], f.medicines[1]);
        let older = f.api.add_order("xx医院订单", f.customer, &[(m1, 33), (m2, 12)]).await;
        let newer = f.api.add_order("yy医院订单", f.other_customer, &[]).await;
        let reply = f.api.list(PATH, "list_order", 1, 10).await;
        let date = reply.body["retlist"][0]["create_date"].as_str().unwrap_or_default().to_owned();
        assert!(date == today() || date.len() == 10, "{date}");
        reply.expect(200, json!({
            "ret": 0,
            "retlist": [
                {"id": newer, "name": "yy医院订单", "create_date": date, "customer_name": "张三",
                 "customerid": f.other_customer, "medicinelist": []},
                {"id": older, "name": "xx医院订单", "create_date": date, "customer_name": "李小哲",
                 "customerid": f.customer, "medicinelist": [
                    {"id": m1, "amount": 33, "name": "xxx药"},
                    {"id": m2, "amount": 12, "name": "xxx药2"},
                 ]},
            ],
            "total": 2,
        }));
        f.api.list(PATH, "list_order", 2, 2).await.expect(200, json!({"ret": 0, "retlist": [], "total": 2}));
    }

    async fn listing_orders_without_pagenum_or_pagesize_is_refused(server: TestServer) {
        let api = server.admin().await;
        let missing = json!({"ret": 1, "msg": "缺少pagenum或pagesize字段"});
        api.get(PATH, &[("action", "list_order"), ("pagesize", "5")]).await.expect(200, missing.clone());
        api.get(PATH, &[("action", "list_order"), ("pagenum", "1")]).await.expect(200, missing);
        let bad = api.get(PATH, &[("action", "list_order"), ("pagenum", "-3"), ("pagesize", "5")]).await;
        assert_eq!(bad.body["ret"], 1, "{}", bad.text);
    }

    async fn adding_an_order_checks_each_part_of_its_data(server: TestServer) {
        let f = fixture(&server).await;
        let line = json!([{"id": f.medicines[0], "amount": 5, "name": "xxx药"}]);
        let add = |data: Value| json!({"action": "add_order", "data": data});
        f.api.post(PATH, json!({"action": "add_order"})).await
            .expect(200, json!({"ret": 1, "msg": "请传入data或传入正确格式的data"}));
        f.api.post(PATH, add(json!("not an object"))).await
            .expect(200, json!({"ret": 1, "msg": "请传入data或传入正确格式的data"}));
        f.api.post(PATH, add(json!({"name": "x", "medicinelist": line}))).await
            .expect(200, json!({"ret": 1, "msg": "请传入customerid"}));
        f.api.post(PATH, add(json!({"customerid": f.customer, "medicinelist": line}))).await
            .expect(200, json!({"ret": 1, "msg": "请传入订单名称"}));
        f.api.post(PATH, add(json!({"name": "x", "customerid": f.customer}))).await
            .expect(200, json!({"ret": 1, "msg": "请传入medicinelist"}));
        let unknown = f.api.post(PATH, add(json!({"name": "x", "customerid": f.customer + 100, "medicinelist": line}))).await;
        assert_eq!(unknown.body["ret"], 1, "{}", unknown.text);
        let unknown = f.api.post(PATH, add(json!({"name": "x", "customerid": f.customer,
            "medicinelist": [{"id": 999_999, "amount": 1, "name": "?"}]}))).await;
        assert_eq!(unknown.body["ret"], 1, "{}", unknown.text);
        f.api.list(PATH, "list_order", 1, 10).await.expect(200, json!({"ret": 0, "retlist": [], "total": 0}));
    }

    async fn modifying_an_order_updates_adds_and_deletes_lines(server: TestServer) {
        let f = fixture(&server).await;
        let (m1, m2, m3) = (f.medicines[0], f.medicines[1], f.medicines[2]);
        let id = f.api.add_order("xxx医院订单", f.customer, &[(m1, 5), (m2, 10)]).await;
        f.api.put(PATH, json!({"action": "modify_order", "id": id, "data": {
            "name": "修改后订单", "customerid": f.other_customer,
            "medicinelist": [{"id": m2, "amount": 15, "name": "xx药2"}, {"id": m3, "amount": 10, "name": "xx药"}],
            "deletelist": [m1],
        }})).await.expect(200, json!({"ret": 0}));
        let order = &f.api.list(PATH, "list_order", 1, 10).await.body["retlist"][0];
        assert_eq!(order["name"], "修改后订单");
        assert_eq!(order["customerid"], f.other_customer);
        assert_eq!(order["customer_name"], "张三");
        assert_eq!(order["medicinelist"], json!([
            {"id": m2, "amount": 15, "name": "xxx药2"},
            {"id": m3, "amount": 10, "name": "xxx药3"},
        ]));
    }

    async fn a_failed_order_modification_changes_nothing(server: TestServer) {
        let f = fixture(&server).await;
        let (m1, m2) = (f.medicines[0], f.medicines[1]);
        let id = f.api.add_order("原订单", f.customer, &[(m1, 5)]).await;
        let before = f.api.list(PATH, "list_order", 1, 10).await.body;
        let reply = f.api.put(PATH, json!({"action": "modify_order", "id": id, "data": {
            "name": "改名", "deletelist": [m1],
            "medicinelist": [{"id": m2, "amount": 1, "name": "x"}, {"id": 999_999, "amount": 1, "name": "?"}],
        }})).await;
        assert_eq!(reply.body["ret"], 1, "{}", reply.text);
        assert_eq!(f.api.list(PATH, "list_order", 1, 10).await.body, before);
    }

    async fn modifying_an_order_needs_a_correct_id_and_data(server: TestServer) {
        let f = fixture(&server).await;
        let id = f.api.add_order("原订单", f.customer, &[]).await;
        f.api.put(PATH, json!({"action": "modify_order", "data": {"name": "x"}})).await
            .expect(400, json!({"ret": 1, "msg": "请传入正确的id值"}));
        f.api.put(PATH, json!({"action": "modify_order", "id": "twelve", "data": {"name": "x"}})).await
            .expect(400, json!({"ret": 1, "msg": "请传入正确的id值"}));
        f.api.put(PATH, json!({"action": "modify_order", "id": id})).await
            .expect(400, json!({"ret": 1, "msg": "请传入正确的data"}));
        f.api.put(PATH, json!({"action": "modify_order", "id": id, "data": {"deletelist": "all"}})).await
            .expect(400, json!({"ret": 1, "msg": "请传入正确的data"}));
    }

    async fn an_order_is_deleted_with_its_lines(server: TestServer) {
        let f = fixture(&server).await;
        let id = f.api.add_order("原订单", f.customer, &[(f.medicines[0], 1)]).await;
        f.api.delete(PATH, json!({"action": "del_order"})).await
            .expect(200, json!({"ret": 1, "msg": "缺少订单id"}));
        f.api.delete(PATH, json!({"action": "del_order", "id": id})).await.expect(200, json!({"ret": 0}));
        f.api.list(PATH, "list_order", 1, 10).await.expect(200, json!({"ret": 0, "retlist": [], "total": 0}));
        // With the order gone, its customer and medicine may be deleted.
        f.api.delete("/api/mgr/medicines", json!({"action": "del_medicine", "id": f.medicines[0]})).await
            .expect(200, json!({"ret": 0, "msg": "删除成功"}));
        f.api.delete("/api/mgr/customers", json!({"action": "del_customer", "id": f.customer})).await
            .expect(200, json!({"ret": 0}));
    }

    async fn order_requests_without_or_with_a_wrong_action_answer_400(server: TestServer) {
        let api = server.admin().await;
        api.get(PATH, &[("pagenum", "1"), ("pagesize", "5")]).await
            .expect(400, json!({"ret": 1, "msg": "未传action类型"}));
        api.get(PATH, &[("action", "fly"), ("pagenum", "1"), ("pagesize", "5")]).await
            .expect(400, json!({"ret": 1, "msg": "错误的action类型"}));
        api.post(PATH, json!({"action": "del_order", "id": 1})).await
            .expect(400, json!({"ret": 1, "msg": "错误的action类型或错误的请求类型"}));
    }
}
