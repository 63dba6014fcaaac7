//! Tag inst: institution leaders search every department's orders, list the orders approved by
//! departments, give the final approval or send orders back.

use axum::extract::State;

use crate::{
    app::AppState,
    procurement::{
        domain::{status, workflow},
        extract::{Authorized, Params, QueryOf},
        generated::{
            InstApprove, InstApproveQuery, InstDeny, InstDenyQuery, InstListPending,
            InstListPendingQuery, InstSearchOrders,
        },
        http::{
            Reply, apply, load_order, order_page, order_state, page, page_param, search_filter,
        },
        store::{OrderFilter, Sort},
    },
};

/// 主管查询申请单: orders of every department (all but deleted).
#[utoipa::path(
    get,
    path = "/inst/orders",
    tag = "inst",
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
    responses((status = 200, description = "Envelope with OrderApplyPage"), (status = 403, description = "31 没有权限")),
    security(("bearerAuth" = [])),
)]
pub async fn inst_search_orders(
    State(state): State<AppState>,
    _: Authorized<InstSearchOrders>,
    Params(query): Params,
) -> Reply {
    let query = query?;
    let page = page_param(&query)?;
    let filter = search_filter(&query)?;
    order_page(&state, &filter, Sort::NewestFirst, page).await
}

/// 主管待审批: orders approved by their department, oldest first.
#[utoipa::path(
    get,
    path = "/inst/list",
    tag = "inst",
    params(("page" = Option<i64>, Query, description = "1-based page")),
    responses((status = 200, description = "Envelope with OrderApplyPage"), (status = 403, description = "31 没有权限")),
    security(("bearerAuth" = [])),
)]
pub async fn inst_list_pending(
    State(state): State<AppState>,
    _: Authorized<InstListPending>,
    QueryOf(query): QueryOf<InstListPendingQuery>,
) -> Reply {
    let query = query?;
    let page = page(query.page.as_deref())?;
    let filter = OrderFilter {
        status: Some(status::DEPT_APPROVED),
        ..OrderFilter::default()
    };
    order_page(&state, &filter, Sort::OldestFirst, page).await
}

/// 主管审批通过: 2 → 3; the owner is notified.
#[utoipa::path(
    put,
    path = "/inst/approve",
    tag = "inst",
    params(("id" = String, Query, description = "Order id")),
    responses((status = 200, description = "Envelope"), (status = 403, description = "31 没有权限")),
    security(("bearerAuth" = [])),
)]
pub async fn inst_approve(
    State(state): State<AppState>,
    caller: Authorized<InstApprove>,
    QueryOf(query): QueryOf<InstApproveQuery>,
) -> Reply {
    let query = query?;
    let id = &query.id;
    let order = load_order(&state, &caller, id).await?;
    let change = workflow::inst_approve(&order_state(&order))?;
    apply(&state, &order, change).await
}

/// 主管打回: 2 → 0 with a reason; the owner is notified.
#[utoipa::path(
    put,
    path = "/inst/deny",
    tag = "inst",
    params(
        ("id" = String, Query, description = "Order id"),
        ("reason" = String, Query, description = "Why the order is sent back"),
    ),
    responses((status = 200, description = "Envelope"), (status = 403, description = "31 没有权限")),
    security(("bearerAuth" = [])),
)]
pub async fn inst_deny(
    State(state): State<AppState>,
    caller: Authorized<InstDeny>,
    QueryOf(query): QueryOf<InstDenyQuery>,
) -> Reply {
    let query = query?;
    let id = &query.id;
    let reason = &query.reason;
    let order = load_order(&state, &caller, id).await?;
    let change = workflow::inst_deny(&order_state(&order), reason)?;
    apply(&state, &order, change).await
}
