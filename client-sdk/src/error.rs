//! The one error type of the SDK: transport, HTTP status, session and envelope errors stay distinct.

use reqwest::StatusCode;

use crate::procurement::Code;

/// `Result` with the SDK's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when calling either API.
///
/// A response whose envelope says the request failed (`ret != 0` for mgr, `success: false` for
/// procurement) is always an error, never an `Ok`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request could not be sent or the response could not be read.
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
    /// The server answered with an HTTP status that the operation does not document.
    #[error("unexpected HTTP status {status}: {body}")]
    UnexpectedStatus {
        /// The status received.
        status: StatusCode,
        /// The response body, lossily decoded as UTF-8.
        body: String,
    },
    /// mgr: the session is missing or expired (HTTP 302, `ret` 302). Sign in again.
    #[error("not logged in")]
    NotLoggedIn,
    /// mgr: the envelope refused the request (`ret` 1 or 2).
    #[error("mgr error ret={ret}: {msg}")]
    Mgr {
        /// The envelope's `ret`.
        ret: i64,
        /// The envelope's message, verbatim.
        msg: String,
    },
    /// procurement: the envelope refused the request (`success: false`).
    #[error("procurement error {code:?}: {msg}")]
    Procurement {
        /// The envelope's `code`, as a documented [`Code`] or [`Code::Unknown`].
        code: Code,
        /// The envelope's message, verbatim.
        msg: String,
    },
    /// The body matched neither the success nor the error schema of the operation.
    #[error("cannot decode the response: {message}; body: {body}")]
    Decode {
        /// What did not match.
        message: String,
        /// The response body, lossily decoded as UTF-8.
        body: String,
    },
}

impl Error {
    /// The procurement code of an envelope error, if this is one.
    pub fn procurement_code(&self) -> Option<Code> {
        match self {
            Self::Procurement { code, .. } => Some(*code),
            _ => None,
        }
    }

    pub(crate) fn decode(message: impl ToString, body: &[u8]) -> Self {
        Self::Decode {
            message: message.to_string(),
            body: String::from_utf8_lossy(body).into_owned(),
        }
    }
}
