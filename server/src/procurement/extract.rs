//! Extractors of the procurement API whose failures answer in the envelope, the bearer-token
//! check ([`Caller`]), the role check ([`Authorized`]), and the response layer that attaches a
//! refreshed token.
//!
//! The documented order of checks (token, account, role, then parameters) follows from the
//! order of a handler's arguments: [`Authorized`] comes first and rejects, while the extractors
//! for the query and the body ([`QueryOf`], [`BodyOf`]) never reject by themselves: they hand the
//! handler a `Result`, so the order holds even for a malformed body.

use std::{
    collections::HashMap,
    marker::PhantomData,
    ops::Deref,
    sync::{Arc, Mutex},
};

use axum::{
    Form,
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Multipart, Query, Request},
    http::{HeaderMap, HeaderValue, header, request::Parts},
    middleware::Next,
    response::Response,
};
use serde_json::{Map, Value};
use tokio::sync::OnceCell;

use crate::{
    app::AppState,
    db::now_unix,
    procurement::{
        domain::{Role, workflow::Actor},
        error::ProcurementError,
        generated::{Endpoint, FromJsonBody, FromQuery, LoginBody},
        store,
        token::{self, REFRESH_WINDOW_SECS},
    },
};

/// State of the procurement API shared by its requests: the signing secret, read from the
/// configuration or, failing that, from (or into) the database on first use.
#[derive(Debug, Default)]
pub struct Shared {
    secret: OnceCell<String>,
}

impl Shared {
    pub async fn secret(&self, state: &AppState) -> Result<&str, ProcurementError> {
        let secret = self
            .secret
            .get_or_try_init(|| async {
                match state
                    .config
                    .jwt_secret
                    .as_deref()
                    .filter(|secret| !secret.is_empty())
                {
                    Some(secret) => Ok::<_, ProcurementError>(secret.to_owned()),
                    None => Ok(store::jwt_secret(&state.db, &token::generate_secret()).await?),
                }
            })
            .await?;
        Ok(secret)
    }
}

fn shared(parts: &Parts) -> Result<Arc<Shared>, ProcurementError> {
    parts
        .extensions
        .get::<Arc<Shared>>()
        .cloned()
        .ok_or_else(|| {
            ProcurementError::Internal(anyhow::anyhow!("procurement state layer missing"))
        })
}

/// Where [`Caller`] leaves a refreshed token for [`attach_refreshed_token`].
#[derive(Clone, Debug, Default)]
struct RefreshSlot(Arc<Mutex<Option<String>>>);

/// Response layer: a token refreshed while handling the request goes out in `Authorization`.
pub async fn attach_refreshed_token(mut request: Request, next: Next) -> Response {
    let slot = RefreshSlot::default();
    request.extensions_mut().insert(slot.clone());
    let mut response = next.run(request).await;
    let refreshed = slot.0.lock().ok().and_then(|mut guard| guard.take());
    if let Some(value) =
        refreshed.and_then(|jwt| HeaderValue::from_str(&format!("Bearer {jwt}")).ok())
    {
        let headers = response.headers_mut();
        headers.insert(header::AUTHORIZATION, value);
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("Authorization"),
        );
    }
    response
}

/// The authenticated caller: a live token of an enabled account.
#[derive(Clone, Debug)]
pub struct Caller {
    pub id: String,
    pub role: Role,
    pub department_id: String,
    pub department: String,
}

impl Caller {
    /// The caller as the workflow sees it.
    pub fn actor(&self) -> Actor<'_> {
        Actor {
            id: &self.id,
            role: self.role,
            department_id: &self.department_id,
        }
    }

    /// Refuses roles outside `roles` with 31.
    pub fn require(&self, roles: &[Role]) -> Result<(), ProcurementError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ProcurementError::Forbidden)
        }
    }
}

fn bearer(headers: &HeaderMap) -> Result<&str, ProcurementError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .map(|value| value.to_str().map(str::trim))
        .transpose()
        .map_err(|_| ProcurementError::TokenInvalid)?;
    match value {
        None | Some("") => Err(ProcurementError::TokenMissing),
        Some(value) => value
            .strip_prefix("Bearer ")
            .map(str::trim)
            .filter(|jwt| !jwt.is_empty())
            .ok_or(ProcurementError::TokenInvalid),
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ProcurementError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let claims = Claims::from_request_parts(parts, state).await?;
        let user = store::user_with_live_token(&state.db, &claims.user_id, &claims.jti).await?;
        claims.admit(state, user).await
    }
}

/// A bearer token whose signature and expiry are checked, but not yet whether it is its
/// user's live token: the second half of [`Caller`], for reads that look the token up in the
/// statement that reads their answer (one round trip, `store::count_unread_with_token`), then
/// call [`Claims::admit`].
#[derive(Debug)]
pub struct Claims {
    pub user_id: String,
    pub jti: String,
    expires_at: i64,
    secret: Arc<Shared>,
    refresh: Option<RefreshSlot>,
}

impl FromRequestParts<AppState> for Claims {
    type Rejection = ProcurementError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let jwt = bearer(&parts.headers)?;
        let shared = shared(parts)?;
        let claims = {
            let secret = shared.secret(state).await?;
            token::verify(secret, jwt).ok_or(ProcurementError::TokenInvalid)?
        };
        Ok(Self {
            user_id: claims.sub,
            jti: claims.jti,
            expires_at: claims.exp,
            secret: shared,
            refresh: parts.extensions.get::<RefreshSlot>().cloned(),
        })
    }
}

impl Claims {
    /// The caller, given the user the token's lookup found (`None`: the token was replaced,
    /// revoked or its user is gone). Refuses a disabled account, and refreshes a token inside
    /// its refresh window (the new token goes out in `Authorization`).
    pub async fn admit(
        self,
        state: &AppState,
        user: Option<store::User>,
    ) -> Result<Caller, ProcurementError> {
        let user = user.ok_or(ProcurementError::TokenInvalid)?;
        if !user.is_active {
            return Err(ProcurementError::AccountOffline);
        }
        let now = now_unix();
        if self.expires_at - now < REFRESH_WINDOW_SECS {
            let secret = self.secret.secret(state).await?;
            let ttl = ttl_secs(state);
            let issued = token::issue(secret, &user.id, user.role, ttl, now)?;
            if !store::replace_token(
                &state.db,
                &user.id,
                &self.jti,
                &issued.jti,
                issued.expires_at,
            )
            .await?
            {
                // A concurrent request refreshed (or revoked) this token first.
                return Err(ProcurementError::TokenInvalid);
            }
            if let Some(slot) = &self.refresh
                && let Ok(mut guard) = slot.0.lock()
            {
                *guard = Some(issued.jwt);
            }
        }
        Ok(Caller {
            id: user.id,
            role: user.role,
            department_id: user.department_id,
            department: user.department,
        })
    }
}

/// A [`Caller`] proven to hold one of the roles of operation `E` (its `x-roles`, through the
/// generated [`Endpoint`]); any other role is refused with 31 before the parameters are read.
/// Dereferences to the caller.
#[derive(Debug)]
pub struct Authorized<E> {
    caller: Caller,
    endpoint: PhantomData<fn() -> E>,
}

impl<E> Authorized<E> {
    pub fn into_caller(self) -> Caller {
        self.caller
    }
}

impl<E: Endpoint> Authorized<E> {
    /// The role check alone, for a handler that admitted its caller itself (a read whose
    /// statement also checks the token: [`Claims::admit`]).
    pub fn check(caller: Caller) -> Result<Self, ProcurementError> {
        caller.require(E::OPERATION.roles)?;
        Ok(Self {
            caller,
            endpoint: PhantomData,
        })
    }
}

impl<E> Deref for Authorized<E> {
    type Target = Caller;

    fn deref(&self) -> &Caller {
        &self.caller
    }
}

impl<E: Endpoint> FromRequestParts<AppState> for Authorized<E> {
    type Rejection = ProcurementError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Self::check(Caller::from_request_parts(parts, state).await?)
    }
}

/// The configured token lifetime in seconds.
pub fn ttl_secs(state: &AppState) -> i64 {
    i64::try_from(state.config.jwt_ttl.as_secs()).unwrap_or(i64::MAX / 2)
}

/// Query parameters as strings; `Err(12)` when the query string cannot be decoded or names a
/// parameter twice (every parameter of the spec holds one value: `page=2&page=` is malformed,
/// not page 1).
#[derive(Debug)]
pub struct Params(pub Result<HashMap<String, String>, ProcurementError>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ProcurementError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Ok(Query(pairs)) =
            Query::<Vec<(String, String)>>::from_request_parts(parts, state).await
        else {
            return Ok(Self(Err(ProcurementError::Invalid)));
        };
        let mut map = HashMap::with_capacity(pairs.len());
        for (key, value) in pairs {
            if map.insert(key, value).is_some() {
                return Ok(Self(Err(ProcurementError::Invalid)));
            }
        }
        Ok(Self(Ok(map)))
    }
}

/// The query parameters of an operation as its generated type (`QueryOf<DeptDenyQuery>`):
/// `Err(12)` as for [`Params`], or the parameters' own 11 and 12 (presence and `maxLength`, in
/// the spec's order). Never rejects, like [`Params`], so the role check answers first.
#[derive(Debug)]
pub struct QueryOf<T>(pub Result<T, ProcurementError>);

impl<T: FromQuery, S: Send + Sync> FromRequestParts<S> for QueryOf<T> {
    type Rejection = ProcurementError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Params(query) = Params::from_request_parts(parts, state).await?;
        Ok(Self(query.and_then(|query| {
            T::from_query(&query).map_err(ProcurementError::from)
        })))
    }
}

/// A JSON object body. Empty: an empty object (the field checks answer 11); not a JSON object,
/// too large, or sent with a `Content-Type` that is not JSON (the spec's "wrong content type"):
/// 12. A body without `Content-Type` is read as JSON.
#[derive(Debug)]
pub struct JsonBody(pub Result<Map<String, Value>, ProcurementError>);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ProcurementError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let declared_not_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|value| !is_json_media_type(value));
        let Ok(bytes) = Bytes::from_request(req, state).await else {
            return Ok(Self(Err(ProcurementError::Invalid)));
        };
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self(Ok(Map::new())));
        }
        if declared_not_json {
            return Ok(Self(Err(ProcurementError::Invalid)));
        }
        Ok(Self(match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(map),
            _ => Err(ProcurementError::Invalid),
        }))
    }
}

/// `application/json` or a `+json` type, parameters (charset) aside.
fn is_json_media_type(value: &HeaderValue) -> bool {
    let Some(mime) = value
        .to_str()
        .ok()
        .and_then(|value| value.split(';').next())
    else {
        return false;
    };
    let mime = mime.trim().to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

/// The JSON request body of an operation as its generated type (`BodyOf<CreateOrderBody>`):
/// `Err(12)` as for [`JsonBody`], or the members' own 11 and 12 (any missing member wins over
/// any malformed one). Never rejects, like [`QueryOf`], so the role check answers first.
#[derive(Debug)]
pub struct BodyOf<T>(pub Result<T, ProcurementError>);

impl<T: FromJsonBody, S: Send + Sync> FromRequest<S> for BodyOf<T> {
    type Rejection = ProcurementError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let JsonBody(body) = JsonBody::from_request(req, state).await?;
        Ok(Self(body.and_then(|body| {
            T::from_json(&body).map_err(ProcurementError::from)
        })))
    }
}

/// The login body (the generated `LoginBody`), sent form-urlencoded or as JSON. A blank field
/// counts as absent (11; `LoginRequest`'s description, which its schema cannot say without
/// making the documented blank-password case an invalid example), and so does a JSON member
/// that is not a string, as it always has. A malformed body is rejected at once (login has no
/// earlier check to keep in order).
#[derive(Debug)]
pub struct Credentials(pub LoginBody);

impl<S: Send + Sync> FromRequest<S> for Credentials {
    type Rejection = ProcurementError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(';').next())
            .is_some_and(|mime| {
                mime.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            });
        let fields: Map<String, Value> = if is_form {
            match Form::<HashMap<String, String>>::from_request(req, state).await {
                Ok(Form(map)) => map
                    .into_iter()
                    .map(|(key, value)| (key, Value::String(value)))
                    .collect(),
                Err(_) => return Err(ProcurementError::Invalid),
            }
        } else {
            let JsonBody(map) = JsonBody::from_request(req, state).await?;
            map?
        };
        let fields = fields
            .into_iter()
            .filter(|(_, value)| value.as_str().is_some_and(|text| !text.trim().is_empty()))
            .collect();
        Ok(Self(LoginBody::from_json(&fields)?))
    }
}

/// A multipart body; `Err(11)` when the request is not multipart at all (no parts sent).
pub struct Upload(pub Result<Multipart, ProcurementError>);

impl<S: Send + Sync> FromRequest<S> for Upload {
    type Rejection = ProcurementError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            Multipart::from_request(req, state)
                .await
                .map_err(|_| ProcurementError::Missing),
        ))
    }
}

/// The parts of an upload: text fields and file contents (a file longer than the limit is
/// cut to the limit plus one byte).
pub struct UploadParts {
    pub texts: HashMap<String, String>,
    pub files: HashMap<String, Vec<u8>>,
}

/// Why reading an upload failed.
pub enum UploadError {
    TooLarge,
    Malformed,
}

/// Reads every part; `Err(TooLarge)` only when the whole body exceeds the body limit.
pub async fn read_upload(
    mut multipart: Multipart,
    max_file: usize,
) -> Result<UploadParts, UploadError> {
    let mut texts = HashMap::new();
    let mut files = HashMap::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(error) => {
                return Err(
                    if error.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                        UploadError::TooLarge
                    } else {
                        UploadError::Malformed
                    },
                );
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        let is_file = field.file_name().is_some();
        let mut field = field;
        let mut data = Vec::new();
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    // Keeps at most one byte more than allowed, so the handler can tell an
                    // oversized file after its other checks without holding all of it.
                    if data.len() <= max_file {
                        let room = max_file + 1 - data.len();
                        data.extend_from_slice(&chunk[..chunk.len().min(room)]);
                    }
                }
                Ok(None) => break,
                Err(error) => {
                    return Err(
                        if error.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                            UploadError::TooLarge
                        } else {
                            UploadError::Malformed
                        },
                    );
                }
            }
        }
        if is_file {
            files.insert(name, data);
        } else {
            texts.insert(name, String::from_utf8_lossy(&data).into_owned());
        }
    }
    Ok(UploadParts { texts, files })
}
