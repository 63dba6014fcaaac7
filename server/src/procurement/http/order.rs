//! Tag order: create, edit, recall, search, read, export, signature files.

use axum::extract::{Path, State};
use serde_json::Value;

use crate::{
    app::AppState,
    db::now_unix,
    procurement::{
        domain::{self, Role, status, workflow},
        error::{ProcurementError, msg},
        excel,
        extract::{Authorized, BodyOf, Params, QueryOf, Upload, UploadError, read_upload},
        generated::{
            CreateOrder, CreateOrderBody, DeleteOrder, DownloadFeasibilityReport,
            DownloadSignature, DownloadSignatureQuery, ExportOrderExcel, ExportOrderExcelQuery,
            GetOrder, GetOrderQuery, ListOrders, RecallOrder, RecallOrderBody, RecallOrderQuery,
            UpdateOrder, UpdateOrderBody, UploadSignature,
        },
        http::{
            Reply, apply, attachment, load_order, media, ok, order_detail_json, order_page,
            order_state, search_filter, visible_order, zone,
        },
        store::{self, Sort},
    },
};

/// The built-in feasibility-report template.
const FEASIBILITY_REPORT: &[u8] = include_bytes!("../../../assets/feasibility-report.docx");

/// 新建申请单: saves (0) or submits (1) a new order; answers its id.
#[utoipa::path(
    post,
    path = "/order",
    tag = "order",
    request_body(content = super::JsonObject, content_type = "application/json"),
    responses((status = 200, description = "Envelope with the new order id"), (status = 403, description = "31 没有权限")),
    security(("bearerAuth" = [])),
)]
pub async fn create_order(
    State(state): State<AppState>,
    caller: Authorized<CreateOrder>,
    BodyOf(body): BodyOf<CreateOrderBody>,
) -> Reply {
    let input = domain::order_input(&body?)?;
    let department_id = store::department_by_name(&state.db, &input.apply_department)
        .await?
        .ok_or(ProcurementError::Invalid)?;
    let notice = workflow::create_order(&caller.actor(), &input)?;
    let now = now_unix();
    let zone = zone(&state);
    let id = store::create_order(
        &state.db,
        &input,
        &department_id,
        domain::year(now, zone),
        &domain::iso_today(now, zone),
        notice.as_ref(),
        now,
    )
    .await?;
    ok(Value::String(id))
}

/// 修改申请单: replaces a draft's content (owner, status 0, current version).
#[utoipa::path(
    put,
    path = "/order",
    tag = "order",
    request_body(content = super::JsonObject, content_type = "application/json"),
    responses((status = 200, description = "Envelope"), (status = 403, description = "31 没有权限")),
    security(("bearerAuth" = [])),
)]
pub async fn update_order(
    State(state): State<AppState>,
    caller: Authorized<UpdateOrder>,
    BodyOf(body): BodyOf<UpdateOrderBody>,
) -> Reply {
    let update = domain::order_update(&body?)?;
    let department_id = store::department_by_name(&state.db, &update.input.apply_department)
        .await?
        .ok_or(ProcurementError::Invalid)?;
    let order = load_order(&state, &caller, &update.id).await?;
    let change = workflow::update_order(&caller.actor(), &order_state(&order), &update)?;
    let now = now_unix();
    store::update_order(
        &state.db,
        &order.id,
        change.version,
        &update.input,
        &department_id,
        &domain::iso_today(now, zone(&state)),
        change.notice.as_ref(),
        now,
    )
    .await?;
    ok(Value::Null)
}

/// 获取申请单: one order with `hasFile` and `version`.
#[utoipa::path(
    get,
    path = "/order",
    tag = "order",
    params(("id" = String, Query, description = "Order id")),
    responses((status = 200, description = "Envelope with OrderApplyDetail"), (status = 403, description = "31 没有权限")),
    security(("bearerAuth" = [])),
)]
pub async fn get_order(
    State(state): State<AppState>,
    caller: Authorized<GetOrder>,
    QueryOf(query): QueryOf<GetOrderQuery>,
) -> Reply {
    let query = query?;
    let id = &query.id;
    let order = visible_order(&state, &caller, id).await?;
    ok(order_detail_json(&order, zone(&state)))
}

/// 撤回申请单: 1 → 0 by the owner; id in the query or a JSON body.
#[utoipa::path(
    put,
    path = "/order/recall",
    tag = "order",
    params(("id" = Option<String>, Query, description = "Order id (or in the JSON body)")),
    request_body(content = super::JsonObject, content_type = "application/json"),
    responses((status = 200, description = "Envelope"), (status = 403, description = "31 没有权限")),
    security(("bearerAuth" = [])),
)]
pub async fn recall_order(
    State(state): State<AppState>,
    caller: Authorized<RecallOrder>,
    QueryOf(query): QueryOf<RecallOrderQuery>,
    BodyOf(body): BodyOf<RecallOrderBody>,
) -> Reply {
    let (query, body) = (query?, body?);
    // An id counts as sent when the parameter or the member is there (blank included): two
    // sent ids must be equal (12); a single one that is blank is missing (11). The generated
    // body refused a member that is not a string, `null` included (12).
    let from_query = query.id.as_deref().map(str::trim);
    let from_body = body.id.as_deref().map(str::trim);
    let id = match (from_query, from_body) {
        (Some(a), Some(b)) if a != b => return Err(ProcurementError::Invalid),
        (Some(id), _) | (None, Some(id)) if !id.is_empty() => id.to_owned(),
        _ => return Err(ProcurementError::Missing),
    };
    let order = load_order(&state, &caller, &id).await?;
    let change = workflow::recall_order(&caller.actor(), &order_state(&order))?;
    apply(&state, &order, change).await
}

/// Deletes an order (admins; the deprecated alias of admin_delete_order).
#[utoipa::path(
    delete,
    path = "/order/{id}",
    tag = "order",
    params(("id" = String, Path, description = "Order id")),
    responses((status = 200, description = "Envelope"), (status = 403, description = "31 没有权限")),
    security(("bearerAuth" = [])),
)]
pub async fn delete_order(
    State(state): State<AppState>,
    caller: Authorized<DeleteOrder>,
    Path(id): Path<String>,
) -> Reply {
    super::admin::delete(&state, &caller, &id).await
}

/// 查询申请单: the caller's own orders (every order for an admin), filtered, one page.
#[utoipa::path(
    get,
    path = "/order/orders",
    tag = "order",
    params(
        ("oid" = Option<String>, Query, description = "Order id contains"),
        ("applyDept" = Option<String>, Query, description = "Department name contains"),
        ("startDate" = Option<String>, Query, description = "applyDate from (yyyy-MM-dd, inclusive)"),
        ("endDate" = Option<String>, Query, description = "applyDate to (yyyy-MM-dd, inclusive)"),
        ("applyUser" = Option<String>, Query, description = "Applicant contains"),
        ("user" = Option<String>, Query, description = "Alias of applyUser"),
        ("fundcode" = Option<String>, Query, description = "Fund code contains"),
        ("page" = Option<i64>, Query, description = "1-based page"),
    ),
    responses((status = 200, description = "Envelope with OrderApplyPage")),
    security(("bearerAuth" = [])),
)]
pub async fn list_orders(
    State(state): State<AppState>,
    caller: Authorized<ListOrders>,
    Params(query): Params,
) -> Reply {
    let query = query?;
    let page = super::page_param(&query)?;
    let mut filter = search_filter(&query)?;
    if caller.role != Role::Admin {
        filter.owner = Some(caller.id.clone());
    }
    order_page(&state, &filter, Sort::NewestFirst, page).await
}

/// 导出申请单: the purchase form as .xlsx.
#[utoipa::path(
    get,
    path = "/order/file",
    tag = "order",
    params(("id" = String, Query, description = "Order id")),
    responses((status = 200, description = "申请单.xlsx, or an envelope"), (status = 403, description = "31 没有权限")),
    security(("bearerAuth" = [])),
)]
pub async fn export_order_excel(
    State(state): State<AppState>,
    caller: Authorized<ExportOrderExcel>,
    QueryOf(query): QueryOf<ExportOrderExcelQuery>,
) -> Reply {
    let query = query?;
    let id = &query.id;
    let order = visible_order(&state, &caller, id).await?;
    let bytes = excel::order_form(&order, zone(&state))
        .map_err(|error| ProcurementError::Internal(error.into()))?;
    attachment(bytes, media::XLSX, "order.xlsx", "申请单.xlsx")
}

/// 上传签名文件: the signed form of an order (owner; PNG or JPEG; at most 1 MB).
#[utoipa::path(
    post,
    path = "/order/file",
    tag = "order",
    request_body(content = super::FileUpload, content_type = "multipart/form-data"),
    responses((status = 200, description = "Envelope"), (status = 403, description = "31 没有权限")),
    security(("bearerAuth" = [])),
)]
pub async fn upload_signature(
    State(state): State<AppState>,
    caller: Authorized<UploadSignature>,
    Upload(multipart): Upload,
) -> Reply {
    let parts = match read_upload(multipart?, domain::MAX_SIGNATURE_BYTES).await {
        Ok(parts) => parts,
        Err(UploadError::TooLarge) => return Err(ProcurementError::business(msg::IMAGE_TOO_LARGE)),
        Err(UploadError::Malformed) => return Err(ProcurementError::Invalid),
    };
    let id = parts
        .texts
        .get("id")
        .map(|id| id.trim().to_owned())
        .filter(|id| !id.is_empty());
    let (Some(id), Some(file)) = (id, parts.files.get("file")) else {
        return Err(ProcurementError::Missing);
    };
    let order = load_order(&state, &caller, &id).await?;
    if order.status == status::DELETED {
        return Err(ProcurementError::order_not_found());
    }
    if order.user_id != caller.id {
        return Err(ProcurementError::Forbidden);
    }
    if file.len() > domain::MAX_SIGNATURE_BYTES {
        return Err(ProcurementError::business(msg::IMAGE_TOO_LARGE));
    }
    let Some((content_type, _)) = domain::image_type(file) else {
        return Err(ProcurementError::business(msg::NOT_AN_IMAGE));
    };
    store::put_signature(&state.db, &order.id, content_type, file, now_unix()).await?;
    ok(Value::Null)
}

/// 下载可行性报告模板: the .docx template.
#[utoipa::path(
    get,
    path = "/order/download",
    tag = "order",
    responses((status = 200, description = "可行性报告.docx, or an envelope")),
    security(("bearerAuth" = [])),
)]
pub async fn download_feasibility_report(
    State(state): State<AppState>,
    _: Authorized<DownloadFeasibilityReport>,
) -> Reply {
    let bytes = match &state.config.feasibility_report {
        Some(path) => {
            let path = path.clone();
            tokio::task::spawn_blocking(move || {
                std::fs::read(&path).map_err(|error| anyhow::anyhow!("{}: {error}", path.display()))
            })
            .await
            .map_err(|error| ProcurementError::Internal(error.into()))??
        }
        None => FEASIBILITY_REPORT.to_vec(),
    };
    attachment(
        bytes,
        media::DOCX,
        "feasibility-report.docx",
        "可行性报告.docx",
    )
}

/// 下载签名文件: the signature of an order, to those who may see the order.
#[utoipa::path(
    get,
    path = "/order/file/download",
    tag = "order",
    params(("id" = String, Query, description = "Order id")),
    responses((status = 200, description = "The image, or an envelope"), (status = 403, description = "31 没有权限")),
    security(("bearerAuth" = [])),
)]
pub async fn download_signature(
    State(state): State<AppState>,
    caller: Authorized<DownloadSignature>,
    QueryOf(query): QueryOf<DownloadSignatureQuery>,
) -> Reply {
    let query = query?;
    let id = &query.id;
    let order = visible_order(&state, &caller, id).await?;
    let Some((_, bytes)) = store::get_signature(&state.db, &order.id).await? else {
        return Err(ProcurementError::business(msg::NO_SIGNATURE));
    };
    let (content_type, extension) = domain::image_type(&bytes).ok_or_else(|| {
        ProcurementError::Internal(anyhow::anyhow!("stored signature is not an image"))
    })?;
    let name = format!("signature-{}.{extension}", order.id);
    attachment(bytes, content_type, &name, &name)
}
