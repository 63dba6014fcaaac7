//! The results of a run and their four renderings: console progress and summary, JUnit XML for
//! CI systems, JSON for tools, Markdown for people.

use std::{collections::BTreeMap, fmt::Write as _, time::Duration};

use serde::Serialize;

pub mod digest;
mod junit;
mod markdown;

pub use digest::{Kind, digest};
pub use junit::junit;
pub use markdown::markdown;

/// What happened to one case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", content = "reason", rename_all = "lowercase")]
pub enum Outcome {
    Passed,
    Failed,
    Skipped(String),
}

/// One case's result.
#[derive(Clone, Debug, Serialize)]
pub struct CaseResult {
    /// `operation/example`, or `scenario/name` for scenarios beyond single examples.
    pub id: String,
    pub api: String,
    #[serde(flatten)]
    pub outcome: Outcome,
    /// One line per difference.
    pub problems: Vec<String>,
    /// The last request sent, as a runnable command.
    pub curl: Option<String>,
    pub expected_status: Option<u16>,
    pub actual_status: Option<u16>,
    /// Unified diff of the expected and actual bodies.
    pub diff: Option<String>,
    /// The spec examples this result exercised (a scenario may exercise none).
    pub covers: Vec<String>,
    pub millis: u128,
    /// A failure the baseline (`--baseline`) already records, unchanged: it does not fail the
    /// run.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub known: bool,
}

impl CaseResult {
    pub fn new(api: &str, id: &str) -> CaseResult {
        CaseResult {
            id: id.to_owned(),
            api: api.to_owned(),
            outcome: Outcome::Passed,
            problems: Vec::new(),
            curl: None,
            expected_status: None,
            actual_status: None,
            diff: None,
            covers: Vec::new(),
            millis: 0,
            known: false,
        }
    }

    pub fn skipped(api: &str, id: &str, reason: impl Into<String>) -> CaseResult {
        let mut result = CaseResult::new(api, id);
        result.outcome = Outcome::Skipped(reason.into());
        result
    }

    pub fn failed(&self) -> bool {
        self.outcome == Outcome::Failed
    }

    pub fn set_duration(&mut self, duration: Duration) {
        self.millis = duration.as_millis();
    }
}

/// Coverage of one API's documented examples.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Coverage {
    pub api: String,
    /// Every documented example (`operation/example`).
    pub documented: usize,
    /// Examples that a case replayed (passed or failed).
    pub exercised: Vec<String>,
    /// Examples whose case was skipped at run time, with the reason.
    pub skipped: Vec<(String, String)>,
    /// Examples on the exclusion list, with the reason.
    pub excluded: Vec<(String, String)>,
    /// Examples that no case covers and that are not excluded: each fails the run.
    pub uncovered: Vec<String>,
}

/// How a run compares with a baseline (`--baseline FILE`).
#[derive(Clone, Debug, Default, Serialize)]
pub struct BaselineComparison {
    pub file: String,
    /// Failures the baseline records with the same problems: they do not fail the run.
    pub known: Vec<String>,
    /// Failures of cases the baseline records with other problems.
    pub changed: Vec<String>,
    /// Failures of cases the baseline does not record.
    pub new: Vec<String>,
    /// Cases the baseline records as failing that passed this time.
    pub fixed: Vec<String>,
}

/// A whole run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    pub base_url: String,
    /// When the run started, RFC 3339 in UTC.
    pub started_at: String,
    /// The version of medsys-conformance that made the report.
    pub tool_version: String,
    /// The SHA-256 of each spec the run replayed, by file name.
    pub specs: BTreeMap<String, String>,
    /// True when a signal (or the caller) stopped the run before every case ran.
    pub interrupted: bool,
    /// How to fill in the placeholders that stand for secrets in the `curl` commands.
    pub placeholders: String,
    pub baseline: Option<BaselineComparison>,
    pub results: Vec<CaseResult>,
    pub coverage: Vec<Coverage>,
    /// What the run created and could not remove (e.g. procurement users, which no operation
    /// deletes), and cleanup problems.
    pub left_behind: Vec<String>,
    pub millis: u128,
}

impl Report {
    pub fn passed(&self) -> usize {
        self.results
            .iter()
            .filter(|r| r.outcome == Outcome::Passed)
            .count()
    }

    pub fn failed(&self) -> usize {
        self.results.iter().filter(|r| r.failed()).count()
    }

    pub fn skipped(&self) -> usize {
        self.results
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Skipped(_)))
            .count()
    }

    /// The summary line: `N passed, N failed` and, when any, `, N skipped`.
    pub fn summary_line(&self) -> String {
        let mut line = format!("{} passed, {} failed", self.passed(), self.failed());
        if self.skipped() > 0 {
            write!(line, ", {} skipped", self.skipped()).ok();
        }
        if let Some(baseline) = &self.baseline {
            write!(
                line,
                " ({} known from the baseline, {} changed, {} new; {} fixed)",
                baseline.known.len(),
                baseline.changed.len(),
                baseline.new.len(),
                baseline.fixed.len()
            )
            .ok();
        }
        if self.interrupted {
            line.push_str(" (interrupted)");
        }
        line
    }

    /// Failures the baseline does not know (all failures without a baseline).
    pub fn unknown_failures(&self) -> usize {
        self.results
            .iter()
            .filter(|r| r.failed() && !r.known)
            .count()
    }

    /// True when nothing failed that the baseline does not know, every documented example is
    /// covered or excluded, and the run was not interrupted.
    pub fn success(&self) -> bool {
        self.unknown_failures() == 0 && !self.interrupted
    }

    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// The failure details of one result, as plain text (console and Markdown share it).
pub fn failure_text(result: &CaseResult) -> String {
    let mut text = String::new();
    if result.known {
        writeln!(text, "  (known: the baseline records this failure)").ok();
    }
    for problem in &result.problems {
        writeln!(text, "  - {problem}").ok();
    }
    if let (Some(want), Some(got)) = (result.expected_status, result.actual_status) {
        writeln!(text, "  status: expected {want}, actual {got}").ok();
    }
    if let Some(curl) = &result.curl {
        writeln!(text, "  request: {curl}").ok();
    }
    if let Some(diff) = &result.diff {
        for line in diff.lines() {
            writeln!(text, "    {line}").ok();
        }
    }
    text
}

/// Console rendering of one finished case (progress).
pub fn progress_line(index: usize, result: &CaseResult) -> String {
    let mark = match &result.outcome {
        Outcome::Passed => "ok  ".to_owned(),
        Outcome::Failed => "FAIL".to_owned(),
        Outcome::Skipped(_) => "skip".to_owned(),
    };
    let mut line = format!("[{index:>3}] {mark} {}:{}", result.api, result.id);
    if let Outcome::Skipped(reason) = &result.outcome {
        write!(line, " ({reason})").ok();
    }
    line
}

/// The closing console text: failures in detail, skips with reasons, coverage, leftovers, and
/// the summary line last.
pub fn console_summary(report: &Report) -> String {
    let mut text = String::new();
    let kinds = digest(report);
    if !kinds.is_empty() {
        writeln!(text, "\nDigest (failures by kind, most frequent first):").ok();
        for kind in &kinds {
            writeln!(text, "  {}", kind.line()).ok();
        }
    }
    let failures: Vec<&CaseResult> = report.results.iter().filter(|r| r.failed()).collect();
    if !failures.is_empty() {
        writeln!(text, "\n{}", report.placeholders).ok();
        writeln!(text, "\nFailures:").ok();
        for result in failures {
            writeln!(text, "\n{}:{}", result.api, result.id).ok();
            text.push_str(&failure_text(result));
        }
    }
    let skips: Vec<&CaseResult> = report
        .results
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Skipped(_)))
        .collect();
    if !skips.is_empty() {
        writeln!(text, "\nSkipped:").ok();
        for result in skips {
            if let Outcome::Skipped(reason) = &result.outcome {
                writeln!(text, "  {}:{}: {reason}", result.api, result.id).ok();
            }
        }
    }
    for coverage in &report.coverage {
        writeln!(
            text,
            "\nCoverage {}: {} documented examples, {} exercised, {} skipped, {} excluded, {} uncovered",
            coverage.api,
            coverage.documented,
            coverage.exercised.len(),
            coverage.skipped.len(),
            coverage.excluded.len(),
            coverage.uncovered.len()
        )
        .ok();
        for (id, reason) in &coverage.excluded {
            writeln!(text, "  excluded {id}: {reason}").ok();
        }
        for id in &coverage.uncovered {
            writeln!(text, "  UNCOVERED {id}").ok();
        }
    }
    if !report.left_behind.is_empty() {
        writeln!(text, "\nLeft on the deployment:").ok();
        for line in &report.left_behind {
            writeln!(text, "  {line}").ok();
        }
    }
    if let Some(baseline) = &report.baseline {
        writeln!(text, "\nAgainst the baseline {}:", baseline.file).ok();
        for (what, ids) in [
            ("changed", &baseline.changed),
            ("new", &baseline.new),
            ("fixed", &baseline.fixed),
        ] {
            for id in ids {
                writeln!(text, "  {what} {id}").ok();
            }
        }
    }
    writeln!(
        text,
        "\nRun started {} ({:.1} s), medsys-conformance {}",
        report.started_at,
        report.millis as f64 / 1000.0,
        report.tool_version
    )
    .ok();
    for (file, sha) in &report.specs {
        writeln!(text, "  {file} sha256 {sha}").ok();
    }
    writeln!(text, "\n{}", report.summary_line()).ok();
    text
}
