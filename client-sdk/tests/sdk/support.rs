//! Helpers the generated case tests call: clients with known credentials, request matchers,
//! responses, and assertions that name the operation and case when they fail.

use medsys_client::{Download, Error, mgr, procurement};
use serde::de::DeserializeOwned;
use serde_json::Value;
use wiremock::{Match, MockServer, Request, ResponseTemplate};

/// The session a logged-in mgr test client holds.
pub const SESSION_ID: &str = "test-session-id";
/// The `Cookie` header it sends.
pub const SESSION_COOKIE: &str = "sessionid=test-session-id";

/// A well-formed token (`sub` 12345678911) for `x-auth: valid`.
pub const TOKEN_VALID: &str = "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkxMSJ9.valid";
/// `x-auth: expired`.
pub const TOKEN_EXPIRED: &str = "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkxMSJ9.expired";
/// `x-auth: replaced`.
pub const TOKEN_REPLACED: &str =
    "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkxMSJ9.replaced";
/// `x-auth: malformed`.
pub const TOKEN_MALFORMED: &str = "Bearer not-a-jwt";
/// What the mock login answers in `Authorization`.
pub const TOKEN_ISSUED: &str = "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkxMSJ9.issued";

pub fn mgr_client(server: &MockServer, logged_in: bool) -> mgr::Client {
    let client = mgr::Client::new(&server.uri()).expect("client");
    if logged_in {
        client.set_session_id(Some(SESSION_ID.into()));
    }
    client
}

pub fn procurement_client(server: &MockServer, token: Option<&str>) -> procurement::Client {
    let client = procurement::Client::new(&server.uri()).expect("client");
    client.set_token(token.map(medsys_client::Token::from));
    client
}

/// Deserializes a value of the SDK's types from JSON text.
pub fn value<T: DeserializeOwned>(json: &str) -> T {
    serde_json::from_str(json).unwrap_or_else(|error| panic!("{error}: {json}"))
}

/// JSON equality where numbers compare by value (`2500` equals `2500.0`).
pub fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(key, value)| y.get(key).is_some_and(|other| same_json(value, other)))
        }
        _ => a == b,
    }
}

/// The query string is exactly these pairs, in any order.
pub fn query_is(expected: &[(&str, &str)]) -> QueryIs {
    let mut pairs: Vec<(String, String)> = expected
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    pairs.sort();
    QueryIs(pairs)
}

pub struct QueryIs(Vec<(String, String)>);

impl Match for QueryIs {
    fn matches(&self, request: &Request) -> bool {
        let mut pairs: Vec<(String, String)> = request
            .url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        pairs.sort();
        pairs == self.0
    }
}

/// The header has this value, or is absent when `None`.
pub fn header_is(name: &'static str, expected: Option<&'static str>) -> HeaderIs {
    HeaderIs { name, expected }
}

pub struct HeaderIs {
    name: &'static str,
    expected: Option<&'static str>,
}

impl Match for HeaderIs {
    fn matches(&self, request: &Request) -> bool {
        let found = request
            .headers
            .get(self.name)
            .and_then(|value| value.to_str().ok());
        found == self.expected
    }
}

/// The header has exactly this value (built at run time, e.g. a token with a fresh expiry).
pub fn header_is_owned(name: &'static str, expected: &str) -> HeaderIsOwned {
    HeaderIsOwned {
        name,
        expected: expected.to_owned(),
    }
}

pub struct HeaderIsOwned {
    name: &'static str,
    expected: String,
}

impl Match for HeaderIsOwned {
    fn matches(&self, request: &Request) -> bool {
        request
            .headers
            .get(self.name)
            .and_then(|value| value.to_str().ok())
            == Some(self.expected.as_str())
    }
}

/// A JSON body equal to this one (numbers by value), sent as `application/json`.
pub fn json_body(expected: &str) -> JsonBody {
    JsonBody(serde_json::from_str(expected).expect("expected body is JSON"))
}

pub struct JsonBody(Value);

impl Match for JsonBody {
    fn matches(&self, request: &Request) -> bool {
        content_type_is(request, "application/json")
            && serde_json::from_slice::<Value>(&request.body)
                .is_ok_and(|body| same_json(&body, &self.0))
    }
}

/// A form body with exactly these fields, sent as `application/x-www-form-urlencoded`.
pub fn form_body(expected: &[(&str, &str)]) -> FormBody {
    let mut pairs: Vec<(String, String)> = expected
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    pairs.sort();
    FormBody(pairs)
}

pub struct FormBody(Vec<(String, String)>);

impl Match for FormBody {
    fn matches(&self, request: &Request) -> bool {
        let body = String::from_utf8_lossy(&request.body);
        let decode = |text: &str| {
            percent_encoding::percent_decode_str(&text.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        };
        let mut pairs: Vec<(String, String)> = body
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                (decode(key), decode(value))
            })
            .collect();
        pairs.sort();
        content_type_is(request, "application/x-www-form-urlencoded") && pairs == self.0
    }
}

/// One expected part of a multipart body.
pub struct Part {
    name: &'static str,
    file: Option<(&'static str, &'static str)>,
    bytes: Vec<u8>,
}

impl Part {
    pub fn text(name: &'static str, value: &'static str) -> Self {
        Self {
            name,
            file: None,
            bytes: value.as_bytes().to_vec(),
        }
    }

    pub fn file(
        name: &'static str,
        file_name: &'static str,
        content_type: &'static str,
        bytes: &[u8],
    ) -> Self {
        Self {
            name,
            file: Some((file_name, content_type)),
            bytes: bytes.to_vec(),
        }
    }
}

/// A `multipart/form-data` body holding these parts (checked by their bytes).
pub fn multipart_body(parts: Vec<Part>) -> MultipartBody {
    MultipartBody(parts)
}

pub struct MultipartBody(Vec<Part>);

impl Match for MultipartBody {
    fn matches(&self, request: &Request) -> bool {
        if !content_type_is(request, "multipart/form-data") {
            return false;
        }
        self.0.iter().all(|part| {
            let mut head = format!("Content-Disposition: form-data; name=\"{}\"", part.name);
            if let Some((file_name, content_type)) = part.file {
                head.push_str(&format!(
                    "; filename=\"{file_name}\"\r\nContent-Type: {content_type}"
                ));
            }
            let mut expected = head.into_bytes();
            expected.extend_from_slice(b"\r\n\r\n");
            expected.extend_from_slice(&part.bytes);
            expected.extend_from_slice(b"\r\n");
            request
                .body
                .windows(expected.len())
                .any(|window| window == expected.as_slice())
        })
    }
}

fn content_type_is(request: &Request, expected: &str) -> bool {
    request
        .headers
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with(expected))
}

pub fn json_response(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.as_bytes().to_vec(), "application/json")
}

pub fn file_response(status: u16, content_type: &str, bytes: &[u8]) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(bytes.to_vec(), content_type)
}

pub fn assert_ok_json<T: serde::Serialize + std::fmt::Debug>(
    case: &str,
    result: Result<T, Error>,
    expected: &str,
) {
    let value = result.unwrap_or_else(|error| panic!("{case}: expected Ok, got {error:?}"));
    let actual = serde_json::to_value(&value).expect("serializable");
    let expected: Value = serde_json::from_str(expected).expect("expected value is JSON");
    assert!(
        same_json(&actual, &expected),
        "{case}: decoded value differs\n  actual:   {actual}\n  expected: {expected}"
    );
}

pub fn assert_ok_unit(case: &str, result: Result<(), Error>) {
    if let Err(error) = result {
        panic!("{case}: expected Ok(()), got {error:?}");
    }
}

pub fn assert_not_logged_in<T: std::fmt::Debug>(case: &str, result: Result<T, Error>) {
    match result {
        Err(Error::NotLoggedIn { .. }) => {}
        other => panic!("{case}: expected Error::NotLoggedIn, got {other:?}"),
    }
}

pub fn assert_mgr_error<T: std::fmt::Debug>(
    case: &str,
    result: Result<T, Error>,
    ret: i64,
    msg: &str,
) {
    match result {
        Err(Error::Mgr { ret: r, msg: m, .. }) if r == ret && m == msg => {}
        other => {
            panic!("{case}: expected Error::Mgr {{ ret: {ret}, msg: {msg:?} }}, got {other:?}")
        }
    }
}

pub fn assert_procurement_error<T: std::fmt::Debug>(
    case: &str,
    result: Result<T, Error>,
    code: i64,
    msg: &str,
) {
    match result {
        Err(Error::Procurement {
            code: c, msg: m, ..
        }) if c == procurement::Code::from_code(code) && c.code() == code && m == msg => {}
        other => panic!(
            "{case}: expected Error::Procurement {{ code: {code}, msg: {msg:?} }}, got {other:?}"
        ),
    }
}

pub fn assert_download(
    case: &str,
    result: Result<Download, Error>,
    bytes: &[u8],
    content_type: &str,
    file_name: Option<&str>,
) {
    let download = result.unwrap_or_else(|error| panic!("{case}: expected a file, got {error:?}"));
    assert_eq!(download.bytes, bytes, "{case}: bytes");
    assert_eq!(download.content_type, content_type, "{case}: content type");
    assert_eq!(
        download.file_name.as_deref(),
        file_name,
        "{case}: file name"
    );
}

/// The text of the client's token, for assertions.
pub fn token_of(client: &procurement::Client) -> Option<String> {
    client.token().map(|token| token.expose().to_owned())
}

/// The text of the client's session id, for assertions.
pub fn session_of(client: &mgr::Client) -> Option<String> {
    client.session_id().map(|id| id.expose().to_owned())
}
