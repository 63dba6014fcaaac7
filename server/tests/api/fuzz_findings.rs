//! Regression tests for what Schemathesis found against the running server
//! (`.ci/schemathesis/run`, see docs/reliability.md): one test per finding, on the wire.

use reqwest::Method;
use serde_json::{Value, json};

use crate::{on_both_backends, procurement_support::*};

on_both_backends! {
    // mgr add_order / modify_order: `medicinelist[].name` is optional, but when present it is a
    // string (OrderMedicineInput); `null` was accepted as if absent.
    async fn a_medicine_line_whose_name_is_null_is_malformed(server: TestServer) {
        let api = server.admin().await;
        let customer = api.add_customer("张三", "12345678922", "上海市静安区").await;
        let medicine = api.add_medicine("青霉素", "抗菌消炎", "213123123").await;
        let line = |name: Value| {
            let mut line = json!({"id": medicine, "amount": 2});
            if !name.is_null() {
                line["name"] = name;
            }
            line
        };
        let with_null = json!([{"id": medicine, "amount": 2, "name": null}]);
        api.post("/api/mgr/orders", json!({"action": "add_order",
            "data": {"name": "订单", "customerid": customer, "medicinelist": with_null}})).await
            .expect(200, json!({"ret": 1, "msg": "请传入data或传入正确格式的data"}));

        // Absent or a string, the name is informational and accepted.
        let order = api.post("/api/mgr/orders", json!({"action": "add_order",
            "data": {"name": "订单", "customerid": customer, "medicinelist": [line(Value::Null)]}})).await.id();
        api.post("/api/mgr/orders", json!({"action": "add_order",
            "data": {"name": "订单", "customerid": customer, "medicinelist": [line(json!("xx药"))]}})).await.id();

        api.put("/api/mgr/orders", json!({"action": "modify_order", "id": order,
            "data": {"medicinelist": with_null}})).await
            .expect(400, json!({"ret": 1, "msg": "请传入正确的data"}));
        api.put("/api/mgr/orders", json!({"action": "modify_order", "id": order,
            "data": {"medicinelist": [line(json!("xx药"))]}})).await
            .expect(200, json!({"ret": 0}));
    }

    // procurement searches: `oid`, `applyDept`, `applyUser`, `user` have maxLength 32 and
    // `fundcode` 6; longer values were searched for instead of being refused with 12.
    async fn search_filters_longer_than_documented_are_refused(server: TestServer) {
        users(server.db()).await;
        let searches = [
            ("/order/orders", login(&server, ZHANG).await),
            ("/dept/orders", login(&server, OFFICE_LEAD).await),
            ("/inst/orders", login(&server, INST).await),
        ];
        let at_limit = "张".repeat(32);
        let too_long = "张".repeat(33);
        for (path, client) in &searches {
            for (key, max) in [("oid", 32), ("applyUser", 32), ("user", 32), ("fundcode", 6)] {
                let at_limit = &at_limit[..max * "张".len()];
                let reply = client.get(path, &[(key, at_limit)]).await;
                reply.expect(200, success(page(vec![], 0, 0)));
                let too_long = &too_long[..(max + 1) * "张".len()];
                client.get(path, &[(key, too_long)]).await.expect(200, failure(12, "参数错误"));
            }
        }
        let (path, client) = &searches[0];
        client.get(path, &[("applyDept", &too_long)]).await.expect(200, failure(12, "参数错误"));
    }

    // procurement `page` is any integer ≥ 1 (Page has no maximum); pages past 1 000 000 were
    // refused with 12 instead of answering an empty page.
    async fn any_page_number_a_64_bit_integer_holds_is_answered(server: TestServer) {
        users(server.db()).await;
        let zhang = login(&server, ZHANG).await;
        zhang.json(Method::POST, "/order", &new_order(ZHANG, "办公室", 1)).await;
        let page_of = |number: i64| json!({
            "content": [], "totalPages": 1, "totalElements": 1, "size": 10, "number": number,
        });
        for page_number in [1_000_001_i64, 867_265_139_348_618_880, i64::MAX] {
            let text = page_number.to_string();
            zhang.get("/order/orders", &[("page", &text)]).await
                .expect(200, success(page_of(page_number - 1)));
            zhang.get("/notice/notices", &[("uid", ZHANG), ("page", &text)]).await
                .expect(200, success(json!({
                    "content": [], "totalPages": 0, "totalElements": 0, "size": 10,
                    "number": page_number - 1,
                })));
        }
        // Not an integer ≥ 1, or beyond 64 bits: still 12.
        for page_number in ["0", "-1", "9223372036854775808", "abc"] {
            zhang.get("/order/orders", &[("page", page_number)]).await
                .expect(200, failure(12, "参数错误"));
        }
    }

    // mgr ids and amounts are `type: integer`, and JSON Schema counts `2.0` as an integer;
    // such values were refused as malformed. Fractions still are.
    async fn integral_numbers_written_with_a_fraction_part_are_integers(server: TestServer) {
        let api = server.admin().await;
        let customer = api.add_customer("张三", "12345678922", "上海市静安区").await;
        let medicine = api.add_medicine("青霉素", "抗菌消炎", "213123123").await;
        let order = api.post("/api/mgr/orders", json!({"action": "add_order", "data": {
            "name": "订单", "customerid": customer as f64,
            "medicinelist": [{"id": medicine as f64, "amount": 3.0}]}})).await.id();
        api.put("/api/mgr/orders", json!({"action": "modify_order", "id": order as f64,
            "data": {"medicinelist": [{"id": medicine as f64, "amount": 5.0}]}})).await
            .expect(200, json!({"ret": 0}));
        let listed = api.list("/api/mgr/orders", "list_order", 1, 10).await;
        assert_eq!(listed.body["retlist"][0]["medicinelist"][0]["amount"], 5, "{}", listed.text);
        api.put("/api/mgr/orders", json!({"action": "modify_order", "id": order,
            "data": {"medicinelist": [{"id": medicine, "amount": 5.5}]}})).await
            .expect(400, json!({"ret": 1, "msg": "请传入正确的data"}));
    }

    // procurement: the same for integer fields of an order (`quantity`, `status`).
    async fn procurement_integers_may_be_written_with_a_zero_fraction(server: TestServer) {
        users(server.db()).await;
        let zhang = login(&server, ZHANG).await;
        let mut order = new_order(ZHANG, "办公室", 1);
        order["status"] = json!(1.0);
        order["orderLists"][0]["quantity"] = json!(2.0);
        let reply = zhang.json(Method::POST, "/order", &order).await;
        assert_eq!(reply.body["code"], 1, "{}", reply.text);
        order["orderLists"][0]["quantity"] = json!(2.5);
        zhang.json(Method::POST, "/order", &order).await.expect(200, failure(12, "参数错误"));
    }

    // procurement searches: an empty `startDate` or `endDate` sets no bound (as every empty
    // filter); the spec's SearchDate pattern refused the empty string the server accepts.
    async fn an_empty_search_date_sets_no_bound(server: TestServer) {
        users(server.db()).await;
        let zhang = login(&server, ZHANG).await;
        zhang.json(Method::POST, "/order", &new_order(ZHANG, "办公室", 1)).await;
        let reply = zhang.get("/order/orders", &[("startDate", ""), ("endDate", "")]).await;
        assert_eq!(reply.body["data"]["totalElements"], 1, "{}", reply.text);
        zhang.get("/order/orders", &[("startDate", "2021-02-30")]).await
            .expect(200, failure(12, "参数错误"));
    }
}
