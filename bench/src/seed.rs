//! Seeding: a fresh database of `rows` rows per large table, written straight through the
//! server's pool and migrations (not the HTTP API), one `INSERT ... SELECT` over a generated
//! series per table, all in one transaction per API.
//!
//! The shape scales with `rows` the way a real deployment grows: `rows` customers, medicines,
//! mgr orders (1 to 3 lines each), procurement orders (1 or 2 lines each) and notices; one
//! applicant per 100 orders (so an applicant's own list and unread count stay about the same
//! size); a fixed queue of at most 5,000 submitted orders awaiting approval; ten departments.

use std::{
    path::Path,
    str::FromStr as _,
    time::{Duration, Instant},
};

use anyhow::Context as _;
use medsys_server::{
    db::{Backend, Db},
    mgr, password,
};
use sqlx::{Any, Executor as _, Transaction};

/// The password of every seeded account.
pub const PASSWORD: &str = "bench-password";
/// The seeded mgr admin.
pub const MGR_ADMIN: &str = "bench";
/// How many accounts the login scenario rotates through (none of them is used elsewhere, so
/// their new tokens revoke nothing another scenario holds).
pub const LOGIN_USERS: i64 = 64;

/// What the scenarios need to know about the seeded data.
#[derive(Clone, Debug)]
pub struct Seeded {
    pub rows: i64,
    pub applicants: i64,
    /// Orders `1..=pending` are submitted (status 1) and await their department leader.
    pub pending: i64,
    /// The year in procurement order ids.
    pub year: i32,
    pub seconds_taken: Duration,
}

impl Seeded {
    /// The id of procurement order `n` (1-based), as the server formats them.
    pub fn order_id(&self, n: i64) -> String {
        let (department, counter) = order_slot(n);
        medsys_server::procurement::domain::order_id(
            self.year,
            &format!("{department:02}"),
            counter,
        )
    }

    /// The department (1 to 10) of procurement order `n`.
    pub fn order_department(n: i64) -> i64 {
        order_slot(n).0
    }

    /// Applicant `u` (1-based) and their department.
    pub fn applicant(u: i64) -> (String, i64) {
        (format!("139{u:08}"), (u - 1) % 10 + 1)
    }

    /// The leader of department `d`.
    pub fn leader(d: i64) -> String {
        format!("138{d:08}")
    }

    /// Login-scenario account `k` (1-based).
    pub fn login_user(k: i64) -> String {
        format!("135{k:08}")
    }

    pub const INST_LEAD: &'static str = "13700000001";
    pub const ADMIN: &'static str = "13600000001";
}

/// Department and per-department counter of order `n`.
fn order_slot(n: i64) -> (i64, i64) {
    (n % 10 + 1, n / 10 + 1)
}

/// Drops and recreates the run's database; returns its URL.
pub async fn fresh_database(
    backend: Backend,
    rows: i64,
    work_dir: &Path,
    postgres_url: &str,
) -> anyhow::Result<String> {
    let name = format!("medsys_bench_{}", size_label(rows));
    match backend {
        Backend::Sqlite => {
            std::fs::create_dir_all(work_dir)
                .with_context(|| format!("creating {}", work_dir.display()))?;
            let file = work_dir.join(format!("{name}.db"));
            for suffix in ["", "-wal", "-shm"] {
                let path = format!("{}{suffix}", file.display());
                match std::fs::remove_file(&path) {
                    Ok(()) => {}
                    Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                    Err(error) => return Err(error).with_context(|| format!("removing {path}")),
                }
            }
            Ok(format!("sqlite://{}?mode=rwc", file.display()))
        }
        Backend::Postgres => {
            let base = postgres_url.trim_end_matches('/');
            let admin = Db::connect(&format!("{base}/postgres")).await?;
            admin
                .pool()
                .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                .await?;
            admin
                .pool()
                .execute(format!("CREATE DATABASE {name}").as_str())
                .await?;
            admin.close().await;
            Ok(format!("{base}/{name}"))
        }
    }
}

/// `10k`, `1m`, or the number itself.
pub fn size_label(rows: i64) -> String {
    match rows {
        n if n >= 1_000_000 && n % 1_000_000 == 0 => format!("{}m", n / 1_000_000),
        n if n >= 1_000 && n % 1_000 == 0 => format!("{}k", n / 1_000),
        n => n.to_string(),
    }
}

/// Migrates and fills the database at `url`.
pub async fn seed(url: &str, rows: i64) -> anyhow::Result<Seeded> {
    anyhow::ensure!(
        rows >= 300,
        "--rows must be at least 300 (order lines pick distinct medicines)"
    );
    let started = Instant::now();
    let db = Db::connect_and_migrate(url).await?;
    let hash = password::hash(PASSWORD.to_owned()).await?;
    let now = chrono::Utc::now();
    let seeded = Seeded {
        rows,
        applicants: (rows / 100).max(20) / 10 * 10,
        pending: (rows / 2).min(5_000),
        year: chrono::Datelike::year(
            &now.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).context("offset")?),
        ),
        seconds_taken: Duration::ZERO,
    };
    let sql = Dialect(db.backend());
    mgr::store::create_account(&db, MGR_ADMIN, &hash, true, true)
        .await
        .context("creating the mgr admin")?;
    let mut tx = db.pool().begin().await?;
    seed_mgr(&mut tx, &sql, rows, now.timestamp()).await?;
    tx.commit().await?;
    let mut tx = db.pool().begin().await?;
    seed_procurement(&mut tx, &sql, &seeded, &hash, now.timestamp()).await?;
    tx.commit().await?;
    if db.backend() == Backend::Postgres {
        // What autovacuum does to freshly loaded tables (statistics, visibility map); without it
        // the first minutes after a bulk load are not representative.
        db.pool().execute("VACUUM ANALYZE").await?;
    }
    db.close().await;
    Ok(Seeded {
        seconds_taken: started.elapsed(),
        ..seeded
    })
}

/// The few expressions whose spelling differs between the backends.
struct Dialect(Backend);

impl Dialect {
    /// `n` from 1 to `count`, as a derived table `s(n)`.
    fn series(&self, count: i64) -> String {
        match self.0 {
            Backend::Sqlite => format!(
                "(WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {count}) \
                 SELECT n FROM g) AS s"
            ),
            Backend::Postgres => {
                format!("(SELECT n FROM generate_series(1, CAST({count} AS BIGINT)) AS g(n)) AS s")
            }
        }
    }

    /// Decimal text of `expr`, zero-padded to at least `width` digits.
    fn pad(&self, expr: &str, width: usize) -> String {
        match self.0 {
            Backend::Sqlite => format!("printf('%0{width}d', {expr})"),
            Backend::Postgres => format!(
                "lpad(CAST({expr} AS TEXT), greatest({width}, length(CAST({expr} AS TEXT))), '0')"
            ),
        }
    }

    /// `YYYY-MM-DD` of `days` days before 2026-01-01.
    fn date_before(&self, days: &str) -> String {
        match self.0 {
            Backend::Sqlite => format!("date('2026-01-01', '-' || ({days}) || ' days')"),
            Backend::Postgres => {
                format!("to_char(DATE '2026-01-01' - CAST(({days}) AS INTEGER), 'YYYY-MM-DD')")
            }
        }
    }

    /// After explicit ids were inserted, the identity sequence continues past them.
    async fn continue_ids(
        &self,
        tx: &mut Transaction<'static, Any>,
        table: &str,
    ) -> anyhow::Result<()> {
        if self.0 == Backend::Postgres {
            tx.execute(
                format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
                )
                .as_str(),
            )
            .await?;
        }
        Ok(())
    }
}

async fn seed_mgr(
    tx: &mut Transaction<'static, Any>,
    sql: &Dialect,
    rows: i64,
    now: i64,
) -> anyhow::Result<()> {
    let series = sql.series(rows);
    let phone = sql.pad("n", 8);
    tx.execute(
        format!(
            "INSERT INTO mgr_customer (id, name, phonenumber, address) \
             SELECT n, 'customer ' || CAST(n AS TEXT), '138' || {phone}, \
             'Road ' || CAST(n % 997 AS TEXT) || ', district ' || CAST(n % 17 AS TEXT) FROM {series}"
        )
        .as_str(),
    )
    .await?;
    tx.execute(
        format!(
            "INSERT INTO mgr_medicine (id, name, \"desc\", sn) \
             SELECT n, 'medicine ' || CAST(n AS TEXT), 'for the relief of condition ' || CAST(n % 501 AS TEXT), \
             'H' || {phone} FROM {series}"
        )
        .as_str(),
    )
    .await?;
    let date = sql.date_before("n % 365");
    tx.execute(
        format!(
            "INSERT INTO mgr_order (id, name, create_date, created_at, customer_id) \
             SELECT n, 'order ' || CAST(n AS TEXT), {date}, {start} + n, (n * 7919) % {rows} + 1 FROM {series}",
            start = now - rows,
        )
        .as_str(),
    )
    .await?;
    // 1 to 3 lines per order, on distinct medicines (97 apart modulo `rows` >= 300).
    tx.execute(
        format!(
            "INSERT INTO mgr_order_medicine (order_id, medicine_id, amount) \
             SELECT n, (n * 31 + k * 97) % {rows} + 1, k + n % 5 FROM {series} \
             CROSS JOIN (SELECT 1 AS k UNION ALL SELECT 2 UNION ALL SELECT 3) AS ks \
             WHERE ks.k <= n % 3 + 1"
        )
        .as_str(),
    )
    .await?;
    for table in ["mgr_customer", "mgr_medicine", "mgr_order"] {
        sql.continue_ids(tx, table).await?;
    }
    Ok(())
}

async fn seed_procurement(
    tx: &mut Transaction<'static, Any>,
    sql: &Dialect,
    seeded: &Seeded,
    hash: &str,
    now: i64,
) -> anyhow::Result<()> {
    let rows = seeded.rows;
    let applicants = seeded.applicants;
    let user_columns = "INSERT INTO procurement_user (id, username, password_hash, department_id, \
        role_id, is_active, expires_at, password_changed_at, failed_logins, locked_until, created_at)";
    let users = [
        // (id prefix, name, count, role, department expression)
        ("139", "applicant ", applicants, 4, "(n - 1) % 10 + 1"),
        ("138", "leader ", 10, 3, "n"),
        ("137", "institution leader ", 1, 2, "1"),
        ("136", "admin ", 1, 1, "1"),
        ("135", "login user ", LOGIN_USERS, 4, "(n - 1) % 10 + 1"),
    ];
    for (prefix, name, count, role, department) in users {
        let id = sql.pad("n", 8);
        let department = sql.pad(department, 2);
        let series = sql.series(count);
        sqlx::query(&format!(
            "{user_columns} SELECT '{prefix}' || {id}, '{name}' || CAST(n AS TEXT), $1, {department}, \
             {role}, 1, NULL, $2, 0, NULL, $2 FROM {series}"
        ))
        .bind(hash)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }

    // Order n: department n % 10 + 1, counter n / 10 + 1, owner applicant n % A + 1 (same
    // department because A is a multiple of 10), created a minute after order n - 1.
    let order = format!(
        "SELECT n, n % 10 + 1 AS d, n / 10 + 1 AS c, n % {applicants} + 1 AS u, \
         CASE WHEN n <= {pending} THEN 1 WHEN n % 20 = 0 THEN 0 WHEN n % 50 = 7 THEN -1 \
         WHEN n % 20 = 1 THEN 2 ELSE 3 END AS status FROM {series}",
        pending = seeded.pending,
        series = sql.series(rows),
    );
    let id = format!(
        "'{year}' || {d} || {c}",
        year = seeded.year,
        d = sql.pad("o.d", 2),
        c = sql.pad("o.c", 2)
    );
    let owner = format!("'139' || {}", sql.pad("o.u", 8));
    let date = sql.date_before("o.n % 365");
    let fund = sql.pad(&format!("(o.n / {applicants}) % 100"), 4);
    let created = format!("{} + o.n * 60", now - rows * 60);
    tx.execute(
        format!(
            "INSERT INTO procurement_order (id, department_id, apply_user, fund_code, apply_date, total, \
             status, previous_status, ever_submitted, user_id, withdrawal_reason, version, created_at, updated_at) \
             SELECT {id}, {d}, 'applicant ' || CAST(o.u AS TEXT), 'FC' || {fund}, \
             CASE WHEN o.status = 0 THEN NULL ELSE {date} END, '2400', o.status, \
             CASE WHEN o.status = -1 THEN 3 ELSE NULL END, CASE WHEN o.status = 0 THEN 0 ELSE 1 END, \
             {owner}, NULL, 0, {created}, {created} FROM ({order}) AS o",
            d = sql.pad("o.d", 2),
        )
        .as_str(),
    )
    .await?;
    tx.execute(
        format!(
            "INSERT INTO procurement_order_line (id, order_id, seq, name, type, configuration, unit, \
             quantity, budget_unit_price, budget_total_price, reason, new_user) \
             SELECT {id} || {k}, {id}, ks.k, 'workstation ' || CAST(ks.k AS TEXT), '设备', \
             '16 GB, 512 GB SSD', '台', ks.k, '1200', CAST(1200 * ks.k AS TEXT), 'teaching', \
             'applicant ' || CAST(o.u AS TEXT) FROM ({order}) AS o \
             CROSS JOIN (SELECT 1 AS k UNION ALL SELECT 2) AS ks WHERE ks.k <= o.n % 2 + 1",
            k = sql.pad("ks.k", 2),
        )
        .as_str(),
    )
    .await?;
    // The per-department counters continue after the seeded orders.
    for department in 1..=10_i64 {
        // The newest order of the department is the largest n <= rows with n % 10 == d - 1.
        let newest = rows - (rows - (department - 1)).rem_euclid(10);
        let last = order_slot(newest).1;
        sqlx::query(
            "INSERT INTO procurement_order_counter (year, department_id, last) VALUES ($1, $2, $3)",
        )
        .bind(i64::from(seeded.year))
        .bind(format!("{department:02}"))
        .bind(last)
        .execute(&mut **tx)
        .await?;
    }
    tx.execute(
        format!(
            "INSERT INTO procurement_notice (id, user_id, order_id, title, content, unread, created_at) \
             SELECT o.n, {owner}, {id}, '审批通知', '您的申请单 ' || {id} || ' 已通过审批', \
             CASE WHEN o.n % 3 = 0 THEN 1 ELSE 0 END, {created} FROM ({order}) AS o"
        )
        .as_str(),
    )
    .await?;
    sql.continue_ids(tx, "procurement_notice").await?;
    Ok(())
}

/// Parses a backend name as the command line spells it.
pub fn parse_backend(name: &str) -> anyhow::Result<Backend> {
    match name {
        "sqlite" => Ok(Backend::Sqlite),
        "postgres" | "postgresql" => Ok(Backend::Postgres),
        other => anyhow::bail!("unknown database `{other}`: use sqlite or postgres"),
    }
}

/// Checks that a URL is well formed before a long run starts.
pub fn check_postgres_url(url: &str) -> anyhow::Result<()> {
    sqlx::any::install_default_drivers();
    sqlx::any::AnyConnectOptions::from_str(url)
        .map(|_| ())
        .with_context(|| "invalid --postgres-url".to_owned())
}
