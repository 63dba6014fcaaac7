//! Accounts through the SDK: an admin creates, lists and updates users; a user changes their own
//! password; logging out and account changes revoke the live token, which the SDK forgets.

use futures_util::TryStreamExt;
use medsys_client::procurement::{
    self, ChangePasswordRequest, Code, LoginDataRole, ResultUser, RoleName, UserCreate, UserId,
    UserUpdate,
};

use crate::{on_every_backend, procurement_support::*, support::TestServer};

const WANG: &str = "12345678931";

fn wang_as(department: &str, role: RoleName) -> ResultUser {
    ResultUser::new(WANG, "王五", department, role)
}

fn new_user(id: &str, name: &str) -> UserCreate {
    UserCreate::new(id, name, "123456", "办公室", RoleName::普通用户)
}

async fn log_in(server: &TestServer, id: &str, password: &str) -> procurement::Client {
    let client = anonymous(server);
    if let Err(error) = client.login(&login_body(id, password)).await {
        panic!("login of {id} with {password} failed: {error}");
    }
    client
}

on_every_backend! {
    async fn a_new_user_changes_their_password_and_an_admin_changes_their_role(server: TestServer) {
        users(server.db()).await;
        let wang_id = UserId::from(WANG);
        let admin = logged_in(&server, ADMIN).await;
        admin.admin_add_user(&new_user(WANG, "王五")).await.expect("user added");
        assert_code(admin.admin_add_user(&new_user(WANG, "王五")).await, Code::AccountExists);

        let wang = anonymous(&server);
        let login = wang.login(&login_body(WANG, "123456")).await.expect("the new user logs in");
        assert_eq!((login.login_name.as_str(), login.role, login.menu.len()), ("王五", LoginDataRole::普通用户, 2));
        assert_eq!(wang.get_user_info(&wang_id).await.expect("info"), wang_as("办公室", RoleName::普通用户));

        // A password change logs the user out everywhere; the SDK forgets the dead token.
        let change = ChangePasswordRequest::new("123456", "Abc123456").with_uid(WANG);
        let stale = with_token(&server, wang.token().expect("a token"));
        wang.change_password(&change).await.expect("password changed");
        assert_eq!(wang.token(), None);
        assert_code(stale.get_user_info(&wang_id).await, Code::TokenInvalid);
        assert_code(anonymous(&server).login(&login_body(WANG, "123456")).await, Code::WrongPassword);
        let wang = log_in(&server, WANG, "Abc123456").await;

        // An admin moves them to 财务部 as its leader, keeping the password: the live token dies
        // and the new role comes with the next login.
        let update = UserUpdate::new(WANG, "王五", "财务部", RoleName::部门领导);
        admin.admin_update_user(&update).await.expect("user updated");
        assert!(admin.token().is_some(), "the admin keeps their own token");
        assert_code(wang.get_user_info(&wang_id).await, Code::TokenInvalid);
        let wang = anonymous(&server);
        let login = wang.login(&login_body(WANG, "Abc123456")).await.expect("logs in with the kept password");
        assert_eq!((login.role, login.menu.len()), (LoginDataRole::部门领导, 3));
        assert_eq!(admin.admin_get_user(&wang_id).await.expect("the user"), wang_as("财务部", RoleName::部门领导));
        assert_eq!(wang.dept_list_pending(None).await.expect("the leader's pending list").total_elements, 0);

        // An admin forces them out and keeps their own token.
        admin.logout_for(&wang_id).await.expect("forced out");
        assert!(admin.token().is_some(), "an admin logging another user out keeps their token");
        admin.list_departments().await.expect("the admin still works");
        assert_code(wang.get_user_info(&wang_id).await, Code::TokenInvalid);
        assert_code(admin.logout_for(&wang_id).await, Code::NotLoggedIn);
    }

    async fn users_are_listed_page_by_page_without_the_caller(server: TestServer) {
        users(server.db()).await;
        let admin = logged_in(&server, ADMIN).await;
        for n in 0..6 {
            admin.admin_add_user(&new_user(&format!("123456789{:02}", 40 + n), &format!("用户{n}"))).await.expect("user added");
        }
        let first = admin.admin_list_users(None).await.expect("page 1");
        assert_eq!((first.content.len(), first.total_elements, first.total_pages, first.number), (10, 11, 2, 0));
        let second = admin.admin_list_users(Some(2)).await.expect("page 2");
        assert_eq!((second.content.len(), second.number), (1, 1));
        // The stream walks both pages, by id ascending, and never lists the caller.
        let everyone: Vec<ResultUser> = admin.admin_list_users_stream().try_collect().await.expect("streamed");
        let ids: Vec<&str> = everyone.iter().map(|user| user.id.as_str()).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        assert_eq!((ids.len(), ids.contains(&ADMIN)), (11, false));
        assert_eq!(ids, sorted);
    }
}
