//! list_customer, add_customer, modify_customer, del_customer.

use serde_json::json;

use crate::on_both_backends;

const PATH: &str = "/api/mgr/customers";

on_both_backends! {
    async fn customers_are_listed_newest_first_with_the_total(server: TestServer) {
        let api = server.admin().await;
        let first = api.add_customer("李小哲", "12345678911", "上海市嘉定区").await;
        let second = api.add_customer("张三", "12345678922", "上海市静安区").await;
        api.list(PATH, "list_customer", 1, 10).await.expect(200, json!({
            "ret": 0,
            "retlist": [
                {"id": second, "name": "张三", "phonenumber": "12345678922", "address": "上海市静安区"},
                {"id": first, "name": "李小哲", "phonenumber": "12345678911", "address": "上海市嘉定区"},
            ],
            "total": 2,
        }));
    }

    async fn customer_pages_split_the_list_and_pages_past_the_end_are_empty(server: TestServer) {
        let api = server.admin().await;
        let mut ids = Vec::new();
        for n in 0..5 {
            ids.push(api.add_customer(&format!("客户{n}"), "12345678900", "上海市").await);
        }
        let page2 = api.list(PATH, "list_customer", 2, 2).await;
        let got: Vec<i64> = page2.body["retlist"].as_array().expect("list").iter().map(|c| c["id"].as_i64().unwrap_or(0)).collect();
        assert_eq!(got, vec![ids[2], ids[1]]);
        assert_eq!(page2.body["total"], 5);
        api.list(PATH, "list_customer", 4, 2).await.expect(200, json!({"ret": 0, "retlist": [], "total": 5}));
    }

    async fn listing_customers_without_pagenum_or_pagesize_is_refused(server: TestServer) {
        let api = server.admin().await;
        api.get(PATH, &[("action", "list_customer"), ("pagesize", "5")]).await
            .expect(200, json!({"ret": 1, "msg": "请填写pagenum"}));
        api.get(PATH, &[("action", "list_customer"), ("pagenum", "1")]).await
            .expect(200, json!({"ret": 1, "msg": "请填写pagesize"}));
        for (num, size) in [("0", "5"), ("x", "5"), ("1", "-1"), ("1", "abc"), ("99999999999999999999", "5")] {
            let reply = api.get(PATH, &[("action", "list_customer"), ("pagenum", num), ("pagesize", size)]).await;
            assert_eq!(reply.body["ret"], 1, "pagenum={num} pagesize={size}: {}", reply.text);
        }
    }

    async fn a_customer_is_added_and_modified_as_documented(server: TestServer) {
        let api = server.admin().await;
        let reply = api.post(PATH, json!({"action": "add_customer",
            "data": {"name": "上海市xx医院", "phonenumber": "12345678900", "address": "上海市xx路xx街"}})).await;
        let id = reply.id();
        api.put(PATH, json!({"action": "modify_customer", "id": id,
            "newdata": {"name": "上海市xx医院", "phonenumber": "13345678888", "address": "上海市xx街xx路"}})).await
            .expect(200, json!({"ret": 0}));
        let list = api.list(PATH, "list_customer", 1, 10).await;
        assert_eq!(list.body["retlist"][0]["phonenumber"], "13345678888");
        api.put(PATH, json!({"action": "modify_customer", "id": id + 100,
            "newdata": {"name": "x", "phonenumber": "1", "address": "y"}})).await
            .expect(200, json!({"ret": 1, "msg": format!("id:{}不存在", id + 100)}));
    }

    async fn a_customer_is_deleted_unless_an_order_refers_to_it(server: TestServer) {
        let api = server.admin().await;
        let free = api.add_customer("张三", "12345678922", "上海市静安区").await;
        let busy = api.add_customer("李小哲", "12345678911", "上海市嘉定区").await;
        let medicine = api.add_medicine("xx药", "疗效是....", "213123123").await;
        api.add_order("xx医院订单", busy, &[(medicine, 3)]).await;
        api.delete(PATH, json!({"action": "del_customer", "id": free})).await.expect(200, json!({"ret": 0}));
        api.delete(PATH, json!({"action": "del_customer", "id": free})).await
            .expect(200, json!({"ret": 1, "msg": format!("id:{free}不存在")}));
        api.delete(PATH, json!({"action": "del_customer", "id": busy})).await
            .expect(200, json!({"ret": 2, "msg": "订单中引用了这条数据,禁止删除"}));
        assert_eq!(api.list(PATH, "list_customer", 1, 10).await.body["total"], 1);
    }

    async fn customer_requests_without_or_with_a_wrong_action_are_refused(server: TestServer) {
        let api = server.admin().await;
        api.get(PATH, &[("pagenum", "1"), ("pagesize", "5")]).await
            .expect(200, json!({"ret": 1, "msg": "未传action类型"}));
        api.get(PATH, &[("action", "list_everything"), ("pagenum", "1"), ("pagesize", "5")]).await
            .expect(200, json!({"ret": 1, "msg": "错误的action类型"}));
        api.post(PATH, json!({"data": {}})).await
            .expect(200, json!({"ret": 1, "msg": "未传action类型"}));
        api.post(PATH, json!({"action": "del_customer", "id": 1})).await
            .expect(200, json!({"ret": 1, "msg": "错误的action类型"}));
    }
}
