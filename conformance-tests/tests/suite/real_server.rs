//! The whole suite against the real `medsys-server`, on SQLite and on PostgreSQL: no failure.
//!
//! The server implements the mgr API so far; the procurement run is enabled here once it does.

use medsys_conformance::report::{Outcome, console_summary};

use crate::support::{Backend, Target};

async fn whole_suite_passes(backend: Backend) {
    let Some(target) = Target::start(backend).await else {
        return;
    };
    let options = Target::mgr_options(&target.base_url);
    let report = medsys_conformance::run(&options)
        .await
        .expect("the run completes");
    target.stop().await;
    let summary = console_summary(&report);
    assert_eq!(report.failed(), 0, "{summary}");
    assert_eq!(
        report.skipped(),
        0,
        "with every account given nothing is skipped: {summary}"
    );
    let coverage = &report.coverage[0];
    assert!(coverage.uncovered.is_empty(), "{summary}");
    assert_eq!(coverage.exercised.len(), coverage.documented, "{summary}");
    assert!(report.results.iter().all(|r| r.outcome == Outcome::Passed));
    assert!(report.left_behind.is_empty(), "{summary}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_mgr_suite_passes_against_medsys_server_on_sqlite() {
    whole_suite_passes(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_mgr_suite_passes_against_medsys_server_on_postgres() {
    whole_suite_passes(Backend::Postgres).await;
}
