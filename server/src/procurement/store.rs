//! procurement persistence: small named queries that return domain-level records, one module
//! per aggregate.
//!
//! Knows SQL, not HTTP. Queries are portable between SQLite, PostgreSQL and MySQL (rules in
//! `crate::db`); the backend-specific texts are the upserts (`crate::db::on_conflict_update`),
//! the substring function of searches, and the order counter's read-back on MySQL.
//! Multi-row writes (an order with its lines and notices, a workflow step with its notice) are
//! one transaction each, and every state change is a conditional `UPDATE` (status and version
//! in the `WHERE` clause), so concurrent requests cannot both win.
//!
//! The modules: [`settings`] (the JWT secret), [`departments`], [`users`] (users, the login
//! lockout, the one live token per user), [`orders`] (lines, creation, edits, transitions,
//! searches), [`notices`] and [`signatures`]. Their public items are re-exported here, so
//! handlers name `store::create_order` whatever module holds it.

mod departments;
mod notices;
mod orders;
mod settings;
mod signatures;
mod users;

pub use departments::{Department, department_by_name, departments};
pub use notices::{Notice, get_notice, list_notices, mark_read};
pub use orders::{
    Line, Order, OrderFilter, Recipient, Sort, Transition, create_order, get_order, search_orders,
    transition, update_order,
};
pub use settings::jwt_secret;
pub use signatures::{get_signature, put_signature};
pub use users::{
    NewUser, User, create_user, delete_token, find_user, import_users, list_users,
    record_failed_login, replace_token, reset_failed_logins, set_password, set_token, update_user,
    user_with_live_token, user_with_live_token_and_unread,
};

/// What a store call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no such order")]
    OrderNotFound,
    #[error("stale version")]
    Stale,
    #[error("transition not allowed")]
    BadTransition,
    #[error("unknown department")]
    UnknownDepartment,
    #[error("unknown role")]
    UnknownRole,
    #[error("user exists")]
    UserExists,
    #[error("unknown user")]
    UnknownUser,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;
