//! The procurement API (设备采购申请): JWT bearer token, `{success, code, msg, data}` envelope.
//!
//! Build a [`Client`] ([`Client::new`] or [`Client::builder`]), call [`Client::login`]; the
//! token from its `Authorization` header is stored and sent on every later call, and replaced
//! whenever a response carries a refreshed one. Each method returns the envelope's `data`;
//! refusals are [`Error::Procurement`] with a [`Code`].
//!
//! # Tokens shared by many tasks
//!
//! The server refreshes a token on the first request it sees in the token's last 10 minutes and
//! refuses the old token at once (code 2 token失效), including on requests that were already
//! on their way. Clones of one client share their token, so the client keeps three rules:
//!
//! 1. **Single flight in the refresh window.** While the token is inside the window (10 minutes
//!    plus one for clock skew, see [`ClientBuilder::refresh_window`]), requests go one at a
//!    time, each with the token the previous one brought back.
//! 2. **One retry.** A request refused with code 2 is sent once more if the client's token has
//!    changed since it left, or changes while other requests with the same token are still in
//!    flight. Authentication fails before a request has any effect, so this is safe for every
//!    operation.
//! 3. **Only newer tokens.** A refreshed token is taken only from the response to a request
//!    that carried the current token; a login's token only if it expires no earlier than the
//!    current one. A late response can never bring back a replaced or logged-out token.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::RequestBuilder;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::sync::{Mutex as AsyncMutex, MutexGuard as AsyncMutexGuard, Notify};

use crate::files::content_disposition_file_name;
pub use crate::generated::procurement::*;
use crate::transport::{Op, Transport};
use crate::wire::Received;
use crate::{ClientBuilder, Download, Error, Response, Result, Token};

/// The server refreshes a token with less than 10 minutes left; one more minute allows for the
/// clocks of client and server to differ and for the request's time on the wire.
pub const DEFAULT_REFRESH_WINDOW: Duration = Duration::from_secs(11 * 60);

/// Client of the procurement API. Cheap to clone; clones (and tasks sharing one) share the token.
///
/// `Debug` never prints the token.
#[derive(Debug, Clone)]
pub struct Client {
    transport: Transport,
    auth: Arc<Auth>,
}

impl ClientBuilder<Client> {
    /// How long before its expiry a token counts as "about to be refreshed" (default
    /// [`DEFAULT_REFRESH_WINDOW`]): inside it, requests on this client go one at a time.
    pub fn refresh_window(mut self, window: Duration) -> Self {
        self.refresh_window = window;
        self
    }

    /// The client.
    pub fn build(self) -> Result<Client> {
        Ok(Client {
            transport: self.transport()?,
            auth: Arc::new(Auth {
                state: Mutex::default(),
                gate: AsyncMutex::new(()),
                changed: Notify::new(),
                refresh_window: self.refresh_window,
            }),
        })
    }
}

impl Client {
    /// A client for the server at `base_url` (e.g. `http://127.0.0.1:8080`) with the default
    /// settings of [`ClientBuilder`].
    pub fn new(base_url: &str) -> Result<Self> {
        Self::builder(base_url).build()
    }

    /// A builder for a client of the server at `base_url`: timeouts, user agent, retries, your
    /// own `reqwest::Client`.
    pub fn builder(base_url: &str) -> ClientBuilder<Self> {
        ClientBuilder::new(base_url, DEFAULT_REFRESH_WINDOW)
    }

    /// A client that sends its requests through `http` (shorthand for
    /// `Client::builder(base_url).http_client(http).build()`).
    pub fn with_http_client(base_url: &str, http: reqwest::Client) -> Result<Self> {
        Self::builder(base_url).http_client(http).build()
    }

    /// The server's base URL.
    pub fn base_url(&self) -> &str {
        self.transport.base()
    }

    /// The stored token (`Bearer <jwt>`), if logged in: save it to resume the session later.
    pub fn token(&self) -> Option<Token> {
        self.auth.current()
    }

    /// Replaces the stored token (sent verbatim), for example one saved from an earlier run, or
    /// forgets it. This always wins over what responses in flight bring back.
    pub fn set_token(&self, token: Option<Token>) {
        self.auth.replace(token);
    }

    /// The caller's own user id, read from the token (for the operations that send it).
    pub(crate) fn own_uid(&self) -> Result<UserId> {
        self.token()
            .and_then(|token| token.subject())
            .map(UserId::from)
            .ok_or(Error::NoToken)
    }

    /// Sends `op`, keeping any token the response carries, with the token rules of the module.
    async fn send<F>(&self, op: &Op, path: &str, build: F) -> Result<Received>
    where
        F: Fn(RequestBuilder) -> Result<RequestBuilder>,
    {
        let mut retried = false;
        loop {
            let gate = self.auth.enter().await;
            let sent = self.auth.current();
            let flight = Flight::depart(&self.auth, sent.as_ref());
            let mut headers = HeaderMap::new();
            if let Some(token) = &sent
                && let Ok(value) = HeaderValue::from_str(token.expose())
            {
                headers.insert(AUTHORIZATION, value);
            }
            let outcome = self.transport.send(op, path, headers, &build).await;
            if let Ok(received) = &outcome {
                self.auth.adopt(sent.as_ref(), received, op.public);
            }
            drop(gate);
            drop(flight);
            let received = outcome?;
            if let Some(sent) = &sent
                && !retried
                && refused_token(&received)
                && self.auth.succeeded(sent).await
            {
                retried = true;
                continue;
            }
            return Ok(received);
        }
    }

    /// Sends `op` and reads the envelope: `success: true` decodes `data` as `T`.
    pub(crate) async fn call<T, F>(&self, op: &Op, path: &str, build: F) -> Result<Response<T>>
    where
        T: DeserializeOwned,
        F: Fn(RequestBuilder) -> Result<RequestBuilder>,
    {
        let received = self.send(op, path, build).await?;
        received.expect_status(op.statuses)?;
        let data = envelope_data(&received)?;
        let value = received.decode(data)?;
        Ok(Response {
            value,
            meta: received.into_meta(),
        })
    }

    /// Sends `op` and returns the file; a JSON answer is the envelope of an error.
    pub(crate) async fn download<F>(
        &self,
        op: &Op,
        path: &str,
        build: F,
    ) -> Result<Response<Download>>
    where
        F: Fn(RequestBuilder) -> Result<RequestBuilder>,
    {
        let mut received = self.send(op, path, build).await?;
        received.expect_status(op.statuses)?;
        if received.is_json() {
            envelope_data(&received)?;
            return Err(received.decode_error("expected a file, got a successful JSON envelope"));
        }
        let file_name = received
            .headers
            .get(reqwest::header::CONTENT_DISPOSITION)
            .and_then(|value| value.to_str().ok())
            .and_then(content_disposition_file_name);
        let content_type = received.content_type().to_owned();
        let bytes = std::mem::take(&mut received.body);
        Ok(Response {
            value: Download {
                content_type,
                file_name,
                bytes,
            },
            meta: received.into_meta(),
        })
    }

    /// Called after a successful logout of `uid`: forgets the token if it is `uid`'s own (an
    /// admin logging another user out keeps theirs).
    pub(crate) fn forget_token_of(&self, uid: &str) {
        self.auth.forget_if_subject(uid);
    }
}

/// The token of a client and its clones, and what keeps it consistent across tasks.
struct Auth {
    state: Mutex<AuthState>,
    /// Held by the one request in flight while the token is inside the refresh window.
    gate: AsyncMutex<()>,
    /// Woken whenever the token changes or a request finishes.
    changed: Notify,
    refresh_window: Duration,
}

#[derive(Default)]
struct AuthState {
    token: Option<Token>,
    /// Requests in flight, by the token they carry.
    in_flight: HashMap<Token, usize>,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let logged_in = self.lock().token.is_some();
        f.debug_struct("Auth")
            .field("token", &logged_in.then_some("<redacted>"))
            .field("refresh_window", &self.refresh_window)
            .finish_non_exhaustive()
    }
}

impl Auth {
    fn lock(&self) -> std::sync::MutexGuard<'_, AuthState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn current(&self) -> Option<Token> {
        self.lock().token.clone()
    }

    fn replace(&self, token: Option<Token>) {
        self.lock().token = token;
        self.changed.notify_waiters();
    }

    fn forget_if_subject(&self, uid: &str) {
        let mut state = self.lock();
        let subject = state.token.as_ref().and_then(Token::subject);
        if subject.is_none_or(|subject| subject == uid) {
            state.token = None;
        }
        drop(state);
        self.changed.notify_waiters();
    }

    /// Whether the current token is inside the refresh window.
    fn in_window(&self) -> bool {
        let Some(expires_at) = self.current().as_ref().and_then(Token::expires_at) else {
            return false;
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs());
        let window = self.refresh_window.as_secs();
        i64::try_from(now.saturating_add(window)).is_ok_and(|horizon| expires_at <= horizon)
    }

    /// Waits for the gate when the token is inside the refresh window. The previous holder may
    /// have brought back a token outside it, so the window is looked at again once inside.
    async fn enter(&self) -> Option<AsyncMutexGuard<'_, ()>> {
        if !self.in_window() {
            return None;
        }
        let guard = self.gate.lock().await;
        self.in_window().then_some(guard)
    }

    /// Takes the token of `received`'s `Authorization` header if it is newer than the current
    /// one (rule 3 of the module).
    fn adopt(&self, sent: Option<&Token>, received: &Received, public: bool) {
        let Some(new) = received
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .filter(|value| !value.trim().is_empty())
            .map(Token::from)
        else {
            return;
        };
        let mut state = self.lock();
        let accept = match (&state.token, sent) {
            (Some(current), _) if *current == new => false,
            // The successor of the token this request carried.
            (Some(current), Some(sent)) if current == sent => true,
            // A login: its token replaces the server's live one, unless a newer one is here.
            (Some(current), _) if public => new.expires_at() >= current.expires_at(),
            (None, _) => public,
            // The answer to a request that left with a token since replaced or forgotten.
            (Some(_), _) => false,
        };
        if accept {
            state.token = Some(new);
            drop(state);
            self.changed.notify_waiters();
        }
    }

    /// After a refusal with code 2 of a request that carried `sent`: whether the client now
    /// holds another token, waiting while other requests that carry `sent` are in flight (one
    /// of them may be the refresh).
    async fn succeeded(&self, sent: &Token) -> bool {
        loop {
            let changed = self.changed.notified();
            {
                let state = self.lock();
                match &state.token {
                    Some(current) if current != sent => return true,
                    None => return false,
                    Some(_) => {}
                }
                if state.in_flight.get(sent).copied().unwrap_or(0) == 0 {
                    return false;
                }
            }
            changed.await;
        }
    }
}

/// One request in flight with a token; counted until dropped.
struct Flight<'a> {
    auth: &'a Auth,
    token: Option<Token>,
}

impl<'a> Flight<'a> {
    fn depart(auth: &'a Auth, token: Option<&Token>) -> Self {
        if let Some(token) = token {
            *auth.lock().in_flight.entry(token.clone()).or_insert(0) += 1;
        }
        Self {
            auth,
            token: token.cloned(),
        }
    }
}

impl Drop for Flight<'_> {
    fn drop(&mut self) {
        if let Some(token) = self.token.take() {
            let mut state = self.auth.lock();
            if let Some(count) = state.in_flight.get_mut(&token) {
                *count -= 1;
                if *count == 0 {
                    state.in_flight.remove(&token);
                }
            }
            drop(state);
            self.auth.changed.notify_waiters();
        }
    }
}

/// Whether the server refused the request's token as invalid (code 2 token失效). Runs on every
/// authenticated answer, so it reads only the envelope's two members and skips the rest (a
/// page of orders is not built into a `Value` here; `call` decodes it once afterwards).
fn refused_token(received: &Received) -> bool {
    #[derive(serde::Deserialize)]
    struct Envelope {
        success: Option<bool>,
        code: Option<i64>,
    }
    received.is_json()
        && serde_json::from_slice::<Envelope>(&received.body).is_ok_and(|envelope| {
            envelope.success == Some(false) && envelope.code == Some(Code::TokenInvalid.code())
        })
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
                return Err(received.decode_error("no integer `code` in the envelope"));
            };
            let msg = value.get("msg").and_then(Value::as_str).unwrap_or_default();
            Err(Error::Procurement {
                code: Code::from_code(code),
                msg: msg.to_owned(),
                status: received.status,
                request_id: received.request_id(),
            })
        }
        None => Err(received.decode_error("no boolean `success` in the envelope")),
    }
}
