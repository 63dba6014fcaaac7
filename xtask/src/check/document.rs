//! JSON pointers and `$ref`s inside one self-contained spec document.

use serde_json::Value;

use super::Report;

/// How many `$ref` hops are followed before a chain is called a cycle.
const MAX_REF_HOPS: usize = 16;

/// Escapes one reference token for a JSON pointer (RFC 6901).
pub(crate) fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Appends `token` to `pointer`.
pub(crate) fn join(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", escape_token(token))
}

/// Percent-encodes a JSON pointer for use as a URI fragment.
pub(crate) fn fragment_encode(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for byte in pointer.bytes() {
        let keep = byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?".contains(&byte);
        if keep {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn percent_decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text
                .get(i + 1..i + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                .ok_or_else(|| format!("bad percent-escape in `{text}`"))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("`{text}` does not decode to UTF-8"))
}

/// Resolves an internal reference (`#/a/b~1c`) to the pointer it names and the value there.
pub(crate) fn resolve_ref<'d>(
    doc: &'d Value,
    reference: &str,
) -> Result<(String, &'d Value), String> {
    let Some(fragment) = reference.strip_prefix('#') else {
        return Err(format!(
            "`$ref: {reference}` is external; the specs must be self-contained (`#/...`)"
        ));
    };
    let pointer = percent_decode(fragment)?;
    if !pointer.is_empty() && !pointer.starts_with('/') {
        return Err(format!("`$ref: {reference}` is not a JSON pointer"));
    }
    // serde_json's `pointer` already unescapes `~1` and `~0`.
    doc.pointer(&pointer)
        .map(|target| (pointer, target))
        .ok_or_else(|| format!("`$ref: {reference}` does not resolve"))
}

/// Follows `$ref` hops from `value` (found at `pointer`) to a value that is not a reference.
pub(crate) fn deref<'d>(
    doc: &'d Value,
    pointer: String,
    value: &'d Value,
) -> Result<(String, &'d Value), String> {
    let mut current = (pointer, value);
    for _ in 0..MAX_REF_HOPS {
        match current.1.get("$ref").and_then(Value::as_str) {
            Some(reference) => current = resolve_ref(doc, reference)?,
            None => return Ok(current),
        }
    }
    Err(format!(
        "`$ref` chain from {} is a cycle or too long",
        current.0
    ))
}

/// Reports every `$ref` in the document that is external or does not resolve.
pub(crate) fn check_refs(report: &mut Report<'_>, doc: &Value) {
    let mut stack = vec![(String::new(), doc)];
    while let Some((pointer, value)) = stack.pop() {
        match value {
            Value::Object(map) => {
                if let Some(reference) = map.get("$ref") {
                    let problem = match reference.as_str() {
                        Some(reference) => resolve_ref(doc, reference).err(),
                        None => Some("`$ref` is not a string".to_owned()),
                    };
                    if let Some(message) = problem {
                        let (operation, case) = locate(doc, &pointer);
                        report.push(
                            operation.as_deref(),
                            case.as_deref(),
                            format!("at {pointer}: {message}"),
                        );
                    }
                }
                for (key, child) in map.iter().rev() {
                    stack.push((join(&pointer, key), child));
                }
            }
            Value::Array(items) => {
                for (index, child) in items.iter().enumerate().rev() {
                    stack.push((join(&pointer, &index.to_string()), child));
                }
            }
            _ => {}
        }
    }
}

/// Names the operation and example a pointer lies in, when it lies in one.
fn locate(doc: &Value, pointer: &str) -> (Option<String>, Option<String>) {
    let tokens: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|token| token.replace("~1", "/").replace("~0", "~"))
        .collect();
    let case = tokens
        .iter()
        .position(|token| token == "examples")
        .and_then(|at| tokens.get(at + 1))
        .cloned();
    let operation = match tokens.as_slice() {
        [paths, path, method, ..] if paths == "paths" => {
            let id = doc
                .get("paths")
                .and_then(|paths| paths.get(path))
                .and_then(|item| item.get(method))
                .and_then(|op| op.get("operationId"))
                .and_then(Value::as_str);
            Some(id.map_or_else(
                || format!("{} {path}", method.to_uppercase()),
                str::to_owned,
            ))
        }
        _ => None,
    };
    (operation, case)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn refs_unescape_tilde_and_slash_and_percent() {
        let doc = json!({"paths": {"/a/{id}": {"x~y": 1}}});
        let (pointer, value) = resolve_ref(&doc, "#/paths/~1a~1%7Bid%7D/x~0y").unwrap();
        assert_eq!(pointer, "/paths/~1a~1{id}/x~0y");
        assert_eq!(value, &json!(1));
    }

    #[test]
    fn external_refs_are_refused() {
        let doc = json!({});
        let error = resolve_ref(&doc, "other.yaml#/x").unwrap_err();
        assert!(error.contains("external"), "{error}");
    }

    #[test]
    fn ref_cycles_are_reported_not_followed_forever() {
        let doc = json!({"a": {"$ref": "#/b"}, "b": {"$ref": "#/a"}});
        assert!(deref(&doc, "/a".to_owned(), &doc["a"]).is_err());
    }

    #[test]
    fn fragments_encode_braces_but_keep_slashes() {
        assert_eq!(fragment_encode("/paths/~1a~1{id}"), "/paths/~1a~1%7Bid%7D");
    }
}
