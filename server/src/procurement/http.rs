//! procurement HTTP layer: one file per tag of `openapi/procurement.yaml`, plus the envelope,
//! page and order shapes and the parameter helpers they share. Handler names equal operationIds.

pub mod admin;
pub mod department;
pub mod dept;
pub mod inst;
pub mod notice;
pub mod order;
pub mod user;

use std::collections::HashMap;

use axum::{
    Json,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use chrono::FixedOffset;
use serde_json::{Value, json};

use crate::{
    app::AppState,
    db::now_unix,
    procurement::{
        domain::{
            self, Role, status,
            workflow::{Change, OrderState},
        },
        error::ProcurementError,
        extract::Caller,
        store::{self, Order, OrderFilter, Recipient, Sort, Transition},
    },
};

/// Documentation only: a JSON object body in the utoipa annotations the drift test compares
/// (media types only). The handlers take the generated body types (`extract::BodyOf`).
#[derive(Debug, utoipa::ToSchema)]
pub struct JsonObject {}

/// Documentation only: the login fields.
#[derive(Debug, utoipa::ToSchema)]
pub struct LoginForm {
    pub username: String,
    pub password: String,
}

/// Documentation only: a multipart upload (`id` for signatures, `file` always).
#[derive(Debug, utoipa::ToSchema)]
pub struct FileUpload {
    pub id: Option<String>,
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

pub type Reply = Result<Response, ProcurementError>;

/// `{"success": true, "code": 1, "msg": "成功", "data": data}`.
pub fn ok(data: Value) -> Reply {
    Ok(Json(json!({"success": true, "code": 1, "msg": "成功", "data": data})).into_response())
}

/// The server's time zone.
pub fn zone(state: &AppState) -> FixedOffset {
    domain::zone(state.config.utc_offset_minutes)
}

/// A user id parameter (UserId), already present (its generated query type answered 11 for an
/// absent or blank one): anything but 11 digits answers 12. Checked before the id is looked up
/// or compared with the caller's, as the order of checks puts parameters before existence (27)
/// and ownership (31).
pub fn user_id(id: &str) -> Result<&str, ProcurementError> {
    if domain::is_user_id(id) {
        Ok(id)
    } else {
        Err(ProcurementError::Invalid)
    }
}

/// The `page` parameter as sent: 12 when it is not an integer ≥ 1; absent is page 1.
pub fn page(value: Option<&str>) -> Result<i64, ProcurementError> {
    domain::page(value).ok_or(ProcurementError::Invalid)
}

/// The `page` parameter of the search operations, which read their query as a map (see
/// [`search_filter`]).
pub fn page_param(query: &HashMap<String, String>) -> Result<i64, ProcurementError> {
    page(query.get("page").map(String::as_str))
}

/// A Spring-style page.
pub fn page_json(content: Vec<Value>, total: i64, page: i64) -> Value {
    json!({
        "content": content,
        "totalPages": domain::total_pages(total),
        "totalElements": total,
        "size": domain::PAGE_SIZE,
        "number": page - 1,
    })
}

/// An order as listed (OrderApply).
pub fn order_json(order: &Order, zone: FixedOffset) -> Value {
    let lines: Vec<Value> = order
        .lines
        .iter()
        .map(|line| {
            json!({
                "id": line.id,
                "name": line.name,
                "type": line.kind,
                "configuration": line.configuration,
                "unit": line.unit,
                "quantity": line.quantity,
                "budgetUnitPrice": line.budget_unit_price,
                "budgetTotalPrice": line.budget_total_price,
                "reason": line.reason,
                "newUser": line.new_user,
            })
        })
        .collect();
    json!({
        "id": order.id,
        "applyDepartment": order.department,
        "applyUser": order.apply_user,
        "fundCode": order.fund_code,
        "applyDate": order.apply_date.as_deref().and_then(domain::chinese_from_iso),
        "total": order.total,
        "status": order.status,
        "orderLists": lines,
        "uid": order.user_id,
        "withdrawalReason": order.withdrawal_reason,
        "createTime": domain::chinese_date(order.created_at, zone),
        "updateTime": domain::chinese_date(order.updated_at, zone),
    })
}

/// An order as read one at a time (OrderApplyDetail).
pub fn order_detail_json(order: &Order, zone: FixedOffset) -> Value {
    let mut value = order_json(order, zone);
    if let Some(map) = value.as_object_mut() {
        map.insert("hasFile".to_owned(), Value::Bool(order.has_file));
        map.insert("version".to_owned(), Value::from(order.version));
    }
    value
}

/// The order `id`: not an OrderId (8 or more digits) answers 12, as parameters are checked
/// before existence; unknown or deleted (for anyone but an admin): 申请单不存在.
pub async fn load_order(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<Order, ProcurementError> {
    if !domain::matches_order_id_pattern(id) {
        return Err(ProcurementError::Invalid);
    }
    if !domain::is_order_id(id) {
        return Err(ProcurementError::order_not_found());
    }
    match store::get_order(&state.db, id).await? {
        Some(order) if order.status != status::DELETED || caller.role == Role::Admin => Ok(order),
        _ => Err(ProcurementError::order_not_found()),
    }
}

/// The order `id` if the caller may see it (owner, its department's leaders, institution
/// leaders, admins); 31 otherwise.
pub async fn visible_order(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<Order, ProcurementError> {
    let order = load_order(state, caller, id).await?;
    if domain::may_see(
        caller.role,
        &caller.id,
        &caller.department_id,
        &order.user_id,
        &order.department_id,
    ) {
        Ok(order)
    } else {
        Err(ProcurementError::Forbidden)
    }
}

/// How the workflow sees `order`.
pub fn order_state(order: &Order) -> OrderState<'_> {
    OrderState {
        id: &order.id,
        owner: &order.user_id,
        department_id: &order.department_id,
        status: order.status,
        previous_status: order.previous_status,
        version: order.version,
        ever_submitted: order.ever_submitted,
    }
}

/// Writes a status change decided by the workflow (`domain::workflow`); the store applies it
/// only if the order still has the status and version it was decided from.
pub async fn apply(state: &AppState, order: &Order, change: Change) -> Reply {
    let transition = Transition {
        id: &order.id,
        from: change.from,
        version: change.version,
        to: change.to,
        reason: change.reason.as_deref(),
        notice: change
            .notice
            .map(|notice| (Recipient::Owner(&order.user_id), notice)),
    };
    store::transition(&state.db, &transition, now_unix()).await?;
    ok(Value::Null)
}

/// The search parameters shared by list_orders, dept_search_orders and inst_search_orders.
/// A text filter longer than the spec's `maxLength` (32 characters, `fundcode` 6) answers
/// 12 参数错误, like a malformed date, whether or not the operation uses it.
pub fn search_filter(query: &HashMap<String, String>) -> Result<OrderFilter, ProcurementError> {
    const MAX_CHARS: [(&str, usize); 5] = [
        ("oid", 32),
        ("applyDept", 32),
        ("applyUser", 32),
        ("user", 32),
        ("fundcode", 6),
    ];
    for (key, max) in MAX_CHARS {
        if query
            .get(key)
            .is_some_and(|value| value.chars().count() > max)
        {
            return Err(ProcurementError::Invalid);
        }
    }
    let text = |key: &str| query.get(key).filter(|value| !value.is_empty()).cloned();
    let date = |key: &str| -> Result<Option<String>, ProcurementError> {
        match query.get(key).map(String::as_str) {
            None | Some("") => Ok(None),
            Some(value) => domain::search_date(value)
                .map(Some)
                .ok_or(ProcurementError::Invalid),
        }
    };
    Ok(OrderFilter {
        oid: text("oid"),
        apply_dept: text("applyDept"),
        apply_user: text("applyUser").or_else(|| text("user")),
        fund_code: text("fundcode"),
        start: date("startDate")?,
        end: date("endDate")?,
        ..OrderFilter::default()
    })
}

/// Runs a search and answers the page.
pub async fn order_page(state: &AppState, filter: &OrderFilter, sort: Sort, page: i64) -> Reply {
    let (offset, limit) = domain::page_window(page);
    let (orders, total) = store::search_orders(&state.db, filter, sort, offset, limit).await?;
    let zone = zone(state);
    let content = orders.iter().map(|order| order_json(order, zone)).collect();
    ok(page_json(content, total, page))
}

/// RFC 5987 percent-encoding of a UTF-8 file name.
fn encode_filename(name: &str) -> String {
    let mut out = String::new();
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A file download: the bytes with their type and an RFC 6266 `Content-Disposition` carrying
/// an ASCII fallback name and the UTF-8 name.
pub fn attachment(
    bytes: Vec<u8>,
    content_type: &'static str,
    ascii_name: &str,
    name: &str,
) -> Reply {
    let disposition = format!(
        "attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{}",
        encode_filename(name)
    );
    let disposition = HeaderValue::from_str(&disposition)
        .map_err(|error| ProcurementError::Internal(anyhow::anyhow!("bad file name: {error}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// Media types of the files served.
pub mod media {
    pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    pub const DOCX: &str =
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_names_are_percent_encoded() {
        assert_eq!(
            super::encode_filename("申请单.xlsx"),
            "%E7%94%B3%E8%AF%B7%E5%8D%95.xlsx"
        );
    }
}
