//! Operations: finding them, and the rules on `operationId`, `x-envelope`, `x-action` and `x-roles`.

use std::collections::HashMap;

use serde_json::Value;

use super::document::{deref, join};
use super::{Report, is_snake_case};

/// The HTTP methods an OpenAPI path item may hold, in the order they are reported.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The envelopes an operation may declare in `x-envelope`, and what each requires.
pub(crate) struct Envelope {
    pub name: &'static str,
    /// Whether every operation with this envelope must list its callers in `x-roles`.
    pub requires_roles: bool,
}

pub(crate) const ENVELOPES: [Envelope; 2] = [
    // mgr: `{"ret": N, "msg": ...}`, one session role.
    Envelope {
        name: "ret",
        requires_roles: false,
    },
    // procurement: `{"success", "code", "msg", "data"}`, callers by role.
    Envelope {
        name: "code",
        requires_roles: true,
    },
];

/// The roles `x-roles` may name; `public` stands alone.
const KNOWN_ROLES: [&str; 5] = ["admin", "instlead", "deptlead", "applicant", "public"];

/// One operation of the document.
pub(crate) struct Operation<'d> {
    /// `operationId`, or `METHOD /path` when there is none: what problems are reported against.
    pub label: String,
    pub method: &'static str,
    pub path: String,
    /// JSON pointer of the operation object.
    pub pointer: String,
    pub value: &'d Value,
    /// JSON pointer and value of the (dereferenced) path item, for shared parameters.
    pub path_item: (String, &'d Value),
}

impl Operation<'_> {
    pub(crate) fn id(&self) -> Option<&str> {
        self.value.get("operationId").and_then(Value::as_str)
    }

    pub(crate) fn envelope(&self) -> Option<&'static Envelope> {
        let name = self.value.get("x-envelope").and_then(Value::as_str)?;
        ENVELOPES.iter().find(|envelope| envelope.name == name)
    }
}

/// Lists every operation under `paths`, reporting path items that cannot be read.
pub(crate) fn operations<'d>(report: &mut Report<'_>, doc: &'d Value) -> Vec<Operation<'d>> {
    let mut found = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        report.push(None, None, "`paths` is missing or not an object");
        return found;
    };
    for (path, item) in paths {
        let item_pointer = join("/paths", path);
        let (item_pointer, item) = match deref(doc, item_pointer, item) {
            Ok(resolved) => resolved,
            Err(message) => {
                report.push(None, None, format!("path `{path}`: {message}"));
                continue;
            }
        };
        for method in METHODS {
            let Some(value) = item.get(method) else {
                continue;
            };
            let label = match value.get("operationId").and_then(Value::as_str) {
                Some(id) if !id.is_empty() => id.to_owned(),
                _ => format!("{} {path}", method.to_uppercase()),
            };
            found.push(Operation {
                label,
                method,
                path: path.clone(),
                pointer: join(&item_pointer, method),
                value,
                path_item: (item_pointer.clone(), item),
            });
        }
    }
    found
}

/// operationIds are present, unique in the file and snake_case.
pub(crate) fn check_operation_ids(report: &mut Report<'_>, operations: &[Operation<'_>]) {
    let mut seen: HashMap<&str, String> = HashMap::new();
    for op in operations {
        let Some(id) = op.id() else {
            report.for_op(op, None, "has no `operationId`");
            continue;
        };
        if !is_snake_case(id) {
            report.for_op(op, None, format!("operationId `{id}` is not snake_case"));
        }
        let here = format!("{} {}", op.method.to_uppercase(), op.path);
        if let Some(first) = seen.get(id) {
            report.for_op(
                op,
                None,
                format!("duplicate operationId `{id}` (at {here}; first at {first})"),
            );
        } else {
            seen.insert(id, here);
        }
    }
}

/// `x-envelope`, `x-action` and `x-roles`.
pub(crate) fn check_extensions(report: &mut Report<'_>, doc: &Value, op: &Operation<'_>) {
    match op.value.get("x-envelope") {
        None => report.for_op(op, None, "has no `x-envelope` (`ret` or `code`)"),
        Some(value) if op.envelope().is_none() => report.for_op(
            op,
            None,
            format!("`x-envelope` is {value}, expected `ret` or `code`"),
        ),
        Some(_) => {}
    }
    if let Some(action) = op.value.get("x-action") {
        check_action(report, doc, op, action);
    }
    match op.value.get("x-roles") {
        Some(roles) => check_roles(report, op, roles),
        None if op
            .envelope()
            .is_some_and(|envelope| envelope.requires_roles) =>
        {
            report.for_op(op, None, "has no `x-roles`");
        }
        None => {}
    }
}

fn check_action(report: &mut Report<'_>, doc: &Value, op: &Operation<'_>, action: &Value) {
    let Some(action) = action.as_str() else {
        report.for_op(op, None, format!("`x-action` is {action}, not a string"));
        return;
    };
    if op.id() != Some(action) {
        report.for_op(
            op,
            None,
            format!("`x-action` `{action}` differs from the operationId"),
        );
    }
    let in_query = parameters(doc, op).into_iter().any(|parameter| {
        parameter.get("name").and_then(Value::as_str) == Some("action")
            && parameter.get("in").and_then(Value::as_str) == Some("query")
            && parameter.get("required").and_then(Value::as_bool) == Some(true)
            && parameter
                .get("schema")
                .is_some_and(|schema| schema_has_const(doc, schema, action))
    });
    let body_schemas: Vec<&Value> = op
        .value
        .get("requestBody")
        .and_then(|body| deref(doc, String::new(), body).ok())
        .and_then(|(_, body)| body.get("content"))
        .and_then(Value::as_object)
        .map(|content| {
            content
                .values()
                .filter_map(|media| media.get("schema"))
                .collect()
        })
        .unwrap_or_default();
    let in_body = !body_schemas.is_empty()
        && body_schemas
            .iter()
            .all(|schema| body_requires_action(doc, schema, action));
    if !in_query && !in_body {
        report.for_op(
            op,
            None,
            format!(
                "the request does not carry the action `{action}` as `const` \
                 (a required query parameter `action`, or a required body property `action` \
                 in every request media type)"
            ),
        );
    }
}

/// The parameters of an operation: the path item's, overridden by the operation's own.
pub(crate) fn parameters<'d>(doc: &'d Value, op: &Operation<'d>) -> Vec<&'d Value> {
    parameter_entries(doc, op)
        .into_iter()
        .filter_map(|(pointer, value)| deref(doc, pointer, value).ok())
        .map(|(_, value)| value)
        .collect()
}

/// The raw parameter entries (possibly `$ref`s) of an operation with their pointers, the
/// operation's own overriding the path item's of the same name and location.
pub(crate) fn parameter_entries<'d>(
    doc: &'d Value,
    op: &Operation<'d>,
) -> Vec<(String, &'d Value)> {
    let key = |value: &'d Value| {
        let value = deref(doc, String::new(), value).map_or(value, |(_, value)| value);
        (
            value.get("name").and_then(Value::as_str).map(str::to_owned),
            value.get("in").and_then(Value::as_str).map(str::to_owned),
        )
    };
    let list = |pointer: &str, owner: &'d Value| -> Vec<(String, &'d Value)> {
        let base = join(pointer, "parameters");
        owner
            .get("parameters")
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .enumerate()
                    .map(|(index, item)| (join(&base, &index.to_string()), item))
                    .collect()
            })
            .unwrap_or_default()
    };
    let own = list(&op.pointer, op.value);
    let own_keys: Vec<_> = own.iter().map(|(_, value)| key(value)).collect();
    let mut all: Vec<(String, &'d Value)> = list(&op.path_item.0, op.path_item.1)
        .into_iter()
        .filter(|(_, value)| !own_keys.contains(&key(value)))
        .collect();
    all.extend(own);
    all
}

fn schema_has_const(doc: &Value, schema: &Value, action: &str) -> bool {
    let Ok((_, schema)) = deref(doc, String::new(), schema) else {
        return false;
    };
    schema.get("const").and_then(Value::as_str) == Some(action)
        || schema
            .get("enum")
            .and_then(Value::as_array)
            .is_some_and(|values| values.len() == 1 && values[0].as_str() == Some(action))
}

/// Whether a body schema (or one of its `allOf` parts) requires an `action` property with
/// `const` equal to the action.
fn body_requires_action(doc: &Value, schema: &Value, action: &str) -> bool {
    let Ok((_, schema)) = deref(doc, String::new(), schema) else {
        return false;
    };
    let required = schema
        .get("required")
        .and_then(Value::as_array)
        .is_some_and(|names| names.iter().any(|name| name.as_str() == Some("action")));
    let has_const = schema
        .get("properties")
        .and_then(|properties| properties.get("action"))
        .is_some_and(|property| schema_has_const(doc, property, action));
    (required && has_const)
        || schema
            .get("allOf")
            .and_then(Value::as_array)
            .is_some_and(|parts| {
                parts
                    .iter()
                    .any(|part| body_requires_action(doc, part, action))
            })
}

fn check_roles(report: &mut Report<'_>, op: &Operation<'_>, roles: &Value) {
    let Some(list) = roles.as_array().filter(|list| !list.is_empty()) else {
        report.for_op(
            op,
            None,
            format!("`x-roles` is {roles}, expected a non-empty list"),
        );
        return;
    };
    for role in list {
        if !role
            .as_str()
            .is_some_and(|role| KNOWN_ROLES.contains(&role))
        {
            report.for_op(
                op,
                None,
                format!(
                    "`x-roles` names unknown role {role} (known: {})",
                    KNOWN_ROLES.join(", ")
                ),
            );
        }
    }
    if list.len() > 1 && list.iter().any(|role| role.as_str() == Some("public")) {
        report.for_op(op, None, "`x-roles` mixes `public` with other roles");
    }
}
