//! The role matrix, through the SDK: every operation called anonymously, with a bad token, and
//! as each of the four roles; only the roles of its `x-roles` get past the role check.
//!
//! Each refusal for the role must also be HTTP 403, read from the SDK's error; the raw-HTTP test
//! below checks the same on one operation per guarded prefix, as a browser would see it.

use medsys_client::procurement::{
    self, ChangePasswordRequest, Code, DeptSearchOrdersParams, InstSearchOrdersParams,
    ListOrdersParams, OrderApplyCreateStatus, OrderApplyUpdateStatus, OrderId, RoleName,
    SignatureUpload, UserCreate, UserId, UserImportUpload, UserUpdate,
};
use medsys_client::{Error, Upload};
use serde_json::Value;

use crate::{on_every_backend, procurement_support::*};

const ALL: &[&str] = &["admin", "instlead", "deptlead", "applicant"];

/// Every secured operation (by operationId) and the roles its `x-roles` lets in, read from
/// `openapi/procurement.yaml`, in spec order but for `logout`, which comes last because it ends
/// the session of the caller. A role added to or removed from the spec changes this table, so
/// the test follows the spec rather than a copy of it.
fn operations() -> Vec<(String, Vec<String>)> {
    let spec: Value = yaml_serde::from_str(include_str!("../../../openapi/procurement.yaml"))
        .expect("procurement.yaml");
    let mut operations = Vec::new();
    for item in spec["paths"].as_object().expect("paths").values() {
        for operation in item.as_object().expect("path item").values() {
            let Some(id) = operation.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            let roles: Vec<String> = operation["x-roles"]
                .as_array()
                .expect("x-roles")
                .iter()
                .map(|role| role.as_str().expect("role").to_owned())
                .collect();
            if roles != ["public"] {
                operations.push((id.to_owned(), roles));
            }
        }
    }
    operations.sort_by_key(|(id, _)| id == "logout");
    operations
}

const UNKNOWN_ORDER: &str = "20219999";

fn png_upload() -> Upload {
    Upload::new(png(), "signature.png", "image/png")
}

/// Calls `operation` as `client`, whose user id is `me`, with arguments that pass validation
/// (the outcome after the role check does not matter here).
///
/// `me` is always sent explicitly (the `_for` methods, bodies built `with_uid`) rather than read
/// from the token: the anonymous client and the one with a bad token have no user id to read,
/// and their requests must still reach the server to be refused there.
async fn call(
    client: &procurement::Client,
    operation: &str,
    me: &str,
) -> medsys_client::Result<()> {
    let uid = UserId::from(me);
    let unknown_order = OrderId::from(UNKNOWN_ORDER);
    match operation {
        "get_user_info" => client.get_user_info(&uid).await.map(drop),
        "change_password" => {
            let body = ChangePasswordRequest::new("000000", "Abc123456").with_uid(me);
            client.change_password(&body).await
        }
        "list_departments" => client.list_departments().await.map(drop),
        "create_order" => client
            .create_order(&order_create(me, "办公室", OrderApplyCreateStatus::Save))
            .await
            .map(drop),
        "update_order" => {
            let mut body = order_update(&unknown_order, 0, OrderApplyUpdateStatus::Keep);
            body.uid = Some(uid);
            client.update_order(&body).await
        }
        "get_order" => client.get_order(&"20210104".into()).await.map(drop),
        "recall_order" => client.recall_order(&unknown_order).await,
        "delete_order" => client.delete_order(&unknown_order).await,
        "list_orders" => client
            .list_orders(&ListOrdersParams::default())
            .await
            .map(drop),
        "export_order_excel" => client.export_order_excel(&unknown_order).await.map(drop),
        "upload_signature" => {
            client
                .upload_signature(SignatureUpload::new(unknown_order, png_upload()))
                .await
        }
        "download_feasibility_report" => client.download_feasibility_report().await.map(drop),
        "download_signature" => client.download_signature(&unknown_order).await.map(drop),
        "count_unread_notices" => client.count_unread_notices_for(&uid).await.map(drop),
        "get_notice" => client.get_notice(99_999.into()).await.map(drop),
        "list_notices" => client.list_notices_for(&uid, None).await.map(drop),
        "dept_search_orders" => client
            .dept_search_orders(&DeptSearchOrdersParams::default())
            .await
            .map(drop),
        "dept_list_pending" => client.dept_list_pending(None).await.map(drop),
        "dept_approve" => client.dept_approve(&unknown_order).await,
        "dept_deny" => client.dept_deny(&unknown_order, "x").await,
        "inst_search_orders" => client
            .inst_search_orders(&InstSearchOrdersParams::default())
            .await
            .map(drop),
        "inst_list_pending" => client.inst_list_pending(None).await.map(drop),
        "inst_approve" => client.inst_approve(&unknown_order).await,
        "inst_deny" => client.inst_deny(&unknown_order, "x").await,
        "admin_delete_order" => client.admin_delete_order(&unknown_order).await,
        "admin_list_deleted_orders" => client.admin_list_deleted_orders(None).await.map(drop),
        "admin_restore_order" => client.admin_restore_order(&unknown_order).await,
        "admin_list_users" => client.admin_list_users(None).await.map(drop),
        "admin_get_user" => client.admin_get_user(&"19999999999".into()).await.map(drop),
        "admin_add_user" => {
            let body = UserCreate::new(ZHANG, "张三", "123456", "办公室", RoleName::普通用户);
            client.admin_add_user(&body).await
        }
        "admin_update_user" => {
            let body = UserUpdate::new("19999999999", "无名", "办公室", RoleName::普通用户);
            client.admin_update_user(&body).await
        }
        "admin_import_users" => client
            .admin_import_users(UserImportUpload::new(png_upload()))
            .await
            .map(drop),
        "admin_download_user_template" => client.admin_download_user_template().await.map(drop),
        "logout" => client.logout_for(&uid).await,
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
        let operations = operations();
        assert_eq!(operations.len(), 34, "every secured operation is called");
        for (operation, roles) in &operations {
            let operation = operation.as_str();
            let result = call(&anonymous, operation, ZHANG).await;
            assert!(refused_with(&result, Code::TokenMissing), "{operation} anonymous: {result:?}");
            let result = call(&bad, operation, ZHANG).await;
            assert!(refused_with(&result, Code::TokenInvalid), "{operation} with a bad token: {result:?}");
            for (role, me, client) in &clients {
                let result = call(client, operation, me).await;
                if roles.iter().any(|allowed| allowed == role) {
                    assert!(passed_the_role_check(&result), "{operation} as {role} should pass: {result:?}");
                    if operation == "create_order" {
                        assert!(result.is_ok(), "{operation} as {role}: {result:?}");
                    }
                } else {
                    assert!(refused_with(&result, Code::NoPermission), "{operation} as {role}: {result:?}");
                    let status = result.as_ref().err().and_then(Error::status);
                    assert_eq!(status.map(|s| s.as_u16()), Some(403), "{operation} as {role}");
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
