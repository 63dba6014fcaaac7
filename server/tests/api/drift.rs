//! Spec drift: the OpenAPI document utoipa derives from the handlers must describe the same
//! operations as the checked-in spec (paths, methods, operationIds, parameters, request bodies,
//! response statuses and schema shapes). Both are reduced to sorted one-line facts and diffed;
//! the procurement API uses the same facts (`procurement_drift.rs`).
//!
//! Not compared on purpose: descriptions, examples, `const`/`enum`/`format`/length limits (the
//! handlers enforce them; the conformance suite checks them against the examples), and `null`
//! in type lists.

use std::collections::BTreeSet;

use serde_json::Value;

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    let mut schema = schema;
    for _ in 0..32 {
        let Some(reference) = schema.get("$ref").and_then(Value::as_str) else {
            return schema;
        };
        let pointer = reference.trim_start_matches('#');
        match doc.pointer(pointer) {
            Some(target) => schema = target,
            None => return schema,
        }
    }
    schema
}

/// A compact description of a schema's shape: types, property names, required members.
fn shape(doc: &Value, schema: &Value, depth: usize) -> String {
    if depth > 12 {
        return "…".to_owned();
    }
    let schema = resolve(doc, schema);
    for key in ["oneOf", "anyOf"] {
        if let Some(branches) = schema.get(key).and_then(Value::as_array) {
            let mut parts: Vec<String> = branches
                .iter()
                .map(|branch| shape(doc, branch, depth + 1))
                .filter(|part| part != "null")
                .collect();
            parts.sort();
            parts.dedup();
            return if parts.len() == 1 {
                parts.remove(0)
            } else {
                format!("oneOf({})", parts.join(" | "))
            };
        }
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array)
        && all.len() == 1
    {
        return shape(doc, &all[0], depth + 1);
    }
    let types: Vec<String> = match schema.get("type") {
        Some(Value::String(kind)) => vec![kind.clone()],
        Some(Value::Array(kinds)) => kinds
            .iter()
            .filter_map(Value::as_str)
            .filter(|kind| *kind != "null")
            .map(str::to_owned)
            .collect(),
        _ if schema.get("properties").is_some() => vec!["object".to_owned()],
        _ => vec![],
    };
    match types.first().map(String::as_str) {
        Some("object") => {
            let required: BTreeSet<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .map(|list| list.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let mut members: Vec<String> = schema
                .get("properties")
                .and_then(Value::as_object)
                .map(|properties| {
                    properties
                        .iter()
                        .map(|(name, property)| {
                            let mark = if required.contains(name.as_str()) {
                                ""
                            } else {
                                "?"
                            };
                            format!("{name}{mark}: {}", shape(doc, property, depth + 1))
                        })
                        .collect()
                })
                .unwrap_or_default();
            members.sort();
            format!("{{{}}}", members.join(", "))
        }
        Some("array") => format!(
            "[{}]",
            schema
                .get("items")
                .map_or("any".to_owned(), |items| shape(doc, items, depth + 1))
        ),
        Some(kind) => kind.to_owned(),
        None => "any".to_owned(),
    }
}

const METHODS: [&str; 5] = ["get", "post", "put", "delete", "patch"];

/// How much of each operation [`facts`] describes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// Operations, parameters, media types, statuses and the shapes of every schema.
    Shapes,
    /// The same without request and response body shapes.
    Operations,
}

/// Every fact about the operations of `doc`, one per line, sorted.
pub fn facts(doc: &Value, depth: Depth) -> Vec<String> {
    let body_shape = |content: &Value| match depth {
        Depth::Shapes => content
            .get("schema")
            .map_or("none".to_owned(), |schema| shape(doc, schema, 0)),
        Depth::Operations => "…".to_owned(),
    };
    let mut lines = BTreeSet::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return vec![];
    };
    for (path, item) in paths {
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let at = format!("{} {path}", method.to_uppercase());
            let id = operation
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or("?");
            lines.insert(format!("{at} operationId {id}"));
            for parameter in operation
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let parameter = resolve(doc, parameter);
                let name = parameter["name"].as_str().unwrap_or("?");
                let place = parameter["in"].as_str().unwrap_or("?");
                let required = parameter
                    .get("required")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                let kind = parameter
                    .get("schema")
                    .map_or("any".to_owned(), |schema| shape(doc, schema, 0));
                lines.insert(format!(
                    "{at} parameter {place} {name} required={required} {kind}"
                ));
            }
            if let Some(body) = operation.get("requestBody") {
                let body = resolve(doc, body);
                for (media, content) in body
                    .get("content")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    lines.insert(format!("{at} request {media} {}", body_shape(content)));
                }
            }
            for (status, response) in operation
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let response = resolve(doc, response);
                let contents = response.get("content").and_then(Value::as_object);
                if depth == Depth::Operations {
                    lines.insert(format!("{at} response {status}"));
                    continue;
                }
                if contents.is_none_or(|contents| contents.is_empty()) {
                    lines.insert(format!("{at} response {status} (no body)"));
                }
                for (media, content) in contents.into_iter().flatten() {
                    lines.insert(format!(
                        "{at} response {status} {media} {}",
                        body_shape(content)
                    ));
                }
            }
        }
    }
    lines.into_iter().collect()
}

/// A readable list of differences between the spec `file` and the code, or `None` when the two
/// agree.
pub fn difference(file: &str, spec: &[String], code: &[String]) -> Option<String> {
    if spec == code {
        return None;
    }
    let spec_text = spec.join("\n") + "\n";
    let code_text = code.join("\n") + "\n";
    let diff = similar::TextDiff::from_lines(&spec_text, &code_text);
    let mut out = format!("- only in {file}, + only in the code's annotations:\n");
    for change in diff.iter_all_changes() {
        match change.tag() {
            similar::ChangeTag::Delete => out.push_str(&format!("- {change}")),
            similar::ChangeTag::Insert => out.push_str(&format!("+ {change}")),
            similar::ChangeTag::Equal => {}
        }
    }
    Some(out)
}

#[test]
fn the_handlers_annotations_match_the_checked_in_mgr_spec() {
    let spec: Value =
        yaml_serde::from_str(include_str!("../../../openapi/mgr.yaml")).expect("mgr.yaml");
    let code = serde_json::to_value(medsys_server::mgr::derived_openapi()).expect("derived doc");
    if let Some(diff) = difference(
        "openapi/mgr.yaml",
        &facts(&spec, Depth::Shapes),
        &facts(&code, Depth::Shapes),
    ) {
        panic!("the code and openapi/mgr.yaml disagree:\n{diff}");
    }
}

#[test]
fn the_drift_check_reports_a_changed_field_readably() {
    let spec: Value =
        yaml_serde::from_str(include_str!("../../../openapi/mgr.yaml")).expect("mgr.yaml");
    let mut changed = spec.clone();
    changed["components"]["schemas"]["Customer"]["properties"]["phone"] =
        changed["components"]["schemas"]["Customer"]["properties"]["phonenumber"].take();
    if let Some(properties) =
        changed["components"]["schemas"]["Customer"]["properties"].as_object_mut()
    {
        properties.remove("phonenumber");
    }
    let diff = difference(
        "openapi/mgr.yaml",
        &facts(&spec, Depth::Shapes),
        &facts(&changed, Depth::Shapes),
    )
    .expect("a difference");
    assert!(
        diff.contains("phone?: string") || diff.contains("phone: string"),
        "{diff}"
    );
}
