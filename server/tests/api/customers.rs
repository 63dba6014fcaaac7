//! list_customer, add_customer, modify_customer, del_customer, through the SDK.
//!
//! Missing or non-numeric paging parameters and missing or wrong actions go over raw HTTP,
//! because the typed SDK cannot send them.

use futures_util::TryStreamExt;
use medsys_client::mgr::{Customer, CustomerNewData, DelCustomerRequest, ModifyCustomerRequest};
use serde_json::json;

use crate::{on_every_backend, support::*};

const PATH: &str = "/api/mgr/customers";

fn customer(id: i64, name: &str, phonenumber: &str, address: &str) -> Customer {
    Customer::new(id, name, phonenumber, address)
}

on_every_backend! {
    async fn customers_are_listed_newest_first_with_the_total(server: TestServer) {
        let admin = server.mgr_admin().await;
        let first = admin.add_customer(&new_customer("李小哲", "12345678911", "上海市嘉定区")).await.expect("added").id;
        let second = admin.add_customer(&new_customer("张三", "12345678922", "上海市静安区")).await.expect("added").id;
        let page = admin.list_customer(10, 1).await.expect("listed");
        assert_eq!(page.retlist, vec![
            customer(second, "张三", "12345678922", "上海市静安区"),
            customer(first, "李小哲", "12345678911", "上海市嘉定区"),
        ]);
        assert_eq!(page.total, 2);
    }

    async fn customer_pages_split_the_list_and_pages_past_the_end_are_empty(server: TestServer) {
        let admin = server.mgr_admin().await;
        let mut ids = Vec::new();
        for n in 0..5 {
            ids.push(admin.add_customer(&new_customer(&format!("客户{n}"), "12345678900", "上海市")).await.expect("added").id);
        }
        let page2 = admin.list_customer(2, 2).await.expect("page 2");
        let got: Vec<i64> = page2.retlist.iter().map(|c| c.id).collect();
        assert_eq!((got, page2.total), (vec![ids[2], ids[1]], 5));
        let past_the_end = admin.list_customer(2, 4).await.expect("page 4");
        assert_eq!((past_the_end.retlist, past_the_end.total), (vec![], 5));
        // The SDK's stream walks every page, newest first.
        let all: Vec<Customer> = admin.list_customer_stream(2).try_collect().await.expect("streamed");
        let all: Vec<i64> = all.iter().map(|c| c.id).collect();
        assert_eq!(all, ids.iter().rev().copied().collect::<Vec<_>>());
    }

    async fn listing_customers_with_a_page_below_one_is_refused(server: TestServer) {
        let admin = server.mgr_admin().await;
        assert_mgr_refused(admin.list_customer(5, 0).await, 1, "请填写pagenum");
        assert_mgr_refused(admin.list_customer(-1, 1).await, 1, "请填写pagesize");
    }

    async fn listing_customers_without_pagenum_or_pagesize_is_refused(server: TestServer) {
        let api = server.admin().await;
        api.get(PATH, &[("action", "list_customer"), ("pagesize", "5")]).await
            .expect(200, json!({"ret": 1, "msg": "请填写pagenum"}));
        api.get(PATH, &[("action", "list_customer"), ("pagenum", "1")]).await
            .expect(200, json!({"ret": 1, "msg": "请填写pagesize"}));
        for (num, size) in [("x", "5"), ("1", "abc"), ("99999999999999999999", "5")] {
            let reply = api.get(PATH, &[("action", "list_customer"), ("pagenum", num), ("pagesize", size)]).await;
            assert_eq!(reply.body["ret"], 1, "pagenum={num} pagesize={size}: {}", reply.text);
        }
    }

    async fn a_customer_is_added_and_modified_as_documented(server: TestServer) {
        let admin = server.mgr_admin().await;
        let id = admin.add_customer(&new_customer("上海市xx医院", "12345678900", "上海市xx路xx街")).await.expect("added").id;
        let newdata = CustomerNewData::new()
            .with_phonenumber("13345678888")
            .with_address("上海市xx街xx路");
        admin.modify_customer(&ModifyCustomerRequest::new(id, newdata.clone())).await.expect("modified");
        // Absent members keep their values.
        let listed = admin.list_customer(10, 1).await.expect("listed").retlist;
        assert_eq!(listed, vec![customer(id, "上海市xx医院", "13345678888", "上海市xx街xx路")]);
        assert_mgr_refused(
            admin.modify_customer(&ModifyCustomerRequest::new(id + 100, newdata)).await,
            1,
            &format!("id:{}不存在", id + 100),
        );
    }

    async fn a_customer_is_deleted_unless_an_order_refers_to_it(server: TestServer) {
        let admin = server.mgr_admin().await;
        let free = admin.add_customer(&new_customer("张三", "12345678922", "上海市静安区")).await.expect("added").id;
        let busy = admin.add_customer(&new_customer("李小哲", "12345678911", "上海市嘉定区")).await.expect("added").id;
        let medicine = admin.add_medicine(&new_medicine("xx药", "疗效是....", "213123123")).await.expect("added").id;
        admin.add_order(&new_mgr_order("xx医院订单", busy, &[(medicine, 3)])).await.expect("ordered");
        admin.del_customer(&DelCustomerRequest::new(free)).await.expect("deleted");
        assert_mgr_refused(admin.del_customer(&DelCustomerRequest::new(free)).await, 1, &format!("id:{free}不存在"));
        assert_mgr_refused(admin.del_customer(&DelCustomerRequest::new(busy)).await, 2, "订单中引用了这条数据,禁止删除");
        assert_eq!(admin.list_customer(10, 1).await.expect("listed").total, 1);
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
