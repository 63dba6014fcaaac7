//! Reading back what a successful procurement write claims to have done: a created or saved
//! order reads back with the values sent (and the version moved on by a save), an added or
//! edited user reads back as written, a reset password logs in. A deployment that answers
//! code 1 and stores something else fails the case that wrote.

use anyhow::Result;
use serde_json::Value;

use super::{Procurement, request};
use crate::{case::Request, check::compact, replay::Runner};

/// The writes whose success is read back.
pub const READ_BACK: &[&str] = &[
    "create_order/submit",
    "create_order/save_draft",
    "update_order/save",
    "update_order/resubmit",
    "admin_add_user/success",
    "admin_update_user/success",
    "admin_update_user/reset_password",
];

/// Numbers compare by value (`4800.0` and `4800` are the same amount); everything else exactly.
fn same(sent: &Value, stored: &Value) -> bool {
    match (sent.as_f64(), stored.as_f64()) {
        (Some(a), Some(b)) => (a - b).abs() < 1e-9,
        _ => sent == stored,
    }
}

/// Members of `sent` (those named in `members`) whose value `stored` does not hold.
fn differing(what: &str, sent: &Value, stored: &Value, members: &[&str], out: &mut Vec<String>) {
    for member in members {
        let Some(value) = sent.get(*member) else {
            continue;
        };
        let got = stored.get(*member).unwrap_or(&Value::Null);
        if !same(value, got) {
            out.push(format!(
                "{what}: {member} reads back as {}, not the {} written",
                compact(got),
                compact(value)
            ));
        }
    }
}

const ORDER_MEMBERS: &[&str] = &[
    "applyDepartment",
    "applyUser",
    "fundCode",
    "total",
    "status",
];
const LINE_MEMBERS: &[&str] = &[
    "name",
    "type",
    "configuration",
    "unit",
    "quantity",
    "budgetUnitPrice",
    "budgetTotalPrice",
    "reason",
    "newUser",
];
const USER_MEMBERS: &[&str] = &["username", "department", "role"];

impl Procurement {
    /// The read-back of a successful write of case `id`: the problems found.
    pub(super) async fn read_back(
        &mut self,
        runner: &Runner,
        id: &str,
        written: &Request,
        answer: &Value,
    ) -> Vec<String> {
        match self.check_write(runner, id, written, answer).await {
            Ok(problems) => problems,
            Err(error) => vec![format!("reading the write back failed: {error:#}")],
        }
    }

    async fn check_write(
        &mut self,
        runner: &Runner,
        id: &str,
        written: &Request,
        answer: &Value,
    ) -> Result<Vec<String>> {
        let Some(sent) = written.body_value().cloned() else {
            return Ok(Vec::new());
        };
        let mut problems = Vec::new();
        if id.starts_with("create_order/") || id.starts_with("update_order/") {
            let order = if id.starts_with("create_order/") {
                answer.get("data").and_then(Value::as_str)
            } else {
                sent.get("id").and_then(Value::as_str)
            };
            let Some(order) = order.map(str::to_owned) else {
                return Ok(Vec::new());
            };
            let mut get = request("GET", "/order");
            get.set_query("id", order.as_str());
            let read = self.call(runner, "applicant", get).await?;
            let stored = read.get("data").cloned().unwrap_or(Value::Null);
            let what = format!("order {order}");
            differing(&what, &sent, &stored, ORDER_MEMBERS, &mut problems);
            if id.starts_with("update_order/")
                && let Some(version) = sent.get("version").and_then(Value::as_i64)
            {
                let got = stored.get("version").and_then(Value::as_i64);
                if got != Some(version + 1) {
                    problems.push(format!(
                        "{what}: version reads back as {}, not {} (one more than the version saved)",
                        got.map_or_else(|| "nothing".to_owned(), |v| v.to_string()),
                        version + 1
                    ));
                }
            }
            let sent_lines = sent
                .get("orderLists")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let stored_lines = stored
                .get("orderLists")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if sent_lines.len() == stored_lines.len() {
                for (index, (line, got)) in sent_lines.iter().zip(&stored_lines).enumerate() {
                    let what = format!("{what} line {}", index + 1);
                    differing(&what, line, got, LINE_MEMBERS, &mut problems);
                }
            } else {
                problems.push(format!(
                    "{what}: {} lines read back, not the {} written",
                    stored_lines.len(),
                    sent_lines.len()
                ));
            }
            return Ok(problems);
        }
        // A user added or edited by the admin.
        let Some(user) = sent.get("id").and_then(Value::as_str).map(str::to_owned) else {
            return Ok(Vec::new());
        };
        let mut get = request("GET", "/admin/user");
        get.set_query("uid", user.as_str());
        let read = self.call(runner, "admin", get).await?;
        let stored = read.get("data").cloned().unwrap_or(Value::Null);
        differing(
            &format!("user {user}"),
            &sent,
            &stored,
            USER_MEMBERS,
            &mut problems,
        );
        let password = sent.get("password").and_then(Value::as_str).unwrap_or("");
        if id == "admin_update_user/reset_password" && !password.is_empty() {
            // The new password must be the one that logs in now.
            if let Err(error) = Self::login(runner, &user, password).await {
                problems.push(format!(
                    "user {user}: the password set does not log in: {error:#}"
                ));
            }
        }
        Ok(problems)
    }
}
