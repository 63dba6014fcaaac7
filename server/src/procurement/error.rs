//! The procurement wire envelope `{"success", "code", "msg", "data"}`: the one error type of the
//! procurement API, and the one place where domain and store failures become wire errors.
//!
//! Every envelope is HTTP 200 except code 31 没有权限 (HTTP 403) and unknown routes (404/405).

use std::borrow::Cow;

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde_json::json;

use crate::procurement::{
    domain::{FieldError, workflow::Refusal},
    generated::ParamError,
    store::StoreError,
};

/// Message texts of the contract that are not the code table's own.
pub mod msg {
    pub const ORDER_NOT_FOUND: &str = "申请单不存在";
    pub const ORDER_STALE: &str = "申请单已被更新";
    pub const BAD_TRANSITION: &str = "不可以对申请单做此操作";
    pub const NOTICE_NOT_FOUND: &str = "消息不存在";
    pub const NO_SIGNATURE: &str = "申请单还未上传签名文件";
    pub const NOT_AN_IMAGE: &str = "只能上传 jpg/png 图片";
    pub const IMAGE_TOO_LARGE: &str = "图片大小不能超过1MB";
    pub const NOT_EXCEL: &str = "文件格式错误，请上传 .xlsx 或 .xls 文件";
    pub const EXCEL_TOO_LARGE: &str = "文件大小不能超过5MB";
    pub const IMPORT_TOO_MANY_ROWS: &str = "导入的用户不能超过10000行";
    pub const NO_ROUTE: &str = "接口不存在";
    pub const FAILED: &str = "失败";
}

/// A procurement API failure, named by meaning.
#[derive(Debug, thiserror::Error)]
pub enum ProcurementError {
    /// Code 0 with a specific message (a business rule).
    #[error("{0}")]
    Business(Cow<'static, str>),
    #[error("token失效")]
    TokenInvalid,
    #[error("token为空")]
    TokenMissing,
    #[error("参数缺失")]
    Missing,
    #[error("参数错误")]
    Invalid,
    #[error("用户未登录")]
    NotLoggedIn,
    #[error("用户账户过期")]
    AccountExpired,
    #[error("账号密码错误")]
    WrongPassword,
    #[error("密码过期")]
    PasswordExpired,
    #[error("账号不可用")]
    AccountDisabled,
    #[error("账号被锁定")]
    AccountLocked,
    #[error("账号不存在")]
    UnknownAccount,
    #[error("账号已存在")]
    AccountExists,
    #[error("账号下线")]
    AccountOffline,
    #[error("没有权限")]
    Forbidden,
    #[error("接口不存在")]
    NoRoute,
    #[error("接口不存在")]
    MethodNotAllowed,
    /// Anything unexpected: logged, answered 0 失败.
    #[error("internal error: {0}")]
    Internal(#[source] anyhow::Error),
}

impl ProcurementError {
    pub fn business(message: impl Into<Cow<'static, str>>) -> Self {
        Self::Business(message.into())
    }

    pub fn order_not_found() -> Self {
        Self::business(msg::ORDER_NOT_FOUND)
    }

    pub fn bad_transition() -> Self {
        Self::business(msg::BAD_TRANSITION)
    }

    /// The code of the envelope.
    pub fn code(&self) -> i64 {
        match self {
            Self::Business(_) | Self::NoRoute | Self::MethodNotAllowed | Self::Internal(_) => 0,
            Self::TokenInvalid => 2,
            Self::TokenMissing => 3,
            Self::Missing => 11,
            Self::Invalid => 12,
            Self::NotLoggedIn => 21,
            Self::AccountExpired => 22,
            Self::WrongPassword => 23,
            Self::PasswordExpired => 24,
            Self::AccountDisabled => 25,
            Self::AccountLocked => 26,
            Self::UnknownAccount => 27,
            Self::AccountExists => 28,
            Self::AccountOffline => 29,
            Self::Forbidden => 31,
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NoRoute => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            _ => StatusCode::OK,
        }
    }

    fn message(&self) -> Cow<'static, str> {
        match self {
            Self::Business(text) => text.clone(),
            Self::Internal(_) => msg::FAILED.into(),
            other => other.to_string().into(),
        }
    }
}

impl IntoResponse for ProcurementError {
    fn into_response(self) -> Response {
        if let Self::Internal(error) = &self {
            tracing::error!(error = format!("{error:#}"), "procurement request failed");
        }
        let body = json!({
            "success": false,
            "code": self.code(),
            "msg": self.message(),
            "data": null,
        });
        (self.status(), Json(body)).into_response()
    }
}

impl From<FieldError> for ProcurementError {
    fn from(error: FieldError) -> Self {
        match error {
            FieldError::Missing => Self::Missing,
            FieldError::Invalid => Self::Invalid,
        }
    }
}

impl From<ParamError> for ProcurementError {
    fn from(error: ParamError) -> Self {
        match error {
            ParamError::Missing => Self::Missing,
            ParamError::Invalid => Self::Invalid,
        }
    }
}

impl From<Refusal> for ProcurementError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Forbidden => Self::Forbidden,
            Refusal::BadTransition => Self::bad_transition(),
            Refusal::Stale => Self::business(msg::ORDER_STALE),
        }
    }
}

impl From<StoreError> for ProcurementError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::OrderNotFound => Self::order_not_found(),
            StoreError::Stale => Self::business(msg::ORDER_STALE),
            StoreError::BadTransition => Self::bad_transition(),
            StoreError::UnknownDepartment | StoreError::UnknownRole => Self::Invalid,
            StoreError::UserExists => Self::AccountExists,
            StoreError::UnknownUser => Self::UnknownAccount,
            StoreError::Database(error) => Self::Internal(error.into()),
        }
    }
}

impl From<anyhow::Error> for ProcurementError {
    fn from(error: anyhow::Error) -> Self {
        Self::Internal(error)
    }
}
