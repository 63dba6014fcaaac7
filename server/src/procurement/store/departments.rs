//! Departments: the fixed list seeded by migration 0002, read by name and in order.

use super::StoreResult;
use crate::db::{Db, RowExt};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Department {
    pub id: String,
    pub name: String,
}

pub async fn departments(db: &Db) -> StoreResult<Vec<Department>> {
    let rows = db
        .query("SELECT id, name FROM procurement_department ORDER BY id")
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|row| {
            Ok(Department {
                id: row.text("id")?,
                name: row.text("name")?,
            })
        })
        .collect()
}

pub async fn department_by_name(db: &Db, name: &str) -> StoreResult<Option<String>> {
    let row = db
        .query("SELECT id FROM procurement_department WHERE name = $1")
        .bind(name)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(|row| row.text("id")).transpose()?)
}
