//! Helpers the generated methods share: query and path encoding, bodies with `const` members,
//! reading responses.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue, SET_COOKIE};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::truncated_body;
use crate::{Error, ResponseMeta};

/// Characters left as they are in a path segment (RFC 3986 unreserved).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A parameter value as it goes into a query string or a multipart text part: strings as they
/// are, numbers and booleans in their JSON spelling.
pub(crate) fn text<T: Serialize + ?Sized>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(text)) => text,
        Ok(other) => other.to_string(),
        Err(error) => error.to_string(),
    }
}

/// A path parameter, percent-encoded as one segment.
pub(crate) fn segment<T: Serialize + ?Sized>(value: &T) -> String {
    utf8_percent_encode(&text(value), SEGMENT).to_string()
}

/// The JSON object of `body` with the operation's `const` members (e.g. mgr's `action`) added:
/// the caller never spells them.
pub(crate) fn body<T: Serialize + ?Sized>(
    body: &T,
    consts: &[(&str, Value)],
) -> Result<Value, Error> {
    let mut object = match serde_json::to_value(body) {
        Ok(Value::Object(object)) => object,
        Ok(other) => return Ok(other),
        Err(error) => return Err(Error::local_decode(error)),
    };
    let mut with_consts = Map::new();
    for (name, value) in consts {
        with_consts.insert((*name).to_owned(), value.clone());
    }
    with_consts.append(&mut object);
    Ok(Value::Object(with_consts))
}

/// A response read to the end.
pub(crate) struct Received {
    pub operation: &'static str,
    pub attempts: u32,
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Received {
    pub(crate) async fn read(
        operation: &'static str,
        attempts: u32,
        response: reqwest::Response,
    ) -> Result<Self, Error> {
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await?.to_vec();
        Ok(Self {
            operation,
            attempts,
            status,
            headers,
            body,
        })
    }

    /// The server's `x-request-id`.
    pub(crate) fn request_id(&self) -> Option<String> {
        self.headers
            .get(crate::transport::REQUEST_ID)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    }

    /// Status, headers and request id, with credentials (`Authorization`, the session cookie)
    /// replaced by `<redacted>`: the client has already taken them. Takes the headers rather
    /// than copying them, since every successful call builds one.
    pub(crate) fn into_meta(self) -> ResponseMeta {
        let mut headers = self.headers;
        if headers.contains_key(AUTHORIZATION) {
            headers.insert(AUTHORIZATION, HeaderValue::from_static("<redacted>"));
        }
        if headers.contains_key(SET_COOKIE) {
            let cookies: Vec<HeaderValue> = headers
                .get_all(SET_COOKIE)
                .iter()
                .map(redacted_cookie)
                .collect();
            headers.remove(SET_COOKIE);
            for cookie in cookies {
                headers.append(SET_COOKIE, cookie);
            }
        }
        ResponseMeta {
            operation: self.operation,
            status: self.status,
            headers,
            attempts: self.attempts,
        }
    }

    /// A decoding error about this response.
    pub(crate) fn decode_error(&self, message: impl ToString) -> Error {
        Error::Decode {
            message: message.to_string(),
            body: truncated_body(&self.body),
            status: Some(self.status),
            request_id: self.request_id(),
        }
    }

    /// Fails with [`Error::UnexpectedStatus`] unless the operation documents the status.
    pub(crate) fn expect_status(&self, documented: &[u16]) -> Result<(), Error> {
        if documented.contains(&self.status.as_u16()) {
            Ok(())
        } else {
            Err(Error::UnexpectedStatus {
                status: self.status,
                body: truncated_body(&self.body),
                request_id: self.request_id(),
            })
        }
    }

    pub(crate) fn content_type(&self) -> &str {
        self.headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("")
    }

    pub(crate) fn is_json(&self) -> bool {
        let essence = self.content_type().split(';').next().unwrap_or("").trim();
        essence.eq_ignore_ascii_case("application/json") || essence.ends_with("+json")
    }

    pub(crate) fn json(&self) -> Result<Value, Error> {
        serde_json::from_slice(&self.body).map_err(|error| self.decode_error(error))
    }

    pub(crate) fn decode<T: serde::de::DeserializeOwned>(&self, value: Value) -> Result<T, Error> {
        serde_json::from_value(value).map_err(|error| self.decode_error(error))
    }
}

/// A `Set-Cookie` value with its value replaced: `sessionid=<redacted>; HttpOnly; ...`.
fn redacted_cookie(cookie: &HeaderValue) -> HeaderValue {
    let text = cookie.to_str().unwrap_or("");
    let (pair, attributes) = text.split_once(';').unwrap_or((text, ""));
    let name = pair.split_once('=').map_or("", |(name, _)| name.trim());
    let attributes = if attributes.is_empty() {
        String::new()
    } else {
        format!(";{attributes}")
    };
    HeaderValue::from_str(&format!("{name}=<redacted>{attributes}"))
        .unwrap_or_else(|_| HeaderValue::from_static("<redacted>"))
}

/// Base URL without a trailing slash, checked to be an absolute URL.
pub(crate) fn base_url(url: &str) -> Result<String, Error> {
    match reqwest::Url::parse(url) {
        Ok(parsed) if parsed.cannot_be_a_base() => Err(Error::InvalidBaseUrl {
            url: url.to_owned(),
            message: "not a base URL".to_owned(),
        }),
        Ok(_) => Ok(url.trim_end_matches('/').to_owned()),
        Err(error) => Err(Error::InvalidBaseUrl {
            url: url.to_owned(),
            message: error.to_string(),
        }),
    }
}

/// Deserializes `Option<Option<T>>` so that an absent member is `None` and `null` is
/// `Some(None)`: the "absent keeps, null clears" members of the specs.
pub(crate) mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(crate) fn serialize<T: Serialize, S: Serializer>(
        value: &Option<Option<T>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(inner) => inner.serialize(serializer),
            None => serializer.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(deserializer).map(Some)
    }
}
