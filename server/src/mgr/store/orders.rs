//! Orders and their medicine lines: the list with its lines, creation, changes in one
//! transaction, deletion.

use sqlx::Row;

use super::{StoreError, StoreResult, found, signed_in_page};
use crate::{
    db::{Db, RowExt, Tx, on_conflict_update},
    mgr::domain::{NewOrder, Order, OrderChange, OrderLine, Page, Paged},
};

/// Newest first, each with its medicine lines (two queries per page, not one per order), for
/// the admin signed in with `session_id` (`None`: not signed in).
pub async fn list_orders(
    db: &Db,
    session_id: &str,
    page: Page,
) -> StoreResult<Option<Paged<Order>>> {
    let Some((rows, total)) = signed_in_page(
        db,
        session_id,
        "o.id, o.name, o.create_date, o.customer_id, c.name AS customer_name",
        "FROM mgr_order o JOIN mgr_customer c ON c.id = o.customer_id",
        "o.id DESC",
        "mgr_order",
        page,
    )
    .await?
    else {
        return Ok(None);
    };
    let mut orders = Vec::with_capacity(rows.len());
    for row in &rows {
        orders.push(Order {
            id: row.try_get("id")?,
            name: row.text("name")?,
            create_date: row.text("create_date")?,
            customer_name: row.text("customer_name")?,
            customerid: row.try_get("customer_id")?,
            medicinelist: Vec::new(),
        });
    }
    if let (Some(newest), Some(oldest)) = (orders.first(), orders.last()) {
        let lines = db
            .query(
                "SELECT l.order_id, l.medicine_id, l.amount, m.name \
             FROM mgr_order_medicine l JOIN mgr_medicine m ON m.id = l.medicine_id \
             WHERE l.order_id BETWEEN $1 AND $2 ORDER BY l.order_id, l.medicine_id",
            )
            .bind(oldest.id)
            .bind(newest.id)
            .fetch_all(db.pool())
            .await?;
        for line in &lines {
            let order_id: i64 = line.try_get("order_id")?;
            if let Some(order) = orders.iter_mut().find(|order| order.id == order_id) {
                order.medicinelist.push(OrderLine {
                    id: line.try_get("medicine_id")?,
                    amount: line.try_get("amount")?,
                    name: line.text("name")?,
                });
            }
        }
    }
    Ok(Some(Paged {
        items: orders,
        total,
    }))
}

/// Creates the order and its lines in one transaction.
pub async fn add_order(db: &Db, order: &NewOrder) -> StoreResult<i64> {
    let mut tx = db.begin_write().await?;
    check_customer(&mut tx, order.customer_id).await?;
    check_medicines(&mut tx, &order.lines).await?;
    let now = chrono::Local::now();
    let id = tx
        .query(
            "INSERT INTO mgr_order (name, create_date, created_at, customer_id) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&order.name)
        .bind(now.format("%Y-%m-%d").to_string())
        .bind(now.timestamp())
        .bind(order.customer_id)
        .insert_returning_id(&mut *tx)
        .await?;
    for (medicine_id, amount) in &order.lines {
        upsert_line(&mut tx, id, *medicine_id, *amount).await?;
    }
    tx.commit().await?;
    Ok(id)
}

pub async fn order_exists(db: &Db, id: i64) -> StoreResult<bool> {
    let row = db
        .query("SELECT id FROM mgr_order WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.is_some())
}

/// Applies a change in one transaction: nothing changes unless everything succeeds.
pub async fn modify_order(db: &Db, id: i64, change: &OrderChange) -> StoreResult<()> {
    let mut tx = db.begin_write().await?;
    let exists = db
        .query("SELECT id FROM mgr_order WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    if exists.is_none() {
        return Err(StoreError::NotFound);
    }
    if let Some(name) = &change.name {
        db.query("UPDATE mgr_order SET name = $1 WHERE id = $2")
            .bind(name)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    if let Some(customer_id) = change.customer_id {
        check_customer(&mut tx, customer_id).await?;
    }
    check_medicines(&mut tx, &change.upsert).await?;
    if let Some(customer_id) = change.customer_id {
        db.query("UPDATE mgr_order SET customer_id = $1 WHERE id = $2")
            .bind(customer_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    for medicine_id in &change.delete {
        db.query("DELETE FROM mgr_order_medicine WHERE order_id = $1 AND medicine_id = $2")
            .bind(id)
            .bind(medicine_id)
            .execute(&mut *tx)
            .await?;
    }
    for (medicine_id, amount) in &change.upsert {
        upsert_line(&mut tx, id, *medicine_id, *amount).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn upsert_line(tx: &mut Tx, order_id: i64, medicine_id: i64, amount: i64) -> StoreResult<()> {
    let upsert = on_conflict_update(tx.backend(), "order_id, medicine_id", &["amount"]);
    tx.query(format!(
        "INSERT INTO mgr_order_medicine (order_id, medicine_id, amount) VALUES ($1, $2, $3) \
         {upsert}"
    ))
    .bind(order_id)
    .bind(medicine_id)
    .bind(amount)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// `UnknownCustomer` unless the customer exists (checked explicitly, so the error names it).
async fn check_customer(tx: &mut Tx, customer_id: i64) -> StoreResult<()> {
    let found = tx
        .query("SELECT id FROM mgr_customer WHERE id = $1")
        .bind(customer_id)
        .fetch_optional(&mut **tx)
        .await?;
    match found {
        Some(_) => Ok(()),
        None => Err(StoreError::UnknownCustomer(customer_id)),
    }
}

/// `UnknownMedicine` for the first listed medicine that does not exist.
async fn check_medicines(tx: &mut Tx, lines: &[(i64, i64)]) -> StoreResult<()> {
    for (medicine_id, _) in lines {
        let found = tx
            .query("SELECT id FROM mgr_medicine WHERE id = $1")
            .bind(medicine_id)
            .fetch_optional(&mut **tx)
            .await?;
        if found.is_none() {
            return Err(StoreError::UnknownMedicine(*medicine_id));
        }
    }
    Ok(())
}

/// Deletes the order and its lines (the lines go by `ON DELETE CASCADE`).
pub async fn delete_order(db: &Db, id: i64) -> StoreResult<()> {
    let done = db
        .query("DELETE FROM mgr_order WHERE id = $1")
        .bind(id)
        .execute(db.pool())
        .await?;
    found(done.rows_affected())
}
