//! `medsys-bench`: the command line of the performance harness (usually run by
//! `cargo xtask bench`, which builds the release binaries first).

use std::{path::PathBuf, process::ExitCode, time::Duration};

use clap::Parser;
use medsys_bench::{Options, ServerKind, seed};

/// Seeds a database, starts the release server on loopback and measures every scenario.
#[derive(Debug, Parser)]
#[command(name = "medsys-bench")]
struct Cli {
    /// Rows per large table (customers, medicines, orders, procurement orders, notices).
    #[arg(long, default_value_t = 10_000)]
    rows: i64,
    /// Databases to run on, in order: sqlite, postgres, mysql.
    #[arg(long, value_delimiter = ',', default_value = "sqlite,postgres")]
    database: Vec<String>,
    /// Concurrent connections.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Seconds of measured load per scenario.
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Seconds of unmeasured warm-up before each scenario.
    #[arg(long, default_value_t = 2.0)]
    warmup: f64,
    /// Upper bound on measured requests per scenario.
    #[arg(long, default_value_t = 2_000_000)]
    max_requests: u64,
    /// The server binary to measure.
    #[arg(long, default_value = "target/release/medsys-server")]
    server_bin: PathBuf,
    /// PostgreSQL server (no database name): the run drops and creates `medsys_bench_<size>`.
    #[arg(
        long,
        env = "MEDSYS_BENCH_POSTGRES_URL",
        default_value = "postgres://postgres@127.0.0.1:5432"
    )]
    postgres_url: String,
    /// MySQL or MariaDB server (no database name): the run drops and creates
    /// `medsys_bench_<size>`.
    #[arg(
        long,
        env = "MEDSYS_BENCH_MYSQL_URL",
        default_value = "mysql://root@127.0.0.1:3306"
    )]
    mysql_url: String,
    /// Where SQLite files and the reports go.
    #[arg(long, default_value = "target/bench")]
    out: PathBuf,
    /// Only scenarios whose name contains this text (repeatable).
    #[arg(long)]
    only: Vec<String>,
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("medsys-bench: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    anyhow::ensure!(cli.concurrency >= 1, "--concurrency must be at least 1");
    anyhow::ensure!(
        cli.duration > 0.0 && cli.duration <= 600.0 && cli.warmup >= 0.0 && cli.warmup <= 60.0,
        "--duration must be in (0, 600] seconds and --warmup in [0, 60]"
    );
    anyhow::ensure!(
        cli.server_bin.exists(),
        "{} does not exist: build it with `cargo build --release -p medsys-server` (or run `cargo xtask bench`)",
        cli.server_bin.display()
    );
    seed::check_url(&cli.postgres_url, "--postgres-url")?;
    seed::check_url(&cli.mysql_url, "--mysql-url")?;
    let backends = cli
        .database
        .iter()
        .map(|name| seed::parse_backend(name))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let options = Options {
        backends,
        rows: cli.rows,
        concurrency: cli.concurrency,
        warmup: Duration::from_secs_f64(cli.warmup),
        duration: Duration::from_secs_f64(cli.duration),
        max_requests: cli.max_requests,
        server: ServerKind::Binary(cli.server_bin),
        work_dir: cli.out.clone(),
        postgres_url: cli.postgres_url,
        mysql_url: cli.mysql_url,
        only: cli.only,
    };
    let reports = medsys_bench::run(&options).await?;
    for report in &reports {
        let json = report.write(&cli.out)?;
        println!("{}", report.markdown());
        println!("(written to {})\n", json.display());
    }
    Ok(())
}
