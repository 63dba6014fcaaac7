//! The suite's pieces on their own: the spec loader, case assembly, matchers and diffs, the
//! coverage check, and the report formats.

use medsys_conformance::{
    Api, Options,
    case::{Body, Request},
    check::{self, Actual, Expected, Matcher, RawBody},
    replay::{glob_matches, procurement::files},
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
    // Nothing listens on port 9: every case is skipped because setup fails; here we only check
    // that the coverage arithmetic is complete and that every example of both APIs is planned.
    let mut options = Options::new("http://127.0.0.1:9", Api::ALL.to_vec());
    options.request_timeout = std::time::Duration::from_secs(2);
    let report = medsys_conformance::run(&options).await.unwrap();
    for (coverage, api) in report.coverage.iter().zip(Api::ALL) {
        let spec = Spec::embedded(api).unwrap();
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
            "every {api} example is planned: {:?}",
            coverage.uncovered
        );
    }
    assert!(report.failed() >= 2, "both setup failures are reported");
}

#[test]
fn the_coverage_check_names_an_example_that_no_case_covers() {
    // A spec with one more example than the plan table knows: a copy of procurement.yaml whose
    // login gains a case the suite has never heard of.
    let yaml = include_str!("../../../openapi/procurement.yaml").replacen(
        "                success_form:\n",
        "                brand_new_case:\n                  summary: New\n                  value: {success: true, code: 1, msg: 成功, data: null}\n                success_form:\n",
        1,
    );
    let spec = Spec::parse(Api::Procurement, &yaml).expect("the copy parses");
    assert!(spec.case_ids().contains(&"login/brand_new_case".to_owned()));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("procurement.yaml"), yaml).unwrap();
    let mut options = Options::new("http://127.0.0.1:9", vec![Api::Procurement]);
    options.spec_dir = Some(dir.path().to_owned());
    options.request_timeout = std::time::Duration::from_secs(2);
    let report = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(medsys_conformance::run(&options))
        .unwrap();
    assert_eq!(report.coverage[0].uncovered, vec!["login/brand_new_case"]);
    let failure = report
        .results
        .iter()
        .find(|r| r.id == "coverage/every_example_is_covered")
        .expect("the coverage failure");
    assert!(
        failure.problems[0].contains("login/brand_new_case is covered by no case"),
        "{failure:#?}"
    );
}

#[test]
fn the_suffix_matcher_accepts_rows_of_others_before_the_expected_ones() {
    let mut expected = Expected {
        status: 200,
        body: Some(json!({"ret": 0, "retlist": [{"id": 9}]})),
        envelope: "ret".into(),
        ..Expected::default()
    };
    expected.matcher("/retlist", Matcher::Suffix { len: Some(3) });
    let good = json!({"ret": 0, "retlist": [{"id": 1}, {"id": 2}, {"id": 9}]});
    assert!(check::check(&expected, &actual(200, good)).passed());
    let last_differs = json!({"ret": 0, "retlist": [{"id": 9}, {"id": 2}, {"id": 1}]});
    let verdict = check::check(&expected, &actual(200, last_differs));
    assert!(
        verdict
            .problems
            .iter()
            .any(|p| p.contains("/retlist/0/id: expected 9, got 1")),
        "{:?}",
        verdict.problems
    );
    let too_short = json!({"ret": 0, "retlist": [{"id": 9}]});
    assert!(!check::check(&expected, &actual(200, too_short)).passed());
}

#[test]
fn an_order_id_matcher_wants_its_year_and_department_then_a_counter() {
    let mut expected = Expected {
        status: 200,
        body: Some(json!({"code": 1, "data": "20210105"})),
        envelope: "code".into(),
        ..Expected::default()
    };
    expected.matcher("/data", Matcher::IdWithPrefix("202601".into()));
    for (id, ok) in [
        ("2026010", false),
        ("20260105", true),
        ("202601100", true),
        ("20260205", false),
        ("2026010x", false),
    ] {
        let verdict = check::check(&expected, &actual(200, json!({"code": 1, "data": id})));
        assert_eq!(verdict.passed(), ok, "{id}: {:?}", verdict.problems);
    }
}

#[test]
fn a_download_is_judged_by_its_bytes_and_named_when_they_differ() {
    let file = |bytes: &[u8]| Actual {
        status: 200,
        headers: vec![("content-type".into(), "image/png".into())],
        body: bytes.to_vec(),
    };
    let mut expected = Expected {
        status: 200,
        media_type: Some("image/png".into()),
        raw_body: Some(RawBody::Exact(vec![1, 2, 3])),
        ..Expected::default()
    };
    assert!(check::check(&expected, &file(&[1, 2, 3])).passed());
    let verdict = check::check(&expected, &file(&[1, 9, 3, 4]));
    assert_eq!(
        verdict.problems,
        vec!["body: expected the 3 bytes the suite uploaded, got 4 bytes differing from byte 1"]
    );
    expected.raw_body = Some(RawBody::StartsWith(b"PK\x03\x04".to_vec(), "an .xlsx file"));
    let verdict = check::check(&expected, &file(b"{\"code\":0}"));
    assert!(
        verdict.problems[0].starts_with("body: expected an .xlsx file (starting with 504b0304)"),
        "{:?}",
        verdict.problems
    );
}

#[test]
fn the_checksums_of_the_built_files_match_their_reference_values() {
    assert_eq!(files::crc32(b"123456789"), 0xcbf4_3926);
    assert_eq!(files::crc32(b"IEND"), 0xae42_6082);
    assert_eq!(files::adler32(b"Wikipedia"), 0x11e6_0398);
}

/// Walks the chunks of a PNG, checking each CRC; answers (type, data) pairs.
fn png_chunks(png: &[u8]) -> Vec<(String, Vec<u8>)> {
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    let mut chunks = Vec::new();
    let mut at = 8;
    while at < png.len() {
        let len = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
        let kind = &png[at + 4..at + 8];
        let data = &png[at + 8..at + 8 + len];
        let crc = u32::from_be_bytes(png[at + 8 + len..at + 12 + len].try_into().unwrap());
        assert_eq!(files::crc32(&png[at + 4..at + 8 + len]), crc);
        chunks.push((String::from_utf8_lossy(kind).into_owned(), data.to_vec()));
        at += 12 + len;
    }
    chunks
}

#[test]
fn the_signature_png_is_a_well_formed_greyscale_image() {
    let chunks = png_chunks(&files::png(4, 3));
    let kinds: Vec<&str> = chunks.iter().map(|(kind, _)| kind.as_str()).collect();
    assert_eq!(kinds, ["IHDR", "IDAT", "IEND"]);
    assert_eq!(chunks[0].1, [0, 0, 0, 4, 0, 0, 0, 3, 8, 0, 0, 0, 0]);
    // zlib header, one final stored block of 3 rows × (filter byte + 4 pixels), Adler-32.
    let idat = &chunks[1].1;
    assert_eq!(&idat[..3], [0x78, 0x01, 0x01]);
    assert_eq!(u16::from_le_bytes([idat[3], idat[4]]), 15);
    assert_eq!(u16::from_le_bytes([idat[5], idat[6]]), !15);
    let raw = &idat[7..22];
    assert_eq!(raw[0], 0, "filter type None");
    assert_eq!(&idat[22..], files::adler32(raw).to_be_bytes());
}

#[test]
fn the_signature_jpeg_is_a_sequence_of_well_formed_segments() {
    let jpeg = files::jpeg();
    assert_eq!(&jpeg[..2], [0xff, 0xd8]);
    assert_eq!(&jpeg[jpeg.len() - 2..], [0xff, 0xd9]);
    let mut at = 2;
    let mut markers = Vec::new();
    while jpeg[at] == 0xff && jpeg[at + 1] != 0xd9 {
        let marker = jpeg[at + 1];
        let len = usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
        markers.push(marker);
        at += 2 + len;
        if marker == 0xda {
            // Entropy-coded data up to EOI: one byte here.
            at += 1;
        }
    }
    assert_eq!(markers, [0xdb, 0xc0, 0xc4, 0xc4, 0xda]);
    assert_eq!(at, jpeg.len() - 2);
}

#[test]
fn the_import_workbook_is_an_xlsx_file() {
    let workbook = files::import_workbook(&[[Some("12345678931"), Some("王五"), None, None]])
        .expect("a workbook");
    assert!(workbook.starts_with(files::ZIP_SIGNATURE));
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

#[test]
fn a_known_departure_shows_as_skipped_in_junit_so_that_ci_stays_green() {
    let mut report = sample_report();
    let baseline = medsys_conformance::baseline::Baseline::of(&report);
    baseline.apply(&mut report, "baseline.json");
    assert!(report.success(), "{}", report.summary_line());
    let xml = junit(&report);
    well_formed(&xml).unwrap_or_else(|error| panic!("{error}\n{xml}"));
    assert!(xml.contains("failures=\"0\""), "{xml}");
    assert!(
        xml.contains("<skipped message=\"known departure (baseline): envelope msg"),
        "{xml}"
    );
    assert!(
        report
            .summary_line()
            .ends_with("(1 known from the baseline, 0 changed, 0 new; 0 fixed)"),
        "{}",
        report.summary_line()
    );
}
