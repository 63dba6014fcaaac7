//! Medicines: the list (newest first), creation and edits under a unique name, and deletion
//! unless an order lists the medicine.

use sqlx::{Row, any::AnyRow};

use super::{StoreResult, delete_unreferenced, found, signed_in_page, unique_as_duplicate};
use crate::{
    db::{Db, RowExt},
    mgr::domain::{Medicine, MedicineData, Page, Paged},
};

fn medicine(row: &AnyRow) -> Result<Medicine, sqlx::Error> {
    Ok(Medicine {
        id: row.try_get("id")?,
        name: row.text("name")?,
        desc: row.text("desc")?,
        sn: row.text("sn")?,
    })
}

/// Newest first, for the admin signed in with `session_id` (`None`: not signed in).
pub async fn list_medicines(
    db: &Db,
    session_id: &str,
    page: Page,
) -> StoreResult<Option<Paged<Medicine>>> {
    let Some((rows, total)) = signed_in_page(
        db,
        session_id,
        "id, name, \"desc\", sn",
        "FROM mgr_medicine",
        "id DESC",
        "mgr_medicine",
        page,
    )
    .await?
    else {
        return Ok(None);
    };
    Ok(Some(Paged {
        items: rows.iter().map(medicine).collect::<Result<_, _>>()?,
        total,
    }))
}

/// `Duplicate` when the name is taken.
pub async fn add_medicine(db: &Db, data: &MedicineData) -> StoreResult<i64> {
    db.query("INSERT INTO mgr_medicine (name, \"desc\", sn) VALUES ($1, $2, $3)")
        .bind(&data.name)
        .bind(&data.desc)
        .bind(&data.sn)
        .insert_returning_id(db.pool())
        .await
        .map_err(unique_as_duplicate)
}

pub async fn medicine_exists(db: &Db, id: i64) -> StoreResult<bool> {
    let row = db
        .query("SELECT id FROM mgr_medicine WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.is_some())
}

/// `NotFound`, or `Duplicate` when renaming onto another medicine's name.
pub async fn modify_medicine(db: &Db, id: i64, data: &MedicineData) -> StoreResult<()> {
    let done = db
        .query("UPDATE mgr_medicine SET name = $1, \"desc\" = $2, sn = $3 WHERE id = $4")
        .bind(&data.name)
        .bind(&data.desc)
        .bind(&data.sn)
        .bind(id)
        .execute(db.pool())
        .await
        .map_err(unique_as_duplicate)?;
    found(done.rows_affected())
}

/// `Referenced` while an order lists the medicine.
pub async fn delete_medicine(db: &Db, id: i64) -> StoreResult<()> {
    delete_unreferenced(
        db,
        id,
        "SELECT id FROM mgr_medicine WHERE id = $1",
        "SELECT order_id FROM mgr_order_medicine WHERE medicine_id = $1",
        "DELETE FROM mgr_medicine WHERE id = $1",
    )
    .await
}
