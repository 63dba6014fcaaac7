//! Reading back what a successful mgr write claims to have done: a created row is listed with
//! the values sent, a modified row shows the new values, a deleted row is gone, the profile
//! reads back as written. A deployment that answers `ret: 0` and stores something else (or
//! nothing) fails the case that wrote.

use anyhow::Result;
use serde_json::{Value, json};

use super::{Mgr, request};
use crate::{case::Request, check::compact, replay::Runner};

/// Rows fetched per page while looking for one row.
const PAGE: i64 = 100;
/// Pages looked through at most: the suite's rows are the newest, so they come first unless
/// others write during the run.
const MAX_PAGES: i64 = 50;

/// The list a written row shows up in: its path and list action, by the action that wrote.
fn list_of(action: &str) -> Option<(&'static str, &'static str, &'static str)> {
    match action {
        "add_customer" | "modify_customer" | "del_customer" => {
            Some(("/api/mgr/customers", "list_customer", "customer"))
        }
        "add_medicine" | "modify_medicine" | "del_medicine" => {
            Some(("/api/mgr/medicines", "list_medicine", "medicine"))
        }
        "add_order" | "modify_order" | "del_order" => {
            Some(("/api/mgr/orders", "list_order", "order"))
        }
        _ => None,
    }
}

/// Members of `sent` whose value `row` does not hold (members named in `skip` aside).
fn differing(what: &str, sent: &Value, row: &Value, skip: &[&str]) -> Vec<String> {
    let mut problems = Vec::new();
    for (member, value) in sent.as_object().into_iter().flatten() {
        if skip.contains(&member.as_str()) {
            continue;
        }
        let stored = row.get(member).unwrap_or(&Value::Null);
        if stored != value {
            problems.push(format!(
                "{what}: {member} reads back as {}, not the {} written",
                compact(stored),
                compact(value)
            ));
        }
    }
    problems
}

/// The order's lines must hold the amounts sent, and none of the deleted medicines.
fn order_lines(what: &str, data: &Value, row: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let lines = row
        .get("medicinelist")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let line = |id: &Value| lines.iter().find(|line| line.get("id") == Some(id));
    for sent in data
        .get("medicinelist")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(id) = sent.get("id") else { continue };
        match line(id) {
            None => problems.push(format!("{what}: medicine {id} is not among its lines")),
            Some(found) if found.get("amount") != sent.get("amount") => problems.push(format!(
                "{what}: medicine {id} reads back with amount {}, not the {} written",
                compact(found.get("amount").unwrap_or(&Value::Null)),
                compact(sent.get("amount").unwrap_or(&Value::Null))
            )),
            Some(_) => {}
        }
    }
    for deleted in data
        .get("deletelist")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if line(deleted).is_some() {
            problems.push(format!(
                "{what}: medicine {deleted} was to be deleted but is still among its lines"
            ));
        }
    }
    problems
}

impl Mgr {
    /// The row with `id` in the list at `path`, looked for from the newest page on.
    async fn find_row(
        &self,
        runner: &Runner,
        path: &str,
        action: &str,
        id: i64,
    ) -> Result<Option<Value>> {
        for page in 1..=MAX_PAGES {
            let body = self.list(runner, path, action, PAGE, page).await?;
            let rows = body
                .get("retlist")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if let Some(row) = rows.iter().find(|row| row.get("id") == Some(&json!(id))) {
                return Ok(Some(row.clone()));
            }
            // Newest first: once a page ends below the id, the row is not further on.
            let last = rows
                .last()
                .and_then(|row| row.get("id"))
                .and_then(Value::as_i64);
            if rows.len() < usize::try_from(PAGE)? || last.is_some_and(|last| last < id) {
                break;
            }
        }
        Ok(None)
    }

    /// The read-back of a successful write: the problems found (none when it holds).
    pub(super) async fn read_back(
        &self,
        runner: &Runner,
        written: &Request,
        answer: &Value,
    ) -> Vec<String> {
        match self.check_write(runner, written, answer).await {
            Ok(problems) => problems,
            Err(error) => vec![format!("reading the write back failed: {error:#}")],
        }
    }

    async fn check_write(
        &self,
        runner: &Runner,
        written: &Request,
        answer: &Value,
    ) -> Result<Vec<String>> {
        let Some(body) = written.body_value() else {
            return Ok(Vec::new());
        };
        let action = body.get("action").and_then(Value::as_str).unwrap_or("");
        if action == "modify_my_profile" {
            let mut get = request("GET", "/api/mgr/profile");
            get.set_query("action", "get_my_profile");
            let read = self.call(runner, get).await?;
            let stored = read.get("profile").cloned().unwrap_or(Value::Null);
            let sent = body.get("profile").cloned().unwrap_or(Value::Null);
            return Ok(differing("the profile", &sent, &stored, &[]));
        }
        let Some((path, list, noun)) = list_of(action) else {
            return Ok(Vec::new());
        };
        let id = if action.starts_with("add_") {
            answer.get("id").and_then(Value::as_i64)
        } else {
            body.get("id").and_then(Value::as_i64)
        };
        let Some(id) = id else {
            return Ok(Vec::new());
        };
        let what = format!("{noun} {id}");
        let row = self.find_row(runner, path, list, id).await?;
        if action.starts_with("del_") {
            return Ok(match row {
                Some(_) => vec![format!(
                    "{what} was deleted (ret 0) but {list} still shows it"
                )],
                None => Vec::new(),
            });
        }
        let Some(row) = row else {
            return Ok(vec![format!(
                "{what} was written (ret 0) but {list} does not show it"
            )]);
        };
        let data = if action.starts_with("add_") || action == "modify_order" {
            body.get("data")
        } else {
            body.get("newdata")
        };
        let data = data.cloned().unwrap_or(Value::Null);
        Ok(if noun == "order" {
            let mut problems = differing(&what, &data, &row, &["medicinelist", "deletelist"]);
            problems.extend(order_lines(&what, &data, &row));
            problems
        } else {
            differing(&what, &data, &row, &[])
        })
    }
}
