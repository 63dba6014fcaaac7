//! Tag 个人信息: get_my_profile, modify_my_profile.

use axum::{Json, extract::State};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

use crate::{
    app::AppState,
    mgr::{
        domain::{Profile, ProfileChange, ProfileInput, limits},
        error::{MgrError, msg},
        extract::{Admin, MgrJson, MgrQuery},
        http::{OkReply, ProfileReplyOrRefusal, RetMsg, RetOk, Section, object},
        store,
    },
};

const SECTION: Section = Section {
    actions: &["get_my_profile", "modify_my_profile"],
    bad_request: false,
    wrong_method: msg::WRONG_ACTION,
};

/// Query of get_my_profile.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProfileParams {
    /// The operation's action name.
    pub action: String,
}

/// `{"ret": 0, "profile": {...}}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileReply {
    pub ret: i64,
    pub profile: Profile,
}

/// Body of modify_my_profile.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ModifyProfileRequest {
    pub action: String,
    pub profile: ProfileInput,
}

/// The signed-in admin's profile; nulls until first set.
#[utoipa::path(
    get,
    path = "/api/mgr/profile",
    tag = "profile",
    params(ProfileParams),
    responses(
        (status = 200, body = ProfileReplyOrRefusal),
        (status = 302, body = RetMsg),
    ),
    security(("sessionCookie" = [])),
)]
pub async fn get_my_profile(
    State(state): State<AppState>,
    admin: Admin,
    MgrQuery(query): MgrQuery,
) -> Result<Json<ProfileReply>, MgrError> {
    SECTION.check_query(&query, "get_my_profile")?;
    let profile = store::get_profile(&state.db, admin.account_id).await?;
    Ok(Json(ProfileReply { ret: 0, profile }))
}

/// Replaces the signed-in admin's profile.
#[utoipa::path(
    put,
    path = "/api/mgr/profile",
    tag = "profile",
    request_body(content = ModifyProfileRequest, content_type = "application/json"),
    responses(
        (status = 200, body = OkReply),
        (status = 302, body = RetMsg),
    ),
    security(("sessionCookie" = [])),
)]
pub async fn modify_my_profile(
    State(state): State<AppState>,
    admin: Admin,
    MgrJson(body): MgrJson,
) -> Result<Json<RetOk>, MgrError> {
    SECTION.check(body.get("action"), "modify_my_profile")?;
    let change = object(&body, "profile")
        .and_then(profile_change)
        .ok_or(MgrError::refused(msg::PROFILE_MISSING))?;
    let profile = store::get_profile(&state.db, admin.account_id)
        .await?
        .apply(change);
    store::put_profile(&state.db, admin.account_id, &profile).await?;
    Ok(Json(RetOk::new()))
}

/// Each member present is a string within its length, or `null` (which clears it).
fn profile_change(profile: &Map<String, Value>) -> Option<ProfileChange> {
    let member = |key: &str, max: usize| -> Option<Option<Option<String>>> {
        match profile.get(key) {
            None => Some(None),
            Some(Value::Null) => Some(Some(None)),
            Some(Value::String(text)) if text.chars().count() <= max => {
                Some(Some(Some(text.clone())))
            }
            Some(_) => None,
        }
    };
    Some(ProfileChange {
        nickname: member("nickname", limits::NICKNAME)?,
        birthdate: member("birthdate", limits::BIRTHDATE)?,
        bio: member("bio", limits::BIO)?,
    })
}
