//! Notices: the messages a workflow step leaves for the people concerned, and their reading.

use sqlx::{Row, any::AnyRow};

use super::StoreResult;
use crate::{
    db::{ColumnExt, Db, RowExt, Tx},
    procurement::domain::{NoticeText, Role},
};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub id: i64,
    pub user_id: String,
    pub order_id: String,
    pub title: String,
    pub content: String,
    pub unread: bool,
    pub created_at: i64,
}

fn notice_from_row(row: &AnyRow) -> StoreResult<Notice> {
    Ok(Notice {
        id: row.try_get("id")?,
        user_id: row.text("user_id")?,
        order_id: row.text("order_id")?,
        title: row.text("title")?,
        content: row.text("content")?,
        unread: row.decode("unread")?,
        created_at: row.try_get("created_at")?,
    })
}

const NOTICE_COLUMNS: &str =
    "id, user_id, order_id, title, content, unread, created_at FROM procurement_notice";

pub async fn list_notices(
    db: &Db,
    user_id: &str,
    offset: i64,
    limit: i64,
) -> StoreResult<(Vec<Notice>, i64)> {
    let rows = db
        .query(format!(
            "SELECT {NOTICE_COLUMNS} WHERE user_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3"
        ))
        .bind(user_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(db.pool())
        .await?;
    let total: i64 = db
        .query("SELECT COUNT(*) AS n FROM procurement_notice WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(db.pool())
        .await?
        .try_get("n")?;
    Ok((
        rows.iter()
            .map(notice_from_row)
            .collect::<StoreResult<_>>()?,
        total,
    ))
}

pub async fn get_notice(db: &Db, id: i64) -> StoreResult<Option<Notice>> {
    let row = db
        .query(format!("SELECT {NOTICE_COLUMNS} WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(notice_from_row).transpose()
}

pub async fn mark_read(db: &Db, id: i64) -> StoreResult<()> {
    db.query("UPDATE procurement_notice SET unread = 0 WHERE id = $1")
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Sends `notice` about `order_id` to every department leader of `department_id`.
pub(super) async fn notify_leaders(
    tx: &mut Tx,
    department_id: &str,
    order_id: &str,
    notice: &NoticeText,
    now: i64,
) -> StoreResult<()> {
    tx.query(
        "INSERT INTO procurement_notice (user_id, order_id, title, content, unread, created_at) \
         SELECT id, $1, $2, $3, 1, $4 FROM procurement_user WHERE role_id = $5 AND department_id = $6",
    )
    .bind(order_id)
    .bind(notice.title)
    .bind(&notice.content)
    .bind(now)
    .bind(Role::DeptLead)
    .bind(department_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(super) async fn notify_user(
    tx: &mut Tx,
    user_id: &str,
    order_id: &str,
    notice: &NoticeText,
    now: i64,
) -> StoreResult<()> {
    tx.query(
        "INSERT INTO procurement_notice (user_id, order_id, title, content, unread, created_at) \
         VALUES ($1, $2, $3, $4, 1, $5)",
    )
    .bind(user_id)
    .bind(order_id)
    .bind(notice.title)
    .bind(&notice.content)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
