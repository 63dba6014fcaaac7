//! Validating examples against the schemas of the same document, with `jsonschema`.
//!
//! A schema may `$ref` any component, so each validator is compiled with the whole spec as its
//! root plus a `$ref` to the JSON pointer of the schema in question. OpenAPI's own keywords
//! (`paths`, `components`...) are unknown to JSON Schema and ignored, and every `#/components/...`
//! reference resolves against the document itself. Validators are cached per pointer.

use std::collections::HashMap;

use jsonschema::error::ValidationErrorKind;
use jsonschema::{Draft, ValidationError, Validator};
use serde_json::Value;

use super::document::fragment_encode;

pub(crate) struct Validators<'d> {
    doc: &'d Value,
    cache: HashMap<String, Result<Validator, String>>,
}

impl<'d> Validators<'d> {
    pub(crate) fn new(doc: &'d Value) -> Self {
        Self {
            doc,
            cache: HashMap::new(),
        }
    }

    /// Validates `instance` against the schema at `pointer`: `Ok` with one line per error
    /// (instance path and message), or `Err` when the schema itself does not compile.
    pub(crate) fn validate(
        &mut self,
        pointer: &str,
        instance: &Value,
    ) -> Result<Vec<String>, String> {
        let doc = self.doc;
        let validator = self
            .cache
            .entry(pointer.to_owned())
            .or_insert_with(|| compile(doc, pointer));
        match validator {
            Ok(validator) => Ok(validator
                .iter_errors(instance)
                .map(|error| describe(&error))
                .collect()),
            Err(message) => Err(message.clone()),
        }
    }
}

/// One error as `at /path: message`; a failed `oneOf`/`anyOf` also says why each branch failed,
/// since "not valid under any of the schemas" alone does not tell a spec author what to fix.
fn describe(error: &ValidationError<'_>) -> String {
    let path = error.instance_path().to_string();
    let path = if path.is_empty() {
        "/".to_owned()
    } else {
        path
    };
    let mut text = format!("at {path}: {error}");
    if let ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } =
        error.kind()
    {
        for (index, branch) in context.iter().enumerate() {
            let reasons: Vec<String> = branch.iter().take(3).map(describe).collect();
            text.push_str(&format!(" [branch {index}: {}]", reasons.join("; ")));
        }
    }
    text
}

fn compile(doc: &Value, pointer: &str) -> Result<Validator, String> {
    let mut root = doc.clone();
    let Some(map) = root.as_object_mut() else {
        return Err("the document is not an object".to_owned());
    };
    // The document's own identifiers must not change how the pointer resolves.
    map.remove("$id");
    map.remove("$schema");
    map.insert(
        "$ref".to_owned(),
        Value::String(format!("#{}", fragment_encode(pointer))),
    );
    jsonschema::options()
        .with_draft(Draft::Draft202012)
        .build(&root)
        .map_err(|error| format!("the schema at {pointer} does not compile: {error}"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn component_refs_resolve_inside_inline_schemas() {
        let doc = json!({
            "openapi": "3.1.0",
            "paths": {"/a/{id}": {"get": {"schema": {"$ref": "#/components/schemas/N"}}}},
            "components": {"schemas": {"N": {"type": "object", "required": ["n"],
                "properties": {"n": {"type": "integer"}}}}}
        });
        let mut validators = Validators::new(&doc);
        let pointer = "/paths/~1a~1{id}/get/schema";
        assert_eq!(validators.validate(pointer, &json!({"n": 1})), Ok(vec![]));
        let errors = validators.validate(pointer, &json!({"n": "x"})).unwrap();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].starts_with("at /n:"), "{errors:?}");
    }
}
