//! mgr domain: the records the API exchanges and the rules on them.
//!
//! Knows neither HTTP nor SQL (a tidy test enforces it): the HTTP layer parses requests into
//! these types and the store persists them. Types derive `ToSchema` because they are exactly the
//! wire shapes of `openapi/mgr.yaml`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A customer (a hospital or pharmacy that places orders).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Customer {
    pub id: i64,
    pub name: String,
    pub phonenumber: String,
    pub address: String,
}

/// The editable fields of a customer (`data` of add_customer, `newdata` of modify_customer).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CustomerData {
    pub name: String,
    pub phonenumber: String,
    pub address: String,
}

/// Changes to a customer: absent fields keep their values.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, ToSchema)]
pub struct CustomerNewData {
    pub name: Option<String>,
    pub phonenumber: Option<String>,
    pub address: Option<String>,
}

/// Column lengths (characters), as in the original schema.
pub mod limits {
    pub const CUSTOMER_NAME: usize = 30;
    pub const CUSTOMER_PHONE: usize = 11;
    pub const CUSTOMER_ADDRESS: usize = 100;
    pub const MEDICINE_NAME: usize = 50;
    pub const MEDICINE_DESC: usize = 200;
    pub const MEDICINE_SN: usize = 50;
    pub const ORDER_NAME: usize = 200;
    pub const NICKNAME: usize = 10;
    pub const BIRTHDATE: usize = 50;
    pub const BIO: usize = 200;
    /// Amounts are unsigned 32-bit in the original database.
    pub const MAX_AMOUNT: i64 = 4_294_967_295;
}

/// A medicine; its name is unique.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Medicine {
    pub id: i64,
    pub name: String,
    pub desc: String,
    pub sn: String,
}

/// The editable fields of a medicine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MedicineData {
    pub name: String,
    pub desc: String,
    pub sn: String,
}

/// An order with its customer and medicine lines, as listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Order {
    pub id: i64,
    pub name: String,
    /// Creation day, `YYYY-MM-DD`.
    pub create_date: String,
    pub customer_name: String,
    pub customerid: i64,
    pub medicinelist: Vec<OrderLine>,
}

/// One medicine of an order: its id, the amount ordered and its (current) name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct OrderLine {
    pub id: i64,
    pub amount: i64,
    pub name: String,
}

/// A medicine line as sent by a client; `name` is accepted and ignored (the medicine's own name
/// is what lists show).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, ToSchema)]
pub struct OrderLineInput {
    pub id: i64,
    pub amount: i64,
    #[serde(default)]
    pub name: Option<String>,
}

/// A validated new order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewOrder {
    pub name: String,
    pub customer_id: i64,
    /// (medicine id, amount), medicine ids distinct.
    pub lines: Vec<(i64, i64)>,
}

/// A validated change to an order: every part is optional.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrderChange {
    pub name: Option<String>,
    pub customer_id: Option<i64>,
    /// Lines to add, or whose amount to set (medicine id, amount).
    pub upsert: Vec<(i64, i64)>,
    /// Medicine ids to remove from the order.
    pub delete: Vec<i64>,
}

/// The signed-in admin's own profile; every field is null until first set.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Profile {
    #[schema(required = true)]
    pub nickname: Option<String>,
    #[schema(required = true)]
    pub birthdate: Option<String>,
    #[schema(required = true)]
    pub bio: Option<String>,
}

/// Changes to a profile: `None` keeps a member, `Some(None)` clears it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProfileChange {
    pub nickname: Option<Option<String>>,
    pub birthdate: Option<Option<String>>,
    pub bio: Option<Option<String>>,
}

impl Profile {
    /// Applies a change.
    pub fn apply(mut self, change: ProfileChange) -> Self {
        if let Some(nickname) = change.nickname {
            self.nickname = nickname;
        }
        if let Some(birthdate) = change.birthdate {
            self.birthdate = birthdate;
        }
        if let Some(bio) = change.bio {
            self.bio = bio;
        }
        self
    }
}

/// Profile members to change, as the wire schema (`ProfileInput`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, ToSchema)]
pub struct ProfileInput {
    pub nickname: Option<String>,
    pub birthdate: Option<String>,
    pub bio: Option<String>,
}

/// A 1-based page request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page {
    pub num: i64,
    pub size: i64,
}

/// Why a page request was refused: which parameter is missing, non-numeric or below 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageError {
    BadNum,
    BadSize,
}

impl Page {
    /// Parses `pagenum` and `pagesize` as sent in a query string: decimal integers >= 1, no
    /// upper limit (a page past the end is simply empty).
    pub fn parse(num: Option<&str>, size: Option<&str>) -> Result<Self, PageError> {
        let positive = |text: &str| text.parse::<i64>().ok().filter(|n| *n >= 1);
        let num = num.and_then(positive).ok_or(PageError::BadNum)?;
        let size = size.and_then(positive).ok_or(PageError::BadSize)?;
        Ok(Self { num, size })
    }

    /// Rows to skip; saturates for absurd page numbers (which then read past the end).
    pub fn offset(self) -> i64 {
        (self.num - 1).saturating_mul(self.size)
    }
}

/// One page of rows plus the count of all rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: i64,
}

/// Why an order request was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderRuleError {
    /// An amount below zero or above the 32-bit maximum.
    AmountOutOfRange,
    /// The same medicine twice in one list.
    DuplicateMedicine,
    /// A medicine both updated and deleted.
    UpdateAndDelete,
    EmptyName,
}

/// Checks a medicine list: amounts not negative, each medicine once.
pub fn validate_lines(lines: &[OrderLineInput]) -> Result<Vec<(i64, i64)>, OrderRuleError> {
    let mut out: Vec<(i64, i64)> = Vec::with_capacity(lines.len());
    for line in lines {
        if !(0..=limits::MAX_AMOUNT).contains(&line.amount) {
            return Err(OrderRuleError::AmountOutOfRange);
        }
        if out.iter().any(|(id, _)| *id == line.id) {
            return Err(OrderRuleError::DuplicateMedicine);
        }
        out.push((line.id, line.amount));
    }
    Ok(out)
}

/// Builds a new order from its parts.
pub fn new_order(
    name: String,
    customer_id: i64,
    lines: &[OrderLineInput],
) -> Result<NewOrder, OrderRuleError> {
    if name.trim().is_empty() {
        return Err(OrderRuleError::EmptyName);
    }
    Ok(NewOrder {
        name,
        customer_id,
        lines: validate_lines(lines)?,
    })
}

/// Builds an order change from its parts.
pub fn order_change(
    name: Option<String>,
    customer_id: Option<i64>,
    lines: &[OrderLineInput],
    delete: Vec<i64>,
) -> Result<OrderChange, OrderRuleError> {
    if name.as_deref().is_some_and(|name| name.trim().is_empty()) {
        return Err(OrderRuleError::EmptyName);
    }
    let upsert = validate_lines(lines)?;
    if upsert.iter().any(|(id, _)| delete.contains(id)) {
        return Err(OrderRuleError::UpdateAndDelete);
    }
    Ok(OrderChange {
        name,
        customer_id,
        upsert,
        delete,
    })
}

/// Why `create-mgr-admin` refused its input.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    #[error("the username must not be empty")]
    EmptyUsername,
    #[error("the username must not contain whitespace")]
    UsernameWhitespace,
    #[error("the username must be at most 150 characters")]
    UsernameTooLong,
    #[error("the password must be at least {MIN_PASSWORD_CHARS} characters")]
    PasswordTooShort,
    #[error("the password must not consist of digits only")]
    PasswordAllDigits,
    #[error("the password must differ from the username")]
    PasswordIsUsername,
}

pub const MIN_PASSWORD_CHARS: usize = 8;

/// The rules for a new admin's credentials.
pub fn validate_credentials(username: &str, password: &str) -> Result<(), CredentialError> {
    if username.is_empty() {
        return Err(CredentialError::EmptyUsername);
    }
    if username.chars().any(char::is_whitespace) {
        return Err(CredentialError::UsernameWhitespace);
    }
    if username.chars().count() > 150 {
        return Err(CredentialError::UsernameTooLong);
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(CredentialError::PasswordTooShort);
    }
    if password.chars().all(|c| c.is_ascii_digit()) {
        return Err(CredentialError::PasswordAllDigits);
    }
    if password.eq_ignore_ascii_case(username) {
        return Err(CredentialError::PasswordIsUsername);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_one_based_and_bounded() {
        assert_eq!(Page::parse(Some("2"), Some("10")).map(Page::offset), Ok(10));
        assert_eq!(Page::parse(None, Some("1")), Err(PageError::BadNum));
        assert_eq!(Page::parse(Some("1"), None), Err(PageError::BadSize));
        assert_eq!(Page::parse(Some("0"), Some("1")), Err(PageError::BadNum));
        assert_eq!(Page::parse(Some("1"), Some("x")), Err(PageError::BadSize));
        assert_eq!(
            Page::parse(Some("9223372036854775807"), Some("1000")).map(Page::offset),
            Ok(i64::MAX)
        );
    }

    #[test]
    fn weak_credentials_are_refused() {
        assert_eq!(
            validate_credentials("", "longenough"),
            Err(CredentialError::EmptyUsername)
        );
        assert_eq!(
            validate_credentials("admin", "short"),
            Err(CredentialError::PasswordTooShort)
        );
        assert_eq!(
            validate_credentials("admin", "12345678"),
            Err(CredentialError::PasswordAllDigits)
        );
        assert!(validate_credentials("admin", "medsys-demo-2024").is_ok());
    }
}
