//! `cargo xtask bench [ARGS...]`: builds the release server and the harness together, then runs
//! `medsys-bench` with `ARGS` (see `medsys-bench --help`; `docs/performance.md` has the figures).

use std::{path::PathBuf, process::Command, process::ExitCode};

use crate::check::workspace_root;

pub fn run(args: &[String]) -> anyhow::Result<ExitCode> {
    let root = workspace_root();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    // Both packages in one build, so features are unified once and nothing is built twice.
    let built = Command::new(&cargo)
        .current_dir(&root)
        .args([
            "build",
            "--release",
            "--locked",
            "-p",
            "medsys-server",
            "-p",
            "medsys-bench",
        ])
        .status()?;
    if !built.success() {
        return Ok(ExitCode::FAILURE);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root.join("target"), PathBuf::from)
        .join("release");
    let mut bench = Command::new(target.join("medsys-bench"));
    bench.current_dir(&root);
    if !args.iter().any(|arg| arg.starts_with("--server-bin")) {
        bench.arg("--server-bin").arg(target.join("medsys-server"));
    }
    let status = bench.args(args).status()?;
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
