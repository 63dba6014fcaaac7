//! `cargo xtask`: the project's own automation (spec checks, code generation, CI).

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("help") | None => {
            println!("cargo xtask <check-spec|codegen|ci>");
            Ok(())
        }
        Some(other) => anyhow::bail!("unknown xtask command `{other}`; run `cargo xtask help`"),
    }
}
