//! Dynamic SQL without string formatting of values: a builder that numbers `$N` as it binds.
//!
//! Searches whose `WHERE` clause depends on which filters a request sets, and `IN (...)` lists
//! of a page's ids, are assembled from fixed SQL pieces and bound values. The builder writes
//! the `$N` of each value as it is pushed, so the text it produces is the portable dialect of
//! [`Statement`] (which rewrites `$N` to `?` on MySQL, in one place). sqlx's own
//! `QueryBuilder<Any>` cannot serve here: it writes `?`, which PostgreSQL refuses.
//!
//! Only SQL text the program wrote is ever pushed with [`QueryBuilder::push`]; every value a
//! request carries goes through [`QueryBuilder::push_bind`].

use std::fmt::Write as _;

use super::{Backend, Statement, Value};

/// A statement assembled piece by piece; [`QueryBuilder::build`] makes it a [`Statement`].
#[derive(Clone, Debug)]
#[must_use = "a builder does nothing until it is built and run"]
pub struct QueryBuilder {
    backend: Backend,
    sql: String,
    values: Vec<Value>,
}

impl QueryBuilder {
    /// A builder in `backend`'s dialect, starting with `sql` (which binds nothing).
    pub fn new(backend: Backend, sql: &str) -> Self {
        Self {
            backend,
            sql: sql.to_owned(),
            values: Vec::new(),
        }
    }

    /// Appends SQL text written by the program (never a value from a request).
    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Appends the placeholder of a new value: `$1` for the first value bound, and so on.
    pub fn push_bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.values.push(value.into());
        // Writing to a `String` cannot fail.
        let _ = write!(self.sql, "${}", self.values.len());
        self
    }

    /// A list whose items are written with `separator` between them (`IN (...)`, `AND`-joined
    /// conditions); the items are pushed through the returned value.
    pub fn separated(&mut self, separator: &'static str) -> Separated<'_> {
        Separated {
            builder: self,
            separator,
            first: true,
        }
    }

    /// The SQL so far (for tests and logs; values are not in it).
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// The statement, with its values bound in placeholder order.
    pub fn build(self) -> Statement<'static> {
        self.values
            .into_iter()
            .fold(Statement::new(self.backend, self.sql), Statement::bind)
    }
}

/// Items of a list pushed into a [`QueryBuilder`], with a separator before every item but the
/// first.
#[derive(Debug)]
pub struct Separated<'b> {
    builder: &'b mut QueryBuilder,
    separator: &'static str,
    first: bool,
}

impl Separated<'_> {
    fn separate(&mut self) {
        if !std::mem::take(&mut self.first) {
            self.builder.push(self.separator);
        }
    }

    /// Starts a new item with SQL text.
    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.separate();
        self.builder.push(sql);
        self
    }

    /// Continues the current item with SQL text (no separator).
    pub fn push_unseparated(&mut self, sql: &str) -> &mut Self {
        self.builder.push(sql);
        self
    }

    /// Starts a new item that is a bound value.
    pub fn push_bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.separate();
        self.builder.push_bind(value);
        self
    }

    /// Continues the current item with a bound value (no separator).
    pub fn push_bind_unseparated(&mut self, value: impl Into<Value>) -> &mut Self {
        self.builder.push_bind(value);
        self
    }

    /// Whether no item was pushed yet.
    pub fn is_empty(&self) -> bool {
        self.first
    }
}

#[cfg(test)]
mod tests {
    use super::{Backend, QueryBuilder, Value};

    #[test]
    fn placeholders_are_numbered_in_the_order_values_are_pushed() {
        let mut query = QueryBuilder::new(Backend::Postgres, "SELECT * FROM t WHERE ");
        query
            .push("a = ")
            .push_bind(1_i64)
            .push(" AND b = ")
            .push_bind("x");
        assert_eq!(query.sql(), "SELECT * FROM t WHERE a = $1 AND b = $2");
        assert_eq!(query.values, [Value::from(1_i64), Value::from("x")]);
    }

    #[test]
    fn separated_items_get_the_separator_between_them_only() {
        let mut query = QueryBuilder::new(Backend::Sqlite, "SELECT * FROM t WHERE id IN (");
        let mut list = query.separated(", ");
        assert!(list.is_empty());
        for id in ["a", "b", "c"] {
            list.push_bind(id);
        }
        assert!(!list.is_empty());
        query.push(")");
        assert_eq!(query.sql(), "SELECT * FROM t WHERE id IN ($1, $2, $3)");
    }

    #[test]
    fn items_continue_without_a_separator() {
        let mut query = QueryBuilder::new(Backend::Postgres, "");
        let mut conditions = query.separated(" AND ");
        conditions.push("a = ").push_bind_unseparated(1_i64);
        conditions
            .push("strpos(b, ")
            .push_bind_unseparated("x")
            .push_unseparated(") > 0");
        conditions.push("c <> -1");
        assert_eq!(query.sql(), "a = $1 AND strpos(b, $2) > 0 AND c <> -1");
    }

    #[test]
    fn an_empty_list_writes_nothing() {
        let mut query = QueryBuilder::new(Backend::Postgres, "x");
        query.separated(", ");
        assert_eq!(query.sql(), "x");
    }

    #[test]
    fn built_statements_keep_the_mysql_translation() {
        let mut query = QueryBuilder::new(Backend::Mysql, "SELECT ");
        query.push_bind(1_i64).push(", ").push_bind(2_i64);
        let statement = query.build();
        assert_eq!(statement.sql(), "SELECT ?, ?");
    }
}
