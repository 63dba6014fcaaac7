//! get_my_profile, modify_my_profile, through the SDK.
//!
//! A missing or mistyped `profile` and missing or wrong actions go over raw HTTP, because the
//! typed SDK cannot send them.

use medsys_client::mgr::{ModifyMyProfileRequest, Profile, ProfileInput};
use serde_json::json;

use crate::{on_every_backend, support::*};

const PATH: &str = "/api/mgr/profile";

fn profile(nickname: Option<&str>, birthdate: Option<&str>, bio: Option<&str>) -> Profile {
    Profile::new(
        nickname.map(str::to_owned),
        birthdate.map(str::to_owned),
        bio.map(str::to_owned),
    )
}

fn change(profile: ProfileInput) -> ModifyMyProfileRequest {
    ModifyMyProfileRequest::new(profile)
}

on_every_backend! {
    async fn a_profile_is_null_until_set_and_then_returns_the_values(server: TestServer) {
        let admin = server.mgr_admin().await;
        assert_eq!(admin.get_my_profile().await.expect("profile").profile, profile(None, None, None));
        admin.modify_my_profile(&change(ProfileInput::new()
            .with_nickname(Some("李小哲".into()))
            .with_birthdate(Some("1996-01-01".into()))
            .with_bio(Some("个人描述".into()))
        )).await.expect("modified");
        assert_eq!(admin.get_my_profile().await.expect("profile").profile,
            profile(Some("李小哲"), Some("1996-01-01"), Some("个人描述")));
        // Absent members keep their values; null clears one.
        admin.modify_my_profile(&change(ProfileInput::new().with_bio(None))).await.expect("modified");
        assert_eq!(admin.get_my_profile().await.expect("profile").profile,
            profile(Some("李小哲"), Some("1996-01-01"), None));
    }

    async fn modifying_a_profile_without_a_profile_is_refused(server: TestServer) {
        let admin = server.mgr_admin().await;
        let too_long = ProfileInput::new().with_nickname(Some("一二三四五六七八九十十一".into()));
        assert_mgr_refused(admin.modify_my_profile(&change(too_long)).await, 1, "没有传入profile");
        let api = server.raw_session_of(&admin);
        let refused = json!({"ret": 1, "msg": "没有传入profile"});
        api.put(PATH, json!({"action": "modify_my_profile"})).await.expect(200, refused.clone());
        api.put(PATH, json!({"action": "modify_my_profile", "profile": "x"})).await.expect(200, refused.clone());
        api.put(PATH, json!({"action": "modify_my_profile", "profile": {"nickname": 5}})).await.expect(200, refused);
        assert_eq!(admin.get_my_profile().await.expect("profile").profile, profile(None, None, None));
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
