#![doc = include_str!("../README.md")]
#![warn(missing_docs)]
// The crate documentation is the README, so that its snippets are compiled and run as doctests.
// The modules, in reading order: the two APIs (each a generated half and a hand-written client),
// then the runtime they share.

mod error;
mod files;
mod generated;
pub mod mgr;
mod paging;
pub mod procurement;
mod secret;
mod transport;
mod wire;

pub use error::{Error, MAX_ERROR_BODY, Result};
pub use files::{Download, Upload};
pub use secret::{SessionId, Token};
pub use transport::{
    ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, DEFAULT_USER_AGENT, Response,
    ResponseMeta, RetryPolicy,
};
