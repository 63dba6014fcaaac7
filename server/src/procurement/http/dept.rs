//! Tag dept: department leaders search, list pending orders, approve and send back orders of
//! their own department.

use axum::extract::State;

use crate::{
    app::AppState,
    procurement::{
        domain::{status, workflow},
        extract::{Authorized, Params, QueryOf},
        generated::{
            DeptApprove, DeptApproveQuery, DeptDeny, DeptDenyQuery, DeptListPending,
            DeptListPendingQuery, DeptSearchOrders,
        },
        http::{
            Reply, apply, load_order, order_page, order_state, page, page_param, search_filter,
        },
        store::Sort,
    },
};

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
    caller: Authorized<DeptSearchOrders>,
    Params(query): Params,
) -> Reply {
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
    caller: Authorized<DeptListPending>,
    QueryOf(query): QueryOf<DeptListPendingQuery>,
) -> Reply {
    let query = query?;
    let page = page(query.page.as_deref())?;
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
    caller: Authorized<DeptApprove>,
    QueryOf(query): QueryOf<DeptApproveQuery>,
) -> Reply {
    let query = query?;
    let id = &query.id;
    let order = load_order(&state, &caller, id).await?;
    let change = workflow::dept_approve(&caller.actor(), &order_state(&order))?;
    apply(&state, &order, change).await
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
    caller: Authorized<DeptDeny>,
    QueryOf(query): QueryOf<DeptDenyQuery>,
) -> Reply {
    let query = query?;
    let id = &query.id;
    let reason = &query.reason;
    let order = load_order(&state, &caller, id).await?;
    let change = workflow::dept_deny(&caller.actor(), &order_state(&order), reason)?;
    apply(&state, &order, change).await
}
