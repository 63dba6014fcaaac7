//! Spec drift for procurement: the operations utoipa derives from the handlers' annotations
//! must match `openapi/procurement.yaml` in paths, methods, operationIds, parameters (name,
//! place, required, type), request media types and response status codes.
//!
//! TODO-correctness: response and request schemas are not compared yet (the mgr drift test
//! does); the integration tests check the bodies against the spec's examples instead.

use std::collections::BTreeSet;

use serde_json::Value;

const METHODS: [&str; 4] = ["get", "post", "put", "delete"];

fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    let mut value = value;
    for _ in 0..16 {
        match value.get("$ref").and_then(Value::as_str) {
            Some(reference) => match doc.pointer(reference.trim_start_matches('#')) {
                Some(target) => value = target,
                None => return value,
            },
            None => return value,
        }
    }
    value
}

fn kind(doc: &Value, schema: Option<&Value>) -> String {
    let Some(schema) = schema else {
        return "any".to_owned();
    };
    let schema = resolve(doc, schema);
    match schema.get("type") {
        Some(Value::String(kind)) => kind.clone(),
        Some(Value::Array(kinds)) => kinds
            .iter()
            .filter_map(Value::as_str)
            .find(|kind| *kind != "null")
            .unwrap_or("null")
            .to_owned(),
        _ => "any".to_owned(),
    }
}

fn facts(doc: &Value) -> Vec<String> {
    let mut lines = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let at = format!("{} {path}", method.to_uppercase());
            lines.insert(format!(
                "{at} operationId {}",
                operation["operationId"].as_str().unwrap_or("?")
            ));
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let parameter = resolve(doc, parameter);
                lines.insert(format!(
                    "{at} parameter {} {} required={} {}",
                    parameter["in"].as_str().unwrap_or("?"),
                    parameter["name"].as_str().unwrap_or("?"),
                    parameter
                        .get("required")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                    kind(doc, parameter.get("schema")),
                ));
            }
            if let Some(body) = operation.get("requestBody") {
                for media in resolve(doc, body)["content"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(media, _)| media)
                {
                    lines.insert(format!("{at} request {media}"));
                }
            }
            for (status, _) in operation["responses"].as_object().into_iter().flatten() {
                lines.insert(format!("{at} response {status}"));
            }
        }
    }
    lines.into_iter().collect()
}

#[test]
fn the_procurement_handlers_match_the_checked_in_spec() {
    let spec: Value = yaml_serde::from_str(include_str!("../../../openapi/procurement.yaml"))
        .expect("procurement.yaml");
    let code =
        serde_json::to_value(medsys_server::procurement::derived_openapi()).expect("derived doc");
    let (spec, code) = (facts(&spec), facts(&code));
    assert_eq!(
        spec.iter()
            .filter(|line| line.contains("operationId"))
            .count(),
        35
    );
    if spec != code {
        let spec_text = spec.join("\n") + "\n";
        let code_text = code.join("\n") + "\n";
        let mut out = String::from("- only in openapi/procurement.yaml, + only in the code:\n");
        for change in similar::TextDiff::from_lines(&spec_text, &code_text).iter_all_changes() {
            match change.tag() {
                similar::ChangeTag::Delete => out.push_str(&format!("- {change}")),
                similar::ChangeTag::Insert => out.push_str(&format!("+ {change}")),
                similar::ChangeTag::Equal => {}
            }
        }
        panic!("{out}");
    }
}
