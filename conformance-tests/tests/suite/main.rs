//! Tests of the conformance suite: its pieces (spec loading, case assembly, matchers, coverage,
//! reports), its ability to catch departures (a proxy in front of the real server that answers
//! wrongly), and a full run against `medsys-server` on SQLite and PostgreSQL.
//!
//! One test binary (faster links); one module per area.

mod support;

mod departures;
mod pieces;
mod real_server;
