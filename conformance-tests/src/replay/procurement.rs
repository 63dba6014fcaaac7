//! The procurement API's case plans.
//!
//! The spec's examples assume a fixture of six users (ids 12345678910..15) and two orders
//! (20210104 of 张三 in 办公室, 20210201 of 李四 in 财务部). On a deployment the suite cannot use
//! those ids: it creates users of each role, in 办公室 and 财务部, with ids `18<tag><nn>` through
//! `admin_add_user` (users cannot be deleted through the API, so they stay and are listed as
//! left behind), and renames the fixture ids to its own in every request and expected body.
//!
//! Orders are created fresh for each case that needs one, through the API, and brought to the
//! state the case's precondition names (`orders.rs`: a table from case to fixture orders and
//! their stages); their ids replace 20210104 and 20210201 everywhere, line ids and notice texts
//! included. A list case first soft-deletes the suite's other live orders, so that the only rows
//! of the suite's own in the list are the case's fixture; rows that others created before the
//! run are counted at the start and added to the documented totals. At the end every order the
//! suite created is soft-deleted (the only removal the API offers).
//!
//! Tokens: every role keeps its current token; any answer that carries a refreshed
//! `Authorization` replaces it, and cases that end a session (logins, logouts, password and user
//! changes) mark the role for a fresh login before its next request.

use std::{
    collections::{BTreeMap, BTreeSet, HashSet},
    time::Instant,
};

use anyhow::{Context, Result, anyhow, bail};
use base64::Engine as _;
use serde_json::{Value, json};

use super::{Plan, Prepared, Runner};
use crate::{
    case::{Body, Request},
    check::{Actual, HeaderRule, Matcher, RawBody},
    report::Coverage,
    spec::Auth,
};

pub mod files;
mod orders;
mod readback;
mod scenarios;
pub mod state;

use files::import_workbook;

/// Documented examples the suite does not replay, with the reason. (None: the cases that need
/// something no API operation can produce, such as a disabled account or an expired token, are
/// skipped at run time unless it is given on the command line.)
pub const EXCLUSIONS: &[(&str, &str)] = &[];

/// The order the cases run in (see `replay/mgr.rs`). Cases that end sessions or change users
/// restore what they changed; the logouts come last.
pub const ORDER: &[&str] = &[
    "*/token_missing",
    "*/token_invalid",
    "*/forbidden",
    "*/instlead_forbidden",
    "*/deptlead_forbidden",
    "login/success",
    "login/success_form",
    "login/success_admin",
    "login/success_deptlead",
    "login/success_instlead",
    "login/wrong_password",
    "login/unknown_account",
    "login/blank_password",
    "login/account_disabled",
    "login/account_expired",
    "login/password_expired",
    "list_departments/success",
    "get_user_info/*",
    // Before any case creates users, so that on a fresh deployment the page is the document's.
    "admin_list_users/success",
    "admin_get_user/*",
    "admin_add_user/*",
    "admin_update_user/*",
    "admin_import_users/*",
    "admin_download_user_template/*",
    "change_password/*",
    "create_order/*",
    "get_order/*",
    "update_order/*",
    "recall_order/*",
    "list_orders/*",
    "export_order_excel/*",
    "upload_signature/*",
    "download_signature/*",
    "download_feasibility_report/*",
    "dept_search_orders/*",
    "dept_list_pending/*",
    "dept_approve/*",
    "dept_deny/*",
    "inst_search_orders/*",
    "inst_list_pending/*",
    "inst_approve/*",
    "inst_deny/*",
    "admin_delete_order/*",
    "delete_order/*",
    "admin_restore_order/*",
    "admin_list_deleted_orders/*",
    "count_unread_notices/*",
    "get_notice/*",
    "list_notices/*",
    "logout/missing_uid",
    "logout/other_user",
    "logout/not_logged_in",
    "logout/admin_forces_logout",
    "logout/success",
    "login/account_locked",
];

/// The fixture's users: id, username, role key, department, role name.
const FIXTURE: [(&str, &str, &str, &str, &str); 6] = [
    ("12345678910", "管理员", "admin", "办公室", "管理员"),
    ("12345678911", "张三", "applicant", "办公室", "普通用户"),
    ("12345678912", "院领导", "instlead", "办公室", "主管院领导"),
    ("12345678913", "李四", "applicant2", "财务部", "普通用户"),
    (
        "12345678914",
        "办公室领导",
        "deptlead",
        "办公室",
        "部门领导",
    ),
    (
        "12345678915",
        "财务部领导",
        "deptlead2",
        "财务部",
        "部门领导",
    ),
];

/// The scenarios beyond single examples, each with the case it follows (if any).
pub const SCENARIOS: &[(&str, Option<&str>)] = &[
    (
        "scenario/password_change_ends_the_session",
        Some("change_password/success"),
    ),
    ("scenario/approval_workflow_sends_each_notice", None),
    ("scenario/deny_and_resubmit_loop", None),
    ("scenario/recall_then_resubmit", None),
    ("scenario/delete_and_restore", None),
    (
        "scenario/refused_transitions_leave_the_order_unchanged",
        None,
    ),
    ("scenario/token_refresh", None),
];

/// A password of the suite's own: random for each user and run, never printed. It has 24
/// letters and digits (the API takes 6 to 64 characters).
fn random_password() -> String {
    use rand::{Rng as _, distr::Alphanumeric};
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(24)
        .map(char::from)
        .collect()
}

/// The user id the examples use for "no such user".
const ABSENT_USER: &str = "19999999999";

/// Percent-encoded (RFC 5987) names of the files the downloads must announce.
const ORDER_XLSX: &str = "%E7%94%B3%E8%AF%B7%E5%8D%95.xlsx"; // 申请单.xlsx
const TEMPLATE_XLSX: &str = "%E7%94%A8%E6%88%B7%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"; // 用户导入模板.xlsx
const REPORT_DOCX: &str = "%E5%8F%AF%E8%A1%8C%E6%80%A7%E6%8A%A5%E5%91%8A.docx"; // 可行性报告.docx

pub(super) struct Procurement {
    /// Fixture id → the id of the user the suite uses in its place.
    ids: BTreeMap<&'static str, String>,
    /// Role key → current token (`Bearer ...`), replaced whenever an answer refreshes it.
    tokens: BTreeMap<String, String>,
    /// Roles whose token a case ended: they log in again before their next request.
    stale: BTreeSet<String>,
    admin: crate::Credentials,
    /// Users the suite created in this run (none can be deleted).
    created_users: Vec<String>,
    /// The password of every user the suite plays, by user id (the admin's is given).
    passwords: BTreeMap<String, String>,
    /// The users kept in the state file (`--state`), loaded at the start.
    kept: state::State,
    /// Every order the suite created.
    created_orders: BTreeSet<String>,
    /// The orders the suite uploaded a signature for.
    signatures: BTreeSet<String>,
    /// Every user the admin's list shows (`ResultUser` rows by id): those found at the start
    /// and those the suite created since.
    users: BTreeMap<String, Value>,
    next_user: u32,
    /// The suite's orders that are not deleted.
    live: Vec<String>,
    /// How many of the suite's orders are deleted now.
    deleted: i64,
    /// When the suite last deleted an order (for "most recently changed first").
    last_delete: Option<Instant>,
    /// Rows of others that a shared list case counts, measured at the start, by case id.
    baselines: BTreeMap<String, i64>,
    /// The deployment's current day, `yyyy-MM-dd`, learned from an order it created.
    today: String,
    /// The role whose token the case being run carries.
    sent_as: Option<String>,
    /// A user a case is about to create, `(id, ResultUser row)`, recorded if it succeeds.
    pending_user: Option<(String, Value)>,
}

pub(super) fn request(method: &str, path: &str) -> Request {
    Request {
        method: method.to_owned(),
        path: path.to_owned(),
        path_params: Vec::new(),
        query: Vec::new(),
        headers: Vec::new(),
        body: Body::None,
    }
}

fn jwt_claims(bearer: &str) -> Option<Value> {
    let jwt = bearer.strip_prefix("Bearer ").unwrap_or(bearer);
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Seconds between `iat` and `exp` of a `Bearer <jwt>`, and seconds left before `exp`.
pub fn token_times(bearer: &str) -> Option<(i64, i64)> {
    let claims = jwt_claims(bearer)?;
    let iat = claims.get("iat")?.as_i64()?;
    let exp = claims.get("exp")?.as_i64()?;
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_secs(),
    )
    .ok()?;
    Some((exp - iat, exp - now))
}

fn code_of(body: &Value) -> Option<i64> {
    body.get("code").and_then(Value::as_i64)
}

fn user_row(id: &str, name: &str, department: &str, role: &str) -> Value {
    json!({"id": id, "username": name, "password": null, "department": department, "role": role})
}

impl Procurement {
    async fn login(runner: &Runner, user: &str, password: &str) -> Result<(String, Value)> {
        let mut login = request("POST", "/user/login");
        login.body = Body::Json(json!({"username": user, "password": password}));
        let actual = runner.send(&login).await?;
        let body = actual.json().unwrap_or(Value::Null);
        if code_of(&body) != Some(1) {
            bail!("login as {user} was refused: HTTP {} {body}", actual.status);
        }
        let token = actual
            .header("authorization")
            .ok_or_else(|| anyhow!("login as {user} answered no Authorization header"))?;
        Ok((token.to_owned(), body))
    }

    /// The user id and password of a role key.
    fn credentials_of(&self, role: &str) -> Result<(String, String)> {
        if role == "admin" {
            return Ok((self.admin.user.clone(), self.admin.password.clone()));
        }
        let (fixture, ..) = FIXTURE
            .iter()
            .find(|(_, _, key, _, _)| *key == role)
            .ok_or_else(|| anyhow!("no user plays role {role}"))?;
        let id = self
            .ids
            .get(fixture)
            .ok_or_else(|| anyhow!("the user of role {role} was not created"))?;
        Ok((id.clone(), self.password_of(id)))
    }

    /// The password of a user the suite plays (empty for one it does not know).
    fn password_of(&self, user: &str) -> String {
        if user == self.admin.user {
            return self.admin.password.clone();
        }
        self.passwords.get(user).cloned().unwrap_or_default()
    }

    /// Marks `order` as one of the suite's live orders.
    fn keep_live(&mut self, order: String) {
        self.created_orders.insert(order.clone());
        if !self.live.contains(&order) {
            self.live.push(order);
        }
    }

    fn id_of(&self, fixture: &str) -> String {
        self.ids
            .get(fixture)
            .cloned()
            .unwrap_or_else(|| fixture.to_owned())
    }

    /// The current token of `role`, logging it in first if it has none or a case ended it.
    async fn token(&mut self, runner: &Runner, role: &str) -> Result<String> {
        if self.stale.contains(role) || !self.tokens.contains_key(role) {
            let (user, password) = self.credentials_of(role)?;
            let (token, _) = Self::login(runner, &user, &password).await?;
            self.tokens.insert(role.to_owned(), token);
            self.stale.remove(role);
        }
        Ok(self.tokens[role].clone())
    }

    /// Adopts a refreshed token.
    fn adopt(&mut self, role: &str, actual: &Actual) {
        if let Some(token) = actual.header("authorization")
            && token.starts_with("Bearer ")
        {
            self.tokens.insert(role.to_owned(), token.to_owned());
        }
    }

    /// Sends `request` with the token of `role`, adopts a refreshed token, answers the response
    /// and the request as a `curl` command.
    async fn send_as(
        &mut self,
        runner: &Runner,
        role: &str,
        mut request: Request,
    ) -> Result<(Actual, String)> {
        let token = self.token(runner, role).await?;
        request.set_header("Authorization", token);
        let curl = request.curl(&runner.options.base_url);
        let actual = runner.send(&request).await?;
        self.adopt(role, &actual);
        Ok((actual, curl))
    }

    /// Sends a helper request as `role`; its answer must be code 1. Answers the body.
    async fn call(&mut self, runner: &Runner, role: &str, request: Request) -> Result<Value> {
        let what = format!("{} {}", request.method, request.rendered_path());
        let (actual, _) = self.send_as(runner, role, request).await?;
        let body = actual
            .json()
            .ok_or_else(|| anyhow!("{what}: the answer is not JSON (HTTP {})", actual.status))?;
        if code_of(&body) != Some(1) {
            bail!("{what} as {role} was refused: {body}");
        }
        Ok(body)
    }

    /// A user id no user has: `18`, the run's tag, a counter.
    fn new_user_id(&mut self, runner: &Runner) -> String {
        let tag = u64::from_str_radix(&runner.tag, 16).unwrap_or(0) % 10_000_000;
        loop {
            self.next_user += 1;
            let id = format!("18{tag:07}{:02}", self.next_user);
            if !self.users.contains_key(&id) {
                return id;
            }
        }
    }

    /// Creates a user with a random password (registered as a secret, never printed).
    async fn add_user(
        &mut self,
        runner: &mut Runner,
        name: &str,
        department: &str,
        role: &str,
    ) -> Result<String> {
        let id = self.new_user_id(runner);
        let password = random_password();
        runner.secrets.password(&password);
        let mut add = request("POST", "/admin/user");
        add.body = Body::Json(json!({
            "id": id, "username": name, "password": password, "department": department, "role": role
        }));
        self.call(runner, "admin", add).await?;
        self.passwords.insert(id.clone(), password);
        self.record_user(&id, user_row(&id, name, department, role));
        Ok(id)
    }

    /// Puts a user of the fixture kept in the state file back as the fixture has it (name,
    /// department, role, its password); false when the deployment no longer knows it.
    async fn reuse_user(
        &mut self,
        runner: &mut Runner,
        kept: &state::KeptUser,
        fixture: &(&str, &str, &str, &str, &str),
    ) -> bool {
        let (_, name, _, department, role) = fixture;
        runner.secrets.password(&kept.password);
        let mut update = request("PUT", "/admin/user");
        update.body = Body::Json(json!({
            "id": kept.id, "username": name, "password": kept.password,
            "department": department, "role": role
        }));
        if self.call(runner, "admin", update).await.is_err() {
            return false;
        }
        self.passwords
            .insert(kept.id.clone(), kept.password.clone());
        self.users
            .insert(kept.id.clone(), user_row(&kept.id, name, department, role));
        true
    }

    fn record_user(&mut self, id: &str, row: Value) {
        self.created_users.push(id.to_owned());
        self.users.insert(id.to_owned(), row);
    }

    /// Every user the admin's list shows, page by page.
    async fn list_all_users(&mut self, runner: &Runner) -> Result<BTreeMap<String, Value>> {
        let mut users = BTreeMap::new();
        let mut page = 1;
        loop {
            let mut list = request("GET", "/admin/user/users");
            list.set_query("page", page.to_string());
            let body = self.call(runner, "admin", list).await?;
            let rows = body
                .pointer("/data/content")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for row in &rows {
                if let Some(id) = row.get("id").and_then(Value::as_str) {
                    users.insert(id.to_owned(), row.clone());
                }
            }
            let pages = body
                .pointer("/data/totalPages")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            if rows.is_empty() || page >= pages {
                return Ok(users);
            }
            page += 1;
        }
    }

    /// Logs the admin in; nothing is created yet.
    async fn new(runner: &mut Runner) -> Result<Procurement> {
        let admin = runner
            .options
            .procurement_admin
            .clone()
            .ok_or_else(|| anyhow!("no --procurement-admin UID:PASS was given"))?;
        let kept = match &runner.options.state_file {
            Some(file) => state::State::load(file, &runner.options.base_url)?,
            None => state::State::default(),
        };
        let (token, _) = Self::login(runner, &admin.user, &admin.password).await?;
        Ok(Procurement {
            ids: BTreeMap::new(),
            tokens: BTreeMap::from([("admin".to_owned(), token)]),
            stale: BTreeSet::new(),
            admin: admin.clone(),
            created_users: Vec::new(),
            passwords: BTreeMap::new(),
            kept,
            created_orders: BTreeSet::new(),
            signatures: BTreeSet::new(),
            users: BTreeMap::new(),
            next_user: 0,
            live: Vec::new(),
            deleted: 0,
            last_delete: None,
            baselines: BTreeMap::new(),
            today: String::new(),
            sent_as: None,
            pending_user: None,
        })
    }

    /// Provides the fixture users in `needed` (reused from the state file, or created), and
    /// when orders are involved learns the deployment's day and counts the orders of others.
    async fn setup(
        &mut self,
        runner: &mut Runner,
        needed: &BTreeSet<&'static str>,
        orders: bool,
    ) -> Result<()> {
        self.users = self
            .list_all_users(runner)
            .await
            .context("listing the users the deployment holds")?;
        self.ids.insert(FIXTURE[0].0, self.admin.user.clone());
        for fixture in &FIXTURE[1..] {
            let (fixture_id, name, _, department, role_name) = fixture;
            if !needed.contains(fixture_id) {
                continue;
            }
            if let Some(kept) = self.kept.users.get(*fixture_id).cloned()
                && self.reuse_user(runner, &kept, fixture).await
            {
                self.ids.insert(fixture_id, kept.id);
                continue;
            }
            let id = self
                .add_user(runner, name, department, role_name)
                .await
                .context("creating the fixture's users")?;
            self.ids.insert(fixture_id, id);
        }
        if orders {
            self.measure_baselines(runner)
                .await
                .context("learning the deployment's day and counting the orders of others")?;
        }
        Ok(())
    }

    /// Renames the fixture's user ids to the suite's users everywhere in the case.
    fn rename_fixture(&self, p: &mut Prepared) {
        for (fixture, real) in &self.ids {
            p.rename(fixture, real);
            for (_, value) in p
                .request
                .query
                .iter_mut()
                .chain(p.request.path_params.iter_mut())
            {
                if value == fixture {
                    value.clone_from(real);
                }
            }
        }
    }

    /// A user id that no user has (the examples' 19999999999, unless the deployment has it).
    fn absent_user(&self) -> String {
        let mut candidate: u64 = ABSENT_USER.parse().unwrap_or(19_999_999_999);
        while self.users.contains_key(&candidate.to_string()) {
            candidate -= 1;
        }
        candidate.to_string()
    }

    fn replace_absent_user(&self, p: &mut Prepared) {
        let absent = self.absent_user();
        if absent != ABSENT_USER {
            p.rename(ABSENT_USER, &absent);
            for (_, value) in &mut p.request.query {
                if value == ABSENT_USER {
                    value.clone_from(&absent);
                }
            }
        }
    }

    /// Expects a download: its content type (from the spec), `Content-Disposition` naming the
    /// file, and bytes as `raw`.
    fn expect_file(p: &mut Prepared, file_name: &str, raw: RawBody) {
        p.expected.headers.push(HeaderRule::Contains(
            "Content-Disposition".into(),
            "attachment".into(),
        ));
        p.expected.headers.push(HeaderRule::Contains(
            "Content-Disposition".into(),
            format!("filename*=UTF-8''{file_name}"),
        ));
        p.expected.raw_body = Some(raw);
    }

    async fn plan(&mut self, runner: &mut Runner, p: &mut Prepared) -> Result<Plan> {
        self.rename_fixture(p);
        self.sent_as = None;
        self.pending_user = None;
        let id = p.id.clone();
        let role = p.role.clone().unwrap_or_else(|| "admin".to_owned());
        if p.auth == Auth::Expired {
            let Some(token) = runner.options.procurement_expired_token.clone() else {
                return Ok(Plan::Skip(
                    "needs a well-signed token past its expiry, which no operation issues; pass \
                     --procurement-expired-token 'Bearer <jwt>' to run it"
                        .to_owned(),
                ));
            };
            p.request.set_header("Authorization", token);
        }
        self.plan_orders(runner, p).await?;
        match id.as_str() {
            "login/success" | "login/success_form" => {
                let password = self.password_of(&body_user(p));
                p.body("/password", json!(password))?;
                p.expected.headers.push(HeaderRule::StartsWith(
                    "Authorization".into(),
                    "Bearer ".into(),
                ));
                p.expected.headers.push(HeaderRule::Contains(
                    "Access-Control-Expose-Headers".into(),
                    "Authorization".into(),
                ));
            }
            "login/success_admin" => {
                p.body("/username", json!(self.admin.user))?;
                p.body("/password", json!(self.admin.password))?;
                p.expected
                    .matcher("/data/loginName", Matcher::NonEmptyString);
                p.expected.headers.push(HeaderRule::StartsWith(
                    "Authorization".into(),
                    "Bearer ".into(),
                ));
            }
            "login/success_deptlead" | "login/success_instlead" => {
                let password = self.password_of(&body_user(p));
                p.body("/password", json!(password))?;
                p.expected.headers.push(HeaderRule::StartsWith(
                    "Authorization".into(),
                    "Bearer ".into(),
                ));
            }
            "login/account_disabled" | "login/account_expired" | "login/password_expired" => {
                let (given, flag) = match id.as_str() {
                    "login/account_disabled" => (
                        &runner.options.procurement_disabled,
                        "--procurement-disabled",
                    ),
                    "login/account_expired" => {
                        (&runner.options.procurement_expired, "--procurement-expired")
                    }
                    _ => (
                        &runner.options.procurement_password_expired,
                        "--procurement-password-expired",
                    ),
                };
                let Some(account) = given else {
                    return Ok(Plan::Skip(format!(
                        "needs an account no procurement operation can create; pass {flag} UID:PASS to run it"
                    )));
                };
                p.body("/username", json!(account.user))?;
                p.body("/password", json!(account.password))?;
            }
            "login/account_locked" => {
                // A throwaway user, locked by five wrong passwords (it stays locked 15 minutes).
                let user = self
                    .add_user(runner, "锁定测试", "办公室", "普通用户")
                    .await?;
                for _ in 0..5 {
                    let mut wrong = request("POST", "/user/login");
                    wrong.body =
                        Body::Json(json!({"username": user, "password": "wrong-password"}));
                    runner.send(&wrong).await?;
                }
                p.body("/password", json!(self.password_of(&user)))?;
                p.body("/username", json!(user))?;
            }
            "get_user_info/account_offline" => {
                let Some(token) = runner.options.procurement_offline_token.clone() else {
                    return Ok(Plan::Skip(
                        "needs the live token of an account disabled after it logged in, and no \
                         operation disables an account; pass --procurement-offline-token \
                         'Bearer <jwt>' to run it"
                            .to_owned(),
                    ));
                };
                // The account reads its own data, as 12345678911 does in the example.
                if let Some(user) = jwt_claims(&token)
                    .and_then(|claims| claims.get("sub").and_then(Value::as_str).map(str::to_owned))
                {
                    p.request.set_query("id", user);
                }
                p.request.set_header("Authorization", token);
                return Ok(Plan::Send);
            }
            "get_user_info/unknown_user"
            | "admin_get_user/unknown_user"
            | "admin_update_user/unknown_user" => self.replace_absent_user(p),
            "admin_list_users/success" => self.expect_users_page(p)?,
            "admin_add_user/success" => {
                let new = self.new_user_id(runner);
                p.body("/id", json!(new))?;
                self.pending_user =
                    Some((new.clone(), user_row(&new, "王五", "办公室", "普通用户")));
            }
            "admin_add_user/unknown_department" => {
                let new = self.new_user_id(runner);
                p.body("/id", json!(new))?;
            }
            "admin_import_users/mixed_rows" => {
                let new = self.new_user_id(runner);
                let applicant = self.id_of("12345678911");
                let spare: Vec<String> = (0..4).map(|_| self.new_user_id(runner)).collect();
                let workbook = import_workbook(&[
                    [Some(&new), Some("王五"), Some("普通用户"), Some("办公室")],
                    [
                        Some(&applicant),
                        Some("张三"),
                        Some("普通用户"),
                        Some("办公室"),
                    ],
                    [None, Some("赵六"), Some("普通用户"), Some("财务部")],
                    [Some("1234"), Some("钱七"), Some("普通用户"), Some("财务部")],
                    [Some(&spare[0]), None, Some("普通用户"), Some("财务部")],
                    [Some(&spare[1]), Some("孙八"), Some("普通用户"), None],
                    [
                        Some(&spare[2]),
                        Some("周九"),
                        Some("普通用户"),
                        Some("后勤部"),
                    ],
                    [Some(&spare[3]), Some("吴十"), Some("院长"), Some("办公室")],
                ])?;
                p.body(
                    "/file",
                    json!(base64::engine::general_purpose::STANDARD.encode(workbook)),
                )?;
                self.pending_user =
                    Some((new.clone(), user_row(&new, "王五", "办公室", "普通用户")));
            }
            "admin_download_user_template/success" => {
                // The spec documents sheet 模板 and its four headers.
                Self::expect_file(
                    p,
                    TEMPLATE_XLSX,
                    RawBody::Workbook {
                        sheet: "模板".into(),
                        containing: ["用户id", "用户名", "角色", "部门名称"]
                            .map(str::to_owned)
                            .to_vec(),
                    },
                );
            }
            "change_password/success" => {
                let password = self.password_of(&self.id_of("12345678911"));
                p.body("/oldPassword", json!(password))?;
            }
            "download_feasibility_report/success" => {
                Self::expect_file(
                    p,
                    REPORT_DOCX,
                    RawBody::StartsWith(files::ZIP_SIGNATURE.to_vec(), "a .docx file"),
                );
            }
            "logout/admin_forces_logout" => {
                // The applicant must have a live token for the admin to end.
                self.token(runner, "applicant").await?;
            }
            "logout/not_logged_in" => {
                // 李四 has a live token since setup: log it out first.
                let user = self.id_of("12345678913");
                let mut logout = request("GET", "/user/logout");
                logout.set_query("uid", user);
                self.call(runner, "applicant2", logout).await?;
                self.stale.insert("applicant2".into());
            }
            _ => {}
        }
        match p.auth {
            Auth::None | Auth::Public | Auth::Expired => {}
            Auth::Malformed => p.request.set_header("Authorization", "Bearer not-a-jwt"),
            Auth::Valid => {
                let token = self.token(runner, &role).await?;
                p.request.set_header("Authorization", token);
                self.sent_as = Some(role);
            }
            Auth::Replaced => {
                // Log the applicant in twice: the first token is superseded by the second.
                let (user, password) = self.credentials_of("applicant")?;
                let (old, _) = Self::login(runner, &user, &password).await?;
                let (new, _) = Self::login(runner, &user, &password).await?;
                self.tokens.insert("applicant".into(), new);
                self.stale.remove("applicant");
                p.request.set_header("Authorization", old);
            }
        }
        Ok(Plan::Send)
    }

    /// The page of the admin's user list that holds the fixture's users: computed from the
    /// users found at the start and those the suite created since (by id ascending, the caller
    /// left out, 10 per page).
    fn expect_users_page(&self, p: &mut Prepared) -> Result<()> {
        let first = self.id_of("12345678911");
        let others: Vec<&Value> = self
            .users
            .iter()
            .filter(|(id, _)| **id != self.admin.user)
            .map(|(_, row)| row)
            .collect();
        let total = i64::try_from(others.len())?;
        let index = self
            .users
            .keys()
            .filter(|id| **id != self.admin.user)
            .position(|id| *id == first)
            .ok_or_else(|| anyhow!("the applicant {first} is not among the known users"))?;
        let page = index / 10 + 1;
        // The fixture's users as the example documents them (renamed); the others as listed
        // at the start or as the suite created them.
        let documented: Vec<Value> = p
            .expected
            .body
            .as_ref()
            .and_then(|body| body.pointer("/data/content"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let rows: Vec<Value> = others
            .iter()
            .skip((page - 1) * 10)
            .take(10)
            .map(|row| {
                documented
                    .iter()
                    .find(|doc| doc.get("id") == row.get("id"))
                    .unwrap_or(row)
                    .clone()
            })
            .collect();
        p.request.set_query("page", page.to_string());
        p.expected.set("/data/content", Value::Array(rows))?;
        p.expected.set("/data/totalElements", json!(total))?;
        p.expected
            .set("/data/totalPages", json!((total + 9) / 10))?;
        p.expected
            .set("/data/number", json!(i64::try_from(page)? - 1))?;
        Ok(())
    }

    /// Puts back the applicant as the fixture has it (department 办公室, the suite's password)
    /// after a case changed it; the change ended its session.
    async fn restore_applicant(&mut self, runner: &mut Runner) {
        let id = self.id_of("12345678911");
        let password = self.password_of(&id);
        let mut update = request("PUT", "/admin/user");
        update.body = Body::Json(json!({
            "id": id, "username": "张三", "password": password, "department": "办公室", "role": "普通用户"
        }));
        if let Err(error) = self.call(runner, "admin", update).await {
            runner.left_behind.push(format!(
                "procurement: could not restore the applicant {id}: {error:#}"
            ));
        }
        self.stale.insert("applicant".into());
    }

    /// Bookkeeping after a case ran: the token it refreshed or ended, what it created, deleted
    /// or changed, and the checks that follow from it.
    async fn after(&mut self, runner: &mut Runner, id: &str, request: &Request, actual: &Actual) {
        if let Some(role) = self.sent_as.take() {
            self.adopt(&role, actual);
        }
        let body = actual.json().unwrap_or(Value::Null);
        let ok = code_of(&body) == Some(1);
        if ok && readback::READ_BACK.contains(&id) {
            let problems = self.read_back(runner, id, request, &body).await;
            runner.read_back(id, problems);
        }
        let path_id = request
            .path_params
            .iter()
            .find(|(name, _)| name == "id")
            .map(|(_, value)| value.clone());
        match id {
            "login/success" | "login/success_form" | "logout/success" => {
                self.stale.insert("applicant".into());
            }
            "logout/admin_forces_logout" => {
                self.stale.insert("applicant".into());
            }
            "login/success_admin" => {
                self.stale.insert("admin".into());
            }
            "login/success_deptlead" => {
                self.stale.insert("deptlead".into());
            }
            "login/success_instlead" => {
                self.stale.insert("instlead".into());
            }
            "create_order/submit" | "create_order/save_draft" if ok => {
                if let Some(order) = body.get("data").and_then(Value::as_str) {
                    self.keep_live(order.to_owned());
                }
            }
            "admin_delete_order/success" | "delete_order/success" if ok => {
                if let Some(order) = path_id {
                    self.live.retain(|live| *live != order);
                    self.deleted += 1;
                    self.last_delete = Some(Instant::now());
                }
            }
            "admin_restore_order/success" if ok => {
                if let Some(order) = path_id {
                    self.keep_live(order);
                    self.deleted -= 1;
                }
            }
            "admin_add_user/success" | "admin_import_users/mixed_rows" if ok => {
                if let Some((new, row)) = self.pending_user.take() {
                    self.record_user(&new, row);
                }
            }
            "upload_signature/success" if ok => {
                if let Some(Value::String(order)) = request.body_value().and_then(|b| b.get("id")) {
                    self.signatures.insert(order.clone());
                }
            }
            "admin_update_user/success" | "admin_update_user/reset_password" => {
                self.restore_applicant(runner).await;
            }
            "change_password/success" => {
                if ok {
                    self.password_change_ends_the_session(runner, request).await;
                }
                self.restore_applicant(runner).await;
            }
            _ => {}
        }
    }

    /// After a password change, the token of the request that changed it answers 2 token失效.
    async fn password_change_ends_the_session(&mut self, runner: &mut Runner, changed: &Request) {
        let scenario = "scenario/password_change_ends_the_session";
        if !runner.selected(scenario) {
            return;
        }
        let Some((_, token)) = changed
            .headers
            .iter()
            .find(|(name, _)| name == "Authorization")
        else {
            return;
        };
        let mut info = request("GET", "/user/info");
        info.set_query("id", self.id_of("12345678911"));
        info.set_header("Authorization", token.clone());
        let curl = info.curl(&runner.options.base_url);
        let problems = match runner.send(&info).await {
            Err(error) => vec![format!("request failed: {error:#}")],
            Ok(actual) => {
                let body = actual.json().unwrap_or(Value::Null);
                if code_of(&body) == Some(2) {
                    Vec::new()
                } else {
                    vec![format!(
                        "the token used to change the password: expected code 2 token失效 afterwards, got {body}"
                    )]
                }
            }
        };
        runner.scenario(scenario, problems, Some(curl));
    }

    /// Removes what can be removed and lists the rest: live orders are soft-deleted, users the
    /// run created get a random password nobody knows (unless kept in the state file), and every
    /// kind of leftover is named under "Left on the deployment".
    async fn cleanup(&mut self, runner: &mut Runner) {
        for order in std::mem::take(&mut self.live) {
            if let Err(error) = self.delete_order(runner, &order).await {
                runner.left_behind.push(format!(
                    "procurement: could not delete order {order}: {error:#}"
                ));
            }
        }
        self.count_notices(runner).await;
        if !self.signatures.is_empty() {
            runner.left_behind.push(format!(
                "procurement: signatures uploaded for orders {} (no operation deletes a signature)",
                self.signatures
                    .iter()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if !self.created_orders.is_empty() {
            runner.left_behind.push(format!(
                "procurement: {} soft-deleted orders {} (no operation removes an order for good; \
                 admin_list_deleted_orders shows them)",
                self.created_orders.len(),
                self.created_orders
                    .iter()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        self.keep_or_scramble(runner).await;
    }

    /// Counts the notices the users the suite played received (no operation deletes one).
    async fn count_notices(&mut self, runner: &mut Runner) {
        let mut lines = Vec::new();
        let roles: Vec<&str> = FIXTURE[1..]
            .iter()
            .filter(|(fixture, ..)| self.ids.contains_key(fixture))
            .map(|(_, _, role, ..)| *role)
            .collect();
        for role in roles {
            let Ok((uid, _)) = self.credentials_of(role) else {
                continue;
            };
            let mut list = request("GET", "/notice/notices");
            list.set_query("uid", uid.as_str());
            list.set_query("page", "1");
            match self.call(runner, role, list).await {
                Ok(body) => {
                    let total = body
                        .pointer("/data/totalElements")
                        .and_then(Value::as_i64)
                        .unwrap_or(0);
                    if total > 0 {
                        lines.push(format!("{total} of {uid}"));
                    }
                }
                Err(error) => {
                    lines.push(format!("those of {uid} could not be counted ({error:#})"))
                }
            }
        }
        if !lines.is_empty() {
            runner.left_behind.push(format!(
                "procurement: notices: {} (no operation deletes a notice)",
                lines.join(", ")
            ));
        }
    }

    /// Users of the fixture are written to the state file when one is given; every other user
    /// the run created gets a random password that is recorded nowhere, so that the accounts
    /// left behind cannot be used by anyone.
    async fn keep_or_scramble(&mut self, runner: &mut Runner) {
        let mut kept = Vec::new();
        if let Some(file) = runner.options.state_file.clone() {
            let mut state = self.kept.clone();
            state.base_url.clone_from(&runner.options.base_url);
            for (fixture, id) in &self.ids {
                if *id == self.admin.user {
                    continue;
                }
                let password = self.password_of(id);
                state.users.insert(
                    (*fixture).to_owned(),
                    state::KeptUser {
                        id: id.clone(),
                        password,
                    },
                );
                kept.push(id.clone());
            }
            match state.save(&file) {
                Ok(()) => runner.left_behind.push(format!(
                    "procurement: users {} kept for later runs in the state file {}",
                    kept.join(", "),
                    file.display()
                )),
                Err(error) => {
                    runner.left_behind.push(format!("procurement: {error:#}"));
                    kept.clear();
                }
            }
        }
        let mut scrambled = Vec::new();
        let mut failed = Vec::new();
        for id in self.created_users.clone() {
            if kept.contains(&id) {
                continue;
            }
            let row = self.users.get(&id).cloned().unwrap_or(Value::Null);
            let mut update = request("PUT", "/admin/user");
            update.body = Body::Json(json!({
                "id": id,
                "username": row.get("username").cloned().unwrap_or(Value::Null),
                "password": random_password(),
                "department": row.get("department").cloned().unwrap_or(Value::Null),
                "role": row.get("role").cloned().unwrap_or(Value::Null),
            }));
            match self.call(runner, "admin", update).await {
                Ok(_) => scrambled.push(id),
                Err(error) => failed.push(format!("{id} ({error:#})")),
            }
        }
        if !scrambled.is_empty() {
            runner.left_behind.push(format!(
                "procurement: users {} created by this run, their passwords replaced by random \
                 ones recorded nowhere (no operation deletes a user)",
                scrambled.join(", ")
            ));
        }
        if !failed.is_empty() {
            runner.left_behind.push(format!(
                "procurement: users whose password could not be replaced: {}",
                failed.join(", ")
            ));
        }
    }
}

/// The user id a login case's body names.
fn body_user(p: &Prepared) -> String {
    p.request
        .body_value()
        .and_then(|body| body.get("username"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// Users a case's plan uses beyond those its examples name (see `plan`).
const PLAN_USERS: &[(&str, &[&str])] = &[
    ("admin_import_users/mixed_rows", &["12345678911"]),
    ("admin_update_user/*", &["12345678911"]),
    ("change_password/*", &["12345678911"]),
    ("logout/admin_forces_logout", &["12345678911"]),
    ("logout/not_logged_in", &["12345678913"]),
];

/// The selected cases, in run order.
fn selected_cases(runner: &Runner) -> Vec<String> {
    let mut seen = HashSet::new();
    ORDER
        .iter()
        .flat_map(|pattern| runner.expand(pattern))
        .filter(|id| seen.insert(id.clone()))
        .filter(|id| runner.selected(id))
        .collect()
}

/// The selected scenarios (those that follow a case only when it is selected too).
fn selected_scenarios(runner: &Runner, cases: &[String]) -> Vec<String> {
    SCENARIOS
        .iter()
        .filter(|(id, after)| {
            runner.selected(id) && after.is_none_or(|after| cases.iter().any(|c| c == after))
        })
        .map(|(id, _)| (*id).to_owned())
        .collect()
}

/// Everything a run replays: the selected cases, then the scenarios.
pub fn planned(runner: &Runner) -> Vec<String> {
    let mut ids = selected_cases(runner);
    let scenarios = selected_scenarios(runner, &ids);
    ids.extend(scenarios);
    ids
}

/// The fixture users the selected cases need (by fixture id), and whether they need orders.
/// A case needs the users its examples name, the user of its role, the owners and leaders of
/// its fixture orders; a scenario needs them all.
fn needed_users(
    runner: &Runner,
    cases: &[String],
    scenarios: bool,
) -> (BTreeSet<&'static str>, bool) {
    let mut needed = BTreeSet::new();
    let mut orders = scenarios;
    let fixture_of_role = |role: &str| {
        FIXTURE
            .iter()
            .find(|(_, _, key, ..)| *key == role)
            .map(|(fixture, ..)| *fixture)
    };
    for id in cases {
        let Ok(p) = runner.prepare(id) else { continue };
        let text = format!(
            "{:?} {}",
            p.request,
            p.expected
                .body
                .as_ref()
                .map(Value::to_string)
                .unwrap_or_default()
        );
        for (fixture, ..) in &FIXTURE[1..] {
            if text.contains(fixture) {
                needed.insert(*fixture);
            }
        }
        if let Some(fixture) = p.role.as_deref().and_then(fixture_of_role) {
            needed.insert(fixture);
        }
        if p.auth == Auth::Replaced {
            needed.insert("12345678911");
        }
        // Cases whose plan uses a user its examples need not name.
        for (pattern, users) in PLAN_USERS {
            if crate::select::glob_matches(pattern, id) {
                needed.extend(users.iter().copied());
            }
        }
        if let Some((_, scene)) = orders::SCENES.iter().find(|(case, _)| case == id) {
            orders = true;
            for (order, stage) in *scene {
                for role in order.roles_for(*stage) {
                    if let Some(fixture) = fixture_of_role(role) {
                        needed.insert(fixture);
                    }
                }
            }
        }
        if orders::LISTS.iter().any(|(case, ..)| case == id) {
            orders = true;
        }
    }
    if scenarios {
        needed.extend(FIXTURE[1..].iter().map(|(fixture, ..)| *fixture));
    }
    if orders {
        // The deployment's day is learned from a draft of the applicant's.
        needed.insert("12345678911");
    }
    (needed, orders)
}

/// Replays every selected procurement case and answers the coverage.
pub async fn run(runner: &mut Runner) -> Coverage {
    let ids = selected_cases(runner);
    let scenarios = selected_scenarios(runner, &ids);
    if ids.is_empty() && scenarios.is_empty() {
        // Nothing of this API is selected: not even a login is sent.
        return runner.coverage(EXCLUSIONS);
    }
    if let Some(reason) = runner.stop_reason() {
        // Interrupted (or out of time) before this API started: nothing is created.
        for id in ids {
            runner.skip(&id, reason);
        }
        return runner.coverage(EXCLUSIONS);
    }
    let mut state = match Procurement::new(runner).await {
        Ok(state) => state,
        Err(error) => {
            for id in &ids {
                runner.skip(id, format!("procurement setup failed: {error:#}"));
            }
            runner.scenario("setup/log_in", vec![format!("{error:#}")], None);
            return runner.coverage(EXCLUSIONS);
        }
    };
    let (needed, orders) = needed_users(runner, &ids, !scenarios.is_empty());
    if let Err(error) = state.setup(runner, &needed, orders).await {
        for id in &ids {
            runner.skip(id, format!("procurement setup failed: {error:#}"));
        }
        runner.scenario("setup/create_users", vec![format!("{error:#}")], None);
        state.cleanup(runner).await;
        return runner.coverage(EXCLUSIONS);
    }
    for id in ids {
        if let Some(reason) = runner.stop_reason() {
            runner.skip(&id, reason);
            continue;
        }
        let mut prepared = match runner.prepare(&id) {
            Ok(prepared) => prepared,
            Err(error) => {
                runner.setup_failed(&id, &error);
                continue;
            }
        };
        match state.plan(runner, &mut prepared).await {
            Ok(Plan::Send) => {
                let request = prepared.request.clone();
                if let Some(actual) = runner.execute(prepared).await {
                    state.after(runner, &id, &request, &actual).await;
                }
            }
            Ok(Plan::Skip(reason)) => runner.skip(&id, reason),
            Err(error) => runner.setup_failed(&id, &error),
        }
    }
    state.scenarios(runner).await;
    state.cleanup(runner).await;
    runner.coverage(EXCLUSIONS)
}
