//! Tag user: login, own user data, logout, own password.

use std::sync::Arc;

use axum::{
    Extension, Json,
    extract::State,
    http::{HeaderValue, header},
    response::IntoResponse,
};
use serde_json::{Value, json};

use crate::{
    app::AppState,
    db::now_unix,
    password,
    procurement::{
        domain::{self, Role},
        error::ProcurementError,
        extract::{Authorized, BodyOf, Credentials, QueryOf, Shared, ttl_secs},
        generated::{
            ChangePassword, ChangePasswordBody, GetUserInfo, GetUserInfoQuery, Logout, LogoutQuery,
        },
        http::{Reply, ok, user_id},
        store::{self, User},
        token,
    },
};

/// How long an account stays locked after its 5th consecutive failure (the threshold is in
/// `store::record_failed_login`).
const LOCK_SECS: i64 = 15 * 60;

/// A user as answered (ResultUser): the password is always null.
pub fn user_json(user: &User) -> Value {
    json!({
        "id": user.id,
        "username": user.username,
        "password": null,
        "department": user.department,
        "role": user.role.name(),
    })
}

/// 登录: checks the credentials and issues the user's one live token.
#[utoipa::path(
    post,
    path = "/user/login",
    tag = "user",
    request_body(content((super::LoginForm = "application/json"), (super::LoginForm = "application/x-www-form-urlencoded"))),
    responses((status = 200, description = "Envelope with LoginData; token in `Authorization`")),
    security(()),
)]
pub async fn login(
    State(state): State<AppState>,
    Extension(shared): Extension<Arc<Shared>>,
    Credentials(credentials): Credentials,
) -> Reply {
    // The generated body answered 11 for an absent or blank field; the id is looked up trimmed,
    // the password is checked as sent.
    let username = credentials.username.trim();
    let password = credentials.password;
    let user = store::find_user(&state.db, username)
        .await?
        .ok_or(ProcurementError::UnknownAccount)?;
    let now = now_unix();
    match user.locked_until {
        Some(until) if until > now => return Err(ProcurementError::AccountLocked),
        Some(_) => store::reset_failed_logins(&state.db, &user.id).await?,
        None => {}
    }
    if !password::verify(password, Some(user.password_hash.clone())).await {
        store::record_failed_login(&state.db, &user.id, now + LOCK_SECS).await?;
        return Err(ProcurementError::WrongPassword);
    }
    if !user.is_active {
        return Err(ProcurementError::AccountDisabled);
    }
    if user.expires_at.is_some_and(|expires_at| expires_at <= now) {
        return Err(ProcurementError::AccountExpired);
    }
    let max_age = i64::try_from(state.config.password_max_age_days)
        .unwrap_or(i64::MAX)
        .saturating_mul(86_400);
    if max_age > 0 && user.password_changed_at.saturating_add(max_age) <= now {
        return Err(ProcurementError::PasswordExpired);
    }
    if user.failed_logins > 0 {
        store::reset_failed_logins(&state.db, &user.id).await?;
    }
    let secret = shared.secret(&state).await?;
    let issued = token::issue(secret, &user.id, user.role, ttl_secs(&state), now)?;
    store::set_token(&state.db, &user.id, &issued.jti, issued.expires_at).await?;
    tracing::info!(user = %user.id, "procurement login");
    let bearer = HeaderValue::from_str(&format!("Bearer {}", issued.jwt))
        .map_err(|error| ProcurementError::Internal(error.into()))?;
    let data = json!({
        "loginName": user.username,
        "role": user.role.id(),
        "menu": domain::menus(user.role),
    });
    Ok((
        [
            (header::AUTHORIZATION, bearer),
            (
                header::ACCESS_CONTROL_EXPOSE_HEADERS,
                HeaderValue::from_static("Authorization"),
            ),
        ],
        Json(json!({"success": true, "code": 1, "msg": "成功", "data": data})),
    )
        .into_response())
}

/// 获取用户信息: own user, or any user for an admin.
#[utoipa::path(
    get,
    path = "/user/info",
    tag = "user",
    params(("id" = String, Query, description = "User id (11 digits)")),
    responses((status = 200, description = "Envelope with ResultUser"), (status = 403, description = "31 没有权限")),
    security(("bearerAuth" = [])),
)]
pub async fn get_user_info(
    State(state): State<AppState>,
    caller: Authorized<GetUserInfo>,
    QueryOf(query): QueryOf<GetUserInfoQuery>,
) -> Reply {
    let query = query?;
    let id = user_id(&query.id)?;
    if id != caller.id && caller.role != Role::Admin {
        return Err(ProcurementError::Forbidden);
    }
    let user = store::find_user(&state.db, id)
        .await?
        .ok_or(ProcurementError::UnknownAccount)?;
    ok(user_json(&user))
}

/// 登出: revokes the live token of `uid` (own, or anyone's for an admin).
#[utoipa::path(
    get,
    path = "/user/logout",
    tag = "user",
    params(("uid" = String, Query, description = "User id to log out (normally the caller's)")),
    responses((status = 200, description = "Envelope"), (status = 403, description = "31 没有权限")),
    security(("bearerAuth" = [])),
)]
pub async fn logout(
    State(state): State<AppState>,
    caller: Authorized<Logout>,
    QueryOf(query): QueryOf<LogoutQuery>,
) -> Reply {
    let query = query?;
    let uid = user_id(&query.uid)?;
    let now = now_unix();
    if uid == caller.id {
        store::delete_token(&state.db, uid, now).await?;
        return ok(Value::Null);
    }
    if caller.role != Role::Admin {
        return Err(ProcurementError::Forbidden);
    }
    if store::delete_token(&state.db, uid, now).await? {
        ok(Value::Null)
    } else {
        Err(ProcurementError::NotLoggedIn)
    }
}

/// 修改密码: own password; logs the user out everywhere.
#[utoipa::path(
    put,
    path = "/user/pwd",
    tag = "user",
    request_body(content = super::JsonObject, content_type = "application/json"),
    responses((status = 200, description = "Envelope"), (status = 403, description = "31 没有权限")),
    security(("bearerAuth" = [])),
)]
pub async fn change_password(
    State(state): State<AppState>,
    caller: Authorized<ChangePassword>,
    BodyOf(body): BodyOf<ChangePasswordBody>,
) -> Reply {
    // Presence (11) and the new password's 6 to 64 characters (12) are the generated body's.
    let body = body?;
    let (uid, old, new) = (body.uid, body.old_password, body.new_password);
    if !domain::is_user_id(&uid) {
        return Err(ProcurementError::Invalid);
    }
    if uid != caller.id {
        return Err(ProcurementError::Forbidden);
    }
    let user = store::find_user(&state.db, &uid)
        .await?
        .ok_or(ProcurementError::UnknownAccount)?;
    if !password::verify(old, Some(user.password_hash)).await {
        return Err(ProcurementError::WrongPassword);
    }
    let hash = password::hash(new).await?;
    store::set_password(&state.db, &uid, &hash, now_unix()).await?;
    ok(Value::Null)
}
