//! Data and sessions survive a restart of the server.

use crate::{on_every_backend, support::*};

on_every_backend! {
    async fn restarting_the_server_keeps_data_and_sessions(server: TestServer) {
        let admin = server.mgr_admin().await;
        let customer = admin.add_customer(&new_customer("李小哲", "12345678911", "上海市嘉定区")).await.expect("added").id;
        let medicine = admin.add_medicine(&new_medicine("xx药", "疗效是....", "213123123")).await.expect("added").id;
        admin.add_order(&new_mgr_order("xx医院订单", customer, &[(medicine, 33)])).await.expect("ordered");
        let before = admin.list_order(10, 1).await.expect("listed");

        let server = server.restart().await;
        // The same session, saved by the client, opens the restarted server.
        let admin_again = server.mgr();
        admin_again.set_session_id(admin.session_id());
        assert_eq!(admin_again.list_order(10, 1).await.expect("listed after the restart"), before);
        admin_again.signout().await.expect("signed out");
        server.server.stop().await.expect("server stops");
    }
}
