//! `cargo xtask check-spec`: lints `openapi/*.yaml` against the design rules of `openapi/README.md`.
//!
//! The checker reads a spec as plain JSON (`serde_json::Value`) rather than through typed models,
//! because most rules are about extensions (`x-envelope`, `x-invalid-request`...) and example
//! names that typed OpenAPI models hide. `oas3` is used once, to confirm the document is a
//! well-formed OpenAPI 3.1 description. Every problem is collected; nothing stops at the first.

mod cases;
mod document;
mod operation;
mod schema;

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::Value;

use self::operation::Operation;
use self::schema::Validators;

/// The spec files every checkout must have, relative to the workspace root.
pub const EXPECTED_SPECS: [&str; 2] = ["openapi/mgr.yaml", "openapi/procurement.yaml"];

/// One broken rule, located as precisely as the rule allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The spec file, as given on the command line or relative to the workspace root.
    pub file: String,
    /// The operation: its `operationId`, or `METHOD /path` when it has none.
    pub operation: Option<String>,
    /// The example (case) name the problem is about.
    pub case: Option<String>,
    /// What is wrong, in one line.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:", self.file)?;
        if let Some(operation) = &self.operation {
            write!(f, " {operation}:")?;
        }
        if let Some(case) = &self.case {
            write!(f, " example `{case}`:")?;
        }
        write!(f, " {}", self.message)
    }
}

/// The workspace root, found from this crate's manifest directory.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Runs the subcommand: checks `files`, or every `openapi/*.yaml` when none are given.
pub fn run(files: &[String]) -> anyhow::Result<ExitCode> {
    let mut problems = Vec::new();
    let mut checked = 0;
    if files.is_empty() {
        let root = workspace_root();
        for expected in EXPECTED_SPECS {
            if !root.join(expected).is_file() {
                problems.push(Problem {
                    file: expected.to_owned(),
                    operation: None,
                    case: None,
                    message: "the spec file is missing".to_owned(),
                });
            }
        }
        for path in default_spec_paths(&root)? {
            let shown = path
                .strip_prefix(&root)
                .unwrap_or(&path)
                .display()
                .to_string();
            problems.extend(check_file(&path, &shown));
            checked += 1;
        }
    } else {
        for file in files {
            problems.extend(check_file(Path::new(file), file));
            checked += 1;
        }
    }
    for problem in &problems {
        eprintln!("{problem}");
    }
    if problems.is_empty() {
        println!("check-spec: {checked} file(s) OK");
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "check-spec: {} problem(s) in {checked} file(s)",
            problems.len()
        );
        Ok(ExitCode::FAILURE)
    }
}

/// Every `openapi/*.yaml` under `root`, sorted so the output is stable.
pub fn default_spec_paths(root: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let dir = root.join("openapi");
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(&dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|ext| ext == "yaml") {
            paths.push(path);
        }
    }
    paths.sort();
    Ok(paths)
}

/// Checks the spec at `path`; `shown` names it in the problems.
pub fn check_file(path: &Path, shown: &str) -> Vec<Problem> {
    match std::fs::read_to_string(path) {
        Ok(text) => check_source(shown, &text),
        Err(error) => vec![Problem {
            file: shown.to_owned(),
            operation: None,
            case: None,
            message: format!("cannot read the file: {error}"),
        }],
    }
}

/// Parses YAML text into the JSON value every other check works on.
pub fn parse_yaml(text: &str) -> Result<Value, String> {
    yaml_serde::from_str::<Value>(text).map_err(|error| format!("not valid YAML: {error}"))
}

/// Checks a spec given as YAML text.
pub fn check_source(file: &str, text: &str) -> Vec<Problem> {
    match parse_yaml(text) {
        Ok(doc) => check_document(file, &doc),
        Err(message) => vec![Problem {
            file: file.to_owned(),
            operation: None,
            case: None,
            message,
        }],
    }
}

/// Checks a spec already parsed into JSON.
pub fn check_document(file: &str, doc: &Value) -> Vec<Problem> {
    let mut report = Report {
        file,
        problems: Vec::new(),
    };
    check_openapi_version(&mut report, doc);
    if let Err(error) = serde_json::from_value::<oas3::OpenApiV3Spec>(doc.clone()) {
        report.push(
            None,
            None,
            format!("not a valid OpenAPI 3.1 document (oas3): {error}"),
        );
    }
    document::check_refs(&mut report, doc);

    let operations = operation::operations(&mut report, doc);
    operation::check_operation_ids(&mut report, &operations);
    let mut validators = Validators::new(doc);
    for op in &operations {
        operation::check_extensions(&mut report, doc, op);
        cases::check_cases(&mut report, doc, &mut validators, op);
    }
    report.problems
}

fn check_openapi_version(report: &mut Report<'_>, doc: &Value) {
    match doc.get("openapi") {
        Some(Value::String(version)) if is_openapi_31(version) => {}
        Some(Value::String(version)) => report.push(
            None,
            None,
            format!("`openapi` is `{version}`, expected 3.1.x"),
        ),
        Some(other) => report.push(
            None,
            None,
            format!("`openapi` is {other}, expected a 3.1.x version string (quote it)"),
        ),
        None => report.push(None, None, "`openapi` (a 3.1.x version string) is missing"),
    }
}

fn is_openapi_31(version: &str) -> bool {
    version
        .strip_prefix("3.1.")
        .is_some_and(|patch| !patch.is_empty() && patch.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether `name` is snake_case: `^[a-z][a-z0-9]*(_[a-z0-9]+)*$`.
pub fn is_snake_case(name: &str) -> bool {
    let mut words = name.split('_');
    let first_ok = words.next().is_some_and(|first| {
        first.starts_with(|c: char| c.is_ascii_lowercase())
            && first
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    });
    first_ok
        && words.all(|word| {
            !word.is_empty()
                && word
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Collects problems for one file.
struct Report<'f> {
    file: &'f str,
    problems: Vec<Problem>,
}

impl Report<'_> {
    fn push(&mut self, operation: Option<&str>, case: Option<&str>, message: impl Into<String>) {
        self.problems.push(Problem {
            file: self.file.to_owned(),
            operation: operation.map(str::to_owned),
            case: case.map(str::to_owned),
            message: message.into(),
        });
    }

    fn for_op(&mut self, op: &Operation<'_>, case: Option<&str>, message: impl Into<String>) {
        self.push(Some(&op.label), case, message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_accepts_words_and_digits() {
        assert!(is_snake_case("list_customer"));
        assert!(is_snake_case("signin"));
        assert!(is_snake_case("page2_of_3"));
    }

    #[test]
    fn snake_case_rejects_capitals_leading_digits_and_empty_words() {
        for bad in ["listCustomer", "2fa", "_x", "x_", "a__b", "", "List"] {
            assert!(!is_snake_case(bad), "{bad}");
        }
    }

    #[test]
    fn only_3_1_versions_are_accepted() {
        assert!(is_openapi_31("3.1.0"));
        assert!(is_openapi_31("3.1.1"));
        assert!(!is_openapi_31("3.0.3"));
        assert!(!is_openapi_31("3.1"));
        assert!(!is_openapi_31("3.1.x"));
    }
}
