//! The whole suite against the real `medsys-server`, on SQLite and on PostgreSQL: both APIs, no
//! failure, nothing skipped (every account and token the suite can be given is given, and the
//! server's short token lifetime lets the refresh rule be tested), every documented example
//! exercised, nothing left behind but the procurement users no operation deletes. And the
//! binary itself, as a deployment's CI would run it.

use axum::http::{HeaderMap, Method, StatusCode};
use medsys_conformance::{
    Api,
    baseline::Baseline,
    report::{Outcome, Report, console_summary, digest},
};
use serde_json::{Value, json};

use crate::support::{
    Backend, DISABLED, EXPIRED, Mutation, PASSWORD_EXPIRED, PROCUREMENT_ADMIN, Target, proxy,
};

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

/// What a complete run leaves: every kind of leftover named, nothing that failed to go.
fn assert_leftovers(report: &Report) {
    let summary = console_summary(report);
    for kind in [
        "created by this run, their passwords replaced by random ones",
        "soft-deleted orders",
        "notices",
        "signatures uploaded",
    ] {
        assert!(
            report.left_behind.iter().any(|line| line.contains(kind)),
            "{kind} is not listed: {summary}"
        );
    }
    assert!(
        report
            .left_behind
            .iter()
            .all(|line| line.starts_with("procurement: ") && !line.contains("could not")),
        "{summary}"
    );
}

async fn whole_suite_passes(backend: Backend, seeded: Option<i64>) {
    let Some(target) = Target::start_seeded(backend, seeded).await else {
        return;
    };
    let started = std::time::Instant::now();
    let options = target.options(&target.base_url, Api::ALL.to_vec());
    let report = medsys_conformance::run(&options)
        .await
        .expect("the run completes");
    eprintln!(
        "the whole suite ({backend:?}, {seeded:?} seeded rows) took {:.2} s",
        started.elapsed().as_secs_f64()
    );
    target.stop().await;
    let summary = console_summary(&report);
    assert_complete(&report, 2);
    for scenario in SCENARIOS {
        assert!(
            report.results.iter().any(|r| r.id == *scenario),
            "{scenario} did not run: {summary}"
        );
    }
    // The mgr data is deleted; what the API cannot remove is listed, kind by kind.
    assert_leftovers(&report);
    // What the report says about itself: when, how long, which tool and which contract.
    assert!(report.started_at.ends_with('Z'), "{}", report.started_at);
    assert!(report.millis > 0);
    assert_eq!(report.tool_version, env!("CARGO_PKG_VERSION"));
    assert_eq!(report.specs.len(), 2, "{:?}", report.specs);
    assert!(
        report
            .specs
            .values()
            .all(|sha| sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit())),
        "{:?}",
        report.specs
    );
    let workflow = report
        .results
        .iter()
        .find(|r| r.id == "scenario/approval_workflow_sends_each_notice")
        .expect("the workflow scenario");
    assert!(workflow.millis > 0, "scenarios carry their duration");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_suite_passes_against_medsys_server_on_sqlite() {
    whole_suite_passes(Backend::Sqlite, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_suite_passes_against_medsys_server_on_postgres() {
    whole_suite_passes(Backend::Postgres, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_suite_passes_against_a_server_already_holding_thousands_of_rows() {
    // The benchmark's seed: 2,000 customers, medicines and orders of each API, notices, users
    // of ten departments and 1,000 orders pending approval, none of them the suite's.
    whole_suite_passes(Backend::Sqlite, Some(2_000)).await;
}

/// A legacy deployment: its refusal of a missing action says `msg` instead of 未传action类型.
fn legacy(msg: &'static str) -> Box<Mutation> {
    Box::new(
        move |_: &Method,
              _: &str,
              _: &mut StatusCode,
              _: &mut HeaderMap,
              body: &mut Option<Value>| {
            if let Some(Value::Object(body)) = body
                && body.get("msg") == Some(&json!("未传action类型"))
            {
                body.insert("msg".into(), json!(msg));
            }
        },
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_baseline_turns_known_departures_into_passes_and_names_new_and_fixed_ones() {
    let target = Target::start(Backend::Sqlite).await.expect("sqlite target");
    let run_against = |base_url: String| {
        let mut options = target.options(&base_url, vec![Api::Mgr]);
        options.selection.only = vec!["*/missing_action".into()];
        async move {
            medsys_conformance::run(&options)
                .await
                .expect("the run completes")
        }
    };
    let legacy_url = format!(
        "http://{}",
        proxy(&target.base_url, legacy("缺少action")).await
    );
    let first = run_against(legacy_url.clone()).await;
    let departures = first.failed();
    assert!(departures >= 10, "{}", console_summary(&first));
    // The digest groups them: one kind, on every missing_action case.
    let kinds = digest(&first);
    assert_eq!(kinds.len(), 1, "{kinds:#?}");
    assert_eq!(
        kinds[0].line(),
        format!(
            "msg \"缺少action\" instead of \"未传action类型\" on {departures} missing_action cases"
        )
    );
    assert!(console_summary(&first).contains(&kinds[0].line()));
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("baseline.json");
    Baseline::of(&first)
        .write(&file)
        .expect("write the baseline");
    let baseline = Baseline::read(&file).expect("read it back");
    // The same departures again: known, the run passes.
    let mut again = run_against(legacy_url).await;
    baseline.apply(&mut again, "baseline.json");
    let summary = console_summary(&again);
    assert!(again.success(), "{summary}");
    let comparison = again.baseline.clone().expect("compared");
    assert_eq!(comparison.known.len(), departures, "{summary}");
    assert!(
        comparison.new.is_empty() && comparison.changed.is_empty(),
        "{summary}"
    );
    // Another message: changed, the run fails.
    let other_url = format!(
        "http://{}",
        proxy(&target.base_url, legacy("没有action")).await
    );
    let mut changed = run_against(other_url).await;
    baseline.apply(&mut changed, "baseline.json");
    assert!(!changed.success());
    assert_eq!(
        changed.baseline.clone().expect("compared").changed.len(),
        departures
    );
    // The deployment fixed: the run passes and names what was fixed.
    let mut fixed = run_against(target.base_url.clone()).await;
    baseline.apply(&mut fixed, "baseline.json");
    assert!(fixed.success());
    assert_eq!(
        fixed.baseline.clone().expect("compared").fixed.len(),
        departures
    );
    assert!(console_summary(&fixed).contains(&format!("{departures} fixed")));
    target.stop().await;
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
