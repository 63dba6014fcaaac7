//! Integration tests of medsys-server: the real server on `127.0.0.1:0`, a fresh database per
//! test, every test on SQLite and PostgreSQL (`MEDSYS_TEST_POSTGRES_URL`).
//!
//! One test binary (faster links); one module per area.

mod support;

mod browser;
mod cli;
mod concurrency;
mod customers;
mod docs;
mod drift;
mod faults;
mod fuzz_findings;
mod hostile;
mod instances;
mod medicines;
mod orders;
mod pool;
mod process;
mod procurement_accounts;
mod procurement_authz;
mod procurement_drift;
mod procurement_examples;
mod procurement_files;
mod procurement_import;
mod procurement_roles;
mod procurement_support;
mod procurement_tokens;
mod procurement_workflow;
mod profile;
mod restart;
mod secrets;
mod session;
mod tidy;
mod wire;
