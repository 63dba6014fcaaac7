//! The suite's pieces on their own: the spec loader, case assembly, matchers and diffs, the
//! coverage check, and the report formats.

use medsys_conformance::{
    Api, Options,
    case::{Body, Request},
    check::{self, Actual, Expected, Matcher},
    replay::glob_matches,
    report::{CaseResult, Outcome, Report, junit, markdown},
    spec::{Auth, Spec},
};
use serde_json::json;

#[test]
fn the_mgr_spec_has_sixteen_operations_and_every_case_has_a_status() {
    let spec = Spec::embedded(Api::Mgr).expect("mgr.yaml loads");
    assert_eq!(spec.operations.len(), 16);
    assert!(spec.case_ids().len() > 100);
    let list = spec.operation("list_customer").expect("list_customer");
    assert_eq!(list.method, "GET");
    assert_eq!(list.envelope, "ret");
    assert_eq!(list.case("not_logged_in").expect("shared case").status, 302);
    assert_eq!(list.case("not_logged_in").unwrap().auth, Auth::None);
    assert_eq!(list.case("ok").unwrap().auth, Auth::Valid);
    let signin = spec.operation("signin").unwrap();
    assert_eq!(signin.case("ok").unwrap().auth, Auth::Public);
}

#[test]
fn the_procurement_spec_has_thirty_five_operations_with_roles() {
    let spec = Spec::embedded(Api::Procurement).expect("procurement.yaml loads");
    assert_eq!(spec.operations.len(), 35);
    let info = spec.operation("get_user_info").unwrap();
    assert_eq!(info.envelope, "code");
    assert_eq!(
        info.case("admin_reads_other").unwrap().role.as_deref(),
        Some("admin")
    );
    assert_eq!(
        info.case("success").unwrap().role.as_deref(),
        Some("applicant")
    );
    assert_eq!(
        info.case("token_missing").unwrap().role.as_deref(),
        Some("admin")
    );
    assert_eq!(info.case("token_invalid").unwrap().auth, Auth::Malformed);
    assert_eq!(info.case("other_user").unwrap().status, 403);
}

#[test]
fn a_case_request_sends_only_the_parameters_that_have_an_example_of_its_name() {
    let spec = Spec::embedded(Api::Mgr).unwrap();
    let op = spec.operation("list_customer").unwrap();
    let ok = Request::assemble(op, "ok").unwrap();
    assert_eq!(
        ok.query,
        vec![
            ("action".to_owned(), "list_customer".to_owned()),
            ("pagesize".to_owned(), "10".to_owned()),
            ("pagenum".to_owned(), "1".to_owned())
        ]
    );
    let missing = Request::assemble(op, "missing_pagenum").unwrap();
    assert!(missing.query_value("pagenum").is_none());
    assert_eq!(missing.body, Body::None);
    let missing_action = Request::assemble(op, "missing_action").unwrap();
    assert!(missing_action.query_value("action").is_none());
}

#[test]
fn a_case_body_comes_from_the_first_media_type_that_has_its_example() {
    let spec = Spec::embedded(Api::Mgr).unwrap();
    let signin = spec.operation("signin").unwrap();
    let form = Request::assemble(signin, "ok").unwrap();
    assert!(matches!(form.body, Body::Form(_)));
    let json = Request::assemble(signin, "ok_json").unwrap();
    assert_eq!(
        json.body,
        Body::Json(json!({"username": "admin", "password": "Admin-pass-1"}))
    );
    let curl = json.curl("http://127.0.0.1:8080");
    assert!(curl.starts_with("curl "), "{curl}");
    assert!(
        curl.contains("--data-raw '{\"username\":\"admin\",\"password\":\"Admin-pass-1\"}'"),
        "{curl}"
    );
}

#[test]
fn multipart_examples_carry_their_file_names_and_path_parameters_are_filled() {
    let spec = Spec::embedded(Api::Procurement).unwrap();
    let upload =
        Request::assemble(spec.operation("upload_signature").unwrap(), "not_an_image").unwrap();
    let Body::Multipart { fields, files } = &upload.body else {
        panic!("multipart expected: {upload:?}");
    };
    assert_eq!(fields["id"], json!("20210104"));
    assert_eq!(files["file"]["fileName"], json!("signature.png"));
    assert!(
        upload
            .curl("http://h")
            .contains("-F 'file=@signature.png;type=image/png'")
    );
    let delete =
        Request::assemble(spec.operation("admin_delete_order").unwrap(), "success").unwrap();
    assert_eq!(delete.rendered_path(), "/admin/order/20210104");
}

fn actual(status: u16, body: serde_json::Value) -> Actual {
    Actual {
        status,
        headers: vec![("content-type".into(), "application/json".into())],
        body: serde_json::to_vec(&body).unwrap(),
    }
}

#[test]
fn matchers_accept_ids_dates_and_tokens_and_name_what_they_wanted() {
    let mut expected = Expected {
        status: 200,
        body: Some(
            json!({"ret": 0, "id": 1, "day": "2021-01-22", "cn": "2021年01月18日", "token": "x"}),
        ),
        media_type: Some("application/json".into()),
        envelope: "ret".into(),
        ..Expected::default()
    };
    expected.matcher("/id", Matcher::AnyId);
    expected.matcher("/day", Matcher::IsoDate);
    expected.matcher("/cn", Matcher::CnDate);
    expected.matcher("/token", Matcher::NonEmptyString);
    let good = check::check(
        &expected,
        &actual(
            200,
            json!({"ret": 0, "id": 77, "day": "2026-11-21", "cn": "2026年11月21日", "token": "eyJ"}),
        ),
    );
    assert!(good.passed(), "{:?}", good.problems);
    let bad = check::check(
        &expected,
        &actual(
            200,
            json!({"ret": 0, "id": "77", "day": "21/11/2026", "cn": "2026-11-21", "token": ""}),
        ),
    );
    assert_eq!(bad.problems.len(), 4, "{:?}", bad.problems);
    assert!(
        bad.problems[0].contains("/id: expected a positive integer id, got \"77\""),
        "{:?}",
        bad.problems
    );
}

#[test]
fn a_prefix_matcher_ignores_rows_of_others_but_checks_the_count() {
    let mut expected = Expected {
        status: 200,
        body: Some(json!({"ret": 0, "retlist": [{"id": 2}], "total": 3})),
        envelope: "ret".into(),
        ..Expected::default()
    };
    expected.matcher("/retlist", Matcher::Prefix { len: Some(2) });
    let verdict = check::check(
        &expected,
        &actual(
            200,
            json!({"ret": 0, "retlist": [{"id": 2}, {"id": 1}], "total": 3}),
        ),
    );
    assert!(verdict.passed(), "{:?}", verdict.problems);
    let verdict = check::check(
        &expected,
        &actual(200, json!({"ret": 0, "retlist": [{"id": 2}], "total": 3})),
    );
    assert!(!verdict.passed());
}

#[test]
fn a_status_envelope_and_field_difference_are_each_named() {
    let expected = Expected {
        status: 400,
        body: Some(json!({"ret": 1, "msg": "未传action类型"})),
        media_type: Some("application/json".into()),
        envelope: "ret".into(),
        ..Expected::default()
    };
    let verdict = check::check(&expected, &actual(200, json!({"ret": 0, "extra": true})));
    let text = verdict.problems.join("\n");
    assert!(text.contains("status: expected 400, got 200"), "{text}");
    assert!(text.contains("envelope ret: expected 1, got 0"), "{text}");
    assert!(
        text.contains("envelope msg: expected \"未传action类型\", got nothing (missing)"),
        "{text}"
    );
    assert!(text.contains("/extra: unexpected field"), "{text}");
    assert!(verdict.diff.unwrap().contains("未传action类型"));
}

#[test]
fn schema_violations_are_reported_with_the_instance_path() {
    let spec = Spec::embedded(Api::Mgr).unwrap();
    let case = spec.operation("list_customer").unwrap().case("ok").unwrap();
    let schema = check::schema_with_components(case.schema.as_ref().unwrap(), &spec.components());
    let expected = Expected {
        status: 200,
        body: None,
        envelope: "ret".into(),
        schema: Some(schema),
        ..Expected::default()
    };
    // With no expected body only status and headers count; give one to reach the schema.
    let mut with_body = expected.clone();
    with_body.body = Some(json!({"ret": 0, "retlist": [], "total": 0}));
    let verdict = check::check(
        &with_body,
        &actual(200, json!({"ret": 0, "retlist": [{"id": "x"}], "total": 0})),
    );
    assert!(
        verdict
            .problems
            .iter()
            .any(|p| p.starts_with("schema (closest to ListCustomerOk): /retlist/0")),
        "{:?}",
        verdict.problems
    );
}

#[test]
fn globs_select_operations_and_cases() {
    assert!(glob_matches("list_*", "list_customer"));
    assert!(glob_matches("*/not_logged_in", "signout/not_logged_in"));
    assert!(!glob_matches("*/not_logged_in", "signout/ok"));
    assert!(glob_matches("del_?rder/ok", "del_order/ok"));
}

#[tokio::test]
async fn an_example_no_case_covers_fails_the_run_unless_excluded() {
    // Nothing listens on port 9: every mgr case is skipped because setup fails, and procurement
    // has its own plan table; here we only check that the coverage arithmetic is complete.
    let mut options = Options::new("http://127.0.0.1:9", vec![Api::Mgr]);
    options.request_timeout = std::time::Duration::from_secs(2);
    let report = medsys_conformance::run(&options).await.unwrap();
    let coverage = &report.coverage[0];
    let spec = Spec::embedded(Api::Mgr).unwrap();
    assert_eq!(coverage.documented, spec.case_ids().len());
    assert_eq!(
        coverage.exercised.len()
            + coverage.skipped.len()
            + coverage.excluded.len()
            + coverage.uncovered.len(),
        coverage.documented
    );
    assert!(
        coverage.uncovered.is_empty(),
        "every mgr example is planned: {:?}",
        coverage.uncovered
    );
    assert!(report.failed() >= 1, "the setup failure is reported");
}

fn sample_report() -> Report {
    let mut failed = CaseResult::new("mgr", "del_customer/not_found");
    failed.outcome = Outcome::Failed;
    failed.problems = vec!["envelope msg: expected \"id:6不存在\", got \"<none> & more\"".into()];
    failed.curl = Some("curl -sS -i 'http://h/api'".into());
    failed.expected_status = Some(200);
    failed.actual_status = Some(200);
    failed.diff = Some(check::unified_diff(
        &json!({"msg": "id:6不存在"}),
        &json!({"msg": "x"}),
    ));
    Report {
        base_url: "http://h".into(),
        results: vec![
            CaseResult::new("mgr", "signin/ok"),
            failed,
            CaseResult::skipped("mgr", "signin/inactive", "needs an inactive superuser"),
        ],
        ..Report::default()
    }
}

#[test]
fn the_summary_line_counts_passed_failed_and_skipped() {
    let report = sample_report();
    assert_eq!(report.summary_line(), "1 passed, 1 failed, 1 skipped");
    assert!(!report.success());
}

/// A small well-formedness check: balanced tags, quoted attributes, escaped text.
fn well_formed(xml: &str) -> Result<(), String> {
    let body = xml
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .ok_or("no XML declaration")?;
    let mut stack: Vec<String> = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find('<') {
        let text = &rest[..start];
        if text.contains('>')
            || (text.contains('&')
                && !text.split('&').skip(1).all(|t| {
                    ["amp;", "lt;", "gt;", "quot;", "apos;"]
                        .iter()
                        .any(|e| t.starts_with(e))
                }))
        {
            return Err(format!("unescaped text: {text}"));
        }
        let end = rest[start..].find('>').ok_or("unclosed tag")? + start;
        let tag = &rest[start + 1..end];
        if tag.matches('"').count() % 2 != 0 || tag.contains('<') {
            return Err(format!("bad tag: {tag}"));
        }
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack.pop().ok_or("close without open")?;
            if open != name {
                return Err(format!("</{name}> closes <{open}>"));
            }
        } else if !tag.ends_with('/') {
            stack.push(tag.split_whitespace().next().unwrap_or("").to_owned());
        }
        rest = &rest[end + 1..];
    }
    if stack.is_empty() {
        Ok(())
    } else {
        Err(format!("unclosed: {stack:?}"))
    }
}

#[test]
fn the_junit_report_is_well_formed_xml_with_one_testcase_per_case() {
    let xml = junit(&sample_report());
    well_formed(&xml).unwrap_or_else(|error| panic!("{error}\n{xml}"));
    assert_eq!(xml.matches("<testcase ").count(), 3);
    assert!(
        xml.contains("<failure message=\"envelope msg: expected &quot;id:6不存在&quot;"),
        "{xml}"
    );
    assert!(
        xml.contains("<skipped message=\"needs an inactive superuser\"/>"),
        "{xml}"
    );
}

#[test]
fn the_json_and_markdown_reports_keep_chinese_legible() {
    let report = sample_report();
    let json: serde_json::Value = serde_json::from_str(&report.json()).expect("JSON parses");
    assert_eq!(json["results"][1]["outcome"], "failed");
    assert!(report.json().contains("id:6不存在"));
    let md = markdown(&report);
    assert!(md.contains("**1 passed, 1 failed, 1 skipped**"), "{md}");
    assert!(md.contains("id:6不存在"), "{md}");
    assert!(md.contains("curl -sS -i"), "{md}");
}
