//! The mgr wire envelope `{"ret": N, "msg": "..."}`: the one error type of the mgr API, and
//! the one place where domain and store failures become wire errors.
//!
//! Every message text a client can see is a constant in [`msg`], copied from `openapi/mgr.yaml`.

use std::borrow::Cow;

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde_json::json;

use crate::mgr::{domain::PageError, store::StoreError};

/// The message texts of the contract.
pub mod msg {
    pub const LOGIN_REQUIRED: &str = "请先登录";
    pub const SIGNIN_OK: &str = "登录成功";
    pub const SIGNOUT_OK: &str = "登出成功";
    pub const NOT_ADMIN: &str = "请使用管理员账户登录";
    pub const INACTIVE: &str = "账户无权限登录";
    pub const BAD_CREDENTIALS: &str = "错误的用户名或密码";
    pub const NO_ACTION: &str = "未传action类型";
    pub const WRONG_ACTION: &str = "错误的action类型";
    pub const WRONG_ACTION_OR_METHOD: &str = "错误的action类型或错误的请求类型";
    pub const NEED_PAGENUM: &str = "请填写pagenum";
    pub const NEED_PAGESIZE: &str = "请填写pagesize";
    pub const ORDER_NEED_PAGE: &str = "缺少pagenum或pagesize字段";
    pub const CUSTOMER_REFERENCED: &str = "订单中引用了这条数据,禁止删除";
    pub const MEDICINE_NAME_TAKEN: &str = "药品名已存在";
    pub const MEDICINE_NEED_DATA: &str = "请求体参数中需要填入data";
    pub const MEDICINE_MODIFIED: &str = "修改成功";
    pub const MEDICINE_NEED_ID: &str = "请传入修改的id值";
    pub const MEDICINE_NEED_NEWDATA: &str = "请传入newdata";
    pub const MEDICINE_NOT_FOUND: &str = "无此id的药品";
    pub const MEDICINE_INCOMPLETE: &str = "请填入相应的修改药品数据";
    pub const MEDICINE_DELETED: &str = "删除成功";
    pub const MEDICINE_DELETE_NEED_ID: &str = "请传入删除的id值";
    pub const MEDICINE_DELETE_NOT_FOUND: &str = "无此id,无法删除";
    pub const MEDICINE_REFERENCED: &str = "订单中正在使用该商品,无法删除";
    pub const ORDER_NEED_DATA: &str = "请传入data或传入正确格式的data";
    pub const ORDER_NEED_CUSTOMER: &str = "请传入customerid";
    pub const ORDER_NEED_NAME: &str = "请传入订单名称";
    pub const ORDER_NEED_MEDICINES: &str = "请传入medicinelist";
    pub const ORDER_BAD_ID: &str = "请传入正确的id值";
    pub const ORDER_BAD_DATA: &str = "请传入正确的data";
    pub const ORDER_NEED_ID: &str = "缺少订单id";
    pub const PROFILE_MISSING: &str = "没有传入profile";
    pub const CUSTOMER_NEED_DATA: &str = "请传入data或传入正确格式的data";
    pub const CUSTOMER_NEED_ID: &str = "缺少客户id";
    pub const CUSTOMER_NEED_NEWDATA: &str = "请传入newdata";
    pub const SIGNOUT_UNSUPPORTED: &str = "不支持的action";
    pub const BAD_QUERY: &str = "查询参数格式错误";
    pub const BODY_TOO_LARGE: &str = "请求体过大";
    pub const NO_ROUTE: &str = "接口不存在";
    pub const BAD_METHOD: &str = "不支持的请求方法";
    pub const INTERNAL: &str = "服务器内部错误";
}

/// An mgr API failure, named by meaning; `IntoResponse` turns it into the envelope.
#[derive(Debug, thiserror::Error)]
pub enum MgrError {
    /// No live session: HTTP 302 with `ret: 302` and no `Location` (clients must not follow).
    #[error("{}", msg::LOGIN_REQUIRED)]
    LoginRequired,
    /// A documented refusal answered with HTTP 200 and `ret: 1`.
    #[error("{0}")]
    Refused(Cow<'static, str>),
    /// A malformed request answered with HTTP 400 and `ret: 1`.
    #[error("{0}")]
    BadRequest(Cow<'static, str>),
    /// The row is referenced by an order: HTTP 200, `ret: 2`.
    #[error("{0}")]
    Referenced(&'static str),
    #[error("{}", msg::NO_ROUTE)]
    NoRoute,
    #[error("{}", msg::BAD_METHOD)]
    MethodNotAllowed,
    #[error("{}", msg::BODY_TOO_LARGE)]
    PayloadTooLarge,
    /// Anything else (the database is down...): logged, and answered with a fixed message.
    #[error("internal error: {0}")]
    Internal(#[source] anyhow::Error),
}

impl MgrError {
    pub fn refused(message: impl Into<Cow<'static, str>>) -> Self {
        Self::Refused(message.into())
    }

    pub fn bad_request(message: impl Into<Cow<'static, str>>) -> Self {
        Self::BadRequest(message.into())
    }

    fn parts(&self) -> (StatusCode, i64, Cow<'static, str>) {
        match self {
            Self::LoginRequired => (StatusCode::FOUND, 302, msg::LOGIN_REQUIRED.into()),
            Self::Refused(text) => (StatusCode::OK, 1, text.clone()),
            Self::BadRequest(text) => (StatusCode::BAD_REQUEST, 1, text.clone()),
            Self::Referenced(text) => (StatusCode::OK, 2, (*text).into()),
            Self::NoRoute => (StatusCode::NOT_FOUND, 1, msg::NO_ROUTE.into()),
            Self::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, 1, msg::BAD_METHOD.into()),
            Self::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, 1, msg::BODY_TOO_LARGE.into()),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, 1, msg::INTERNAL.into()),
        }
    }
}

impl IntoResponse for MgrError {
    fn into_response(self) -> Response {
        if let Self::Internal(error) = &self {
            // Logged inside the request span, so the line carries the request id.
            tracing::error!(error = format!("{error:#}"), "mgr request failed");
        }
        let (status, ret, text) = self.parts();
        (status, Json(json!({ "ret": ret, "msg": text }))).into_response()
    }
}

impl From<StoreError> for MgrError {
    /// The generic mapping; handlers map `NotFound` and friends to their own documented texts
    /// first (see the functions below) and let the rest fall through to here.
    fn from(error: StoreError) -> Self {
        match error {
            // Each handler maps these to its documented text first; reaching here is a bug in
            // that mapping, reported as an internal error rather than a made-up message.
            StoreError::NotFound
            | StoreError::Referenced
            | StoreError::Duplicate
            | StoreError::UnknownCustomer(_)
            | StoreError::UnknownMedicine(_) => {
                Self::Internal(anyhow::anyhow!("unmapped store error: {error}"))
            }
            StoreError::Database(error) => Self::Internal(error.into()),
        }
    }
}

impl From<anyhow::Error> for MgrError {
    fn from(error: anyhow::Error) -> Self {
        Self::Internal(error)
    }
}

/// The page errors of the customer and medicine lists.
pub fn page_error(error: PageError) -> MgrError {
    match error {
        PageError::BadNum => MgrError::refused(msg::NEED_PAGENUM),
        PageError::BadSize => MgrError::refused(msg::NEED_PAGESIZE),
    }
}

/// The page errors of the order list, which has one message for both parameters.
pub fn order_page_error(_: PageError) -> MgrError {
    MgrError::refused(msg::ORDER_NEED_PAGE)
}

/// `id:6不存在`: the not-found text of customers and orders.
pub fn id_not_found(id: i64) -> Cow<'static, str> {
    format!("id:{id}不存在").into()
}

/// `id:1的客户不存在`.
pub fn unknown_customer(id: i64) -> Cow<'static, str> {
    format!("id:{id}的客户不存在").into()
}

/// `id:3的药品不存在`.
pub fn unknown_medicine(id: i64) -> Cow<'static, str> {
    format!("id:{id}的药品不存在").into()
}
