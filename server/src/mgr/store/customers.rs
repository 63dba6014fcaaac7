//! Customers: the list (newest first), creation, partial edits, and deletion unless an order
//! names the customer.

use sqlx::{Row, any::AnyRow};

use super::{StoreResult, delete_unreferenced, found, page_with_total};
use crate::{
    db::{Db, RowExt},
    mgr::domain::{Customer, CustomerData, CustomerNewData, Page, Paged},
};

fn customer(row: &AnyRow) -> Result<Customer, sqlx::Error> {
    Ok(Customer {
        id: row.try_get("id")?,
        name: row.text("name")?,
        phonenumber: row.text("phonenumber")?,
        address: row.text("address")?,
    })
}

/// Newest first.
pub async fn list_customers(db: &Db, page: Page) -> StoreResult<Paged<Customer>> {
    let (rows, total) = page_with_total(
        db,
        "id, name, phonenumber, address",
        "FROM mgr_customer ORDER BY id DESC",
        "mgr_customer",
        page,
    )
    .await?;
    Ok(Paged {
        items: rows.iter().map(customer).collect::<Result<_, _>>()?,
        total,
    })
}

pub async fn add_customer(db: &Db, data: &CustomerData) -> StoreResult<i64> {
    Ok(db
        .query("INSERT INTO mgr_customer (name, phonenumber, address) VALUES ($1, $2, $3)")
        .bind(&data.name)
        .bind(&data.phonenumber)
        .bind(&data.address)
        .insert_returning_id(db.pool())
        .await?)
}

/// Updates the fields present in `change`.
pub async fn modify_customer(db: &Db, id: i64, change: &CustomerNewData) -> StoreResult<()> {
    let done = db
        .query(
            "UPDATE mgr_customer SET name = COALESCE($1, name), \
         phonenumber = COALESCE($2, phonenumber), address = COALESCE($3, address) WHERE id = $4",
        )
        .bind(change.name.as_deref())
        .bind(change.phonenumber.as_deref())
        .bind(change.address.as_deref())
        .bind(id)
        .execute(db.pool())
        .await?;
    found(done.rows_affected())
}

/// `Referenced` while an order names the customer.
pub async fn delete_customer(db: &Db, id: i64) -> StoreResult<()> {
    delete_unreferenced(
        db,
        id,
        "SELECT id FROM mgr_customer WHERE id = $1",
        "SELECT id FROM mgr_order WHERE customer_id = $1",
        "DELETE FROM mgr_customer WHERE id = $1",
    )
    .await
}
