//! The role matrix, through the SDK: every operation called anonymously, with a bad token, and
//! as each of the four roles; only the roles of its `x-roles` get past the role check.
//!
//! That such a refusal is HTTP 403 is checked over raw HTTP, because the SDK's typed errors do
//! not carry the status.

use medsys_client::procurement::{
    self, ChangePasswordRequest, Code, DeptSearchOrdersParams, InstSearchOrdersParams,
    ListOrdersParams, OrderApplyCreateStatus, OrderApplyUpdateStatus, RecallRequest, RoleName,
    SignatureUpload, UserCreate, UserImportUpload, UserUpdate,
};
use medsys_client::{Error, Upload};

use crate::{on_every_backend, procurement_support::*};

const ALL: &[&str] = &["admin", "instlead", "deptlead", "applicant"];

/// Every operation (by operationId) and the roles its `x-roles` lets in.
const OPERATIONS: &[(&str, &[&str])] = &[
    ("get_user_info", ALL),
    ("change_password", ALL),
    ("list_departments", ALL),
    ("create_order", ALL),
    ("update_order", ALL),
    ("get_order", ALL),
    ("recall_order", ALL),
    ("delete_order", &["admin"]),
    ("list_orders", ALL),
    ("export_order_excel", ALL),
    ("upload_signature", ALL),
    ("download_feasibility_report", ALL),
    ("download_signature", ALL),
    ("count_unread_notices", ALL),
    ("get_notice", ALL),
    ("list_notices", ALL),
    ("dept_search_orders", &["deptlead"]),
    ("dept_list_pending", &["deptlead"]),
    ("dept_approve", &["deptlead"]),
    ("dept_deny", &["deptlead"]),
    ("inst_search_orders", &["instlead"]),
    ("inst_list_pending", &["instlead"]),
    ("inst_approve", &["instlead"]),
    ("inst_deny", &["instlead"]),
    ("admin_delete_order", &["admin"]),
    ("admin_list_deleted_orders", &["admin"]),
    ("admin_restore_order", &["admin"]),
    ("admin_list_users", &["admin"]),
    ("admin_get_user", &["admin"]),
    ("admin_add_user", &["admin"]),
    ("admin_update_user", &["admin"]),
    ("admin_import_users", &["admin"]),
    ("admin_download_user_template", &["admin"]),
    // Last: it ends the session of the caller.
    ("logout", ALL),
];

const UNKNOWN_ORDER: &str = "20219999";

fn png_upload() -> Upload {
    Upload::new(png(), "signature.png", "image/png")
}

/// Calls `operation` as `client`, whose user id is `me`, with arguments that pass validation
/// (the outcome after the role check does not matter here).
async fn call(
    client: &procurement::Client,
    operation: &str,
    me: &str,
) -> medsys_client::Result<()> {
    match operation {
        "get_user_info" => client.get_user_info(me).await.map(drop),
        "change_password" => {
            let body = ChangePasswordRequest {
                uid: me.into(),
                old_password: "000000".into(),
                new_password: "Abc123456".into(),
            };
            client.change_password(&body).await
        }
        "list_departments" => client.list_departments().await.map(drop),
        "create_order" => client
            .create_order(&order_create(me, "办公室", OrderApplyCreateStatus::Save))
            .await
            .map(drop),
        "update_order" => {
            let mut body = order_update(UNKNOWN_ORDER, 0, OrderApplyUpdateStatus::Keep);
            body.uid = me.into();
            client.update_order(&body).await
        }
        "get_order" => client.get_order("20210104").await.map(drop),
        "recall_order" => {
            client
                .recall_order(
                    None,
                    Some(&RecallRequest {
                        id: Some(UNKNOWN_ORDER.into()),
                    }),
                )
                .await
        }
        "delete_order" => client.delete_order(UNKNOWN_ORDER).await,
        "list_orders" => client
            .list_orders(&ListOrdersParams::default())
            .await
            .map(drop),
        "export_order_excel" => client.export_order_excel(UNKNOWN_ORDER).await.map(drop),
        "upload_signature" => {
            client
                .upload_signature(SignatureUpload {
                    id: UNKNOWN_ORDER.into(),
                    file: png_upload(),
                })
                .await
        }
        "download_feasibility_report" => client.download_feasibility_report().await.map(drop),
        "download_signature" => client.download_signature(UNKNOWN_ORDER).await.map(drop),
        "count_unread_notices" => client.count_unread_notices(me).await.map(drop),
        "get_notice" => client.get_notice(99_999).await.map(drop),
        "list_notices" => client.list_notices(me, None).await.map(drop),
        "dept_search_orders" => client
            .dept_search_orders(&DeptSearchOrdersParams::default())
            .await
            .map(drop),
        "dept_list_pending" => client.dept_list_pending(None).await.map(drop),
        "dept_approve" => client.dept_approve(UNKNOWN_ORDER).await,
        "dept_deny" => client.dept_deny(UNKNOWN_ORDER, "x").await,
        "inst_search_orders" => client
            .inst_search_orders(&InstSearchOrdersParams::default())
            .await
            .map(drop),
        "inst_list_pending" => client.inst_list_pending(None).await.map(drop),
        "inst_approve" => client.inst_approve(UNKNOWN_ORDER).await,
        "inst_deny" => client.inst_deny(UNKNOWN_ORDER, "x").await,
        "admin_delete_order" => client.admin_delete_order(UNKNOWN_ORDER).await,
        "admin_list_deleted_orders" => client.admin_list_deleted_orders(None).await.map(drop),
        "admin_restore_order" => client.admin_restore_order(UNKNOWN_ORDER).await,
        "admin_list_users" => client.admin_list_users(None).await.map(drop),
        "admin_get_user" => client.admin_get_user("19999999999").await.map(drop),
        "admin_add_user" => {
            let body = UserCreate {
                id: ZHANG.into(),
                username: "张三".into(),
                password: "123456".into(),
                department: "办公室".into(),
                role: RoleName::普通用户,
            };
            client.admin_add_user(&body).await
        }
        "admin_update_user" => {
            let body = UserUpdate {
                id: "19999999999".into(),
                username: "无名".into(),
                password: None,
                department: "办公室".into(),
                role: RoleName::普通用户,
            };
            client.admin_update_user(&body).await
        }
        "admin_import_users" => client
            .admin_import_users(UserImportUpload { file: png_upload() })
            .await
            .map(drop),
        "admin_download_user_template" => client.admin_download_user_template().await.map(drop),
        "logout" => client.logout(me).await,
        other => panic!("no call for operation {other}"),
    }
}

/// Whether `result` is the envelope's refusal with `code`.
fn refused_with(result: &medsys_client::Result<()>, code: Code) -> bool {
    matches!(result, Err(Error::Procurement { code: got, .. }) if *got == code)
}

/// Whether `result` got past the token and role checks (any other outcome is allowed).
fn passed_the_role_check(result: &medsys_client::Result<()>) -> bool {
    !matches!(
        result,
        Err(Error::Procurement {
            code: Code::TokenInvalid | Code::TokenMissing | Code::NoPermission,
            ..
        }) | Err(Error::UnexpectedStatus { .. } | Error::Decode { .. } | Error::Transport(_))
    )
}

on_every_backend! {
    async fn only_the_documented_roles_pass_the_role_check(server: TestServer) {
        fixture(server.db()).await;
        let anonymous = anonymous(&server);
        let bad = with_token(&server, "Bearer x.y.z");
        let mut clients = Vec::new();
        for role in ALL {
            clients.push((*role, user_of(role), logged_in(&server, user_of(role)).await));
        }
        for (operation, roles) in OPERATIONS {
            let result = call(&anonymous, operation, ZHANG).await;
            assert!(refused_with(&result, Code::TokenMissing), "{operation} anonymous: {result:?}");
            let result = call(&bad, operation, ZHANG).await;
            assert!(refused_with(&result, Code::TokenInvalid), "{operation} with a bad token: {result:?}");
            for (role, me, client) in &clients {
                let result = call(client, operation, me).await;
                if roles.contains(role) {
                    assert!(passed_the_role_check(&result), "{operation} as {role} should pass: {result:?}");
                    if *operation == "create_order" {
                        assert!(result.is_ok(), "{operation} as {role}: {result:?}");
                    }
                } else {
                    assert!(refused_with(&result, Code::NoPermission), "{operation} as {role}: {result:?}");
                }
            }
        }
    }

    async fn a_refusal_for_the_role_is_http_403_on_every_guarded_prefix(server: TestServer) {
        fixture(server.db()).await;
        let zhang = raw(&server, &logged_in(&server, ZHANG).await);
        let lead = raw(&server, &logged_in(&server, OFFICE_LEAD).await);
        let refused = failure(31, "没有权限");
        zhang.get("/admin/user/users", &[]).await.expect(403, refused.clone());
        zhang.get("/dept/list", &[]).await.expect(403, refused.clone());
        zhang.get("/inst/list", &[]).await.expect(403, refused.clone());
        zhang.delete("/order/20219999").await.expect(403, refused.clone());
        lead.get("/order", &[("id", "20210201")]).await.expect(403, refused);
    }
}
