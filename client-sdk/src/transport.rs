//! What both clients share: the HTTP client and its settings ([`ClientBuilder`]), sending one
//! operation with the optional retries ([`RetryPolicy`]), the response's metadata
//! ([`ResponseMeta`]) and the optional `tracing` span around each call.

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderValue, USER_AGENT};
use reqwest::{Method, RequestBuilder, StatusCode};

use crate::wire::Received;
use crate::{Error, Result};

/// The header in which the medsys server (and most proxies) name a request.
pub(crate) const REQUEST_ID: &str = "x-request-id";

/// The `User-Agent` sent by default: `medsys-client/<version>`.
pub const DEFAULT_USER_AGENT: &str = concat!("medsys-client/", env!("CARGO_PKG_VERSION"));
/// Default time allowed to open a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed for a whole request (sending, waiting, reading the body), per attempt.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// What the generated code knows about one operation, for sending it and for its span.
pub(crate) struct Op {
    /// The spec's `operationId`.
    pub id: &'static str,
    pub method: Method,
    /// The path template (`/order/detail`), never with values: safe to log.
    #[cfg_attr(
        not(feature = "tracing"),
        expect(dead_code, reason = "only the tracing span reads it")
    )]
    pub path: &'static str,
    /// The HTTP statuses the operation documents.
    pub statuses: &'static [u16],
    /// Whether the operation needs no credentials (`x-roles: [public]`).
    pub public: bool,
}

impl Op {
    /// RFC 9110 §9.2.2: a request that can be repeated with the effect of one.
    fn is_idempotent(&self) -> bool {
        matches!(
            self.method,
            Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE
        )
    }
}

/// Retries of failed attempts, off by default.
///
/// Only idempotent operations (HTTP `GET`, `HEAD`, `OPTIONS`, `PUT`, `DELETE`) are retried, and
/// only after a transport error (connection refused or reset, timeout) or an HTTP 502, 503 or
/// 504, which proxies answer when the server behind them is down or busy. A `POST` (log in,
/// create an order, import users) is never repeated: it could take effect twice. A repeated
/// `PUT` or `DELETE` whose first attempt did reach the server answers what the server says to
/// the repeat (for example 不可以对申请单做此操作 for an approval already made).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
}

impl RetryPolicy {
    /// No retries: every failure is returned at once (the default).
    pub const fn none() -> Self {
        Self {
            max_retries: 0,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(2),
        }
    }

    /// Up to `max_retries` retries, waiting 100 ms before the first and doubling up to 2 s.
    pub const fn new(max_retries: u32) -> Self {
        Self {
            max_retries,
            ..Self::none()
        }
    }

    /// The wait before the first retry (default 100 ms); each later wait doubles it.
    #[must_use]
    pub const fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The longest wait between two attempts (default 2 s).
    #[must_use]
    pub const fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// How many retries at most follow the first attempt.
    pub const fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// The wait before retry number `retry` (1-based).
    fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::none()
    }
}

/// Builds a [`mgr::Client`](crate::mgr::Client) or a
/// [`procurement::Client`](crate::procurement::Client): start from
/// [`mgr::Client::builder`](crate::mgr::Client::builder) or
/// [`procurement::Client::builder`](crate::procurement::Client::builder).
///
/// Defaults: connect timeout 10 s, total timeout 30 s per attempt, `User-Agent`
/// `medsys-client/<version>`, no retries, redirects never followed, rustls.
///
/// ```no_run
/// use std::time::Duration;
/// use medsys_client::{RetryPolicy, procurement};
///
/// # fn demo() -> medsys_client::Result<()> {
/// let client = procurement::Client::builder("https://procurement.example.org")
///     .timeout(Duration::from_secs(10))
///     .user_agent("purchasing-report/1.4")
///     .retry(RetryPolicy::new(3))
///     .build()?;
/// # Ok(()) }
/// ```
#[must_use]
pub struct ClientBuilder<C> {
    pub(crate) base_url: String,
    connect_timeout: Duration,
    timeout: Option<Duration>,
    timeout_set: bool,
    user_agent: Option<String>,
    pub(crate) retry: RetryPolicy,
    http: Option<reqwest::Client>,
    pub(crate) refresh_window: Duration,
    api: PhantomData<fn() -> C>,
}

impl<C> std::fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("user_agent", &self.user_agent)
            .field("retry", &self.retry)
            .field("own_http_client", &self.http.is_some())
            .finish_non_exhaustive()
    }
}

impl<C> ClientBuilder<C> {
    pub(crate) fn new(base_url: &str, refresh_window: Duration) -> Self {
        Self {
            base_url: base_url.to_owned(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: Some(DEFAULT_TIMEOUT),
            timeout_set: false,
            user_agent: None,
            retry: RetryPolicy::none(),
            http: None,
            refresh_window,
            api: PhantomData,
        }
    }

    /// Time allowed to open a connection (default 10 s). Ignored with
    /// [`http_client`](Self::http_client): that client's own setting applies.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for each attempt of a request, from sending to the end of the body
    /// (default 30 s). A timed-out attempt is [`Error::Transport`] (`is_timeout()`).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self.timeout_set = true;
        self
    }

    /// No total timeout: a request waits as long as the server takes.
    pub fn no_timeout(mut self) -> Self {
        self.timeout = None;
        self.timeout_set = true;
        self
    }

    /// The `User-Agent` header (default `medsys-client/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Retries for idempotent operations (default: none). See [`RetryPolicy`].
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Sends through this `reqwest::Client` (its proxy, TLS roots, pool, connect timeout)
    /// instead of one of the SDK's. The builder's [`timeout`](Self::timeout) and
    /// [`user_agent`](Self::user_agent), when set, still apply to each request. Sessions and
    /// tokens are kept by the SDK, not by the client's cookie store; its redirect policy should
    /// not follow redirects (the mgr API answers "not logged in" with a 302).
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// The transport these settings describe.
    pub(crate) fn transport(&self) -> Result<Transport> {
        let base = crate::wire::base_url(&self.base_url)?;
        let user_agent = |text: &str| {
            HeaderValue::from_str(text).map_err(|_| Error::InvalidConfig {
                message: format!("user agent {text:?} is not a valid header value"),
            })
        };
        let (http, per_request_agent, per_request_timeout) = match &self.http {
            Some(http) => (
                http.clone(),
                self.user_agent.as_deref().map(user_agent).transpose()?,
                self.timeout_set.then_some(self.timeout).flatten(),
            ),
            None => {
                let agent = user_agent(self.user_agent.as_deref().unwrap_or(DEFAULT_USER_AGENT))?;
                let mut builder = reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .connect_timeout(self.connect_timeout)
                    .user_agent(agent);
                if let Some(timeout) = self.timeout {
                    builder = builder.timeout(timeout);
                }
                (builder.build()?, None, None)
            }
        };
        Ok(Transport {
            http,
            base: base.into(),
            user_agent: per_request_agent,
            timeout: per_request_timeout,
            retry: self.retry,
        })
    }
}

/// The HTTP side of a client: shared by its clones.
#[derive(Clone)]
pub(crate) struct Transport {
    http: reqwest::Client,
    base: Arc<str>,
    /// Set per request only when the caller brought their own `reqwest::Client`.
    user_agent: Option<HeaderValue>,
    timeout: Option<Duration>,
    retry: RetryPolicy,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("base", &self.base)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl Transport {
    /// The base URL, without a trailing slash.
    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    /// Sends `op` to `path` with `headers` (credentials), retrying as the policy allows.
    /// `build` adds the query and body to a fresh request for every attempt.
    pub(crate) async fn send<F>(
        &self,
        op: &Op,
        path: &str,
        headers: HeaderMap,
        build: &F,
    ) -> Result<Received>
    where
        F: Fn(RequestBuilder) -> Result<RequestBuilder>,
    {
        #[cfg(feature = "tracing")]
        {
            use tracing::Instrument;
            let span = tracing::info_span!(
                "medsys_client.call",
                operation = op.id,
                http.method = %op.method,
                http.path = op.path,
                http.status = tracing::field::Empty,
                duration_ms = tracing::field::Empty,
                attempts = tracing::field::Empty,
            );
            self.send_attempts(op, path, headers, build)
                .instrument(span)
                .await
        }
        #[cfg(not(feature = "tracing"))]
        {
            self.send_attempts(op, path, headers, build).await
        }
    }

    async fn send_attempts<F>(
        &self,
        op: &Op,
        path: &str,
        headers: HeaderMap,
        build: &F,
    ) -> Result<Received>
    where
        F: Fn(RequestBuilder) -> Result<RequestBuilder>,
    {
        let started = Instant::now();
        let url = format!("{}{path}", self.base);
        let retries = if op.is_idempotent() {
            self.retry.max_retries
        } else {
            0
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut request = self
                .http
                .request(op.method.clone(), &url)
                .headers(headers.clone());
            if let Some(agent) = &self.user_agent {
                request = request.header(USER_AGENT, agent.clone());
            }
            if let Some(timeout) = self.timeout {
                request = request.timeout(timeout);
            }
            let outcome = match build(request) {
                Ok(request) => match request.send().await {
                    Ok(response) => Received::read(op.id, attempt, response).await,
                    Err(error) => Err(Error::Transport(error)),
                },
                Err(error) => return Err(error),
            };
            let retryable = match &outcome {
                Ok(received) => matches!(
                    received.status,
                    StatusCode::BAD_GATEWAY
                        | StatusCode::SERVICE_UNAVAILABLE
                        | StatusCode::GATEWAY_TIMEOUT
                ),
                Err(Error::Transport(_)) => true,
                Err(_) => false,
            };
            if retryable && attempt <= retries {
                sleep(self.retry.backoff(attempt)).await;
                continue;
            }
            record(&outcome, started, attempt);
            return outcome;
        }
    }
}

#[cfg(feature = "tracing")]
fn record(outcome: &Result<Received>, started: Instant, attempts: u32) {
    let span = tracing::Span::current();
    if let Ok(received) = outcome {
        span.record("http.status", received.status.as_u16());
    }
    let millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    span.record("duration_ms", millis);
    span.record("attempts", attempts);
    match outcome {
        Ok(received) => tracing::debug!(status = received.status.as_u16(), "answered"),
        Err(error) => tracing::debug!(%error, "failed"),
    }
}

#[cfg(not(feature = "tracing"))]
fn record(_outcome: &Result<Received>, _started: Instant, _attempts: u32) {}

async fn sleep(duration: Duration) {
    tokio::time::sleep(duration).await;
}

/// What a response said besides its body: returned by the `*_with_response` methods and kept
/// in errors that come from a response.
#[derive(Debug, Clone)]
pub struct ResponseMeta {
    pub(crate) operation: &'static str,
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) attempts: u32,
}

impl ResponseMeta {
    /// The `operationId` that was called.
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The HTTP status of the response.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers. A refreshed procurement token in `Authorization` has already been
    /// taken by the client; it is replaced here by `<redacted>` so that logging this value is safe.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The server's `x-request-id`, to quote when asking its operators about this request.
    pub fn request_id(&self) -> Option<&str> {
        self.headers
            .get(REQUEST_ID)
            .and_then(|value| value.to_str().ok())
    }

    /// How many attempts the call took (more than 1 only with a [`RetryPolicy`] or after a
    /// token refresh raced another request).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

/// A successful call's value together with the response's metadata.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Response<T> {
    /// The decoded value, as the method without `_with_response` returns it.
    pub value: T,
    /// Status, headers, request id.
    pub meta: ResponseMeta,
}

impl<T> Response<T> {
    /// The value alone.
    pub fn into_value(self) -> T {
        self.value
    }

    /// The same metadata with the value changed by `f`.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            value: f(self.value),
            meta: self.meta,
        }
    }
}
