//! Data and sessions survive a restart of the server.

use serde_json::json;

use crate::on_both_backends;

on_both_backends! {
    async fn restarting_the_server_keeps_data_and_sessions(server: TestServer) {
        let api = server.admin().await;
        let customer = api.add_customer("李小哲", "12345678911", "上海市嘉定区").await;
        let medicine = api.add_medicine("xx药", "疗效是....", "213123123").await;
        api.add_order("xx医院订单", customer, &[(medicine, 33)]).await;
        let before = api.list("/api/mgr/orders", "list_order", 1, 10).await.body;

        let server = server.restart().await;
        let api = api.rebased(server.base_url());
        assert_eq!(api.list("/api/mgr/orders", "list_order", 1, 10).await.body, before);
        api.get("/api/mgr/signout", &[]).await.expect(200, json!({"ret": 0, "msg": "登出成功"}));
        server.server.stop().await.expect("server stops");
    }
}
