//! Domain values at the storage boundary: one conversion per type, each way, in this file.
//!
//! Stores bind and read domain types (`bool`, [`OrderStatus`], [`Role`], [`Amount`], bytes); what a
//! column holds is decided here, once: only integers and text cross the `Any` driver alike on
//! every backend (rules in `crate::db`), so a flag is a 0/1 integer, a status or a role its
//! integer code, an amount its shortest decimal text, and bytes base64 text. Binding goes through
//! `From<T> for Value`; reading through [`FromColumn`] and [`ColumnExt::decode`], which turn a
//! value the type cannot hold into a decode error instead of a silent default. (A role is
//! read by the user store itself: an unknown role id there is a refusal, not a decode error.)

use sqlx::{Row, any::AnyRow};

use super::{RowExt, Value};
use crate::procurement::domain::{Amount, OrderStatus, Role, base64_decode, base64_encode};

/// A type read from one column of a row.
pub trait FromColumn: Sized {
    fn from_column(row: &AnyRow, column: &str) -> Result<Self, sqlx::Error>;
}

/// `row.decode::<T>("name")`: reads a column as a domain type.
pub trait ColumnExt {
    fn decode<T: FromColumn>(&self, column: &str) -> Result<T, sqlx::Error>;
}

impl ColumnExt for AnyRow {
    fn decode<T: FromColumn>(&self, column: &str) -> Result<T, sqlx::Error> {
        T::from_column(self, column)
    }
}

fn out_of_range(column: &str, what: &str, code: i64) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: format!("{code} is not {what}").into(),
    }
}

/// A code column decoded by `decode`; `what` names the type in the error.
fn code<T>(
    row: &AnyRow,
    column: &str,
    what: &str,
    decode: impl Fn(i64) -> Option<T>,
) -> Result<Option<T>, sqlx::Error> {
    let code: Option<i64> = row.try_get(column)?;
    code.map(|code| decode(code).ok_or_else(|| out_of_range(column, what, code)))
        .transpose()
}

// Flags: 0/1 integers (MySQL's `TINYINT`/`BOOLEAN` is not read alike by the `Any` driver).

impl From<bool> for Value {
    fn from(value: bool) -> Self {
        Self::Int(Some(i64::from(value)))
    }
}

impl FromColumn for bool {
    fn from_column(row: &AnyRow, column: &str) -> Result<Self, sqlx::Error> {
        let decode = |code| match code {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        };
        code(row, column, "a 0/1 flag", decode)?.ok_or_else(|| unexpected_null(column))
    }
}

// Order statuses: their codes (-1 to 3, the column's check constraint).

impl From<OrderStatus> for Value {
    fn from(value: OrderStatus) -> Self {
        Self::Int(Some(value.code()))
    }
}

impl From<Option<OrderStatus>> for Value {
    fn from(value: Option<OrderStatus>) -> Self {
        Self::Int(value.map(OrderStatus::code))
    }
}

impl FromColumn for Option<OrderStatus> {
    fn from_column(row: &AnyRow, column: &str) -> Result<Self, sqlx::Error> {
        code(row, column, "an order status", OrderStatus::from_code)
    }
}

impl FromColumn for OrderStatus {
    fn from_column(row: &AnyRow, column: &str) -> Result<Self, sqlx::Error> {
        Option::<OrderStatus>::from_column(row, column)?.ok_or_else(|| unexpected_null(column))
    }
}

// Roles: the role id of the documents (1 to 4).

impl From<Role> for Value {
    fn from(value: Role) -> Self {
        Self::Int(Some(value.id()))
    }
}

// Amounts: decimal text (see `Amount` for why not integer cents, and ARCHITECTURE.md for why
// not a `DECIMAL` column).

impl From<Amount> for Value {
    fn from(value: Amount) -> Self {
        Self::Text(Some(value.decimal_text()))
    }
}

impl FromColumn for Amount {
    fn from_column(row: &AnyRow, column: &str) -> Result<Self, sqlx::Error> {
        Ok(Amount::from_decimal_text(&row.text(column)?))
    }
}

// Bytes (signature images): standard base64 text with padding, the form the schema has kept
// since migration 0002 (ARCHITECTURE.md says why there is no migration to a binary column).

impl From<&[u8]> for Value {
    fn from(value: &[u8]) -> Self {
        Self::Text(Some(base64_encode(value)))
    }
}

impl FromColumn for Vec<u8> {
    fn from_column(row: &AnyRow, column: &str) -> Result<Self, sqlx::Error> {
        base64_decode(&row.text(column)?).ok_or_else(|| sqlx::Error::ColumnDecode {
            index: column.to_owned(),
            source: "stored bytes are not base64".into(),
        })
    }
}

fn unexpected_null(column: &str) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: "unexpected NULL".into(),
    }
}
