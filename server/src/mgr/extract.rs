//! Extractors for the mgr API whose rejections are [`MgrError`]s, so that malformed JSON, a
//! wrong content type, a bad query string or an oversized body still answer in the envelope.
//! Also the session cookie: [`Admin`] is the signed-in account, or HTTP 302.

use std::collections::HashMap;

use axum::{
    Form,
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Query, Request},
    http::{HeaderMap, StatusCode, header, request::Parts},
};
use serde_json::{Map, Value};

use crate::{
    app::AppState,
    mgr::{
        error::{MgrError, msg},
        store,
    },
};

/// Name of the session cookie (as Django names it).
pub const SESSION_COOKIE: &str = "sessionid";

/// Query string parameters as strings (GET operations).
#[derive(Debug)]
pub struct MgrQuery(pub HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for MgrQuery {
    type Rejection = MgrError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(map) = Query::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| MgrError::bad_request(msg::BAD_QUERY))?;
        Ok(Self(map))
    }
}

/// A JSON object body (POST, PUT and DELETE operations). As the spec says, the body is parsed
/// as JSON whatever the `Content-Type`, and a body that is empty, not JSON or not an object
/// counts as an empty object (so the handler answers 未传action类型). Only an oversized body is
/// refused here (HTTP 413).
#[derive(Debug)]
pub struct MgrJson(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for MgrJson {
    type Rejection = MgrError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = match Bytes::from_request(req, state).await {
            Ok(bytes) => bytes,
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(MgrError::PayloadTooLarge);
            }
            Err(_) => Bytes::new(),
        };
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(Self(map)),
            _ => Ok(Self(Map::new())),
        }
    }
}

/// The sign-in body: form-urlencoded (as documented) or JSON, as a string map.
#[derive(Debug)]
pub struct SigninBody(pub HashMap<String, String>);

impl<S: Send + Sync> FromRequest<S> for SigninBody {
    type Rejection = MgrError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if has_content_type(req.headers(), "application/x-www-form-urlencoded") {
            return match Form::<HashMap<String, String>>::from_request(req, state).await {
                Ok(Form(map)) => Ok(Self(map)),
                Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    Err(MgrError::PayloadTooLarge)
                }
                // An undecodable form carries no credentials: 错误的用户名或密码.
                Err(_) => Ok(Self(HashMap::new())),
            };
        }
        // Anything else is read as JSON, like every other mgr body.
        let MgrJson(map) = MgrJson::from_request(req, state).await?;
        let fields = map
            .into_iter()
            .filter_map(|(key, value)| match value {
                Value::String(text) => Some((key, text)),
                _ => None,
            })
            .collect();
        Ok(Self(fields))
    }
}

fn has_content_type(headers: &HeaderMap, expected: &str) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case(expected))
}

/// The signed-in mgr admin; extracting it from a request without a live session answers 302.
#[derive(Clone, Debug)]
pub struct Admin {
    pub account_id: i64,
    pub session_id: String,
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = MgrError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(session_id) = session_cookie(&parts.headers) else {
            return Err(MgrError::LoginRequired);
        };
        match store::session_account(&state.db, &session_id).await? {
            Some(account_id) => Ok(Self {
                account_id,
                session_id,
            }),
            None => Err(MgrError::LoginRequired),
        }
    }
}

/// The session cookie of a request, not yet checked against the database: a read checks it in
/// the statement that reads its page (one round trip, `store::list_medicines`), and answers
/// 302 when that finds no live session. A request without a plausible cookie answers 302 here.
#[derive(Clone, Debug)]
pub struct AdminSession {
    pub session_id: String,
}

impl AdminSession {
    /// Checks the session on its own: for the paths that answer before reading (a refused
    /// parameter must still answer 302 first when the session is not live).
    pub async fn verify(&self, state: &AppState) -> Result<Admin, MgrError> {
        match store::session_account(&state.db, &self.session_id).await? {
            Some(account_id) => Ok(Admin {
                account_id,
                session_id: self.session_id.clone(),
            }),
            None => Err(MgrError::LoginRequired),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for AdminSession {
    type Rejection = MgrError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        session_cookie(&parts.headers)
            .map(|session_id| Self { session_id })
            .ok_or(MgrError::LoginRequired)
    }
}

/// The value of the `sessionid` cookie, if the request carries a plausible one.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|value| value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `Set-Cookie` value that installs a session for `max_age_secs`.
pub fn set_session_cookie(session_id: &str, max_age_secs: u64) -> String {
    format!("{SESSION_COOKIE}={session_id}; HttpOnly; SameSite=Lax; Path=/; Max-Age={max_age_secs}")
}

/// `Set-Cookie` value that removes the session cookie.
pub fn clear_session_cookie() -> String {
    format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0")
}

/// A new random session id: 256 bits from the OS-seeded CSPRNG, hex-encoded.
pub fn new_session_id() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
