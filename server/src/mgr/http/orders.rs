//! Tag 订单: list_order, add_order, modify_order, del_order.

use axum::{Json, extract::State};
use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::{
    app::AppState,
    json::integer,
    mgr::{
        domain::{self, Order, OrderChange, OrderLineInput, limits},
        error::{self, MgrError, msg},
        extract::{Admin, AdminSession, MgrJson, MgrQuery},
        http::{
            CreatedReply, ListOrderReply, OkReply, RetId, RetList, RetMsg, RetOk, Section,
            customers::ListParams, id_field, list_page, object, optional, positive_id, text,
        },
        store::{self, StoreError},
    },
};

const SECTION: Section = Section {
    actions: &["list_order", "add_order", "modify_order", "del_order"],
    bad_request: true,
    wrong_method: msg::WRONG_ACTION_OR_METHOD,
};

/// `data` of add_order.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AddOrderData {
    pub name: String,
    pub customerid: i64,
    pub medicinelist: Vec<OrderLineInput>,
}

/// Body of add_order.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AddOrderRequest {
    pub action: String,
    pub data: AddOrderData,
}

/// `data` of modify_order: every member optional.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ModifyOrderData {
    pub name: Option<String>,
    pub customerid: Option<i64>,
    /// Medicines to add to the order, or whose amount to set.
    pub medicinelist: Option<Vec<OrderLineInput>>,
    /// Ids of medicines to remove from the order.
    pub deletelist: Option<Vec<i64>>,
}

/// Body of modify_order.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ModifyOrderRequest {
    pub action: String,
    pub id: i64,
    pub data: ModifyOrderData,
}

/// Body of del_order.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DelOrderRequest {
    pub action: String,
    pub id: i64,
}

/// Lists orders with their medicines, newest first.
#[utoipa::path(
    get,
    path = "/api/mgr/orders",
    tag = "orders",
    params(ListParams),
    responses(
        (status = 200, body = ListOrderReply),
        (status = 302, body = RetMsg),
        (status = 400, body = RetMsg),
    ),
    security(("sessionCookie" = [])),
)]
pub async fn list_order(
    State(state): State<AppState>,
    session: AdminSession,
    query: Result<MgrQuery, MgrError>,
) -> Result<Json<RetList<Order>>, MgrError> {
    let page = list_page(
        &state,
        &session,
        query,
        SECTION,
        "list_order",
        error::order_page_error,
    )
    .await?;
    let paged = store::list_orders(&state.db, &session.session_id, page)
        .await?
        .ok_or(MgrError::LoginRequired)?;
    Ok(Json(RetList::new(paged.items, paged.total)))
}

/// A medicine list: an array of `{id, amount, name?}` with well-formed members. `name`, when
/// present, must be a string (the spec's `OrderMedicineInput`): `null` is malformed too.
fn medicine_list(value: &Value) -> Option<Vec<OrderLineInput>> {
    value
        .as_array()?
        .iter()
        .map(|item| {
            let item = item.as_object()?;
            let name = match item.get("name") {
                None => None,
                Some(Value::String(name)) => Some(name.clone()),
                Some(_) => return None,
            };
            Some(OrderLineInput {
                id: positive_id(item.get("id")).present()?,
                amount: match item.get("amount")? {
                    Value::Number(number) => integer(number)?,
                    _ => return None,
                },
                name,
            })
        })
        .collect()
}

/// Creates an order with its medicine lines, in one transaction.
#[utoipa::path(
    post,
    path = "/api/mgr/orders",
    tag = "orders",
    request_body(content = AddOrderRequest, content_type = "application/json"),
    responses(
        (status = 200, body = CreatedReply),
        (status = 302, body = RetMsg),
        (status = 400, body = RetMsg),
    ),
    security(("sessionCookie" = [])),
)]
pub async fn add_order(
    State(state): State<AppState>,
    _admin: Admin,
    MgrJson(body): MgrJson,
) -> Result<Json<RetId>, MgrError> {
    SECTION.check(body.get("action"), "add_order")?;
    let data = object(&body, "data").ok_or(MgrError::refused(msg::ORDER_NEED_DATA))?;
    let customer_id =
        positive_id(data.get("customerid")).or(|| MgrError::refused(msg::ORDER_NEED_CUSTOMER))?;
    // A blank name is an empty one (the spec's pattern `\S`), refused at this step of the
    // documented order, not later as malformed data.
    let name = text(data.get("name"), 1, limits::ORDER_NAME)
        .present()
        .filter(|name| !name.trim().is_empty())
        .ok_or(MgrError::refused(msg::ORDER_NEED_NAME))?;
    let list = data
        .get("medicinelist")
        .filter(|list| list.is_array())
        .ok_or(MgrError::refused(msg::ORDER_NEED_MEDICINES))?;
    let lines = medicine_list(list).ok_or(MgrError::refused(msg::ORDER_NEED_DATA))?;
    let order = domain::new_order(name, customer_id, &lines)
        .map_err(|_| MgrError::refused(msg::ORDER_NEED_DATA))?;
    match store::add_order(&state.db, &order).await {
        Ok(id) => Ok(Json(RetId::new(id))),
        Err(StoreError::UnknownCustomer(id)) => Err(MgrError::refused(error::unknown_customer(id))),
        Err(StoreError::UnknownMedicine(id)) => Err(MgrError::refused(error::unknown_medicine(id))),
        Err(other) => Err(other.into()),
    }
}

/// Parses `data` of modify_order; `None` when any member is malformed.
fn order_change(data: &Map<String, Value>) -> Option<OrderChange> {
    let name = optional(text(data.get("name"), 1, limits::ORDER_NAME))?;
    let customer_id = optional(positive_id(data.get("customerid")))?;
    let lines = match data.get("medicinelist") {
        None | Some(Value::Null) => Vec::new(),
        Some(list) => medicine_list(list)?,
    };
    let delete = match data.get("deletelist") {
        None | Some(Value::Null) => Vec::new(),
        Some(list) => list
            .as_array()?
            .iter()
            .map(|id| positive_id(Some(id)).present())
            .collect::<Option<Vec<i64>>>()?,
    };
    domain::order_change(name, customer_id, &lines, delete).ok()
}

/// Changes an order's name, customer and medicine lines, in one transaction.
#[utoipa::path(
    put,
    path = "/api/mgr/orders",
    tag = "orders",
    request_body(content = ModifyOrderRequest, content_type = "application/json"),
    responses(
        (status = 200, body = RetOk),
        (status = 302, body = RetMsg),
        (status = 400, body = RetMsg),
    ),
    security(("sessionCookie" = [])),
)]
pub async fn modify_order(
    State(state): State<AppState>,
    _admin: Admin,
    MgrJson(body): MgrJson,
) -> Result<Json<RetOk>, MgrError> {
    SECTION.check(body.get("action"), "modify_order")?;
    let id = id_field(&body, "id").or(|| MgrError::bad_request(msg::ORDER_BAD_ID))?;
    let data = object(&body, "data");
    if !store::order_exists(&state.db, id).await? {
        return Err(MgrError::bad_request(msg::ORDER_BAD_ID));
    }
    let change = data
        .and_then(order_change)
        .ok_or(MgrError::bad_request(msg::ORDER_BAD_DATA))?;
    match store::modify_order(&state.db, id, &change).await {
        Ok(()) => Ok(Json(RetOk::new())),
        Err(StoreError::NotFound) => Err(MgrError::bad_request(msg::ORDER_BAD_ID)),
        Err(StoreError::UnknownCustomer(id)) => {
            Err(MgrError::bad_request(error::unknown_customer(id)))
        }
        Err(StoreError::UnknownMedicine(id)) => {
            Err(MgrError::bad_request(error::unknown_medicine(id)))
        }
        Err(other) => Err(other.into()),
    }
}

/// Deletes an order and its lines.
#[utoipa::path(
    delete,
    path = "/api/mgr/orders",
    tag = "orders",
    request_body(content = DelOrderRequest, content_type = "application/json"),
    responses(
        (status = 200, body = OkReply),
        (status = 302, body = RetMsg),
        (status = 400, body = RetMsg),
    ),
    security(("sessionCookie" = [])),
)]
pub async fn del_order(
    State(state): State<AppState>,
    _admin: Admin,
    MgrJson(body): MgrJson,
) -> Result<Json<RetOk>, MgrError> {
    SECTION.check(body.get("action"), "del_order")?;
    let id = id_field(&body, "id").or(|| MgrError::refused(msg::ORDER_NEED_ID))?;
    match store::delete_order(&state.db, id).await {
        Ok(()) => Ok(Json(RetOk::new())),
        Err(StoreError::NotFound) => Err(MgrError::refused(error::id_not_found(id))),
        Err(other) => Err(other.into()),
    }
}
