//! Settings and the command line: every setting is a flag and an environment variable.
//!
//! `medsys-server --help` is the reference. Secrets (database passwords inside the URL) are never
//! logged: [`Config`] redacts the URL in its `Debug` output.

use std::{fmt, net::SocketAddr, time::Duration};

use clap::{Args, Parser, Subcommand};

/// The `medsys-server` command line.
#[derive(Debug, Parser)]
#[command(
    name = "medsys-server",
    version,
    about = "medsys reference server (mgr API)"
)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,

    /// Seed demo data (customers, medicines, orders and an mgr admin) before serving, and print
    /// the login to use. Idempotent: running it again adds nothing.
    #[arg(long, env = "MEDSYS_DEMO")]
    pub demo: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// One-shot administrative commands; without one, the server starts.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Administrative tasks on the database given by `--database-url`.
    #[command(subcommand)]
    Admin(AdminCommand),
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an active mgr superuser (the kind of account that may sign in to the mgr API).
    CreateMgrAdmin {
        /// Login name: 1 to 150 characters, no whitespace.
        #[arg(long, env = "MEDSYS_ADMIN_USERNAME")]
        username: String,
        /// Password: at least 8 characters, not all digits, not equal to the username.
        #[arg(long, env = "MEDSYS_ADMIN_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Create a procurement user (an account of the procurement API), e.g.
    /// `admin create-user --id 12345678910 --name 管理员 --role 管理员 --department 办公室 --password P`.
    CreateUser {
        /// User id (the login name): 11 digits.
        #[arg(long)]
        id: String,
        /// Real name.
        #[arg(long)]
        name: String,
        /// Role: 管理员, 主管院领导, 部门领导 or 普通用户.
        #[arg(long, default_value = "普通用户")]
        role: String,
        /// Department name, one of the ten seeded departments (e.g. 办公室).
        #[arg(long)]
        department: String,
        /// Password: 6 to 64 characters.
        #[arg(long, env = "MEDSYS_USER_PASSWORD", hide_env_values = true)]
        password: String,
    },
}

/// Everything the server needs to run; shared by `main` and the integration tests.
#[derive(Clone, Args)]
pub struct Config {
    /// Address and port to listen on (port 0 picks a free port).
    #[arg(long, env = "MEDSYS_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Database URL: `sqlite://FILE?mode=rwc` (created on first start),
    /// `postgres://USER@HOST:PORT/DB` or `mysql://USER@HOST:PORT/DB` (MySQL 8 or MariaDB).
    /// Migrations are applied at start.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://medsys.db?mode=rwc",
        hide_env_values = true
    )]
    pub database_url: String,

    /// How long an mgr session (the `sessionid` cookie) stays valid, e.g. `14d`, `12h`, `30m`,
    /// `90s`.
    #[arg(long, env = "MEDSYS_SESSION_LIFETIME", default_value = "14d", value_parser = parse_duration)]
    pub session_lifetime: Duration,

    /// Log filter: a level (`error`, `warn`, `info`, `debug`, `trace`) or a full `tracing`
    /// directive such as `medsys_server=debug,tower_http=info`. `RUST_LOG`, when set, wins.
    #[arg(long, env = "MEDSYS_LOG_LEVEL", default_value = "info")]
    pub log_level: String,

    /// Write logs as JSON lines instead of human-readable text.
    #[arg(long, env = "MEDSYS_LOG_JSON")]
    pub log_json: bool,

    /// Largest accepted request body in bytes; larger bodies are refused with HTTP 413.
    #[arg(long, env = "MEDSYS_BODY_LIMIT", default_value_t = 2 * 1024 * 1024)]
    pub body_limit: usize,

    /// Lifetime of a procurement token (JWT), e.g. `1h`, `30m`. A request made with less than
    /// 10 minutes left gets a fresh token in its response's `Authorization` header.
    #[arg(long, env = "MEDSYS_JWT_TTL", default_value = "1h", value_parser = parse_duration)]
    pub jwt_ttl: Duration,

    /// Secret that signs procurement tokens (HS256). Without one, the server generates a random
    /// secret once and keeps it in the database, shared by every instance on that database.
    #[arg(long, env = "MEDSYS_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,

    /// Maximum age of a procurement password in days before login answers 密码过期 (0 = no limit).
    #[arg(long, env = "MEDSYS_PASSWORD_MAX_AGE_DAYS", default_value_t = 180)]
    pub password_max_age_days: u64,

    /// Time zone of procurement dates, as minutes east of UTC (480 = Asia/Shanghai, UTC+8).
    #[arg(
        long,
        env = "MEDSYS_UTC_OFFSET_MINUTES",
        default_value_t = 480,
        allow_negative_numbers = true
    )]
    pub utc_offset_minutes: i32,

    /// A .docx file to serve as the feasibility-report template instead of the built-in one.
    #[arg(long, env = "MEDSYS_FEASIBILITY_REPORT")]
    pub feasibility_report: Option<std::path::PathBuf>,

    /// An origin (`https://app.example.org`) whose pages may call the APIs from a browser, with
    /// credentials; repeat it or separate with commas. `*` allows any origin without
    /// credentials. Without it, no cross-origin call is allowed.
    #[arg(long, env = "MEDSYS_CORS_ORIGINS", value_delimiter = ',', value_parser = crate::security::parse_origin)]
    pub cors_origin: Vec<String>,
}

impl Config {
    /// The defaults, pointed at `database_url` and listening on a free local port: what tests use.
    pub fn for_database(database_url: impl Into<String>) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            database_url: database_url.into(),
            session_lifetime: Duration::from_secs(14 * 24 * 3600),
            log_level: "info".to_owned(),
            log_json: false,
            body_limit: 2 * 1024 * 1024,
            jwt_ttl: Duration::from_secs(3600),
            jwt_secret: None,
            password_max_age_days: 180,
            utc_offset_minutes: 480,
            feasibility_report: None,
            cors_origin: Vec::new(),
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("database_url", &redact_url(&self.database_url))
            .field("session_lifetime", &self.session_lifetime)
            .field("log_level", &self.log_level)
            .field("log_json", &self.log_json)
            .field("body_limit", &self.body_limit)
            .field("jwt_ttl", &self.jwt_ttl)
            .field("jwt_secret", &self.jwt_secret.as_ref().map(|_| "***"))
            .field("password_max_age_days", &self.password_max_age_days)
            .field("utc_offset_minutes", &self.utc_offset_minutes)
            .field("feasibility_report", &self.feasibility_report)
            .field("cors_origin", &self.cors_origin)
            .finish()
    }
}

/// Hides the password of `scheme://user:password@host/...`, so the URL can be logged.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// Parses `<number><unit>` with unit `s`, `m`, `h` or `d` (a bare number means seconds).
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration such as 14d, 12h, 30m or 90s"))?;
    let unit_secs = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("unknown unit `{unit}`: use s, m, h or d")),
    };
    let secs = number
        .checked_mul(unit_secs)
        .filter(|secs| *secs > 0)
        .ok_or_else(|| format!("`{text}` is out of range"))?;
    Ok(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_accept_the_documented_units() {
        assert_eq!(parse_duration("14d"), Ok(Duration::from_secs(14 * 86_400)));
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("3w").is_err());
    }

    #[test]
    fn passwords_in_database_urls_are_redacted() {
        assert_eq!(
            redact_url("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(redact_url("sqlite://medsys.db"), "sqlite://medsys.db");
    }
}
