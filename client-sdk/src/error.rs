//! The one error type of the SDK: transport, HTTP status, session and envelope errors stay distinct.

use reqwest::StatusCode;

use crate::procurement::Code;

/// `Result` with the SDK's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The longest response body (in bytes) an error keeps; the rest is cut off and counted, so a
/// proxy's error page never floods a log.
pub const MAX_ERROR_BODY: usize = 1024;

/// Everything that can go wrong when calling either API.
///
/// A response whose envelope says the request failed (`ret != 0` for mgr, `success: false` for
/// procurement) is always an error, never an `Ok`. Errors that come from a response carry its
/// HTTP status and the server's `x-request-id` ([`Error::status`], [`Error::request_id`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request could not be sent or the response could not be read (connection refused,
    /// TLS, timeout: see `reqwest::Error::is_timeout`).
    #[error("transport error: {0}")]
    Transport(#[from] reqwest::Error),
    /// The base URL could not be parsed.
    #[error("invalid base URL `{url}`: {message}")]
    InvalidBaseUrl {
        /// The URL as given.
        url: String,
        /// Why it was refused.
        message: String,
    },
    /// A [`ClientBuilder`](crate::ClientBuilder) setting cannot be used (e.g. a user agent
    /// with a line break).
    #[error("invalid client configuration: {message}")]
    InvalidConfig {
        /// What is wrong.
        message: String,
    },
    /// procurement: the operation sends the caller's own user id, read from the token, and the
    /// client holds no token (or one that names no user). Log in first.
    #[error("no token to read the caller's user id from: log in first")]
    NoToken,
    /// The server answered with an HTTP status that the operation does not document (a proxy's
    /// 502 page, a 500).
    #[error("unexpected HTTP status {status}{}: {body}", request_id_suffix(.request_id))]
    UnexpectedStatus {
        /// The status received.
        status: StatusCode,
        /// The response body, lossily decoded as UTF-8, cut at [`MAX_ERROR_BODY`] bytes.
        body: String,
        /// The response's `x-request-id`, if any.
        request_id: Option<String>,
    },
    /// mgr: the session is missing or expired (HTTP 302, `ret` 302). Sign in again.
    #[error("not logged in{}", request_id_suffix(.request_id))]
    NotLoggedIn {
        /// The response's `x-request-id`, if any.
        request_id: Option<String>,
    },
    /// mgr: the envelope refused the request (`ret` 1 or 2).
    #[error("mgr error ret={ret}: {msg}{}", request_id_suffix(.request_id))]
    Mgr {
        /// The envelope's `ret`.
        ret: i64,
        /// The envelope's message, verbatim.
        msg: String,
        /// The HTTP status (200 or 400 as the spec documents).
        status: StatusCode,
        /// The response's `x-request-id`, if any.
        request_id: Option<String>,
    },
    /// procurement: the envelope refused the request (`success: false`).
    #[error("procurement error {code:?}: {msg}{}", request_id_suffix(.request_id))]
    Procurement {
        /// The envelope's `code`, as a documented [`Code`] or [`Code::Unknown`].
        code: Code,
        /// The envelope's message, verbatim.
        msg: String,
        /// The HTTP status (200, or 403 for code 31).
        status: StatusCode,
        /// The response's `x-request-id`, if any.
        request_id: Option<String>,
    },
    /// The body matched neither the success nor the error schema of the operation.
    #[error("cannot decode the response: {message}{}; body: {body}", request_id_suffix(.request_id))]
    Decode {
        /// What did not match.
        message: String,
        /// The response body, lossily decoded as UTF-8, cut at [`MAX_ERROR_BODY`] bytes.
        body: String,
        /// The HTTP status, when the body came from a response.
        status: Option<StatusCode>,
        /// The response's `x-request-id`, if any.
        request_id: Option<String>,
    },
}

fn request_id_suffix(request_id: &Option<String>) -> String {
    request_id
        .as_deref()
        .map(|id| format!(" (request id {id})"))
        .unwrap_or_default()
}

impl Error {
    /// The procurement code of an envelope error, if this is one.
    pub fn procurement_code(&self) -> Option<Code> {
        match self {
            Self::Procurement { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The HTTP status of the response this error comes from, if it comes from one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Transport(error) => error.status(),
            Self::UnexpectedStatus { status, .. }
            | Self::Mgr { status, .. }
            | Self::Procurement { status, .. } => Some(*status),
            Self::NotLoggedIn { .. } => Some(StatusCode::FOUND),
            Self::Decode { status, .. } => *status,
            Self::InvalidBaseUrl { .. } | Self::InvalidConfig { .. } | Self::NoToken => None,
        }
    }

    /// The server's `x-request-id` of the response this error comes from, if it sent one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::UnexpectedStatus { request_id, .. }
            | Self::NotLoggedIn { request_id }
            | Self::Mgr { request_id, .. }
            | Self::Procurement { request_id, .. }
            | Self::Decode { request_id, .. } => request_id.as_deref(),
            Self::Transport(_)
            | Self::InvalidBaseUrl { .. }
            | Self::InvalidConfig { .. }
            | Self::NoToken => None,
        }
    }

    /// A decoding error about a value that did not come from a response.
    pub(crate) fn local_decode(message: impl ToString) -> Self {
        Self::Decode {
            message: message.to_string(),
            body: String::new(),
            status: None,
            request_id: None,
        }
    }
}

/// `body` as text for an error message: lossy UTF-8, cut at [`MAX_ERROR_BODY`] bytes on a
/// character boundary, with the full length said.
pub(crate) fn truncated_body(body: &[u8]) -> String {
    if body.len() <= MAX_ERROR_BODY {
        return String::from_utf8_lossy(body).into_owned();
    }
    let text = String::from_utf8_lossy(&body[..MAX_ERROR_BODY]);
    let text = text.trim_end_matches('\u{FFFD}');
    format!("{text}… ({} bytes in all)", body.len())
}

#[cfg(test)]
mod tests {
    use super::{MAX_ERROR_BODY, truncated_body};

    #[test]
    fn long_bodies_are_cut_on_a_character_boundary_and_counted() {
        let body = "错".repeat(1000);
        let text = truncated_body(body.as_bytes());
        assert!(text.len() < MAX_ERROR_BODY + 40, "{}", text.len());
        assert!(text.ends_with("… (3000 bytes in all)"), "{text}");
        assert!(!text.contains('\u{FFFD}'));
        assert_eq!(truncated_body(b"short"), "short");
    }
}
