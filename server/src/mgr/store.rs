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
pub use customers::{
    add_customer, delete_customer, has_customers, list_customers, modify_customer,
};
pub use medicines::{
    add_medicine, delete_medicine, list_medicines, medicine_exists, modify_medicine,
};
pub use orders::{add_order, delete_order, list_orders, modify_order, order_exists};

use sqlx::{Row, any::AnyRow};

use crate::{
    db::{Db, QueryBuilder, Violation, bigint_cast_type, now_unix, violation},
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

/// The condition on the account `a` of a session that may use the mgr API (active superuser).
const LIVE_ADMIN: &str = "a.is_active = 1 AND a.is_superuser = 1";

/// One page of `SELECT {columns} {rest}` and the row count of `table`, for the admin signed in
/// with `session_id`: `None` when that session is not live.
///
/// Session check, page and total are one statement, so a list is one round trip to the
/// database (`docs/performance.md`): the session row is joined to the page, and a page past
/// the end still yields the one session row that carries the total (its page columns are
/// `NULL` and are left out).
async fn signed_in_page(
    db: &Db,
    session_id: &str,
    columns: &str,
    rest: &str,
    table: &'static str,
    page: Page,
) -> StoreResult<Option<(Vec<AnyRow>, i64)>> {
    let mut query = QueryBuilder::new(db.backend(), "SELECT (");
    push_row_count(&mut query, db, table);
    query
        .push(") AS total, p.* FROM mgr_session s JOIN mgr_account a ON a.id = s.account_id ")
        .push("LEFT JOIN (SELECT ")
        .push(columns)
        .push(" ")
        .push(rest)
        .push(" LIMIT ")
        .push_bind(page.size)
        .push(" OFFSET ")
        .push_bind(page.offset())
        .push(") p ON 1 = 1 WHERE s.id = ")
        .push_bind(session_id)
        .push(" AND s.expires_at > ")
        .push_bind(now_unix())
        .push(" AND ")
        .push(LIVE_ADMIN)
        .push(" ORDER BY p.id DESC");
    let rows = query.build().fetch_all(db.pool()).await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let total = first.try_get("total")?;
    let mut page_rows = Vec::with_capacity(rows.len());
    for row in rows {
        if row.try_get::<Option<i64>, _>("id")?.is_some() {
            page_rows.push(row);
        }
    }
    Ok(Some((page_rows, total)))
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
