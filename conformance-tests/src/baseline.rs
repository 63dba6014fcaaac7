//! Living with a known-divergent deployment: `--write-baseline FILE` records the failures of a
//! run, and `--baseline FILE` marks the failures it records, with the same problems, as known.
//! The run then fails only on new or changed departures and reports the fixed ones.
//!
//! Problems are compared with what varies from run to run taken out (ids, dates, the run's tag
//! in names; see [`crate::report::digest`]), so a known departure stays known on the next run.

use std::{collections::BTreeMap, path::Path};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::report::{BaselineComparison, Report, digest::normalise};

/// The known departures: for each failing case (`api:operation/example`), its problems,
/// normalised.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    pub tool_version: String,
    pub departures: BTreeMap<String, Vec<String>>,
}

fn key(api: &str, id: &str) -> String {
    format!("{api}:{id}")
}

fn signature(problems: &[String]) -> Vec<String> {
    let mut lines: Vec<String> = problems.iter().map(|p| normalise(p)).collect();
    lines.sort();
    lines.dedup();
    lines
}

impl Baseline {
    /// The failures of `report`.
    pub fn of(report: &Report) -> Baseline {
        Baseline {
            tool_version: report.tool_version.clone(),
            departures: report
                .results
                .iter()
                .filter(|r| r.failed())
                .map(|r| (key(&r.api, &r.id), signature(&r.problems)))
                .collect(),
        }
    }

    pub fn read(file: &Path) -> Result<Baseline> {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("--baseline: reading {}", file.display()))?;
        serde_json::from_str(&text)
            .with_context(|| format!("--baseline: {} is not a baseline file", file.display()))
    }

    pub fn write(&self, file: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self)?;
        std::fs::write(file, text + "\n")
            .with_context(|| format!("--write-baseline: writing {}", file.display()))
    }

    /// Marks the failures of `report` this baseline knows, and records the comparison.
    pub fn apply(&self, report: &mut Report, file: &str) {
        let mut comparison = BaselineComparison {
            file: file.to_owned(),
            ..BaselineComparison::default()
        };
        for result in &mut report.results {
            let key = key(&result.api, &result.id);
            let known = self.departures.get(&key);
            if result.failed() {
                match known {
                    Some(problems) if *problems == signature(&result.problems) => {
                        result.known = true;
                        comparison.known.push(key);
                    }
                    Some(_) => comparison.changed.push(key),
                    None => comparison.new.push(key),
                }
            } else if known.is_some()
                && !matches!(result.outcome, crate::report::Outcome::Skipped(_))
            {
                comparison.fixed.push(key);
            }
        }
        report.baseline = Some(comparison);
    }
}
