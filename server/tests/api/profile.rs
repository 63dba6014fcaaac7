//! get_my_profile, modify_my_profile.

use serde_json::json;

use crate::on_both_backends;

const PATH: &str = "/api/mgr/profile";

on_both_backends! {
    async fn a_profile_is_null_until_set_and_then_returns_the_values(server: TestServer) {
        let api = server.admin().await;
        api.get(PATH, &[("action", "get_my_profile")]).await.expect(
            200,
            json!({"ret": 0, "profile": {"nickname": null, "birthdate": null, "bio": null}}),
        );
        api.put(PATH, json!({"action": "modify_my_profile",
            "profile": {"nickname": "李小哲", "birthdate": "1996-01-01", "bio": "个人描述"}})).await
            .expect(200, json!({"ret": 0}));
        api.get(PATH, &[("action", "get_my_profile")]).await.expect(
            200,
            json!({"ret": 0, "profile": {"nickname": "李小哲", "birthdate": "1996-01-01", "bio": "个人描述"}}),
        );
        // Absent members keep their values; null clears one.
        api.put(PATH, json!({"action": "modify_my_profile", "profile": {"bio": null}})).await
            .expect(200, json!({"ret": 0}));
        api.get(PATH, &[("action", "get_my_profile")]).await.expect(
            200,
            json!({"ret": 0, "profile": {"nickname": "李小哲", "birthdate": "1996-01-01", "bio": null}}),
        );
    }

    async fn modifying_a_profile_without_a_profile_is_refused(server: TestServer) {
        let api = server.admin().await;
        let refused = json!({"ret": 1, "msg": "没有传入profile"});
        api.put(PATH, json!({"action": "modify_my_profile"})).await.expect(200, refused.clone());
        api.put(PATH, json!({"action": "modify_my_profile", "profile": "x"})).await.expect(200, refused.clone());
        api.put(PATH, json!({"action": "modify_my_profile", "profile": {"nickname": 5}})).await.expect(200, refused.clone());
        api.put(PATH, json!({"action": "modify_my_profile", "profile": {"nickname": "一二三四五六七八九十十一"}})).await
            .expect(200, refused);
    }

    async fn profile_requests_without_or_with_a_wrong_action_are_refused(server: TestServer) {
        let api = server.admin().await;
        api.get(PATH, &[]).await.expect(200, json!({"ret": 1, "msg": "未传action类型"}));
        api.get(PATH, &[("action", "modify_my_profile")]).await
            .expect(200, json!({"ret": 1, "msg": "错误的action类型"}));
        api.put(PATH, json!({"action": "no_such_action"})).await
            .expect(200, json!({"ret": 1, "msg": "错误的action类型"}));
    }
}
