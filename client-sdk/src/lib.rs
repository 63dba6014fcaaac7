//! Typed async client for the medsys `mgr` and `procurement` APIs.
//!
//! The types and one method per operation are generated from `openapi/*.yaml` by
//! `cargo xtask codegen` (see `src/generated/`); the files beside them are the small hand-written
//! runtime they call: sessions, envelopes, errors, files and paging.
//!
//! ```no_run
//! # async fn demo() -> Result<(), medsys_client::Error> {
//! use medsys_client::mgr;
//!
//! let client = mgr::Client::new("http://127.0.0.1:8080")?;
//! client
//!     .signin(&mgr::SigninForm { username: "admin".into(), password: "secret".into() })
//!     .await?;
//! let page = client.list_customer(10, 1).await?;
//! println!("{} customers", page.total);
//! # Ok(())
//! # }
//! ```

mod error;
mod files;
mod generated;
pub mod mgr;
mod paging;
pub mod procurement;
mod wire;

pub use error::{Error, Result};
pub use files::{Download, Upload};
