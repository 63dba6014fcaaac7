//! Users, the login lockout, and tokens (one live JWT id per user).

use sqlx::{Row, any::AnyRow};

use super::{
    StoreError, StoreResult,
    departments::{department_by_name, departments},
};
use crate::{
    db::{
        Backend, ColumnExt, Db, QueryBuilder, RowExt, Tx, Violation, on_conflict_update, violation,
    },
    procurement::domain::{ImportRow, ImportVerdict, Role},
};

/// A user with everything login and authorisation need.
#[derive(Clone, Debug)]
pub struct User {
    pub id: String,
    pub username: String,
    pub password_hash: String,
    pub department_id: String,
    pub department: String,
    pub role: Role,
    pub is_active: bool,
    pub expires_at: Option<i64>,
    pub password_changed_at: i64,
    pub failed_logins: i64,
    pub locked_until: Option<i64>,
}

const USER_COLUMNS: &str = "u.id, u.username, u.password_hash, u.department_id, d.name AS department, \
     u.role_id, u.is_active, u.expires_at, u.password_changed_at, u.failed_logins, u.locked_until \
     FROM procurement_user u JOIN procurement_department d ON d.id = u.department_id";

fn user_from_row(row: &AnyRow) -> StoreResult<User> {
    let role_id: i64 = row.try_get("role_id")?;
    Ok(User {
        id: row.text("id")?,
        username: row.text("username")?,
        password_hash: row.text("password_hash")?,
        department_id: row.text("department_id")?,
        department: row.text("department")?,
        role: Role::from_id(role_id).ok_or(StoreError::UnknownRole)?,
        is_active: row.decode("is_active")?,
        expires_at: row.try_get("expires_at")?,
        password_changed_at: row.try_get("password_changed_at")?,
        failed_logins: row.try_get("failed_logins")?,
        locked_until: row.try_get("locked_until")?,
    })
}

pub async fn find_user(db: &Db, id: &str) -> StoreResult<Option<User>> {
    let row = db
        .query(format!("SELECT {USER_COLUMNS} WHERE u.id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(user_from_row).transpose()
}

/// Every user but `except`, by id, one page; and the number of such users.
pub async fn list_users(
    db: &Db,
    except: &str,
    offset: i64,
    limit: i64,
) -> StoreResult<(Vec<User>, i64)> {
    let mut page = QueryBuilder::new(db.backend(), "SELECT ");
    page.push(USER_COLUMNS)
        .push(" WHERE u.id <> ")
        .push_bind(except)
        .push(" ORDER BY u.id LIMIT ")
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset);
    let rows = page.build().fetch_all(db.pool()).await?;
    let total: i64 = db
        .query("SELECT COUNT(*) AS n FROM procurement_user WHERE id <> $1")
        .bind(except)
        .fetch_one(db.pool())
        .await?
        .try_get("n")?;
    Ok((
        rows.iter().map(user_from_row).collect::<StoreResult<_>>()?,
        total,
    ))
}

/// A wrong password: counts the failure and locks the account at the 5th.
pub async fn record_failed_login(db: &Db, id: &str, lock_until: i64) -> StoreResult<()> {
    db.query(
        // `locked_until` first: MySQL evaluates the assignments left to right and would see the
        // incremented counter in the second one (SQLite and PostgreSQL see the old row in both).
        "UPDATE procurement_user SET \
         locked_until = CASE WHEN failed_logins + 1 >= 5 THEN $2 ELSE locked_until END, \
         failed_logins = failed_logins + 1 \
         WHERE id = $1",
    )
    .bind(id)
    .bind(lock_until)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Clears the failure counter and any lock (a successful login, or a lock that has ended).
pub async fn reset_failed_logins(db: &Db, id: &str) -> StoreResult<()> {
    db.query("UPDATE procurement_user SET failed_logins = 0, locked_until = NULL WHERE id = $1")
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// A user to create.
#[derive(Clone, Debug)]
pub struct NewUser<'a> {
    pub id: &'a str,
    pub username: &'a str,
    pub password_hash: &'a str,
    pub department: &'a str,
    pub role: Role,
}

/// Creates a user (active, never expiring, password age from `now`).
pub async fn create_user(db: &Db, user: &NewUser<'_>, now: i64) -> StoreResult<()> {
    let department_id = department_by_name(db, user.department)
        .await?
        .ok_or(StoreError::UnknownDepartment)?;
    db.query(
        "INSERT INTO procurement_user (id, username, password_hash, department_id, role_id, \
         is_active, expires_at, password_changed_at, failed_logins, locked_until, created_at) \
         VALUES ($1, $2, $3, $4, $5, 1, NULL, $6, 0, NULL, $6)",
    )
    .bind(user.id)
    .bind(user.username)
    .bind(user.password_hash)
    .bind(department_id)
    .bind(user.role)
    .bind(now)
    .execute(db.pool())
    .await
    .map_err(|error| match violation(&error) {
        Some(Violation::Unique) => StoreError::UserExists,
        _ => StoreError::Database(error),
    })?;
    Ok(())
}

/// Updates name, department, role and (when given) password; revokes the user's token.
pub async fn update_user(
    db: &Db,
    id: &str,
    username: &str,
    department: &str,
    role: Role,
    password_hash: Option<&str>,
    now: i64,
) -> StoreResult<()> {
    let department_id = department_by_name(db, department)
        .await?
        .ok_or(StoreError::UnknownDepartment)?;
    let mut tx = db.begin_write().await?;
    let done = db
        .query(
            "UPDATE procurement_user SET username = $2, department_id = $3, role_id = $4, \
         password_hash = COALESCE($5, password_hash), \
         password_changed_at = CASE WHEN $5 IS NULL THEN password_changed_at ELSE $6 END \
         WHERE id = $1",
        )
        .bind(id)
        .bind(username)
        .bind(department_id)
        .bind(role)
        .bind(password_hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::UnknownUser);
    }
    db.query("DELETE FROM procurement_token WHERE user_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Sets a new password and revokes the live token.
pub async fn set_password(db: &Db, id: &str, password_hash: &str, now: i64) -> StoreResult<()> {
    let mut tx = db.begin_write().await?;
    db.query(
        "UPDATE procurement_user SET password_hash = $2, password_changed_at = $3 WHERE id = $1",
    )
    .bind(id)
    .bind(password_hash)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    db.query("DELETE FROM procurement_token WHERE user_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Imports rows in order, each created or refused on its own, all written in one transaction:
/// an import that fails (or a server killed halfway) leaves no user of it behind, and the
/// users it reports as created are all there.
pub async fn import_users(
    db: &Db,
    rows: &[ImportRow],
    password_hash: &str,
    now: i64,
) -> StoreResult<Vec<ImportVerdict>> {
    let departments = departments(db).await?;
    let mut tx = db.begin_write().await?;
    let mut verdicts = Vec::with_capacity(rows.len());
    for row in rows {
        if let Err(verdict) = row.precheck() {
            verdicts.push(verdict);
            continue;
        }
        let Some(department) = departments
            .iter()
            .find(|department| department.name == row.department)
        else {
            // A known user is reported as existing before its department is looked at.
            verdicts.push(if user_exists(&mut tx, &row.id).await? {
                ImportVerdict::Exists
            } else {
                ImportVerdict::UnknownDepartment
            });
            continue;
        };
        let Some(role) = row.role() else {
            verdicts.push(if user_exists(&mut tx, &row.id).await? {
                ImportVerdict::Exists
            } else {
                ImportVerdict::UnknownRole
            });
            continue;
        };
        // SQLite and PostgreSQL: `DO NOTHING` instead of a unique violation, because on
        // PostgreSQL a failed statement would abort the whole transaction. MySQL rolls back
        // only the failed statement, and there `DO NOTHING` has no spelling whose affected-row
        // count tells an insert from a duplicate (sqlx connects with CLIENT_FOUND_ROWS), so the
        // duplicate key itself answers.
        let keep = match tx.backend() {
            Backend::Sqlite | Backend::Postgres => "ON CONFLICT (id) DO NOTHING",
            Backend::Mysql => "",
        };
        let done = tx
            .query(format!(
                "INSERT INTO procurement_user (id, username, password_hash, department_id, \
                 role_id, is_active, expires_at, password_changed_at, failed_logins, \
                 locked_until, created_at) \
                 VALUES ($1, $2, $3, $4, $5, 1, NULL, $6, 0, NULL, $6) {keep}"
            ))
            .bind(&row.id)
            .bind(&row.name)
            .bind(password_hash)
            .bind(&department.id)
            .bind(role)
            .bind(now)
            .execute(&mut *tx)
            .await;
        let done = match done {
            Err(error) if violation(&error) == Some(Violation::Unique) => {
                verdicts.push(ImportVerdict::Exists);
                continue;
            }
            done => done?,
        };
        verdicts.push(if done.rows_affected() == 1 {
            ImportVerdict::Created
        } else {
            ImportVerdict::Exists
        });
    }
    tx.commit().await?;
    Ok(verdicts)
}

async fn user_exists(tx: &mut Tx, id: &str) -> StoreResult<bool> {
    let row = tx
        .query("SELECT 1 AS found FROM procurement_user WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.is_some())
}

// ---------------------------------------------------------------------------------------------
// Tokens: one live token (its JWT id) per user

/// Makes `jti` the user's only live token.
pub async fn set_token(db: &Db, user_id: &str, jti: &str, expires_at: i64) -> StoreResult<()> {
    let upsert = on_conflict_update(db.backend(), "user_id", &["jti", "expires_at"]);
    db.query(format!(
        "INSERT INTO procurement_token (user_id, jti, expires_at) VALUES ($1, $2, $3) {upsert}"
    ))
    .bind(user_id)
    .bind(jti)
    .bind(expires_at)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Follows [`USER_COLUMNS`]: the user `$1`, only while `$2` is their live token.
const LIVE_TOKEN_OF_USER: &str =
    "JOIN procurement_token t ON t.user_id = u.id AND t.jti = $2 WHERE u.id = $1";

/// The user whose live token is `jti` (`None` when the token was replaced or revoked, or the
/// user is gone), in one statement: every authenticated request runs it.
pub async fn user_with_live_token(db: &Db, user_id: &str, jti: &str) -> StoreResult<Option<User>> {
    let row = db
        .query(format!("SELECT {USER_COLUMNS} {LIVE_TOKEN_OF_USER}"))
        .bind(user_id)
        .bind(jti)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(user_from_row).transpose()
}

/// [`user_with_live_token`] and the user's unread notices, in one statement: the unread count
/// is polled by every open page of the front end, so it is one round trip.
pub async fn user_with_live_token_and_unread(
    db: &Db,
    user_id: &str,
    jti: &str,
) -> StoreResult<Option<(User, i64)>> {
    let row = db
        .query(format!(
            "SELECT (SELECT COUNT(*) FROM procurement_notice n \
             WHERE n.user_id = u.id AND n.unread = 1) AS unread, \
             {USER_COLUMNS} {LIVE_TOKEN_OF_USER}"
        ))
        .bind(user_id)
        .bind(jti)
        .fetch_optional(db.pool())
        .await?;
    row.map(|row| Ok((user_from_row(&row)?, row.try_get("unread")?)))
        .transpose()
}

/// Replaces the live token `old` by `new` (false when `old` is no longer live).
pub async fn replace_token(
    db: &Db,
    user_id: &str,
    old: &str,
    new: &str,
    expires_at: i64,
) -> StoreResult<bool> {
    let done = db.query(
        "UPDATE procurement_token SET jti = $3, expires_at = $4 WHERE user_id = $1 AND jti = $2",
    )
    .bind(user_id)
    .bind(old)
    .bind(new)
    .bind(expires_at)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Revokes the user's live token; false when there was none (or it had expired).
pub async fn delete_token(db: &Db, user_id: &str, now: i64) -> StoreResult<bool> {
    let done = db
        .query("DELETE FROM procurement_token WHERE user_id = $1 AND expires_at > $2")
        .bind(user_id)
        .bind(now)
        .execute(db.pool())
        .await?;
    db.query("DELETE FROM procurement_token WHERE user_id = $1")
        .bind(user_id)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() > 0)
}
