//! Accounts, their sessions and their profiles.

use sqlx::Row;

use super::{LIVE_ADMIN, StoreResult, unique_as_duplicate};
use crate::{
    db::{ColumnExt, Db, RowExt, now_unix, on_conflict_update},
    mgr::domain::Profile,
};

/// The columns sign-in needs.
#[derive(Clone, Debug)]
pub struct Account {
    pub id: i64,
    pub password_hash: String,
    pub is_superuser: bool,
    pub is_active: bool,
}

pub async fn find_account(db: &Db, username: &str) -> StoreResult<Option<Account>> {
    let row = db.query(
        "SELECT id, password_hash, is_superuser, is_active FROM mgr_account WHERE username = $1",
    )
    .bind(username)
    .fetch_optional(db.pool())
    .await?;
    row.map(|row| {
        Ok(Account {
            id: row.try_get("id")?,
            password_hash: row.text("password_hash")?,
            is_superuser: row.decode("is_superuser")?,
            is_active: row.decode("is_active")?,
        })
    })
    .transpose()
}

/// Creates an account; `Duplicate` when the username is taken.
pub async fn create_account(
    db: &Db,
    username: &str,
    password_hash: &str,
    is_superuser: bool,
    is_active: bool,
) -> StoreResult<i64> {
    db.query(
        "INSERT INTO mgr_account (username, password_hash, is_superuser, is_active, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(username)
    .bind(password_hash)
    .bind(is_superuser)
    .bind(is_active)
    .bind(now_unix())
    .insert_returning_id(db.pool())
    .await
    .map_err(unique_as_duplicate)
}

/// Stores a new session and drops expired ones (the table stays small without a cron job).
pub async fn create_session(
    db: &Db,
    session_id: &str,
    account_id: i64,
    expires_at: i64,
) -> StoreResult<()> {
    db.query("DELETE FROM mgr_session WHERE expires_at <= $1")
        .bind(now_unix())
        .execute(db.pool())
        .await?;
    db.query("INSERT INTO mgr_session (id, account_id, expires_at) VALUES ($1, $2, $3)")
        .bind(session_id)
        .bind(account_id)
        .bind(expires_at)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// The account of a live session, if the session exists, has not expired, and its account may
/// still use the mgr API (active superuser).
pub async fn session_account(db: &Db, session_id: &str) -> StoreResult<Option<i64>> {
    let row = db
        .query(format!(
            "SELECT a.id FROM mgr_session s JOIN mgr_account a ON a.id = s.account_id \
         WHERE s.id = $1 AND s.expires_at > $2 AND {LIVE_ADMIN}"
        ))
        .bind(session_id)
        .bind(now_unix())
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(|row| row.try_get("id")).transpose()?)
}

pub async fn delete_session(db: &Db, session_id: &str) -> StoreResult<()> {
    db.query("DELETE FROM mgr_session WHERE id = $1")
        .bind(session_id)
        .execute(db.pool())
        .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Profiles

pub async fn get_profile(db: &Db, account_id: i64) -> StoreResult<Profile> {
    let row = db
        .query("SELECT nickname, birthdate, bio FROM mgr_profile WHERE account_id = $1")
        .bind(account_id)
        .fetch_optional(db.pool())
        .await?;
    match row {
        None => Ok(Profile::default()),
        Some(row) => Ok(Profile {
            nickname: row.opt_text("nickname")?,
            birthdate: row.opt_text("birthdate")?,
            bio: row.opt_text("bio")?,
        }),
    }
}

/// Stores the profile (inserting it on first use).
pub async fn put_profile(db: &Db, account_id: i64, profile: &Profile) -> StoreResult<()> {
    let upsert = on_conflict_update(
        db.backend(),
        "account_id",
        &["nickname", "birthdate", "bio"],
    );
    db.query(format!(
        "INSERT INTO mgr_profile (account_id, nickname, birthdate, bio) VALUES ($1, $2, $3, $4) \
         {upsert}"
    ))
    .bind(account_id)
    .bind(profile.nickname.as_deref())
    .bind(profile.birthdate.as_deref())
    .bind(profile.bio.as_deref())
    .execute(db.pool())
    .await?;
    Ok(())
}
