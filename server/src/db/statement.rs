//! One statement text for every backend: `$N` placeholders, rewritten for MySQL at one place.
//!
//! Store code writes `$1`, `$2`, ... (PostgreSQL's form, which SQLite also binds by number) and
//! binds values in that numeric order, as with `sqlx::query`. MySQL and MariaDB only know `?`,
//! bound by position: [`Statement`] rewrites each `$N` to `?` and binds the values in the order
//! the placeholders occur, repeating a value whose placeholder occurs twice. On the other
//! backends the text is passed through untouched (no copy).

use std::borrow::Cow;

use futures_util::future::BoxFuture;
use sqlx::{
    Any, AnyConnection, Row,
    any::{AnyArguments, AnyQueryResult, AnyRow},
    query::Query,
};

use super::{Backend, Pool, pool};

/// A value bound to a placeholder. Only integers and text cross the `Any` driver alike on
/// every backend (rules in `crate::db`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Int(Option<i64>),
    Text(Option<String>),
}

impl From<i64> for Value {
    fn from(value: i64) -> Self {
        Self::Int(Some(value))
    }
}

impl From<&i64> for Value {
    fn from(value: &i64) -> Self {
        Self::Int(Some(*value))
    }
}

impl From<Option<i64>> for Value {
    fn from(value: Option<i64>) -> Self {
        Self::Int(value)
    }
}

impl From<String> for Value {
    fn from(value: String) -> Self {
        Self::Text(Some(value))
    }
}

impl From<&String> for Value {
    fn from(value: &String) -> Self {
        Self::Text(Some(value.clone()))
    }
}

impl From<&str> for Value {
    fn from(value: &str) -> Self {
        Self::Text(Some(value.to_owned()))
    }
}

impl From<Option<&str>> for Value {
    fn from(value: Option<&str>) -> Self {
        Self::Text(value.map(str::to_owned))
    }
}

impl From<Option<String>> for Value {
    fn from(value: Option<String>) -> Self {
        Self::Text(value)
    }
}

/// A statement and its bound values, ready to run on a pool or a transaction.
#[derive(Clone, Debug)]
#[must_use = "a statement does nothing until it is executed or fetched"]
pub struct Statement<'s> {
    sql: Cow<'s, str>,
    /// For MySQL, the value index of each `?` in order; `None` binds values as given.
    order: Option<Vec<usize>>,
    values: Vec<Value>,
    backend: Backend,
}

impl<'s> Statement<'s> {
    pub fn new(backend: Backend, sql: impl Into<Cow<'s, str>>) -> Self {
        let sql = sql.into();
        match backend {
            Backend::Mysql => {
                let (sql, order) = positional(&sql);
                Self {
                    sql: Cow::Owned(sql),
                    order: Some(order),
                    values: Vec::new(),
                    backend,
                }
            }
            Backend::Sqlite | Backend::Postgres => Self {
                sql,
                order: None,
                values: Vec::new(),
                backend,
            },
        }
    }

    /// The text sent to the database (after the MySQL rewrite, on MySQL).
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// Binds the value of the next placeholder number (`$1` first).
    pub fn bind(mut self, value: impl Into<Value>) -> Self {
        self.values.push(value.into());
        self
    }

    fn query(&self) -> Query<'_, Any, AnyArguments<'_>> {
        fn bind<'q>(
            query: Query<'q, Any, AnyArguments<'q>>,
            value: &Value,
        ) -> Query<'q, Any, AnyArguments<'q>> {
            match value {
                Value::Int(value) => query.bind(*value),
                Value::Text(value) => query.bind(value.clone()),
            }
        }
        let query = sqlx::query(&self.sql);
        match &self.order {
            None => self.values.iter().fold(query, bind),
            Some(order) => order.iter().fold(query, |query, &index| {
                // A placeholder without a bound value is left unbound: the database refuses it.
                match self.values.get(index) {
                    Some(value) => bind(query, value),
                    None => query,
                }
            }),
        }
    }

    pub async fn execute<'c>(self, on: impl Into<On<'c>>) -> Result<AnyQueryResult, sqlx::Error>
    where
        's: 'c,
    {
        self.run(on.into(), execute).await
    }

    pub async fn fetch_all<'c>(self, on: impl Into<On<'c>>) -> Result<Vec<AnyRow>, sqlx::Error>
    where
        's: 'c,
    {
        self.run(on.into(), fetch_all).await
    }

    pub async fn fetch_one<'c>(self, on: impl Into<On<'c>>) -> Result<AnyRow, sqlx::Error>
    where
        's: 'c,
    {
        self.run(on.into(), fetch_optional)
            .await?
            .ok_or(sqlx::Error::RowNotFound)
    }

    pub async fn fetch_optional<'c>(
        self,
        on: impl Into<On<'c>>,
    ) -> Result<Option<AnyRow>, sqlx::Error>
    where
        's: 'c,
    {
        self.run(on.into(), fetch_optional).await
    }

    /// Runs an `INSERT` into a table whose key is an `id` column the database generates, and
    /// answers the new id. PostgreSQL and SQLite return it with `RETURNING id`; MySQL 8 has no
    /// `RETURNING` (MariaDB has it for `INSERT` only), so there the id is the `last_insert_id`
    /// that the server sends in the statement's own OK packet: no second statement, no
    /// `SELECT LAST_INSERT_ID()` that could run on another pooled connection.
    pub async fn insert_returning_id<'c>(
        mut self,
        on: impl Into<On<'c>>,
    ) -> Result<i64, sqlx::Error>
    where
        's: 'c,
    {
        match self.backend {
            Backend::Mysql => {
                let done = self.execute(on).await?;
                done.last_insert_id().ok_or_else(|| {
                    sqlx::Error::Protocol("MySQL reported no generated id for an INSERT".into())
                })
            }
            Backend::Sqlite | Backend::Postgres => {
                self.sql.to_mut().push_str(" RETURNING id");
                self.fetch_one(on).await?.try_get(0)
            }
        }
    }

    /// A read changes nothing, so running it again after its connection was found closed is
    /// safe; a write is never repeated (it may have been applied before the connection died).
    fn is_read(&self) -> bool {
        let head = self.sql.trim_start();
        ["SELECT", "WITH"].iter().any(|keyword| {
            head.get(..keyword.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(keyword))
        })
    }

    async fn run<T>(&self, on: On<'_>, fetch: Fetch<T>) -> Result<T, sqlx::Error> {
        match on {
            On::Conn(conn) => self.run_on(conn, fetch).await,
            On::Pool(pool) => {
                let mut conn = pool.acquire().await?;
                match self.run_on(&mut conn, fetch).await {
                    Err(error) if pool::connection_lost(&error) => {
                        pool.discard(conn, &error);
                        if !self.is_read() {
                            return Err(error);
                        }
                        // The pool now pings the connections that may have died with this one.
                        let mut conn = pool.acquire().await?;
                        let result = self.run_on(&mut conn, fetch).await;
                        if let Err(error) = &result
                            && pool::connection_lost(error)
                        {
                            pool.discard(conn, error);
                        }
                        result
                    }
                    other => other,
                }
            }
        }
    }

    async fn run_on<T>(&self, conn: &mut AnyConnection, fetch: Fetch<T>) -> Result<T, sqlx::Error> {
        fetch(self.query(), conn).await
    }
}

/// Where a statement runs: on a connection of the pool for this statement alone, or on a
/// connection (or transaction) the caller holds.
#[derive(Debug)]
pub enum On<'c> {
    Pool(&'c Pool),
    Conn(&'c mut AnyConnection),
}

impl<'c> From<&'c Pool> for On<'c> {
    fn from(pool: &'c Pool) -> Self {
        Self::Pool(pool)
    }
}

impl<'c> From<&'c mut AnyConnection> for On<'c> {
    fn from(conn: &'c mut AnyConnection) -> Self {
        Self::Conn(conn)
    }
}

/// One of sqlx's ways to run a query on a connection (a plain function, so that the futures
/// of every store call stay `Send` without help).
type Fetch<T> = for<'a> fn(
    Query<'a, Any, AnyArguments<'a>>,
    &'a mut AnyConnection,
) -> BoxFuture<'a, Result<T, sqlx::Error>>;

fn execute<'a>(
    query: Query<'a, Any, AnyArguments<'a>>,
    conn: &'a mut AnyConnection,
) -> BoxFuture<'a, Result<AnyQueryResult, sqlx::Error>> {
    Box::pin(query.execute(conn))
}

fn fetch_all<'a>(
    query: Query<'a, Any, AnyArguments<'a>>,
    conn: &'a mut AnyConnection,
) -> BoxFuture<'a, Result<Vec<AnyRow>, sqlx::Error>> {
    Box::pin(query.fetch_all(conn))
}

fn fetch_optional<'a>(
    query: Query<'a, Any, AnyArguments<'a>>,
    conn: &'a mut AnyConnection,
) -> BoxFuture<'a, Result<Option<AnyRow>, sqlx::Error>> {
    Box::pin(query.fetch_optional(conn))
}

/// Rewrites `$N` placeholders to `?`, answering the value index (N - 1) of each in order.
/// Text in single quotes, double quotes or backticks is copied as it is.
fn positional(sql: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(sql.len());
    let mut order = Vec::new();
    let mut chars = sql.char_indices().peekable();
    let mut quote: Option<char> = None;
    while let Some((_, c)) = chars.next() {
        if let Some(open) = quote {
            out.push(c);
            if c == open {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' | '`' => {
                quote = Some(c);
                out.push(c);
            }
            '$' if chars.peek().is_some_and(|(_, next)| next.is_ascii_digit()) => {
                let mut number = 0usize;
                while let Some(&(_, digit)) = chars.peek() {
                    let Some(value) = digit.to_digit(10) else {
                        break;
                    };
                    number = number.saturating_mul(10).saturating_add(value as usize);
                    chars.next();
                }
                out.push('?');
                order.push(number.saturating_sub(1));
            }
            _ => out.push(c),
        }
    }
    (out, order)
}

/// Text columns read the same on every backend. Through the `Any` driver MySQL's `TEXT` and
/// `LONGTEXT` columns arrive as blobs (they are `BLOB` types with a character set on the
/// wire), so a string is read as text, or else as UTF-8 bytes.
pub trait RowExt {
    fn text(&self, column: &str) -> Result<String, sqlx::Error>;
    fn opt_text(&self, column: &str) -> Result<Option<String>, sqlx::Error>;
}

impl RowExt for AnyRow {
    fn text(&self, column: &str) -> Result<String, sqlx::Error> {
        self.opt_text(column)?
            .ok_or_else(|| sqlx::Error::ColumnDecode {
                index: column.to_owned(),
                source: "unexpected NULL".into(),
            })
    }

    fn opt_text(&self, column: &str) -> Result<Option<String>, sqlx::Error> {
        match self.try_get::<Option<String>, _>(column) {
            Err(sqlx::Error::ColumnDecode { .. }) => {
                let bytes: Option<Vec<u8>> = self.try_get(column)?;
                bytes
                    .map(|bytes| {
                        String::from_utf8(bytes).map_err(|error| sqlx::Error::ColumnDecode {
                            index: column.to_owned(),
                            source: Box::new(error),
                        })
                    })
                    .transpose()
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::positional;

    #[test]
    fn placeholders_become_positional_in_order_of_occurrence() {
        let (sql, order) = positional("UPDATE t SET a = $2, b = $1 WHERE c = $2 AND d = $10");
        assert_eq!(sql, "UPDATE t SET a = ?, b = ? WHERE c = ? AND d = ?");
        assert_eq!(order, [1, 0, 1, 9]);
    }

    #[test]
    fn quoted_text_is_left_alone() {
        let (sql, order) = positional("SELECT '$1', \"$2\", `$3` FROM t WHERE x = $1");
        assert_eq!(sql, "SELECT '$1', \"$2\", `$3` FROM t WHERE x = ?");
        assert_eq!(order, [0]);
    }
}
