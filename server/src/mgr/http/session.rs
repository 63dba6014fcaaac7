//! Tag 登录相关: signin and signout.

use axum::{
    Json,
    extract::State,
    http::header,
    response::{AppendHeaders, IntoResponse, Response},
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::{
    app::AppState,
    mgr::{
        error::{MgrError, msg},
        extract::{
            Admin, MgrQuery, SigninBody, clear_session_cookie, new_session_id, set_session_cookie,
        },
        http::RetMsg,
        store,
    },
    password,
};

/// Sign-in fields, form-urlencoded or JSON.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SigninForm {
    pub username: String,
    pub password: String,
}

/// Signs an active superuser in and sets the `sessionid` cookie.
#[utoipa::path(
    post,
    path = "/api/mgr/signin",
    tag = "auth",
    request_body(content(
        (SigninForm = "application/x-www-form-urlencoded"),
        (SigninForm = "application/json"),
    )),
    responses(
        (status = 200, body = RetMsg, headers(("Set-Cookie" = String))),
    ),
)]
pub async fn signin(
    State(state): State<AppState>,
    SigninBody(fields): SigninBody,
) -> Result<Response, MgrError> {
    let (Some(username), Some(password)) = (fields.get("username"), fields.get("password")) else {
        return Err(MgrError::refused(msg::BAD_CREDENTIALS));
    };
    if username.is_empty() || password.is_empty() {
        return Err(MgrError::refused(msg::BAD_CREDENTIALS));
    };
    let account = store::find_account(&state.db, username).await?;
    let hash = account
        .as_ref()
        .map(|account| account.password_hash.clone());
    let verified = password::verify(password.clone(), hash).await;
    let account = match account {
        Some(account) if verified => account,
        _ => return Err(MgrError::refused(msg::BAD_CREDENTIALS)),
    };
    if !account.is_active {
        return Err(MgrError::refused(msg::INACTIVE));
    }
    if !account.is_superuser {
        return Err(MgrError::refused(msg::NOT_ADMIN));
    }
    let lifetime = state.config.session_lifetime;
    let expires_at =
        crate::db::now_unix().saturating_add(i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX));
    let session_id = new_session_id();
    store::create_session(&state.db, &session_id, account.id, expires_at).await?;
    tracing::info!(account_id = account.id, "mgr sign-in");
    Ok((
        AppendHeaders([(
            header::SET_COOKIE,
            set_session_cookie(&session_id, lifetime.as_secs()),
        )]),
        Json(RetMsg::ok(msg::SIGNIN_OK)),
    )
        .into_response())
}

/// Query of signout: `action` is optional.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SignoutParams {
    /// Optional; only `signout` is accepted.
    pub action: Option<String>,
}

/// Ends the current session and removes the cookie.
#[utoipa::path(
    get,
    path = "/api/mgr/signout",
    tag = "auth",
    params(SignoutParams),
    responses(
        (status = 200, body = RetMsg),
        (status = 302, body = RetMsg),
    ),
    security(("sessionCookie" = [])),
)]
pub async fn signout(
    State(state): State<AppState>,
    admin: Admin,
    MgrQuery(query): MgrQuery,
) -> Result<Response, MgrError> {
    if query
        .get("action")
        .is_some_and(|action| action != "signout")
    {
        return Err(MgrError::refused(msg::SIGNOUT_UNSUPPORTED));
    }
    store::delete_session(&state.db, &admin.session_id).await?;
    Ok((
        AppendHeaders([(header::SET_COOKIE, clear_session_cookie())]),
        Json(RetMsg::ok(msg::SIGNOUT_OK)),
    )
        .into_response())
}
