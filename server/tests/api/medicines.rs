//! list_medicine, add_medicine, modify_medicine, del_medicine.

use serde_json::json;

use crate::on_both_backends;

const PATH: &str = "/api/mgr/medicines";

on_both_backends! {
    async fn medicines_are_listed_newest_first_with_the_total(server: TestServer) {
        let api = server.admin().await;
        let first = api.add_medicine("xx药", "疗效是....", "213123123").await;
        let second = api.add_medicine("xx药2", "疗效是....2", "2131231333").await;
        api.list(PATH, "list_medicine", 1, 10).await.expect(200, json!({
            "ret": 0,
            "retlist": [
                {"id": second, "name": "xx药2", "sn": "2131231333", "desc": "疗效是....2"},
                {"id": first, "name": "xx药", "sn": "213123123", "desc": "疗效是...."},
            ],
            "total": 2,
        }));
        api.list(PATH, "list_medicine", 2, 10).await.expect(200, json!({"ret": 0, "retlist": [], "total": 2}));
        api.get(PATH, &[("action", "list_medicine"), ("pagesize", "5")]).await
            .expect(200, json!({"ret": 1, "msg": "请填写pagenum"}));
        api.get(PATH, &[("action", "list_medicine"), ("pagenum", "1")]).await
            .expect(200, json!({"ret": 1, "msg": "请填写pagesize"}));
    }

    async fn adding_a_medicine_needs_data_and_a_new_name(server: TestServer) {
        let api = server.admin().await;
        api.post(PATH, json!({"action": "add_medicine", "data": {"name": "xx药", "desc": "疗效是...", "sn": "1234567788"}}))
            .await.id();
        api.post(PATH, json!({"action": "add_medicine", "data": {"name": "xx药", "desc": "另一种", "sn": "1"}})).await
            .expect(200, json!({"ret": 1, "msg": "药品名已存在"}));
        api.post(PATH, json!({"action": "add_medicine"})).await
            .expect(400, json!({"ret": 1, "msg": "请求体参数中需要填入data"}));
    }

    async fn modifying_a_medicine_answers_each_documented_case(server: TestServer) {
        let api = server.admin().await;
        let id = api.add_medicine("xx药", "疗效是...", "1234567788").await;
        let other = api.add_medicine("yy药", "疗效是...", "1").await;
        let newdata = json!({"name": "xx药", "desc": "疗效是....", "sn": "123456777"});
        api.put(PATH, json!({"action": "modify_medicine", "id": id, "newdata": newdata})).await
            .expect(200, json!({"ret": 0, "msg": "修改成功"}));
        api.put(PATH, json!({"action": "modify_medicine", "newdata": newdata})).await
            .expect(200, json!({"ret": 1, "msg": "请传入修改的id值"}));
        api.put(PATH, json!({"action": "modify_medicine", "id": id})).await
            .expect(200, json!({"ret": 1, "msg": "请传入newdata"}));
        api.put(PATH, json!({"action": "modify_medicine", "id": other + 100, "newdata": newdata})).await
            .expect(200, json!({"ret": 1, "msg": "无此id的药品"}));
        api.put(PATH, json!({"action": "modify_medicine", "id": id, "newdata": {"name": "xx药"}})).await
            .expect(200, json!({"ret": 1, "msg": "请填入相应的修改药品数据"}));
        api.put(PATH, json!({"action": "modify_medicine", "id": other, "newdata": newdata})).await
            .expect(200, json!({"ret": 1, "msg": "药品名已存在"}));
        let list = api.list(PATH, "list_medicine", 1, 10).await;
        assert_eq!(list.body["retlist"][1], json!({"id": id, "name": "xx药", "desc": "疗效是....", "sn": "123456777"}));
    }

    async fn deleting_a_medicine_answers_each_documented_case(server: TestServer) {
        let api = server.admin().await;
        let free = api.add_medicine("xx药", "疗效是...", "1").await;
        let busy = api.add_medicine("xx药2", "疗效是...", "2").await;
        let customer = api.add_customer("李小哲", "12345678911", "上海市嘉定区").await;
        api.add_order("xx医院订单", customer, &[(busy, 5)]).await;
        api.delete(PATH, json!({"action": "del_medicine", "id": free})).await
            .expect(200, json!({"ret": 0, "msg": "删除成功"}));
        api.delete(PATH, json!({"action": "del_medicine"})).await
            .expect(200, json!({"ret": 1, "msg": "请传入删除的id值"}));
        api.delete(PATH, json!({"action": "del_medicine", "id": free})).await
            .expect(200, json!({"ret": 1, "msg": "无此id,无法删除"}));
        api.delete(PATH, json!({"action": "del_medicine", "id": busy})).await
            .expect(200, json!({"ret": 2, "msg": "订单中正在使用该商品,无法删除"}));
    }

    async fn medicine_requests_without_or_with_a_wrong_action_are_refused(server: TestServer) {
        let api = server.admin().await;
        api.get(PATH, &[("pagenum", "1"), ("pagesize", "5")]).await
            .expect(200, json!({"ret": 1, "msg": "未传action类型"}));
        api.put(PATH, json!({"action": "fly", "id": 1})).await
            .expect(200, json!({"ret": 1, "msg": "错误的action类型"}));
    }
}
