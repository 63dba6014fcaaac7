//! Tidy test: the layering of `src/` (STYLE invariant 4). Domain modules know neither axum nor
//! sqlx; database modules know no axum; only the HTTP layer speaks HTTP.

use std::{fs, path::Path};

/// (file, forbidden crate names) for each layer.
fn rules() -> Vec<(&'static str, &'static [&'static str])> {
    vec![
        ("src/mgr/domain.rs", &["axum", "sqlx", "tower", "http::"]),
        ("src/mgr/store.rs", &["axum", "tower", "StatusCode"]),
        ("src/db.rs", &["axum", "tower", "StatusCode"]),
        ("src/db/statement.rs", &["axum", "tower", "StatusCode"]),
        ("src/password.rs", &["axum", "sqlx"]),
        ("src/json.rs", &["axum", "sqlx"]),
        ("src/config.rs", &["axum", "sqlx"]),
        // The workflow decides transitions without HTTP or a database; the generated operations
        // are data about the contract, so either can be unit-tested and read on their own.
        ("src/procurement/domain/workflow.rs", &["axum", "sqlx"]),
        ("src/procurement/generated.rs", &["axum", "sqlx", "tower"]),
    ]
}

fn offending_lines(source: &str, forbidden: &[&str]) -> Vec<String> {
    source
        .lines()
        .enumerate()
        .filter(|(_, line)| {
            let code = line.split("//").next().unwrap_or_default();
            forbidden.iter().any(|name| {
                code.contains(&format!("use {name}"))
                    || code.contains(&format!("{name}::"))
                    || code.contains(&format!("{name}{{"))
            })
        })
        .map(|(number, line)| format!("{}: {}", number + 1, line.trim()))
        .collect()
}

#[test]
fn domain_and_database_layers_do_not_speak_http() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut problems = Vec::new();
    for (file, forbidden) in rules() {
        let source =
            fs::read_to_string(root.join(file)).unwrap_or_else(|error| panic!("{file}: {error}"));
        for line in offending_lines(&source, forbidden) {
            problems.push(format!("{file}:{line}"));
        }
    }
    // Procurement (and any later API) follows the same layout: its domain and store files get
    // the same rules automatically.
    for api in ["procurement"] {
        for (suffix, forbidden) in [
            ("domain.rs", &["axum", "sqlx"][..]),
            ("store.rs", &["axum"][..]),
        ] {
            let path = root.join(format!("src/{api}/{suffix}"));
            if let Ok(source) = fs::read_to_string(&path) {
                for line in offending_lines(&source, forbidden) {
                    problems.push(format!("src/{api}/{suffix}:{line}"));
                }
            }
        }
    }
    // Every file of the database layer: the stores' modules (one per aggregate) and `db/`.
    for dir in ["src/mgr/store", "src/procurement/store", "src/db"] {
        let entries = fs::read_dir(root.join(dir)).unwrap_or_else(|error| panic!("{dir}: {error}"));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            let source = fs::read_to_string(&path)
                .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
            for line in offending_lines(&source, &["axum", "tower", "StatusCode"]) {
                problems.push(format!("{}:{line}", path.display()));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "layering violations:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_tidy_check_catches_a_violation() {
    assert_eq!(offending_lines("use axum::Json;\n", &["axum"]).len(), 1);
    assert!(offending_lines("// use axum::Json;\n", &["axum"]).is_empty());
}
