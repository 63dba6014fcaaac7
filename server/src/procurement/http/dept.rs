//! Tag dept: department leaders search, list pending orders, approve and send back orders of
//! their own department.

use axum::extract::State;

use crate::{
    app::AppState,
    procurement::{
        domain::{Role, Step, notice, status},
        error::ProcurementError,
        extract::{Caller, Params},
        http::{Reply, apply_step, load_order, order_page, page_param, required, search_filter},
        store::{Order, Sort},
    },
};

const ROLES: &[Role] = &[Role::DeptLead];

/// The order `id` of the caller's department (31 for another department's).
async fn own_department_order(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<Order, ProcurementError> {
    let order = load_order(state, caller, id).await?;
    if order.department_id == caller.department_id {
        Ok(order)
    } else {
        Err(ProcurementError::Forbidden)
    }
}

/// A deny reason: 11 when absent or blank, 12 past 500 characters.
pub fn reason(
    query: &std::collections::HashMap<String, String>,
) -> Result<String, ProcurementError> {
    let reason = required(query, "reason")?;
    // The limit is on the value as sent (the spec's maxLength), surrounding whitespace included.
    if query["reason"].chars().count() > 500 {
        return Err(ProcurementError::Invalid);
    }
    Ok(reason.to_owned())
}

/// 部门查询申请单: orders of the caller's department (all but deleted).
#[utoipa::path(
    get,
    path = "/dept/orders",
    tag = "dept",
    params(
        ("oid" = Option<String>, Query, description = "Order id contains"),
        ("startDate" = Option<String>, Query, description = "applyDate from (yyyy-MM-dd, inclusive)"),
        ("endDate" = Option<String>, Query, description = "applyDate to (yyyy-MM-dd, inclusive)"),
        ("applyUser" = Option<String>, Query, description = "Applicant contains"),
        ("user" = Option<String>, Query, description = "Alias of applyUser"),
        ("fundcode" = Option<String>, Query, description = "Fund code contains"),
        ("page" = Option<i64>, Query, description = "1-based page"),
    ),
    responses((status = 200, description = "Envelope with OrderApplyPage"), (status = 403, description = "31 没有权限")),
    security(("bearerAuth" = [])),
)]
pub async fn dept_search_orders(
    State(state): State<AppState>,
    caller: Caller,
    Params(query): Params,
) -> Reply {
    caller.require(ROLES)?;
    let query = query?;
    let page = page_param(&query)?;
    let mut filter = search_filter(&query)?;
    filter.department_id = Some(caller.department_id.clone());
    order_page(&state, &filter, Sort::NewestFirst, page).await
}

/// 部门待审批: submitted orders of the caller's department, oldest first.
#[utoipa::path(
    get,
    path = "/dept/list",
    tag = "dept",
    params(("page" = Option<i64>, Query, description = "1-based page")),
    responses((status = 200, description = "Envelope with OrderApplyPage"), (status = 403, description = "31 没有权限")),
    security(("bearerAuth" = [])),
)]
pub async fn dept_list_pending(
    State(state): State<AppState>,
    caller: Caller,
    Params(query): Params,
) -> Reply {
    caller.require(ROLES)?;
    let query = query?;
    let page = page_param(&query)?;
    let filter = crate::procurement::store::OrderFilter {
        department_id: Some(caller.department_id.clone()),
        status: Some(status::SUBMITTED),
        ..Default::default()
    };
    order_page(&state, &filter, Sort::OldestFirst, page).await
}

/// 部门审批通过: 1 → 2; the owner is notified.
#[utoipa::path(
    put,
    path = "/dept/approve",
    tag = "dept",
    params(("id" = String, Query, description = "Order id")),
    responses((status = 200, description = "Envelope"), (status = 403, description = "31 没有权限")),
    security(("bearerAuth" = [])),
)]
pub async fn dept_approve(
    State(state): State<AppState>,
    caller: Caller,
    Params(query): Params,
) -> Reply {
    caller.require(ROLES)?;
    let query = query?;
    let id = required(&query, "id")?;
    let order = own_department_order(&state, &caller, id).await?;
    let text = notice::dept_approved(&order.id);
    apply_step(&state, &order, Step::DeptApprove, None, Some(text)).await
}

/// 部门打回: 1 → 0 with a reason; the owner is notified.
#[utoipa::path(
    put,
    path = "/dept/deny",
    tag = "dept",
    params(
        ("id" = String, Query, description = "Order id"),
        ("reason" = String, Query, description = "Why the order is sent back"),
    ),
    responses((status = 200, description = "Envelope"), (status = 403, description = "31 没有权限")),
    security(("bearerAuth" = [])),
)]
pub async fn dept_deny(
    State(state): State<AppState>,
    caller: Caller,
    Params(query): Params,
) -> Reply {
    caller.require(ROLES)?;
    let query = query?;
    let id = required(&query, "id")?;
    let reason = reason(&query)?;
    let order = own_department_order(&state, &caller, id).await?;
    let text = notice::denied(&order.id, &reason);
    apply_step(&state, &order, Step::DeptDeny, Some(&reason), Some(text)).await
}
