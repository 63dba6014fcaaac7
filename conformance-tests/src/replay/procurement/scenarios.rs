//! Scenarios beyond single examples, reported as `scenario/...` cases: the approval workflow
//! with the notice each step sends, the deny and resubmit loop, recall, delete and restore,
//! transitions that must be refused, and the token refresh rule.

use serde_json::{Value, json};

use super::{Procurement, code_of, orders::DENY_REASON, request, token_times};
use crate::{
    case::{Body, Request},
    check::compact,
    replay::Runner,
};

use super::orders::{Fixture, Stage};

const NOT_ALLOWED: &str = "不可以对申请单做此操作";

/// The problems a scenario found and its last request.
#[derive(Default)]
struct Script {
    problems: Vec<String>,
    curl: Option<String>,
}

impl Script {
    fn problem(&mut self, text: String) {
        self.problems.push(text);
    }
}

/// Code and message of an answer.
fn outcome(body: &Value) -> (Option<i64>, &str) {
    (
        code_of(body),
        body.get("msg").and_then(Value::as_str).unwrap_or_default(),
    )
}

/// A workflow step as a request: `PUT path?id=...` (with `reason` for a deny).
fn step(path: &str, order: &str, reason: Option<&str>) -> Request {
    let mut built = request("PUT", path);
    built.set_query("id", order);
    if let Some(reason) = reason {
        built.set_query("reason", reason);
    }
    built
}

fn on_order(method: &str, path: &str, order: &str) -> Request {
    let mut built = request(method, path);
    built.set_path_param("id", order);
    built
}

/// What a refused-transition check attempts.
#[derive(Clone, Copy, Debug)]
enum Attempt {
    DeptApprove,
    DeptDeny,
    InstApprove,
    InstDeny,
    Recall,
    Update,
    Delete,
    Restore,
}

/// Transitions the workflow does not have: from each stage, as a role that could otherwise act.
const REFUSED: &[(Stage, &str, Attempt)] = &[
    (Stage::Draft, "deptlead", Attempt::DeptApprove),
    (Stage::Draft, "deptlead", Attempt::DeptDeny),
    (Stage::Draft, "instlead", Attempt::InstApprove),
    (Stage::Draft, "applicant", Attempt::Recall),
    (Stage::Draft, "admin", Attempt::Restore),
    (Stage::Submitted, "instlead", Attempt::InstApprove),
    (Stage::Submitted, "instlead", Attempt::InstDeny),
    (Stage::DeptApproved, "deptlead", Attempt::DeptApprove),
    (Stage::DeptApproved, "deptlead", Attempt::DeptDeny),
    (Stage::DeptApproved, "applicant", Attempt::Recall),
    (Stage::DeptApproved, "applicant", Attempt::Update),
    (Stage::InstApproved, "instlead", Attempt::InstApprove),
    (Stage::InstApproved, "instlead", Attempt::InstDeny),
    (Stage::InstApproved, "deptlead", Attempt::DeptDeny),
    (Stage::InstApproved, "applicant", Attempt::Recall),
    (Stage::DeletedWhileSubmitted, "admin", Attempt::Delete),
];

impl Procurement {
    /// Sends one step of a scenario as `role`; its answer must carry `code` (and `msg` when
    /// given). Answers the body.
    #[expect(
        clippy::too_many_arguments,
        reason = "one call per scenario step reads best flat"
    )]
    async fn expect(
        &mut self,
        runner: &Runner,
        script: &mut Script,
        label: &str,
        role: &str,
        request: Request,
        code: i64,
        msg: Option<&str>,
    ) -> Option<Value> {
        match self.send_as(runner, role, request).await {
            Err(error) => {
                script.problem(format!("{label}: request failed: {error:#}"));
                None
            }
            Ok((actual, curl)) => {
                script.curl = Some(curl);
                let body = actual.json().unwrap_or(Value::Null);
                let (got_code, got_msg) = outcome(&body);
                if got_code != Some(code) || msg.is_some_and(|msg| msg != got_msg) {
                    script.problem(format!(
                        "{label}: expected code {code}{}, got code {} {got_msg:?}",
                        msg.map(|msg| format!(" {msg}")).unwrap_or_default(),
                        got_code.map_or_else(|| "none".to_owned(), |code| code.to_string())
                    ));
                }
                Some(body)
            }
        }
    }

    /// Reads `order` as `role`; each `(pointer under data, value)` must hold.
    async fn expect_order(
        &mut self,
        runner: &Runner,
        script: &mut Script,
        label: &str,
        role: &str,
        order: &str,
        want: &[(&str, Value)],
    ) -> Option<Value> {
        let mut get = request("GET", "/order");
        get.set_query("id", order);
        let body = self
            .expect(runner, script, label, role, get, 1, None)
            .await?;
        for (pointer, value) in want {
            let got = body.pointer(&format!("/data/{pointer}"));
            if got != Some(value) {
                script.problem(format!(
                    "{label}: /data/{pointer}: expected {}, got {}",
                    compact(value),
                    got.map_or_else(|| "nothing".to_owned(), compact)
                ));
            }
        }
        body.get("data").cloned()
    }

    /// The newest notice of `role`'s user about `order` must be unread and say this.
    #[expect(
        clippy::too_many_arguments,
        reason = "one call per expected notice reads best flat"
    )]
    async fn expect_notice(
        &mut self,
        runner: &Runner,
        script: &mut Script,
        label: &str,
        role: &str,
        order: &str,
        title: &str,
        content: &str,
    ) {
        let newest = match self.notice_about(runner, role, order, "").await {
            Ok(newest) => newest,
            Err(error) => {
                return script.problem(format!("{label}: listing the notices failed: {error:#}"));
            }
        };
        let Some(notice) = newest else {
            return script.problem(format!(
                "{label}: no notice about order {order} (expected {title} / {content})"
            ));
        };
        let (uid, _) = self.credentials_of(role).unwrap_or_default();
        for (key, want) in [
            ("title", json!(title)),
            ("content", json!(content)),
            ("state", json!(true)),
            ("uid", json!(uid)),
        ] {
            if notice.get(key) != Some(&want) {
                script.problem(format!(
                    "{label}: notice {key}: expected {}, got {}",
                    compact(&want),
                    notice
                        .get(key)
                        .map_or_else(|| "nothing".to_owned(), compact)
                ));
            }
        }
    }

    /// An order of fixture 20210104 in `stage`, or a problem.
    async fn scenario_order(
        &mut self,
        runner: &Runner,
        script: &mut Script,
        stage: Stage,
    ) -> Option<String> {
        match self.new_order(runner, Fixture::A, stage).await {
            Ok(order) => Some(order),
            Err(error) => {
                script.problem(format!("setting up an order ({stage:?}) failed: {error:#}"));
                None
            }
        }
    }

    /// The request that edits `order` (the fixture's content) at `version` into `status`.
    fn update(&self, runner: &Runner, order: &str, version: i64, status: i64) -> Option<Request> {
        let mut body = self.fixture_body(runner, Fixture::A, status).ok()?;
        body["id"] = json!(order);
        body["version"] = json!(version);
        let mut update = request("PUT", "/order");
        update.body = Body::Json(body);
        Some(update)
    }

    /// submit → department approval → institution approval, with the notice each step sends
    /// and the status and version after it.
    async fn approval_workflow(&mut self, runner: &Runner) -> Script {
        let mut s = Script::default();
        let Ok(body) = self.fixture_body(runner, Fixture::A, 1) else {
            s.problem("the spec has no create_order/submit body".into());
            return s;
        };
        let mut create = request("POST", "/order");
        create.body = Body::Json(body);
        let created = self
            .expect(
                runner,
                &mut s,
                "create_order (submit)",
                "applicant",
                create,
                1,
                None,
            )
            .await;
        let Some(order) = created
            .as_ref()
            .and_then(|body| body.get("data"))
            .and_then(Value::as_str)
            .map(str::to_owned)
        else {
            s.problem(format!("create_order answered no order id: {created:?}"));
            return s;
        };
        self.keep_live(order.clone());
        let prefix = format!("{}01", self.today.get(..4).unwrap_or_default());
        let counter = order.strip_prefix(&prefix).unwrap_or_default();
        if counter.len() < 2 || !counter.bytes().all(|b| b.is_ascii_digit()) {
            s.problem(format!(
                "the new order id {order} is not {prefix} (year and department 01) followed by a counter of 2 or more digits"
            ));
        }
        let first_line = format!("{order}01");
        self.expect_order(
            runner,
            &mut s,
            "get_order after submitting",
            "applicant",
            &order,
            &[
                ("status", json!(1)),
                ("version", json!(0)),
                ("orderLists/0/id", json!(first_line)),
            ],
        )
        .await;
        self.expect_notice(
            runner,
            &mut s,
            "the 办公室 leader after the submission",
            "deptlead",
            &order,
            "新的申请单提交通知",
            "申请人张三提交了一份申请单。",
        )
        .await;
        match self.notice_about(runner, "deptlead2", &order, "").await {
            Ok(None) => {}
            Ok(Some(notice)) => s.problem(format!(
                "the 财务部 leader was notified of an 办公室 order: {}",
                compact(&notice)
            )),
            Err(error) => s.problem(format!("listing the 财务部 leader's notices: {error:#}")),
        }
        self.expect(
            runner,
            &mut s,
            "dept_approve",
            "deptlead",
            step("/dept/approve", &order, None),
            1,
            None,
        )
        .await;
        self.expect_order(
            runner,
            &mut s,
            "get_order after the department's approval",
            "applicant",
            &order,
            &[("status", json!(2)), ("version", json!(1))],
        )
        .await;
        self.expect_notice(
            runner,
            &mut s,
            "the applicant after the department's approval",
            "applicant",
            &order,
            "申请单通过通知",
            &format!("编号{order}的申请单已经通过部门审核。"),
        )
        .await;
        self.expect(
            runner,
            &mut s,
            "inst_approve",
            "instlead",
            step("/inst/approve", &order, None),
            1,
            None,
        )
        .await;
        self.expect_order(
            runner,
            &mut s,
            "get_order after the institution's approval",
            "applicant",
            &order,
            &[("status", json!(3)), ("version", json!(2))],
        )
        .await;
        self.expect_notice(
            runner,
            &mut s,
            "the applicant after the institution's approval",
            "applicant",
            &order,
            "申请单通过通知",
            &format!("编号{order}的申请单已经通过审核。"),
        )
        .await;
        self.expect(
            runner,
            &mut s,
            "inst_approve of an approved order",
            "instlead",
            step("/inst/approve", &order, None),
            0,
            Some(NOT_ALLOWED),
        )
        .await;
        s
    }

    /// Sent back by the department, edited and resubmitted, approved, sent back by the
    /// institution, resubmitted: statuses, versions, the kept reason and every notice.
    async fn deny_and_resubmit(&mut self, runner: &Runner) -> Script {
        let mut s = Script::default();
        let Some(order) = self.scenario_order(runner, &mut s, Stage::Submitted).await else {
            return s;
        };
        let second_reason = "请补充可行性报告";
        self.expect(
            runner,
            &mut s,
            "dept_deny",
            "deptlead",
            step("/dept/deny", &order, Some(DENY_REASON)),
            1,
            None,
        )
        .await;
        self.expect_order(
            runner,
            &mut s,
            "get_order after the department sent it back",
            "applicant",
            &order,
            &[
                ("status", json!(0)),
                ("version", json!(1)),
                ("withdrawalReason", json!(DENY_REASON)),
            ],
        )
        .await;
        self.expect_notice(
            runner,
            &mut s,
            "the applicant after the department sent it back",
            "applicant",
            &order,
            "申请单打回通知",
            &format!("编号{order}的申请单已被打回；打回原因：{DENY_REASON}"),
        )
        .await;
        self.resubmit(runner, &mut s, &order, 1, DENY_REASON).await;
        for (label, path, role) in [
            ("dept_approve", "/dept/approve", "deptlead"),
            ("inst_deny", "/inst/deny", "instlead"),
        ] {
            let reason = (role == "instlead").then_some(second_reason);
            self.expect(
                runner,
                &mut s,
                label,
                role,
                step(path, &order, reason),
                1,
                None,
            )
            .await;
        }
        self.expect_order(
            runner,
            &mut s,
            "get_order after the institution sent it back",
            "applicant",
            &order,
            &[
                ("status", json!(0)),
                ("version", json!(4)),
                ("withdrawalReason", json!(second_reason)),
            ],
        )
        .await;
        self.expect_notice(
            runner,
            &mut s,
            "the applicant after the institution sent it back",
            "applicant",
            &order,
            "申请单打回通知",
            &format!("编号{order}的申请单已被打回；打回原因：{second_reason}"),
        )
        .await;
        self.resubmit(runner, &mut s, &order, 4, second_reason)
            .await;
        s
    }

    /// The owner submits the sent-back `order` (at `version`) again: status 1, version + 1, the
    /// reason kept, and the department's leader told it is a resubmission.
    async fn resubmit(
        &mut self,
        runner: &Runner,
        s: &mut Script,
        order: &str,
        version: i64,
        reason: &str,
    ) {
        let Some(update) = self.update(runner, order, version, 1) else {
            return s.problem("the spec has no create_order/submit body".into());
        };
        let label = format!("update_order (resubmit at version {version})");
        self.expect(runner, s, &label, "applicant", update, 1, None)
            .await;
        self.expect_order(
            runner,
            s,
            &format!("get_order after the {label}"),
            "applicant",
            order,
            &[
                ("status", json!(1)),
                ("version", json!(version + 1)),
                ("withdrawalReason", json!(reason)),
            ],
        )
        .await;
        self.expect_notice(
            runner,
            s,
            &format!("the 办公室 leader after the {label}"),
            "deptlead",
            order,
            "申请单重新提交通知",
            "申请人张三重新提交了申请单",
        )
        .await;
    }

    /// The owner recalls a submitted order: it is a draft again that the department cannot
    /// approve; editing and submitting it again notifies the department as a resubmission.
    async fn recall_then_resubmit(&mut self, runner: &Runner) -> Script {
        let mut s = Script::default();
        let Some(order) = self.scenario_order(runner, &mut s, Stage::Submitted).await else {
            return s;
        };
        self.expect(
            runner,
            &mut s,
            "recall_order",
            "applicant",
            step("/order/recall", &order, None),
            1,
            None,
        )
        .await;
        self.expect_order(
            runner,
            &mut s,
            "get_order after the recall",
            "applicant",
            &order,
            &[("status", json!(0)), ("version", json!(1))],
        )
        .await;
        self.expect(
            runner,
            &mut s,
            "dept_approve of a recalled order",
            "deptlead",
            step("/dept/approve", &order, None),
            0,
            Some(NOT_ALLOWED),
        )
        .await;
        for (version, status) in [(1, 0), (2, 1)] {
            let Some(update) = self.update(runner, &order, version, status) else {
                s.problem("the spec has no create_order/submit body".into());
                return s;
            };
            self.expect(
                runner,
                &mut s,
                &format!("update_order (status {status})"),
                "applicant",
                update,
                1,
                None,
            )
            .await;
            self.expect_order(
                runner,
                &mut s,
                &format!("get_order after saving with status {status}"),
                "applicant",
                &order,
                &[("status", json!(status)), ("version", json!(version + 1))],
            )
            .await;
        }
        self.expect_notice(
            runner,
            &mut s,
            "the 办公室 leader after the resubmission",
            "deptlead",
            &order,
            "申请单重新提交通知",
            "申请人张三重新提交了申请单",
        )
        .await;
        s
    }

    /// An admin deletes an order approved by the department: its owner no longer sees it, the
    /// deleted list does; restoring returns it to status 2; neither step can be repeated.
    async fn delete_and_restore(&mut self, runner: &Runner) -> Script {
        let mut s = Script::default();
        let Some(order) = self
            .scenario_order(runner, &mut s, Stage::DeptApproved)
            .await
        else {
            return s;
        };
        let deleted = self
            .expect(
                runner,
                &mut s,
                "admin_delete_order",
                "admin",
                on_order("DELETE", "/admin/order/{id}", &order),
                1,
                None,
            )
            .await;
        if deleted.as_ref().and_then(code_of) == Some(1) {
            self.live.retain(|live| *live != order);
            self.deleted += 1;
            self.last_delete = Some(std::time::Instant::now());
        }
        let mut get = request("GET", "/order");
        get.set_query("id", &order);
        self.expect(
            runner,
            &mut s,
            "get_order of a deleted order by its owner",
            "applicant",
            get,
            0,
            Some("申请单不存在"),
        )
        .await;
        self.expect_order(
            runner,
            &mut s,
            "get_order of a deleted order by an admin",
            "admin",
            &order,
            &[("status", json!(-1))],
        )
        .await;
        let mut own = request("GET", "/order/orders");
        own.set_query("oid", &order);
        own.set_query("page", "1");
        if let Some(body) = self
            .expect(
                runner,
                &mut s,
                "list_orders by the owner",
                "applicant",
                own,
                1,
                None,
            )
            .await
            && body.pointer("/data/totalElements") != Some(&json!(0))
        {
            s.problem(format!(
                "list_orders by the owner, oid {order}: expected no row, got {}",
                compact(body.get("data").unwrap_or(&Value::Null))
            ));
        }
        let mut listed = request("GET", "/admin/order/deleted");
        listed.set_query("page", "1");
        if let Some(body) = self
            .expect(
                runner,
                &mut s,
                "admin_list_deleted_orders",
                "admin",
                listed,
                1,
                None,
            )
            .await
        {
            let found = body
                .pointer("/data/content")
                .and_then(Value::as_array)
                .is_some_and(|rows| {
                    rows.iter()
                        .any(|row| row.get("id").and_then(Value::as_str) == Some(order.as_str()))
                });
            if !found {
                s.problem(format!(
                    "admin_list_deleted_orders: order {order}, just deleted, is not on the first page"
                ));
            }
        }
        self.expect(
            runner,
            &mut s,
            "admin_delete_order of a deleted order",
            "admin",
            on_order("DELETE", "/admin/order/{id}", &order),
            0,
            Some(NOT_ALLOWED),
        )
        .await;
        let restored = self
            .expect(
                runner,
                &mut s,
                "admin_restore_order",
                "admin",
                on_order("PUT", "/admin/order/reduct/{id}", &order),
                1,
                None,
            )
            .await;
        if restored.as_ref().and_then(code_of) == Some(1) {
            self.keep_live(order.clone());
            self.deleted -= 1;
        }
        self.expect_order(
            runner,
            &mut s,
            "get_order after the restore",
            "applicant",
            &order,
            &[("status", json!(2)), ("version", json!(3))],
        )
        .await;
        self.expect(
            runner,
            &mut s,
            "admin_restore_order of an order that is not deleted",
            "admin",
            on_order("PUT", "/admin/order/reduct/{id}", &order),
            0,
            Some(NOT_ALLOWED),
        )
        .await;
        s
    }

    /// Every transition the workflow lacks answers 不可以对申请单做此操作 and changes nothing.
    async fn refused_transitions(&mut self, runner: &Runner) -> Script {
        let mut s = Script::default();
        for (stage, role, attempt) in REFUSED {
            let Some(order) = self.scenario_order(runner, &mut s, *stage).await else {
                continue;
            };
            let label = format!("{attempt:?} as {role} on an order {stage:?}");
            let Some(before) = self
                .expect_order(
                    runner,
                    &mut s,
                    &format!("{label}: get_order before"),
                    "admin",
                    &order,
                    &[],
                )
                .await
            else {
                continue;
            };
            let version = before.get("version").and_then(Value::as_i64).unwrap_or(0);
            let attempted = match attempt {
                Attempt::DeptApprove => step("/dept/approve", &order, None),
                Attempt::DeptDeny => step("/dept/deny", &order, Some(DENY_REASON)),
                Attempt::InstApprove => step("/inst/approve", &order, None),
                Attempt::InstDeny => step("/inst/deny", &order, Some(DENY_REASON)),
                Attempt::Recall => step("/order/recall", &order, None),
                Attempt::Delete => on_order("DELETE", "/admin/order/{id}", &order),
                Attempt::Restore => on_order("PUT", "/admin/order/reduct/{id}", &order),
                Attempt::Update => match self.update(runner, &order, version, 1) {
                    Some(update) => update,
                    None => {
                        s.problem("the spec has no create_order/submit body".into());
                        continue;
                    }
                },
            };
            self.expect(
                runner,
                &mut s,
                &label,
                role,
                attempted,
                0,
                Some(NOT_ALLOWED),
            )
            .await;
            let unchanged = [
                (
                    "status",
                    before.get("status").cloned().unwrap_or(Value::Null),
                ),
                ("version", json!(version)),
            ];
            self.expect_order(
                runner,
                &mut s,
                &format!("{label}: get_order after"),
                "admin",
                &order,
                &unchanged,
            )
            .await;
        }
        s
    }

    /// Runs the workflow scenarios and the token refresh rule.
    pub(super) async fn scenarios(&mut self, runner: &mut Runner) {
        for id in [
            "scenario/approval_workflow_sends_each_notice",
            "scenario/deny_and_resubmit_loop",
            "scenario/recall_then_resubmit",
            "scenario/delete_and_restore",
            "scenario/refused_transitions_leave_the_order_unchanged",
        ] {
            if !runner.selected(id) {
                continue;
            }
            if let Some(reason) = runner.stop_reason() {
                runner.skip(id, reason);
                continue;
            }
            let script = match id {
                "scenario/approval_workflow_sends_each_notice" => {
                    self.approval_workflow(runner).await
                }
                "scenario/deny_and_resubmit_loop" => self.deny_and_resubmit(runner).await,
                "scenario/recall_then_resubmit" => self.recall_then_resubmit(runner).await,
                "scenario/delete_and_restore" => self.delete_and_restore(runner).await,
                _ => self.refused_transitions(runner).await,
            };
            runner.scenario(id, script.problems, script.curl);
        }
        self.refresh_scenario(runner).await;
    }

    /// The token refresh rule: learn the lifetime from the login token; when a token with less
    /// than 10 minutes left is used, the answer must carry a new `Authorization`, and the old
    /// token must then answer code 2.
    async fn refresh_scenario(&mut self, runner: &mut Runner) {
        let id = "scenario/token_refresh";
        if !runner.selected(id) {
            return;
        }
        if let Some(reason) = runner.stop_reason() {
            return runner.skip(id, reason);
        }
        let Ok((user, password)) = self.credentials_of("applicant") else {
            return runner.scenario(id, vec!["the applicant was not created".into()], None);
        };
        let (token, _) = match Self::login(runner, &user, &password).await {
            Ok(login) => login,
            Err(error) => {
                return runner.scenario(id, vec![format!("login failed: {error:#}")], None);
            }
        };
        self.tokens.insert("applicant".into(), token.clone());
        self.stale.remove("applicant");
        let Some((lifetime, left)) = token_times(&token) else {
            return runner.skip(id, "the login token is not a JWT with iat and exp claims");
        };
        if lifetime > 11 * 60 {
            return runner.skip(
                id,
                format!(
                    "the target's token lifetime is {lifetime} s: a token nears its expiry (< 10 minutes left) only after {} s, longer than this run waits",
                    lifetime - 600
                ),
            );
        }
        let wait = (left - 595).max(0);
        if u64::try_from(wait).unwrap_or(u64::MAX) > runner.options.max_refresh_wait.as_secs() {
            return runner.skip(
                id,
                format!(
                    "the token reaches 10 minutes left only after {wait} s, more than --max-refresh-wait"
                ),
            );
        }
        tokio::time::sleep(std::time::Duration::from_secs(
            u64::try_from(wait).unwrap_or(0),
        ))
        .await;
        let mut info = request("GET", "/user/info");
        info.set_query("id", user.clone());
        info.set_header("Authorization", token.clone());
        let curl = info.curl(&runner.options.base_url);
        let mut problems = Vec::new();
        match runner.send(&info).await {
            Err(error) => problems.push(format!("request failed: {error:#}")),
            Ok(actual) => match actual.header("authorization") {
                None => problems.push(
                    "header Authorization: missing (a token with less than 10 minutes left must be refreshed in the same response)"
                        .to_owned(),
                ),
                Some(new) if new == token => problems.push(
                    "header Authorization: the same token came back, not a new one".to_owned(),
                ),
                Some(new) if !new.starts_with("Bearer ") => {
                    problems.push(format!(
                        "header Authorization: expected \"Bearer <jwt>\", got {new:?}"
                    ));
                }
                Some(new) => {
                    self.tokens.insert("applicant".into(), new.to_owned());
                    match runner.send(&info).await {
                        Ok(again) => {
                            let body = again.json().unwrap_or(Value::Null);
                            if code_of(&body) != Some(2) {
                                problems.push(format!(
                                    "the old token after a refresh: expected code 2 token失效, got {body}"
                                ));
                            }
                        }
                        Err(error) => problems.push(format!("request failed: {error:#}")),
                    }
                }
            },
        }
        if !problems.is_empty() {
            // The applicant's token may be dead: log in afresh before its next use.
            self.stale.insert("applicant".into());
        }
        runner.scenario(id, problems, Some(curl));
    }
}
