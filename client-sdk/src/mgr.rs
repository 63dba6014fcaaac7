//! The mgr API (medical back office): session cookie, `{"ret": N, "msg"}` envelope.
//!
//! Build a [`Client`], call [`Client::signin`], then any operation. Each method returns the
//! operation's success type; refusals are [`Error::Mgr`] and a missing
//! session is [`Error::NotLoggedIn`].

use std::sync::{Arc, PoisonError, RwLock};

use reqwest::header::{COOKIE, HeaderMap, HeaderValue, SET_COOKIE};
use reqwest::{RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;

pub use crate::generated::mgr::*;
use crate::transport::{Op, Transport};
use crate::{ClientBuilder, Error, Response, Result, SessionId};

/// Name of the session cookie.
const SESSION_COOKIE: &str = "sessionid";

/// Client of the mgr API. Cheap to clone; clones share the session.
///
/// `Debug` never prints the session id.
#[derive(Clone)]
pub struct Client {
    transport: Transport,
    session: Arc<RwLock<Option<SessionId>>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("transport", &self.transport)
            .field("session", &self.session_id())
            .finish()
    }
}

impl ClientBuilder<Client> {
    /// The client.
    pub fn build(self) -> Result<Client> {
        Ok(Client {
            transport: self.transport()?,
            session: Arc::default(),
        })
    }
}

impl Client {
    /// A client for the server at `base_url` (e.g. `http://127.0.0.1:8080`) with the default
    /// settings of [`ClientBuilder`] (rustls, redirects never followed).
    pub fn new(base_url: &str) -> Result<Self> {
        Self::builder(base_url).build()
    }

    /// A builder for a client of the server at `base_url`: timeouts, user agent, retries, your
    /// own `reqwest::Client`.
    pub fn builder(base_url: &str) -> ClientBuilder<Self> {
        ClientBuilder::new(base_url, std::time::Duration::ZERO)
    }

    /// A client that sends its requests through `http`. The session cookie is kept by this
    /// client, not by `http`'s cookie store, so any `reqwest::Client` works; the server's 302
    /// carries no `Location`, so it is never followed either way.
    pub fn with_http_client(base_url: &str, http: reqwest::Client) -> Result<Self> {
        Self::builder(base_url).http_client(http).build()
    }

    /// The server's base URL.
    pub fn base_url(&self) -> &str {
        self.transport.base()
    }

    /// The current `sessionid`, if signed in: save it to resume the session later.
    pub fn session_id(&self) -> Option<SessionId> {
        self.session
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Replaces the session (for example one saved from an earlier run), or forgets it.
    pub fn set_session_id(&self, session_id: Option<SessionId>) {
        *self.session.write().unwrap_or_else(PoisonError::into_inner) = session_id;
    }

    /// Sends `op` and reads the `ret` envelope: `ret` 0 decodes as `T`.
    pub(crate) async fn call<T, F>(&self, op: &Op, path: &str, build: F) -> Result<Response<T>>
    where
        T: DeserializeOwned,
        F: Fn(RequestBuilder) -> Result<RequestBuilder>,
    {
        let mut headers = HeaderMap::new();
        if let Some(id) = self.session_id()
            && let Ok(value) = HeaderValue::from_str(&format!("{SESSION_COOKIE}={}", id.expose()))
        {
            headers.insert(COOKIE, value);
        }
        let received = self.transport.send(op, path, headers, &build).await?;
        self.keep_session(&received.headers);
        if received.status == StatusCode::FOUND {
            return Err(Error::NotLoggedIn {
                request_id: received.request_id(),
            });
        }
        received.expect_status(op.statuses)?;
        let value = received.json()?;
        let Some(ret) = value.get("ret").and_then(serde_json::Value::as_i64) else {
            return Err(received.decode_error("no integer `ret` in the envelope"));
        };
        if ret != 0 {
            let msg = value.get("msg").and_then(serde_json::Value::as_str);
            return Err(Error::Mgr {
                ret,
                msg: msg.unwrap_or_default().to_owned(),
                status: received.status,
                request_id: received.request_id(),
            });
        }
        let value = received.decode(value)?;
        Ok(Response {
            value,
            meta: received.into_meta(),
        })
    }

    /// Stores or clears the session from the response's `Set-Cookie` headers.
    fn keep_session(&self, headers: &HeaderMap) {
        for header in headers.get_all(SET_COOKIE) {
            let Ok(cookie) = header.to_str() else {
                continue;
            };
            let mut attributes = cookie.split(';').map(str::trim);
            let Some((name, value)) = attributes.next().and_then(|pair| pair.split_once('='))
            else {
                continue;
            };
            if name.trim() != SESSION_COOKIE {
                continue;
            }
            let expired = value.is_empty()
                || attributes.any(|attribute| attribute.eq_ignore_ascii_case("max-age=0"));
            self.set_session_id((!expired).then(|| SessionId::new(value.trim_matches('"'))));
        }
    }

    /// Called after a successful signout: the session is over even if no cookie expired it.
    pub(crate) fn forget_session(&self) {
        self.set_session_id(None);
    }
}
