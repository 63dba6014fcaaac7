//! The procurement API (设备采购申请): JWT bearer token, `{success, code, msg, data}` envelope.
//!
//! Build a [`Client`], call [`Client::login`]; the token from its `Authorization` header is
//! stored and sent on every later call, and replaced whenever a response carries a refreshed
//! one. Each method returns the envelope's `data`; refusals are
//! [`Error::Procurement`] with a [`Code`].

use std::sync::{Arc, PoisonError, RwLock};

use reqwest::header::AUTHORIZATION;
use reqwest::{Method, RequestBuilder};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::files::content_disposition_file_name;
pub use crate::generated::procurement::*;
use crate::wire::Received;
use crate::{Download, Error, Result};

/// Client of the procurement API. Cheap to clone; clones (and tasks sharing one) share the token.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: Arc<RwLock<Option<String>>>,
}

impl Client {
    /// A client for the server at `base_url` (e.g. `http://127.0.0.1:8080`), with its own
    /// `reqwest::Client` (rustls).
    pub fn new(base_url: &str) -> Result<Self> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Self::with_http_client(base_url, http)
    }

    /// A client that sends its requests through `http`.
    pub fn with_http_client(base_url: &str, http: reqwest::Client) -> Result<Self> {
        Ok(Self {
            http,
            base: crate::wire::base_url(base_url)?,
            token: Arc::default(),
        })
    }

    /// The stored `Authorization` value (`Bearer <jwt>`), if logged in.
    pub fn token(&self) -> Option<String> {
        self.token
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Replaces the stored `Authorization` value (sent verbatim), or forgets it.
    pub fn set_token(&self, token: Option<String>) {
        *self.token.write().unwrap_or_else(PoisonError::into_inner) = token;
    }

    pub(crate) fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let request = self.http.request(method, format!("{}{path}", self.base));
        match self.token() {
            Some(token) => request.header(AUTHORIZATION, token),
            None => request,
        }
    }

    /// Sends `request`, keeping any token the response carries.
    async fn send(&self, request: RequestBuilder) -> Result<Received> {
        let response = request.send().await?;
        let received = Received::read(response).await?;
        if let Some(token) = received
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .filter(|value| !value.trim().is_empty())
        {
            self.set_token(Some(token.to_owned()));
        }
        Ok(received)
    }

    /// Sends `request` and reads the envelope: `success: true` decodes `data` as `T`.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        request: RequestBuilder,
        documented: &[u16],
    ) -> Result<T> {
        let received = self.send(request).await?;
        received.expect_status(documented)?;
        let data = envelope_data(&received)?;
        received.decode(data)
    }

    /// Sends `request` and returns the file; a JSON answer is the envelope of an error.
    pub(crate) async fn download(
        &self,
        request: RequestBuilder,
        documented: &[u16],
    ) -> Result<Download> {
        let received = self.send(request).await?;
        received.expect_status(documented)?;
        if received.is_json() {
            envelope_data(&received)?;
            return Err(Error::decode(
                "expected a file, got a successful JSON envelope",
                &received.body,
            ));
        }
        let file_name = received
            .headers
            .get(reqwest::header::CONTENT_DISPOSITION)
            .and_then(|value| value.to_str().ok())
            .and_then(content_disposition_file_name);
        Ok(Download {
            content_type: received.content_type().to_owned(),
            file_name,
            bytes: received.body,
        })
    }

    /// Called after a successful logout of `uid`: forgets the token if it is `uid`'s own (an
    /// admin logging another user out keeps theirs).
    pub(crate) fn forget_token_of(&self, uid: &str) {
        let mut token = self.token.write().unwrap_or_else(PoisonError::into_inner);
        let subject = token.as_deref().and_then(token_subject);
        if subject.is_none_or(|subject| subject == uid) {
            *token = None;
        }
    }
}

/// The `data` of a successful envelope, or the envelope's error.
fn envelope_data(received: &Received) -> Result<Value> {
    let mut value = received.json()?;
    match value.get("success").and_then(Value::as_bool) {
        Some(true) => Ok(value
            .get_mut("data")
            .map(Value::take)
            .unwrap_or(Value::Null)),
        Some(false) => {
            let Some(code) = value.get("code").and_then(Value::as_i64) else {
                return Err(Error::decode(
                    "no integer `code` in the envelope",
                    &received.body,
                ));
            };
            let msg = value.get("msg").and_then(Value::as_str).unwrap_or_default();
            Err(Error::Procurement {
                code: Code::from_code(code),
                msg: msg.to_owned(),
            })
        }
        None => Err(Error::decode(
            "no boolean `success` in the envelope",
            &received.body,
        )),
    }
}

/// The `sub` claim of a `Bearer <jwt>` value, read without checking the signature (only the
/// server can check it; the client merely needs to know whose token it holds).
fn token_subject(token: &str) -> Option<String> {
    let jwt = token.strip_prefix("Bearer ").unwrap_or(token).trim();
    let payload = jwt.split('.').nth(1)?;
    let claims: Value = serde_json::from_slice(&base64url_decode(payload)?).ok()?;
    match claims.get("sub")? {
        Value::String(sub) => Some(sub.clone()),
        other => Some(other.to_string()),
    }
}

/// Unpadded base64url (RFC 4648 §5), as used by JWTs.
fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for byte in text.trim_end_matches('=').bytes() {
        let sextet = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(sextet);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((buffer >> bits) & 0xFF).ok()?);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::token_subject;

    #[test]
    fn token_subject_reads_the_sub_claim() {
        // {"sub":"12345678911","authorities":"普通用户"} in base64url.
        let token = "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkxMSJ9.sig";
        assert_eq!(token_subject(token).as_deref(), Some("12345678911"));
        assert_eq!(token_subject("Bearer not-a-jwt"), None);
    }
}
