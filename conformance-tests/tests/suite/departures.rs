//! The suite catches departures: a proxy in front of the real server falsifies one kind of
//! answer, and the case that meets it must fail with a message naming the difference.

use axum::http::{HeaderMap, Method, StatusCode};
use medsys_conformance::{
    Api,
    report::{Outcome, Report},
};
use serde_json::{Value, json};

use crate::support::{Backend, Mutation, Target, proxy};

/// Runs the mgr cases matching `only` through a proxy that applies `mutate`, and answers the
/// report.
async fn run_through(only: &str, mutate: Box<Mutation>) -> Report {
    run_api_through(Api::Mgr, only, mutate).await
}

/// Runs the cases of `api` matching `only` through a proxy that applies `mutate`.
async fn run_api_through(api: Api, only: &str, mutate: Box<Mutation>) -> Report {
    let target = Target::start(Backend::Sqlite).await.expect("sqlite target");
    let addr = proxy(&target.base_url, mutate).await;
    let mut options = target.options(&format!("http://{addr}"), vec![api]);
    options.selection.only = vec![only.to_owned()];
    let report = medsys_conformance::run(&options)
        .await
        .expect("the run completes");
    target.stop().await;
    report
}

/// Asserts that case `id` failed and that one of its problems contains every part of `naming`.
fn assert_fails_naming(report: &Report, id: &str, naming: &[&str]) {
    let result = report
        .results
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("case {id} did not run: {:#?}", report.results));
    assert_eq!(
        result.outcome,
        Outcome::Failed,
        "{id} should fail: {result:#?}"
    );
    assert!(
        result
            .problems
            .iter()
            .any(|problem| naming.iter().all(|part| problem.contains(part))),
        "no problem of {id} names {naming:?}: {:#?}",
        result.problems
    );
    assert!(
        result
            .curl
            .as_deref()
            .is_some_and(|c| c.starts_with("curl ")),
        "{result:#?}"
    );
}

fn msg_is(body: &Option<Value>, msg: &str) -> bool {
    body.as_ref()
        .and_then(|b| b.get("msg"))
        .and_then(Value::as_str)
        == Some(msg)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_msg_fails_the_case_and_names_both_messages() {
    let report = run_through(
        "del_customer/missing_id",
        Box::new(
            |_: &Method,
             _: &str,
             _: &mut StatusCode,
             _: &mut HeaderMap,
             body: &mut Option<Value>| {
                if msg_is(body, "缺少客户id") {
                    *body = Some(json!({"ret": 1, "msg": "缺少客户ID"}));
                }
            },
        ),
    )
    .await;
    assert_fails_naming(
        &report,
        "del_customer/missing_id",
        &["envelope msg", "缺少客户id", "缺少客户ID"],
    );
    let result = report
        .results
        .iter()
        .find(|r| r.id == "del_customer/missing_id")
        .unwrap();
    let diff = result.diff.as_deref().expect("a diff");
    assert!(
        diff.contains("-  \"msg\": \"缺少客户id\""),
        "Chinese stays legible in the diff: {diff}"
    );
    assert!(diff.contains("+  \"msg\": \"缺少客户ID\""), "{diff}");
    assert!(
        report.summary_line().starts_with("0 passed, 1 failed"),
        "{}",
        report.summary_line()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_field_fails_the_case_and_names_the_field() {
    let report = run_through(
        "list_customer/second_page",
        Box::new(
            |method: &Method,
             path: &str,
             _: &mut StatusCode,
             _: &mut HeaderMap,
             body: &mut Option<Value>| {
                if method == Method::GET
                    && path == "/api/mgr/customers"
                    && let Some(row) = body
                        .as_mut()
                        .and_then(|b| b.pointer_mut("/retlist/0"))
                        .and_then(Value::as_object_mut)
                {
                    row.remove("address");
                }
            },
        ),
    )
    .await;
    assert_fails_naming(
        &report,
        "list_customer/second_page",
        &["/retlist/0/address", "missing field"],
    );
    assert_fails_naming(&report, "list_customer/second_page", &["schema", "address"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_status_fails_the_case_and_names_both_statuses() {
    let report = run_through(
        "list_order/missing_action",
        Box::new(
            |_: &Method,
             _: &str,
             status: &mut StatusCode,
             _: &mut HeaderMap,
             body: &mut Option<Value>| {
                if msg_is(body, "未传action类型") {
                    *status = StatusCode::OK;
                }
            },
        ),
    )
    .await;
    assert_fails_naming(
        &report,
        "list_order/missing_action",
        &["status: expected 400, got 200"],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_envelope_code_fails_the_case_and_names_both_codes() {
    let report = run_through(
        "del_customer/referenced",
        Box::new(
            |_: &Method,
             _: &str,
             _: &mut StatusCode,
             _: &mut HeaderMap,
             body: &mut Option<Value>| {
                if msg_is(body, "订单中引用了这条数据,禁止删除")
                    && let Some(body) = body.as_mut()
                {
                    body["ret"] = json!(1);
                }
            },
        ),
    )
    .await;
    assert_fails_naming(
        &report,
        "del_customer/referenced",
        &["envelope ret", "expected 2", "got 1"],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_accepted_transition_that_should_be_refused_fails_the_case() {
    // The server refuses to delete a medicine an order uses; the proxy claims it deleted it.
    let report = run_through(
        "del_medicine/in_use",
        Box::new(
            |_: &Method,
             _: &str,
             _: &mut StatusCode,
             _: &mut HeaderMap,
             body: &mut Option<Value>| {
                if msg_is(body, "订单中正在使用该商品,无法删除") {
                    *body = Some(json!({"ret": 0, "msg": "删除成功"}));
                }
            },
        ),
    )
    .await;
    assert_fails_naming(
        &report,
        "del_medicine/in_use",
        &["envelope ret", "expected 2", "got 0"],
    );
    assert_fails_naming(
        &report,
        "del_medicine/in_use",
        &["envelope msg", "删除成功"],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_session_cookie_header_fails_the_signin_case() {
    let report = run_through(
        "signin/ok",
        Box::new(
            |_: &Method,
             path: &str,
             _: &mut StatusCode,
             headers: &mut HeaderMap,
             body: &mut Option<Value>| {
                // Only the case's own signin loses its cookie, not the suite's setup signin, which
                // is form-encoded too: the case is the second signin with 登录成功.
                static SIGNINS: std::sync::atomic::AtomicUsize =
                    std::sync::atomic::AtomicUsize::new(0);
                if path == "/api/mgr/signin" && msg_is(body, "登录成功") {
                    let n = SIGNINS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    if n == 1 {
                        headers.remove("set-cookie");
                    }
                }
            },
        ),
    )
    .await;
    assert_fails_naming(
        &report,
        "signin/ok",
        &["header Set-Cookie: no sessionid cookie"],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_302_with_a_location_header_fails_the_not_logged_in_case() {
    let report = run_through(
        "get_my_profile/not_logged_in",
        Box::new(
            |_: &Method,
             _: &str,
             status: &mut StatusCode,
             headers: &mut HeaderMap,
             _: &mut Option<Value>| {
                if *status == StatusCode::FOUND {
                    headers.insert("location", "/login".parse().unwrap());
                }
            },
        ),
    )
    .await;
    assert_fails_naming(
        &report,
        "get_my_profile/not_logged_in",
        &["header Location: expected none"],
    );
}

// Procurement: the same kinds of departure, in its envelope, plus its own rules.

fn code_and_msg(body: &Option<Value>) -> (Option<i64>, Option<&str>) {
    let body = body.as_ref();
    (
        body.and_then(|b| b.get("code")).and_then(Value::as_i64),
        body.and_then(|b| b.get("msg")).and_then(Value::as_str),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_refresh_header_fails_the_token_refresh_scenario() {
    // The server refreshes a token that nears its expiry; the proxy drops the new token.
    let report = run_api_through(
        Api::Procurement,
        "scenario/token_refresh",
        Box::new(
            |method: &Method,
             path: &str,
             _: &mut StatusCode,
             headers: &mut HeaderMap,
             _: &mut Option<Value>| {
                if method == Method::GET && path == "/user/info" {
                    headers.remove("authorization");
                }
            },
        ),
    )
    .await;
    assert_fails_naming(
        &report,
        "scenario/token_refresh",
        &["header Authorization: missing"],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_accepted_procurement_transition_that_should_be_refused_fails() {
    // The server refuses to approve an order the department has not approved; the proxy claims
    // the approval went through.
    let accept = || -> Box<Mutation> {
        Box::new(
            |method: &Method,
             path: &str,
             _: &mut StatusCode,
             _: &mut HeaderMap,
             body: &mut Option<Value>| {
                if method == Method::PUT
                    && path == "/inst/approve"
                    && code_and_msg(body) == (Some(0), Some("不可以对申请单做此操作"))
                {
                    *body = Some(json!({"success": true, "code": 1, "msg": "成功", "data": null}));
                }
            },
        )
    };
    let report = run_api_through(Api::Procurement, "inst_approve/wrong_status", accept()).await;
    assert_fails_naming(
        &report,
        "inst_approve/wrong_status",
        &["envelope code", "expected 0", "got 1"],
    );
    assert_fails_naming(
        &report,
        "inst_approve/wrong_status",
        &["envelope msg", "不可以对申请单做此操作", "成功"],
    );
    let report = run_api_through(
        Api::Procurement,
        "scenario/refused_transitions_leave_the_order_unchanged",
        accept(),
    )
    .await;
    assert_fails_naming(
        &report,
        "scenario/refused_transitions_leave_the_order_unchanged",
        &[
            "InstApprove as instlead on an order Submitted",
            "expected code 0 不可以对申请单做此操作, got code 1",
        ],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_procurement_code_fails_the_case_and_names_both_codes() {
    let report = run_api_through(
        Api::Procurement,
        "dept_deny/missing_reason",
        Box::new(
            |_: &Method,
             path: &str,
             _: &mut StatusCode,
             _: &mut HeaderMap,
             body: &mut Option<Value>| {
                if path == "/dept/deny"
                    && code_and_msg(body).0 == Some(11)
                    && let Some(body) = body.as_mut()
                {
                    body["code"] = json!(12);
                }
            },
        ),
    )
    .await;
    assert_fails_naming(
        &report,
        "dept_deny/missing_reason",
        &["envelope code", "expected 11", "got 12"],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_order_field_and_a_missing_download_header_are_named() {
    let report = run_api_through(
        Api::Procurement,
        "get_order/success",
        Box::new(
            |method: &Method,
             path: &str,
             _: &mut StatusCode,
             _: &mut HeaderMap,
             body: &mut Option<Value>| {
                if method == Method::GET
                    && path == "/order"
                    && let Some(data) = body
                        .as_mut()
                        .and_then(|b| b.get_mut("data"))
                        .and_then(Value::as_object_mut)
                {
                    data.remove("withdrawalReason");
                }
            },
        ),
    )
    .await;
    assert_fails_naming(
        &report,
        "get_order/success",
        &["/data/withdrawalReason", "missing field"],
    );
    let report = run_api_through(
        Api::Procurement,
        "export_order_excel/success",
        Box::new(
            |method: &Method,
             path: &str,
             _: &mut StatusCode,
             headers: &mut HeaderMap,
             _: &mut Option<Value>| {
                if method == Method::GET && path == "/order/file" {
                    headers.remove("content-disposition");
                }
            },
        ),
    )
    .await;
    assert_fails_naming(
        &report,
        "export_order_excel/success",
        &["header Content-Disposition: missing"],
    );
}
