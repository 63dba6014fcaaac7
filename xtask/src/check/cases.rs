//! Cases: responses and their examples, request examples, how they pair, and the envelope rules.
//!
//! A case is a named response example; the request examples of the same name make up its
//! request (see "Cases" in `openapi/README.md`).

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::document::{deref, join};
use super::operation::{Operation, parameter_entries};
use super::schema::Validators;
use super::{Report, is_snake_case};

/// The values of `x-auth` on a response example (README, "Cases").
const AUTH_MODES: [&str; 5] = ["none", "malformed", "expired", "replaced", "valid"];

/// The roles a case may be sent as with `x-role`: those of `x-roles` but `public`.
const CALLER_ROLES: [&str; 4] = ["admin", "instlead", "deptlead", "applicant"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MediaKind {
    Json,
    Form,
    Multipart,
    /// Anything else: files, images, spreadsheets. Their examples may omit `value`.
    Binary,
}

impl MediaKind {
    fn of(media_type: &str) -> Self {
        let essence = media_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        if essence == "application/json" || essence.ends_with("+json") {
            Self::Json
        } else if essence == "application/x-www-form-urlencoded" {
            Self::Form
        } else if essence.starts_with("multipart/") {
            Self::Multipart
        } else {
            Self::Binary
        }
    }
}

/// Where a response example was found, for pairing and for messages.
struct ResponseCase<'d> {
    status: String,
    media_type: String,
    value: Option<&'d Value>,
}

impl ResponseCase<'_> {
    fn place(&self) -> String {
        format!("response {} {}", self.status, self.media_type)
    }
}

/// A named `examples` map with what it is checked against.
struct ExampleSet<'d> {
    /// How messages name the place: `response 200 application/json`, `parameter `id` (query)`.
    place: String,
    kind: MediaKind,
    /// JSON pointer of the schema the examples must validate against.
    schema: Option<String>,
    /// JSON pointer of the `examples` map.
    pointer: String,
    examples: &'d Map<String, Value>,
}

pub(crate) fn check_cases<'d>(
    report: &mut Report<'_>,
    doc: &'d Value,
    validators: &mut Validators<'_>,
    op: &Operation<'d>,
) {
    let cases = check_responses(report, doc, validators, op);
    for set in request_example_sets(report, doc, op) {
        check_request_examples(report, doc, validators, op, &set, &cases);
    }
}

fn is_http_status(key: &str) -> bool {
    key.len() == 3
        && key.bytes().all(|b| b.is_ascii_digit())
        && (b'1'..=b'5').contains(&key.as_bytes()[0])
}

/// Checks every response and returns its examples by case name.
fn check_responses<'d>(
    report: &mut Report<'_>,
    doc: &'d Value,
    validators: &mut Validators<'_>,
    op: &Operation<'d>,
) -> HashMap<String, ResponseCase<'d>> {
    let mut cases: HashMap<String, ResponseCase<'d>> = HashMap::new();
    let Some(responses) = op
        .value
        .get("responses")
        .and_then(Value::as_object)
        .filter(|responses| !responses.is_empty())
    else {
        report.for_op(op, None, "has no responses");
        return cases;
    };
    let responses_pointer = join(&op.pointer, "responses");
    for (status, response) in responses {
        if status == "default" {
            report.for_op(
                op,
                None,
                "has a `default` response; key every response by its real HTTP status code",
            );
        } else if !is_http_status(status) {
            report.for_op(
                op,
                None,
                format!("response key `{status}` is not an HTTP status code"),
            );
        }
        // Unresolvable references are reported once, by the `$ref` check.
        let Ok((pointer, response)) = deref(doc, join(&responses_pointer, status), response) else {
            continue;
        };
        check_header_examples(report, doc, validators, op, status, &pointer, response);
        let Some(content) = response
            .get("content")
            .and_then(Value::as_object)
            .filter(|content| !content.is_empty())
        else {
            report.for_op(
                op,
                None,
                format!("response {status} has no `content` (every response needs an example)"),
            );
            continue;
        };
        for (media_type, media) in content {
            let media_pointer = join(&join(&pointer, "content"), media_type);
            let kind = MediaKind::of(media_type);
            let place = format!("response {status} {media_type}");
            let Some(set) = example_set(report, op, place, kind, &media_pointer, media, true)
            else {
                continue;
            };
            for (name, entry) in set.examples {
                check_case_name(report, op, name, &set.place);
                check_case_extensions(report, doc, op, name, entry, &set.place);
                let Some(value) =
                    checked_example(report, doc, validators, op, &set, name, entry, false)
                else {
                    continue;
                };
                if kind == MediaKind::Json
                    && let (Some(envelope), Some(value)) = (op.envelope(), value)
                {
                    for problem in envelope_problems(envelope.name, value) {
                        report.for_op(op, Some(name), format!("{}: {problem}", set.place));
                    }
                }
                let case = ResponseCase {
                    status: status.clone(),
                    media_type: media_type.clone(),
                    value,
                };
                if let Some(first) = cases.get(name) {
                    report.for_op(
                        op,
                        Some(name),
                        format!(
                            "{}: the name is already used by an example of {}; \
                             case names are unique within an operation",
                            case.place(),
                            first.place()
                        ),
                    );
                } else {
                    cases.insert(name.clone(), case);
                }
            }
        }
    }
    cases
}

/// Every response header has an `example` that matches its schema: mock servers such as Prism
/// answer a header with its example, and without one they make up a value that may break the
/// schema (a token that is not `Bearer <jwt>`), which misleads front ends developed against
/// the mock.
fn check_header_examples(
    report: &mut Report<'_>,
    doc: &Value,
    validators: &mut Validators<'_>,
    op: &Operation<'_>,
    status: &str,
    response_pointer: &str,
    response: &Value,
) {
    let Some(headers) = response.get("headers").and_then(Value::as_object) else {
        return;
    };
    let headers_pointer = join(response_pointer, "headers");
    for (name, header) in headers {
        // Unresolvable references are reported once, by the `$ref` check.
        let Ok((pointer, header)) = deref(doc, join(&headers_pointer, name), header) else {
            continue;
        };
        let place = format!("response {status} header {name}");
        let Some(example) = header.get("example") else {
            report.for_op(
                op,
                None,
                format!("{place} has no `example` (mock servers answer it with a made-up value)"),
            );
            continue;
        };
        if header.get("schema").is_none() {
            report.for_op(op, None, format!("{place} has no `schema`"));
            continue;
        }
        match validators.validate(&join(&pointer, "schema"), example) {
            Ok(errors) => {
                for error in errors {
                    report.for_op(
                        op,
                        None,
                        format!("{place}: the example does not match its schema {error}"),
                    );
                }
            }
            Err(message) => report.for_op(op, None, format!("{place}: {message}")),
        }
    }
}

/// The `examples` of a media type (or parameter) with the schema they are checked against.
/// `None` when there are none; a response (`required`) must have some.
fn example_set<'d>(
    report: &mut Report<'_>,
    op: &Operation<'_>,
    place: String,
    kind: MediaKind,
    pointer: &str,
    holder: &'d Value,
    required: bool,
) -> Option<ExampleSet<'d>> {
    let schema = holder.get("schema").map(|_| join(pointer, "schema"));
    if schema.is_none() && kind != MediaKind::Binary {
        report.for_op(op, None, format!("{place} has no `schema`"));
    }
    let examples = holder
        .get("examples")
        .and_then(Value::as_object)
        .filter(|examples| !examples.is_empty());
    if examples.is_none() && required {
        let hint = if holder.get("example").is_some() {
            " (a single `example` names no case; use `examples`)"
        } else {
            ""
        };
        report.for_op(op, None, format!("{place} has no named `examples`{hint}"));
    }
    Some(ExampleSet {
        place,
        kind,
        schema,
        pointer: join(pointer, "examples"),
        examples: examples?,
    })
}

fn check_case_name(report: &mut Report<'_>, op: &Operation<'_>, name: &str, place: &str) {
    if !is_snake_case(name) {
        report.for_op(
            op,
            Some(name),
            format!("{place}: the example name is not snake_case"),
        );
    }
}

/// `x-auth` and `x-role` on a response example say how its case is sent.
fn check_case_extensions(
    report: &mut Report<'_>,
    doc: &Value,
    op: &Operation<'_>,
    name: &str,
    entry: &Value,
    place: &str,
) {
    let Ok((_, example)) = deref(doc, String::new(), entry) else {
        return;
    };
    let checks: [(&str, &[&str]); 2] = [("x-auth", &AUTH_MODES), ("x-role", &CALLER_ROLES)];
    for (key, allowed) in checks {
        if let Some(value) = example.get(key)
            && !value.as_str().is_some_and(|value| allowed.contains(&value))
        {
            report.for_op(
                op,
                Some(name),
                format!(
                    "{place}: `{key}` is {value}, expected one of {}",
                    allowed.join(", ")
                ),
            );
        }
    }
}

/// Resolves one example, checks it has a value where one is needed and that the value matches
/// the schema (unless `skip_schema`). Returns the value (`Some(None)`: a binary example without
/// one), or `None` when the example cannot be read.
#[expect(
    clippy::too_many_arguments,
    reason = "one call site per kind of example set"
)]
fn checked_example<'d>(
    report: &mut Report<'_>,
    doc: &'d Value,
    validators: &mut Validators<'_>,
    op: &Operation<'_>,
    set: &ExampleSet<'d>,
    name: &str,
    entry: &'d Value,
    skip_schema: bool,
) -> Option<Option<&'d Value>> {
    let (_, example) = deref(doc, join(&set.pointer, name), entry).ok()?;
    let place = &set.place;
    let Some(value) = example.get("value") else {
        if set.kind != MediaKind::Binary {
            let how = if example.get("externalValue").is_some() {
                " (`externalValue` cannot be checked; inline the value)"
            } else {
                ""
            };
            report.for_op(
                op,
                Some(name),
                format!("{place}: the example has no `value`{how}"),
            );
        }
        return Some(None);
    };
    if let (Some(schema), false) = (&set.schema, skip_schema) {
        match validators.validate(schema, value) {
            Ok(errors) => {
                for error in errors {
                    report.for_op(
                        op,
                        Some(name),
                        format!("{place}: the example does not match its schema {error}"),
                    );
                }
            }
            Err(message) => report.for_op(op, Some(name), format!("{place}: {message}")),
        }
    }
    Some(Some(value))
}

/// What is wrong with a JSON response body under the given envelope.
fn envelope_problems(envelope: &str, body: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    match envelope {
        "ret" => match body.get("ret").and_then(Value::as_i64) {
            None => problems.push("the body has no integer `ret`".to_owned()),
            Some(0) => {}
            Some(ret) => {
                if !body.get("msg").is_some_and(Value::is_string) {
                    problems.push(format!("`ret` is {ret} but the body has no string `msg`"));
                }
            }
        },
        "code" => {
            let success = body.get("success").and_then(Value::as_bool);
            let code = body.get("code").and_then(Value::as_i64);
            if success.is_none() {
                problems.push("the body has no boolean `success`".to_owned());
            }
            if code.is_none() {
                problems.push("the body has no integer `code`".to_owned());
            }
            for key in ["msg", "data"] {
                if body.get(key).is_none() {
                    problems.push(format!("the body has no `{key}`"));
                }
            }
            if let (Some(success), Some(code)) = (success, code)
                && success != (code == 1)
            {
                problems.push(format!(
                    "`success` is {success} but `code` is {code} (success is true exactly when code is 1)"
                ));
            }
        }
        _ => {}
    }
    problems
}

/// Whether a case's response is an error: a non-2xx status, or an error envelope.
fn is_error_response(envelope: &str, case: &ResponseCase<'_>) -> bool {
    if !case.status.starts_with('2') {
        return true;
    }
    let Some(body) = case.value else {
        return false;
    };
    match envelope {
        "ret" => body
            .get("ret")
            .and_then(Value::as_i64)
            .is_some_and(|ret| ret != 0),
        "code" => body.get("success").and_then(Value::as_bool) == Some(false),
        _ => false,
    }
}

/// Every parameter's and request media type's examples.
fn request_example_sets<'d>(
    report: &mut Report<'_>,
    doc: &'d Value,
    op: &Operation<'d>,
) -> Vec<ExampleSet<'d>> {
    let mut sets = Vec::new();
    for (pointer, entry) in parameter_entries(doc, op) {
        let Ok((pointer, parameter)) = deref(doc, pointer, entry) else {
            continue;
        };
        let name = parameter.get("name").and_then(Value::as_str).unwrap_or("?");
        let location = parameter.get("in").and_then(Value::as_str).unwrap_or("?");
        let place = format!("parameter `{name}` ({location})");
        if let Some(content) = parameter.get("content").and_then(Value::as_object) {
            for (media_type, media) in content {
                let media_pointer = join(&join(&pointer, "content"), media_type);
                sets.extend(example_set(
                    report,
                    op,
                    format!("{place} {media_type}"),
                    MediaKind::of(media_type),
                    &media_pointer,
                    media,
                    false,
                ));
            }
        } else {
            sets.extend(example_set(
                report,
                op,
                place,
                MediaKind::Json,
                &pointer,
                parameter,
                false,
            ));
        }
    }
    if let Some(body) = op.value.get("requestBody")
        && let Ok((pointer, body)) = deref(doc, join(&op.pointer, "requestBody"), body)
        && let Some(content) = body.get("content").and_then(Value::as_object)
    {
        for (media_type, media) in content {
            let media_pointer = join(&join(&pointer, "content"), media_type);
            sets.extend(example_set(
                report,
                op,
                format!("request body {media_type}"),
                MediaKind::of(media_type),
                &media_pointer,
                media,
                false,
            ));
        }
    }
    sets
}

fn check_request_examples<'d>(
    report: &mut Report<'_>,
    doc: &'d Value,
    validators: &mut Validators<'_>,
    op: &Operation<'d>,
    set: &ExampleSet<'d>,
    cases: &HashMap<String, ResponseCase<'d>>,
) {
    for (name, entry) in set.examples {
        check_case_name(report, op, name, &set.place);
        let invalid = deref(doc, String::new(), entry)
            .ok()
            .and_then(|(_, example)| example.get("x-invalid-request"));
        let invalid = match invalid {
            None | Some(Value::Bool(false)) => false,
            Some(Value::Bool(true)) => true,
            Some(other) => {
                report.for_op(
                    op,
                    Some(name),
                    format!(
                        "{}: `x-invalid-request` is {other}, not a boolean",
                        set.place
                    ),
                );
                false
            }
        };
        if checked_example(report, doc, validators, op, set, name, entry, invalid).is_none() {
            continue;
        }
        match cases.get(name) {
            None => report.for_op(
                op,
                Some(name),
                format!(
                    "{}: orphan request example: no response example has this name",
                    set.place
                ),
            ),
            // With an unknown envelope nothing can be said about error-ness; that problem is
            // reported once, by the `x-envelope` check.
            Some(case)
                if invalid
                    && op
                        .envelope()
                        .is_some_and(|envelope| !is_error_response(envelope.name, case)) =>
            {
                report.for_op(
                    op,
                    Some(name),
                    format!(
                        "{}: the example has `x-invalid-request: true` but its case answers {}, \
                         which is not an error (mgr: ret != 0; procurement: success false; \
                         or a non-2xx status)",
                        set.place,
                        case.place()
                    ),
                );
            }
            Some(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn media_kinds_follow_the_essence_of_the_type() {
        assert_eq!(
            MediaKind::of("application/json;charset=UTF-8"),
            MediaKind::Json
        );
        assert_eq!(MediaKind::of("application/problem+json"), MediaKind::Json);
        assert_eq!(MediaKind::of("multipart/form-data"), MediaKind::Multipart);
        assert_eq!(
            MediaKind::of("application/x-www-form-urlencoded"),
            MediaKind::Form
        );
        assert_eq!(
            MediaKind::of("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            MediaKind::Binary
        );
    }

    #[test]
    fn ret_envelope_needs_msg_only_on_errors() {
        assert!(envelope_problems("ret", &json!({"ret": 0})).is_empty());
        assert_eq!(envelope_problems("ret", &json!({"ret": 1})).len(), 1);
        assert_eq!(envelope_problems("ret", &json!({"msg": "x"})).len(), 1);
    }

    #[test]
    fn code_envelope_ties_success_to_code_one() {
        let ok = json!({"success": true, "code": 1, "msg": "成功", "data": null});
        assert!(envelope_problems("code", &ok).is_empty());
        let mixed = json!({"success": true, "code": 0, "msg": "失败", "data": null});
        assert_eq!(envelope_problems("code", &mixed).len(), 1);
        assert_eq!(
            envelope_problems("code", &json!({"success": false})).len(),
            3
        );
    }

    #[test]
    fn status_keys_are_three_digit_codes() {
        assert!(is_http_status("200"));
        assert!(is_http_status("302"));
        assert!(!is_http_status("2XX"));
        assert!(!is_http_status("600"));
        assert!(!is_http_status("default"));
    }
}
