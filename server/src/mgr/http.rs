//! mgr HTTP layer: one file per tag of `openapi/mgr.yaml`, plus the response shapes and the
//! parameter helpers they share. Handler names equal operationIds.

pub mod customers;
pub mod medicines;
pub mod orders;
pub mod profile;
pub mod session;

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::json::integer;
use crate::{
    app::AppState,
    mgr::{
        domain::{Customer, Medicine, Order, Page, PageError},
        error::{MgrError, msg},
        extract::{AdminSession, MgrQuery},
    },
};

/// `{"ret": 0}`.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct RetOk {
    pub ret: i64,
}

impl RetOk {
    pub fn new() -> Self {
        // `ret` 0 is the derived default; `new` keeps call sites reading as "a success".
        Self::default()
    }
}

/// `{"ret": N, "msg": "..."}`: the error envelope, and the success shape of operations that
/// answer with a message.
#[derive(Debug, Serialize, ToSchema)]
pub struct RetMsg {
    pub ret: i64,
    pub msg: String,
}

impl RetMsg {
    pub fn ok(text: &str) -> Self {
        Self {
            ret: 0,
            msg: text.to_owned(),
        }
    }
}

/// `{"ret": 0, "id": N}`: a created row's id.
#[derive(Debug, Serialize, ToSchema)]
pub struct RetId {
    pub ret: i64,
    pub id: i64,
}

impl RetId {
    pub fn new(id: i64) -> Self {
        Self { ret: 0, id }
    }
}

/// `{"ret": 0, "retlist": [...], "total": N}`: one page and the count of all rows.
#[derive(Debug, Serialize, ToSchema)]
pub struct RetList<T> {
    pub ret: i64,
    pub retlist: Vec<T>,
    pub total: i64,
}

impl<T> RetList<T> {
    pub fn new(retlist: Vec<T>, total: i64) -> Self {
        Self {
            ret: 0,
            retlist,
            total,
        }
    }
}

/// Declares the schema of a 200 body that is either the operation's success or a refusal
/// (`oneOf` in the spec). Only the OpenAPI description uses these types.
macro_rules! reply_schema {
    ($(#[$doc:meta])* $name:ident($ok:ty)) => {
        $(#[$doc])*
        #[derive(Debug, Serialize, ToSchema)]
        #[serde(untagged)]
        pub enum $name {
            Ok($ok),
            Refused(RetMsg),
        }
    };
}

reply_schema!(
    /// list_customer's 200 body.
    ListCustomerReply(RetList<Customer>)
);
reply_schema!(
    /// list_medicine's 200 body.
    ListMedicineReply(RetList<Medicine>)
);
reply_schema!(
    /// list_order's 200 body.
    ListOrderReply(RetList<Order>)
);
reply_schema!(
    /// The 200 body of add operations.
    CreatedReply(RetId)
);
reply_schema!(
    /// The 200 body of operations answering `{"ret": 0}` or a refusal.
    OkReply(RetOk)
);
reply_schema!(
    /// get_my_profile's 200 body.
    ProfileReplyOrRefusal(profile::ProfileReply)
);

/// How a section of the document answers a missing or wrong `action`.
#[derive(Clone, Copy, Debug)]
pub struct Section {
    /// Every action of the path, whatever the method.
    pub actions: &'static [&'static str],
    /// HTTP 400 instead of 200 (the order section says status=400).
    pub bad_request: bool,
    /// Text for an action of this path sent with the wrong method.
    pub wrong_method: &'static str,
}

impl Section {
    fn error(self, text: &'static str) -> MgrError {
        if self.bad_request {
            MgrError::bad_request(text)
        } else {
            MgrError::refused(text)
        }
    }

    /// Checks the `action` of a request against the one this operation serves.
    pub fn check(self, action: Option<&Value>, expected: &str) -> Result<(), MgrError> {
        match action {
            None | Some(Value::Null) => Err(self.error(msg::NO_ACTION)),
            Some(Value::String(action)) if action == expected => Ok(()),
            Some(Value::String(action)) if self.actions.contains(&action.as_str()) => {
                Err(self.error(self.wrong_method))
            }
            Some(_) => Err(self.error(msg::WRONG_ACTION)),
        }
    }

    /// The same check for a query-string action.
    pub fn check_query(
        self,
        query: &HashMap<String, String>,
        expected: &str,
    ) -> Result<(), MgrError> {
        let action = query.get("action").map(|text| Value::String(text.clone()));
        self.check(action.as_ref(), expected)
    }
}

/// What a body field holds, when the handler needs to tell "absent" from "malformed".
pub enum Field<T> {
    Missing,
    Invalid,
    Present(T),
}

impl<T> Field<T> {
    /// The value if present and well-formed.
    pub fn present(self) -> Option<T> {
        match self {
            Self::Present(value) => Some(value),
            Self::Missing | Self::Invalid => None,
        }
    }

    /// The value, or `error` whether it was missing or malformed.
    pub fn or(self, error: impl FnOnce() -> MgrError) -> Result<T, MgrError> {
        match self {
            Self::Present(value) => Ok(value),
            Self::Missing | Self::Invalid => Err(error()),
        }
    }
}

/// A positive integer id sent as a JSON number (a string such as `"6"` is not an id).
pub fn positive_id(value: Option<&Value>) -> Field<i64> {
    match value {
        None | Some(Value::Null) => Field::Missing,
        Some(Value::Number(number)) => match integer(number) {
            Some(id) if id >= 1 => Field::Present(id),
            _ => Field::Invalid,
        },
        Some(_) => Field::Invalid,
    }
}

/// Reads `key` of `body` as an id.
pub fn id_field(body: &Map<String, Value>, key: &str) -> Field<i64> {
    positive_id(body.get(key))
}

/// A string of `min..=max` characters.
pub fn text(value: Option<&Value>, min: usize, max: usize) -> Field<String> {
    match value {
        None | Some(Value::Null) => Field::Missing,
        Some(Value::String(text)) if (min..=max).contains(&text.chars().count()) => {
            Field::Present(text.clone())
        }
        Some(_) => Field::Invalid,
    }
}

/// An optional member: absent (or `null`) is `Some(None)`, present is `Some(Some(value))`,
/// malformed is `None`, so callers reject a malformed member with `?`.
pub fn optional<T>(field: Field<T>) -> Option<Option<T>> {
    match field {
        Field::Missing => Some(None),
        Field::Present(value) => Some(Some(value)),
        Field::Invalid => None,
    }
}

/// A JSON object member.
pub fn object<'a>(body: &'a Map<String, Value>, key: &str) -> Option<&'a Map<String, Value>> {
    body.get(key).and_then(Value::as_object)
}

/// Reads the page parameters of a list operation.
/// The page a list operation asks for. The session is checked by the read itself (one
/// statement, `store::list_medicines`); when the parameters are refused before any read, it is
/// checked here first, so a signed-out caller still gets 302 rather than the parameter error.
pub async fn list_page(
    state: &AppState,
    session: &AdminSession,
    query: Result<MgrQuery, MgrError>,
    section: Section,
    action: &str,
    page_error: fn(PageError) -> MgrError,
) -> Result<Page, MgrError> {
    let parsed = query.and_then(|MgrQuery(query)| {
        section.check_query(&query, action)?;
        let (num, size) = page_params(&query);
        Page::parse(num, size).map_err(page_error)
    });
    match parsed {
        Ok(page) => Ok(page),
        Err(error) => {
            session.verify(state).await?;
            Err(error)
        }
    }
}

pub fn page_params(query: &HashMap<String, String>) -> (Option<&str>, Option<&str>) {
    (
        query.get("pagenum").map(String::as_str),
        query.get("pagesize").map(String::as_str),
    )
}
