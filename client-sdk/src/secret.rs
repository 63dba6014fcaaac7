//! Credentials as types whose `Debug` never prints them: a client, an error or a struct holding
//! one can be logged with `{:?}` safely. The value itself is one explicit call away.

use std::fmt;

/// A procurement `Authorization` value (`Bearer <jwt>`), as the server issued it.
///
/// `Debug` prints `Token(<redacted>)`; [`Token::expose`] gives the text, for example to save the
/// session and restore it later with [`procurement::Client::set_token`](crate::procurement::Client::set_token).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Token(String);

impl Token {
    /// Wraps an `Authorization` value (with or without the `Bearer ` prefix, sent verbatim).
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The `Authorization` value itself. Treat it as a password.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The `sub` claim (the user id), read without checking the signature: only the server can
    /// check it, the client merely needs to know whose token it holds.
    pub fn subject(&self) -> Option<String> {
        match claims(&self.0)?.get("sub")? {
            serde_json::Value::String(sub) => Some(sub.clone()),
            other => Some(other.to_string()),
        }
    }

    /// The `exp` claim: when the token stops working, in seconds since the Unix epoch.
    pub fn expires_at(&self) -> Option<i64> {
        claims(&self.0)?.get("exp")?.as_i64()
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

impl From<String> for Token {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Token {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

/// An mgr `sessionid` cookie value. `Debug` prints `SessionId(<redacted>)`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SessionId(String);

impl SessionId {
    /// Wraps a `sessionid` value, e.g. one saved from an earlier run.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The cookie value itself. Treat it as a password.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionId(<redacted>)")
    }
}

impl From<String> for SessionId {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for SessionId {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

/// The claims of a `Bearer <jwt>` value, unverified.
fn claims(token: &str) -> Option<serde_json::Value> {
    let jwt = token.strip_prefix("Bearer ").unwrap_or(token).trim();
    let payload = jwt.split('.').nth(1)?;
    serde_json::from_slice(&base64url_decode(payload)?).ok()
}

/// Unpadded base64url (RFC 4648 §5), as used by JWTs.
fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for byte in text.trim_end_matches('=').bytes() {
        let sextet = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(sextet);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((buffer >> bits) & 0xFF).ok()?);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::{SessionId, Token};

    #[test]
    fn token_claims_are_read_and_debug_hides_the_value() {
        // {"sub":"12345678911","exp":1700000000} in base64url.
        let token = Token::new(
            "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkxMSIsImV4cCI6MTcwMDAwMDAwMH0.sig",
        );
        assert_eq!(token.subject().as_deref(), Some("12345678911"));
        assert_eq!(token.expires_at(), Some(1_700_000_000));
        assert_eq!(format!("{token:?}"), "Token(<redacted>)");
        assert_eq!(Token::new("Bearer not-a-jwt").subject(), None);
        let session = SessionId::new("abc");
        assert_eq!(format!("{session:?}"), "SessionId(<redacted>)");
    }
}
