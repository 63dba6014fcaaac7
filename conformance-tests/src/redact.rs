//! Keeps secrets out of everything the suite prints or writes: session ids, bearer tokens,
//! passwords and any other value registered as secret (custom header values) are replaced by
//! shell placeholders (`$MEDSYS_SESSION`, `$MEDSYS_TOKEN`, `$MEDSYS_PASSWORD`, `$MEDSYS_HEADER`)
//! that a reader fills in to replay a `curl` command.
//!
//! Session ids and tokens are recognised by their shape (`sessionid=<value>`, a JWT), so a value
//! the suite never saw (one a lying deployment invents) is hidden too; passwords cannot be
//! recognised by shape, so they are registered as they become known.

/// The placeholder of a session id.
pub const SESSION: &str = "MEDSYS_SESSION";
/// The placeholder of a bearer token (the JWT after `Bearer `).
pub const TOKEN: &str = "MEDSYS_TOKEN";
/// The placeholder of a password.
pub const PASSWORD: &str = "MEDSYS_PASSWORD";
/// The placeholder of a custom header's value (`--header`).
pub const HEADER: &str = "MEDSYS_HEADER";

/// How the report explains the placeholders.
pub const PLACEHOLDER_NOTE: &str = "Secrets are replaced by placeholders: before replaying a \
request, set MEDSYS_SESSION to a session id of the mgr admin (the value of the sessionid cookie \
its signin answers), MEDSYS_TOKEN to a procurement token (the part after 'Bearer ' of a login's \
Authorization header), MEDSYS_PASSWORD to the password of the account the request names, and \
MEDSYS_HEADER to the value of the --header given.";

/// The secret values of a run that have no recognisable shape.
#[derive(Clone, Debug, Default)]
pub struct Secrets {
    values: Vec<(String, &'static str)>,
}

impl Secrets {
    /// Registers a password (empty values are ignored: there is nothing to hide).
    pub fn password(&mut self, value: &str) {
        self.add(value, PASSWORD);
    }

    /// Registers a value with its placeholder.
    pub fn add(&mut self, value: &str, placeholder: &'static str) {
        if !value.is_empty() && !self.values.iter().any(|(v, _)| v == value) {
            self.values.push((value.to_owned(), placeholder));
            // Longest first, so that a secret containing another is replaced whole.
            self.values.sort_by_key(|(v, _)| std::cmp::Reverse(v.len()));
        }
    }

    pub fn extend(&mut self, other: &Secrets) {
        for (value, placeholder) in &other.values {
            self.add(value, placeholder);
        }
    }

    /// `text` with every secret replaced by `$PLACEHOLDER`.
    pub fn text(&self, text: &str) -> String {
        self.apply(text, |name| format!("${name}"))
    }

    /// A `curl` command (whose words are single-quoted) with every secret replaced by a
    /// placeholder the shell expands: the quote is closed, `"$PLACEHOLDER"` inserted, and the
    /// quote reopened.
    pub fn curl(&self, command: &str) -> String {
        self.apply(command, |name| format!("'\"${name}\"'"))
    }

    fn apply(&self, text: &str, placeholder: impl Fn(&str) -> String) -> String {
        let mut out = redact_sessions(text, &placeholder(SESSION));
        out = redact_jwts(&out, &placeholder(TOKEN));
        for (value, name) in &self.values {
            let replacement = placeholder(name);
            // The value as written, inside a single-quoted shell word, and inside JSON text.
            let quoted = value.replace('\'', r"'\''");
            let json = serde_json::to_string(value).unwrap_or_default();
            let json = json.trim_matches('"').to_owned();
            for form in [value.as_str(), quoted.as_str(), json.as_str()] {
                out = replace_bounded(&out, form, &replacement);
            }
        }
        out
    }
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Replaces `secret` where it stands on its own: a short password such as `123456` must not
/// mangle the id `12345678910` it happens to begin.
fn replace_bounded(text: &str, secret: &str, replacement: &str) -> String {
    if secret.is_empty() || !text.contains(secret) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut before: Option<char> = None;
    while let Some(at) = rest.find(secret) {
        let head = &rest[..at];
        let prev = head.chars().next_back().or(before);
        let next = rest[at + secret.len()..].chars().next();
        let starts_word = secret.chars().next().is_some_and(is_word);
        let ends_word = secret.chars().next_back().is_some_and(is_word);
        // Inside a longer word (a letter or digit right before or after): not the secret.
        let inside =
            (starts_word && prev.is_some_and(is_word)) || (ends_word && next.is_some_and(is_word));
        out.push_str(head);
        if !inside {
            out.push_str(replacement);
        } else {
            out.push_str(secret);
        }
        before = secret.chars().next_back();
        rest = &rest[at + secret.len()..];
    }
    out.push_str(rest);
    out
}

fn is_cookie_value(c: char) -> bool {
    !matches!(c, ';' | ',' | ' ' | '\'' | '"' | '\\' | '\n' | '\r' | '\t')
}

/// Replaces the value of every `sessionid=<value>` (an empty value, the expired cookie of a
/// signout, is kept: it hides nothing and shows what was sent).
fn redact_sessions(text: &str, replacement: &str) -> String {
    const NAME: &str = "sessionid=";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(NAME) {
        out.push_str(&rest[..at + NAME.len()]);
        rest = &rest[at + NAME.len()..];
        let end = rest.find(|c| !is_cookie_value(c)).unwrap_or(rest.len());
        if end > 0 {
            out.push_str(replacement);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn is_base64url(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '='
}

/// Replaces every JWT (three base64url segments, the first a JSON header `eyJ...`).
fn redact_jwts(text: &str, replacement: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("eyJ") {
        let preceded = rest[..at].chars().next_back().is_some_and(is_base64url);
        let candidate = &rest[at..];
        let mut end = 0;
        let mut dots = 0;
        for (index, c) in candidate.char_indices() {
            if is_base64url(c) {
                end = index + c.len_utf8();
            } else if c == '.' && dots < 2 {
                dots += 1;
                end = index + 1;
            } else {
                break;
            }
        }
        out.push_str(&rest[..at]);
        let token = &candidate[..end];
        if !preceded && dots == 2 && !token.ends_with('.') {
            out.push_str(replacement);
        } else {
            out.push_str(token);
        }
        // `end` is at least 3 ("eyJ" is base64url), so the loop always advances.
        rest = &candidate[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_tokens_and_passwords_become_placeholders() {
        let mut secrets = Secrets::default();
        secrets.password("Conf-admin-pass-1");
        let text = "curl -H 'Cookie: sessionid=abc123' -H 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln' --data-raw '{\"password\":\"Conf-admin-pass-1\"}'";
        let curl = secrets.curl(text);
        assert_eq!(
            curl,
            "curl -H 'Cookie: sessionid='\"$MEDSYS_SESSION\"'' -H 'Authorization: Bearer '\"$MEDSYS_TOKEN\"'' --data-raw '{\"password\":\"'\"$MEDSYS_PASSWORD\"'\"}'"
        );
        assert_eq!(
            secrets.text("got sessionid=abc; Path=/ and eyJa.eyJb.c"),
            "got sessionid=$MEDSYS_SESSION; Path=/ and $MEDSYS_TOKEN"
        );
    }

    #[test]
    fn a_short_password_does_not_mangle_the_ids_it_begins() {
        let mut secrets = Secrets::default();
        secrets.password("123456");
        assert_eq!(
            secrets.text("user 12345678910 password 123456."),
            "user 12345678910 password $MEDSYS_PASSWORD."
        );
    }

    #[test]
    fn an_expired_session_cookie_and_a_malformed_token_stay_as_they_are() {
        let secrets = Secrets::default();
        assert_eq!(
            secrets.text("sessionid=; Max-Age=0 Bearer not-a-jwt"),
            "sessionid=; Max-Age=0 Bearer not-a-jwt"
        );
    }
}
