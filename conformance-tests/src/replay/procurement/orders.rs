//! Orders and notices for the procurement cases: which fixture orders each case needs and in
//! which stage of the workflow, creating them through the API, the list cases' pages and totals,
//! and the notice cases' preconditions.

use std::{collections::BTreeMap, time::Duration};

use anyhow::{Result, anyhow};
use base64::Engine as _;
use serde_json::{Map, Value, json};

use super::{Procurement, files, request};
use crate::{
    case::Body,
    check::{HeaderRule, Matcher, RawBody},
    replay::{Prepared, Runner},
};

/// The two orders of the spec's fixture.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fixture {
    /// 20210104: 张三's order in 办公室 (台式计算机).
    A,
    /// 20210201: 李四's order in 财务部 (激光打印机).
    B,
}

impl Fixture {
    /// The id the spec's examples use for this order.
    pub fn doc_id(self) -> &'static str {
        match self {
            Fixture::A => "20210104",
            Fixture::B => "20210201",
        }
    }

    /// The role keys of the users that bring it to `stage`: its owner, its department's
    /// leader for a decision of the department, an institution leader for one of the
    /// institution.
    pub fn roles_for(self, stage: Stage) -> Vec<&'static str> {
        let (owner, leader) = self.owner_and_leader();
        let mut roles = vec![owner];
        if matches!(
            stage,
            Stage::SentBack
                | Stage::DeptApproved
                | Stage::InstApproved
                | Stage::DeletedWhileDeptApproved
        ) {
            roles.push(leader);
        }
        if stage == Stage::InstApproved {
            roles.push("instlead");
        }
        roles
    }

    /// The role keys of its owner and of its department's leader.
    fn owner_and_leader(self) -> (&'static str, &'static str) {
        match self {
            Fixture::A => ("applicant", "deptlead"),
            Fixture::B => ("applicant2", "deptlead2"),
        }
    }
}

/// Where an order stands when a case starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Saved, never submitted (status 0).
    Draft,
    /// Submitted (status 1).
    Submitted,
    /// Approved by its department's leader (status 2).
    DeptApproved,
    /// Approved by an institution leader (status 3).
    InstApproved,
    /// Sent back by its department's leader (status 0, version 1, a withdrawal reason).
    SentBack,
    /// Deleted by an admin while submitted (status -1).
    DeletedWhileSubmitted,
    /// Deleted by an admin while approved by the department (status -1, previous 2).
    DeletedWhileDeptApproved,
}

use Fixture::{A, B};
use Stage::{
    DeletedWhileDeptApproved, DeletedWhileSubmitted, DeptApproved, Draft, InstApproved, SentBack,
    Submitted,
};

/// The fixture orders each case needs, in creation order (the newer one last), as its
/// `description` states the precondition.
pub const SCENES: &[(&str, &[(Fixture, Stage)])] = &[
    ("get_order/success", &[(A, Submitted)]),
    ("get_order/deptlead_reads", &[(A, Submitted)]),
    ("get_order/not_visible", &[(B, Submitted)]),
    ("update_order/resubmit", &[(A, SentBack)]),
    ("update_order/save", &[(A, SentBack)]),
    ("update_order/stale_version", &[(A, SentBack)]),
    ("update_order/not_editable", &[(A, Submitted)]),
    ("update_order/not_owner", &[(A, SentBack)]),
    ("recall_order/success", &[(A, Submitted)]),
    ("recall_order/success_json_body", &[(A, Submitted)]),
    ("recall_order/not_submitted", &[(A, DeptApproved)]),
    ("recall_order/not_owner", &[(B, Submitted)]),
    ("delete_order/success", &[(A, Submitted)]),
    (
        "delete_order/already_deleted",
        &[(A, DeletedWhileSubmitted)],
    ),
    ("admin_delete_order/success", &[(A, Submitted)]),
    (
        "admin_delete_order/already_deleted",
        &[(A, DeletedWhileSubmitted)],
    ),
    (
        "admin_restore_order/success",
        &[(A, DeletedWhileDeptApproved)],
    ),
    ("admin_restore_order/not_deleted", &[(A, Submitted)]),
    ("list_orders/success", &[(A, Submitted)]),
    ("list_orders/search", &[(A, Submitted)]),
    ("list_orders/search_user_alias", &[(A, Submitted)]),
    (
        "list_orders/admin_sees_all",
        &[(A, Submitted), (B, Submitted)],
    ),
    ("list_orders/past_last_page", &[(A, Submitted)]),
    ("export_order_excel/success", &[(A, Submitted)]),
    ("export_order_excel/not_visible", &[(B, Submitted)]),
    ("upload_signature/success", &[(A, Submitted)]),
    ("upload_signature/not_an_image", &[(A, Submitted)]),
    ("upload_signature/not_owner", &[(A, Submitted)]),
    ("download_signature/success", &[(A, Submitted)]),
    (
        "download_signature/deptlead_downloads_jpeg",
        &[(A, Submitted)],
    ),
    ("download_signature/no_file", &[(A, Submitted)]),
    ("download_signature/not_visible", &[(B, Submitted)]),
    ("count_unread_notices/success", &[(A, InstApproved)]),
    ("get_notice/success", &[(A, Submitted)]),
    ("get_notice/other_user", &[(A, Submitted)]),
    ("list_notices/success", &[(A, InstApproved)]),
    ("dept_search_orders/success", &[(A, Submitted)]),
    ("dept_search_orders/search", &[(A, Submitted)]),
    ("dept_list_pending/success", &[(A, Submitted)]),
    ("dept_approve/success", &[(A, Submitted)]),
    ("dept_approve/wrong_status", &[(A, Draft)]),
    ("dept_approve/other_department", &[(B, Submitted)]),
    ("dept_deny/success", &[(A, Submitted)]),
    ("dept_deny/missing_reason", &[(A, Submitted)]),
    ("dept_deny/wrong_status", &[(A, Draft)]),
    (
        "inst_search_orders/success",
        &[(A, Submitted), (B, Submitted)],
    ),
    ("inst_search_orders/search", &[(B, Submitted)]),
    ("inst_list_pending/success", &[(A, DeptApproved)]),
    ("inst_approve/success", &[(A, DeptApproved)]),
    ("inst_approve/wrong_status", &[(A, Submitted)]),
    ("inst_deny/success", &[(A, DeptApproved)]),
    ("inst_deny/missing_reason", &[(A, DeptApproved)]),
    ("inst_deny/wrong_status", &[(A, Submitted)]),
    // admin_list_deleted_orders/success deletes its order itself (see `plan_orders`).
    ("admin_list_deleted_orders/success", &[(A, Submitted)]),
];

/// Whose rows a list case shows besides the suite's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The caller's own orders: the caller is a user the suite created, so there are none of
    /// others.
    Own,
    /// Orders of others too (a department, every department): counted at the start.
    Shared,
    /// Deleted orders: those of others counted at the start, plus the suite's deleted ones.
    Deleted,
}

/// How a list is sorted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
    /// Newest first: the suite's fixture rows come first.
    Newest,
    /// Oldest first: the fixture rows come last, after the rows of others.
    Oldest,
}

/// The list cases.
pub const LISTS: &[(&str, Scope, Sort)] = &[
    ("list_orders/success", Scope::Own, Sort::Newest),
    ("list_orders/search", Scope::Own, Sort::Newest),
    ("list_orders/search_user_alias", Scope::Own, Sort::Newest),
    ("list_orders/admin_sees_all", Scope::Shared, Sort::Newest),
    ("list_orders/past_last_page", Scope::Own, Sort::Newest),
    ("dept_search_orders/success", Scope::Shared, Sort::Newest),
    ("dept_search_orders/search", Scope::Shared, Sort::Newest),
    ("dept_list_pending/success", Scope::Shared, Sort::Oldest),
    ("inst_search_orders/success", Scope::Shared, Sort::Newest),
    ("inst_search_orders/search", Scope::Shared, Sort::Newest),
    ("inst_list_pending/success", Scope::Shared, Sort::Oldest),
    // Most recently changed first: the order the case deletes last comes first.
    (
        "admin_list_deleted_orders/success",
        Scope::Deleted,
        Sort::Newest,
    ),
];

/// The reason the suite's department leader gives when it sends an order back.
pub const DENY_REASON: &str = "预算过高，请重新核实";

/// `yyyy年MM月dd日` → `yyyy-MM-dd`.
pub fn iso_from_chinese(date: &str) -> Option<String> {
    let (year, rest) = date.split_once('年')?;
    let (month, rest) = rest.split_once('月')?;
    let day = rest.strip_suffix('日')?;
    Some(format!("{year}-{month}-{day}"))
}

fn page_count(total: i64) -> i64 {
    (total + 9) / 10
}

impl Procurement {
    /// The body that creates fixture order `fixture` with `status`, taken from the spec: the
    /// request of `create_order/submit` for 20210104, the row of 20210201 in
    /// `list_orders/admin_sees_all` for the other.
    pub(super) fn fixture_body(
        &self,
        runner: &Runner,
        fixture: Fixture,
        status: i64,
    ) -> Result<Value> {
        let mut body = match fixture {
            Fixture::A => runner
                .prepare("create_order/submit")?
                .request
                .body_value()
                .cloned()
                .ok_or_else(|| anyhow!("create_order/submit has no request body"))?,
            Fixture::B => {
                let row = runner
                    .prepare("list_orders/admin_sees_all")?
                    .expected
                    .body
                    .and_then(|body| body.pointer("/data/content/0").cloned())
                    .ok_or_else(|| anyhow!("list_orders/admin_sees_all has no first row"))?;
                let mut body = Map::new();
                for key in [
                    "applyDepartment",
                    "applyUser",
                    "fundCode",
                    "total",
                    "orderLists",
                    "uid",
                ] {
                    body.insert(key.to_owned(), row.get(key).cloned().unwrap_or(Value::Null));
                }
                if let Some(Value::Array(lines)) = body.get_mut("orderLists") {
                    for line in lines.iter_mut().filter_map(Value::as_object_mut) {
                        line.remove("id");
                    }
                }
                Value::Object(body)
            }
        };
        let (owner, _) = fixture.owner_and_leader();
        let (uid, _) = self.credentials_of(owner)?;
        body["uid"] = json!(uid);
        body["status"] = json!(status);
        Ok(body)
    }

    /// A workflow step on `order` as `role`: `PUT path?id=order[&reason=...]`.
    pub(super) async fn step(
        &mut self,
        runner: &Runner,
        role: &str,
        path: &str,
        order: &str,
        reason: Option<&str>,
    ) -> Result<Value> {
        let mut step = request("PUT", path);
        step.set_query("id", order);
        if let Some(reason) = reason {
            step.set_query("reason", reason);
        }
        self.call(runner, role, step).await
    }

    /// Creates fixture order `fixture` owned by its fixture user and brings it to `stage`.
    pub(super) async fn new_order(
        &mut self,
        runner: &Runner,
        fixture: Fixture,
        stage: Stage,
    ) -> Result<String> {
        let (owner, leader) = fixture.owner_and_leader();
        let status = if stage == Stage::Draft { 0 } else { 1 };
        let mut create = request("POST", "/order");
        create.body = Body::Json(self.fixture_body(runner, fixture, status)?);
        let created = self.call(runner, owner, create).await?;
        let order = created
            .get("data")
            .and_then(Value::as_str)
            .ok_or_else(|| anyhow!("create_order answered no order id: {created}"))?
            .to_owned();
        self.keep_live(order.clone());
        match stage {
            Stage::Draft | Stage::Submitted | Stage::DeletedWhileSubmitted => {}
            Stage::SentBack => {
                self.step(runner, leader, "/dept/deny", &order, Some(DENY_REASON))
                    .await?;
            }
            Stage::DeptApproved | Stage::InstApproved | Stage::DeletedWhileDeptApproved => {
                self.step(runner, leader, "/dept/approve", &order, None)
                    .await?;
            }
        }
        if stage == Stage::InstApproved {
            self.step(runner, "instlead", "/inst/approve", &order, None)
                .await?;
        }
        if matches!(
            stage,
            Stage::DeletedWhileSubmitted | Stage::DeletedWhileDeptApproved
        ) {
            self.delete_order(runner, &order).await?;
        }
        Ok(order)
    }

    /// Soft-deletes one of the suite's orders (admin).
    pub(super) async fn delete_order(&mut self, runner: &Runner, order: &str) -> Result<()> {
        let mut delete = request("DELETE", "/admin/order/{id}");
        delete.set_path_param("id", order);
        self.call(runner, "admin", delete).await?;
        self.live.retain(|live| live != order);
        self.deleted += 1;
        self.last_delete = Some(std::time::Instant::now());
        Ok(())
    }

    /// Soft-deletes every live order of the suite, so that a list holds only the case's own.
    async fn retire(&mut self, runner: &Runner) -> Result<()> {
        for order in self.live.clone() {
            self.delete_order(runner, &order).await?;
        }
        Ok(())
    }

    /// The documented dates and years, which belong to 2021, become the deployment's.
    pub(super) fn substitute_dates(&self, p: &mut Prepared) {
        let year = self.today.get(..4).unwrap_or_default().to_owned();
        for (name, value) in &mut p.request.query {
            if value == "2021-01-18" {
                value.clone_from(&self.today);
            } else if name == "oid" && value == "2021" {
                value.clone_from(&year);
            }
        }
    }

    /// Sends list case `case` as documented (after renames) and answers `totalElements`.
    async fn measure(&mut self, runner: &Runner, case: &str) -> Result<i64> {
        let mut p = runner.prepare(case)?;
        self.rename_fixture(&mut p);
        self.substitute_dates(&mut p);
        let role = p.role.clone().unwrap_or_else(|| "admin".to_owned());
        let (actual, _) = self.send_as(runner, &role, p.request).await?;
        let body = actual.json().unwrap_or(Value::Null);
        body.pointer("/data/totalElements")
            .and_then(Value::as_i64)
            .ok_or_else(|| anyhow!("{case}: no totalElements in {body}"))
    }

    /// Learns the deployment's day from a draft it dates (deleted at once) and counts, for
    /// every selected list case that shows orders of others, how many it shows now.
    pub(super) async fn measure_baselines(&mut self, runner: &Runner) -> Result<()> {
        // The deleted list first: the draft below becomes one of the suite's deleted orders.
        for (case, scope, _) in LISTS {
            if *scope == Scope::Deleted && runner.selected(case) {
                let total = self.measure(runner, case).await?;
                self.baselines.insert((*case).to_owned(), total);
            }
        }
        let probe = self.new_order(runner, Fixture::A, Stage::Draft).await?;
        let mut get = request("GET", "/order");
        get.set_query("id", &probe);
        let read = self.call(runner, "applicant", get).await?;
        let created = read
            .pointer("/data/createTime")
            .and_then(Value::as_str)
            .ok_or_else(|| anyhow!("get_order answered no createTime: {read}"))?;
        self.today = iso_from_chinese(created)
            .ok_or_else(|| anyhow!("createTime {created:?} is not yyyy年MM月dd日"))?;
        self.delete_order(runner, &probe).await?;
        for (case, scope, _) in LISTS {
            if *scope == Scope::Shared && runner.selected(case) {
                let total = self.measure(runner, case).await?;
                self.baselines.insert((*case).to_owned(), total);
            }
        }
        Ok(())
    }

    /// The notices page `page` of the user playing `role` (`data` of list_notices).
    async fn notices(&mut self, runner: &Runner, role: &str, page: i64) -> Result<Value> {
        let (uid, _) = self.credentials_of(role)?;
        let mut list = request("GET", "/notice/notices");
        list.set_query("uid", uid);
        list.set_query("page", page.to_string());
        let body = self.call(runner, role, list).await?;
        Ok(body.get("data").cloned().unwrap_or(Value::Null))
    }

    /// The newest notice of `role`'s user about `order` whose content contains `text`.
    pub(super) async fn notice_about(
        &mut self,
        runner: &Runner,
        role: &str,
        order: &str,
        text: &str,
    ) -> Result<Option<Value>> {
        let data = self.notices(runner, role, 1).await?;
        Ok(data
            .get("content")
            .and_then(Value::as_array)
            .and_then(|rows| {
                rows.iter()
                    .find(|row| {
                        row.get("oid").and_then(Value::as_str) == Some(order)
                            && row
                                .get("content")
                                .and_then(Value::as_str)
                                .is_some_and(|content| content.contains(text))
                    })
                    .cloned()
            }))
    }

    async fn read_notice(&mut self, runner: &Runner, role: &str, notice: i64) -> Result<()> {
        let mut get = request("GET", "/notice");
        get.set_query("id", notice.to_string());
        self.call(runner, role, get).await.map(drop)
    }

    /// Reads every unread notice of `role`'s user, so that it has none.
    async fn mark_all_read(&mut self, runner: &Runner, role: &str) -> Result<()> {
        let mut page = 1;
        loop {
            let data = self.notices(runner, role, page).await?;
            let rows = data
                .get("content")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for row in &rows {
                if row.get("state") == Some(&json!(true))
                    && let Some(id) = row.get("id").and_then(Value::as_i64)
                {
                    self.read_notice(runner, role, id).await?;
                }
            }
            let pages = data.get("totalPages").and_then(Value::as_i64).unwrap_or(0);
            if rows.is_empty() || page >= pages {
                return Ok(());
            }
            page += 1;
        }
    }

    /// Uploads `bytes` as the signature of `order` (as its owner, the applicant).
    async fn upload(
        &mut self,
        runner: &Runner,
        order: &str,
        bytes: &[u8],
        name: &str,
        content_type: &str,
    ) -> Result<()> {
        let mut upload = request("POST", "/order/file");
        let mut files = Map::new();
        files.insert(
            "file".into(),
            json!({"fileName": name, "contentType": content_type}),
        );
        upload.body = Body::Multipart {
            fields: json!({
                "id": order,
                "file": base64::engine::general_purpose::STANDARD.encode(bytes),
            }),
            files,
        };
        self.call(runner, "applicant", upload).await?;
        self.signatures.insert(order.to_owned());
        Ok(())
    }

    /// The order-related part of a case's plan: the suite's other orders retired before a list,
    /// the fixture orders created and renamed, and what each case checks beyond its example.
    pub(super) async fn plan_orders(&mut self, runner: &Runner, p: &mut Prepared) -> Result<()> {
        let id = p.id.clone();
        let list = LISTS.iter().find(|(case, ..)| *case == id).copied();
        if let Some((_, scope, _)) = list
            && scope != Scope::Deleted
        {
            self.retire(runner).await?;
        }
        let mut notice_baseline = 0;
        match id.as_str() {
            "count_unread_notices/success" => self.mark_all_read(runner, "applicant").await?,
            "list_notices/success" => {
                notice_baseline = self
                    .notices(runner, "applicant", 1)
                    .await?
                    .get("totalElements")
                    .and_then(Value::as_i64)
                    .unwrap_or(0);
            }
            _ => {}
        }
        let mut orders: BTreeMap<Fixture, String> = BTreeMap::new();
        if let Some((_, scene)) = SCENES.iter().find(|(case, _)| *case == id) {
            let mut previous: Option<std::time::Instant> = None;
            for (fixture, stage) in *scene {
                // Lists sort by creation time to the second, then by id. The newer fixture is
                // created a second after the older one, so that it comes first whatever the ids:
                // on a deployment whose counter has passed 99 (`2026011xx` above `20260203`),
                // the ids alone would put the rows in another order than the example's.
                if let Some(created) = previous {
                    let gap = Duration::from_millis(1100);
                    if let Some(wait) = gap.checked_sub(created.elapsed()) {
                        tokio::time::sleep(wait).await;
                    }
                }
                let order = self.new_order(runner, *fixture, *stage).await?;
                previous = Some(std::time::Instant::now());
                p.rename_within(fixture.doc_id(), &order);
                orders.insert(*fixture, order);
            }
        }
        self.substitute_dates(p);
        let a = orders.get(&Fixture::A).cloned().unwrap_or_default();
        match id.as_str() {
            "create_order/submit" | "create_order/save_draft" => {
                let prefix = format!("{}01", self.today.get(..4).unwrap_or_default());
                p.expected.matcher("/data", Matcher::IdWithPrefix(prefix));
            }
            // The spec documents the sheet and the information row 编号：{id}.
            "export_order_excel/success" => Self::expect_file(
                p,
                super::ORDER_XLSX,
                RawBody::Workbook {
                    sheet: "设备采购申请单".into(),
                    containing: vec![format!("编号：{a}")],
                },
            ),
            "download_signature/success" | "download_signature/deptlead_downloads_jpeg" => {
                let (bytes, extension, content_type) = if id.ends_with("jpeg") {
                    (files::jpeg(), "jpg", "image/jpeg")
                } else {
                    (files::png(4, 3), "png", "image/png")
                };
                let name = format!("signature-{a}.{extension}");
                self.upload(
                    runner,
                    &a,
                    &bytes,
                    &format!("signature.{extension}"),
                    content_type,
                )
                .await?;
                Self::expect_file(p, &name, RawBody::Exact(bytes));
                p.expected.headers.push(HeaderRule::Contains(
                    "Content-Disposition".into(),
                    format!("filename=\"{name}\""),
                ));
            }
            "get_notice/success" | "get_notice/other_user" => {
                let notice = self
                    .notice_about(runner, "deptlead", &a, "提交了一份申请单")
                    .await?
                    .and_then(|row| row.get("id").and_then(Value::as_i64))
                    .ok_or_else(|| {
                        anyhow!("the department leader received no submission notice for {a}")
                    })?;
                p.request.set_query("id", notice.to_string());
                if id == "get_notice/success" {
                    p.expected.set("/data/id", json!(notice))?;
                }
            }
            "get_notice/unknown_notice" => {
                // 99999 unless the deployment has that many notices already.
                let newest = self
                    .notices(runner, "deptlead", 1)
                    .await?
                    .pointer("/content/0/id")
                    .and_then(Value::as_i64)
                    .unwrap_or(0);
                if newest >= 99_999 {
                    p.request.set_query("id", (newest + 1_000_000).to_string());
                }
            }
            "list_notices/success" => {
                let read = self
                    .notice_about(runner, "applicant", &a, "通过部门审核")
                    .await?
                    .and_then(|row| row.get("id").and_then(Value::as_i64))
                    .ok_or_else(|| anyhow!("the applicant received no approval notice for {a}"))?;
                self.read_notice(runner, "applicant", read).await?;
                let total = notice_baseline + 2;
                p.expected.set("/data/totalElements", json!(total))?;
                p.expected
                    .set("/data/totalPages", json!(page_count(total)))?;
                p.expected.matcher(
                    "/data/content",
                    Matcher::Prefix {
                        len: Some(usize::try_from(total.min(10))?),
                    },
                );
                p.expected.matcher("/data/content/0/id", Matcher::AnyId);
                p.expected.matcher("/data/content/1/id", Matcher::AnyId);
            }
            "admin_list_deleted_orders/success" => {
                // Most recently changed first, to the second: delete it a second after the
                // suite's previous deletion so that it is the newest.
                if let Some(last) = self.last_delete {
                    let gap = Duration::from_millis(1100);
                    if let Some(wait) = gap.checked_sub(last.elapsed()) {
                        tokio::time::sleep(wait).await;
                    }
                }
                self.delete_order(runner, &a).await?;
            }
            _ => {}
        }
        if let Some((case, scope, sort)) = list {
            let documented = p
                .expected
                .body
                .as_ref()
                .and_then(|body| body.pointer("/data/totalElements"))
                .and_then(Value::as_i64)
                .unwrap_or(0);
            let total = match scope {
                Scope::Own => documented,
                Scope::Shared => self.baselines.get(case).copied().unwrap_or(0) + documented,
                Scope::Deleted => self.baselines.get(case).copied().unwrap_or(0) + self.deleted,
            };
            expect_orders_page(p, total, sort)?;
        }
        date_matchers(p);
        Ok(())
    }
}

/// Expects the page of a list case that holds the fixture's rows, for `total` rows in all.
fn expect_orders_page(p: &mut Prepared, total: i64, sort: Sort) -> Result<()> {
    let rows = p
        .expected
        .body
        .as_ref()
        .and_then(|body| body.pointer("/data/content"))
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let requested: i64 = p
        .request
        .query_value("page")
        .and_then(|page| page.parse().ok())
        .unwrap_or(1);
    let pages = page_count(total);
    let page = if rows == 0 {
        // A page past the end stays past the end.
        requested.max(pages + 1)
    } else if sort == Sort::Oldest {
        let last = pages.max(1);
        p.expected.matcher(
            "/data/content",
            Matcher::Suffix {
                len: Some(usize::try_from(total - (last - 1) * 10)?),
            },
        );
        last
    } else {
        p.expected.matcher(
            "/data/content",
            Matcher::Prefix {
                len: Some(usize::try_from(total.min(10))?),
            },
        );
        1
    };
    p.request.set_query("page", page.to_string());
    p.expected.set("/data/totalElements", json!(total))?;
    p.expected.set("/data/totalPages", json!(pages))?;
    p.expected.set("/data/number", json!(page - 1))?;
    Ok(())
}

/// Dates the deployment sets (creation, update, submission, notice time) are matched as
/// `yyyy年MM月dd日` rather than compared.
fn date_matchers(p: &mut Prepared) {
    let Some(data) = p
        .expected
        .body
        .as_ref()
        .and_then(|body| body.get("data"))
        .cloned()
    else {
        return;
    };
    let mut objects = vec![("/data".to_owned(), data.clone())];
    if let Some(rows) = data.get("content").and_then(Value::as_array) {
        for (index, row) in rows.iter().enumerate() {
            objects.push((format!("/data/content/{index}"), row.clone()));
        }
    }
    for (base, object) in objects {
        if object.get("orderLists").is_some() {
            for key in ["applyDate", "createTime", "updateTime"] {
                if object.get(key).is_some_and(|value| !value.is_null()) {
                    p.expected
                        .matcher(&format!("{base}/{key}"), Matcher::CnDate);
                }
            }
        }
        if object.get("title").is_some() && object.get("time").is_some() {
            p.expected.matcher(&format!("{base}/time"), Matcher::CnDate);
        }
    }
}
