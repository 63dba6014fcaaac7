//! list_medicine, add_medicine, modify_medicine, del_medicine, through the SDK.
//!
//! Requests that leave out a parameter, `data`, `newdata` or the action go over raw HTTP,
//! because the typed SDK cannot send them.

use medsys_client::mgr::{DelMedicineRequest, Medicine, ModifyMedicineRequest};
use serde_json::json;

use crate::{on_every_backend, support::*};

const PATH: &str = "/api/mgr/medicines";

fn medicine(id: i64, name: &str, desc: &str, sn: &str) -> Medicine {
    Medicine::new(id, name, desc, sn)
}

on_every_backend! {
    async fn medicines_are_listed_newest_first_with_the_total(server: TestServer) {
        let admin = server.mgr_admin().await;
        let first = admin.add_medicine(&new_medicine("xx药", "疗效是....", "213123123")).await.expect("added").id;
        let second = admin.add_medicine(&new_medicine("xx药2", "疗效是....2", "2131231333")).await.expect("added").id;
        let page = admin.list_medicine(10, 1).await.expect("listed");
        assert_eq!(page.retlist, vec![
            medicine(second, "xx药2", "疗效是....2", "2131231333"),
            medicine(first, "xx药", "疗效是....", "213123123"),
        ]);
        assert_eq!(page.total, 2);
        let past_the_end = admin.list_medicine(10, 2).await.expect("page 2");
        assert_eq!((past_the_end.retlist, past_the_end.total), (vec![], 2));
        assert_mgr_refused(admin.list_medicine(5, 0).await, 1, "请填写pagenum");
        assert_mgr_refused(admin.list_medicine(0, 1).await, 1, "请填写pagesize");
    }

    async fn listing_medicines_without_pagenum_or_pagesize_is_refused(server: TestServer) {
        let api = server.admin().await;
        api.get(PATH, &[("action", "list_medicine"), ("pagesize", "5")]).await
            .expect(200, json!({"ret": 1, "msg": "请填写pagenum"}));
        api.get(PATH, &[("action", "list_medicine"), ("pagenum", "1")]).await
            .expect(200, json!({"ret": 1, "msg": "请填写pagesize"}));
    }

    async fn adding_a_medicine_needs_data_and_a_new_name(server: TestServer) {
        let admin = server.mgr_admin().await;
        admin.add_medicine(&new_medicine("xx药", "疗效是...", "1234567788")).await.expect("added");
        assert_mgr_refused(admin.add_medicine(&new_medicine("xx药", "另一种", "1")).await, 1, "药品名已存在");
        // An empty field is no data at all: HTTP 400, which the SDK documents for add_medicine.
        assert_mgr_refused(admin.add_medicine(&new_medicine("yy药", "", "1")).await, 1, "请求体参数中需要填入data");
        server.raw_session_of(&admin).post(PATH, json!({"action": "add_medicine"})).await
            .expect(400, json!({"ret": 1, "msg": "请求体参数中需要填入data"}));
    }

    async fn modifying_a_medicine_answers_each_documented_case(server: TestServer) {
        let admin = server.mgr_admin().await;
        let id = admin.add_medicine(&new_medicine("xx药", "疗效是...", "1234567788")).await.expect("added").id;
        let other = admin.add_medicine(&new_medicine("yy药", "疗效是...", "1")).await.expect("added").id;
        let newdata = medicine_data("xx药", "疗效是....", "123456777");
        let modify = |id: i64, newdata: &medsys_client::mgr::MedicineData| ModifyMedicineRequest::new(id, newdata.clone());
        admin.modify_medicine(&modify(id, &newdata)).await.expect("modified");
        assert_mgr_refused(admin.modify_medicine(&modify(other + 100, &newdata)).await, 1, "无此id的药品");
        assert_mgr_refused(admin.modify_medicine(&modify(id, &medicine_data("xx药", "", ""))).await, 1, "请填入相应的修改药品数据");
        assert_mgr_refused(admin.modify_medicine(&modify(other, &newdata)).await, 1, "药品名已存在");
        let listed = admin.list_medicine(10, 1).await.expect("listed").retlist;
        assert_eq!(listed[1], medicine(id, "xx药", "疗效是....", "123456777"));

        let api = server.raw_session_of(&admin);
        let newdata = json!({"name": "xx药", "desc": "疗效是....", "sn": "123456777"});
        api.put(PATH, json!({"action": "modify_medicine", "id": id, "newdata": newdata})).await
            .expect(200, json!({"ret": 0, "msg": "修改成功"}));
        api.put(PATH, json!({"action": "modify_medicine", "newdata": newdata})).await
            .expect(200, json!({"ret": 1, "msg": "请传入修改的id值"}));
        api.put(PATH, json!({"action": "modify_medicine", "id": id})).await
            .expect(200, json!({"ret": 1, "msg": "请传入newdata"}));
        api.put(PATH, json!({"action": "modify_medicine", "id": id, "newdata": {"name": "xx药"}})).await
            .expect(200, json!({"ret": 1, "msg": "请填入相应的修改药品数据"}));
    }

    async fn deleting_a_medicine_answers_each_documented_case(server: TestServer) {
        let admin = server.mgr_admin().await;
        let free = admin.add_medicine(&new_medicine("xx药", "疗效是...", "1")).await.expect("added").id;
        let busy = admin.add_medicine(&new_medicine("xx药2", "疗效是...", "2")).await.expect("added").id;
        let customer = admin.add_customer(&new_customer("李小哲", "12345678911", "上海市嘉定区")).await.expect("added").id;
        admin.add_order(&new_mgr_order("xx医院订单", customer, &[(busy, 5)])).await.expect("ordered");
        admin.del_medicine(&DelMedicineRequest::new(free)).await.expect("deleted");
        assert_mgr_refused(admin.del_medicine(&DelMedicineRequest::new(free)).await, 1, "无此id,无法删除");
        assert_mgr_refused(admin.del_medicine(&DelMedicineRequest::new(busy)).await, 2, "订单中正在使用该商品,无法删除");
        server.raw_session_of(&admin).delete(PATH, json!({"action": "del_medicine"})).await
            .expect(200, json!({"ret": 1, "msg": "请传入删除的id值"}));
    }

    async fn medicine_requests_without_or_with_a_wrong_action_are_refused(server: TestServer) {
        let api = server.admin().await;
        api.get(PATH, &[("pagenum", "1"), ("pagesize", "5")]).await
            .expect(200, json!({"ret": 1, "msg": "未传action类型"}));
        api.put(PATH, json!({"action": "fly", "id": 1})).await
            .expect(200, json!({"ret": 1, "msg": "错误的action类型"}));
    }
}
