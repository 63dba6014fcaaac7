//! Regression tests for what Schemathesis found against the running server
//! (`.ci/schemathesis/run`, see docs/reliability.md): one test per finding, on the wire.

use reqwest::Method;
use serde_json::{Value, json};

use crate::{on_every_backend, procurement_support::*};

on_every_backend! {
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

    // procurement: parameters are checked before existence and ownership, so a malformed order
    // id or user id answers 12 参数错误, where it answered 0 申请单不存在, 27 账号不存在 or
    // 31 没有权限. Well-formed unknown ids keep their answers.
    async fn malformed_ids_answer_12_before_existence_and_ownership(server: TestServer) {
        fixture(server.db()).await;
        let zhang = login(&server, ZHANG).await;
        let admin = login(&server, ADMIN).await;
        let lead = login(&server, OFFICE_LEAD).await;
        let invalid = failure(12, "参数错误");
        for id in ["abc", "2021010", "2021-0104", "null"] {
            zhang.get("/order", &[("id", id)]).await.expect(200, invalid.clone());
            zhang.get("/order/file", &[("id", id)]).await.expect(200, invalid.clone());
            zhang.put("/order/recall", &[("id", id)]).await.expect(200, invalid.clone());
            lead.put("/dept/approve", &[("id", id)]).await.expect(200, invalid.clone());
            admin.delete(&format!("/order/{id}")).await.expect(200, invalid.clone());
            admin.put(&format!("/admin/order/reduct/{id}"), &[]).await.expect(200, invalid.clone());
        }
        // 40 digits match OrderId: unknown, not malformed.
        let long = "2".repeat(40);
        zhang.get("/order", &[("id", &long)]).await.expect(200, failure(0, "申请单不存在"));
        for uid in ["abc", "1234567891", "123456789111", "null"] {
            zhang.get("/notice/count", &[("uid", uid)]).await.expect(200, invalid.clone());
            zhang.get("/notice/notices", &[("uid", uid)]).await.expect(200, invalid.clone());
            zhang.get("/user/info", &[("id", uid)]).await.expect(200, invalid.clone());
            zhang.get("/user/logout", &[("uid", uid)]).await.expect(200, invalid.clone());
            admin.get("/admin/user", &[("uid", uid)]).await.expect(200, invalid.clone());
            zhang.json(Method::PUT, "/user/pwd", &json!({"uid": uid, "oldPassword": PASSWORD,
                "newPassword": "Abc123456"})).await.expect(200, invalid.clone());
        }
        zhang.get("/notice/count", &[("uid", LI)]).await.expect(403, failure(31, "没有权限"));
        admin.get("/admin/user", &[("uid", "19999999999")]).await.expect(200, failure(27, "账号不存在"));
    }

    // procurement JSON bodies: "wrong content type" is 12 参数错误 in the spec, but a JSON text
    // sent as text/plain was read. Without a Content-Type the body is still read as JSON.
    async fn a_json_body_declared_as_another_media_type_is_refused(server: TestServer) {
        users(server.db()).await;
        let zhang = login(&server, ZHANG).await;
        let body = new_order(ZHANG, "办公室", 0).to_string();
        for media_type in ["text/plain", "application/xml", "multipart/form-data; boundary=x"] {
            let reply = zhang.send(zhang.request(Method::POST, "/order")
                .header("Content-Type", media_type).body(body.clone())).await;
            reply.expect(200, failure(12, "参数错误"));
        }
        let reply = zhang.send(zhang.request(Method::POST, "/order").body(body.clone())).await;
        assert_eq!(reply.body["code"], 1, "{}", reply.text);
        let reply = zhang.send(zhang.request(Method::POST, "/order")
            .header("Content-Type", "application/json; charset=utf-8").body(body)).await;
        assert_eq!(reply.body["code"], 1, "{}", reply.text);
        let login = server.client().send(server.client().request(Method::POST, "/user/login")
            .header("Content-Type", "text/plain")
            .body(json!({"username": ZHANG, "password": PASSWORD}).to_string())).await;
        login.expect(200, failure(12, "参数错误"));
    }

    // procurement order lines: `type`, `configuration`, `reason`, `newUser` are required strings
    // (they may be empty); absent or null counted as empty. A line `id` is ignored, but it is a
    // string or null.
    async fn order_lines_need_their_free_text_columns(server: TestServer) {
        users(server.db()).await;
        let zhang = login(&server, ZHANG).await;
        for column in ["type", "configuration", "reason", "newUser"] {
            let mut order = new_order(ZHANG, "办公室", 0);
            order["orderLists"][0].as_object_mut().expect("line").remove(column);
            zhang.json(Method::POST, "/order", &order).await.expect(200, failure(11, "参数缺失"));
            order["orderLists"][0][column] = Value::Null;
            zhang.json(Method::POST, "/order", &order).await.expect(200, failure(11, "参数缺失"));
            order["orderLists"][0][column] = json!("");
            let reply = zhang.json(Method::POST, "/order", &order).await;
            assert_eq!(reply.body["code"], 1, "{column} empty: {}", reply.text);
        }
        let mut order = new_order(ZHANG, "办公室", 0);
        order["orderLists"][0]["id"] = json!(7);
        zhang.json(Method::POST, "/order", &order).await.expect(200, failure(12, "参数错误"));
        order["orderLists"][0]["id"] = json!("2021010499");
        let reply = zhang.json(Method::POST, "/order", &order).await;
        assert_eq!(reply.body["code"], 1, "{}", reply.text);
    }

    // recall_order takes the id from the query or the body: two sent ids must be equal, a blank
    // single id is missing, a body id that is not a string is malformed; a body without `id`
    // next to the query parameter is fine (RecallRequest.id is optional).
    async fn recall_reads_one_id_from_the_query_or_the_body(server: TestServer) {
        fixture(server.db()).await;
        let zhang = login(&server, ZHANG).await;
        let recall = |query: &'static [(&'static str, &'static str)], body: Value| {
            let zhang = zhang.clone();
            async move {
                zhang.send(zhang.request(Method::PUT, "/order/recall").query(query).json(&body)).await
            }
        };
        recall(&[("id", "20210104")], json!({"id": null})).await.expect(200, failure(12, "参数错误"));
        recall(&[("id", "20210104")], json!({"id": 20210104})).await.expect(200, failure(12, "参数错误"));
        recall(&[("id", "20210104")], json!({"id": ""})).await.expect(200, failure(12, "参数错误"));
        recall(&[("id", "")], json!({"id": "20210104"})).await.expect(200, failure(12, "参数错误"));
        recall(&[("id", "")], json!({})).await.expect(200, failure(11, "参数缺失"));
        recall(&[], json!({"id": " "})).await.expect(200, failure(11, "参数缺失"));
        recall(&[("id", "20210104")], json!({})).await.expect(200, success(Value::Null));
    }

    // procurement query strings: a parameter named twice (`page=2&page=`) was read as its last
    // value, and an empty `page` as page 1; `Page` is one integer, so both are 12.
    async fn a_repeated_or_empty_page_is_malformed(server: TestServer) {
        users(server.db()).await;
        let zhang = login(&server, ZHANG).await;
        let admin = login(&server, ADMIN).await;
        for query in [&[("page", "2"), ("page", "")][..], &[("page", "")], &[("oid", "1"), ("oid", "2")]] {
            zhang.get("/order/orders", query).await.expect(200, failure(12, "参数错误"));
            admin.get("/admin/order/deleted", query).await.expect(200, failure(12, "参数错误"));
        }
        zhang.get("/order/orders", &[]).await.expect(200, success(page(vec![], 0, 0)));
    }

    // procurement deny reasons: maxLength 500 applies to the value as sent; the server counted
    // it after trimming, so 500 characters followed by whitespace went through.
    async fn a_deny_reason_is_limited_as_sent(server: TestServer) {
        fixture(server.db()).await;
        let lead = login(&server, OFFICE_LEAD).await;
        let padded = format!("{}{}", "预".repeat(499), "\t".repeat(2));
        lead.put("/dept/deny", &[("id", "20210104"), ("reason", &padded)]).await
            .expect(200, failure(12, "参数错误"));
        let reason = "预".repeat(500);
        lead.put("/dept/deny", &[("id", "20210104"), ("reason", &reason)]).await
            .expect(200, success(Value::Null));
    }

    // mgr order names: the server refuses a blank (whitespace-only) name like an empty one, but
    // the spec allowed it (minLength 1 only; now pattern `\S`), and add_order answered it with
    // the malformed-data message instead of 请传入订单名称.
    async fn a_blank_order_name_counts_as_empty(server: TestServer) {
        let api = server.admin().await;
        let customer = api.add_customer("张三", "12345678922", "上海市静安区").await;
        api.post("/api/mgr/orders", json!({"action": "add_order",
            "data": {"name": "\t ", "customerid": customer, "medicinelist": []}})).await
            .expect(200, json!({"ret": 1, "msg": "请传入订单名称"}));
        let order = api.add_order("订单", customer, &[]).await;
        api.put("/api/mgr/orders", json!({"action": "modify_order", "id": order,
            "data": {"name": "\t"}})).await
            .expect(400, json!({"ret": 1, "msg": "请传入正确的data"}));
    }
}
