//! The mgr API's case plans: the order the cases run in, and for each case that needs more than
//! its examples, the preconditions it sets up through the API and the ids, names and totals it
//! substitutes. Everything the suite creates is deleted at the end.
//!
//! Names the suite creates carry the run's tag (`xx药-<tag>1`), because medicine names are unique
//! and a shared deployment may already hold the documents' names; the expected bodies are
//! renamed the same way.

use std::collections::HashSet;

use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Value, json};

use super::{Plan, Prepared, Runner};

mod readback;
use crate::{
    case::{Body, Request},
    check::{Actual, CookieValue, HeaderRule, Matcher},
    report::Coverage,
    spec::Auth,
};

/// Documented examples the suite does not replay, with the reason. (None: the two signin cases
/// that need accounts the API cannot create are skipped at run time unless their credentials
/// are given.)
pub const EXCLUSIONS: &[(&str, &str)] = &[];

/// The order the cases run in. `*` patterns expand over the spec in document order; a case
/// listed twice runs once, at its first place.
pub const ORDER: &[&str] = &[
    // Signin; the suite already holds its own session, so these sessions are thrown away.
    "signin/ok",
    "signin/ok_json",
    "signin/wrong_password",
    "signin/missing_password",
    "signin/not_admin",
    "signin/inactive",
    // Stateless refusals, on every operation: the 302 without a session, then the action checks.
    "*/not_logged_in",
    "*/missing_action",
    "*/wrong_action",
    "*/action_of_other_method",
    // Profile: cleared, modified, read back (the original profile is restored at the end).
    "get_my_profile/first_login",
    "modify_my_profile/ok",
    "get_my_profile/after_modify",
    "modify_my_profile/missing_profile",
    // Customers: the two customers of the list examples first, then pages.
    "list_customer/ok",
    "list_customer/second_page",
    "list_customer/page_past_end",
    "list_customer/*",
    "add_customer/ok",
    "add_customer/*",
    "modify_customer/*",
    // Medicines.
    "list_medicine/ok",
    "list_medicine/page_past_end",
    "list_medicine/*",
    "add_medicine/*",
    "modify_medicine/*",
    // Orders: the two orders of the list example, then the rest.
    "list_order/ok",
    "list_order/page_past_end",
    "list_order/*",
    "add_order/*",
    "modify_order/*",
    "del_order/*",
    // Deletes and referential refusals, once orders exist.
    "del_customer/*",
    "del_medicine/*",
    // Signout last: one that is refused (the session stays), then one that ends a session.
    "signout/unsupported_action",
    "signout/ok",
];

const LIST_PAGE: i64 = 10;

/// The scenario beyond single examples, and the case it follows.
const SCENARIO: (&str, &str) = ("scenario/signed_out_session_gets_302", "signout/ok");

/// The writes whose success is read back through the API (see `readback.rs`).
const READ_BACK: &[&str] = &[
    "modify_my_profile/ok",
    "add_customer/ok",
    "modify_customer/ok",
    "del_customer/ok",
    "add_medicine/ok",
    "modify_medicine/ok",
    "del_medicine/ok",
    "add_order/ok",
    "modify_order/ok",
    "del_order/ok",
];

/// The attributes the spec documents for the session cookie of a signin.
fn signin_cookie_rules() -> Vec<HeaderRule> {
    vec![HeaderRule::SetCookie {
        name: "sessionid".into(),
        value: CookieValue::NonEmpty,
        attributes: vec![
            ("HttpOnly".into(), None),
            ("SameSite".into(), Some("Lax".into())),
            ("Path".into(), Some("/".into())),
        ],
        lifetime: true,
    }]
}

/// The attributes the spec documents for the expired cookie of a signout.
fn signout_cookie_rules() -> Vec<HeaderRule> {
    vec![HeaderRule::SetCookie {
        name: "sessionid".into(),
        value: CookieValue::Empty,
        attributes: vec![
            ("Max-Age".into(), Some("0".into())),
            ("Path".into(), Some("/".into())),
        ],
        lifetime: false,
    }]
}

/// The state the mgr plans share.
struct Mgr {
    /// The suite's session cookie, `sessionid=...`.
    session: String,
    customers: i64,
    medicines: i64,
    orders: i64,
    created_customers: Vec<i64>,
    created_medicines: Vec<i64>,
    created_orders: Vec<i64>,
    max_id: i64,
    counter: u32,
    original_profile: Option<Value>,
    /// Customers 李小哲 and 张三 of the list examples.
    two_customers: Option<(i64, i64)>,
    /// Medicines xx药 and xx药2 of list_medicine, with their names.
    two_medicines: Option<((i64, String), (i64, String))>,
    /// Medicines xxx药 and xxx药2 of list_order and add_order, with their names.
    order_medicines: Option<((i64, String), (i64, String))>,
    /// Order 1 of list_order (xx医院订单, customer 李小哲).
    listed_order: Option<i64>,
}

fn cookie_of(actual: &Actual) -> Option<String> {
    actual
        .headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("set-cookie"))
        .find_map(|(_, value)| {
            let pair = value.split(';').next()?.trim();
            let (name, id) = pair.split_once('=')?;
            (name == "sessionid" && !id.is_empty()).then(|| pair.to_owned())
        })
}

fn request(method: &str, path: &str) -> Request {
    Request {
        method: method.to_owned(),
        path: path.to_owned(),
        path_params: Vec::new(),
        query: Vec::new(),
        headers: Vec::new(),
        body: Body::None,
    }
}

/// Signs in with `user:password` (form-encoded, as documented) and answers the session cookie.
async fn sign_in(runner: &Runner, user: &str, password: &str) -> Result<String> {
    let mut signin = request("POST", "/api/mgr/signin");
    signin.body = Body::Form(json!({"username": user, "password": password}));
    let actual = runner.send(&signin).await?;
    let body = actual.json().unwrap_or(Value::Null);
    if body.get("ret") != Some(&json!(0)) {
        bail!(
            "signin as {user} was refused: HTTP {} {}",
            actual.status,
            String::from_utf8_lossy(&actual.body)
        );
    }
    cookie_of(&actual).ok_or_else(|| anyhow!("signin answered no sessionid cookie"))
}

impl Mgr {
    async fn start(runner: &Runner) -> Result<Mgr> {
        let admin = runner
            .options
            .mgr_admin
            .clone()
            .ok_or_else(|| anyhow!("no --mgr-admin USER:PASS was given"))?;
        let session = sign_in(runner, &admin.user, &admin.password).await?;
        let mut mgr = Mgr {
            session,
            customers: 0,
            medicines: 0,
            orders: 0,
            created_customers: Vec::new(),
            created_medicines: Vec::new(),
            created_orders: Vec::new(),
            max_id: 0,
            counter: 0,
            original_profile: None,
            two_customers: None,
            two_medicines: None,
            order_medicines: None,
            listed_order: None,
        };
        // What the deployment already holds: the totals the list cases must add to, and the
        // highest ids, above which ids are known not to exist.
        for (path, action) in [
            ("/api/mgr/customers", "list_customer"),
            ("/api/mgr/medicines", "list_medicine"),
            ("/api/mgr/orders", "list_order"),
        ] {
            let page = mgr.list(runner, path, action, 1, 1).await?;
            let total = page.get("total").and_then(Value::as_i64).unwrap_or(0);
            let newest = page
                .pointer("/retlist/0/id")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            mgr.max_id = mgr.max_id.max(newest);
            match action {
                "list_customer" => mgr.customers = total,
                "list_medicine" => mgr.medicines = total,
                _ => mgr.orders = total,
            }
        }
        Ok(mgr)
    }

    /// Sends a helper request with the suite's session and answers the body, which must be
    /// `ret: 0`.
    async fn call(&self, runner: &Runner, mut request: Request) -> Result<Value> {
        request.set_header("Cookie", &self.session);
        let what = format!("{} {}", request.method, request.rendered_path());
        let actual = runner.send(&request).await?;
        let body = actual
            .json()
            .ok_or_else(|| anyhow!("{what}: the answer is not JSON (HTTP {})", actual.status))?;
        if body.get("ret") != Some(&json!(0)) {
            bail!("{what} {:?} was refused: {body}", request.body_value());
        }
        Ok(body)
    }

    async fn list(
        &self,
        runner: &Runner,
        path: &str,
        action: &str,
        pagesize: i64,
        pagenum: i64,
    ) -> Result<Value> {
        let mut list = request("GET", path);
        list.set_query("action", action);
        list.set_query("pagesize", pagesize.to_string());
        list.set_query("pagenum", pagenum.to_string());
        self.call(runner, list).await
    }

    async fn send_json(
        &self,
        runner: &Runner,
        method: &str,
        path: &str,
        body: Value,
    ) -> Result<Value> {
        let mut helper = request(method, path);
        helper.body = Body::Json(body);
        self.call(runner, helper).await
    }

    fn created_id(&mut self, body: &Value) -> Result<i64> {
        let id = body
            .get("id")
            .and_then(Value::as_i64)
            .ok_or_else(|| anyhow!("the add answered no id: {body}"))?;
        self.max_id = self.max_id.max(id);
        Ok(id)
    }

    /// A name unique to this run, e.g. `xx药-1a2b3c4`.
    fn fresh(&mut self, runner: &Runner, base: &str) -> String {
        self.counter += 1;
        format!("{base}-{}{}", runner.tag, self.counter)
    }

    /// An id above every id seen, so no row has it.
    fn absent_id(&self) -> i64 {
        self.max_id + 1_000_000
    }

    async fn add_customer(
        &mut self,
        runner: &Runner,
        name: &str,
        phone: &str,
        address: &str,
    ) -> Result<i64> {
        let body = self
            .send_json(
                runner,
                "POST",
                "/api/mgr/customers",
                json!({"action": "add_customer", "data": {"name": name, "phonenumber": phone, "address": address}}),
            )
            .await?;
        let id = self.created_id(&body)?;
        self.created_customers.push(id);
        self.customers += 1;
        Ok(id)
    }

    async fn add_medicine(
        &mut self,
        runner: &Runner,
        name: &str,
        desc: &str,
        sn: &str,
    ) -> Result<i64> {
        let body = self
            .send_json(
                runner,
                "POST",
                "/api/mgr/medicines",
                json!({"action": "add_medicine", "data": {"name": name, "desc": desc, "sn": sn}}),
            )
            .await?;
        let id = self.created_id(&body)?;
        self.created_medicines.push(id);
        self.medicines += 1;
        Ok(id)
    }

    async fn fresh_medicine(&mut self, runner: &Runner) -> Result<(i64, String)> {
        let name = self.fresh(runner, "药");
        let id = self
            .add_medicine(runner, &name, "疗效是....", "123456777")
            .await?;
        Ok((id, name))
    }

    async fn add_order(
        &mut self,
        runner: &Runner,
        name: &str,
        customer: i64,
        lines: &[(i64, u64)],
    ) -> Result<i64> {
        let medicinelist: Vec<Value> = lines
            .iter()
            .map(|(id, amount)| json!({"id": id, "amount": amount, "name": ""}))
            .collect();
        let body = self
            .send_json(
                runner,
                "POST",
                "/api/mgr/orders",
                json!({"action": "add_order", "data": {"name": name, "customerid": customer, "medicinelist": medicinelist}}),
            )
            .await?;
        let id = self.created_id(&body)?;
        self.created_orders.push(id);
        self.orders += 1;
        Ok(id)
    }

    async fn set_profile(&self, runner: &Runner, profile: Value) -> Result<()> {
        self.send_json(
            runner,
            "PUT",
            "/api/mgr/profile",
            json!({"action": "modify_my_profile", "profile": profile}),
        )
        .await
        .map(drop)
    }

    async fn ensure_two_customers(&mut self, runner: &Runner) -> Result<(i64, i64)> {
        if let Some(ids) = self.two_customers {
            return Ok(ids);
        }
        let first = self
            .add_customer(runner, "李小哲", "12345678911", "上海市嘉定区")
            .await?;
        let second = self
            .add_customer(runner, "张三", "12345678922", "上海市静安区")
            .await?;
        self.two_customers = Some((first, second));
        Ok((first, second))
    }

    async fn ensure_two_medicines(
        &mut self,
        runner: &Runner,
    ) -> Result<((i64, String), (i64, String))> {
        if let Some(pair) = &self.two_medicines {
            return Ok(pair.clone());
        }
        let first_name = self.fresh(runner, "xx药");
        let first = self
            .add_medicine(runner, &first_name, "疗效是....", "213123123")
            .await?;
        let second_name = self.fresh(runner, "xx药2");
        let second = self
            .add_medicine(runner, &second_name, "疗效是....2", "2131231333")
            .await?;
        let pair = ((first, first_name), (second, second_name));
        self.two_medicines = Some(pair.clone());
        Ok(pair)
    }

    async fn ensure_order_medicines(
        &mut self,
        runner: &Runner,
    ) -> Result<((i64, String), (i64, String))> {
        if let Some(pair) = &self.order_medicines {
            return Ok(pair.clone());
        }
        // Created in this order so that xxx药 has the lower id, as in the example's list.
        let first_name = self.fresh(runner, "xxx药");
        let first = self
            .add_medicine(runner, &first_name, "疗效是...", "3001")
            .await?;
        let second_name = self.fresh(runner, "xxx药2");
        let second = self
            .add_medicine(runner, &second_name, "疗效是...2", "3002")
            .await?;
        let pair = ((first, first_name), (second, second_name));
        self.order_medicines = Some(pair.clone());
        Ok(pair)
    }

    /// Order 1 of list_order and a newer order 2, both for customer 李小哲.
    async fn ensure_listed_order(&mut self, runner: &Runner) -> Result<i64> {
        if let Some(id) = self.listed_order {
            return Ok(id);
        }
        let (customer, _) = self.ensure_two_customers(runner).await?;
        let ((a, _), (b, _)) = self.ensure_order_medicines(runner).await?;
        let first = self
            .add_order(runner, "xx医院订单", customer, &[(a, 33), (b, 12)])
            .await?;
        self.add_order(runner, "xx医院订单2", customer, &[(a, 1)])
            .await?;
        self.listed_order = Some(first);
        Ok(first)
    }

    /// Expects `total` to be what the suite computed and `retlist` to hold `items` rows.
    fn expect_page(p: &mut Prepared, total: i64, pagesize: i64, pagenum: i64) -> Result<()> {
        p.expected.set("/total", json!(total))?;
        let len = (total - (pagenum - 1) * pagesize).clamp(0, pagesize);
        p.expected.matcher(
            "/retlist",
            Matcher::Prefix {
                len: Some(usize::try_from(len)?),
            },
        );
        Ok(())
    }

    /// A page number past the end for `total` rows (at least the documented 5).
    fn past_end(total: i64) -> i64 {
        ((total + LIST_PAGE - 1) / LIST_PAGE + 1).max(5)
    }

    async fn plan(&mut self, runner: &Runner, p: &mut Prepared) -> Result<Plan> {
        let admin = runner.options.mgr_admin.clone().context("no --mgr-admin")?;
        match p.id.as_str() {
            "signin/ok" | "signin/ok_json" => {
                p.body("/username", json!(admin.user))?;
                p.body("/password", json!(admin.password))?;
                p.expected.headers.extend(signin_cookie_rules());
            }
            "signin/wrong_password" => {
                p.body("/username", json!(admin.user))?;
                if admin.password == "not-the-password" {
                    p.body("/password", json!("not-the-password!"))?;
                }
            }
            "signin/missing_password" => p.body("/username", json!(admin.user))?,
            "signin/not_admin" | "signin/inactive" => {
                let (given, flag, what) = if p.id == "signin/not_admin" {
                    (
                        &runner.options.mgr_non_admin,
                        "--mgr-non-admin",
                        "an active user who is not a superuser",
                    )
                } else {
                    (
                        &runner.options.mgr_inactive,
                        "--mgr-inactive",
                        "an inactive superuser",
                    )
                };
                let Some(account) = given else {
                    return Ok(Plan::Skip(format!(
                        "needs {what}, which no mgr operation can create; pass {flag} USER:PASS to run it"
                    )));
                };
                p.body("/username", json!(account.user))?;
                p.body("/password", json!(account.password))?;
            }
            "get_my_profile/first_login" => {
                let body = self
                    .call(runner, {
                        let mut get = request("GET", "/api/mgr/profile");
                        get.set_query("action", "get_my_profile");
                        get
                    })
                    .await?;
                self.original_profile = body.get("profile").cloned();
                self.set_profile(
                    runner,
                    json!({"nickname": null, "birthdate": null, "bio": null}),
                )
                .await?;
            }
            "get_my_profile/after_modify" => {
                self.set_profile(
                    runner,
                    json!({"nickname": "修改过的用户名", "birthdate": "修改过的生日", "bio": "修改过的用户简介"}),
                )
                .await?;
            }
            "list_customer/ok" => {
                let (first, second) = self.ensure_two_customers(runner).await?;
                p.expected.set("/retlist/0/id", json!(second))?;
                p.expected.set("/retlist/1/id", json!(first))?;
                Self::expect_page(p, self.customers, 10, 1)?;
            }
            "list_customer/second_page" => {
                let (first, _) = self.ensure_two_customers(runner).await?;
                p.expected.set("/retlist/0/id", json!(first))?;
                Self::expect_page(p, self.customers, 1, 2)?;
            }
            "list_customer/page_past_end" => {
                self.ensure_two_customers(runner).await?;
                let page = Self::past_end(self.customers);
                p.request.set_query("pagenum", page.to_string());
                Self::expect_page(p, self.customers, LIST_PAGE, page)?;
            }
            "add_customer/ok" => p.expected.matcher("/id", Matcher::AnyId),
            "modify_customer/ok" => {
                let id = self
                    .add_customer(runner, "待修改客户", "13300000000", "上海市")
                    .await?;
                p.body("/id", json!(id))?;
            }
            "modify_customer/not_found" | "del_customer/not_found" => {
                let id = self.absent_id();
                p.body("/id", json!(id))?;
                p.expected.replace_in_msg("id:6", &format!("id:{id}"));
            }
            "del_customer/ok" => {
                let id = self
                    .add_customer(runner, "待删除客户", "13300000001", "上海市")
                    .await?;
                p.body("/id", json!(id))?;
            }
            "del_customer/referenced" => {
                self.ensure_listed_order(runner).await?;
                let (first, _) = self.ensure_two_customers(runner).await?;
                p.body("/id", json!(first))?;
            }
            "list_medicine/ok" => {
                let ((first, first_name), (second, second_name)) =
                    self.ensure_two_medicines(runner).await?;
                p.rename("xx药", &first_name);
                p.rename("xx药2", &second_name);
                p.expected.set("/retlist/0/id", json!(second))?;
                p.expected.set("/retlist/1/id", json!(first))?;
                Self::expect_page(p, self.medicines, 10, 1)?;
            }
            "list_medicine/page_past_end" => {
                self.ensure_two_medicines(runner).await?;
                let page = Self::past_end(self.medicines);
                p.request.set_query("pagenum", page.to_string());
                Self::expect_page(p, self.medicines, LIST_PAGE, page)?;
            }
            "add_medicine/ok" => {
                let name = self.fresh(runner, "xx药");
                p.rename("xx药", &name);
                p.expected.matcher("/id", Matcher::AnyId);
            }
            "add_medicine/name_exists" => {
                let (_, name) = self.fresh_medicine(runner).await?;
                p.rename("xx药", &name);
            }
            "modify_medicine/ok" | "modify_medicine/incomplete_newdata" => {
                let (id, _) = self.fresh_medicine(runner).await?;
                let name = self.fresh(runner, "xx药");
                p.body("/id", json!(id))?;
                p.rename("xx药", &name);
            }
            "modify_medicine/not_found" => {
                p.body("/id", json!(self.absent_id()))?;
                let name = self.fresh(runner, "xx药");
                p.rename("xx药", &name);
            }
            "modify_medicine/name_taken" => {
                let (id, _) = self.fresh_medicine(runner).await?;
                let (_, taken) = self.fresh_medicine(runner).await?;
                p.body("/id", json!(id))?;
                p.rename("xx药2", &taken);
            }
            "list_order/ok" => {
                let order = self.ensure_listed_order(runner).await?;
                let (customer, _) = self.ensure_two_customers(runner).await?;
                let ((a, a_name), (b, b_name)) = self.ensure_order_medicines(runner).await?;
                p.rename("xxx药", &a_name);
                p.rename("xxx药2", &b_name);
                p.expected.set("/retlist/0/id", json!(order))?;
                p.expected.set("/retlist/0/customerid", json!(customer))?;
                p.expected.set("/retlist/0/medicinelist/0/id", json!(a))?;
                p.expected.set("/retlist/0/medicinelist/1/id", json!(b))?;
                p.expected
                    .matcher("/retlist/0/create_date", Matcher::IsoDate);
                Self::expect_page(p, self.orders, 1, 2)?;
            }
            "list_order/page_past_end" => {
                self.ensure_listed_order(runner).await?;
                let page = Self::past_end(self.orders);
                p.request.set_query("pagenum", page.to_string());
                Self::expect_page(p, self.orders, LIST_PAGE, page)?;
            }
            "add_order/ok" | "add_order/unknown_customer" | "add_order/unknown_medicine" => {
                let (customer, _) = self.ensure_two_customers(runner).await?;
                let ((a, _), (b, _)) = self.ensure_order_medicines(runner).await?;
                let absent = self.absent_id();
                p.body("/data/customerid", json!(customer))?;
                p.body("/data/medicinelist/0/id", json!(a))?;
                p.body("/data/medicinelist/1/id", json!(b))?;
                match p.id.as_str() {
                    "add_order/ok" => p.expected.matcher("/id", Matcher::AnyId),
                    "add_order/unknown_customer" => {
                        p.body("/data/customerid", json!(absent))?;
                        p.expected
                            .replace_in_msg("id:1的", &format!("id:{absent}的"));
                    }
                    _ => {
                        p.body("/data/medicinelist/1/id", json!(absent))?;
                        p.expected
                            .replace_in_msg("id:3的", &format!("id:{absent}的"));
                    }
                }
            }
            "modify_order/ok" => {
                // A fresh order with medicines A and B: the case sets the amount of B, adds a
                // new medicine C, and deletes A plus an id the order does not list (ignored).
                let (first, second) = self.ensure_two_customers(runner).await?;
                let ((a, _), (b, _)) = self.ensure_order_medicines(runner).await?;
                let (c, _) = self.fresh_medicine(runner).await?;
                let order = self
                    .add_order(runner, "待修改订单", first, &[(a, 1), (b, 2)])
                    .await?;
                p.body("/id", json!(order))?;
                p.body("/data/customerid", json!(second))?;
                p.body("/data/medicinelist/0/id", json!(c))?;
                p.body("/data/medicinelist/1/id", json!(b))?;
                p.body("/data/deletelist", json!([a, self.absent_id()]))?;
            }
            "modify_order/order_not_found" => p.body("/id", json!(self.absent_id()))?,
            "modify_order/missing_data" => {
                let order = self.ensure_listed_order(runner).await?;
                p.body("/id", json!(order))?;
            }
            "modify_order/unknown_customer" | "modify_order/unknown_medicine" => {
                let order = self.ensure_listed_order(runner).await?;
                let (_, second) = self.ensure_two_customers(runner).await?;
                let (_, (b, _)) = self.ensure_order_medicines(runner).await?;
                let (c, _) = self.fresh_medicine(runner).await?;
                let absent = self.absent_id();
                p.body("/id", json!(order))?;
                p.body("/data/customerid", json!(second))?;
                p.body("/data/medicinelist/0/id", json!(c))?;
                p.body("/data/medicinelist/1/id", json!(b))?;
                p.body("/data/deletelist", json!([absent + 1, absent + 2]))?;
                if p.id == "modify_order/unknown_customer" {
                    p.body("/data/customerid", json!(absent))?;
                    p.expected
                        .replace_in_msg("id:22的", &format!("id:{absent}的"));
                } else {
                    p.body("/data/medicinelist/0/id", json!(absent))?;
                    p.expected
                        .replace_in_msg("id:10的", &format!("id:{absent}的"));
                }
            }
            "del_order/ok" => {
                let (first, _) = self.ensure_two_customers(runner).await?;
                let ((a, _), _) = self.ensure_order_medicines(runner).await?;
                let order = self
                    .add_order(runner, "待删除订单", first, &[(a, 1)])
                    .await?;
                p.body("/id", json!(order))?;
            }
            "del_order/not_found" => {
                let id = self.absent_id();
                p.body("/id", json!(id))?;
                p.expected.replace_in_msg("id:1", &format!("id:{id}"));
            }
            "del_medicine/ok" => {
                let (id, _) = self.fresh_medicine(runner).await?;
                p.body("/id", json!(id))?;
            }
            "del_medicine/not_found" => p.body("/id", json!(self.absent_id()))?,
            "del_medicine/in_use" => {
                self.ensure_listed_order(runner).await?;
                let ((a, _), _) = self.ensure_order_medicines(runner).await?;
                p.body("/id", json!(a))?;
            }
            "signout/ok" => {
                // A session of its own, so the suite's session lives on.
                let session = sign_in(runner, &admin.user, &admin.password).await?;
                p.request.set_header("Cookie", session);
                p.expected.headers.extend(signout_cookie_rules());
            }
            // Everything else is replayed exactly as documented.
            _ => {}
        }
        Ok(Plan::Send)
    }

    /// Bookkeeping after a case ran: ids it created, rows it deleted, and the scenarios that
    /// follow from it.
    async fn after(&mut self, runner: &mut Runner, id: &str, request: &Request, actual: &Actual) {
        let body = actual.json().unwrap_or(Value::Null);
        let ok = body.get("ret") == Some(&json!(0));
        let sent_id = request
            .body_value()
            .and_then(|b| b.get("id"))
            .and_then(Value::as_i64);
        if ok && READ_BACK.contains(&id) {
            let problems = self.read_back(runner, request, &body).await;
            runner.read_back(id, problems);
        }
        match id {
            "signin/ok" | "signin/ok_json" => {
                if let Some(session) = cookie_of(actual) {
                    let mut signout = request_with_cookie("GET", "/api/mgr/signout", &session);
                    signout.query.clear();
                    drop(runner.send(&signout).await);
                }
            }
            "add_customer/ok" if ok => {
                if let Ok(new) = self.created_id(&body) {
                    self.created_customers.push(new);
                    self.customers += 1;
                }
            }
            "add_medicine/ok" if ok => {
                if let Ok(new) = self.created_id(&body) {
                    self.created_medicines.push(new);
                    self.medicines += 1;
                }
            }
            "add_order/ok" if ok => {
                if let Ok(new) = self.created_id(&body) {
                    self.created_orders.push(new);
                    self.orders += 1;
                }
            }
            "del_customer/ok" if ok => {
                self.created_customers.retain(|c| Some(*c) != sent_id);
                self.customers -= 1;
            }
            "del_medicine/ok" if ok => {
                self.created_medicines.retain(|c| Some(*c) != sent_id);
                self.medicines -= 1;
            }
            "del_order/ok" if ok => {
                self.created_orders.retain(|c| Some(*c) != sent_id);
                self.orders -= 1;
            }
            "signout/ok" if runner.selected(SCENARIO.0) => {
                // The ended session must now be refused like no session at all.
                let Some((_, cookie)) = request.headers.iter().find(|(n, _)| n == "Cookie") else {
                    return;
                };
                let mut list = request_with_cookie("GET", "/api/mgr/customers", cookie);
                list.set_query("action", "list_customer");
                list.set_query("pagesize", "10");
                list.set_query("pagenum", "1");
                let mut problems = Vec::new();
                match runner.send(&list).await {
                    Ok(after) if after.status == 302 => {}
                    Ok(after) => problems.push(format!(
                        "status: expected 302 for a signed-out session, got {} {}",
                        after.status,
                        String::from_utf8_lossy(&after.body)
                    )),
                    Err(error) => problems.push(format!("request failed: {error:#}")),
                }
                let curl = list.curl(&runner.options.base_url);
                runner.scenario(SCENARIO.0, problems, Some(curl));
            }
            _ => {}
        }
    }

    /// Deletes what the suite created, restores the profile, ends the session.
    async fn cleanup(&mut self, runner: &mut Runner) {
        let mut problems = Vec::new();
        let orders = std::mem::take(&mut self.created_orders);
        let medicines = std::mem::take(&mut self.created_medicines);
        let customers = std::mem::take(&mut self.created_customers);
        for (path, action, ids) in [
            ("/api/mgr/orders", "del_order", orders),
            ("/api/mgr/medicines", "del_medicine", medicines),
            ("/api/mgr/customers", "del_customer", customers),
        ] {
            for id in ids {
                if let Err(error) = self
                    .send_json(runner, "DELETE", path, json!({"action": action, "id": id}))
                    .await
                {
                    problems.push(format!("mgr: could not delete {path} id {id}: {error:#}"));
                }
            }
        }
        if let Some(profile) = self.original_profile.take()
            && let Err(error) = self.set_profile(runner, profile).await
        {
            problems.push(format!(
                "mgr: could not restore the admin's profile: {error:#}"
            ));
        }
        let signout = request_with_cookie("GET", "/api/mgr/signout", &self.session);
        drop(runner.send(&signout).await);
        runner.left_behind.extend(problems);
    }
}

fn request_with_cookie(method: &str, path: &str, cookie: &str) -> Request {
    let mut built = request(method, path);
    built.set_header("Cookie", cookie);
    built
}

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

/// Everything a run replays: the selected cases, and the scenario when it and the case it
/// follows are selected.
pub fn planned(runner: &Runner) -> Vec<String> {
    let mut ids = selected_cases(runner);
    if runner.selected(SCENARIO.0) && ids.iter().any(|id| id == SCENARIO.1) {
        ids.push(SCENARIO.0.to_owned());
    }
    ids
}

/// Replays every selected mgr case and answers the coverage.
pub async fn run(runner: &mut Runner) -> Coverage {
    let ids = selected_cases(runner);
    if ids.is_empty() {
        // Nothing of this API is selected: not even a signin is sent.
        return runner.coverage(EXCLUSIONS);
    }
    if let Some(reason) = runner.stop_reason() {
        // Interrupted (or out of time) before this API started: nothing is created.
        for id in ids {
            runner.skip(&id, reason);
        }
        return runner.coverage(EXCLUSIONS);
    }
    let mut mgr = match Mgr::start(runner).await {
        Ok(mgr) => mgr,
        Err(error) => {
            for id in &ids {
                runner.skip(id, format!("mgr setup failed: {error:#}"));
            }
            runner.scenario("setup/sign_in_as_admin", vec![format!("{error:#}")], None);
            return runner.coverage(EXCLUSIONS);
        }
    };
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
        if prepared.auth == Auth::Valid {
            prepared.request.set_header("Cookie", &mgr.session);
        }
        match mgr.plan(runner, &mut prepared).await {
            Ok(Plan::Send) => {
                let request = prepared.request.clone();
                if let Some(actual) = runner.execute(prepared).await {
                    mgr.after(runner, &id, &request, &actual).await;
                }
            }
            Ok(Plan::Skip(reason)) => runner.skip(&id, reason),
            Err(error) => runner.setup_failed(&id, &error),
        }
    }
    mgr.cleanup(runner).await;
    runner.coverage(EXCLUSIONS)
}
