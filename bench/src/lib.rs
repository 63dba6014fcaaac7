//! medsys-bench: measures the reference server under load.
//!
//! One run, per database backend: create a fresh database, seed it with `rows` rows per table
//! straight through the server's own pool and migrations ([`seed`]), start the release server on
//! loopback ([`server`]), sign in the accounts the scenarios need, and drive each scenario with a
//! fixed number of concurrent connections for a bounded time and count ([`load`]). The figures
//! (requests per second, p50/p90/p99 latency, errors, the server's peak memory) come out as a
//! Markdown table and a JSON file ([`report`]).
//!
//! Modules in reading order: [`seed`], [`server`], [`scenario`], [`load`], [`report`].
//! `cargo xtask bench` builds the release binaries and runs `medsys-bench`; the smoke test
//! (`tests/smoke.rs`) runs the same code in-process with a tiny database and a second of load.

pub mod load;
pub mod report;
pub mod scenario;
pub mod seed;
pub mod server;

use std::{path::PathBuf, time::Duration};

use anyhow::Context as _;
use medsys_server::db::Backend;

/// Where the server under test comes from.
#[derive(Clone, Debug)]
pub enum ServerKind {
    /// A built `medsys-server` binary, run as a child process (what the real figures use).
    Binary(PathBuf),
    /// The server library inside this process (the smoke test): memory figures then include
    /// the load generator.
    InProcess,
}

/// Everything one invocation needs.
#[derive(Clone, Debug)]
pub struct Options {
    pub backends: Vec<Backend>,
    pub rows: i64,
    pub concurrency: usize,
    pub warmup: Duration,
    pub duration: Duration,
    /// Upper bound on measured requests per scenario (the run is bounded in count as well).
    pub max_requests: u64,
    pub server: ServerKind,
    /// Directory for SQLite files.
    pub work_dir: PathBuf,
    /// `postgres://user@host:port` (without a database name); the run creates its own database.
    pub postgres_url: String,
    /// `mysql://user@host:port` (without a database name); the run creates its own database.
    pub mysql_url: String,
    /// Only scenarios whose name contains one of these (all when empty).
    pub only: Vec<String>,
}

/// Runs every backend in turn and returns one report per backend.
pub async fn run(options: &Options) -> anyhow::Result<Vec<report::RunReport>> {
    let mut reports = Vec::new();
    for backend in &options.backends {
        reports.push(
            run_backend(options, *backend)
                .await
                .with_context(|| format!("benchmark on {backend:?}"))?,
        );
    }
    Ok(reports)
}

async fn run_backend(options: &Options, backend: Backend) -> anyhow::Result<report::RunReport> {
    let url = seed::fresh_database(
        backend,
        options.rows,
        &options.work_dir,
        &options.postgres_url,
        &options.mysql_url,
    )
    .await?;
    eprintln!(
        "medsys-bench: seeding {backend:?} with {} rows",
        options.rows
    );
    let seeded = seed::seed(&url, options.rows).await?;
    eprintln!(
        "medsys-bench: seeded in {:.1} s",
        seeded.seconds_taken.as_secs_f64()
    );
    let server = server::Server::start(&options.server, &url).await?;
    let result = measure(options, backend, &server, &seeded).await;
    server.stop().await?;
    let mut report = result?;
    report.seed_seconds = seeded.seconds_taken.as_secs_f64();
    Ok(report)
}

async fn measure(
    options: &Options,
    backend: Backend,
    server: &server::Server,
    seeded: &seed::Seeded,
) -> anyhow::Result<report::RunReport> {
    let client = load::client(options.concurrency)?;
    let fixture = scenario::Fixture::sign_in(&client, server.base_url(), seeded).await?;
    let plan = load::Plan {
        warmup: options.warmup,
        duration: options.duration,
        concurrency: options.concurrency,
        max_requests: options.max_requests,
    };
    let mut rows = Vec::new();
    for scenario in scenario::all(&fixture) {
        if !options.only.is_empty() && !options.only.iter().any(|o| scenario.name.contains(o)) {
            continue;
        }
        eprintln!("medsys-bench: {backend:?} {}", scenario.name);
        server.reset_peak_memory();
        let load_before = report::loadavg();
        let measured = scenario.run(&client, &plan).await;
        let peak_kib = server.peak_memory_kib();
        for part in measured {
            rows.push(report::ScenarioReport::new(
                &part,
                peak_kib,
                load_before.clone(),
            ));
        }
    }
    Ok(report::RunReport::new(
        backend,
        options,
        server.describe(),
        rows,
    ))
}
