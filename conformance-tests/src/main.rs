//! `medsys-conformance`: runs the conformance suite against a deployment and writes the reports.

use std::{
    path::PathBuf,
    process::ExitCode,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use anyhow::{Context, Result};
use clap::{Parser, ValueEnum};
use medsys_conformance::{
    Api, Credentials, Options, baseline::Baseline, report, select::Selection,
};

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
    #[arg(long, env = "MEDSYS_MGR_NON_ADMIN", hide_env_values = true)]
    mgr_non_admin: Option<Credentials>,
    /// An inactive mgr superuser (signin/inactive is skipped without it).
    #[arg(long, env = "MEDSYS_MGR_INACTIVE", hide_env_values = true)]
    mgr_inactive: Option<Credentials>,
    /// A disabled procurement account (login/account_disabled is skipped without it).
    #[arg(long, env = "MEDSYS_PROCUREMENT_DISABLED", hide_env_values = true)]
    procurement_disabled: Option<Credentials>,
    /// A procurement account past its expiry date (login/account_expired).
    #[arg(long, env = "MEDSYS_PROCUREMENT_EXPIRED", hide_env_values = true)]
    procurement_expired: Option<Credentials>,
    /// A procurement account whose password is too old (login/password_expired).
    #[arg(
        long,
        env = "MEDSYS_PROCUREMENT_PASSWORD_EXPIRED",
        hide_env_values = true
    )]
    procurement_password_expired: Option<Credentials>,
    /// A well-signed procurement token past its expiry, 'Bearer <jwt>' (get_user_info/token_expired
    /// is skipped without it).
    #[arg(long, env = "MEDSYS_PROCUREMENT_EXPIRED_TOKEN", hide_env_values = true)]
    procurement_expired_token: Option<String>,
    /// The live token of a procurement account disabled after it logged in, 'Bearer <jwt>'
    /// (get_user_info/account_offline is skipped without it).
    #[arg(long, env = "MEDSYS_PROCUREMENT_OFFLINE_TOKEN", hide_env_values = true)]
    procurement_offline_token: Option<String>,
    /// Only cases whose operation id or case id (operation/example) matches this glob
    /// (repeatable: a case matching any of them).
    #[arg(long, value_name = "GLOB")]
    only: Vec<String>,
    /// Leave out cases whose operation id or case id matches this glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Only cases of operations with this spec tag (repeatable; `scenario` selects the
    /// scenarios).
    #[arg(long, value_name = "TAG")]
    tag: Vec<String>,
    /// Print the selected cases, one `api:case` a line, and exit without sending anything.
    #[arg(long)]
    list: bool,
    /// Reuse the procurement users kept in FILE, and keep this run's there (created when
    /// missing; it holds passwords).
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Failures recorded in FILE (by --write-baseline) are known: only new or changed ones
    /// fail the run.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Record this run's failures in FILE, for --baseline.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// A header sent with every request, NAME:VALUE (repeatable; the value is kept out of the
    /// reports).
    #[arg(short = 'H', long = "header", value_name = "NAME:VALUE")]
    headers: Vec<String>,
    /// Trust the certificates of this PEM file besides the system's.
    #[arg(long, value_name = "FILE")]
    ca_cert: Option<PathBuf>,
    /// Accept any TLS certificate (a deployment with a self-signed one).
    #[arg(long)]
    insecure: bool,
    /// Send every request through this proxy (http://, https:// or socks5://).
    #[arg(long, value_name = "URL")]
    proxy: Option<String>,
    /// At most N requests per second, e.g. 20/s.
    #[arg(long, value_name = "N/s", value_parser = parse_rate)]
    rate_limit: Option<f64>,
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

fn parse_rate(text: &str) -> Result<f64, String> {
    let number = text.strip_suffix("/s").unwrap_or(text);
    match number.trim().parse::<f64>() {
        Ok(rate) if rate.is_finite() && rate > 0.0 => Ok(rate),
        _ => Err(format!(
            "{text:?}: expected a positive number of requests per second, e.g. 20/s"
        )),
    }
}

fn parse_headers(headers: &[String]) -> Result<Vec<(String, String)>> {
    headers
        .iter()
        .map(|header| {
            let (name, value) = header
                .split_once(':')
                .with_context(|| format!("--header {header}: expected NAME:VALUE"))?;
            let name = name.trim();
            anyhow::ensure!(
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && b != b':'),
                "--header {header}: {name:?} is not a header name"
            );
            Ok((name.to_owned(), value.trim().to_owned()))
        })
        .collect()
}

/// Ctrl-C or SIGTERM stops the run from starting cases; it then cleans up (removes what it
/// created, scrambles its users' passwords) and writes its reports. A second signal ends the
/// process at once.
fn handle_signals(interrupted: Arc<AtomicBool>) {
    tokio::spawn(async move {
        #[cfg(unix)]
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        loop {
            #[cfg(unix)]
            let terminate = async {
                match term.as_mut() {
                    Some(term) => drop(term.recv().await),
                    None => std::future::pending().await,
                }
            };
            #[cfg(not(unix))]
            let terminate = std::future::pending::<()>();
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                () = terminate => {}
            }
            if interrupted.swap(true, Ordering::SeqCst) {
                eprintln!("medsys-conformance: interrupted again, stopping without cleanup");
                std::process::exit(130);
            }
            eprintln!(
                "medsys-conformance: interrupted; cleaning up what the run created (interrupt \
                 again to stop at once)"
            );
        }
    });
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
        Ok(Ending::Passed) => ExitCode::SUCCESS,
        Ok(Ending::Failed) => ExitCode::FAILURE,
        Ok(Ending::Interrupted) => ExitCode::from(130),
        Err(error) => {
            eprintln!("medsys-conformance: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// How a run ended.
enum Ending {
    Passed,
    Failed,
    Interrupted,
}

async fn run(cli: Cli) -> Result<Ending> {
    let reports = parse_reports(&cli.reports)?;
    let baseline = cli.baseline.as_deref().map(Baseline::read).transpose()?;
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
    options.selection = Selection {
        only: cli.only,
        tags: cli.tag,
        exclude: cli.exclude,
    };
    options.headers = parse_headers(&cli.headers)?;
    options.ca_cert = cli.ca_cert;
    options.insecure = cli.insecure;
    options.proxy = cli.proxy;
    options.rate_limit = cli.rate_limit;
    options.state_file = cli.state;
    options.spec_dir = cli.spec_dir;
    options.request_timeout = Duration::from_secs(cli.request_timeout);
    options.overall_timeout = Duration::from_secs(cli.timeout);
    options.max_refresh_wait = Duration::from_secs(cli.max_refresh_wait);
    options.progress = true;
    // The client is built once up front so that a bad --ca-cert, --proxy or --header is a
    // clear error before anything is sent.
    options.client()?;
    if cli.list {
        let cases = medsys_conformance::list(&options)?;
        anyhow::ensure!(
            !cases.is_empty(),
            "the selection ({}) holds no case",
            options.selection.describe()
        );
        for case in cases {
            println!("{case}");
        }
        return Ok(Ending::Passed);
    }
    handle_signals(options.interrupted.clone());
    let mut report = medsys_conformance::run(&options).await?;
    if let (Some(baseline), Some(file)) = (&baseline, &cli.baseline) {
        baseline.apply(&mut report, &file.display().to_string());
    }
    if let Some(file) = &cli.write_baseline {
        Baseline::of(&report).write(file)?;
    }
    for (kind, file) in reports {
        let text = match kind.as_str() {
            "junit" => report::junit(&report),
            "json" => report.json(),
            _ => report::markdown(&report),
        };
        std::fs::write(&file, text).with_context(|| format!("writing {}", file.display()))?;
    }
    print!("{}", report::console_summary(&report));
    Ok(if report.interrupted {
        Ending::Interrupted
    } else if report.success() {
        Ending::Passed
    } else {
        Ending::Failed
    })
}
