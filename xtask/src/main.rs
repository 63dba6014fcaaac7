//! `cargo xtask`: the project's own automation (spec checks, code generation, CI).

use std::process::ExitCode;

const USAGE: &str = "cargo xtask <command>

commands:
  check-spec [FILES...]   check openapi/*.yaml (or the given files) against openapi/README.md
  codegen [--check]       generate client-sdk/ from openapi/*.yaml (--check: fail with a diff when stale)
  typescript [--check]    generate frontend/src/generated/*.ts from openapi/*.yaml with openapi-typescript
                          (run `npm ci --prefix frontend` first; --check: fail with a diff when stale)
  bench [ARGS...]         build the release server and run the performance harness
                          (e.g. --rows 1000000 --database sqlite,postgres; see docs/performance.md)";

fn main() -> anyhow::Result<ExitCode> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (command, rest) = match args.split_first() {
        Some((command, rest)) => (command.as_str(), rest),
        None => ("help", &[][..]),
    };
    match command {
        "check-spec" => xtask::check::run(rest),
        "codegen" => xtask::codegen::run(rest),
        "typescript" => xtask::typescript::run(rest),
        "bench" => xtask::bench::run(rest),
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        other => anyhow::bail!("unknown xtask command `{other}`; run `cargo xtask help`"),
    }
}
