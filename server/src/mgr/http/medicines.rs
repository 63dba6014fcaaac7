//! Tag 药品: list_medicine, add_medicine, modify_medicine, del_medicine.

use axum::{Json, extract::State};
use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::{
    app::AppState,
    mgr::{
        domain::{Medicine, MedicineData, limits},
        error::{self, MgrError, msg},
        extract::{Admin, AdminSession, MgrJson, MgrQuery},
        http::{
            CreatedReply, ListMedicineReply, RetId, RetList, RetMsg, Section,
            customers::ListParams, id_field, list_page, object, text,
        },
        store::{self, StoreError},
    },
};

const SECTION: Section = Section {
    actions: &[
        "list_medicine",
        "add_medicine",
        "modify_medicine",
        "del_medicine",
    ],
    bad_request: false,
    wrong_method: msg::WRONG_ACTION,
};

/// Body of add_medicine.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AddMedicineRequest {
    pub action: String,
    pub data: MedicineData,
}

/// Body of modify_medicine.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ModifyMedicineRequest {
    pub action: String,
    pub id: i64,
    pub newdata: MedicineData,
}

/// Body of del_medicine.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DelMedicineRequest {
    pub action: String,
    pub id: i64,
}

/// Lists medicines, newest first.
#[utoipa::path(
    get,
    path = "/api/mgr/medicines",
    tag = "medicines",
    params(ListParams),
    responses(
        (status = 200, body = ListMedicineReply),
        (status = 302, body = RetMsg),
    ),
    security(("sessionCookie" = [])),
)]
pub async fn list_medicine(
    State(state): State<AppState>,
    session: AdminSession,
    query: Result<MgrQuery, MgrError>,
) -> Result<Json<RetList<Medicine>>, MgrError> {
    let page = list_page(
        &state,
        &session,
        query,
        SECTION,
        "list_medicine",
        error::page_error,
    )
    .await?;
    let paged = store::list_medicines(&state.db, &session.session_id, page)
        .await?
        .ok_or(MgrError::LoginRequired)?;
    Ok(Json(RetList::new(paged.items, paged.total)))
}

/// All three fields as non-empty strings within their column lengths.
fn medicine_data(data: &Map<String, Value>) -> Option<MedicineData> {
    Some(MedicineData {
        name: text(data.get("name"), 1, limits::MEDICINE_NAME).present()?,
        desc: text(data.get("desc"), 1, limits::MEDICINE_DESC).present()?,
        sn: text(data.get("sn"), 1, limits::MEDICINE_SN).present()?,
    })
}

/// Adds a medicine; names are unique.
#[utoipa::path(
    post,
    path = "/api/mgr/medicines",
    tag = "medicines",
    request_body(content = AddMedicineRequest, content_type = "application/json"),
    responses(
        (status = 200, body = CreatedReply),
        (status = 302, body = RetMsg),
        (status = 400, body = RetMsg),
    ),
    security(("sessionCookie" = [])),
)]
pub async fn add_medicine(
    State(state): State<AppState>,
    _admin: Admin,
    MgrJson(body): MgrJson,
) -> Result<Json<RetId>, MgrError> {
    SECTION.check(body.get("action"), "add_medicine")?;
    let data = object(&body, "data")
        .and_then(medicine_data)
        .ok_or(MgrError::bad_request(msg::MEDICINE_NEED_DATA))?;
    match store::add_medicine(&state.db, &data).await {
        Ok(id) => Ok(Json(RetId::new(id))),
        Err(StoreError::Duplicate) => Err(MgrError::refused(msg::MEDICINE_NAME_TAKEN)),
        Err(other) => Err(other.into()),
    }
}

/// Replaces a medicine's fields.
#[utoipa::path(
    put,
    path = "/api/mgr/medicines",
    tag = "medicines",
    request_body(content = ModifyMedicineRequest, content_type = "application/json"),
    responses(
        (status = 200, body = RetMsg),
        (status = 302, body = RetMsg),
    ),
    security(("sessionCookie" = [])),
)]
pub async fn modify_medicine(
    State(state): State<AppState>,
    _admin: Admin,
    MgrJson(body): MgrJson,
) -> Result<Json<RetMsg>, MgrError> {
    SECTION.check(body.get("action"), "modify_medicine")?;
    let id = id_field(&body, "id").or(|| MgrError::refused(msg::MEDICINE_NEED_ID))?;
    let newdata = object(&body, "newdata").ok_or(MgrError::refused(msg::MEDICINE_NEED_NEWDATA))?;
    if !store::medicine_exists(&state.db, id).await? {
        return Err(MgrError::refused(msg::MEDICINE_NOT_FOUND));
    }
    let data = medicine_data(newdata).ok_or(MgrError::refused(msg::MEDICINE_INCOMPLETE))?;
    match store::modify_medicine(&state.db, id, &data).await {
        Ok(()) => Ok(Json(RetMsg::ok(msg::MEDICINE_MODIFIED))),
        Err(StoreError::NotFound) => Err(MgrError::refused(msg::MEDICINE_NOT_FOUND)),
        Err(StoreError::Duplicate) => Err(MgrError::refused(msg::MEDICINE_NAME_TAKEN)),
        Err(other) => Err(other.into()),
    }
}

/// Deletes a medicine no order lists.
#[utoipa::path(
    delete,
    path = "/api/mgr/medicines",
    tag = "medicines",
    request_body(content = DelMedicineRequest, content_type = "application/json"),
    responses(
        (status = 200, body = RetMsg),
        (status = 302, body = RetMsg),
    ),
    security(("sessionCookie" = [])),
)]
pub async fn del_medicine(
    State(state): State<AppState>,
    _admin: Admin,
    MgrJson(body): MgrJson,
) -> Result<Json<RetMsg>, MgrError> {
    SECTION.check(body.get("action"), "del_medicine")?;
    let id = id_field(&body, "id").or(|| MgrError::refused(msg::MEDICINE_DELETE_NEED_ID))?;
    match store::delete_medicine(&state.db, id).await {
        Ok(()) => Ok(Json(RetMsg::ok(msg::MEDICINE_DELETED))),
        Err(StoreError::NotFound) => Err(MgrError::refused(msg::MEDICINE_DELETE_NOT_FOUND)),
        Err(StoreError::Referenced) => Err(MgrError::Referenced(msg::MEDICINE_REFERENCED)),
        Err(other) => Err(other.into()),
    }
}
