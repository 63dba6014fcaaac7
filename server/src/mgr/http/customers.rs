//! Tag 客户: list_customer, add_customer, modify_customer, del_customer.

use axum::{Json, extract::State};
use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

use crate::{
    app::AppState,
    mgr::{
        domain::{Customer, CustomerData, CustomerNewData, limits},
        error::{self, MgrError, msg},
        extract::{Admin, AdminSession, MgrJson, MgrQuery},
        http::{
            CreatedReply, ListCustomerReply, OkReply, RetId, RetList, RetMsg, RetOk, Section,
            id_field, list_page, object, optional, text,
        },
        store::{self, StoreError},
    },
};

const SECTION: Section = Section {
    actions: &[
        "list_customer",
        "add_customer",
        "modify_customer",
        "del_customer",
    ],
    bad_request: false,
    wrong_method: msg::WRONG_ACTION,
};

/// Query parameters of list operations.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// The operation's action name.
    pub action: String,
    /// Rows per page, integer >= 1.
    pub pagesize: i64,
    /// 1-based page number.
    pub pagenum: i64,
}

/// Body of add_customer.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AddCustomerRequest {
    pub action: String,
    pub data: CustomerData,
}

/// Body of modify_customer.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ModifyCustomerRequest {
    pub action: String,
    pub id: i64,
    pub newdata: CustomerNewData,
}

/// Body of del_customer.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DelCustomerRequest {
    pub action: String,
    pub id: i64,
}

/// Lists customers, newest first.
#[utoipa::path(
    get,
    path = "/api/mgr/customers",
    tag = "customers",
    params(ListParams),
    responses(
        (status = 200, body = ListCustomerReply),
        (status = 302, body = RetMsg),
    ),
    security(("sessionCookie" = [])),
)]
pub async fn list_customer(
    State(state): State<AppState>,
    session: AdminSession,
    query: Result<MgrQuery, MgrError>,
) -> Result<Json<RetList<Customer>>, MgrError> {
    let page = list_page(
        &state,
        &session,
        query,
        SECTION,
        "list_customer",
        error::page_error,
    )
    .await?;
    let paged = store::list_customers(&state.db, &session.session_id, page)
        .await?
        .ok_or(MgrError::LoginRequired)?;
    Ok(Json(RetList::new(paged.items, paged.total)))
}

/// All three fields as strings within their column lengths.
fn customer_data(data: &Map<String, Value>) -> Option<CustomerData> {
    Some(CustomerData {
        name: text(data.get("name"), 0, limits::CUSTOMER_NAME).present()?,
        phonenumber: text(data.get("phonenumber"), 0, limits::CUSTOMER_PHONE).present()?,
        address: text(data.get("address"), 0, limits::CUSTOMER_ADDRESS).present()?,
    })
}

/// The fields present, each a string within its column length.
fn customer_change(data: &Map<String, Value>) -> Option<CustomerNewData> {
    Some(CustomerNewData {
        name: optional(text(data.get("name"), 0, limits::CUSTOMER_NAME))?,
        phonenumber: optional(text(data.get("phonenumber"), 0, limits::CUSTOMER_PHONE))?,
        address: optional(text(data.get("address"), 0, limits::CUSTOMER_ADDRESS))?,
    })
}

/// Adds a customer.
#[utoipa::path(
    post,
    path = "/api/mgr/customers",
    tag = "customers",
    request_body(content = AddCustomerRequest, content_type = "application/json"),
    responses(
        (status = 200, body = CreatedReply),
        (status = 302, body = RetMsg),
    ),
    security(("sessionCookie" = [])),
)]
pub async fn add_customer(
    State(state): State<AppState>,
    _admin: Admin,
    MgrJson(body): MgrJson,
) -> Result<Json<RetId>, MgrError> {
    SECTION.check(body.get("action"), "add_customer")?;
    let data = object(&body, "data")
        .and_then(customer_data)
        .ok_or(MgrError::refused(msg::CUSTOMER_NEED_DATA))?;
    let id = store::add_customer(&state.db, &data).await?;
    Ok(Json(RetId::new(id)))
}

/// Changes the fields of a customer that `newdata` carries.
#[utoipa::path(
    put,
    path = "/api/mgr/customers",
    tag = "customers",
    request_body(content = ModifyCustomerRequest, content_type = "application/json"),
    responses(
        (status = 200, body = OkReply),
        (status = 302, body = RetMsg),
    ),
    security(("sessionCookie" = [])),
)]
pub async fn modify_customer(
    State(state): State<AppState>,
    _admin: Admin,
    MgrJson(body): MgrJson,
) -> Result<Json<RetOk>, MgrError> {
    SECTION.check(body.get("action"), "modify_customer")?;
    let id = id_field(&body, "id").or(|| MgrError::refused(msg::CUSTOMER_NEED_ID))?;
    let change = object(&body, "newdata")
        .and_then(customer_change)
        .ok_or(MgrError::refused(msg::CUSTOMER_NEED_NEWDATA))?;
    match store::modify_customer(&state.db, id, &change).await {
        Ok(()) => Ok(Json(RetOk::new())),
        Err(StoreError::NotFound) => Err(MgrError::refused(error::id_not_found(id))),
        Err(other) => Err(other.into()),
    }
}

/// Deletes a customer no order refers to.
#[utoipa::path(
    delete,
    path = "/api/mgr/customers",
    tag = "customers",
    request_body(content = DelCustomerRequest, content_type = "application/json"),
    responses(
        (status = 200, body = OkReply),
        (status = 302, body = RetMsg),
    ),
    security(("sessionCookie" = [])),
)]
pub async fn del_customer(
    State(state): State<AppState>,
    _admin: Admin,
    MgrJson(body): MgrJson,
) -> Result<Json<RetOk>, MgrError> {
    SECTION.check(body.get("action"), "del_customer")?;
    let id = id_field(&body, "id").or(|| MgrError::refused(msg::CUSTOMER_NEED_ID))?;
    match store::delete_customer(&state.db, id).await {
        Ok(()) => Ok(Json(RetOk::new())),
        Err(StoreError::NotFound) => Err(MgrError::refused(error::id_not_found(id))),
        Err(StoreError::Referenced) => Err(MgrError::Referenced(msg::CUSTOMER_REFERENCED)),
        Err(other) => Err(other.into()),
    }
}
