//! The checked-in TypeScript types are what `cargo xtask typescript` generates from the specs.
//!
//! Generating needs Node.js and `npm ci --prefix frontend`. `cargo test --workspace` must also
//! pass on a machine with only the Rust toolchain, so the drift test skips (saying so) when the
//! generator is absent, unless `MEDSYS_REQUIRE_TYPESCRIPT` is set, as `.ci/run` does: there a
//! missing generator fails instead of hiding drift.

fn generator_available(root: &std::path::Path) -> bool {
    if xtask::typescript::generator_installed(root) {
        return true;
    }
    assert!(
        std::env::var_os("MEDSYS_REQUIRE_TYPESCRIPT").is_none(),
        "MEDSYS_REQUIRE_TYPESCRIPT is set but openapi-typescript is missing; run `npm ci --prefix frontend`"
    );
    eprintln!("skipped: openapi-typescript is not installed; run `npm ci --prefix frontend`");
    false
}

#[test]
fn generated_typescript_is_up_to_date_deterministic_and_marked_generated() {
    let root = xtask::check::workspace_root();
    if !generator_available(&root) {
        return;
    }
    let first = xtask::typescript::generate(&root).expect("openapi-typescript runs");
    let second = xtask::typescript::generate(&root).expect("openapi-typescript runs");
    assert_eq!(first, second, "two runs gave different bytes");
    for file in &first {
        assert!(
            file.contents.starts_with(xtask::typescript::HEADER),
            "{} lacks the header",
            file.path
        );
        assert!(
            !file.contents.contains('\r'),
            "{} has CR line endings",
            file.path
        );
    }
    let stale = xtask::codegen::stale_files(&root, &first);
    assert!(
        stale.is_empty(),
        "generated TypeScript is stale; run `cargo xtask typescript`\n{}",
        stale.join("\n")
    );
}

#[test]
fn wrapping_adds_the_header_and_normalises_line_endings() {
    let wrapped =
        xtask::typescript::wrap("openapi/mgr.yaml", "export interface paths {\r\n}\r\n\r\n");
    assert_eq!(
        wrapped,
        format!(
            "{}// Source: openapi/mgr.yaml. Regenerate with `cargo xtask typescript` after editing it.\n\nexport interface paths {{\n}}\n",
            xtask::typescript::HEADER
        )
    );
}

#[test]
fn a_missing_generator_names_the_npm_command_to_run() {
    let root = std::env::temp_dir().join(format!("medsys-typescript-{}", std::process::id()));
    std::fs::create_dir_all(&root).expect("temp dir");
    let error = xtask::typescript::generate(&root).expect_err("no generator installed there");
    std::fs::remove_dir_all(&root).ok();
    assert!(
        error.to_string().contains("npm ci --prefix frontend"),
        "{error}"
    );
}
