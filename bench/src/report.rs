//! The figures of a run, as JSON (for tools) and a Markdown table (for `docs/performance.md`),
//! with the machine and its load average beside them: the machine is shared, so a figure
//! without the load it was taken under means little.

use std::path::{Path, PathBuf};

use medsys_server::db::Backend;
use serde::Serialize;

use crate::{
    Options,
    scenario::{Kind, Measured},
    seed,
};

/// One scenario's row.
#[derive(Clone, Debug, Serialize)]
pub struct ScenarioReport {
    pub name: String,
    pub kind: Kind,
    pub requests: u64,
    pub errors: u64,
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// The server's peak resident memory (`VmHWM`) during the scenario.
    pub peak_memory_mib: f64,
    /// `/proc/loadavg` (1, 5, 15 minutes) as the scenario started.
    pub loadavg: String,
    /// The scenario ran out of work (approvals: the submitted orders) before its time was up.
    pub exhausted: bool,
    pub first_error: Option<String>,
}

impl ScenarioReport {
    pub fn new(measured: &Measured, peak_kib: u64, loadavg: String) -> Self {
        let outcome = &measured.outcome;
        Self {
            name: measured.name.to_owned(),
            kind: measured.kind,
            requests: outcome.requests,
            errors: outcome.errors,
            requests_per_second: round1(outcome.per_second()),
            p50_ms: round2(outcome.quantile_ms(0.50)),
            p90_ms: round2(outcome.quantile_ms(0.90)),
            p99_ms: round2(outcome.quantile_ms(0.99)),
            max_ms: round2(outcome.quantile_ms(1.0)),
            peak_memory_mib: round1(peak_kib as f64 / 1024.0),
            loadavg,
            exhausted: outcome.exhausted,
            first_error: outcome.first_error.clone(),
        }
    }
}

/// One backend's run.
#[derive(Clone, Debug, Serialize)]
pub struct RunReport {
    pub database: &'static str,
    pub rows: i64,
    pub concurrency: usize,
    pub warmup_seconds: f64,
    pub duration_seconds: f64,
    pub seed_seconds: f64,
    pub server: String,
    pub machine: Machine,
    pub loadavg_end: String,
    pub finished_at: String,
    pub scenarios: Vec<ScenarioReport>,
}

/// Where the figures were taken.
#[derive(Clone, Debug, Serialize)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub memory_mib: u64,
    pub kernel: String,
}

impl Machine {
    pub fn here() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|line| line.strip_prefix("model name"))
            .and_then(|rest| rest.split_once(':'))
            .map(|(_, name)| name.trim().to_owned())
            .unwrap_or_else(|| "unknown".to_owned());
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let memory_kib: u64 = meminfo
            .lines()
            .find_map(|line| line.strip_prefix("MemTotal:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0);
        Self {
            cpu,
            cores: std::thread::available_parallelism().map_or(0, usize::from),
            memory_mib: memory_kib / 1024,
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map(|text| text.trim().to_owned())
                .unwrap_or_default(),
        }
    }
}

/// The first three fields of `/proc/loadavg`.
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

impl RunReport {
    pub fn new(
        backend: Backend,
        options: &Options,
        server: String,
        scenarios: Vec<ScenarioReport>,
    ) -> Self {
        Self {
            database: backend_name(backend),
            rows: options.rows,
            concurrency: options.concurrency,
            warmup_seconds: options.warmup.as_secs_f64(),
            duration_seconds: options.duration.as_secs_f64(),
            seed_seconds: 0.0,
            server,
            machine: Machine::here(),
            loadavg_end: loadavg(),
            finished_at: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
            scenarios,
        }
    }

    /// The ceiling's throughput, if the run measured it.
    fn ceiling(&self) -> Option<f64> {
        self.scenarios
            .iter()
            .find(|row| row.kind == Kind::Ceiling)
            .map(|row| row.requests_per_second)
    }

    /// A Markdown section: a heading line, the conditions, and the table.
    pub fn markdown(&self) -> String {
        let mut out = format!(
            "### {} · {} rows · {} connections\n\n",
            self.database, self.rows, self.concurrency
        );
        out.push_str(&format!(
            "{} · {} cores · {} MiB · Linux {} · {} s warm-up + {} s per scenario · seeded in \
             {:.1} s · finished {} · load average at the end {}\n\n",
            self.machine.cpu,
            self.machine.cores,
            self.machine.memory_mib,
            self.machine.kernel,
            self.warmup_seconds,
            self.duration_seconds,
            self.seed_seconds,
            self.finished_at,
            self.loadavg_end,
        ));
        out.push_str(
            "| scenario | req/s | % of ceiling | p50 ms | p90 ms | p99 ms | requests | errors | peak MiB | load avg |\n\
             | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n",
        );
        let ceiling = self.ceiling();
        for row in &self.scenarios {
            let share = match (ceiling, row.kind) {
                (Some(ceiling), Kind::Read | Kind::DeepRead) if ceiling > 0.0 => {
                    format!("{:.0}%", 100.0 * row.requests_per_second / ceiling)
                }
                _ => String::new(),
            };
            let mut name = row.name.clone();
            if row.exhausted {
                name.push_str(" (ran out of orders)");
            }
            out.push_str(&format!(
                "| {name} | {:.0} | {share} | {:.2} | {:.2} | {:.2} | {} | {} | {:.1} | {} |\n",
                row.requests_per_second,
                row.p50_ms,
                row.p90_ms,
                row.p99_ms,
                row.requests,
                row.errors,
                row.peak_memory_mib,
                row.loadavg,
            ));
        }
        for row in self.scenarios.iter().filter(|row| row.errors > 0) {
            out.push_str(&format!(
                "\nFirst error of {}: {}\n",
                row.name,
                row.first_error.as_deref().unwrap_or("-")
            ));
        }
        out
    }

    /// Writes `<dir>/<database>-<size>.json` and `.md`; returns the JSON path.
    pub fn write(&self, dir: &Path) -> anyhow::Result<PathBuf> {
        std::fs::create_dir_all(dir)?;
        let stem = format!("{}-{}", self.database, seed::size_label(self.rows));
        let json = dir.join(format!("{stem}.json"));
        std::fs::write(&json, serde_json::to_string_pretty(self)? + "\n")?;
        std::fs::write(dir.join(format!("{stem}.md")), self.markdown())?;
        Ok(json)
    }
}

pub fn backend_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
        Backend::Mysql => "mysql",
    }
}

fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}
