//! procurement domain rules: roles, order statuses, id formats, notice texts, menus, dates,
//! pages and the validation of request fields; the transitions are in [`workflow`], one
//! function per operation. Knows neither HTTP nor SQL.

pub mod workflow;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Offset, Utc};
use serde::Serialize;

use super::generated::{OrderApplyCreate, OrderApplyUpdate, OrderListInput};

/// The four roles; the discriminant is the role id of the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Admin = 1,
    InstLead = 2,
    DeptLead = 3,
    Applicant = 4,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::InstLead, Role::DeptLead, Role::Applicant];

    pub fn id(self) -> i64 {
        self as i64
    }

    pub fn from_id(id: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.id() == id)
    }

    /// The role's name as the API and the import files spell it.
    pub fn name(self) -> &'static str {
        match self {
            Role::Admin => "管理员",
            Role::InstLead => "主管院领导",
            Role::DeptLead => "部门领导",
            Role::Applicant => "普通用户",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.name() == name)
    }

    /// The `authorities` claim of the token.
    pub fn authority(self) -> &'static str {
        match self {
            Role::Admin => "ADMIN",
            Role::InstLead => "INSTLEAD",
            Role::DeptLead => "DEPTLEAD",
            Role::Applicant => "USER",
        }
    }
}

/// An order's status; the discriminant is its code, as the API and the database column spell
/// it (`status` of OrderApply; the column's check constraint allows exactly these five).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OrderStatus {
    Deleted = -1,
    Draft = 0,
    Submitted = 1,
    DeptApproved = 2,
    InstApproved = 3,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 5] = [
        OrderStatus::Deleted,
        OrderStatus::Draft,
        OrderStatus::Submitted,
        OrderStatus::DeptApproved,
        OrderStatus::InstApproved,
    ];

    pub fn code(self) -> i64 {
        self as i64
    }

    pub fn from_code(code: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.code() == code)
    }
}

/// On the wire a status is its integer code.
impl Serialize for OrderStatus {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.code())
    }
}

/// Order statuses by their names in the workflow.
pub mod status {
    use super::OrderStatus;

    pub const DELETED: OrderStatus = OrderStatus::Deleted;
    pub const DRAFT: OrderStatus = OrderStatus::Draft;
    pub const SUBMITTED: OrderStatus = OrderStatus::Submitted;
    pub const DEPT_APPROVED: OrderStatus = OrderStatus::DeptApproved;
    pub const INST_APPROVED: OrderStatus = OrderStatus::InstApproved;
}

/// `{year}{department}{counter}`: the counter has at least two digits.
pub fn order_id(year: i32, department_id: &str, counter: i64) -> String {
    format!("{year}{department_id}{counter:02}")
}

/// `{order id}{seq}` with a two-digit sequence starting at 01.
pub fn line_id(order_id: &str, seq: usize) -> String {
    format!("{order_id}{seq:02}")
}

/// A user id: exactly 11 ASCII digits.
pub fn is_user_id(text: &str) -> bool {
    text.len() == 11 && text.bytes().all(|b| b.is_ascii_digit())
}

/// The spec's OrderId pattern (`^[0-9]{8,}$`): what a well-formed order id looks like.
pub fn matches_order_id_pattern(text: &str) -> bool {
    text.len() >= 8 && text.bytes().all(|b| b.is_ascii_digit())
}

/// A plausible order id (8 or more digits); anything else cannot exist.
pub fn is_order_id(text: &str) -> bool {
    text.len() >= 8 && text.len() <= 32 && text.bytes().all(|b| b.is_ascii_digit())
}

/// Password rule for new passwords: 6 to 64 characters.
pub fn password_ok(password: &str) -> bool {
    (6..=64).contains(&password.chars().count())
}

/// A notice to send: addressee, title, text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoticeText {
    pub title: &'static str,
    pub content: String,
}

pub mod notice {
    use super::NoticeText;

    pub fn submitted(apply_user: &str) -> NoticeText {
        NoticeText {
            title: "新的申请单提交通知",
            content: format!("申请人{apply_user}提交了一份申请单。"),
        }
    }

    pub fn resubmitted(apply_user: &str) -> NoticeText {
        NoticeText {
            title: "申请单重新提交通知",
            content: format!("申请人{apply_user}重新提交了申请单"),
        }
    }

    pub fn dept_approved(order_id: &str) -> NoticeText {
        NoticeText {
            title: "申请单通过通知",
            content: format!("编号{order_id}的申请单已经通过部门审核。"),
        }
    }

    pub fn inst_approved(order_id: &str) -> NoticeText {
        NoticeText {
            title: "申请单通过通知",
            content: format!("编号{order_id}的申请单已经通过审核。"),
        }
    }

    pub fn denied(order_id: &str, reason: &str) -> NoticeText {
        NoticeText {
            title: "申请单打回通知",
            content: format!("编号{order_id}的申请单已被打回；打回原因：{reason}"),
        }
    }
}

/// A front-end menu entry.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Menu {
    pub name: &'static str,
    pub path: &'static str,
    pub children: Vec<Menu>,
}

fn leaf(name: &'static str, path: &'static str) -> Menu {
    Menu {
        name,
        path,
        children: Vec::new(),
    }
}

fn branch(name: &'static str, path: &'static str, children: Vec<Menu>) -> Menu {
    Menu {
        name,
        path,
        children,
    }
}

/// The menus of a role (the original's tree; top-level paths as in the spec).
pub fn menus(role: Role) -> Vec<Menu> {
    let mut menus = vec![
        branch("用户", "/user", vec![leaf("用户信息", "/info")]),
        branch(
            "申请单",
            "/order",
            vec![
                leaf("新建申请", "/addOrder"),
                leaf("查看申请", "/listOrder"),
            ],
        ),
    ];
    match role {
        Role::Admin => menus.push(branch(
            "管理",
            "/admin",
            vec![leaf("用户管理", "/listUser")],
        )),
        Role::DeptLead => menus.push(branch(
            "部门",
            "/dept",
            vec![
                leaf("待审批", "/approval"),
                leaf("查看部门申请", "/deptOrder"),
            ],
        )),
        Role::InstLead => menus.push(branch(
            "主管",
            "/inst",
            vec![
                leaf("待审批", "/approval"),
                leaf("查看所有申请", "/instOrder"),
            ],
        )),
        Role::Applicant => {}
    }
    menus
}

// ---------------------------------------------------------------------------------------------
// Dates

/// The server's time zone (Asia/Shanghai has been UTC+8 without daylight saving since 1991).
/// A configured offset outside ±24 hours falls back to UTC+8.
pub fn zone(offset_minutes: i32) -> FixedOffset {
    FixedOffset::east_opt(offset_minutes.saturating_mul(60))
        .or_else(|| FixedOffset::east_opt(8 * 3600))
        .unwrap_or_else(|| Utc.fix())
}

fn local(unix: i64, zone: FixedOffset) -> DateTime<FixedOffset> {
    DateTime::from_timestamp(unix, 0)
        .unwrap_or_default()
        .with_timezone(&zone)
}

/// `2021年01月18日` for an instant.
pub fn chinese_date(unix: i64, zone: FixedOffset) -> String {
    local(unix, zone).format("%Y年%m月%d日").to_string()
}

/// `2021年01月18日` for a stored `YYYY-MM-DD` date.
pub fn chinese_from_iso(iso: &str) -> Option<String> {
    NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .ok()
        .map(|date| date.format("%Y年%m月%d日").to_string())
}

/// Today's `YYYY-MM-DD` in the server's zone.
pub fn iso_today(unix: i64, zone: FixedOffset) -> String {
    local(unix, zone).format("%Y-%m-%d").to_string()
}

/// The current year in the server's zone.
pub fn year(unix: i64, zone: FixedOffset) -> i32 {
    local(unix, zone).year()
}

/// `(year, month)` of a stored `YYYY-MM-DD` date, or of an instant.
pub fn year_month(iso: Option<&str>, unix: i64, zone: FixedOffset) -> (i32, u32) {
    if let Some(date) = iso.and_then(|iso| NaiveDate::parse_from_str(iso, "%Y-%m-%d").ok()) {
        return (date.year(), date.month());
    }
    let date = local(unix, zone);
    (date.year(), date.month())
}

/// A search date `yyyy-MM-dd` that exists; normalised to `YYYY-MM-DD`.
pub fn search_date(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shaped {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .map(|date| date.format("%Y-%m-%d").to_string())
}

// ---------------------------------------------------------------------------------------------
// Pages

pub const PAGE_SIZE: i64 = 10;

/// A 1-based page number: absent means 1; anything but an integer ≥ 1 is refused, an empty
/// value included (`Page` is an integer). The spec sets no upper bound: any page a 64-bit
/// integer holds is answered (past the end it is simply empty).
pub fn page(text: Option<&str>) -> Option<i64> {
    match text {
        None => Some(1),
        Some(text) => text.trim().parse::<i64>().ok().filter(|page| *page >= 1),
    }
}

/// `(offset, limit)` of a 1-based page; the offset saturates, so a huge page reads past the end.
pub fn page_window(page: i64) -> (i64, i64) {
    ((page - 1).saturating_mul(PAGE_SIZE), PAGE_SIZE)
}

/// Number of pages for `total` rows.
pub fn total_pages(total: i64) -> i64 {
    (total + PAGE_SIZE - 1) / PAGE_SIZE
}

// ---------------------------------------------------------------------------------------------
// Orders

/// Why a request's fields were refused: 11 (absent or blank) or 12 (malformed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldError {
    Missing,
    Invalid,
}

/// One equipment line as validated from a request.
#[derive(Clone, Debug, PartialEq)]
pub struct LineInput {
    pub name: String,
    pub kind: String,
    pub configuration: String,
    pub unit: String,
    pub quantity: i64,
    pub budget_unit_price: Amount,
    pub budget_total_price: Amount,
    pub reason: String,
    pub new_user: String,
}

/// The editable content of an order (create and update).
#[derive(Clone, Debug, PartialEq)]
pub struct OrderInput {
    pub apply_department: String,
    pub apply_user: String,
    pub fund_code: String,
    pub total: Amount,
    pub status: OrderStatus,
    pub lines: Vec<LineInput>,
    pub uid: String,
}

/// The update fields on top of [`OrderInput`].
#[derive(Clone, Debug, PartialEq)]
pub struct OrderUpdate {
    pub id: String,
    pub version: i64,
    pub input: OrderInput,
}

/// The rules the order bodies' schemas do not state, applied after the generated types have
/// answered presence (11) and the schemas' own limits (12); every refusal here is 12, so a
/// missing member still wins over any of them. `status` is 0 or 1, amounts are below 10^13,
/// a quantity is at most 10^9, `uid` is a user id.
fn order_content(body: OrderContent<'_>) -> Result<OrderInput, FieldError> {
    let Some(status @ (status::DRAFT | status::SUBMITTED)) = OrderStatus::from_code(body.status)
    else {
        return Err(FieldError::Invalid);
    };
    if !is_user_id(body.uid) {
        return Err(FieldError::Invalid);
    }
    let lines = body
        .lines
        .iter()
        .map(|line| {
            if line.quantity > 1_000_000_000 {
                return Err(FieldError::Invalid);
            }
            Ok(LineInput {
                name: line.name.clone(),
                kind: line.r#type.clone(),
                configuration: line.configuration.clone(),
                unit: line.unit.clone(),
                quantity: line.quantity,
                budget_unit_price: amount(line.budget_unit_price)?,
                budget_total_price: amount(line.budget_total_price)?,
                reason: line.reason.clone(),
                new_user: line.new_user.clone(),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(OrderInput {
        apply_department: body.apply_department.to_owned(),
        apply_user: body.apply_user.to_owned(),
        fund_code: body.fund_code.to_owned(),
        total: amount(body.total)?,
        status,
        lines,
        uid: body.uid.to_owned(),
    })
}

/// The members create_order and update_order share, borrowed from either generated body.
struct OrderContent<'a> {
    apply_department: &'a str,
    apply_user: &'a str,
    fund_code: &'a str,
    total: f64,
    status: i64,
    lines: &'a [OrderListInput],
    uid: &'a str,
}

fn amount(value: f64) -> Result<Amount, FieldError> {
    Amount::new(value).ok_or(FieldError::Invalid)
}

/// The content of a create_order body. Department existence is checked by the caller (it
/// needs the database).
pub fn order_input(body: &OrderApplyCreate) -> Result<OrderInput, FieldError> {
    order_content(OrderContent {
        apply_department: &body.apply_department,
        apply_user: &body.apply_user,
        fund_code: &body.fund_code,
        total: body.total,
        status: body.status,
        lines: &body.order_lists,
        uid: &body.uid,
    })
}

/// An update_order body: its content, and an `id` that can exist (8 to 32 digits, else 12).
pub fn order_update(body: &OrderApplyUpdate) -> Result<OrderUpdate, FieldError> {
    if !is_order_id(&body.id) {
        return Err(FieldError::Invalid);
    }
    let input = order_content(OrderContent {
        apply_department: &body.apply_department,
        apply_user: &body.apply_user,
        fund_code: &body.fund_code,
        total: body.total,
        status: body.status,
        lines: &body.order_lists,
        uid: &body.uid,
    })?;
    Ok(OrderUpdate {
        id: body.id.clone(),
        version: body.version,
        input,
    })
}

/// A money amount in yuan, as a request sent it: a JSON number from 0 up to (not including)
/// 10^13, with whatever decimals it had. It is kept as that number, not rounded to cents, so
/// the API answers exactly the value it was sent (the documents fix no scale), and it is stored
/// as its shortest decimal text, which reads back as the same number.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Amount(f64);

impl Amount {
    /// An amount the API accepts: finite, not negative, below 10^13.
    pub fn new(value: f64) -> Option<Self> {
        (value.is_finite() && (0.0..1e13).contains(&value)).then_some(Self(value))
    }

    pub fn value(self) -> f64 {
        self.0
    }

    /// The stored form: the shortest decimal text of the number (`5000`, `0.1`).
    pub fn decimal_text(self) -> String {
        format!("{}", self.0)
    }

    /// A stored amount back as a number; 0 if the text is damaged (the server never writes
    /// such text, and a list must not fail on one bad row).
    pub fn from_decimal_text(text: &str) -> Self {
        Self(text.parse().unwrap_or(0.0))
    }
}

/// On the wire an amount is a JSON number.
impl Serialize for Amount {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.0)
    }
}

/// Who may see an order (get_order, export, signature download).
pub fn may_see(
    role: Role,
    caller_id: &str,
    caller_department: &str,
    owner: &str,
    order_department: &str,
) -> bool {
    match role {
        Role::Admin | Role::InstLead => true,
        Role::DeptLead => caller_id == owner || caller_department == order_department,
        Role::Applicant => caller_id == owner,
    }
}

// ---------------------------------------------------------------------------------------------
// Files

/// The image types a signature may have, detected from the first bytes.
pub fn image_type(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]) {
        Some(("image/png", "png"))
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some(("image/jpeg", "jpg"))
    } else {
        None
    }
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding: how signatures are stored (portable text on both backends).
pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(BASE64[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The bytes of [`base64_encode`]'s output; `None` for anything malformed.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.as_bytes();
    if !text.len().is_multiple_of(4) {
        return None;
    }
    let value = |c: u8| {
        BASE64
            .iter()
            .position(|&d| d == c)
            .and_then(|v| u32::try_from(v).ok())
    };
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    for quad in text.chunks(4) {
        let pad = quad.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 {
            return None;
        }
        let mut n = 0u32;
        for &c in &quad[..4 - pad] {
            n = (n << 6) | value(c)?;
        }
        n <<= 6 * pad as u32;
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - pad]);
    }
    Some(out)
}

/// Largest signature file.
pub const MAX_SIGNATURE_BYTES: usize = 1024 * 1024;
/// Largest import workbook.
pub const MAX_IMPORT_BYTES: usize = 5 * 1024 * 1024;
/// The password of imported users.
pub const IMPORT_PASSWORD: &str = "123456";
/// Most data rows one import may hold (`导入的用户不能超过10000行`): the import is one
/// transaction, and this keeps it to a few seconds.
pub const MAX_IMPORT_ROWS: usize = 10_000;

/// The outcome of one import row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportVerdict {
    Created,
    NoId,
    BadId,
    NoName,
    NoDepartment,
    Exists,
    UnknownDepartment,
    UnknownRole,
}

impl ImportVerdict {
    pub fn message(self) -> &'static str {
        match self {
            ImportVerdict::Created => "成功",
            ImportVerdict::NoId => "用户id为空",
            ImportVerdict::BadId => "用户id格式错误",
            ImportVerdict::NoName => "用户名为空",
            ImportVerdict::NoDepartment => "部门名称为空",
            ImportVerdict::Exists => "用户已存在",
            ImportVerdict::UnknownDepartment => "部门不存在",
            ImportVerdict::UnknownRole => "角色不存在",
        }
    }
}

/// One data row of an import file, cells as text (trimmed).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportRow {
    pub id: String,
    pub name: String,
    pub role: String,
    pub department: String,
}

impl ImportRow {
    pub fn is_empty(&self) -> bool {
        self.id.is_empty()
            && self.name.is_empty()
            && self.role.is_empty()
            && self.department.is_empty()
    }

    /// The checks that need no database, in the documented order; `Ok(role)` when they pass.
    /// The existence and department checks follow in the store.
    pub fn precheck(&self) -> Result<(), ImportVerdict> {
        if self.id.is_empty() {
            return Err(ImportVerdict::NoId);
        }
        if !is_user_id(&self.id) {
            return Err(ImportVerdict::BadId);
        }
        if self.name.is_empty() {
            return Err(ImportVerdict::NoName);
        }
        if self.department.is_empty() {
            return Err(ImportVerdict::NoDepartment);
        }
        Ok(())
    }

    /// The role of the row: empty means 普通用户.
    pub fn role(&self) -> Option<Role> {
        if self.role.is_empty() {
            Some(Role::Applicant)
        } else {
            Role::from_name(&self.role)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_the_documented_shapes() {
        assert_eq!(order_id(2021, "01", 4), "20210104");
        assert_eq!(order_id(2021, "01", 100), "202101100");
        assert_eq!(line_id("20210104", 1), "2021010401");
    }

    #[test]
    fn statuses_are_their_codes_on_the_wire() {
        for status in OrderStatus::ALL {
            assert_eq!(OrderStatus::from_code(status.code()), Some(status));
            assert_eq!(serde_json::json!(status), serde_json::json!(status.code()));
        }
        assert_eq!(OrderStatus::from_code(4), None);
    }

    #[test]
    fn amounts_read_back_as_the_number_sent() {
        for value in [0.0, 0.1, 5000.0, 2500.5, 9_999_999_999_999.99, 1e-7] {
            let amount = Amount::new(value).unwrap();
            let stored = amount.decimal_text();
            assert_eq!(Amount::from_decimal_text(&stored), amount);
            assert_eq!(serde_json::json!(amount), serde_json::json!(value));
        }
        assert_eq!(Amount::new(5000.0).unwrap().decimal_text(), "5000");
        assert_eq!(Amount::new(1e13), None);
        assert_eq!(Amount::new(-0.5), None);
        assert_eq!(Amount::new(f64::NAN), None);
    }

    #[test]
    fn base64_round_trips() {
        for bytes in [&b""[..], b"f", b"fo", b"foo", b"foob", &[0xff, 0, 0x80]] {
            assert_eq!(base64_decode(&base64_encode(bytes)).as_deref(), Some(bytes));
        }
        assert_eq!(base64_encode(b"foob"), "Zm9vYg==");
        assert_eq!(base64_decode("Zm9v!A=="), None);
    }

    #[test]
    fn search_dates_must_exist() {
        assert_eq!(search_date("2021-02-01").as_deref(), Some("2021-02-01"));
        assert_eq!(search_date("2021-02-30"), None);
        assert_eq!(search_date("2021/02/01"), None);
    }

    #[test]
    fn pages_are_integers_from_one() {
        assert_eq!(page(None), Some(1));
        assert_eq!(page(Some("3")), Some(3));
        assert_eq!(page(Some("0")), None);
        assert_eq!(page(Some("abc")), None);
        assert_eq!(page(Some("")), None);
    }
}
