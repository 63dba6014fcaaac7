//! The mgr API (medical back office): session cookie, `{"ret": N, "msg"}` envelope.
//!
//! Build a [`Client`], call [`Client::signin`], then any operation. Each method returns the
//! operation's success type; refusals are [`Error::Mgr`] and a missing
//! session is [`Error::NotLoggedIn`].

use std::sync::{Arc, PoisonError, RwLock};

use reqwest::header::{COOKIE, HeaderMap, SET_COOKIE};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;

pub use crate::generated::mgr::*;
use crate::wire::Received;
use crate::{Error, Result};

/// Name of the session cookie.
const SESSION_COOKIE: &str = "sessionid";

/// Client of the mgr API. Cheap to clone; clones share the session.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    session: Arc<RwLock<Option<String>>>,
}

impl Client {
    /// A client for the server at `base_url` (e.g. `http://127.0.0.1:8080`), with its own
    /// `reqwest::Client` (rustls, redirects never followed).
    pub fn new(base_url: &str) -> Result<Self> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Self::with_http_client(base_url, http)
    }

    /// A client that sends its requests through `http`. The session cookie is kept by this
    /// client, not by `http`'s cookie store, so any `reqwest::Client` works; the server's 302
    /// carries no `Location`, so it is never followed either way.
    pub fn with_http_client(base_url: &str, http: reqwest::Client) -> Result<Self> {
        Ok(Self {
            http,
            base: crate::wire::base_url(base_url)?,
            session: Arc::default(),
        })
    }

    /// The current `sessionid`, if signed in.
    pub fn session_id(&self) -> Option<String> {
        self.session
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Replaces the session (for example one saved from an earlier run), or forgets it.
    pub fn set_session_id(&self, session_id: Option<String>) {
        *self.session.write().unwrap_or_else(PoisonError::into_inner) = session_id;
    }

    pub(crate) fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let request = self.http.request(method, format!("{}{path}", self.base));
        match self.session_id() {
            Some(id) => request.header(COOKIE, format!("{SESSION_COOKIE}={id}")),
            None => request,
        }
    }

    /// Sends `request` and reads the `ret` envelope: `ret` 0 decodes as `T`.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        request: RequestBuilder,
        documented: &[u16],
    ) -> Result<T> {
        let response = request.send().await?;
        let received = Received::read(response).await?;
        self.keep_session(&received.headers);
        if received.status == StatusCode::FOUND {
            return Err(Error::NotLoggedIn);
        }
        received.expect_status(documented)?;
        let value = received.json()?;
        let Some(ret) = value.get("ret").and_then(serde_json::Value::as_i64) else {
            return Err(Error::decode(
                "no integer `ret` in the envelope",
                &received.body,
            ));
        };
        if ret != 0 {
            let msg = value.get("msg").and_then(serde_json::Value::as_str);
            return Err(Error::Mgr {
                ret,
                msg: msg.unwrap_or_default().to_owned(),
            });
        }
        received.decode(value)
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
            self.set_session_id((!expired).then(|| value.trim_matches('"').to_owned()));
        }
    }

    /// Called after a successful signout: the session is over even if no cookie expired it.
    pub(crate) fn forget_session(&self) {
        self.set_session_id(None);
    }
}
