//! list_order, add_order, modify_order, del_order, through the SDK.
//!
//! Requests with a part of their data missing or of the wrong type, and missing or wrong
//! actions, go over raw HTTP, because the typed SDK cannot send them.

use medsys_client::mgr::{
    self, DelCustomerRequest, DelMedicineRequest, DelOrderRequest, ModifyOrderData,
    ModifyOrderRequest, Order, OrderMedicine,
};
use serde_json::{Value, json};

use crate::{on_every_backend, support::*};

const PATH: &str = "/api/mgr/orders";

struct Fixture {
    admin: mgr::Client,
    customer: i64,
    other_customer: i64,
    medicines: Vec<i64>,
}

async fn fixture(server: &TestServer) -> Fixture {
    let admin = server.mgr_admin().await;
    let customer = admin
        .add_customer(&new_customer("李小哲", "12345678911", "上海市嘉定区"))
        .await
        .expect("added")
        .id;
    let other_customer = admin
        .add_customer(&new_customer("张三", "12345678922", "上海市静安区"))
        .await
        .expect("added")
        .id;
    let mut medicines = Vec::new();
    for (name, sn) in [("xxx药", "1"), ("xxx药2", "2"), ("xxx药3", "3")] {
        let added = admin
            .add_medicine(&new_medicine(name, "疗效是...", sn))
            .await;
        medicines.push(added.expect("added").id);
    }
    Fixture {
        admin,
        customer,
        other_customer,
        medicines,
    }
}

impl Fixture {
    async fn add_order(&self, name: &str, customer: i64, lines: &[(i64, i64)]) -> i64 {
        let added = self
            .admin
            .add_order(&new_mgr_order(name, customer, lines))
            .await;
        added.expect("ordered").id
    }

    async fn orders(&self) -> Vec<Order> {
        self.admin.list_order(10, 1).await.expect("listed").retlist
    }
}

fn line(id: i64, amount: i64, name: &str) -> OrderMedicine {
    OrderMedicine::new(id, amount, name)
}

/// Today in the server's time zone may differ from UTC's around midnight, so a creation date is
/// accepted when it is a well-formed day no further than one day from today (UTC).
fn is_about_today(date: &str) -> bool {
    let Ok(day) = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d") else {
        return false;
    };
    (day - chrono::Utc::now().date_naive()).num_days().abs() <= 1
}

on_every_backend! {
    async fn orders_are_listed_newest_first_with_customer_and_medicines(server: TestServer) {
        let f = fixture(&server).await;
        let (m1, m2) = (f.medicines[0], f.medicines[1]);
        let older = f.add_order("xx医院订单", f.customer, &[(m1, 33), (m2, 12)]).await;
        let newer = f.add_order("yy医院订单", f.other_customer, &[]).await;
        let page = f.admin.list_order(10, 1).await.expect("listed");
        let date = page.retlist[0].create_date.clone();
        assert!(is_about_today(&date), "{date}");
        assert_eq!(page.total, 2);
        assert_eq!(page.retlist, vec![
            Order::new(newer, "yy医院订单", date.clone(), "张三", f.other_customer, vec![]),
            Order::new(older, "xx医院订单", date.clone(), "李小哲", f.customer,
                vec![line(m1, 33, "xxx药"), line(m2, 12, "xxx药2")]),
        ]);
        let past_the_end = f.admin.list_order(2, 2).await.expect("page 2");
        assert_eq!((past_the_end.retlist, past_the_end.total), (vec![], 2));
    }

    async fn listing_orders_without_pagenum_or_pagesize_is_refused(server: TestServer) {
        let admin = server.mgr_admin().await;
        assert_mgr_refused(admin.list_order(5, -3).await, 1, "缺少pagenum或pagesize字段");
        let api = server.raw_session_of(&admin);
        let missing = json!({"ret": 1, "msg": "缺少pagenum或pagesize字段"});
        api.get(PATH, &[("action", "list_order"), ("pagesize", "5")]).await.expect(200, missing.clone());
        api.get(PATH, &[("action", "list_order"), ("pagenum", "1")]).await.expect(200, missing);
    }

    async fn an_order_for_an_unknown_customer_or_medicine_is_refused(server: TestServer) {
        let f = fixture(&server).await;
        let unknown_customer = f.customer + f.other_customer + 100;
        assert_mgr_refused(
            f.admin.add_order(&new_mgr_order("x", unknown_customer, &[(f.medicines[0], 5)])).await,
            1,
            &format!("id:{unknown_customer}的客户不存在"),
        );
        assert_mgr_refused(
            f.admin.add_order(&new_mgr_order("x", f.customer, &[(f.medicines[0], 1), (999_999, 1)])).await,
            1,
            "id:999999的药品不存在",
        );
        assert_mgr_refused(f.admin.add_order(&new_mgr_order("", f.customer, &[])).await, 1, "请传入订单名称");
        assert_eq!(f.orders().await, vec![]);
    }

    async fn adding_an_order_checks_each_part_of_its_data(server: TestServer) {
        let f = fixture(&server).await;
        let api = server.raw_session_of(&f.admin);
        let line = json!([{"id": f.medicines[0], "amount": 5, "name": "xxx药"}]);
        let add = |data: Value| json!({"action": "add_order", "data": data});
        api.post(PATH, json!({"action": "add_order"})).await
            .expect(200, json!({"ret": 1, "msg": "请传入data或传入正确格式的data"}));
        api.post(PATH, add(json!("not an object"))).await
            .expect(200, json!({"ret": 1, "msg": "请传入data或传入正确格式的data"}));
        api.post(PATH, add(json!({"name": "x", "medicinelist": line}))).await
            .expect(200, json!({"ret": 1, "msg": "请传入customerid"}));
        api.post(PATH, add(json!({"customerid": f.customer, "medicinelist": line}))).await
            .expect(200, json!({"ret": 1, "msg": "请传入订单名称"}));
        api.post(PATH, add(json!({"name": "x", "customerid": f.customer}))).await
            .expect(200, json!({"ret": 1, "msg": "请传入medicinelist"}));
        assert_eq!(f.orders().await, vec![]);
    }

    async fn modifying_an_order_updates_adds_and_deletes_lines(server: TestServer) {
        let f = fixture(&server).await;
        let (m1, m2, m3) = (f.medicines[0], f.medicines[1], f.medicines[2]);
        let id = f.add_order("xxx医院订单", f.customer, &[(m1, 5), (m2, 10)]).await;
        let change = ModifyOrderData::new()
            .with_name("修改后订单")
            .with_customerid(f.other_customer)
            .with_medicinelist(order_lines(&[(m2, 15), (m3, 10)]))
            .with_deletelist(vec![m1]);
        f.admin.modify_order(&ModifyOrderRequest::new(id, change)).await.expect("modified");
        let order = f.orders().await.remove(0);
        assert_eq!((order.id, order.name.as_str(), order.customerid, order.customer_name.as_str()),
            (id, "修改后订单", f.other_customer, "张三"));
        assert_eq!(order.medicinelist, vec![line(m2, 15, "xxx药2"), line(m3, 10, "xxx药3")]);
    }

    async fn a_failed_order_modification_changes_nothing(server: TestServer) {
        let f = fixture(&server).await;
        let (m1, m2) = (f.medicines[0], f.medicines[1]);
        let id = f.add_order("原订单", f.customer, &[(m1, 5)]).await;
        let before = f.orders().await;
        let change = ModifyOrderData::new()
            .with_name("改名")
            .with_deletelist(vec![m1])
            .with_medicinelist(order_lines(&[(m2, 1), (999_999, 1)]));
        assert_mgr_refused(f.admin.modify_order(&ModifyOrderRequest::new(id, change)).await, 1, "id:999999的药品不存在");
        assert_eq!(f.orders().await, before);
        // An order that does not exist is refused like a missing id.
        let rename = ModifyOrderData::new().with_name("x");
        assert_mgr_refused(f.admin.modify_order(&ModifyOrderRequest::new(id + 100, rename)).await, 1, "请传入正确的id值");
    }

    async fn modifying_an_order_needs_a_correct_id_and_data(server: TestServer) {
        let f = fixture(&server).await;
        let id = f.add_order("原订单", f.customer, &[]).await;
        let api = server.raw_session_of(&f.admin);
        api.put(PATH, json!({"action": "modify_order", "data": {"name": "x"}})).await
            .expect(400, json!({"ret": 1, "msg": "请传入正确的id值"}));
        api.put(PATH, json!({"action": "modify_order", "id": "twelve", "data": {"name": "x"}})).await
            .expect(400, json!({"ret": 1, "msg": "请传入正确的id值"}));
        api.put(PATH, json!({"action": "modify_order", "id": id})).await
            .expect(400, json!({"ret": 1, "msg": "请传入正确的data"}));
        api.put(PATH, json!({"action": "modify_order", "id": id, "data": {"deletelist": "all"}})).await
            .expect(400, json!({"ret": 1, "msg": "请传入正确的data"}));
    }

    async fn an_order_is_deleted_with_its_lines(server: TestServer) {
        let f = fixture(&server).await;
        let id = f.add_order("原订单", f.customer, &[(f.medicines[0], 1)]).await;
        f.admin.del_order(&DelOrderRequest::new(id)).await.expect("deleted");
        assert_eq!(f.orders().await, vec![]);
        assert_mgr_refused(f.admin.del_order(&DelOrderRequest::new(id)).await, 1, &format!("id:{id}不存在"));
        // With the order gone, its customer and medicine may be deleted.
        f.admin.del_medicine(&DelMedicineRequest::new(f.medicines[0])).await.expect("medicine deleted");
        f.admin.del_customer(&DelCustomerRequest::new(f.customer)).await.expect("customer deleted");
        server.raw_session_of(&f.admin).delete(PATH, json!({"action": "del_order"})).await
            .expect(200, json!({"ret": 1, "msg": "缺少订单id"}));
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
