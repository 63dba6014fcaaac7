//! Tag admin: deleted orders (delete, list, restore) and users (list, read, add, edit, import,
//! import template).

use axum::extract::{Path, State};
use serde_json::{Value, json};

use crate::{
    app::AppState,
    db::now_unix,
    password,
    procurement::{
        domain::{self, ImportVerdict, Role, workflow},
        error::{ProcurementError, msg},
        excel,
        extract::{Authorized, BodyOf, Caller, QueryOf, Upload, UploadError, read_upload},
        generated::{
            AdminAddUser, AdminAddUserBody, AdminDeleteOrder, AdminDownloadUserTemplate,
            AdminGetUser, AdminGetUserQuery, AdminImportUsers, AdminListDeletedOrders,
            AdminListDeletedOrdersQuery, AdminListUsers, AdminListUsersQuery, AdminRestoreOrder,
            AdminUpdateUser, AdminUpdateUserBody,
        },
        http::{
            Reply, apply, attachment, load_order, media, ok, order_page, order_state, page,
            page_json, user::user_json, user_id,
        },
        store::{self, NewUser, OrderFilter, Sort},
    },
};

/// Shared by admin_delete_order and the deprecated delete_order.
pub async fn delete(state: &AppState, caller: &Caller, id: &str) -> Reply {
    let order = load_order(state, caller, id).await?;
    let change = workflow::admin_delete_order(&order_state(&order))?;
    apply(state, &order, change).await
}

/// 删除申请单: status -1, the previous status remembered.
#[utoipa::path(
    delete,
    path = "/admin/order/{id}",
    tag = "admin",
    params(("id" = String, Path, description = "Order id")),
    responses((status = 200, description = "Envelope"), (status = 403, description = "31 没有权限")),
    security(("bearerAuth" = [])),
)]
pub async fn admin_delete_order(
    State(state): State<AppState>,
    caller: Authorized<AdminDeleteOrder>,
    Path(id): Path<String>,
) -> Reply {
    delete(&state, &caller, &id).await
}

/// 已删除申请单: deleted orders, most recently changed first.
#[utoipa::path(
    get,
    path = "/admin/order/deleted",
    tag = "admin",
    params(("page" = Option<i64>, Query, description = "1-based page")),
    responses((status = 200, description = "Envelope with OrderApplyPage"), (status = 403, description = "31 没有权限")),
    security(("bearerAuth" = [])),
)]
pub async fn admin_list_deleted_orders(
    State(state): State<AppState>,
    _: Authorized<AdminListDeletedOrders>,
    QueryOf(query): QueryOf<AdminListDeletedOrdersQuery>,
) -> Reply {
    let query = query?;
    let page = page(query.page.as_deref())?;
    let filter = OrderFilter {
        status: Some(domain::status::DELETED),
        ..OrderFilter::default()
    };
    order_page(&state, &filter, Sort::RecentlyChanged, page).await
}

/// 恢复申请单: back to the status before deletion.
#[utoipa::path(
    put,
    path = "/admin/order/reduct/{id}",
    tag = "admin",
    params(("id" = String, Path, description = "Order id")),
    responses((status = 200, description = "Envelope"), (status = 403, description = "31 没有权限")),
    security(("bearerAuth" = [])),
)]
pub async fn admin_restore_order(
    State(state): State<AppState>,
    caller: Authorized<AdminRestoreOrder>,
    Path(id): Path<String>,
) -> Reply {
    let order = load_order(&state, &caller, &id).await?;
    let change = workflow::admin_restore_order(&order_state(&order))?;
    apply(&state, &order, change).await
}

/// 用户列表: every user but the caller, by id.
#[utoipa::path(
    get,
    path = "/admin/user/users",
    tag = "admin",
    params(("page" = Option<i64>, Query, description = "1-based page")),
    responses((status = 200, description = "Envelope with ResultUserPage"), (status = 403, description = "31 没有权限")),
    security(("bearerAuth" = [])),
)]
pub async fn admin_list_users(
    State(state): State<AppState>,
    caller: Authorized<AdminListUsers>,
    QueryOf(query): QueryOf<AdminListUsersQuery>,
) -> Reply {
    let query = query?;
    let page = page(query.page.as_deref())?;
    let (offset, limit) = domain::page_window(page);
    let (users, total) = store::list_users(&state.db, &caller.id, offset, limit).await?;
    ok(page_json(
        users.iter().map(user_json).collect(),
        total,
        page,
    ))
}

/// 获取用户: any user.
#[utoipa::path(
    get,
    path = "/admin/user",
    tag = "admin",
    params(("uid" = String, Query, description = "User id")),
    responses((status = 200, description = "Envelope with ResultUser"), (status = 403, description = "31 没有权限")),
    security(("bearerAuth" = [])),
)]
pub async fn admin_get_user(
    State(state): State<AppState>,
    _: Authorized<AdminGetUser>,
    QueryOf(query): QueryOf<AdminGetUserQuery>,
) -> Reply {
    let query = query?;
    let uid = user_id(&query.uid)?;
    let user = store::find_user(&state.db, uid)
        .await?
        .ok_or(ProcurementError::UnknownAccount)?;
    ok(user_json(&user))
}

/// The fields both user operations share, after the generated body's checks (presence 11;
/// `username` at most 32 and `department` at most 64 characters, 12): the id exactly 11 digits
/// as sent, the role one of the four names once trimmed (at most 16 characters as sent), else
/// 12; names trimmed.
struct UserFields {
    id: String,
    username: String,
    department: String,
    role: Role,
}

fn user_fields(
    id: &str,
    username: &str,
    department: &str,
    role: &str,
) -> Result<UserFields, ProcurementError> {
    if !domain::is_user_id(id) || role.chars().count() > 16 {
        return Err(ProcurementError::Invalid);
    }
    let role = Role::from_name(role.trim()).ok_or(ProcurementError::Invalid)?;
    Ok(UserFields {
        id: id.to_owned(),
        username: username.trim().to_owned(),
        department: department.trim().to_owned(),
        role,
    })
}

/// 新增用户.
#[utoipa::path(
    post,
    path = "/admin/user",
    tag = "admin",
    request_body(content = super::JsonObject, content_type = "application/json"),
    responses((status = 200, description = "Envelope"), (status = 403, description = "31 没有权限")),
    security(("bearerAuth" = [])),
)]
pub async fn admin_add_user(
    State(state): State<AppState>,
    _: Authorized<AdminAddUser>,
    BodyOf(body): BodyOf<AdminAddUserBody>,
) -> Reply {
    // The password's 6 to 64 characters (12) are the generated body's; it is kept as sent.
    let body = body?;
    let fields = user_fields(&body.id, &body.username, &body.department, &body.role)?;
    let password = body.password;
    if store::department_by_name(&state.db, &fields.department)
        .await?
        .is_none()
    {
        return Err(ProcurementError::Invalid);
    }
    if store::find_user(&state.db, &fields.id).await?.is_some() {
        return Err(ProcurementError::AccountExists);
    }
    let hash = password::hash(password).await?;
    let user = NewUser {
        id: &fields.id,
        username: &fields.username,
        password_hash: &hash,
        department: &fields.department,
        role: fields.role,
    };
    store::create_user(&state.db, &user, now_unix()).await?;
    ok(Value::Null)
}

/// 修改用户: name, department, role and optionally the password; revokes the user's token.
#[utoipa::path(
    put,
    path = "/admin/user",
    tag = "admin",
    request_body(content = super::JsonObject, content_type = "application/json"),
    responses((status = 200, description = "Envelope"), (status = 403, description = "31 没有权限")),
    security(("bearerAuth" = [])),
)]
pub async fn admin_update_user(
    State(state): State<AppState>,
    _: Authorized<AdminUpdateUser>,
    BodyOf(body): BodyOf<AdminUpdateUserBody>,
) -> Reply {
    let body = body?;
    let fields = user_fields(&body.id, &body.username, &body.department, &body.role)?;
    // Absent, null or empty keeps the password; 1 to 5 characters is 12 (the generated body
    // checked the 64 at most).
    let password = match body.password {
        None => None,
        Some(password) if password.is_empty() => None,
        Some(password) if domain::password_ok(&password) => Some(password),
        Some(_) => return Err(ProcurementError::Invalid),
    };
    if store::department_by_name(&state.db, &fields.department)
        .await?
        .is_none()
    {
        return Err(ProcurementError::Invalid);
    }
    if store::find_user(&state.db, &fields.id).await?.is_none() {
        return Err(ProcurementError::UnknownAccount);
    }
    let hash = match password {
        Some(password) => Some(password::hash(password).await?),
        None => None,
    };
    store::update_user(
        &state.db,
        &fields.id,
        &fields.username,
        &fields.department,
        fields.role,
        hash.as_deref(),
        now_unix(),
    )
    .await?;
    ok(Value::Null)
}

/// 批量导入用户: users from an .xlsx or .xls workbook; every row reported.
#[utoipa::path(
    post,
    path = "/admin/user/batchAdd",
    tag = "admin",
    request_body(content = super::FileUpload, content_type = "multipart/form-data"),
    responses((status = 200, description = "Envelope with ImportResult"), (status = 403, description = "31 没有权限")),
    security(("bearerAuth" = [])),
)]
pub async fn admin_import_users(
    State(state): State<AppState>,
    _: Authorized<AdminImportUsers>,
    Upload(multipart): Upload,
) -> Reply {
    let parts = match read_upload(multipart?, domain::MAX_IMPORT_BYTES).await {
        Ok(parts) => parts,
        Err(UploadError::TooLarge) => return Err(ProcurementError::business(msg::EXCEL_TOO_LARGE)),
        Err(UploadError::Malformed) => return Err(ProcurementError::Invalid),
    };
    let Some(file) = parts.files.get("file") else {
        return Err(ProcurementError::Missing);
    };
    if file.len() > domain::MAX_IMPORT_BYTES {
        return Err(ProcurementError::business(msg::EXCEL_TOO_LARGE));
    }
    let rows = excel::read_import(file).map_err(|error| {
        ProcurementError::business(match error {
            excel::ImportFileError::NotAWorkbook => msg::NOT_EXCEL,
            excel::ImportFileError::TooManyRows => msg::IMPORT_TOO_MANY_ROWS,
        })
    })?;
    let hash = password::hash(domain::IMPORT_PASSWORD.to_owned()).await?;
    let only_rows: Vec<_> = rows.iter().map(|(_, row)| row.clone()).collect();
    let verdicts = store::import_users(&state.db, &only_rows, &hash, now_unix()).await?;
    let created = verdicts
        .iter()
        .filter(|verdict| **verdict == ImportVerdict::Created)
        .count();
    let result: Vec<Value> = rows
        .iter()
        .zip(&verdicts)
        .map(|((number, _), verdict)| json!({"no": number.to_string(), "message": verdict.message()}))
        .collect();
    ok(json!({"success": created, "count": rows.len(), "result": result}))
}

/// 下载导入模板: the generated import template.
#[utoipa::path(
    get,
    path = "/admin/user/template",
    tag = "admin",
    responses((status = 200, description = "用户导入模板.xlsx, or an envelope"), (status = 403, description = "31 没有权限")),
    security(("bearerAuth" = [])),
)]
pub async fn admin_download_user_template(
    State(state): State<AppState>,
    _: Authorized<AdminDownloadUserTemplate>,
) -> Reply {
    let names: Vec<String> = store::departments(&state.db)
        .await?
        .into_iter()
        .map(|department| department.name)
        .collect();
    let bytes =
        excel::user_template(&names).map_err(|error| ProcurementError::Internal(error.into()))?;
    attachment(
        bytes,
        media::XLSX,
        "user-import-template.xlsx",
        "用户导入模板.xlsx",
    )
}
