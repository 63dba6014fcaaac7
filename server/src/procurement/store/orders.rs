//! Orders: their lines, creation with the per-department counter, edits, workflow transitions
//! and searches.

use sqlx::{Row, any::AnyRow};

use super::{
    StoreError, StoreResult,
    notices::{notify_leaders, notify_user},
};
use crate::{
    db::{Backend, ColumnExt, Db, QueryBuilder, RowExt, Tx, bigint_cast_type},
    procurement::domain::{Amount, NoticeText, OrderInput, OrderStatus, line_id, order_id, status},
};

#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub configuration: String,
    pub unit: String,
    pub quantity: i64,
    pub budget_unit_price: Amount,
    pub budget_total_price: Amount,
    pub reason: String,
    pub new_user: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Order {
    pub id: String,
    pub department_id: String,
    pub department: String,
    pub apply_user: String,
    pub fund_code: String,
    /// `YYYY-MM-DD` of the latest submission.
    pub apply_date: Option<String>,
    pub total: Amount,
    pub status: OrderStatus,
    /// The status before a deletion (what a restore returns to).
    pub previous_status: Option<OrderStatus>,
    pub ever_submitted: bool,
    pub user_id: String,
    pub withdrawal_reason: Option<String>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub has_file: bool,
    pub lines: Vec<Line>,
}

/// An order's select list (for [`order_from_row`]); [`ORDER_FROM`] is what it selects from.
const ORDER_COLUMNS: &str = "o.id, o.department_id, d.name AS department, o.apply_user, o.fund_code, \
     o.apply_date, o.total, o.status, o.previous_status, o.ever_submitted, o.user_id, \
     o.withdrawal_reason, o.version, o.created_at, o.updated_at, \
     (SELECT COUNT(*) FROM procurement_signature s WHERE s.order_id = o.id) AS files";
const ORDER_FROM: &str =
    "FROM procurement_order o JOIN procurement_department d ON d.id = o.department_id";

fn order_from_row(row: &AnyRow) -> StoreResult<Order> {
    Ok(Order {
        id: row.text("id")?,
        department_id: row.text("department_id")?,
        department: row.text("department")?,
        apply_user: row.text("apply_user")?,
        fund_code: row.text("fund_code")?,
        apply_date: row.opt_text("apply_date")?,
        total: row.decode("total")?,
        status: row.decode("status")?,
        previous_status: row.decode("previous_status")?,
        ever_submitted: row.decode("ever_submitted")?,
        user_id: row.text("user_id")?,
        withdrawal_reason: row.opt_text("withdrawal_reason")?,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        has_file: row.try_get::<i64, _>("files")? > 0,
        lines: Vec::new(),
    })
}

const LINE_COLUMNS: &str = "order_id, id, name, type, configuration, unit, quantity, \
     budget_unit_price, budget_total_price, reason, new_user FROM procurement_order_line";

fn line_from_row(row: &AnyRow) -> StoreResult<Line> {
    Ok(Line {
        id: row.text("id")?,
        name: row.text("name")?,
        kind: row.text("type")?,
        configuration: row.text("configuration")?,
        unit: row.text("unit")?,
        quantity: row.try_get("quantity")?,
        budget_unit_price: row.decode("budget_unit_price")?,
        budget_total_price: row.decode("budget_total_price")?,
        reason: row.text("reason")?,
        new_user: row.text("new_user")?,
    })
}

async fn lines_of(db: &Db, order_id: &str) -> StoreResult<Vec<Line>> {
    let rows = db
        .query(format!(
            "SELECT {LINE_COLUMNS} WHERE order_id = $1 ORDER BY seq"
        ))
        .bind(order_id)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(line_from_row).collect()
}

/// Fills in the lines of every order of a page with one query (not one per order).
async fn attach_lines(db: &Db, orders: &mut [Order]) -> StoreResult<()> {
    if orders.is_empty() {
        return Ok(());
    }
    let mut query = QueryBuilder::new(db.backend(), "SELECT ");
    query.push(LINE_COLUMNS).push(" WHERE order_id IN (");
    let mut ids = query.separated(", ");
    for order in orders.iter() {
        ids.push_bind(order.id.as_str());
    }
    query.push(") ORDER BY order_id, seq");
    for row in query.build().fetch_all(db.pool()).await? {
        let order_id = row.text("order_id")?;
        if let Some(order) = orders.iter_mut().find(|order| order.id == order_id) {
            order.lines.push(line_from_row(&row)?);
        }
    }
    Ok(())
}

pub async fn get_order(db: &Db, id: &str) -> StoreResult<Option<Order>> {
    let row = db
        .query(format!(
            "SELECT {ORDER_COLUMNS} {ORDER_FROM} WHERE o.id = $1"
        ))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    let Some(row) = row else { return Ok(None) };
    let mut order = order_from_row(&row)?;
    order.lines = lines_of(db, &order.id).await?;
    Ok(Some(order))
}

async fn insert_lines(tx: &mut Tx, order_id: &str, input: &OrderInput) -> StoreResult<()> {
    for (index, line) in input.lines.iter().enumerate() {
        let seq = index + 1;
        tx.query(
            "INSERT INTO procurement_order_line (id, order_id, seq, name, type, configuration, unit, \
             quantity, budget_unit_price, budget_total_price, reason, new_user) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(line_id(order_id, seq))
        .bind(order_id)
        .bind(i64::try_from(seq).unwrap_or(i64::MAX))
        .bind(&line.name)
        .bind(&line.kind)
        .bind(&line.configuration)
        .bind(&line.unit)
        .bind(line.quantity)
        .bind(line.budget_unit_price)
        .bind(line.budget_total_price)
        .bind(&line.reason)
        .bind(&line.new_user)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Takes the next number of the year's orders of a department, inside the creating transaction.
async fn next_order_number(tx: &mut Tx, year: i32, department_id: &str) -> StoreResult<i64> {
    let row = match tx.backend() {
        Backend::Sqlite | Backend::Postgres => {
            tx.query(
                "INSERT INTO procurement_order_counter (year, department_id, last) \
                 VALUES ($1, $2, 1) ON CONFLICT (year, department_id) \
                 DO UPDATE SET last = procurement_order_counter.last + 1 RETURNING last",
            )
            .bind(i64::from(year))
            .bind(department_id)
            .fetch_one(&mut **tx)
            .await?
        }
        // No `RETURNING` on MySQL: the upsert locks the counter row until commit, so reading it
        // back in the same transaction sees this transaction's number and no other's.
        Backend::Mysql => {
            tx.query(
                "INSERT INTO procurement_order_counter (year, department_id, last) \
                 VALUES ($1, $2, 1) ON DUPLICATE KEY UPDATE last = last + 1",
            )
            .bind(i64::from(year))
            .bind(department_id)
            .execute(&mut **tx)
            .await?;
            tx.query(
                "SELECT last FROM procurement_order_counter \
                 WHERE year = $1 AND department_id = $2",
            )
            .bind(i64::from(year))
            .bind(department_id)
            .fetch_one(&mut **tx)
            .await?
        }
    };
    Ok(row.try_get("last")?)
}

/// Creates an order with its lines (and the submit notice) in one transaction; returns its id.
pub async fn create_order(
    db: &Db,
    input: &OrderInput,
    department_id: &str,
    year: i32,
    today: &str,
    notice: Option<&NoticeText>,
    now: i64,
) -> StoreResult<String> {
    let mut tx = db.begin_write().await?;
    // The counter row is written first, so the transaction holds the write lock from its first
    // statement (SQLite) or the row lock (PostgreSQL, MySQL): concurrent creations queue here.
    let counter = next_order_number(&mut tx, year, department_id).await?;
    let id = order_id(year, department_id, counter);
    let submitted = input.status == status::SUBMITTED;
    db.query(
        "INSERT INTO procurement_order (id, department_id, apply_user, fund_code, apply_date, total, \
         status, previous_status, ever_submitted, user_id, withdrawal_reason, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $9, NULL, 0, $10, $10)",
    )
    .bind(&id)
    .bind(department_id)
    .bind(&input.apply_user)
    .bind(&input.fund_code)
    .bind(submitted.then_some(today))
    .bind(input.total)
    .bind(input.status)
    .bind(submitted)
    .bind(&input.uid)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    insert_lines(&mut tx, &id, input).await?;
    if let Some(notice) = notice {
        notify_leaders(&mut tx, department_id, &id, notice, now).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Replaces a draft's content if it is still at `version` and in status 0.
#[expect(
    clippy::too_many_arguments,
    reason = "one named value per column group"
)]
pub async fn update_order(
    db: &Db,
    id: &str,
    version: i64,
    input: &OrderInput,
    department_id: &str,
    today: &str,
    notice: Option<&NoticeText>,
    now: i64,
) -> StoreResult<()> {
    let submitted = input.status == status::SUBMITTED;
    let mut tx = db.begin_write().await?;
    let done = db
        .query(
            "UPDATE procurement_order SET department_id = $3, apply_user = $4, fund_code = $5, \
         total = $6, status = $7, apply_date = CASE WHEN $8 = 1 THEN $9 ELSE apply_date END, \
         ever_submitted = CASE WHEN $8 = 1 THEN 1 ELSE ever_submitted END, \
         version = version + 1, updated_at = $10 \
         WHERE id = $1 AND version = $2 AND status = $11",
        )
        .bind(id)
        .bind(version)
        .bind(department_id)
        .bind(&input.apply_user)
        .bind(&input.fund_code)
        .bind(input.total)
        .bind(input.status)
        .bind(submitted)
        .bind(today)
        .bind(now)
        .bind(status::DRAFT)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Stale);
    }
    db.query("DELETE FROM procurement_order_line WHERE order_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    insert_lines(&mut tx, id, input).await?;
    if let Some(notice) = notice {
        notify_leaders(&mut tx, department_id, id, notice, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Who receives the notice of a workflow step.
#[derive(Clone, Copy, Debug)]
pub enum Recipient<'a> {
    Owner(&'a str),
}

/// A status change from `from` (at `version`) to `to`, with an optional reason and notice.
#[derive(Clone, Debug)]
pub struct Transition<'a> {
    pub id: &'a str,
    pub from: OrderStatus,
    pub version: i64,
    pub to: OrderStatus,
    /// Sets `withdrawalReason` when present.
    pub reason: Option<&'a str>,
    pub notice: Option<(Recipient<'a>, NoticeText)>,
}

/// Applies a transition in one transaction. Locks are taken in one order by every order write
/// (see migration 0004): the order's row (this `UPDATE`), then, by the trigger inside it, the
/// status counts of the old and the new status in ascending status order, then the notice.
pub async fn transition(db: &Db, step: &Transition<'_>, now: i64) -> StoreResult<()> {
    let mut tx = db.begin_write().await?;
    // A deletion remembers the status to restore; every other step clears it.
    let previous = (step.to == status::DELETED).then_some(step.from);
    let done = db
        .query(
            "UPDATE procurement_order SET status = $3, previous_status = $4, \
         withdrawal_reason = COALESCE($5, withdrawal_reason), \
         version = version + 1, updated_at = $6 \
         WHERE id = $1 AND status = $2 AND version = $7",
        )
        .bind(step.id)
        .bind(step.from)
        .bind(step.to)
        .bind(previous)
        .bind(step.reason)
        .bind(now)
        .bind(step.version)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        // Someone changed the order between our read and this write.
        return Err(StoreError::BadTransition);
    }
    if let Some((Recipient::Owner(owner), notice)) = &step.notice {
        notify_user(&mut tx, owner, step.id, notice, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Which rows a search returns.
#[derive(Clone, Debug, Default)]
pub struct OrderFilter {
    pub owner: Option<String>,
    pub department_id: Option<String>,
    /// `Some(s)`: only status `s`; `None`: every status but deleted.
    pub status: Option<OrderStatus>,
    pub oid: Option<String>,
    pub apply_dept: Option<String>,
    pub apply_user: Option<String>,
    pub fund_code: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
}

impl OrderFilter {
    /// The "contains" filters that are set (an empty text filters nothing), by column.
    fn texts(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("o.id", &self.oid),
            ("d.name", &self.apply_dept),
            ("o.apply_user", &self.apply_user),
            ("o.fund_code", &self.fund_code),
        ]
        .into_iter()
        .filter_map(|(column, value)| {
            value
                .as_deref()
                .filter(|value| !value.is_empty())
                .map(|value| (column, value))
        })
    }

    /// Whether nothing but the status restricts the search (the admin's and the institution
    /// leaders' unfiltered lists, the deleted orders, the institution's pending orders): then
    /// the number of matches is read from the counts kept per status (migration 0004).
    fn by_status_only(&self) -> bool {
        self.owner.is_none()
            && self.department_id.is_none()
            && self.start.is_none()
            && self.end.is_none()
            && self.texts().next().is_none()
    }
}

#[derive(Clone, Copy, Debug)]
pub enum Sort {
    NewestFirst,
    OldestFirst,
    RecentlyChanged,
}

/// Appends the search's condition (`... AND ...`), binding each value the request gave.
fn push_condition(query: &mut QueryBuilder, backend: Backend, filter: &OrderFilter) {
    let contains = match backend {
        Backend::Sqlite | Backend::Mysql => "instr(",
        Backend::Postgres => "strpos(",
    };
    let mut all = query.separated(" AND ");
    if let Some(owner) = &filter.owner {
        all.push("o.user_id = ")
            .push_bind_unseparated(owner.as_str());
    }
    if let Some(department) = &filter.department_id {
        all.push("o.department_id = ")
            .push_bind_unseparated(department.as_str());
    }
    for (column, value) in filter.texts() {
        all.push(contains)
            .push_unseparated(column)
            .push_unseparated(", ")
            .push_bind_unseparated(value)
            .push_unseparated(") > 0");
    }
    if let Some(start) = &filter.start {
        all.push("o.apply_date >= ")
            .push_bind_unseparated(start.as_str());
    }
    if let Some(end) = &filter.end {
        all.push("o.apply_date <= ")
            .push_bind_unseparated(end.as_str());
    }
    // The status is a constant of the program, written as a literal rather than bound, so the
    // planner sees which status (a handful of deleted orders, or nearly all of them).
    all.push(&status_condition("o.status", filter.status));
}

/// `column = s`, or `column <> -1` for every status but deleted.
fn status_condition(column: &str, status: Option<OrderStatus>) -> String {
    match status {
        Some(status) => format!("{column} = {}", status.code()),
        None => format!("{column} <> {}", status::DELETED.code()),
    }
}

/// Appends a statement that answers the number of orders matching `filter`.
fn push_count(query: &mut QueryBuilder, backend: Backend, filter: &OrderFilter) {
    if filter.by_status_only() {
        // Kept by triggers in the transaction of every order write (migration 0004): a read of
        // at most a few dozen small rows instead of a count over every order. (`SUM` is a
        // decimal on MySQL and PostgreSQL, hence the cast back to a 64-bit integer.)
        query
            .push("SELECT CAST(COALESCE(SUM(n), 0) AS ")
            .push(bigint_cast_type(backend))
            .push(") FROM procurement_order_count WHERE ")
            .push(&status_condition("status", filter.status));
        return;
    }
    // The department is joined only when its name is filtered on (every order has one): the
    // count of a search over every order then reads one index, not also the department of
    // each order (0.10 s against 0.04 s of CPU at 1,000,000 orders on SQLite).
    let joins_department = filter.texts().any(|(column, _)| column.starts_with("d."));
    query.push("SELECT COUNT(*) ").push(if joins_department {
        ORDER_FROM
    } else {
        "FROM procurement_order o"
    });
    query.push(" WHERE ");
    push_condition(query, backend, filter);
}

/// Pages ending within this many rows get [`push_mysql_threshold`]; deeper ones gain little from
/// it (at offset 5,000 of 10,000 orders, 23 ms per page with or without it, `mysqlslap`).
const THRESHOLD_ROWS: i64 = 1_000;

/// MySQL/MariaDB only: `FROM (...) th JOIN procurement_order o ON <lead> >= th.lead JOIN
/// procurement_department d ...`, where `th.lead` is the sort's leading column in the `rows`-th
/// matching order, so the page is sorted from the few orders at or before it instead of from
/// all of them.
///
/// Every sort breaks ties by `LENGTH(id)`, which no index can follow: PostgreSQL sorts the
/// index order's ties incrementally and SQLite sorts only the right part of the order, but
/// MariaDB sorts every matching row, full width (18 ms per page 1 at 10,000 orders, growing
/// with the table). The first `rows` orders in the full order all have a leading value at or
/// past the `rows`-th one, so the page is unchanged. The threshold is a one-row derived table
/// joined first (the caller's `STRAIGHT_JOIN`), so each order is then read through the index of
/// the leading column from that value on: 0.65 ms per page 1 at 10,000 and at 1,000,000 orders
/// (`mysqlslap`, one client). Left to choose, MariaDB joined the departments first at 1,000,000
/// orders and took 290 ms; a subquery in the `WHERE` clause is not used to plan the range; and
/// on PostgreSQL the same join costs 10 ms against 0.3 ms without it, hence MySQL only. Fewer
/// matching orders than `rows` take the last one's value; none at all, `NULL`, which matches
/// nothing, as nothing matched.
fn push_mysql_threshold(page: &mut QueryBuilder, filter: &OrderFilter, sort: Sort, rows: i64) {
    let (lead, aggregate, direction, compare) = match sort {
        Sort::NewestFirst => ("created_at", "MIN", "DESC", ">="),
        Sort::RecentlyChanged => ("updated_at", "MIN", "DESC", ">="),
        Sort::OldestFirst => ("apply_date", "MAX", "ASC", "<="),
    };
    page.push("FROM (SELECT ")
        .push(aggregate)
        .push("(x.lead) AS lead FROM (SELECT t.")
        .push(lead)
        .push(" AS lead FROM procurement_order t WHERE ")
        .push(&status_condition("t.status", filter.status))
        .push(" ORDER BY t.")
        .push(lead)
        .push(" ")
        .push(direction)
        .push(" LIMIT ")
        .push_bind(rows)
        .push(") x) th JOIN procurement_order o ON o.")
        .push(lead)
        .push(" ")
        .push(compare)
        .push(" th.lead JOIN procurement_department d ON d.id = o.department_id");
}

/// One page of orders matching `filter`, and the number of all matching orders.
pub async fn search_orders(
    db: &Db,
    filter: &OrderFilter,
    sort: Sort,
    offset: i64,
    limit: i64,
) -> StoreResult<(Vec<Order>, i64)> {
    let backend = db.backend();
    let order_by = match sort {
        // Ids are digits of growing length (the per-department counter may pass 99), so ties
        // are broken by length first: 202601100 is newer than 20260199.
        Sort::NewestFirst => "o.created_at DESC, LENGTH(o.id) DESC, o.id DESC",
        Sort::OldestFirst => "o.apply_date ASC, o.created_at ASC, LENGTH(o.id) ASC, o.id ASC",
        Sort::RecentlyChanged => "o.updated_at DESC, LENGTH(o.id) DESC, o.id DESC",
    };
    // The total comes with the page, from an uncorrelated subquery (evaluated once): one round
    // trip to the database instead of two. A page past the end has no row to carry it, so then
    // it is counted on its own.
    let threshold =
        backend == Backend::Mysql && filter.by_status_only() && offset + limit <= THRESHOLD_ROWS;
    // `STRAIGHT_JOIN`: MySQL joins the tables in the order written (threshold first).
    let mut page = QueryBuilder::new(
        backend,
        if threshold {
            "SELECT STRAIGHT_JOIN "
        } else {
            "SELECT "
        },
    );
    page.push(ORDER_COLUMNS).push(", (");
    push_count(&mut page, backend, filter);
    page.push(") AS total_rows ");
    if threshold {
        push_mysql_threshold(&mut page, filter, sort, offset + limit);
    } else {
        page.push(ORDER_FROM);
    }
    page.push(" WHERE ");
    push_condition(&mut page, backend, filter);
    page.push(" ORDER BY ")
        .push(order_by)
        .push(" LIMIT ")
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset);
    let rows = page.build().fetch_all(db.pool()).await?;
    let total: i64 = match rows.first() {
        Some(row) => row.try_get("total_rows")?,
        None => {
            let mut count = QueryBuilder::new(backend, "");
            push_count(&mut count, backend, filter);
            count.build().fetch_one(db.pool()).await?.try_get(0)?
        }
    };
    let mut orders = rows
        .iter()
        .map(order_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
    attach_lines(db, &mut orders).await?;
    Ok((orders, total))
}
