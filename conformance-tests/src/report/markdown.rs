//! Markdown for people: the summary, a table of every case, the failures in detail, coverage.

use std::fmt::Write as _;

use super::{Outcome, Report, digest, failure_text};

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

pub fn markdown(report: &Report) -> String {
    let mut md = String::new();
    writeln!(md, "# Conformance report\n").ok();
    writeln!(md, "Target: `{}`\n", report.base_url).ok();
    writeln!(md, "**{}**\n", report.summary_line()).ok();
    let kinds = digest(report);
    if !kinds.is_empty() {
        writeln!(md, "## Digest\n").ok();
        writeln!(md, "Failures by kind, most frequent first:\n").ok();
        for kind in &kinds {
            writeln!(md, "- {}", cell(&kind.line())).ok();
        }
        writeln!(md).ok();
    }
    writeln!(
        md,
        "Started {}, took {:.1} s; medsys-conformance {}.\n",
        report.started_at,
        report.millis as f64 / 1000.0,
        report.tool_version
    )
    .ok();
    for (file, sha) in &report.specs {
        writeln!(md, "- `{file}` SHA-256 `{sha}`").ok();
    }
    writeln!(md).ok();
    if let Some(baseline) = &report.baseline {
        writeln!(md, "## Against the baseline `{}`\n", baseline.file).ok();
        for (what, ids) in [
            ("known", &baseline.known),
            ("changed", &baseline.changed),
            ("new", &baseline.new),
            ("fixed", &baseline.fixed),
        ] {
            writeln!(md, "- {what}: {}", ids.len()).ok();
            for id in ids.iter().filter(|_| what != "known") {
                writeln!(md, "  - `{id}`").ok();
            }
        }
        writeln!(md).ok();
    }
    let failures: Vec<_> = report.results.iter().filter(|r| r.failed()).collect();
    if !failures.is_empty() {
        writeln!(md, "## Failures\n").ok();
        writeln!(md, "{}\n", report.placeholders).ok();
        for result in failures {
            writeln!(md, "### {}: `{}`\n", result.api, result.id).ok();
            writeln!(md, "```text\n{}```\n", failure_text(result)).ok();
        }
    }
    writeln!(md, "## Cases\n").ok();
    writeln!(md, "| API | case | outcome | ms | detail |").ok();
    writeln!(md, "| --- | --- | --- | --- | --- |").ok();
    for result in &report.results {
        let (outcome, detail) = match &result.outcome {
            Outcome::Passed => ("passed", String::new()),
            Outcome::Failed if result.known => (
                "failed (known)",
                result.problems.first().cloned().unwrap_or_default(),
            ),
            Outcome::Failed => (
                "**failed**",
                result.problems.first().cloned().unwrap_or_default(),
            ),
            Outcome::Skipped(reason) => ("skipped", reason.clone()),
        };
        writeln!(
            md,
            "| {} | `{}` | {outcome} | {} | {} |",
            result.api,
            result.id,
            result.millis,
            cell(&detail)
        )
        .ok();
    }
    writeln!(md, "\n## Coverage\n").ok();
    for coverage in &report.coverage {
        writeln!(
            md,
            "- **{}**: {} documented examples; {} exercised, {} skipped, {} excluded, {} uncovered.",
            coverage.api,
            coverage.documented,
            coverage.exercised.len(),
            coverage.skipped.len(),
            coverage.excluded.len(),
            coverage.uncovered.len()
        )
        .ok();
        for (id, reason) in &coverage.excluded {
            writeln!(md, "  - excluded `{id}`: {}", cell(reason)).ok();
        }
        for id in &coverage.uncovered {
            writeln!(md, "  - **uncovered** `{id}`").ok();
        }
    }
    if !report.left_behind.is_empty() {
        writeln!(md, "\n## Left on the deployment\n").ok();
        for line in &report.left_behind {
            writeln!(md, "- {}", cell(line)).ok();
        }
    }
    md
}
