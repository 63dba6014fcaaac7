//! The digest that opens the console and Markdown reports: failures grouped by kind (the same
//! problem, ids and numbers aside), most frequent first, so that a deployment departing in a
//! hundred places reads as the handful of things it does differently.

use std::collections::BTreeMap;

use super::Report;

/// One kind of failure and the cases that show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kind {
    /// The problem, readable (`msg 未登录 instead of 请先登录`).
    pub label: String,
    /// The cases (`api:operation/example`) that show it.
    pub cases: Vec<String>,
}

impl Kind {
    /// `msg 未登录 instead of 请先登录 on 15 not_logged_in cases`.
    pub fn line(&self) -> String {
        let examples: Vec<&str> = self
            .cases
            .iter()
            .map(|case| case.rsplit('/').next().unwrap_or(case))
            .collect();
        let count = self.cases.len();
        let plural = if count == 1 { "" } else { "s" };
        if count > 1 && examples.iter().all(|e| *e == examples[0]) {
            return format!("{} on {count} {} cases", self.label, examples[0]);
        }
        let mut shown: Vec<&str> = self.cases.iter().take(3).map(String::as_str).collect();
        let more = count.saturating_sub(shown.len());
        let mut line = format!("{} on {count} case{plural}: ", self.label);
        if more > 0 {
            shown.push("...");
        }
        line.push_str(&shown.join(", "));
        if more > 0 {
            line.push_str(&format!(" ({more} more)"));
        }
        line
    }
}

/// A problem with what varies from case to case taken out: every run of hex-like characters
/// holding a digit (ids, dates, the run's tag in names) becomes `#`.
pub fn normalise(problem: &str) -> String {
    let mut out = String::with_capacity(problem.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.chars().any(|c| c.is_ascii_digit()) {
            out.push('#');
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in problem.chars() {
        if c.is_ascii_hexdigit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// `envelope msg: expected "请先登录", got "未登录"` reads as `msg "未登录" instead of "请先登录"`.
fn readable(problem: &str) -> String {
    if let Some(rest) = problem.strip_prefix("envelope ")
        && let Some((member, rest)) = rest.split_once(": expected ")
        && let Some((want, got)) = rest.split_once(", got ")
    {
        return format!("{member} {got} instead of {want}");
    }
    problem.to_owned()
}

/// The failures of `report` by kind, most frequent first (then by label).
pub fn digest(report: &Report) -> Vec<Kind> {
    // Normalised problem → (label of its first occurrence, whether all occurrences read the
    // same, cases).
    let mut kinds: BTreeMap<String, (String, bool, Vec<String>)> = BTreeMap::new();
    for result in report.results.iter().filter(|r| r.failed()) {
        let case = format!("{}:{}", result.api, result.id);
        for problem in &result.problems {
            let label = readable(problem);
            let key = normalise(&label);
            let entry = kinds
                .entry(key)
                .or_insert_with(|| (label.clone(), true, Vec::new()));
            if entry.0 != label {
                entry.1 = false;
            }
            if !entry.2.contains(&case) {
                entry.2.push(case.clone());
            }
        }
    }
    let mut kinds: Vec<Kind> = kinds
        .into_iter()
        .map(|(key, (label, same, cases))| Kind {
            label: if same { label } else { key },
            cases,
        })
        .collect();
    kinds.sort_by(|a, b| {
        b.cases
            .len()
            .cmp(&a.cases.len())
            .then_with(|| a.label.cmp(&b.label))
    });
    kinds
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{CaseResult, Outcome};

    fn failed(id: &str, problem: &str) -> CaseResult {
        let mut result = CaseResult::new("mgr", id);
        result.outcome = Outcome::Failed;
        result.problems = vec![problem.to_owned()];
        result
    }

    #[test]
    fn failures_group_by_kind_most_frequent_first() {
        let report = Report {
            results: vec![
                failed(
                    "del_order/not_found",
                    "envelope msg: expected \"id:17不存在\", got \"id:17 不存在\"",
                ),
                failed(
                    "list_customer/not_logged_in",
                    "status: expected 302, got 200",
                ),
                failed("list_order/not_logged_in", "status: expected 302, got 200"),
                failed(
                    "del_customer/not_found",
                    "envelope msg: expected \"id:9不存在\", got \"id:9 不存在\"",
                ),
                failed("add_order/not_logged_in", "status: expected 302, got 200"),
            ],
            ..Report::default()
        };
        let lines: Vec<String> = digest(&report).iter().map(Kind::line).collect();
        assert_eq!(
            lines,
            vec![
                "status: expected 302, got 200 on 3 not_logged_in cases".to_owned(),
                "msg \"id:# 不存在\" instead of \"id:#不存在\" on 2 not_found cases".to_owned(),
            ]
        );
    }

    #[test]
    fn normalising_takes_out_ids_dates_and_the_run_tag() {
        assert_eq!(
            normalise("order 2026010412 of xx药-1a2b3c4 on 2026-01-18"),
            "order # of xx药-# on #-#-#"
        );
        assert_eq!(normalise("face of a deadbeef"), "face of a deadbeef");
    }
}
