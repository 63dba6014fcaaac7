//! The stateful runner: replays the cases of each API in an order that makes them meaningful
//! (create before list, submit before approve), carrying ids and tokens from earlier responses
//! into later requests, then removes what it created.
//!
//! The generic part lives here: turning a case of the spec into a request and an expectation,
//! sending it, checking the answer, recording the result, and the coverage check. What each
//! case needs beyond its examples (preconditions set up through the API, substituted ids,
//! matchers for state-dependent values) is in one table per API: `replay/mgr.rs` and
//! `replay/procurement.rs`.

use std::{
    collections::BTreeMap,
    path::PathBuf,
    time::{Duration, Instant},
};

use anyhow::{Context, Result, anyhow};
use serde_json::Value;

use crate::{
    case::Request,
    check::{self, Actual, Expected, HeaderRule},
    report::{CaseResult, Coverage, Outcome, Report, progress_line},
    spec::{Api, Auth, Spec},
};

mod mgr;
pub mod procurement;

/// Credentials given on the command line (`USER:PASS`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    pub user: String,
    pub password: String,
}

impl std::str::FromStr for Credentials {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (user, password) = text
            .split_once(':')
            .ok_or_else(|| "expected USER:PASS".to_owned())?;
        Ok(Credentials {
            user: user.to_owned(),
            password: password.to_owned(),
        })
    }
}

/// Everything a run needs to know.
#[derive(Clone, Debug)]
pub struct Options {
    pub base_url: String,
    pub apis: Vec<Api>,
    pub mgr_admin: Option<Credentials>,
    pub procurement_admin: Option<Credentials>,
    /// An active mgr user who is not a superuser (no operation creates one).
    pub mgr_non_admin: Option<Credentials>,
    /// An inactive mgr superuser (no operation creates one).
    pub mgr_inactive: Option<Credentials>,
    /// Procurement accounts no operation can create: disabled, expired, password expired.
    pub procurement_disabled: Option<Credentials>,
    pub procurement_expired: Option<Credentials>,
    pub procurement_password_expired: Option<Credentials>,
    /// A well-signed procurement token past its expiry (`Bearer <jwt>`), for `token_expired`.
    pub procurement_expired_token: Option<String>,
    /// The live procurement token of an account disabled after it logged in, for
    /// `account_offline`.
    pub procurement_offline_token: Option<String>,
    /// Only cases whose operation id or case id matches this glob.
    pub only: Option<String>,
    pub spec_dir: Option<PathBuf>,
    pub request_timeout: Duration,
    /// The whole run; cases not started by then are reported as skipped.
    pub overall_timeout: Duration,
    /// The longest the token refresh check may wait for a token to near its expiry.
    pub max_refresh_wait: Duration,
    /// Print progress lines to stderr.
    pub progress: bool,
}

impl Options {
    pub fn new(base_url: &str, apis: Vec<Api>) -> Options {
        Options {
            base_url: base_url.trim_end_matches('/').to_owned(),
            apis,
            mgr_admin: None,
            procurement_admin: None,
            mgr_non_admin: None,
            mgr_inactive: None,
            procurement_disabled: None,
            procurement_expired: None,
            procurement_password_expired: None,
            procurement_expired_token: None,
            procurement_offline_token: None,
            only: None,
            spec_dir: None,
            request_timeout: Duration::from_secs(30),
            overall_timeout: Duration::from_secs(30 * 60),
            max_refresh_wait: Duration::from_secs(90),
            progress: false,
        }
    }
}

/// A glob with `*` (any run of characters) and `?` (one character).
pub fn glob_matches(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// A case made ready to send: the request and what its answer must be.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub id: String,
    pub request: Request,
    pub expected: Expected,
    /// The spec examples this exercises (normally just `id`).
    pub covers: Vec<String>,
    /// How the case authenticates (`x-auth`).
    pub auth: Auth,
    /// The role it calls as (procurement).
    pub role: Option<String>,
}

impl Prepared {
    /// Replaces a JSON pointer of the request body.
    pub fn body(&mut self, pointer: &str, value: Value) -> Result<()> {
        self.request.set_body(pointer, value)
    }

    /// Replaces every string equal to `from`, in the request body and the expected body.
    pub fn rename(&mut self, from: &str, to: &str) {
        if let Some(body) = self.request.body_value_mut() {
            crate::case::replace_strings(body, from, to);
        }
        if let Some(body) = self.expected.body.as_mut() {
            crate::case::replace_strings(body, from, to);
        }
    }

    /// Replaces `from` by `to` inside every string of the request (query, path, body) and of the
    /// expected body: for ids that also occur inside other values (an order id inside its line
    /// ids `2021010401` and inside notice texts `编号20210104的申请单...`).
    pub fn rename_within(&mut self, from: &str, to: &str) {
        for (_, value) in self
            .request
            .query
            .iter_mut()
            .chain(self.request.path_params.iter_mut())
        {
            *value = value.replace(from, to);
        }
        if let Some(body) = self.request.body_value_mut() {
            crate::case::replace_within_strings(body, from, to);
        }
        if let Some(body) = self.expected.body.as_mut() {
            crate::case::replace_within_strings(body, from, to);
        }
    }
}

/// What a plan decided for a case.
pub enum Plan {
    Send,
    Skip(String),
}

/// Runs the suite against one deployment.
pub struct Runner {
    pub options: Options,
    pub client: reqwest::Client,
    pub spec: Spec,
    components: Value,
    pub results: Vec<CaseResult>,
    pub left_behind: Vec<String>,
    started: Instant,
    /// A short tag unique to this run, for names the suite creates.
    pub tag: String,
}

impl Runner {
    pub fn new(options: &Options, api: Api) -> Result<Runner> {
        let spec = match &options.spec_dir {
            Some(dir) => Spec::from_dir(api, dir)?,
            None => Spec::embedded(api)?,
        };
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(options.request_timeout)
            .build()?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        Ok(Runner {
            options: options.clone(),
            client,
            components: spec.components(),
            spec,
            results: Vec::new(),
            left_behind: Vec::new(),
            started: Instant::now(),
            tag: format!("{:06x}", (nanos / 1000) % 0xff_ffff),
        })
    }

    pub fn api(&self) -> Api {
        self.spec.api
    }

    /// Whether `--only` selects case `id`.
    pub fn selected(&self, id: &str) -> bool {
        let Some(pattern) = &self.options.only else {
            return true;
        };
        let operation = id.split('/').next().unwrap_or(id);
        glob_matches(pattern, id) || glob_matches(pattern, operation)
    }

    pub fn out_of_time(&self) -> bool {
        self.started.elapsed() > self.options.overall_timeout
    }

    /// Sends a request and collects the whole answer.
    pub async fn send(&self, request: &Request) -> Result<Actual> {
        let builder = request.build(&self.client, &self.options.base_url)?;
        let response = builder
            .send()
            .await
            .with_context(|| format!("{} {}", request.method, request.rendered_path()))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = response.bytes().await?.to_vec();
        Ok(Actual {
            status,
            headers,
            body,
        })
    }

    /// The request and expectation of case `id` (`operation/example`) from the spec alone.
    pub fn prepare(&self, id: &str) -> Result<Prepared> {
        let (operation, name) = id
            .split_once('/')
            .ok_or_else(|| anyhow!("case id {id} is not operation/example"))?;
        let op = self
            .spec
            .operation(operation)
            .ok_or_else(|| anyhow!("no operation {operation} in the spec"))?;
        let case = op
            .case(name)
            .ok_or_else(|| anyhow!("no example {name} in operation {operation}"))?;
        let request = Request::assemble(op, name)?;
        let mut headers = Vec::new();
        for (header, definition) in &case.headers {
            if definition.get("required").and_then(Value::as_bool) == Some(true) {
                headers.push(HeaderRule::Present(header.clone()));
            }
        }
        if self.api() == Api::Mgr && case.status == 302 {
            headers.push(HeaderRule::Absent("Location".into()));
        }
        let expected = Expected {
            status: case.status,
            body: case.example.value.clone(),
            raw_body: None,
            media_type: Some(case.media_type.clone()),
            envelope: op.envelope.clone(),
            matchers: Vec::new(),
            headers,
            schema: case
                .schema
                .as_ref()
                .filter(|_| case.example.value.is_some())
                .map(|schema| check::schema_with_components(schema, &self.components)),
        };
        Ok(Prepared {
            id: id.to_owned(),
            request,
            expected,
            covers: vec![id.to_owned()],
            auth: case.auth,
            role: case.role.clone(),
        })
    }

    /// Sends a prepared case, checks the answer and records the result.
    pub async fn execute(&mut self, prepared: Prepared) -> Option<Actual> {
        let start = Instant::now();
        let mut result = CaseResult::new(self.api().name(), &prepared.id);
        result.covers = prepared.covers.clone();
        result.curl = Some(prepared.request.curl(&self.options.base_url));
        result.expected_status = Some(prepared.expected.status);
        let actual = match self.send(&prepared.request).await {
            Ok(actual) => actual,
            Err(error) => {
                result.outcome = Outcome::Failed;
                result.problems.push(format!("request failed: {error:#}"));
                result.set_duration(start.elapsed());
                self.record(result);
                return None;
            }
        };
        result.actual_status = Some(actual.status);
        let verdict = check::check(&prepared.expected, &actual);
        if !verdict.passed() {
            result.outcome = Outcome::Failed;
            result.problems = verdict.problems;
            result.diff = verdict.diff;
        }
        result.set_duration(start.elapsed());
        self.record(result);
        Some(actual)
    }

    /// Records a result and prints its progress line.
    pub fn record(&mut self, result: CaseResult) {
        if self.options.progress {
            eprintln!("{}", progress_line(self.results.len() + 1, &result));
        }
        self.results.push(result);
    }

    pub fn skip(&mut self, id: &str, reason: impl Into<String>) {
        let result = CaseResult::skipped(self.api().name(), id, reason);
        let mut result = result;
        result.covers = vec![id.to_owned()];
        self.record(result);
    }

    /// Records a failure that happened before the case could be sent (its setup).
    pub fn setup_failed(&mut self, id: &str, error: &anyhow::Error) {
        let mut result = CaseResult::new(self.api().name(), id);
        result.outcome = Outcome::Failed;
        result.covers = vec![id.to_owned()];
        result.problems.push(format!(
            "setting up the case's preconditions failed: {error:#}"
        ));
        self.record(result);
    }

    /// Records the result of a scenario (a check beyond one example).
    pub fn scenario(&mut self, id: &str, problems: Vec<String>, curl: Option<String>) {
        let mut result = CaseResult::new(self.api().name(), id);
        if !problems.is_empty() {
            result.outcome = Outcome::Failed;
            result.problems = problems;
        }
        result.curl = curl;
        self.record(result);
    }

    /// Expands a case pattern of a plan table (`*/not_logged_in`) over the spec, in spec order.
    pub fn expand(&self, pattern: &str) -> Vec<String> {
        if !pattern.contains('*') {
            return vec![pattern.to_owned()];
        }
        self.spec
            .case_ids()
            .into_iter()
            .filter(|id| glob_matches(pattern, id))
            .collect()
    }

    /// Compares what ran with what the spec documents: every example must have been run (or
    /// skipped with a reason) or be on the exclusion list. Uncovered examples fail the run.
    pub fn coverage(&mut self, exclusions: &[(&str, &str)]) -> Coverage {
        let mut coverage = Coverage {
            api: self.api().name().to_owned(),
            ..Coverage::default()
        };
        let mut by_example: BTreeMap<String, &Outcome> = BTreeMap::new();
        for result in &self.results {
            for id in &result.covers {
                by_example.insert(id.clone(), &result.outcome);
            }
        }
        for id in self.spec.case_ids() {
            coverage.documented += 1;
            if let Some((_, reason)) = exclusions.iter().find(|(e, _)| glob_matches(e, &id)) {
                coverage.excluded.push((id, (*reason).to_owned()));
                continue;
            }
            match by_example.get(&id) {
                Some(Outcome::Skipped(reason)) => coverage.skipped.push((id, reason.clone())),
                Some(_) => coverage.exercised.push(id),
                None if self.selected(&id) => coverage.uncovered.push(id),
                // Not selected by --only: neither run nor missing.
                None => {}
            }
        }
        if !coverage.uncovered.is_empty() {
            let problems = coverage
                .uncovered
                .iter()
                .map(|id| format!("documented example {id} is covered by no case and not excluded"))
                .collect();
            self.scenario("coverage/every_example_is_covered", problems, None);
        }
        coverage
    }
}

/// Runs every selected API and builds the report.
pub async fn run(options: &Options) -> Result<Report> {
    let started = Instant::now();
    let mut report = Report {
        base_url: options.base_url.clone(),
        ..Report::default()
    };
    for api in &options.apis {
        let mut runner = Runner::new(options, *api)?;
        let coverage = match api {
            Api::Mgr => mgr::run(&mut runner).await,
            Api::Procurement => procurement::run(&mut runner).await,
        };
        report.coverage.push(coverage);
        report.results.append(&mut runner.results);
        report.left_behind.append(&mut runner.left_behind);
    }
    report.millis = started.elapsed().as_millis();
    Ok(report)
}
