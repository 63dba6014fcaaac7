//! The whole suite against the real `medsys-server`, on SQLite and on PostgreSQL: both APIs, no
//! failure, nothing skipped (every account and token the suite can be given is given, and the
//! server's short token lifetime lets the refresh rule be tested), every documented example
//! exercised, nothing left behind but the procurement users no operation deletes. And the
//! binary itself, as a deployment's CI would run it.

use medsys_conformance::{
    Api,
    report::{Outcome, Report, console_summary},
};

use crate::support::{Backend, DISABLED, EXPIRED, PASSWORD_EXPIRED, PROCUREMENT_ADMIN, Target};

/// The scenarios beyond single examples that must have run and passed.
const SCENARIOS: &[&str] = &[
    "scenario/signed_out_session_gets_302",
    "scenario/token_refresh",
    "scenario/password_change_ends_the_session",
    "scenario/approval_workflow_sends_each_notice",
    "scenario/deny_and_resubmit_loop",
    "scenario/recall_then_resubmit",
    "scenario/delete_and_restore",
    "scenario/refused_transitions_leave_the_order_unchanged",
];

fn assert_complete(report: &Report, apis: usize) {
    let summary = console_summary(report);
    assert_eq!(report.failed(), 0, "{summary}");
    assert_eq!(
        report.skipped(),
        0,
        "with every account given nothing is skipped: {summary}"
    );
    assert_eq!(report.coverage.len(), apis, "{summary}");
    for coverage in &report.coverage {
        assert!(coverage.uncovered.is_empty(), "{summary}");
        assert!(coverage.excluded.is_empty(), "{summary}");
        assert_eq!(coverage.exercised.len(), coverage.documented, "{summary}");
    }
    assert!(report.results.iter().all(|r| r.outcome == Outcome::Passed));
}

async fn whole_suite_passes(backend: Backend) {
    let Some(target) = Target::start(backend).await else {
        return;
    };
    let options = target.options(&target.base_url, Api::ALL.to_vec());
    let report = medsys_conformance::run(&options)
        .await
        .expect("the run completes");
    target.stop().await;
    let summary = console_summary(&report);
    assert_complete(&report, 2);
    for scenario in SCENARIOS {
        assert!(
            report.results.iter().any(|r| r.id == *scenario),
            "{scenario} did not run: {summary}"
        );
    }
    // Orders are deleted, the mgr data too; users cannot be.
    assert_eq!(report.left_behind.len(), 1, "{summary}");
    assert!(
        report.left_behind[0].starts_with("procurement: users 18"),
        "{summary}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_suite_passes_against_medsys_server_on_sqlite() {
    whole_suite_passes(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_suite_passes_against_medsys_server_on_postgres() {
    whole_suite_passes(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_checks_the_procurement_api_and_exits_zero() {
    let target = Target::start(Backend::Sqlite).await.expect("sqlite target");
    let dir = tempfile::tempdir().expect("temporary directory");
    let json = dir.path().join("report.json");
    let pair = |(user, password): (&str, &str)| format!("{user}:{password}");
    let args = vec![
        "--base-url".to_owned(),
        target.base_url.clone(),
        "--api".into(),
        "procurement".into(),
        "--procurement-admin".into(),
        pair(PROCUREMENT_ADMIN),
        "--procurement-disabled".into(),
        pair(DISABLED),
        "--procurement-expired".into(),
        pair(EXPIRED),
        "--procurement-password-expired".into(),
        pair(PASSWORD_EXPIRED),
        "--procurement-expired-token".into(),
        target.expired_token.clone(),
        "--procurement-offline-token".into(),
        target.offline_token.clone(),
        "--report".into(),
        format!("json={}", json.display()),
    ];
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_medsys-conformance"))
            .args(&args)
            .output()
    })
    .await
    .expect("join")
    .expect("run the binary");
    target.stop().await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let last = stdout.lines().last().unwrap_or_default();
    assert!(
        last.ends_with(" passed, 0 failed"),
        "nothing failed or was skipped: {last}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("the JSON report"))
            .expect("the JSON report parses");
    let coverage = &report["coverage"][0];
    assert_eq!(coverage["api"], "procurement");
    assert_eq!(
        coverage["exercised"].as_array().map(Vec::len),
        coverage["documented"]
            .as_u64()
            .and_then(|n| usize::try_from(n).ok()),
        "{coverage}"
    );
}
