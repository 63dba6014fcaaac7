//! The database: one pool for SQLite or PostgreSQL, migrations, and small helpers.
//!
//! # One set of queries for every backend
//!
//! The pool is an [`sqlx::AnyPool`], so store code is written once. Three rules keep that SQL
//! portable, and every query is exercised by the integration suite on both backends:
//! - placeholders are `$1`, `$2`, ...: PostgreSQL's native form, which SQLite also accepts (and
//!   sqlx's SQLite driver binds by number), so no rewriting is needed;
//! - only `i64` and `String` (and their `Option`s) cross the boundary: integer columns are
//!   `BIGINT` on PostgreSQL, flags are 0/1 integers, and times are unix seconds or ISO text,
//!   because the `Any` driver has no chrono or bool mapping that behaves alike on both;
//! - new rows come back with `INSERT ... RETURNING id` (SQLite 3.35+ and PostgreSQL).
//!
//! Migrations live in `migrations/sqlite` and `migrations/postgres` (see their README) and are
//! applied at start for the detected backend. This module knows nothing about HTTP.

use std::{str::FromStr, time::Duration};

use sqlx::{
    AnyPool, Executor,
    any::{AnyConnectOptions, AnyPoolOptions},
    migrate::Migrator,
};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database engine a URL points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Detects the backend from the URL scheme.
    pub fn from_url(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Self::Postgres)
        } else {
            anyhow::bail!(
                "unsupported database URL `{}`: use sqlite://FILE?mode=rwc or postgres://...",
                crate::config::redact_url(url)
            )
        }
    }
}

/// A connection pool plus the backend it talks to.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

impl Db {
    /// Connects (creating a SQLite file when the URL says `mode=rwc`) without migrating.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let options = AnyConnectOptions::from_str(url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                // SQLite allows one writer at a time; a few connections serve readers in WAL mode.
                Backend::Sqlite => 8,
                Backend::Postgres => 10,
            })
            .acquire_timeout(Duration::from_secs(10))
            // A pooled SQLite connection cannot go stale (no network, no server restart), so the
            // ping sqlx sends before every hand-out would only cost a round trip to the
            // connection's thread; PostgreSQL keeps it, to replace connections the server dropped.
            .test_before_acquire(backend == Backend::Postgres)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // synchronous=FULL: a committed order survives a power cut (NORMAL in WAL
                        // mode may lose the last transactions). busy_timeout lets writers queue.
                        conn.execute(
                            "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; \
                             PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
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
        };
        migrator.run(&self.pool).await?;
        Ok(())
    }

    /// Starts a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`, waiting up to `busy_timeout`): a deferred transaction that reads
    /// first and writes later fails with `SQLITE_BUSY` when another writer commits in between,
    /// which simultaneous requests make common. PostgreSQL needs nothing special.
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes every connection (waits for checked-out ones to come back).
    pub async fn close(&self) {
        self.pool.close().await;
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
    // codes: SQLSTATE for PostgreSQL, extended result codes for SQLite.
    match db_error.code().as_deref() {
        Some("23505" | "2067" | "1555") => Some(Violation::Unique),
        Some("23503" | "787") => Some(Violation::ForeignKey),
        _ => None,
    }
}
