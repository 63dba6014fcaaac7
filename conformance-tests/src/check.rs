//! Checks one response against what the spec (and the case's plan) expects: the HTTP status, the
//! envelope exactly, the body against the operation's schema, the documented example values with
//! matchers where a value depends on state, and the headers that matter.
//!
//! Every check names what differs, in one line, so a failure reads without the diff.

use std::fmt;

use serde_json::{Map, Value};

use crate::case::set_pointer;

/// How a value that depends on state is matched instead of compared.
#[derive(Clone, Debug, PartialEq)]
pub enum Matcher {
    /// A positive integer (a row id).
    AnyId,
    /// A string of digits (a procurement order id such as `20210104`).
    DigitString,
    /// A string of digits made of this prefix and at least two more digits (a procurement order
    /// id: year, department id, a counter of two digits or more).
    IdWithPrefix(String),
    /// `yyyy-MM-dd`.
    IsoDate,
    /// `yyyy年MM月dd日`.
    CnDate,
    /// A non-empty string (a token, an opaque id).
    NonEmptyString,
    /// A non-negative integer (a count that depends on what else the deployment holds).
    Count,
    /// Anything, as long as it is present.
    Present,
    /// An array whose first items are the expected items (the rest belong to others); with
    /// `len`, the array must also have exactly that many items.
    Prefix { len: Option<usize> },
    /// An array whose last items are the expected items (an oldest-first page, where rows of
    /// others come before the suite's newest ones); with `len`, exactly that many items.
    Suffix { len: Option<usize> },
    /// The value must be exactly this (e.g. a total computed from the suite's own rows).
    Equals(Value),
}

impl fmt::Display for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Matcher::AnyId => f.write_str("a positive integer id"),
            Matcher::DigitString => f.write_str("a string of digits"),
            Matcher::IdWithPrefix(prefix) => {
                write!(
                    f,
                    "a string of digits {prefix} followed by 2 or more digits"
                )
            }
            Matcher::IsoDate => f.write_str("a date yyyy-MM-dd"),
            Matcher::CnDate => f.write_str("a date yyyy年MM月dd日"),
            Matcher::NonEmptyString => f.write_str("a non-empty string"),
            Matcher::Count => f.write_str("a count (integer ≥ 0)"),
            Matcher::Present => f.write_str("any value"),
            Matcher::Prefix { len: Some(len) } => {
                write!(f, "an array of {len} items starting with the expected ones")
            }
            Matcher::Prefix { len: None } => {
                f.write_str("an array starting with the expected items")
            }
            Matcher::Suffix { len: Some(len) } => {
                write!(f, "an array of {len} items ending with the expected ones")
            }
            Matcher::Suffix { len: None } => f.write_str("an array ending with the expected items"),
            Matcher::Equals(value) => write!(f, "{}", compact(value)),
        }
    }
}

fn is_digits(text: &str, count: usize) -> bool {
    text.len() == count && text.bytes().all(|b| b.is_ascii_digit())
}

/// `yyyy-MM-dd`.
pub fn is_iso_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() == 3 && is_digits(parts[0], 4) && is_digits(parts[1], 2) && is_digits(parts[2], 2)
}

/// `yyyy年MM月dd日`.
pub fn is_cn_date(text: &str) -> bool {
    let Some(rest) = text.strip_suffix('日') else {
        return false;
    };
    let Some((year, rest)) = rest.split_once('年') else {
        return false;
    };
    let Some((month, day)) = rest.split_once('月') else {
        return false;
    };
    is_digits(year, 4) && is_digits(month, 2) && is_digits(day, 2)
}

impl Matcher {
    fn accepts(&self, actual: &Value, expected: Option<&Value>) -> bool {
        match self {
            Matcher::AnyId => actual.as_i64().is_some_and(|n| n >= 1),
            Matcher::DigitString => actual
                .as_str()
                .is_some_and(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())),
            Matcher::IdWithPrefix(prefix) => actual.as_str().is_some_and(|s| {
                s.strip_prefix(prefix.as_str())
                    .is_some_and(|rest| rest.len() >= 2 && rest.bytes().all(|b| b.is_ascii_digit()))
            }),
            Matcher::IsoDate => actual.as_str().is_some_and(is_iso_date),
            Matcher::CnDate => actual.as_str().is_some_and(is_cn_date),
            Matcher::NonEmptyString => actual.as_str().is_some_and(|s| !s.is_empty()),
            Matcher::Count => actual.as_u64().is_some(),
            Matcher::Present => true,
            Matcher::Prefix { len } | Matcher::Suffix { len } => {
                let (Some(actual), Some(expected)) =
                    (actual.as_array(), expected.and_then(Value::as_array))
                else {
                    return false;
                };
                actual.len() >= expected.len() && len.is_none_or(|len| actual.len() == len)
            }
            Matcher::Equals(value) => actual == value,
        }
    }
}

/// One header rule.
#[derive(Clone, Debug, PartialEq)]
pub enum HeaderRule {
    /// Present; its value starts with this.
    StartsWith(String, String),
    /// Present; its value contains this.
    Contains(String, String),
    /// Present with any value.
    Present(String),
    /// Absent.
    Absent(String),
    /// A `Set-Cookie` for cookie `name` with a value as `value`, every attribute of
    /// `attributes` (with that value, compared without regard to case, when one is given), and
    /// with `lifetime`, a positive `Max-Age` or an `Expires`.
    SetCookie {
        name: String,
        value: CookieValue,
        attributes: Vec<(String, Option<String>)>,
        lifetime: bool,
    },
}

/// What a cookie's value must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CookieValue {
    /// A session id.
    NonEmpty,
    /// Cleared (a signout).
    Empty,
}

/// The problems of the `Set-Cookie` headers of `actual` for a [`HeaderRule::SetCookie`].
fn check_cookie(
    actual: &Actual,
    name: &str,
    value: CookieValue,
    attributes: &[(String, Option<String>)],
    lifetime: bool,
    problems: &mut Vec<String>,
) {
    let cookie = actual
        .headers
        .iter()
        .filter(|(header, _)| header.eq_ignore_ascii_case("set-cookie"))
        .map(|(_, text)| text)
        .find(|text| {
            text.split(';')
                .next()
                .and_then(|pair| pair.split_once('='))
                .is_some_and(|(n, _)| n.trim() == name)
        });
    let Some(cookie) = cookie else {
        problems.push(format!("header Set-Cookie: no {name} cookie"));
        return;
    };
    let mut parts = cookie.split(';').map(str::trim);
    let stored = parts
        .next()
        .and_then(|pair| pair.split_once('='))
        .map(|(_, v)| v.trim())
        .unwrap_or("");
    let found: Vec<(String, Option<String>)> = parts
        .map(|part| match part.split_once('=') {
            Some((k, v)) => (k.trim().to_owned(), Some(v.trim().to_owned())),
            None => (part.to_owned(), None),
        })
        .collect();
    match value {
        CookieValue::NonEmpty if stored.is_empty() => {
            problems.push(format!("header Set-Cookie: {name} has an empty value"));
        }
        CookieValue::Empty if !stored.is_empty() => problems.push(format!(
            "header Set-Cookie: {name} must be cleared (an empty value), got a value"
        )),
        _ => {}
    }
    let attribute = |wanted: &str| {
        found
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(wanted))
            .map(|(_, v)| v.clone())
    };
    for (wanted, want_value) in attributes {
        match (attribute(wanted), want_value) {
            (None, _) => problems.push(format!(
                "header Set-Cookie: {name} lacks the attribute {wanted}{}",
                want_value
                    .as_ref()
                    .map(|v| format!("={v}"))
                    .unwrap_or_default()
            )),
            (Some(got), Some(want)) if !got.as_deref().unwrap_or("").eq_ignore_ascii_case(want) => {
                problems.push(format!(
                    "header Set-Cookie: {name} has {wanted}={}, expected {wanted}={want}",
                    got.unwrap_or_default()
                ));
            }
            _ => {}
        }
    }
    if lifetime {
        let max_age = attribute("Max-Age")
            .flatten()
            .and_then(|v| v.parse::<i64>().ok());
        if !(max_age.is_some_and(|age| age > 0) || attribute("Expires").is_some()) {
            problems.push(format!(
                "header Set-Cookie: {name} has neither a positive Max-Age nor an Expires"
            ));
        }
    }
}

/// What the bytes of a body that is not JSON (a downloaded file) must be.
#[derive(Clone, Debug, PartialEq)]
pub enum RawBody {
    /// Exactly these bytes (a file the suite uploaded earlier).
    Exact(Vec<u8>),
    /// Bytes that start with this signature (`PK\x03\x04` for .xlsx and .docx files).
    StartsWith(Vec<u8>, &'static str),
    /// An .xlsx workbook that opens, has sheet `sheet`, and whose cells contain each text of
    /// `containing` (each in some cell of that sheet).
    Workbook {
        sheet: String,
        containing: Vec<String>,
    },
}

/// The problems of `bytes` as the workbook a [`RawBody::Workbook`] describes.
fn check_workbook(bytes: &[u8], sheet: &str, containing: &[String], problems: &mut Vec<String>) {
    use calamine::Reader as _;
    let mut workbook: calamine::Xlsx<_> =
        match calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)) {
            Ok(workbook) => workbook,
            Err(error) => {
                problems.push(format!(
                "body: expected an .xlsx workbook, got {} bytes that do not open as one ({error})",
                bytes.len()
            ));
                return;
            }
        };
    let names = workbook.sheet_names();
    if !names.iter().any(|name| name == sheet) {
        problems.push(format!(
            "body: the workbook has no sheet {sheet:?} (its sheets: {names:?})"
        ));
        return;
    }
    let cells: Vec<String> = match workbook.worksheet_range(sheet) {
        Ok(range) => range.cells().map(|(_, _, cell)| cell.to_string()).collect(),
        Err(error) => {
            problems.push(format!("body: sheet {sheet:?} does not read: {error}"));
            return;
        }
    };
    for text in containing {
        if !cells.iter().any(|cell| cell.contains(text.as_str())) {
            problems.push(format!(
                "body: no cell of sheet {sheet:?} contains {text:?}"
            ));
        }
    }
}

/// Everything a response must satisfy.
#[derive(Clone, Debug, Default)]
pub struct Expected {
    pub status: u16,
    /// The expected body (`None` for a file download: then only status and headers count).
    pub body: Option<Value>,
    /// For a file download (`body` is `None`): what its bytes must be.
    pub raw_body: Option<RawBody>,
    /// The media type the response must have.
    pub media_type: Option<String>,
    /// `ret` or `code`.
    pub envelope: String,
    /// Matchers by JSON pointer into the body.
    pub matchers: Vec<(String, Matcher)>,
    pub headers: Vec<HeaderRule>,
    /// The response schema, with `#/components` reachable from its root.
    pub schema: Option<Value>,
}

impl Expected {
    pub fn matcher(&mut self, pointer: &str, matcher: Matcher) {
        self.matchers.retain(|(p, _)| p != pointer);
        self.matchers.push((pointer.to_owned(), matcher));
    }

    /// Sets a value of the expected body.
    pub fn set(&mut self, pointer: &str, value: Value) -> anyhow::Result<()> {
        let body = self
            .body
            .as_mut()
            .ok_or_else(|| anyhow::anyhow!("the expected response has no body"))?;
        set_pointer(body, pointer, value)
    }

    /// Replaces `from` by `to` inside the expected `msg` (e.g. `id:6` → `id:1234`).
    pub fn replace_in_msg(&mut self, from: &str, to: &str) {
        if let Some(Value::String(msg)) = self.body.as_mut().and_then(|b| b.get_mut("msg")) {
            *msg = msg.replace(from, to);
        }
    }
}

/// A received response.
#[derive(Clone, Debug)]
pub struct Actual {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Actual {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// The verdict on one response.
#[derive(Clone, Debug, Default)]
pub struct Verdict {
    /// One line per difference, naming it.
    pub problems: Vec<String>,
    /// A unified diff of the expected and actual bodies (pretty JSON, Chinese unescaped).
    pub diff: Option<String>,
}

impl Verdict {
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }
}

pub fn compact(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

pub fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

/// Checks `actual` against `expected`.
pub fn check(expected: &Expected, actual: &Actual) -> Verdict {
    let mut problems = Vec::new();
    if actual.status != expected.status {
        problems.push(format!(
            "status: expected {}, got {}",
            expected.status, actual.status
        ));
    }
    check_headers(expected, actual, &mut problems);
    if expected.body.is_none()
        && let Some(rule) = &expected.raw_body
    {
        check_raw_body(rule, &actual.body, &mut problems);
    }
    let mut diff = None;
    if let Some(expected_body) = &expected.body {
        match serde_json::from_slice::<Value>(&actual.body) {
            Err(_) => problems.push(format!(
                "body: expected JSON, got {} bytes that are not JSON: {}",
                actual.body.len(),
                String::from_utf8_lossy(&actual.body[..actual.body.len().min(200)])
            )),
            Ok(actual_body) => {
                check_envelope(
                    &expected.envelope,
                    expected_body,
                    &actual_body,
                    &mut problems,
                );
                if let Some(schema) = &expected.schema {
                    check_schema(schema, &actual_body, &mut problems);
                }
                let before = problems.len();
                let normalised = apply_matchers(
                    expected_body,
                    &expected.matchers,
                    &actual_body,
                    &mut problems,
                );
                // A value a matcher refused is already named; the comparison below skips it.
                let refused: Vec<String> = expected
                    .matchers
                    .iter()
                    .map(|(pointer, _)| format!("{pointer}:"))
                    .filter(|prefix| problems[before..].iter().any(|p| p.starts_with(prefix)))
                    .collect();
                let mut differences = Vec::new();
                structural_diff("", expected_body, &normalised, &mut differences);
                let envelope_keys = envelope_keys(&expected.envelope);
                problems.extend(differences.into_iter().filter(|d| {
                    // The envelope members are already reported by name above.
                    !envelope_keys
                        .iter()
                        .any(|key| d.starts_with(&format!("/{key}:")))
                        && !refused.iter().any(|prefix| d.starts_with(prefix.as_str()))
                }));
                if *expected_body != normalised {
                    diff = Some(unified_diff(expected_body, &normalised));
                }
            }
        }
    }
    Verdict { problems, diff }
}

fn check_raw_body(rule: &RawBody, body: &[u8], problems: &mut Vec<String>) {
    match rule {
        RawBody::Exact(want) if body != want.as_slice() => {
            let first = want.iter().zip(body).position(|(w, g)| w != g);
            problems.push(match first {
                Some(at) => format!(
                    "body: expected the {} bytes the suite uploaded, got {} bytes differing from byte {at}",
                    want.len(),
                    body.len()
                ),
                None => format!(
                    "body: expected the {} bytes the suite uploaded, got {} bytes",
                    want.len(),
                    body.len()
                ),
            });
        }
        RawBody::Workbook { sheet, containing } => {
            check_workbook(body, sheet, containing, problems);
        }
        RawBody::StartsWith(signature, what) if !body.starts_with(signature) => {
            problems.push(format!(
                "body: expected {what} (starting with {}), got {} bytes starting with {}",
                hex(signature),
                body.len(),
                hex(&body[..body.len().min(signature.len())])
            ));
        }
        _ => {}
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn envelope_keys(envelope: &str) -> &'static [&'static str] {
    if envelope == "code" {
        &["success", "code", "msg"]
    } else {
        &["ret", "msg"]
    }
}

fn check_envelope(envelope: &str, expected: &Value, actual: &Value, problems: &mut Vec<String>) {
    for key in envelope_keys(envelope) {
        let want = expected.get(*key);
        let got = actual.get(*key);
        if want.is_some() && want != got {
            problems.push(format!(
                "envelope {key}: expected {}, got {}",
                want.map(compact).unwrap_or_default(),
                got.map(compact)
                    .unwrap_or_else(|| "nothing (missing)".into())
            ));
        }
    }
}

fn check_schema(schema: &Value, actual: &Value, problems: &mut Vec<String>) {
    let validator = match jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(schema)
    {
        Ok(validator) => validator,
        Err(error) => {
            problems.push(format!(
                "schema: the spec's schema does not compile: {error}"
            ));
            return;
        }
    };
    if validator.is_valid(actual) {
        return;
    }
    // "not valid under any of the schemas listed in oneOf" names nothing: report the errors of
    // the alternative the body comes closest to (the success or the error envelope) instead.
    let alternatives = schema
        .pointer("/allOf/0/oneOf")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let components = schema.get("components").cloned().unwrap_or(Value::Null);
    let mut best: Option<(String, Vec<String>, (bool, usize))> = None;
    for alternative in &alternatives {
        let name = alternative
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.rsplit('/').next())
            .unwrap_or("alternative")
            .to_owned();
        let Ok(branch) = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&schema_with_components(alternative, &components))
        else {
            continue;
        };
        let errors = schema_errors(&branch, actual);
        // The envelope's `const` members (`ret: 0` vs `ret: 1|2`, `success`) say which
        // alternative the body means to be; the number of errors breaks ties.
        let resolved = components
            .pointer(&format!("/schemas/{name}"))
            .unwrap_or(alternative);
        let rank = (!discriminator_matches(resolved, actual), errors.len());
        if best.as_ref().is_none_or(|(_, _, r)| rank < *r) {
            best = Some((name, errors, rank));
        }
    }
    match best {
        Some((name, errors, _)) if !errors.is_empty() => problems.extend(
            errors
                .into_iter()
                .map(|e| format!("schema (closest to {name}): {e}")),
        ),
        _ => problems.extend(
            schema_errors(&validator, actual)
                .into_iter()
                .map(|e| format!("schema: {e}")),
        ),
    }
}

/// Whether every top-level `const`/`enum` member of `schema` holds in `actual`.
fn discriminator_matches(schema: &Value, actual: &Value) -> bool {
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return false;
    };
    let mut any = false;
    for (key, property) in properties {
        let allowed: Vec<Value> = match (property.get("const"), property.get("enum")) {
            (Some(value), _) => vec![value.clone()],
            (None, Some(Value::Array(values))) => values.clone(),
            _ => continue,
        };
        any = true;
        if !actual.get(key).is_some_and(|v| allowed.contains(v)) {
            return false;
        }
    }
    any
}

fn schema_errors(validator: &jsonschema::Validator, actual: &Value) -> Vec<String> {
    validator
        .iter_errors(actual)
        .take(5)
        .map(|error| {
            let path = error.instance_path().to_string();
            format!("{}: {error}", if path.is_empty() { "/" } else { &path })
        })
        .collect()
}

fn check_headers(expected: &Expected, actual: &Actual, problems: &mut Vec<String>) {
    if let Some(media_type) = &expected.media_type {
        let got = actual.header("content-type").unwrap_or("");
        if !got
            .to_ascii_lowercase()
            .starts_with(&media_type.to_ascii_lowercase())
        {
            problems.push(format!(
                "header Content-Type: expected {media_type}, got {}",
                if got.is_empty() { "nothing" } else { got }
            ));
        }
    }
    for rule in &expected.headers {
        match rule {
            HeaderRule::StartsWith(name, prefix) => match actual.header(name) {
                Some(value) if value.starts_with(prefix.as_str()) => {}
                Some(value) => problems.push(format!(
                    "header {name}: expected a value starting with {prefix:?}, got {value:?}"
                )),
                None => problems.push(format!("header {name}: missing")),
            },
            HeaderRule::Contains(name, part) => match actual.header(name) {
                Some(value) if value.contains(part.as_str()) => {}
                Some(value) => problems.push(format!(
                    "header {name}: expected a value containing {part:?}, got {value:?}"
                )),
                None => problems.push(format!("header {name}: missing")),
            },
            HeaderRule::Present(name) => {
                if actual.header(name).is_none() {
                    problems.push(format!("header {name}: missing"));
                }
            }
            HeaderRule::Absent(name) => {
                if let Some(value) = actual.header(name) {
                    problems.push(format!("header {name}: expected none, got {value:?}"));
                }
            }
            HeaderRule::SetCookie {
                name,
                value,
                attributes,
                lifetime,
            } => check_cookie(actual, name, *value, attributes, *lifetime, problems),
        }
    }
}

/// Checks the matchers and returns `actual` with every matched value replaced by the expected
/// one, so that the comparison that follows sees only real differences.
fn apply_matchers(
    expected: &Value,
    matchers: &[(String, Matcher)],
    actual: &Value,
    problems: &mut Vec<String>,
) -> Value {
    let mut normalised = actual.clone();
    let mut ordered: Vec<&(String, Matcher)> = matchers.iter().collect();
    ordered.sort_by_key(|(pointer, _)| pointer.matches('/').count());
    for (pointer, matcher) in ordered {
        let want = expected.pointer(pointer);
        let Some(got) = normalised.pointer(pointer).cloned() else {
            problems.push(format!("{pointer}: missing (expected {matcher})"));
            continue;
        };
        if !matcher.accepts(&got, want) {
            let shown = match (&got, matcher) {
                (Value::Array(items), Matcher::Prefix { .. } | Matcher::Suffix { .. }) => {
                    format!("an array of {} items", items.len())
                }
                _ => compact(&got),
            };
            problems.push(format!("{pointer}: expected {matcher}, got {shown}"));
            continue;
        }
        let replacement = match (matcher, want) {
            (Matcher::Prefix { .. }, Some(Value::Array(want))) => {
                let mut items = got.as_array().cloned().unwrap_or_default();
                items.truncate(want.len());
                Some(Value::Array(items))
            }
            (Matcher::Suffix { .. }, Some(Value::Array(want))) => {
                let items = got.as_array().cloned().unwrap_or_default();
                let skip = items.len().saturating_sub(want.len());
                Some(Value::Array(items.into_iter().skip(skip).collect()))
            }
            (_, Some(want)) => Some(want.clone()),
            (_, None) => None,
        };
        if let Some(replacement) = replacement {
            // The pointer exists (read above), so setting it cannot fail.
            drop(set_pointer(&mut normalised, pointer, replacement));
        }
    }
    normalised
}

/// Lists the differences between `expected` and `actual`, one line each, by JSON pointer.
pub fn structural_diff(path: &str, expected: &Value, actual: &Value, out: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(want), Value::Object(got)) => {
            for (key, want_value) in want {
                let child = format!("{path}/{key}");
                match got.get(key) {
                    Some(got_value) => structural_diff(&child, want_value, got_value, out),
                    None => out.push(format!(
                        "{child}: missing field (expected {})",
                        compact(want_value)
                    )),
                }
            }
            for (key, got_value) in got {
                if !want.contains_key(key) {
                    out.push(format!(
                        "{path}/{key}: unexpected field (got {})",
                        compact(got_value)
                    ));
                }
            }
        }
        (Value::Array(want), Value::Array(got)) => {
            if want.len() != got.len() {
                out.push(format!(
                    "{}: expected {} items, got {}",
                    if path.is_empty() { "/" } else { path },
                    want.len(),
                    got.len()
                ));
            }
            for (index, (w, g)) in want.iter().zip(got).enumerate() {
                structural_diff(&format!("{path}/{index}"), w, g, out);
            }
        }
        (want, got) if want != got => out.push(format!(
            "{}: expected {}, got {}",
            if path.is_empty() { "/" } else { path },
            compact(want),
            compact(got)
        )),
        _ => {}
    }
}

/// A unified diff of two JSON values, pretty-printed with Chinese left as UTF-8.
pub fn unified_diff(expected: &Value, actual: &Value) -> String {
    let want = pretty(expected) + "\n";
    let got = pretty(actual) + "\n";
    similar::TextDiff::from_lines(&want, &got)
        .unified_diff()
        .context_radius(3)
        .header("expected", "actual")
        .to_string()
}

/// Builds a schema document for validation: the response schema at the root with
/// `components` beside it, so that `#/components/schemas/...` references resolve.
pub fn schema_with_components(schema: &Value, components: &Value) -> Value {
    let mut root = Map::new();
    root.insert(
        "$schema".into(),
        Value::String("https://json-schema.org/draft/2020-12/schema".into()),
    );
    root.insert("allOf".into(), Value::Array(vec![schema.clone()]));
    root.insert("components".into(), components.clone());
    Value::Object(root)
}
