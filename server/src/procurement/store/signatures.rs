//! Signatures: one image per order, replaced in place; storing one bumps the order's version.

use super::{StoreError, StoreResult};
use crate::{
    db::{ColumnExt, Db, RowExt, on_conflict_update},
    procurement::domain::status,
};

/// Stores (or replaces) the signature of an order that is not deleted; bumps its version.
pub async fn put_signature(
    db: &Db,
    order_id: &str,
    content_type: &str,
    data: &[u8],
    now: i64,
) -> StoreResult<()> {
    let mut tx = db.begin_write().await?;
    let done = db.query(
        "UPDATE procurement_order SET version = version + 1, updated_at = $2 WHERE id = $1 AND status <> $3",
    )
    .bind(order_id)
    .bind(now)
    .bind(status::DELETED)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::OrderNotFound);
    }
    let upsert = on_conflict_update(
        db.backend(),
        "order_id",
        &["content_type", "data", "uploaded_at"],
    );
    db.query(format!(
        "INSERT INTO procurement_signature (order_id, content_type, data, uploaded_at) \
         VALUES ($1, $2, $3, $4) {upsert}"
    ))
    .bind(order_id)
    .bind(content_type)
    .bind(data)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// `(content type, bytes)` of an order's signature.
pub async fn get_signature(db: &Db, order_id: &str) -> StoreResult<Option<(String, Vec<u8>)>> {
    let row = db
        .query("SELECT content_type, data FROM procurement_signature WHERE order_id = $1")
        .bind(order_id)
        .fetch_optional(db.pool())
        .await?;
    row.map(|row| Ok((row.text("content_type")?, row.decode("data")?)))
        .transpose()
}
