//! Smoke test of the harness itself: a tiny database, the server in-process, half a second of
//! load per scenario. It checks that every scenario runs and answers correctly, never how fast:
//! speed claims live in `docs/performance.md`, measured by `cargo xtask bench`.

use std::time::Duration;

use medsys_bench::{Options, ServerKind, report::RunReport, seed};
use medsys_server::db::Backend;

/// Every row a run reports, in order.
const SCENARIOS: &[&str] = &[
    "GET /healthz (ceiling)",
    "mgr list_medicine page 1",
    "mgr list_medicine deep page",
    "mgr list_order page 1",
    "proc GET /order/orders (filters)",
    "proc GET /dept/list",
    "proc GET /order/orders (admin, all orders)",
    "proc GET /notice/count",
    "proc GET /order/file (Excel export)",
    "mgr add_order",
    "proc PUT /dept/approve",
    "proc POST /user/login",
    "mgr list_medicine page 1 (during logins)",
    "proc POST /user/login (during reads)",
];

fn options(
    backends: Vec<Backend>,
    work_dir: &std::path::Path,
    postgres_url: String,
    mysql_url: String,
) -> Options {
    Options {
        backends,
        rows: 300,
        concurrency: 4,
        warmup: Duration::from_millis(100),
        duration: Duration::from_millis(500),
        max_requests: 2_000,
        server: ServerKind::InProcess,
        work_dir: work_dir.to_path_buf(),
        postgres_url,
        mysql_url,
        only: Vec::new(),
    }
}

fn assert_complete(report: &RunReport) {
    let names: Vec<&str> = report
        .scenarios
        .iter()
        .map(|row| row.name.as_str())
        .collect();
    assert_eq!(names, SCENARIOS, "{} run", report.database);
    for row in &report.scenarios {
        assert!(
            row.requests > 0,
            "{}: {} sent no request",
            report.database,
            row.name
        );
        assert_eq!(
            row.errors, 0,
            "{}: {} had errors, first: {:?}",
            report.database, row.name, row.first_error
        );
        assert!(
            row.p50_ms <= row.p99_ms,
            "{}: {} quantiles out of order",
            report.database,
            row.name
        );
    }
    let markdown = report.markdown();
    for name in SCENARIOS {
        assert!(markdown.contains(name), "the table lacks {name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_runs_without_errors_on_a_tiny_database() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut backends = vec![Backend::Sqlite];
    // The server's tests name a database (…/postgres); the harness creates its own beside it.
    // (And MySQL's likewise: …/test.)
    let server_base = |variable: &str| {
        std::env::var(variable)
            .ok()
            .map(|url| match url.rsplit_once('/') {
                Some((base, _)) if !base.ends_with('/') => base.to_owned(),
                _ => url,
            })
    };
    let postgres_base = server_base("MEDSYS_TEST_POSTGRES_URL");
    if postgres_base.is_some() {
        backends.push(Backend::Postgres);
    }
    let mysql_base = server_base("MEDSYS_TEST_MYSQL_URL");
    if mysql_base.is_some() {
        backends.push(Backend::Mysql);
    }
    let options = options(
        backends.clone(),
        dir.path(),
        postgres_base.unwrap_or_default(),
        mysql_base.unwrap_or_default(),
    );
    let reports = medsys_bench::run(&options).await.expect("bench run");
    assert_eq!(reports.len(), backends.len());
    for report in &reports {
        // Shown only when the test fails: the figures say which scenario was slow or failing.
        println!("{}", report.markdown());
        assert_complete(report);
        let json = report.write(dir.path()).expect("report written");
        let parsed: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(json).expect("read")).expect("json");
        assert_eq!(
            parsed["scenarios"].as_array().map(Vec::len),
            Some(SCENARIOS.len())
        );
    }
    assert_eq!(seed::size_label(1_000_000), "1m");
}
