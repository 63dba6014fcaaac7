//! Helpers of the procurement tests: the spec's fixture (six users, orders 20210104 and
//! 20210201) written straight into the database, logins, SDK clients and typed bodies, and a
//! raw bearer-token client for the wire-level cases.

use chrono::{FixedOffset, TimeZone};
use medsys_client::Token;
use medsys_client::procurement::{
    self, Code, LoginRequest, OrderApplyCreate, OrderApplyCreateStatus, OrderApplyUpdate,
    OrderApplyUpdateStatus, OrderId, OrderListInput,
};
use medsys_server::db::Db;
use reqwest::{Method, multipart};
use serde_json::{Value, json};

use crate::support::{Api, Reply, TestServer};

pub const ADMIN: &str = "12345678910";
pub const ZHANG: &str = "12345678911";
pub const INST: &str = "12345678912";
pub const LI: &str = "12345678913";
pub const OFFICE_LEAD: &str = "12345678914";
pub const FINANCE_LEAD: &str = "12345678915";
pub const PASSWORD: &str = "123456";

/// The fixture user of each `x-role`.
pub fn user_of(role: &str) -> &'static str {
    match role {
        "admin" => ADMIN,
        "instlead" => INST,
        "deptlead" => OFFICE_LEAD,
        _ => ZHANG,
    }
}

/// Unix seconds of noon (UTC+8) on a day.
pub fn noon(year: i32, month: u32, day: u32) -> i64 {
    FixedOffset::east_opt(8 * 3600)
        .expect("offset")
        .with_ymd_and_hms(year, month, day, 12, 0, 0)
        .single()
        .expect("date")
        .timestamp()
}

async fn exec(db: &Db, sql: &str) {
    db.query(sql)
        .execute(db.pool())
        .await
        .unwrap_or_else(|error| panic!("{sql}: {error}"));
}

/// Users only (password 123456, changed now).
pub async fn users(db: &Db) {
    let hash = medsys_server::password::hash(PASSWORD.to_owned())
        .await
        .expect("hash");
    let now = chrono::Utc::now().timestamp();
    for (id, name, role, department) in [
        (ADMIN, "管理员", 1, "01"),
        (ZHANG, "张三", 4, "01"),
        (INST, "院领导", 2, "01"),
        (LI, "李四", 4, "02"),
        (OFFICE_LEAD, "办公室领导", 3, "01"),
        (FINANCE_LEAD, "财务部领导", 3, "02"),
    ] {
        db.query(
            "INSERT INTO procurement_user (id, username, password_hash, department_id, role_id, \
             is_active, expires_at, password_changed_at, failed_logins, locked_until, created_at) \
             VALUES ($1, $2, $3, $4, $5, 1, NULL, $6, 0, NULL, $6)",
        )
        .bind(id)
        .bind(name)
        .bind(&hash)
        .bind(department)
        .bind(role as i64)
        .bind(now)
        .execute(db.pool())
        .await
        .expect("insert user");
    }
}

/// The whole fixture of `info.description`.
pub async fn fixture(db: &Db) {
    users(db).await;
    let (jan18, feb1) = (noon(2021, 1, 18), noon(2021, 2, 1));
    exec(
        db,
        &format!(
            "INSERT INTO procurement_order (id, department_id, apply_user, fund_code, apply_date, total, status, \
             previous_status, ever_submitted, user_id, withdrawal_reason, version, created_at, updated_at) VALUES \
             ('20210104', '01', '张三', '123456', '2021-01-18', '5000', 1, NULL, 1, '{ZHANG}', NULL, 0, {jan18}, {feb1}), \
             ('20210201', '02', '李四', '654321', '2021-02-01', '2200', 1, NULL, 1, '{LI}', NULL, 0, {feb1}, {feb1})"
        ),
    )
    .await;
    exec(
        db,
        "INSERT INTO procurement_order_line (id, order_id, seq, name, type, configuration, unit, quantity, \
         budget_unit_price, budget_total_price, reason, new_user) VALUES \
         ('2021010401', '20210104', 1, '台式计算机', '联想启天M428', 'i5-9500/8GB/1TB/21.5英寸显示器', '台', 2, \
          '2500', '5000', '旧电脑使用超过8年，运行缓慢', '张三'), \
         ('2021020101', '20210201', 1, '激光打印机', '惠普M405d', '黑白激光，双面打印', '台', 1, \
          '2200', '2200', '旧打印机损坏', '李四')",
    )
    .await;
    exec(
        db,
        "INSERT INTO procurement_order_counter (year, department_id, last) VALUES (2021, '01', 4), (2021, '02', 1)",
    )
    .await;
}

/// Sets an order's status (and version) directly, to establish a case's precondition.
pub async fn set_status(db: &Db, id: &str, status: i64, version: i64) {
    db.query("UPDATE procurement_order SET status = $2, version = $3 WHERE id = $1")
        .bind(id)
        .bind(status)
        .bind(version)
        .execute(db.pool())
        .await
        .expect("set status");
}

/// The fixture order 20210104 as listed.
pub fn order_20210104(status: i64) -> Value {
    json!({
        "id": "20210104", "applyDepartment": "办公室", "applyUser": "张三", "fundCode": "123456",
        "applyDate": "2021年01月18日", "total": 5000.0, "status": status,
        "orderLists": [{"id": "2021010401", "name": "台式计算机", "type": "联想启天M428",
            "configuration": "i5-9500/8GB/1TB/21.5英寸显示器", "unit": "台", "quantity": 2,
            "budgetUnitPrice": 2500.0, "budgetTotalPrice": 5000.0, "reason": "旧电脑使用超过8年，运行缓慢",
            "newUser": "张三"}],
        "uid": ZHANG, "withdrawalReason": null, "createTime": "2021年01月18日", "updateTime": "2021年02月01日"
    })
}

/// The fixture order 20210201 as listed.
pub fn order_20210201() -> Value {
    json!({
        "id": "20210201", "applyDepartment": "财务部", "applyUser": "李四", "fundCode": "654321",
        "applyDate": "2021年02月01日", "total": 2200.0, "status": 1,
        "orderLists": [{"id": "2021020101", "name": "激光打印机", "type": "惠普M405d",
            "configuration": "黑白激光，双面打印", "unit": "台", "quantity": 1,
            "budgetUnitPrice": 2200.0, "budgetTotalPrice": 2200.0, "reason": "旧打印机损坏", "newUser": "李四"}],
        "uid": LI, "withdrawalReason": null, "createTime": "2021年02月01日", "updateTime": "2021年02月01日"
    })
}

pub fn page(content: Vec<Value>, total: i64, number: i64) -> Value {
    json!({"content": content, "totalPages": (total + 9) / 10, "totalElements": total, "size": 10, "number": number})
}

pub fn success(data: Value) -> Value {
    json!({"success": true, "code": 1, "msg": "成功", "data": data})
}

pub fn failure(code: i64, msg: &str) -> Value {
    json!({"success": false, "code": code, "msg": msg, "data": null})
}

/// A client that sends `Authorization: <token>` when it has one.
#[derive(Clone)]
pub struct Proc {
    pub api: Api,
    pub token: Option<String>,
}

impl Proc {
    pub fn anonymous(server: &TestServer) -> Self {
        Self {
            api: server.client(),
            token: None,
        }
    }

    pub fn with_token(&self, token: &str) -> Self {
        Self {
            api: self.api.clone(),
            token: Some(token.to_owned()),
        }
    }

    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let request = self.api.request(method, path);
        match &self.token {
            Some(token) => request.header("Authorization", token),
            None => request,
        }
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        self.api.send(request).await
    }

    pub async fn get(&self, path: &str, query: &[(&str, &str)]) -> Reply {
        self.send(self.request(Method::GET, path).query(query))
            .await
    }

    pub async fn put(&self, path: &str, query: &[(&str, &str)]) -> Reply {
        self.send(self.request(Method::PUT, path).query(query))
            .await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(self.request(Method::DELETE, path)).await
    }

    pub async fn json(&self, method: Method, path: &str, body: &Value) -> Reply {
        self.send(self.request(method, path).json(body)).await
    }

    pub async fn multipart(&self, path: &str, form: multipart::Form) -> Reply {
        self.send(self.request(Method::POST, path).multipart(form))
            .await
    }
}

/// Logs in and answers the raw reply.
pub async fn login_reply(server: &TestServer, id: &str, password: &str) -> Reply {
    let client = Proc::anonymous(server);
    client
        .json(
            Method::POST,
            "/user/login",
            &json!({"username": id, "password": password}),
        )
        .await
}

/// A client logged in as `id` (password 123456).
pub async fn login(server: &TestServer, id: &str) -> Proc {
    let reply = login_reply(server, id, PASSWORD).await;
    assert_eq!(
        reply.body["code"], 1,
        "login of {id} failed: {}",
        reply.text
    );
    let token = reply.headers["authorization"]
        .to_str()
        .expect("ascii")
        .to_owned();
    Proc::anonymous(server).with_token(&token)
}

/// A valid order body for create_order.
pub fn new_order(uid: &str, department: &str, status: i64) -> Value {
    json!({
        "applyDepartment": department, "applyUser": "张三", "fundCode": "123456", "total": 5000.0,
        "status": status,
        "orderLists": [{"name": "台式计算机", "type": "联想启天M428", "configuration": "i5-9500/8GB/1TB/21.5英寸显示器",
            "unit": "台", "quantity": 2, "budgetUnitPrice": 2500.0, "budgetTotalPrice": 5000.0,
            "reason": "旧电脑使用超过8年，运行缓慢", "newUser": "张三"}],
        "uid": uid
    })
}

/// A 1x1 PNG (the spec's example).
pub fn png() -> Vec<u8> {
    medsys_server::procurement::domain::base64_decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==",
    )
    .expect("png")
}

#[allow(
    dead_code,
    reason = "raw helper for wire-level scenarios; the SDK covers the rest"
)]
pub fn file_part(bytes: Vec<u8>, name: &str, content_type: &str) -> multipart::Part {
    multipart::Part::bytes(bytes)
        .file_name(name.to_owned())
        .mime_str(content_type)
        .expect("mime")
}

/// An SDK client of the procurement API without a token.
pub fn anonymous(server: &TestServer) -> procurement::Client {
    procurement::Client::new(&server.base_url()).expect("procurement client")
}

/// An SDK client that sends `token` (an `Authorization` value) verbatim.
pub fn with_token(server: &TestServer, token: impl Into<Token>) -> procurement::Client {
    let client = anonymous(server);
    client.set_token(Some(token.into()));
    client
}

/// The login body of `id` with `password`.
pub fn login_body(id: &str, password: &str) -> LoginRequest {
    LoginRequest::new(id, password)
}

/// An SDK client logged in as `id` (password 123456).
pub async fn logged_in(server: &TestServer, id: &str) -> procurement::Client {
    let client = anonymous(server);
    if let Err(error) = client.login(&login_body(id, PASSWORD)).await {
        panic!("login of {id} failed: {error}");
    }
    client
}

/// A raw client holding the SDK client's current token, for wire-level requests.
pub fn raw(server: &TestServer, client: &procurement::Client) -> Proc {
    let token = client.token().expect("a logged-in SDK client");
    Proc::anonymous(server).with_token(token.expose())
}

/// Asserts that an SDK call was refused by the envelope with `code` and `msg`.
#[track_caller]
pub fn assert_refused<T: std::fmt::Debug>(result: medsys_client::Result<T>, code: Code, msg: &str) {
    match result {
        Err(medsys_client::Error::Procurement {
            code: got,
            msg: text,
            ..
        }) if got == code && text == msg => {}
        other => {
            panic!("expected Error::Procurement {{ code: {code:?}, msg: {msg:?} }}, got {other:?}")
        }
    }
}

/// Asserts a refusal whose message is the code table's own (`Code::NoPermission` → 没有权限).
#[track_caller]
pub fn assert_code<T: std::fmt::Debug>(result: medsys_client::Result<T>, code: Code) {
    assert_refused(result, code, code.message().expect("a documented code"));
}

/// The equipment line of the spec's examples, as the client sends it.
pub fn computer_line() -> OrderListInput {
    OrderListInput::new(
        "台式计算机",
        "联想启天M428",
        "i5-9500/8GB/1TB/21.5英寸显示器",
        "台",
        2,
        2500.0,
        5000.0,
        "旧电脑使用超过8年，运行缓慢",
        "张三",
    )
}

/// A valid create_order body (the typed [`new_order`]).
pub fn order_create(
    uid: &str,
    department: &str,
    status: OrderApplyCreateStatus,
) -> OrderApplyCreate {
    OrderApplyCreate::new(
        department,
        "张三",
        "123456",
        5000.0,
        status,
        vec![computer_line()],
    )
    .with_uid(uid)
}

/// An update_order body for order `id` of 张三 at `version`, with the same content as
/// [`order_create`].
pub fn order_update(
    id: &OrderId,
    version: i64,
    status: OrderApplyUpdateStatus,
) -> OrderApplyUpdate {
    let created = order_create(ZHANG, "办公室", OrderApplyCreateStatus::Submit);
    OrderApplyUpdate::new(
        id.clone(),
        created.apply_department,
        created.apply_user,
        created.fund_code,
        created.total,
        status,
        created.order_lists,
        version,
    )
    .with_uid(ZHANG)
}

/// An import workbook of `rows` new users of 办公室 with ids `{prefix}000000001`, ... (prefix of
/// two digits), laid out like the import template.
pub fn users_workbook(prefix: &str, rows: u32) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (col, header) in (0u16..).zip(["用户id", "用户名", "角色", "部门名称"]) {
        sheet.write_string(0, col, header).expect("header");
    }
    for row in 1..=rows {
        sheet
            .write_string(row, 0, format!("{prefix}{row:09}"))
            .expect("id");
        sheet
            .write_string(row, 1, format!("用户{row}"))
            .expect("name");
        sheet.write_string(row, 3, "办公室").expect("department");
    }
    book.save_to_buffer().expect("xlsx")
}
