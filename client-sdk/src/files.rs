//! File downloads and uploads: bytes with their file name and content type.

use percent_encoding::percent_decode_str;

/// A downloaded file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    /// The file's content.
    pub bytes: Vec<u8>,
    /// The file name from `Content-Disposition` (`filename*` decoded per RFC 6266 / RFC 5987,
    /// else `filename`), if the server sent one.
    pub file_name: Option<String>,
    /// The response's `Content-Type`.
    pub content_type: String,
}

/// A file to upload as one part of a `multipart/form-data` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// The file's content.
    pub bytes: Vec<u8>,
    /// The file name sent with the part.
    pub file_name: String,
    /// The part's content type, e.g. `image/png`.
    pub content_type: String,
}

impl Upload {
    /// An upload of `bytes` named `file_name` with the given content type.
    pub fn new(
        bytes: impl Into<Vec<u8>>,
        file_name: impl Into<String>,
        content_type: impl Into<String>,
    ) -> Self {
        Self {
            bytes: bytes.into(),
            file_name: file_name.into(),
            content_type: content_type.into(),
        }
    }

    pub(crate) fn into_part(self) -> reqwest::Result<reqwest::multipart::Part> {
        reqwest::multipart::Part::bytes(self.bytes)
            .file_name(self.file_name)
            .mime_str(&self.content_type)
    }
}

/// The file name of a `Content-Disposition` header value: `filename*` (RFC 5987 `charset''pct`)
/// wins over `filename` (quoted or token).
pub fn content_disposition_file_name(header: &str) -> Option<String> {
    let mut plain = None;
    for param in split_params(header).into_iter().skip(1) {
        let Some((name, value)) = param.split_once('=') else {
            continue;
        };
        let name = name.trim().to_ascii_lowercase();
        let value = value.trim();
        if name == "filename*" {
            if let Some(decoded) = decode_ext_value(value) {
                return Some(decoded);
            }
        } else if name == "filename" {
            plain = Some(unquote(value));
        }
    }
    plain
}

/// Splits at `;` outside quoted strings.
fn split_params(header: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (at, c) in header.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ';' if !quoted => {
                parts.push(&header[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    parts.push(&header[start..]);
    parts
}

fn unquote(value: &str) -> String {
    match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        Some(inner) => {
            let mut out = String::with_capacity(inner.len());
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    out.extend(chars.next());
                } else {
                    out.push(c);
                }
            }
            out
        }
        None => value.to_owned(),
    }
}

/// Decodes `UTF-8'lang'%E7%94%B3...`; other charsets are decoded as Latin-1.
fn decode_ext_value(value: &str) -> Option<String> {
    let mut pieces = value.splitn(3, '\'');
    let charset = pieces.next()?.trim();
    let _language = pieces.next()?;
    let encoded = pieces.next()?;
    let bytes: Vec<u8> = percent_decode_str(encoded).collect();
    if charset.eq_ignore_ascii_case("utf-8") {
        String::from_utf8(bytes).ok()
    } else {
        Some(bytes.into_iter().map(char::from).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::content_disposition_file_name as name;

    #[test]
    fn extended_file_name_wins_and_is_percent_decoded() {
        let header = "attachment; filename=\"order.xlsx\"; filename*=UTF-8''%E7%94%B3%E8%AF%B7%E5%8D%95.xlsx";
        assert_eq!(name(header).as_deref(), Some("申请单.xlsx"));
    }

    #[test]
    fn plain_file_name_is_the_fallback() {
        assert_eq!(
            name("attachment; filename=\"a;b \\\"c\\\".png\"").as_deref(),
            Some("a;b \"c\".png")
        );
        assert_eq!(
            name("attachment; filename=x.docx").as_deref(),
            Some("x.docx")
        );
        assert_eq!(name("inline").as_deref(), None);
    }

    #[test]
    fn broken_extended_value_falls_back_to_the_plain_name() {
        let header = "attachment; filename*=UTF-8''%FF%FE; filename=\"ok.txt\"";
        assert_eq!(name(header).as_deref(), Some("ok.txt"));
    }
}
