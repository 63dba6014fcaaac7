//! mgr persistence: small named queries that return domain types.
//!
//! Knows SQL, not HTTP. SQL is portable between SQLite, PostgreSQL and MySQL (rules in
//! `crate::db`).
//! Constraint violations come back as [`StoreError`] variants, never as raw database errors.

use sqlx::{Row, any::AnyRow};

use crate::{
    db::{Db, RowExt, Tx, Violation, bigint_cast_type, now_unix, on_conflict_update, violation},
    mgr::domain::{
        Customer, CustomerData, CustomerNewData, Medicine, MedicineData, NewOrder, Order,
        OrderChange, OrderLine, Page, Paged, Profile,
    },
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

// ---------------------------------------------------------------------------------------------
// Accounts and sessions

/// The columns sign-in needs.
#[derive(Clone, Debug)]
pub struct Account {
    pub id: i64,
    pub password_hash: String,
    pub is_superuser: bool,
    pub is_active: bool,
}

pub async fn find_account(db: &Db, username: &str) -> StoreResult<Option<Account>> {
    let row = db.query(
        "SELECT id, password_hash, is_superuser, is_active FROM mgr_account WHERE username = $1",
    )
    .bind(username)
    .fetch_optional(db.pool())
    .await?;
    row.map(|row| {
        Ok(Account {
            id: row.try_get("id")?,
            password_hash: row.text("password_hash")?,
            is_superuser: row.try_get::<i64, _>("is_superuser")? == 1,
            is_active: row.try_get::<i64, _>("is_active")? == 1,
        })
    })
    .transpose()
}

/// Creates an account; `Duplicate` when the username is taken.
pub async fn create_account(
    db: &Db,
    username: &str,
    password_hash: &str,
    is_superuser: bool,
    is_active: bool,
) -> StoreResult<i64> {
    db.query(
        "INSERT INTO mgr_account (username, password_hash, is_superuser, is_active, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(username)
    .bind(password_hash)
    .bind(i64::from(is_superuser))
    .bind(i64::from(is_active))
    .bind(now_unix())
    .insert_returning_id(db.pool())
    .await
    .map_err(unique_as_duplicate)
}

/// Stores a new session and drops expired ones (the table stays small without a cron job).
pub async fn create_session(
    db: &Db,
    session_id: &str,
    account_id: i64,
    expires_at: i64,
) -> StoreResult<()> {
    db.query("DELETE FROM mgr_session WHERE expires_at <= $1")
        .bind(now_unix())
        .execute(db.pool())
        .await?;
    db.query("INSERT INTO mgr_session (id, account_id, expires_at) VALUES ($1, $2, $3)")
        .bind(session_id)
        .bind(account_id)
        .bind(expires_at)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// The condition on the account `a` of a session that may use the mgr API.
const LIVE_ADMIN: &str = "a.is_active = 1 AND a.is_superuser = 1";

/// The account of a live session, if the session exists, has not expired, and its account may
/// still use the mgr API (active superuser).
pub async fn session_account(db: &Db, session_id: &str) -> StoreResult<Option<i64>> {
    let row = db
        .query(format!(
            "SELECT a.id FROM mgr_session s JOIN mgr_account a ON a.id = s.account_id \
         WHERE s.id = $1 AND s.expires_at > $2 AND {LIVE_ADMIN}"
        ))
        .bind(session_id)
        .bind(now_unix())
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(|row| row.try_get("id")).transpose()?)
}

pub async fn delete_session(db: &Db, session_id: &str) -> StoreResult<()> {
    db.query("DELETE FROM mgr_session WHERE id = $1")
        .bind(session_id)
        .execute(db.pool())
        .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Profiles

pub async fn get_profile(db: &Db, account_id: i64) -> StoreResult<Profile> {
    let row = db
        .query("SELECT nickname, birthdate, bio FROM mgr_profile WHERE account_id = $1")
        .bind(account_id)
        .fetch_optional(db.pool())
        .await?;
    match row {
        None => Ok(Profile::default()),
        Some(row) => Ok(Profile {
            nickname: row.opt_text("nickname")?,
            birthdate: row.opt_text("birthdate")?,
            bio: row.opt_text("bio")?,
        }),
    }
}

/// Stores the profile (inserting it on first use).
pub async fn put_profile(db: &Db, account_id: i64, profile: &Profile) -> StoreResult<()> {
    let upsert = on_conflict_update(
        db.backend(),
        "account_id",
        &["nickname", "birthdate", "bio"],
    );
    db.query(format!(
        "INSERT INTO mgr_profile (account_id, nickname, birthdate, bio) VALUES ($1, $2, $3, $4) \
         {upsert}"
    ))
    .bind(account_id)
    .bind(profile.nickname.as_deref())
    .bind(profile.birthdate.as_deref())
    .bind(profile.bio.as_deref())
    .execute(db.pool())
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Customers

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
        "SELECT id, name, phonenumber, address FROM mgr_customer ORDER BY id DESC \
         LIMIT $1 OFFSET $2",
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

// ---------------------------------------------------------------------------------------------
// Medicines

fn medicine(row: &AnyRow) -> Result<Medicine, sqlx::Error> {
    Ok(Medicine {
        id: row.try_get("id")?,
        name: row.text("name")?,
        desc: row.text("desc")?,
        sn: row.text("sn")?,
    })
}

/// Newest first, for the admin signed in with `session_id` (`None`: not signed in).
pub async fn list_medicines(
    db: &Db,
    session_id: &str,
    page: Page,
) -> StoreResult<Option<Paged<Medicine>>> {
    let Some((rows, total)) = signed_in_page(
        db,
        session_id,
        "SELECT id, name, \"desc\", sn FROM mgr_medicine ORDER BY id DESC LIMIT $1 OFFSET $2",
        "mgr_medicine",
        page,
    )
    .await?
    else {
        return Ok(None);
    };
    Ok(Some(Paged {
        items: rows.iter().map(medicine).collect::<Result<_, _>>()?,
        total,
    }))
}

/// `Duplicate` when the name is taken.
pub async fn add_medicine(db: &Db, data: &MedicineData) -> StoreResult<i64> {
    db.query("INSERT INTO mgr_medicine (name, \"desc\", sn) VALUES ($1, $2, $3)")
        .bind(&data.name)
        .bind(&data.desc)
        .bind(&data.sn)
        .insert_returning_id(db.pool())
        .await
        .map_err(unique_as_duplicate)
}

pub async fn medicine_exists(db: &Db, id: i64) -> StoreResult<bool> {
    let row = db
        .query("SELECT id FROM mgr_medicine WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.is_some())
}

/// `NotFound`, or `Duplicate` when renaming onto another medicine's name.
pub async fn modify_medicine(db: &Db, id: i64, data: &MedicineData) -> StoreResult<()> {
    let done = db
        .query("UPDATE mgr_medicine SET name = $1, \"desc\" = $2, sn = $3 WHERE id = $4")
        .bind(&data.name)
        .bind(&data.desc)
        .bind(&data.sn)
        .bind(id)
        .execute(db.pool())
        .await
        .map_err(unique_as_duplicate)?;
    found(done.rows_affected())
}

/// `Referenced` while an order lists the medicine.
pub async fn delete_medicine(db: &Db, id: i64) -> StoreResult<()> {
    delete_unreferenced(
        db,
        id,
        "SELECT id FROM mgr_medicine WHERE id = $1",
        "SELECT order_id FROM mgr_order_medicine WHERE medicine_id = $1",
        "DELETE FROM mgr_medicine WHERE id = $1",
    )
    .await
}

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
// Orders

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
        "SELECT o.id, o.name, o.create_date, o.customer_id, c.name AS customer_name \
         FROM mgr_order o JOIN mgr_customer c ON c.id = o.customer_id \
         ORDER BY o.id DESC LIMIT $1 OFFSET $2",
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

// ---------------------------------------------------------------------------------------------
// Helpers

/// The number of rows of a table, kept by triggers in `mgr_row_count` (migration 0003): one
/// small indexed read instead of `COUNT(*)` over the whole table on every page. The
/// placeholder naming the table follows. (`SUM` is a decimal on MySQL and PostgreSQL, hence
/// the cast back to a 64-bit integer.)
fn row_count_of(db: &Db) -> String {
    format!(
        "SELECT CAST(COALESCE(SUM(n), 0) AS {}) FROM mgr_row_count WHERE table_name = ",
        bigint_cast_type(db.backend())
    )
}

/// One page of `page_sql` (whose `$1` is the page size and `$2` the offset) and the row count
/// of `table`, for the signed-in admin of `session_id`: `None` when that session is not live.
///
/// Session check, page and total are one statement, so a list is one round trip to the
/// database (`docs/performance.md`): the session row is joined to the page, and a page past
/// the end still yields the one session row that carries the total (its page columns are
/// `NULL` and are left out).
async fn signed_in_page(
    db: &Db,
    session_id: &str,
    page_sql: &str,
    table: &'static str,
    page: Page,
) -> StoreResult<Option<(Vec<AnyRow>, i64)>> {
    let sql = format!(
        "SELECT ({row_count_of}$3) AS total, p.* FROM mgr_session s \
         JOIN mgr_account a ON a.id = s.account_id \
         LEFT JOIN ({page_sql}) p ON 1 = 1 \
         WHERE s.id = $4 AND s.expires_at > $5 AND {LIVE_ADMIN} \
         ORDER BY p.id DESC",
        row_count_of = row_count_of(db),
    );
    let rows = db
        .query(sql)
        .bind(page.size)
        .bind(page.offset())
        .bind(table)
        .bind(session_id)
        .bind(now_unix())
        .fetch_all(db.pool())
        .await?;
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
