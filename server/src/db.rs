//! The database: one pool for SQLite, PostgreSQL or MySQL/MariaDB, migrations, and small helpers.
//!
//! # One set of queries for every backend
//!
//! Connections are [`sqlx::AnyConnection`]s, in our own [`Pool`] (`pool.rs` says why), so store
//! code is written once. These rules keep that SQL
//! portable, and every query is exercised by the integration suite on all three backends:
//! - placeholders are `$1`, `$2`, ...: PostgreSQL's native form, which SQLite also accepts (and
//!   sqlx's SQLite driver binds by number); statements go through [`Statement`]
//!   ([`Db::query`], [`Tx::query`]), which rewrites them to MySQL's positional `?` and binds the
//!   values in the order the placeholders occur;
//! - only `i64` and `String` (and their `Option`s) reach the driver: integer columns are
//!   `BIGINT`, flags are 0/1 integers, and times are unix seconds or ISO text, because the `Any`
//!   driver has no chrono or bool mapping that behaves alike everywhere; strings are read with
//!   [`RowExt::text`], since MySQL's `TEXT` columns reach the `Any` driver as blobs. Stores
//!   bind and read domain types (flags as `bool`, statuses, amounts): `columns` converts each
//!   to and from its column form, once per type ([`ColumnExt::decode`], `From<T> for Value`);
//! - dynamic SQL (optional filters, `IN` lists) is assembled by [`QueryBuilder`], which numbers
//!   the `$N` of each value as it is bound, never by formatting values into the text;
//! - new ids come back with [`Statement::insert_returning_id`]: `RETURNING id` on SQLite 3.35+
//!   and PostgreSQL, the OK packet's `last_insert_id` on MySQL (which has no `RETURNING`);
//! - the few constructs without a common spelling (upserts, `CAST` to a 64-bit integer,
//!   substring search) are chosen per backend by small functions here or in the store.
//!
//! Migrations live in `migrations/{sqlite,postgres,mysql}` (see their README) and are applied
//! at start for the detected backend. This module knows nothing about HTTP.

mod builder;
mod columns;
mod pool;
mod statement;

pub use builder::{QueryBuilder, Separated};
pub use columns::{ColumnExt, FromColumn};
pub use pool::{Conn, Pool};
pub use statement::{On, RowExt, Statement, Value};

use std::{
    borrow::Cow,
    ops::{Deref, DerefMut},
    str::FromStr,
    time::Duration,
};

use futures_util::future::BoxFuture;
use sqlx::{
    Any, AnyConnection, Database, Executor, Row, TransactionManager, any::AnyConnectOptions,
    migrate::Migrator,
};

/// sqlx's transaction statements for the `Any` driver (it keeps each driver's own count of
/// open transactions right).
type AnyTransactionManager = <Any as Database>::TransactionManager;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");
static MYSQL_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/mysql");

/// Which database engine a URL points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
    /// MySQL 8 or MariaDB 10.5+ (`mysql://` or `mariadb://`), InnoDB tables.
    Mysql,
}

impl Backend {
    /// Detects the backend from the URL scheme.
    pub fn from_url(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Self::Postgres)
        } else if url.starts_with("mysql:") || url.starts_with("mariadb:") {
            Ok(Self::Mysql)
        } else {
            anyhow::bail!(
                "unsupported database URL `{}`: use sqlite://FILE?mode=rwc, postgres://... or \
                 mysql://...",
                crate::config::redact_url(url)
            )
        }
    }
}

/// A connection pool plus the backend it talks to.
#[derive(Clone, Debug)]
pub struct Db {
    pool: Pool,
    backend: Backend,
}

impl Db {
    /// Connects (creating a SQLite file when the URL says `mode=rwc`) without migrating.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        // sqlx's `Any` driver knows MySQL and MariaDB by the `mysql` scheme only.
        let url: Cow<'_, str> = match url.strip_prefix("mariadb:") {
            Some(rest) => format!("mysql:{rest}").into(),
            None => url.into(),
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = Pool::new(
            options,
            backend,
            match backend {
                // SQLite allows one writer at a time; a few connections serve readers in WAL mode.
                Backend::Sqlite => 8,
                Backend::Postgres | Backend::Mysql => 10,
            },
            Duration::from_secs(10),
            session_settings,
        )?;
        // Open one connection now, so that a wrong URL or a database that is down fails at
        // start rather than on the first request.
        drop(pool.acquire().await?);
        Ok(Self { pool, backend })
    }

    /// Connects and applies every pending migration for the backend.
    pub async fn connect_and_migrate(url: &str) -> anyhow::Result<Self> {
        let db = Self::connect(url).await?;
        db.migrate().await?;
        Ok(db)
    }

    /// Applies pending migrations (forward-only; see `migrations/README.md`).
    pub async fn migrate(&self) -> anyhow::Result<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
            Backend::Mysql => &MYSQL_MIGRATIONS,
        };
        let mut conn = self.pool.acquire().await?;
        migrator.run_direct(&mut *conn).await?;
        if self.backend == Backend::Mysql {
            check_mysql_durability(&mut conn).await?;
        }
        Ok(())
    }

    /// Starts a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`, waiting up to `busy_timeout`): a deferred transaction that reads
    /// first and writes later fails with `SQLITE_BUSY` when another writer commits in between,
    /// which simultaneous requests make common. PostgreSQL and MySQL need nothing special.
    ///
    /// A connection the database closed while it sat idle fails at `BEGIN`, before anything
    /// was written, so that case alone is tried once more on another connection.
    pub async fn begin_write(&self) -> Result<Tx, sqlx::Error> {
        let begin = match self.backend {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres | Backend::Mysql => "BEGIN",
        };
        let mut retried = false;
        loop {
            let mut conn = self.pool.acquire().await?;
            match AnyTransactionManager::begin(&mut conn, Some(begin.into())).await {
                Ok(()) => {
                    return Ok(Tx {
                        conn: Some(conn),
                        pool: self.pool.clone(),
                        backend: self.backend,
                    });
                }
                Err(error) if !retried && pool::connection_lost(&error) => {
                    self.pool.discard(conn, &error);
                    retried = true;
                }
                Err(error) => {
                    // A refused BEGIN (SQLite's busy timeout) leaves a healthy connection,
                    // which goes back to the pool; only a closed one is dropped.
                    if pool::connection_lost(&error) {
                        self.pool.discard(conn, &error);
                    }
                    return Err(error);
                }
            }
        }
    }

    /// A statement in this backend's dialect (see [`Statement`]), to run on [`Db::pool`].
    pub fn query<'s>(&self, sql: impl Into<Cow<'s, str>>) -> Statement<'s> {
        Statement::new(self.backend, sql)
    }

    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes the idle connections and refuses new checkouts.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Session settings of every new connection.
fn session_settings(
    conn: &mut AnyConnection,
    backend: Backend,
) -> BoxFuture<'_, Result<(), sqlx::Error>> {
    Box::pin(async move {
        match backend {
            // synchronous=FULL: a committed order survives a power cut (NORMAL in WAL mode may
            // lose the last transactions). busy_timeout lets writers queue.
            Backend::Sqlite => {
                conn.execute(
                    "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;",
                )
                .await?;
            }
            // ANSI_QUOTES: `"desc"` quotes an identifier, as in standard SQL (sqlx already adds
            // PIPES_AS_CONCAT). Strict mode: a value that does not fit is an error, never
            // silently cut. READ COMMITTED: the isolation the stores are written for on
            // PostgreSQL (every state change is a conditional UPDATE), and InnoDB then takes no
            // gap locks, so inserts do not deadlock on each other's ranges.
            Backend::Mysql => {
                conn.execute(
                    "SET SESSION sql_mode = CONCAT(@@sql_mode, \
                     ',ANSI_QUOTES,STRICT_TRANS_TABLES'); \
                     SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED;",
                )
                .await?;
            }
            Backend::Postgres => {}
        }
        Ok(())
    })
}

/// An acknowledged write must survive a crash: InnoDB has to flush its log at every commit
/// (`innodb_flush_log_at_trx_commit = 1`, the default). A server set to a relaxed value is a
/// configuration this server cannot fix per session, so it says so loudly at start.
async fn check_mysql_durability(conn: &mut AnyConnection) -> anyhow::Result<()> {
    let row = sqlx::query("SELECT CAST(@@innodb_flush_log_at_trx_commit AS SIGNED) AS flush")
        .fetch_one(conn)
        .await?;
    let flush: i64 = row.try_get("flush")?;
    if flush != 1 {
        tracing::warn!(
            innodb_flush_log_at_trx_commit = flush,
            "MySQL does not flush its log at every commit: acknowledged writes may be lost \
             in a crash; set innodb_flush_log_at_trx_commit = 1"
        );
    }
    Ok(())
}

/// A transaction on a connection of its own, which knows its backend, so statements inside it
/// are written like any other. It dereferences to the connection (`&mut *tx` is an executor).
///
/// Dropped uncommitted (an error, or the request's future dropped because the client went
/// away), it is rolled back on a task of its own before its connection returns to the pool:
/// an open transaction must not keep its locks (on SQLite, the database's one write lock) on
/// an idle connection until someone happens to use it again.
#[derive(Debug)]
pub struct Tx {
    conn: Option<Conn>,
    pool: Pool,
    backend: Backend,
}

impl Tx {
    /// A statement in this backend's dialect, to run on `&mut *tx`.
    pub fn query<'s>(&self, sql: impl Into<Cow<'s, str>>) -> Statement<'s> {
        Statement::new(self.backend, sql)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        let Some(mut conn) = self.conn.take() else {
            return Err(sqlx::Error::PoolClosed);
        };
        match AnyTransactionManager::commit(&mut conn).await {
            Ok(()) => Ok(()),
            Err(error) => {
                // Whether the commit happened is unknown; the connection is not reused.
                self.pool.discard(conn, &error);
                Err(error)
            }
        }
    }
}

impl Drop for Tx {
    fn drop(&mut self) {
        let Some(mut conn) = self.conn.take() else {
            return;
        };
        let pool = self.pool.clone();
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    if let Err(error) = AnyTransactionManager::rollback(&mut conn).await {
                        pool.discard(conn, &error);
                    }
                });
            }
            // No runtime (shutting down): closing the connection ends the transaction.
            Err(_) => pool.discard(conn, &sqlx::Error::PoolClosed),
        }
    }
}

impl Deref for Tx {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        self.conn
            .as_deref()
            .expect("a live transaction has its connection")
    }
}

impl DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        self.conn
            .as_deref_mut()
            .expect("a live transaction has its connection")
    }
}

/// `INSERT ... <this>`: on a conflict over `key`, sets each of `columns` to the value the
/// insert would have written (`excluded.c` on SQLite and PostgreSQL, `VALUES(c)` on MySQL,
/// whose `ON DUPLICATE KEY` reacts to any unique key: callers use it on tables with one).
pub fn on_conflict_update(backend: Backend, key: &str, columns: &[&str]) -> String {
    match backend {
        Backend::Sqlite | Backend::Postgres => {
            let sets: Vec<String> = columns
                .iter()
                .map(|c| format!("{c} = excluded.{c}"))
                .collect();
            format!("ON CONFLICT ({key}) DO UPDATE SET {}", sets.join(", "))
        }
        Backend::Mysql => {
            let sets: Vec<String> = columns
                .iter()
                .map(|c| format!("{c} = VALUES({c})"))
                .collect();
            format!("ON DUPLICATE KEY UPDATE {}", sets.join(", "))
        }
    }
}

/// The type a `CAST` to a 64-bit integer names (`BIGINT`, or `SIGNED` on MySQL).
pub fn bigint_cast_type(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite | Backend::Postgres => "BIGINT",
        Backend::Mysql => "SIGNED",
    }
}

/// Current time as unix seconds, the representation of instants in the database.
pub fn now_unix() -> i64 {
    chrono::Utc::now().timestamp()
}

/// What a failed write means, when it means something a caller can act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Violation {
    /// A unique constraint (the name is the constraint's, when the driver reports it).
    Unique,
    /// A foreign key: the row is referenced, or references a missing row.
    ForeignKey,
}

/// Classifies a constraint violation, so stores can turn it into a domain error.
pub fn violation(error: &sqlx::Error) -> Option<Violation> {
    let sqlx::Error::Database(db_error) = error else {
        return None;
    };
    match db_error.kind() {
        sqlx::error::ErrorKind::UniqueViolation => return Some(Violation::Unique),
        sqlx::error::ErrorKind::ForeignKeyViolation => return Some(Violation::ForeignKey),
        _ => {}
    }
    // Through the `Any` driver the kind is not always classified (SQLite); fall back on the
    // codes: SQLSTATE for PostgreSQL, extended result codes for SQLite (MySQL's errors are
    // always classified by sqlx, from the server's error number).
    match db_error.code().as_deref() {
        Some("23505" | "2067" | "1555") => Some(Violation::Unique),
        Some("23503" | "787") => Some(Violation::ForeignKey),
        _ => None,
    }
}
