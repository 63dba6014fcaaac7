//! Deployments that lie: they answer success to a write they did differently or not at all,
//! or send cookies and files that only look right. The read-back of every write, the cookie
//! attributes and the opening of downloaded workbooks must catch each of them.

use std::io::Write as _;

use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use medsys_conformance::{
    Api,
    report::{Outcome, Report, console_summary},
};
use serde_json::{Value, json};

use crate::support::{Backend, Lies, Target, proxy_with};

/// Runs the cases of `api` matching `only` through a proxy that lies as `lies` says.
async fn run_lying(api: Api, only: &str, lies: Lies) -> Report {
    let target = Target::start(Backend::Sqlite).await.expect("sqlite target");
    let addr = proxy_with(&target.base_url, lies).await;
    let mut options = target.options(&format!("http://{addr}"), vec![api]);
    options.selection.only = vec![only.to_owned()];
    let report = medsys_conformance::run(&options)
        .await
        .expect("the run completes");
    target.stop().await;
    report
}

/// Asserts that case `id` failed with a problem containing every part of `naming`.
fn assert_caught(report: &Report, id: &str, naming: &[&str]) {
    let summary = console_summary(report);
    let result = report
        .results
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("case {id} did not run: {summary}"));
    assert_eq!(result.outcome, Outcome::Failed, "{id} must fail: {summary}");
    assert!(
        result
            .problems
            .iter()
            .any(|problem| naming.iter().all(|part| problem.contains(part))),
        "no problem of {id} names {naming:?}: {:#?}",
        result.problems
    );
}

fn action_of(body: &Option<Value>) -> Option<&str> {
    body.as_ref()?.get("action")?.as_str()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_modify_that_stores_something_else_but_answers_success_is_caught() {
    let report = run_lying(
        Api::Mgr,
        "modify_customer/ok",
        Lies {
            request: Some(Box::new(
                |method: &Method, _: &str, body: &mut Option<Value>| {
                    if method == Method::PUT
                        && action_of(body) == Some("modify_customer")
                        && let Some(newdata) = body.as_mut().and_then(|b| b.get_mut("newdata"))
                    {
                        newdata["name"] = json!("别的名字");
                    }
                    None
                },
            )),
            ..Lies::default()
        },
    )
    .await;
    assert_caught(
        &report,
        "modify_customer/ok",
        &["read-back", "name reads back as \"别的名字\""],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_save_that_stores_something_else_is_caught() {
    let report = run_lying(
        Api::Procurement,
        "update_order/save",
        Lies {
            request: Some(Box::new(
                |method: &Method, path: &str, body: &mut Option<Value>| {
                    if method == Method::PUT
                        && path == "/order"
                        && let Some(body) = body.as_mut()
                    {
                        body["fundCode"] = json!("999999");
                    }
                    None
                },
            )),
            ..Lies::default()
        },
    )
    .await;
    assert_caught(
        &report,
        "update_order/save",
        &["read-back", "fundCode reads back as \"999999\""],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delete_that_does_nothing_is_caught() {
    let report = run_lying(
        Api::Mgr,
        "del_customer/ok",
        Lies {
            request: Some(Box::new(
                |method: &Method, _: &str, body: &mut Option<Value>| {
                    (method == Method::DELETE && action_of(body) == Some("del_customer"))
                        .then(|| json!({"ret": 0}))
                },
            )),
            ..Lies::default()
        },
    )
    .await;
    assert_caught(&report, "del_customer/ok", &["read-back", "still shows it"]);
}

/// Rewrites the `Set-Cookie` of answers to `method path` with `rewrite`.
fn rewrite_cookie(
    method: Method,
    path: &'static str,
    rewrite: fn(&str) -> String,
) -> Box<crate::support::Mutation> {
    Box::new(
        move |m: &Method,
              p: &str,
              _: &mut StatusCode,
              headers: &mut HeaderMap,
              _: &mut Option<Value>| {
            if *m == method
                && p == path
                && let Some(cookie) = headers.get("set-cookie").and_then(|v| v.to_str().ok())
            {
                let changed = rewrite(cookie);
                headers.insert(
                    "set-cookie",
                    HeaderValue::from_str(&changed).expect("header"),
                );
            }
        },
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_cookie_without_samesite_is_caught() {
    let report = run_lying(
        Api::Mgr,
        "signin/ok",
        Lies {
            answer: Some(rewrite_cookie(Method::POST, "/api/mgr/signin", |cookie| {
                cookie
                    .split(';')
                    .filter(|part| !part.trim().to_ascii_lowercase().starts_with("samesite"))
                    .collect::<Vec<_>>()
                    .join(";")
            })),
            ..Lies::default()
        },
    )
    .await;
    assert_caught(&report, "signin/ok", &["Set-Cookie", "SameSite=Lax"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signout_cookie_that_does_not_expire_is_caught() {
    let report = run_lying(
        Api::Mgr,
        "signout/ok",
        Lies {
            answer: Some(rewrite_cookie(Method::GET, "/api/mgr/signout", |cookie| {
                cookie
                    .split(';')
                    .filter(|part| {
                        let part = part.trim().to_ascii_lowercase();
                        !part.starts_with("max-age") && !part.starts_with("expires")
                    })
                    .collect::<Vec<_>>()
                    .join(";")
            })),
            ..Lies::default()
        },
    )
    .await;
    assert_caught(&report, "signout/ok", &["Set-Cookie", "Max-Age=0"]);
}

/// A real ZIP file that holds a text file, not a workbook.
fn zip_of_text() -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    zip.start_file("readme.txt", zip::write::SimpleFileOptions::default())
        .expect("zip entry");
    zip.write_all(b"not a workbook").expect("zip content");
    zip.finish().expect("zip");
    out.into_inner()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zip_that_is_not_a_workbook_is_caught() {
    let report = run_lying(
        Api::Procurement,
        "export_order_excel/success",
        Lies {
            raw: Some(Box::new(
                |method: &Method, path: &str, bytes: &mut Vec<u8>| {
                    if method == Method::GET && path == "/order/file" {
                        *bytes = zip_of_text();
                    }
                },
            )),
            ..Lies::default()
        },
    )
    .await;
    assert_caught(
        &report,
        "export_order_excel/success",
        &["do not open as", ".xlsx workbook"],
    );
}
