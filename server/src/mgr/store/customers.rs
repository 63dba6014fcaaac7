//! Customers: the list (newest first), creation, partial edits, and deletion unless an order
//! names the customer.

use sqlx::{Row, any::AnyRow};

use super::{StoreResult, delete_unreferenced, found, signed_in_page};
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

/// Newest first, for the admin signed in with `session_id` (`None`: not signed in).
pub async fn list_customers(
    db: &Db,
    session_id: &str,
    page: Page,
) -> StoreResult<Option<Paged<Customer>>> {
    let Some((rows, total)) = signed_in_page(
        db,
        session_id,
        "id, name, phonenumber, address",
        "FROM mgr_customer",
        "id DESC",
        "mgr_customer",
        page,
    )
    .await?
    else {
        return Ok(None);
    };
    Ok(Some(Paged {
        items: rows.iter().map(customer).collect::<Result<_, _>>()?,
        total,
    }))
}

/// Whether any customer exists (the demo data is added to an empty database only).
pub async fn has_customers(db: &Db) -> StoreResult<bool> {
    let row = db
        .query("SELECT id FROM mgr_customer LIMIT 1")
        .fetch_optional(db.pool())
        .await?;
    Ok(row.is_some())
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
