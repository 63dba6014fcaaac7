//! Tag notice: the workflow's notices, each visible to its addressee only.

use axum::extract::State;
use serde_json::{Value, json};

use crate::{
    app::AppState,
    procurement::{
        domain,
        error::{ProcurementError, msg},
        extract::{Authorized, Caller, Claims, QueryOf},
        generated::{
            CountUnreadNotices, CountUnreadNoticesQuery, GetNotice, GetNoticeQuery, ListNotices,
            ListNoticesQuery,
        },
        http::{Reply, ok, page, page_json, user_id, zone},
        store::{self, Notice},
    },
};

fn notice_json(notice: &Notice, state: &AppState) -> Value {
    json!({
        "id": notice.id,
        "title": notice.title,
        "content": notice.content,
        "state": notice.unread,
        "uid": notice.user_id,
        "oid": notice.order_id,
        "time": domain::chinese_date(notice.created_at, zone(state)),
    })
}

/// `uid` must be the caller (admins included).
fn own_uid(caller: &Caller, uid: &str) -> Result<(), ProcurementError> {
    if uid == caller.id {
        Ok(())
    } else {
        Err(ProcurementError::Forbidden)
    }
}

/// 获取未读消息数: the caller's unread notices.
#[utoipa::path(
    get,
    path = "/notice/count",
    tag = "notice",
    params(("uid" = String, Query, description = "The caller's user id")),
    responses((status = 200, description = "Envelope with the count"), (status = 403, description = "31 没有权限")),
    security(("bearerAuth" = [])),
)]
pub async fn count_unread_notices(
    State(state): State<AppState>,
    claims: Claims,
    QueryOf(query): QueryOf<CountUnreadNoticesQuery>,
) -> Reply {
    // The token's lookup and the count are one statement; the checks follow in their usual
    // order (token, account, role, parameters), and only the caller's own count is answered.
    let found =
        store::user_with_live_token_and_unread(&state.db, &claims.user_id, &claims.jti).await?;
    let (user, unread) = found.unzip();
    let caller = Authorized::<CountUnreadNotices>::check(claims.admit(&state, user).await?)?;
    let query = query?;
    let uid = user_id(&query.uid)?;
    own_uid(&caller, uid)?;
    ok(Value::from(unread.unwrap_or_default()))
}

/// 获取消息: one notice, marked read.
#[utoipa::path(
    get,
    path = "/notice",
    tag = "notice",
    params(("id" = i64, Query, description = "Notice id")),
    responses((status = 200, description = "Envelope with the notice"), (status = 403, description = "31 没有权限")),
    security(("bearerAuth" = [])),
)]
pub async fn get_notice(
    State(state): State<AppState>,
    caller: Authorized<GetNotice>,
    QueryOf(query): QueryOf<GetNoticeQuery>,
) -> Reply {
    let query = query?;
    let id: i64 = query
        .id
        .parse::<i64>()
        .ok()
        .filter(|id| *id >= 1)
        .ok_or(ProcurementError::Invalid)?;
    let mut notice = store::get_notice(&state.db, id)
        .await?
        .ok_or_else(|| ProcurementError::business(msg::NOTICE_NOT_FOUND))?;
    own_uid(&caller, &notice.user_id)?;
    if notice.unread {
        store::mark_read(&state.db, id).await?;
        notice.unread = false;
    }
    ok(notice_json(&notice, &state))
}

/// 获取消息列表: the caller's notices, newest first.
#[utoipa::path(
    get,
    path = "/notice/notices",
    tag = "notice",
    params(
        ("uid" = String, Query, description = "The caller's user id"),
        ("page" = Option<i64>, Query, description = "1-based page"),
    ),
    responses((status = 200, description = "Envelope with NoticePage"), (status = 403, description = "31 没有权限")),
    security(("bearerAuth" = [])),
)]
pub async fn list_notices(
    State(state): State<AppState>,
    caller: Authorized<ListNotices>,
    QueryOf(query): QueryOf<ListNoticesQuery>,
) -> Reply {
    let query = query?;
    let uid = user_id(&query.uid)?;
    let page = page(query.page.as_deref())?;
    own_uid(&caller, uid)?;
    let (offset, limit) = domain::page_window(page);
    let (notices, total) = store::list_notices(&state.db, uid, offset, limit).await?;
    let content = notices
        .iter()
        .map(|notice| notice_json(notice, &state))
        .collect();
    ok(page_json(content, total, page))
}
