//! medsys reference server: the mgr API (and, next, the procurement API) on axum + sqlx.
//!
//! Modules in reading order:
//! - [`config`]: the command line and environment (`medsys-server --help`);
//! - [`telemetry`]: structured logs;
//! - [`db`]: the SQLite/PostgreSQL pool, migrations, and the rules that keep one set of queries
//!   portable;
//! - [`json`]: JSON request values as the specs type them (shared validation);
//! - [`password`]: Argon2id hashing off the executor;
//! - [`app`]: the full router (APIs, docs, fallbacks, middleware) and [`app::start`];
//! - [`docs`]: the published specs and Swagger UI;
//! - [`mgr`]: the mgr API (domain, store, error envelope, extractors, handlers);
//! - [`procurement`]: the procurement API (same layout, plus tokens and workbooks);
//! - [`demo`] and [`admin`]: `--demo` seeding and `admin create-mgr-admin`.
//!
//! Layering (enforced by the tidy test in `tests/api/tidy.rs`): domain modules know neither
//! axum nor sqlx; store and db modules know no axum; only `http`, `error`, `extract`, `app`,
//! `docs` and `security` speak HTTP.

pub mod config;
pub mod telemetry;

pub mod db;
pub mod json;
pub mod password;

pub mod app;
pub mod docs;
pub mod security;

pub mod mgr;
pub mod procurement;

pub mod admin;
pub mod demo;
