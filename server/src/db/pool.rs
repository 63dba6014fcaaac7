//! The connection pool: [deadpool] over sqlx connections, so that a connection goes back to
//! the pool without a round trip.
//!
//! `sqlx::Pool` pings every connection when it is returned (sqlx-core 0.8.6,
//! `pool/connection.rs`, unconditionally, to flush a rollback a dropped transaction may have
//! queued) and, when `test_before_acquire` is on, again before it is handed out. A cheap read
//! was therefore two or three round trips for one statement. This pool keeps the two guarantees
//! those pings gave, at a cost only where they are needed:
//!
//! - **No transaction is left open on an idle connection.** [`super::Tx`] rolls back a
//!   transaction dropped uncommitted on a task of its own before the connection returns
//!   (the only way a pooled connection can come back dirty: every other statement either
//!   completed or its future was dropped mid-flight, and sqlx's drivers drain a half-read
//!   answer before the next statement).
//! - **A connection the database closed is not used.** A connection idle for
//!   [`VALIDATE_IDLE_AFTER`] or more is pinged before it is handed out (a restart, a failover,
//!   an idle timeout or an administrator's kill happen to idle connections; under load no
//!   connection is idle that long, so no ping is sent). When a statement finds its connection
//!   gone anyway (killed a moment ago), that connection is discarded, every connection
//!   checked out before that moment is pinged before its next use, and a read is run once more
//!   on a good connection ([`super::Statement`]); a write is not repeated, because whether it
//!   reached the database cannot be known.
//!
//! SQLite connections are local files and cannot go stale: they are never pinged.
//!
//! [deadpool]: https://docs.rs/deadpool

use std::{
    sync::Mutex,
    time::{Duration, Instant},
};

use deadpool::managed::{self, Metrics, Object, PoolError, RecycleResult, Timeouts};
use futures_util::future::BoxFuture;
use sqlx::{AnyConnection, Connection, any::AnyConnectOptions};

use super::Backend;

/// A connection unused for this long is pinged before it is handed out again.
pub const VALIDATE_IDLE_AFTER: Duration = Duration::from_secs(1);

/// Runs once on every new connection (session settings).
pub type AfterConnect = fn(&mut AnyConnection, Backend) -> BoxFuture<'_, Result<(), sqlx::Error>>;

/// Opens connections and decides whether an idle one needs a ping before reuse.
pub struct Connector {
    options: AnyConnectOptions,
    backend: Backend,
    after_connect: AfterConnect,
    /// When a statement last found its connection closed by the database.
    lost_at: Mutex<Option<Instant>>,
}

impl std::fmt::Debug for Connector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connector")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

impl Connector {
    fn needs_ping(&self, metrics: &Metrics) -> bool {
        if self.backend == Backend::Sqlite {
            return false;
        }
        if metrics.last_used() >= VALIDATE_IDLE_AFTER {
            return true;
        }
        // Last handed out before a connection was found lost: it may have been killed with it.
        let last_handed_out = metrics.recycled.unwrap_or(metrics.created);
        let lost_at = *self.lost_at.lock().unwrap_or_else(|e| e.into_inner());
        lost_at.is_some_and(|lost_at| last_handed_out <= lost_at)
    }
}

impl managed::Manager for Connector {
    type Type = AnyConnection;
    type Error = sqlx::Error;

    async fn create(&self) -> Result<AnyConnection, sqlx::Error> {
        let mut conn = AnyConnection::connect_with(&self.options).await?;
        (self.after_connect)(&mut conn, self.backend).await?;
        Ok(conn)
    }

    async fn recycle(
        &self,
        conn: &mut AnyConnection,
        metrics: &Metrics,
    ) -> RecycleResult<sqlx::Error> {
        if self.needs_ping(metrics) {
            // An error drops this connection; deadpool then tries the next one or opens one.
            conn.ping().await?;
        }
        Ok(())
    }
}

/// A checked-out connection: dereferences to [`AnyConnection`] and goes back to the pool when
/// dropped.
pub type Conn = Object<Connector>;

/// The pool. Cloning it is cheap and shares the connections.
#[derive(Clone, Debug)]
pub struct Pool {
    inner: managed::Pool<Connector>,
}

impl Pool {
    pub fn new(
        options: AnyConnectOptions,
        backend: Backend,
        max_size: usize,
        acquire_timeout: Duration,
        after_connect: AfterConnect,
    ) -> anyhow::Result<Self> {
        let connector = Connector {
            options,
            backend,
            after_connect,
            lost_at: Mutex::new(None),
        };
        let inner = managed::Pool::builder(connector)
            .max_size(max_size)
            .timeouts(Timeouts {
                wait: Some(acquire_timeout),
                create: Some(acquire_timeout),
                recycle: Some(acquire_timeout),
            })
            .runtime(deadpool::Runtime::Tokio1)
            .build()?;
        Ok(Self { inner })
    }

    /// A connection: an idle one (pinged first when [`Connector`] says so), or a new one.
    pub async fn acquire(&self) -> Result<Conn, sqlx::Error> {
        self.inner.get().await.map_err(|error| match error {
            PoolError::Backend(error) => error,
            PoolError::Timeout(_) => sqlx::Error::PoolTimedOut,
            PoolError::Closed => sqlx::Error::PoolClosed,
            PoolError::NoRuntimeSpecified | PoolError::PostCreateHook(_) => {
                sqlx::Error::Configuration(error.to_string().into())
            }
        })
    }

    /// Drops a connection that failed, instead of returning it. When the database closed it,
    /// the connections handed out before now are pinged before their next use.
    pub fn discard(&self, conn: Conn, error: &sqlx::Error) {
        if connection_lost(error) {
            let mut lost_at = self
                .inner
                .manager()
                .lost_at
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            *lost_at = Some(Instant::now());
        }
        drop(Object::take(conn));
    }

    /// Closes idle connections gracefully and refuses new checkouts; connections in use are
    /// closed when they come back.
    pub async fn close(&self) {
        let idle = self.inner.retain(|_, _| false).removed;
        self.inner.close();
        for conn in idle {
            if let Err(error) = conn.close().await {
                tracing::debug!(%error, "closing a pooled connection");
            }
        }
    }

    /// Connections open (idle or in use), for tests and diagnostics.
    pub fn size(&self) -> usize {
        self.inner.status().size
    }
}

/// Whether an error means the connection itself is gone (so the statement cannot have run on
/// it after that point), rather than that the statement failed.
pub fn connection_lost(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_) => true,
        // PostgreSQL's class 57P (admin shutdown, crash shutdown, cannot connect now): the
        // backend ended the session. MariaDB's 1927 (ER_CONNECTION_KILLED) and MySQL's 4031
        // (disconnected by the server for inactivity) likewise.
        sqlx::Error::Database(error) => {
            let mysql_number = error
                .try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>()
                .map(sqlx::mysql::MySqlDatabaseError::number);
            matches!(error.code().as_deref(), Some("57P01" | "57P02" | "57P03"))
                || matches!(mysql_number, Some(1927 | 4031))
        }
        sqlx::Error::Protocol(message) => {
            // sqlx reports a socket closed mid-answer as a protocol error on some paths.
            message.contains("closed") || message.contains("unexpected end")
        }
        _ => false,
    }
}
