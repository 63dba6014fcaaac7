//! Conformance suite: replays the documented examples of `openapi/*.yaml` against any deployment
//! of the mgr and procurement APIs, over raw HTTP, and reports where it departs from the contract.
//!
//! Reading order: [`spec`] loads the documents and enumerates their cases, [`case`] assembles a
//! case's request, [`check`] judges a response, [`replay`] runs the cases in a stateful order with
//! one plan table per API, and [`report`] renders the results. [`select`] decides which cases
//! run, [`redact`] keeps secrets out of every output, [`baseline`] marks known departures.

pub mod baseline;
pub mod case;
pub mod check;
pub mod redact;
pub mod replay;
pub mod report;
pub mod select;
pub mod spec;

pub use replay::{Credentials, Options, list, run};
pub use spec::Api;
