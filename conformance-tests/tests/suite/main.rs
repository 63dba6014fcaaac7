//! Tests of the conformance suite: its pieces (spec loading, case assembly, matchers, coverage,
//! reports), its ability to catch departures (a proxy in front of the real server that answers
//! wrongly, or lies about its writes, cookies and files), its safety against a real deployment
//! (secrets, accounts, cleanup, selection), and full runs against `medsys-server` on SQLite and
//! PostgreSQL, over an empty database and over thousands of unrelated rows, with a baseline.
//!
//! One test binary (faster links); one module per area.

mod support;

mod departures;
mod lies;
mod pieces;
mod real_server;
mod safety;
