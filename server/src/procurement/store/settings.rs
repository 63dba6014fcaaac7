//! The settings kept in the database (the JWT signing secret).

use super::StoreResult;
use crate::db::{Backend, Db, RowExt};

/// The JWT secret kept in the database: generated once by whichever instance comes first.
pub async fn jwt_secret(db: &Db, candidate: &str) -> StoreResult<String> {
    // The first instance's candidate wins; a later one keeps the stored value. (On MySQL the
    // no-op update stands for `DO NOTHING`.)
    let keep = match db.backend() {
        Backend::Sqlite | Backend::Postgres => "ON CONFLICT (name) DO NOTHING",
        Backend::Mysql => "ON DUPLICATE KEY UPDATE name = name",
    };
    db.query(format!(
        "INSERT INTO procurement_setting (name, value) VALUES ('jwt_secret', $1) {keep}"
    ))
    .bind(candidate)
    .execute(db.pool())
    .await?;
    let row = db
        .query("SELECT value FROM procurement_setting WHERE name = 'jwt_secret'")
        .fetch_one(db.pool())
        .await?;
    Ok(row.text("value")?)
}
