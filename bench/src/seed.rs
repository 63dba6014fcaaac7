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
    db::{Backend, Db, Tx},
    mgr, password,
};
use sqlx::Executor as _;

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
    mysql_url: &str,
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
                .acquire()
                .await?
                .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                .await?;
            admin
                .pool()
                .acquire()
                .await?
                .execute(format!("CREATE DATABASE {name}").as_str())
                .await?;
            admin.close().await;
            Ok(format!("{base}/{name}"))
        }
        Backend::Mysql => {
            let base = mysql_url.trim_end_matches('/');
            let admin = Db::connect(base).await?;
            admin
                .pool()
                .acquire()
                .await?
                .execute(format!("DROP DATABASE IF EXISTS {name}").as_str())
                .await?;
            admin
                .pool()
                .acquire()
                .await?
                .execute(
                    format!("CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
                        .as_str(),
                )
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
    let mut tx = db.begin_write().await?;
    seed_mgr(&mut tx, &sql, rows, now.timestamp()).await?;
    tx.commit().await?;
    let mut tx = db.begin_write().await?;
    seed_procurement(&mut tx, &sql, &seeded, &hash, now.timestamp()).await?;
    tx.commit().await?;
    match db.backend() {
        // What autovacuum does to freshly loaded tables (statistics, visibility map); without it
        // the first minutes after a bulk load are not representative.
        Backend::Postgres => {
            db.pool().acquire().await?.execute("VACUUM ANALYZE").await?;
        }
        // InnoDB samples statistics on its own after a bulk change; this makes it immediate.
        Backend::Mysql => {
            for table in [
                "mgr_customer",
                "mgr_medicine",
                "mgr_order",
                "mgr_order_medicine",
                "procurement_order",
                "procurement_order_line",
                "procurement_notice",
            ] {
                db.pool()
                    .acquire()
                    .await?
                    .execute(format!("ANALYZE TABLE {table}").as_str())
                    .await?;
            }
        }
        Backend::Sqlite => {}
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
            // MySQL 8 stops a recursive CTE at 1,000 rows by default (and MariaDB has no
            // generator that MySQL shares): cross joins of the ten digits, one per decimal place.
            Backend::Mysql => {
                let digits = "(SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL \
                    SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL \
                    SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)";
                let places = count.max(1).to_string().len();
                let sum: Vec<String> = (0..places)
                    .map(|place| format!("d{place}.d * {}", 10_i64.pow(place as u32)))
                    .collect();
                let from: Vec<String> = (0..places)
                    .map(|place| format!("{digits} AS d{place}"))
                    .collect();
                format!(
                    "(SELECT n FROM (SELECT 1 + {} AS n FROM {}) AS g WHERE n <= {count}) AS s",
                    sum.join(" + "),
                    from.join(" CROSS JOIN ")
                )
            }
        }
    }

    /// Integer division (`/` is a decimal division on MySQL).
    fn div(&self, expr: &str, divisor: i64) -> String {
        match self.0 {
            Backend::Sqlite | Backend::Postgres => format!("{expr} / {divisor}"),
            Backend::Mysql => format!("{expr} DIV {divisor}"),
        }
    }

    /// The type a `CAST` to text names.
    fn text(&self) -> &'static str {
        match self.0 {
            Backend::Sqlite | Backend::Postgres => "TEXT",
            Backend::Mysql => "CHAR",
        }
    }

    /// Decimal text of `expr`, zero-padded to at least `width` digits.
    fn pad(&self, expr: &str, width: usize) -> String {
        match self.0 {
            Backend::Sqlite => format!("printf('%0{width}d', {expr})"),
            Backend::Postgres => format!(
                "lpad(CAST({expr} AS TEXT), greatest({width}, length(CAST({expr} AS TEXT))), '0')"
            ),
            Backend::Mysql => format!(
                "LPAD(CAST({expr} AS CHAR), GREATEST({width}, LENGTH(CAST({expr} AS CHAR))), '0')"
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
            Backend::Mysql => {
                format!("DATE_FORMAT(DATE '2026-01-01' - INTERVAL ({days}) DAY, '%Y-%m-%d')")
            }
        }
    }

    /// After explicit ids were inserted, the identity sequence continues past them (SQLite and
    /// InnoDB's `AUTO_INCREMENT` do so by themselves).
    async fn continue_ids(&self, tx: &mut Tx, table: &str) -> anyhow::Result<()> {
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

async fn seed_mgr(tx: &mut Tx, sql: &Dialect, rows: i64, now: i64) -> anyhow::Result<()> {
    let series = sql.series(rows);
    let phone = sql.pad("n", 8);
    let text = sql.text();
    tx.execute(
        format!(
            "INSERT INTO mgr_customer (id, name, phonenumber, address) \
             SELECT n, 'customer ' || CAST(n AS {text}), '138' || {phone}, \
             'Road ' || CAST(n % 997 AS {text}) || ', district ' || CAST(n % 17 AS {text}) FROM {series}"
        )
        .as_str(),
    )
    .await?;
    tx.execute(
        format!(
            "INSERT INTO mgr_medicine (id, name, \"desc\", sn) \
             SELECT n, 'medicine ' || CAST(n AS {text}), 'for the relief of condition ' || CAST(n % 501 AS {text}), \
             'H' || {phone} FROM {series}"
        )
        .as_str(),
    )
    .await?;
    let date = sql.date_before("n % 365");
    tx.execute(
        format!(
            "INSERT INTO mgr_order (id, name, create_date, created_at, customer_id) \
             SELECT n, 'order ' || CAST(n AS {text}), {date}, {start} + n, (n * 7919) % {rows} + 1 FROM {series}",
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
    tx: &mut Tx,
    sql: &Dialect,
    seeded: &Seeded,
    hash: &str,
    now: i64,
) -> anyhow::Result<()> {
    let rows = seeded.rows;
    let applicants = seeded.applicants;
    let text = sql.text();
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
        tx.query(format!(
            "{user_columns} SELECT '{prefix}' || {id}, '{name}' || CAST(n AS {text}), $1, {department}, \
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
        "SELECT n, n % 10 + 1 AS d, {tenth} + 1 AS c, n % {applicants} + 1 AS u, \
         CASE WHEN n <= {pending} THEN 1 WHEN n % 20 = 0 THEN 0 WHEN n % 50 = 7 THEN -1 \
         WHEN n % 20 = 1 THEN 2 ELSE 3 END AS status FROM {series}",
        pending = seeded.pending,
        series = sql.series(rows),
        tenth = sql.div("n", 10),
    );
    let id = format!(
        "'{year}' || {d} || {c}",
        year = seeded.year,
        d = sql.pad("o.d", 2),
        c = sql.pad("o.c", 2)
    );
    let owner = format!("'139' || {}", sql.pad("o.u", 8));
    let date = sql.date_before("o.n % 365");
    let fund = sql.pad(&format!("({}) % 100", sql.div("o.n", applicants)), 4);
    let created = format!("{} + o.n * 60", now - rows * 60);
    tx.execute(
        format!(
            "INSERT INTO procurement_order (id, department_id, apply_user, fund_code, apply_date, total, \
             status, previous_status, ever_submitted, user_id, withdrawal_reason, version, created_at, updated_at) \
             SELECT {id}, {d}, 'applicant ' || CAST(o.u AS {text}), 'FC' || {fund}, \
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
             SELECT {id} || {k}, {id}, ks.k, 'workstation ' || CAST(ks.k AS {text}), '设备', \
             '16 GB, 512 GB SSD', '台', ks.k, '1200', CAST(1200 * ks.k AS {text}), 'teaching', \
             'applicant ' || CAST(o.u AS {text}) FROM ({order}) AS o \
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
        tx.query(
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
        "mysql" | "mariadb" => Ok(Backend::Mysql),
        other => anyhow::bail!("unknown database `{other}`: use sqlite, postgres or mysql"),
    }
}

/// Checks that a URL is well formed before a long run starts.
pub fn check_url(url: &str, option: &str) -> anyhow::Result<()> {
    sqlx::any::install_default_drivers();
    sqlx::any::AnyConnectOptions::from_str(url)
        .map(|_| ())
        .with_context(|| format!("invalid {option}"))
}
