//! mgr persistence: small named queries that return domain types, one module per aggregate.
//!
//! Knows SQL, not HTTP. SQL is portable between SQLite, PostgreSQL and MySQL (rules in
//! `crate::db`).
//! Constraint violations come back as [`StoreError`] variants, never as raw database errors.
//! The modules: [`accounts`] (accounts, sessions, profiles), [`customers`], [`medicines`] and
//! [`orders`]; their public items are re-exported here. This file keeps what they share: the
//! error type, pages with their kept totals, and the guarded delete.

mod accounts;
mod customers;
mod medicines;
mod orders;

pub use accounts::{
    Account, create_account, create_session, delete_session, find_account, get_profile,
    put_profile, session_account,
};
pub use customers::{add_customer, delete_customer, list_customers, modify_customer};
pub use medicines::{
    add_medicine, delete_medicine, list_medicines, medicine_exists, modify_medicine,
};
pub use orders::{add_order, delete_order, list_orders, modify_order, order_exists};

use sqlx::{Row, any::AnyRow};

use crate::{
    db::{Db, QueryBuilder, Violation, bigint_cast_type, violation},
    mgr::domain::Page,
};

/// What a store call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no such row")]
    NotFound,
    /// The row is referenced by an order and may not be deleted.
    #[error("row referenced by an order")]
    Referenced,
    /// A unique value (a medicine's name, a username) is taken.
    #[error("duplicate value")]
    Duplicate,
    /// The customer an order names does not exist.
    #[error("unknown customer {0}")]
    UnknownCustomer(i64),
    /// A medicine an order lists does not exist (the first such, in list order).
    #[error("unknown medicine {0}")]
    UnknownMedicine(i64),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Deletes a row unless something refers to it, in one transaction: `NotFound` first, then
/// `Referenced` (checked explicitly so the answer does not depend on how each driver reports
/// a foreign-key violation; the `RESTRICT` constraint remains the backstop).
async fn delete_unreferenced(
    db: &Db,
    id: i64,
    exists: &'static str,
    referenced: &'static str,
    delete: &'static str,
) -> StoreResult<()> {
    let mut tx = db.begin_write().await?;
    if tx
        .query(exists)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .is_none()
    {
        return Err(StoreError::NotFound);
    }
    if tx
        .query(referenced)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .is_some()
    {
        return Err(StoreError::Referenced);
    }
    tx.query(delete)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(foreign_key_as_referenced)?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// Runs a page query: `SELECT <columns>, <total> <rest> LIMIT .. OFFSET ..`, where the total is
/// the row count of `table` kept by triggers in `mgr_row_count` (migration 0003): one small
/// indexed read instead of `COUNT(*)` over the whole table on every page. Reading the total in
/// the page's own statement saves a round trip to the database per list (on SQLite each
/// statement is a hand-off to the connection's thread and back, `docs/performance.md`). A page
/// past the end has no row to carry the total, so then it is counted on its own.
async fn page_with_total(
    db: &Db,
    columns: &str,
    rest: &str,
    table: &'static str,
    page: Page,
) -> StoreResult<(Vec<AnyRow>, i64)> {
    let mut query = QueryBuilder::new(db.backend(), "SELECT ");
    query.push(columns).push(", (");
    push_row_count(&mut query, db, table);
    query
        .push(") AS total ")
        .push(rest)
        .push(" LIMIT ")
        .push_bind(page.size)
        .push(" OFFSET ")
        .push_bind(page.offset());
    let rows = query.build().fetch_all(db.pool()).await?;
    let total = match rows.first() {
        Some(row) => row.try_get("total")?,
        None => {
            let mut count = QueryBuilder::new(db.backend(), "");
            push_row_count(&mut count, db, table);
            count.build().fetch_one(db.pool()).await?.try_get(0)?
        }
    };
    Ok((rows, total))
}

/// The number of rows of `table`, summed over its slots. (`SUM` is a decimal on MySQL and
/// PostgreSQL, hence the cast back to a 64-bit integer.)
fn push_row_count(query: &mut QueryBuilder, db: &Db, table: &'static str) {
    query
        .push("SELECT CAST(COALESCE(SUM(n), 0) AS ")
        .push(bigint_cast_type(db.backend()))
        .push(") FROM mgr_row_count WHERE table_name = ")
        .push_bind(table);
}

fn found(rows_affected: u64) -> StoreResult<()> {
    if rows_affected == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

fn unique_as_duplicate(error: sqlx::Error) -> StoreError {
    match violation(&error) {
        Some(Violation::Unique) => StoreError::Duplicate,
        _ => StoreError::Database(error),
    }
}

fn foreign_key_as_referenced(error: sqlx::Error) -> StoreError {
    foreign_key_as(error, StoreError::Referenced)
}

fn foreign_key_as(error: sqlx::Error, meaning: StoreError) -> StoreError {
    match violation(&error) {
        Some(Violation::ForeignKey) => meaning,
        _ => StoreError::Database(error),
    }
}
