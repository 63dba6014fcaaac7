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
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::{Context, Result, anyhow};
use serde_json::Value;

pub use crate::select::glob_matches;
use crate::{
    case::Request,
    check::{self, Actual, Expected, HeaderRule},
    redact::{self, Secrets},
    report::{CaseResult, Coverage, Outcome, Report, progress_line},
    select::Selection,
    spec::{Api, Auth, Spec},
};

mod mgr;
pub mod procurement;

/// Credentials given on the command line (`USER:PASS`).
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub user: String,
    pub password: String,
}

/// The password never shows, not even in a debug print of the options.
impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:<redacted>", self.user)
    }
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
    /// Which cases run (`--only`, `--tag`, `--exclude`).
    pub selection: Selection,
    pub spec_dir: Option<PathBuf>,
    pub request_timeout: Duration,
    /// The whole run; cases not started by then are reported as skipped.
    pub overall_timeout: Duration,
    /// The longest the token refresh check may wait for a token to near its expiry.
    pub max_refresh_wait: Duration,
    /// Print progress lines to stderr.
    pub progress: bool,
    /// Headers sent with every request (`--header`), e.g. a gateway's key; their values are
    /// treated as secrets.
    pub headers: Vec<(String, String)>,
    /// A PEM file of certificates to trust besides the system's (`--ca-cert`).
    pub ca_cert: Option<PathBuf>,
    /// Accept any TLS certificate (`--insecure`).
    pub insecure: bool,
    /// Send every request through this proxy (`--proxy`).
    pub proxy: Option<String>,
    /// At most this many requests per second (`--rate-limit`).
    pub rate_limit: Option<f64>,
    /// The procurement users of earlier runs to reuse, and where this run's are kept
    /// (`--state`).
    pub state_file: Option<PathBuf>,
    /// Set (by a signal handler, or a test) to stop starting cases: the run then cleans up and
    /// ends with what it has.
    pub interrupted: Arc<AtomicBool>,
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
            selection: Selection::default(),
            spec_dir: None,
            request_timeout: Duration::from_secs(30),
            overall_timeout: Duration::from_secs(30 * 60),
            max_refresh_wait: Duration::from_secs(90),
            progress: false,
            headers: Vec::new(),
            ca_cert: None,
            insecure: false,
            proxy: None,
            rate_limit: None,
            state_file: None,
            interrupted: Arc::new(AtomicBool::new(false)),
        }
    }

    /// The secrets the options themselves carry: every password given and every header value.
    pub fn secrets(&self) -> Secrets {
        let mut secrets = Secrets::default();
        for credentials in [
            &self.mgr_admin,
            &self.procurement_admin,
            &self.mgr_non_admin,
            &self.mgr_inactive,
            &self.procurement_disabled,
            &self.procurement_expired,
            &self.procurement_password_expired,
        ]
        .into_iter()
        .flatten()
        {
            secrets.password(&credentials.password);
        }
        for (_, value) in &self.headers {
            secrets.add(value, redact::HEADER);
        }
        secrets
    }

    /// The HTTP client every request of the run goes through.
    pub fn client(&self) -> Result<reqwest::Client> {
        let mut headers = reqwest::header::HeaderMap::new();
        for (name, value) in &self.headers {
            headers.append(
                reqwest::header::HeaderName::from_bytes(name.as_bytes())
                    .with_context(|| format!("--header {name}: not a header name"))?,
                reqwest::header::HeaderValue::from_str(value)
                    .with_context(|| format!("--header {name}: not a header value"))?,
            );
        }
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(self.request_timeout)
            .default_headers(headers);
        if let Some(file) = &self.ca_cert {
            let pem = std::fs::read(file)
                .with_context(|| format!("--ca-cert: reading {}", file.display()))?;
            let certificates = reqwest::Certificate::from_pem_bundle(&pem).with_context(|| {
                format!("--ca-cert: {} holds no PEM certificate", file.display())
            })?;
            anyhow::ensure!(
                !certificates.is_empty(),
                "--ca-cert: {} holds no PEM certificate",
                file.display()
            );
            builder = builder.tls_certs_merge(certificates);
        }
        if self.insecure {
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        if let Some(proxy) = &self.proxy {
            builder = builder
                .proxy(reqwest::Proxy::all(proxy).with_context(|| format!("--proxy {proxy}"))?);
        }
        builder.build().context("building the HTTP client")
    }

    pub fn is_interrupted(&self) -> bool {
        self.interrupted.load(Ordering::Relaxed)
    }
}

/// Spaces requests out to `--rate-limit`: each request takes the next free slot.
#[derive(Debug)]
struct Pacer {
    interval: Duration,
    next: std::sync::Mutex<Instant>,
}

impl Pacer {
    fn new(rate: Option<f64>) -> Option<Pacer> {
        let rate = rate.filter(|rate| *rate > 0.0)?;
        Some(Pacer {
            interval: Duration::from_secs_f64(1.0 / rate),
            next: std::sync::Mutex::new(Instant::now()),
        })
    }

    async fn wait(&self) {
        let slot = {
            let mut next = self
                .next
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let slot = (*next).max(Instant::now());
            *next = slot + self.interval;
            slot
        };
        tokio::time::sleep_until(slot.into()).await;
    }
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
    /// When the last result was recorded: a scenario's duration runs from there.
    last_record: Instant,
    /// A short tag unique to this run, for names the suite creates.
    pub tag: String,
    /// Values that never appear in output (passwords, header values); session ids and tokens
    /// are recognised by their shape.
    pub secrets: Secrets,
    pacer: Option<Pacer>,
}

impl Runner {
    pub fn new(options: &Options, api: Api) -> Result<Runner> {
        let spec = match &options.spec_dir {
            Some(dir) => Spec::from_dir(api, dir)?,
            None => Spec::embedded(api)?,
        };
        let client = options.client()?;
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
            last_record: Instant::now(),
            tag: format!("{:06x}", (nanos / 1000) % 0xff_ffff),
            secrets: options.secrets(),
            pacer: Pacer::new(options.rate_limit),
        })
    }

    pub fn api(&self) -> Api {
        self.spec.api
    }

    /// Whether the selection (`--only`, `--tag`, `--exclude`) selects case `id`.
    pub fn selected(&self, id: &str) -> bool {
        let operation = id.split('/').next().unwrap_or(id);
        self.options
            .selection
            .selects(id, self.spec.tags_of(operation))
    }

    pub fn out_of_time(&self) -> bool {
        self.started.elapsed() > self.options.overall_timeout
    }

    /// Why no further case may start (the time limit, or an interruption), if so.
    pub fn stop_reason(&self) -> Option<&'static str> {
        if self.options.is_interrupted() {
            Some("the run was interrupted")
        } else if self.out_of_time() {
            Some("the overall time limit was reached")
        } else {
            None
        }
    }

    /// Sends a request and collects the whole answer.
    pub async fn send(&self, request: &Request) -> Result<Actual> {
        if let Some(pacer) = &self.pacer {
            pacer.wait().await;
        }
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

    /// Records a result, its secrets replaced by placeholders, and prints its progress line.
    pub fn record(&mut self, mut result: CaseResult) {
        self.redact(&mut result);
        if self.options.progress {
            eprintln!("{}", progress_line(self.results.len() + 1, &result));
        }
        self.results.push(result);
        self.last_record = Instant::now();
    }

    fn redact(&self, result: &mut CaseResult) {
        if let Some(curl) = &mut result.curl {
            *curl = self.secrets.curl(curl);
        }
        for problem in &mut result.problems {
            *problem = self.secrets.text(problem);
        }
        if let Some(diff) = &mut result.diff {
            *diff = self.secrets.text(diff);
        }
        if let Outcome::Skipped(reason) = &mut result.outcome {
            *reason = self.secrets.text(reason);
        }
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

    /// Records the result of a scenario (a check beyond one example); its duration runs from
    /// the previous result.
    pub fn scenario(&mut self, id: &str, problems: Vec<String>, curl: Option<String>) {
        let mut result = CaseResult::new(self.api().name(), id);
        if !problems.is_empty() {
            result.outcome = Outcome::Failed;
            result.problems = problems;
        }
        result.curl = curl;
        result.set_duration(self.last_record.elapsed());
        self.record(result);
    }

    /// Adds what reading back a case's write found to the case's result: a write the
    /// deployment answered as done but did not do fails the case that made it.
    pub fn read_back(&mut self, id: &str, problems: Vec<String>) {
        if problems.is_empty() {
            return;
        }
        let problems: Vec<String> = problems
            .into_iter()
            .map(|problem| self.secrets.text(&format!("read-back: {problem}")))
            .collect();
        if let Some(result) = self.results.iter_mut().rev().find(|r| r.id == id) {
            result.outcome = Outcome::Failed;
            result.problems.extend(problems);
        }
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

/// The cases (and scenarios) a run with `options` replays, as `api:operation/example`, in run
/// order, without sending anything.
pub fn list(options: &Options) -> Result<Vec<String>> {
    let mut cases = Vec::new();
    for api in &options.apis {
        let runner = Runner::new(options, *api)?;
        let planned = match api {
            Api::Mgr => mgr::planned(&runner),
            Api::Procurement => procurement::planned(&runner),
        };
        cases.extend(planned.into_iter().map(|id| format!("{}:{id}", api.name())));
    }
    Ok(cases)
}

/// Runs every selected API and builds the report. A selection of no case at all is an error:
/// a run that tests nothing must not pass.
pub async fn run(options: &Options) -> Result<Report> {
    let started = Instant::now();
    if list(options)?.is_empty() {
        anyhow::bail!(
            "the selection ({}) holds no case of {}; --list shows what a selection holds",
            options.selection.describe(),
            options
                .apis
                .iter()
                .map(|api| api.name())
                .collect::<Vec<_>>()
                .join(" or ")
        );
    }
    let mut report = Report {
        base_url: options.base_url.clone(),
        started_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        placeholders: redact::PLACEHOLDER_NOTE.to_owned(),
        ..Report::default()
    };
    for api in &options.apis {
        let mut runner = Runner::new(options, *api)?;
        report
            .specs
            .insert(api.file_name().to_owned(), runner.spec.sha256.clone());
        let coverage = match api {
            Api::Mgr => mgr::run(&mut runner).await,
            Api::Procurement => procurement::run(&mut runner).await,
        };
        report.coverage.push(coverage);
        report.results.append(&mut runner.results);
        let left: Vec<String> = runner
            .left_behind
            .iter()
            .map(|line| runner.secrets.text(line))
            .collect();
        report.left_behind.extend(left);
    }
    report.interrupted = options.is_interrupted();
    report.millis = started.elapsed().as_millis();
    Ok(report)
}
