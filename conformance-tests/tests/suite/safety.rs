//! The suite is safe to point at a real deployment: no report of a full run holds a secret of
//! the run, it creates only the users its cases need with passwords nobody learns, a state file
//! lets later runs reuse them, an interrupted run still cleans up, and a selection that selects
//! nothing is an error rather than a pass.

use std::{
    collections::BTreeSet,
    process::Output,
    sync::{Arc, Mutex},
};

use axum::http::{HeaderMap, Method, StatusCode};
use medsys_conformance::{Api, report::console_summary, select::Selection};
use serde_json::{Value, json};

use crate::support::{
    ADMIN, Backend, CLERK, DISABLED, EXPIRED, JWT_SECRET, Lies, PASSWORD_EXPIRED,
    PROCUREMENT_ADMIN, RETIRED, Target, proxy_with,
};

/// Runs the binary with `args` and `env`, and answers its output.
async fn run_binary(args: Vec<String>, env: Vec<(String, String)>) -> Output {
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_medsys-conformance"))
            .args(&args)
            .envs(env)
            .output()
    })
    .await
    .expect("join")
    .expect("run the binary")
}

fn text(output: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A deployment that echoes secrets back: the signin's cookie and the login's token in `msg`,
/// so that the failures they cause carry them in their problems and diffs.
fn echo_secrets(
    method: &Method,
    path: &str,
    _: &mut StatusCode,
    headers: &mut HeaderMap,
    body: &mut Option<Value>,
) {
    let echoed = if *method != Method::POST {
        None
    } else if path == "/api/mgr/signin" {
        headers.get("set-cookie")
    } else if path == "/user/login" {
        headers.get("authorization")
    } else {
        None
    };
    if let (Some(value), Some(Value::Object(body))) = (echoed.and_then(|v| v.to_str().ok()), body)
        && body.get("msg").is_some()
    {
        body.insert("msg".into(), json!(format!("echo {value}")));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_report_of_a_full_run_holds_a_secret_of_the_run() {
    let target = Target::start(Backend::Sqlite).await.expect("sqlite target");
    let seen = Arc::new(Mutex::new(BTreeSet::new()));
    let addr = proxy_with(
        &target.base_url,
        Lies {
            answer: Some(Box::new(echo_secrets)),
            secrets: Some(seen.clone()),
            ..Lies::default()
        },
    )
    .await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let files =
        ["junit.xml", "report.json", "report.md", "baseline.json"].map(|f| dir.path().join(f));
    let mut args = target.binary_args(&format!("http://{addr}"), "all");
    for (kind, file) in ["junit", "json", "markdown"].iter().zip(&files) {
        args.push("--report".into());
        args.push(format!("{kind}={}", file.display()));
    }
    args.push("--write-baseline".into());
    args.push(files[3].display().to_string());
    args.extend(["-H".into(), "X-Gateway-Key: gateway-key-0123456789".into()]);
    let output = run_binary(args, target.env()).await;
    target.stop().await;
    let console = text(&output);
    assert_eq!(
        output.status.code(),
        Some(1),
        "the echoes fail cases: {console}"
    );
    let mut outputs = vec![("console".to_owned(), console.clone())];
    for file in &files {
        let content = std::fs::read_to_string(file).expect("every report is written");
        outputs.push((file.display().to_string(), content));
    }
    // The run's secrets: what crossed the proxy, the passwords and tokens given, the server's
    // signing secret and the header value; less the values the spec documents (public).
    let spec = format!(
        "{}{}",
        include_str!("../../../openapi/mgr.yaml"),
        include_str!("../../../openapi/procurement.yaml")
    );
    let mut secrets: BTreeSet<String> = seen.lock().expect("secrets").clone();
    let random = secrets
        .iter()
        .filter(|s| s.len() == 24 && s.chars().all(char::is_alphanumeric))
        .count();
    assert!(
        random >= 5,
        "the proxy saw the fixture users' random passwords: {secrets:?}"
    );
    for (_, password) in [
        ADMIN,
        CLERK,
        RETIRED,
        PROCUREMENT_ADMIN,
        DISABLED,
        EXPIRED,
        PASSWORD_EXPIRED,
    ] {
        secrets.insert(password.to_owned());
    }
    assert!(
        secrets.contains("gateway-key-0123456789"),
        "--header reaches the deployment"
    );
    secrets.insert(JWT_SECRET.to_owned());
    secrets.retain(|secret| !secret.is_empty() && !spec.contains(secret.as_str()));
    assert!(
        secrets.len() > 40,
        "sessions, tokens and passwords were collected: {}",
        secrets.len()
    );
    for (name, content) in &outputs {
        for secret in &secrets {
            assert!(
                !content.contains(secret.as_str()),
                "{name} holds the secret {secret:?}"
            );
        }
    }
    // The placeholders stand where the secrets were, and the report says how to fill them in.
    let json = &outputs[2].1;
    for placeholder in ["$MEDSYS_SESSION", "$MEDSYS_TOKEN", "$MEDSYS_PASSWORD"] {
        assert!(
            json.contains(placeholder),
            "no {placeholder} in the JSON report"
        );
    }
    assert!(
        outputs[3].1.contains("MEDSYS_TOKEN to a procurement token"),
        "{}",
        outputs[3].1
    );
    assert!(console.contains("procurement:login/success"), "{console}");
}

/// Ids of the users the suite created (`18...`).
async fn suite_users(target: &Target) -> i64 {
    target
        .count("SELECT COUNT(*) FROM procurement_user WHERE id LIKE '18%'")
        .await
}

async fn logs_in(base_url: &str, user: &str, password: &str) -> bool {
    let answer: Value = reqwest::Client::new()
        .post(format!("{base_url}/user/login"))
        .json(&json!({"username": user, "password": password}))
        .send()
        .await
        .expect("login answers")
        .json()
        .await
        .expect("JSON");
    answer["code"] == 1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_creates_only_the_users_its_cases_need_and_leaves_them_with_unknown_passwords() {
    let target = Target::start(Backend::Sqlite).await.expect("sqlite target");
    // A mgr selection creates no procurement user, and does not even log in there.
    let mut options = target.options(&target.base_url, Api::ALL.to_vec());
    options.selection = Selection {
        only: vec!["list_customer/*".into()],
        ..Selection::default()
    };
    let report = medsys_conformance::run(&options)
        .await
        .expect("the run completes");
    assert_eq!(report.failed(), 0, "{}", console_summary(&report));
    assert!(report.results.iter().all(|r| r.api == "mgr"));
    assert_eq!(suite_users(&target).await, 0);
    // login/success needs the applicant and nobody else. The proxy notes the passwords the
    // run logs in with (not the one it scrambles to, which only the proxy ever sees).
    let logged_in_with = Arc::new(Mutex::new(BTreeSet::new()));
    let noted = logged_in_with.clone();
    let addr = proxy_with(
        &target.base_url,
        Lies {
            request: Some(Box::new(
                move |method: &Method, path: &str, body: &mut Option<Value>| {
                    if *method == Method::POST
                        && path == "/user/login"
                        && let Some(password) = body
                            .as_ref()
                            .and_then(|b| b.get("password"))
                            .and_then(Value::as_str)
                    {
                        noted.lock().expect("passwords").insert(password.to_owned());
                    }
                    None
                },
            )),
            ..Lies::default()
        },
    )
    .await;
    let mut options = target.options(&format!("http://{addr}"), vec![Api::Procurement]);
    options.selection.only = vec!["login/success".into()];
    let report = medsys_conformance::run(&options)
        .await
        .expect("the run completes");
    let summary = console_summary(&report);
    assert_eq!(report.failed(), 0, "{summary}");
    assert_eq!(suite_users(&target).await, 1, "{summary}");
    assert!(
        report
            .left_behind
            .iter()
            .any(|line| line.contains("passwords replaced by random ones recorded nowhere")),
        "{summary}"
    );
    // Every password the run used for that user no longer logs in.
    let user: String = sqlx::query_scalar("SELECT id FROM procurement_user WHERE id LIKE '18%'")
        .fetch_one(&mut *target.db().pool().acquire().await.expect("a connection"))
        .await
        .expect("the applicant");
    let passwords: Vec<String> = logged_in_with
        .lock()
        .expect("passwords")
        .iter()
        .filter(|s| s.len() == 24)
        .cloned()
        .collect();
    assert!(
        !passwords.is_empty(),
        "the run's password crossed the proxy"
    );
    for password in &passwords {
        assert!(
            !logs_in(&target.base_url, &user, password).await,
            "{user} still logs in with the run's password"
        );
    }
    target.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_state_file_lets_a_later_run_reuse_the_users_of_an_earlier_one() {
    let target = Target::start(Backend::Sqlite).await.expect("sqlite target");
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("state.json");
    let mut options = target.options(&target.base_url, vec![Api::Procurement]);
    options.selection.only = vec!["login/success*".into(), "login/wrong_password".into()];
    options.state_file = Some(file.clone());
    for run in 1..=2 {
        let report = medsys_conformance::run(&options)
            .await
            .expect("the run completes");
        let summary = console_summary(&report);
        assert_eq!(report.failed(), 0, "run {run}: {summary}");
        assert!(
            report
                .left_behind
                .iter()
                .any(|line| line.contains("kept for later runs")),
            "run {run}: {summary}"
        );
        assert!(
            !report
                .left_behind
                .iter()
                .any(|line| line.contains("replaced by random")),
            "run {run}: {summary}"
        );
    }
    // login/success*, the deptlead and the instlead: three users, created once.
    assert_eq!(suite_users(&target).await, 3);
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("the state file"))
            .expect("JSON");
    let applicant = &state["users"]["12345678911"];
    assert!(
        logs_in(
            &target.base_url,
            applicant["id"].as_str().expect("id"),
            applicant["password"].as_str().expect("password")
        )
        .await,
        "the kept user still logs in with the kept password: {state}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&file)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the state file is private: {mode:o}");
    }
    target.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_run_stops_starting_cases_and_still_cleans_up() {
    let target = Target::start(Backend::Sqlite).await.expect("sqlite target");
    let mut options = target.options(&target.base_url, Api::ALL.to_vec());
    options.request_timeout = std::time::Duration::from_secs(10);
    let flag = options.interrupted.clone();
    // Interrupt once the mgr cases have created rows.
    let run = medsys_conformance::run(&options);
    tokio::pin!(run);
    let report = loop {
        tokio::select! {
            report = &mut run => break report,
            () = tokio::time::sleep(std::time::Duration::from_millis(10)) => {
                if !flag.load(std::sync::atomic::Ordering::Relaxed)
                    && target.count("SELECT COUNT(*) FROM mgr_customer").await > 0
                {
                    flag.store(true, std::sync::atomic::Ordering::Relaxed);
                }
            }
        }
    };
    let report = report.expect("the run completes");
    let summary = console_summary(&report);
    assert!(report.interrupted, "{summary}");
    assert!(
        !report.success(),
        "an interrupted run does not pass: {summary}"
    );
    assert!(summary.contains("(interrupted)"), "{summary}");
    assert!(
        report.results.iter().any(|r| r.outcome
            == medsys_conformance::report::Outcome::Skipped("the run was interrupted".into())),
        "{summary}"
    );
    // What the run created is gone all the same.
    for table in ["mgr_customer", "mgr_medicine", "mgr_order"] {
        assert_eq!(
            target.count(&format!("SELECT COUNT(*) FROM {table}")).await,
            0,
            "{table}: {summary}"
        );
    }
    target.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_prints_the_selection_without_sending_anything_and_an_empty_one_is_an_error() {
    // Nothing listens on port 9: --list must not need the deployment.
    let base = ["--base-url", "http://127.0.0.1:9"]
        .map(str::to_owned)
        .to_vec();
    let with = |extra: &[&str]| {
        let mut args = base.clone();
        args.extend(extra.iter().map(|a| (*a).to_owned()));
        args
    };
    let output = run_binary(
        with(&[
            "--list",
            "--only",
            "signin/*",
            "--only",
            "logout/*",
            "--exclude",
            "*/ok",
        ]),
        Vec::new(),
    )
    .await;
    let listed = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(output.status.success(), "{}", text(&output));
    assert!(listed.contains("mgr:signin/wrong_password\n"), "{listed}");
    assert!(listed.contains("procurement:logout/success\n"), "{listed}");
    assert!(!listed.contains("mgr:signin/ok\n"), "excluded: {listed}");
    assert!(!listed.contains("login/"), "not selected: {listed}");
    let output = run_binary(
        with(&["--list", "--api", "procurement", "--tag", "dept"]),
        Vec::new(),
    )
    .await;
    let listed = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(output.status.success(), "{}", text(&output));
    assert!(
        listed
            .lines()
            .all(|line| line.starts_with("procurement:dept_")),
        "{listed}"
    );
    assert!(
        listed.contains("procurement:dept_approve/success"),
        "{listed}"
    );
    // A mistyped --only selects nothing: exit 2 with a message, for --list and for a run.
    for extra in [
        &["--list", "--only", "lsit_customer"][..],
        &["--only", "lsit_customer"][..],
    ] {
        let output = run_binary(with(extra), Vec::new()).await;
        assert_eq!(output.status.code(), Some(2), "{}", text(&output));
        assert!(
            text(&output).contains("--only 'lsit_customer'"),
            "{}",
            text(&output)
        );
        assert!(text(&output).contains("holds no case"), "{}", text(&output));
    }
    // Bad flags are clear errors too.
    for (extra, message) in [
        (&["--rate-limit", "fast"][..], "requests per second"),
        (&["-H", "no colon"][..], "NAME:VALUE"),
        (&["--ca-cert", "/nonexistent/ca.pem"][..], "--ca-cert"),
    ] {
        let output = run_binary(with(extra), Vec::new()).await;
        assert_eq!(output.status.code(), Some(2), "{}", text(&output));
        assert!(
            text(&output).contains(message),
            "{extra:?}: {}",
            text(&output)
        );
    }
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_makes_the_binary_clean_up_write_its_summary_and_exit_130() {
    use std::io::{BufRead as _, BufReader, Read as _};
    let target = Target::start(Backend::Sqlite).await.expect("sqlite target");
    let args = target.binary_args(&target.base_url, "all");
    let env = target.env();
    let (code, stderr, stdout) = tokio::task::spawn_blocking(move || {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_medsys-conformance"))
            .args(&args)
            .envs(env)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start the binary");
        let mut out = child.stdout.take().expect("stdout");
        let reader = std::thread::spawn(move || {
            let mut text = String::new();
            out.read_to_string(&mut text).expect("read stdout");
            text
        });
        let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
        let mut stderr = String::new();
        // Terminate once 30 cases have run (the mgr data exists by then).
        for line in lines.by_ref() {
            let line = line.expect("stderr line");
            stderr.push_str(&line);
            stderr.push('\n');
            if line.starts_with("[ 30]") {
                break;
            }
        }
        std::process::Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("kill -TERM");
        for line in lines {
            stderr.push_str(&line.expect("stderr line"));
            stderr.push('\n');
        }
        let status = child.wait().expect("the binary ends");
        (status.code(), stderr, reader.join().expect("stdout"))
    })
    .await
    .expect("join");
    assert_eq!(code, Some(130), "{stderr}\n{stdout}");
    assert!(stderr.contains("interrupted; cleaning up"), "{stderr}");
    assert!(stderr.contains("(the run was interrupted)"), "{stderr}");
    assert!(
        stdout
            .lines()
            .last()
            .unwrap_or_default()
            .ends_with("(interrupted)"),
        "{stdout}"
    );
    for table in ["mgr_customer", "mgr_medicine", "mgr_order"] {
        assert_eq!(
            target.count(&format!("SELECT COUNT(*) FROM {table}")).await,
            0,
            "{table}: {stdout}"
        );
    }
    target.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rate_limit_spaces_requests_out_and_the_proxy_flag_routes_them() {
    let target = Target::start(Backend::Sqlite).await.expect("sqlite target");
    // The recording proxy stands in for a forward proxy: it forwards whatever it is asked to
    // the server, so a base URL that resolves nowhere still reaches it through --proxy.
    let seen = Arc::new(Mutex::new(BTreeSet::new()));
    let addr = proxy_with(
        &target.base_url,
        Lies {
            secrets: Some(seen.clone()),
            ..Lies::default()
        },
    )
    .await;
    let mut options = target.options("http://medsys.invalid", vec![Api::Mgr]);
    options.proxy = Some(format!("http://{addr}"));
    options.rate_limit = Some(10.0);
    options.selection.only = vec!["*/missing_action".into()];
    let started = std::time::Instant::now();
    let report = medsys_conformance::run(&options)
        .await
        .expect("the run completes");
    let elapsed = started.elapsed();
    let summary = console_summary(&report);
    assert_eq!(report.failed(), 0, "{summary}");
    let requests = report.results.len() + 5; // the cases, the signin and the start's lists
    assert!(
        elapsed.as_secs_f64() >= (requests - 1) as f64 / 10.0,
        "{requests} requests at 10/s took only {elapsed:?}"
    );
    assert!(
        !seen.lock().expect("secrets").is_empty(),
        "the requests went through the proxy"
    );
    target.stop().await;
}
