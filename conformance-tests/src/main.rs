//! `medsys-conformance`: runs the conformance suite against a deployment and writes the reports.

use std::{path::PathBuf, process::ExitCode, time::Duration};

use anyhow::{Context, Result};
use clap::{Parser, ValueEnum};
use medsys_conformance::{Api, Credentials, Options, report};

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ApiChoice {
    Mgr,
    Procurement,
    All,
}

/// Replays every documented example of openapi/*.yaml against a deployment and reports where it
/// departs from the contract.
#[derive(Debug, Parser)]
#[command(name = "medsys-conformance", version)]
struct Cli {
    /// The deployment, e.g. http://127.0.0.1:8080.
    #[arg(long, env = "MEDSYS_BASE_URL")]
    base_url: String,
    /// Which API to check.
    #[arg(long, value_enum, default_value = "all")]
    api: ApiChoice,
    /// An active mgr superuser, USER:PASS.
    #[arg(long, env = "MEDSYS_MGR_ADMIN")]
    mgr_admin: Option<Credentials>,
    /// A procurement admin (管理员), UID:PASS.
    #[arg(long, env = "MEDSYS_PROCUREMENT_ADMIN")]
    procurement_admin: Option<Credentials>,
    /// An active mgr user who is not a superuser (signin/not_admin is skipped without it).
    #[arg(long)]
    mgr_non_admin: Option<Credentials>,
    /// An inactive mgr superuser (signin/inactive is skipped without it).
    #[arg(long)]
    mgr_inactive: Option<Credentials>,
    /// A disabled procurement account (login/account_disabled is skipped without it).
    #[arg(long)]
    procurement_disabled: Option<Credentials>,
    /// A procurement account past its expiry date (login/account_expired).
    #[arg(long)]
    procurement_expired: Option<Credentials>,
    /// A procurement account whose password is too old (login/password_expired).
    #[arg(long)]
    procurement_password_expired: Option<Credentials>,
    /// A well-signed procurement token past its expiry, 'Bearer <jwt>' (get_user_info/token_expired
    /// is skipped without it).
    #[arg(long)]
    procurement_expired_token: Option<String>,
    /// The live token of a procurement account disabled after it logged in, 'Bearer <jwt>'
    /// (get_user_info/account_offline is skipped without it).
    #[arg(long)]
    procurement_offline_token: Option<String>,
    /// Only cases whose operation id or case id (operation/example) matches this glob.
    #[arg(long)]
    only: Option<String>,
    /// Reports to write: junit=FILE, json=FILE, markdown=FILE (repeatable).
    #[arg(long = "report", value_name = "KIND=FILE")]
    reports: Vec<String>,
    /// Read the specs from this directory instead of the copies built into the binary.
    #[arg(long)]
    spec_dir: Option<PathBuf>,
    /// Seconds one request may take.
    #[arg(long, default_value_t = 30)]
    request_timeout: u64,
    /// Seconds the whole run may take; cases not started by then are skipped.
    #[arg(long, default_value_t = 1800)]
    timeout: u64,
    /// Seconds the token refresh check may wait for a token to near its expiry.
    #[arg(long, default_value_t = 90)]
    max_refresh_wait: u64,
}

fn parse_reports(reports: &[String]) -> Result<Vec<(String, PathBuf)>> {
    reports
        .iter()
        .map(|spec| {
            let (kind, file) = spec
                .split_once('=')
                .with_context(|| format!("--report {spec}: expected KIND=FILE"))?;
            anyhow::ensure!(
                matches!(kind, "junit" | "json" | "markdown"),
                "--report {spec}: KIND is junit, json or markdown"
            );
            Ok((kind.to_owned(), PathBuf::from(file)))
        })
        .collect()
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("medsys-conformance: {error:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> Result<bool> {
    let reports = parse_reports(&cli.reports)?;
    let apis = match cli.api {
        ApiChoice::Mgr => vec![Api::Mgr],
        ApiChoice::Procurement => vec![Api::Procurement],
        ApiChoice::All => Api::ALL.to_vec(),
    };
    let mut options = Options::new(&cli.base_url, apis);
    options.mgr_admin = cli.mgr_admin;
    options.procurement_admin = cli.procurement_admin;
    options.mgr_non_admin = cli.mgr_non_admin;
    options.mgr_inactive = cli.mgr_inactive;
    options.procurement_disabled = cli.procurement_disabled;
    options.procurement_expired = cli.procurement_expired;
    options.procurement_password_expired = cli.procurement_password_expired;
    options.procurement_expired_token = cli.procurement_expired_token;
    options.procurement_offline_token = cli.procurement_offline_token;
    options.only = cli.only;
    options.spec_dir = cli.spec_dir;
    options.request_timeout = Duration::from_secs(cli.request_timeout);
    options.overall_timeout = Duration::from_secs(cli.timeout);
    options.max_refresh_wait = Duration::from_secs(cli.max_refresh_wait);
    options.progress = true;
    let report = medsys_conformance::run(&options).await?;
    for (kind, file) in reports {
        let text = match kind.as_str() {
            "junit" => report::junit(&report),
            "json" => report.json(),
            _ => report::markdown(&report),
        };
        std::fs::write(&file, text).with_context(|| format!("writing {}", file.display()))?;
    }
    print!("{}", report::console_summary(&report));
    Ok(report.success())
}
